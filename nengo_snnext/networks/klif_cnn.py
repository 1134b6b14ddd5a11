"""The thesis' chapter-2 KLIF network (Jiang 2022, Table 2.1), scaled to a CPU.

Table 2.1 (MNIST / Fashion-MNIST, T = 8, 100 epochs)::

    (128C3+128C3+128C3)(enc) - 128C3 - MP2 - 2048FC - (100FC - AP10)

Here, as Keras layers that convert to Nengo (``nengo_snnext.convert``):

    CodingLayer(C): 3 x (Conv 3x3, no bias + BN), summed, the image encoded once
    -> spiking -> TD(Conv 3x3 C, no bias) -> TD(BN) -> spiking -> TD(AvgPool 2)
    -> TD(Flatten) -> TD(Dense H, no bias) -> TD(BN) -> spiking
    -> TD(Dense 10 x votes, no bias) -> TD(BN) -> spiking -> Vote(votes) -> TimeMean

(TD: ``TimeDistributed``.) Scaled: ``C = 128 -> channels`` and ``2048 -> hidden``
(defaults 32 and 256; 2 CPU cores instead of a GPU), average instead of max pooling
(spiking neurons have no max; the thesis' later chapters average too), and batch
normalisation after the dense layers as well (without it the narrow network is
silent from the first dense layer on at initialisation). Loss: MSE to the one-hot
label (thesis), Adam. The spiking layers are ``neuron``: ``"klif"`` (KLIF, trainable
``k`` in [0.5, 5]), ``"klif*"`` (KLIF*, eq. 2.10), ``"lif"`` (the thesis' LIF,
:class:`nengo_snnext.DiscreteLIF`). Spikes have amplitude ``dt`` (a spike is 1.0,
as SpikingJelly's), so the outputs are vote rates in [0, 1].

Reproduce: ``snnext reproduce klif_cnn`` (Fashion-MNIST; ``--quick`` for a seconds-long
check on digits).
"""

import time


NAME = "klif_cnn"
TITLE = "Jiang 2022 ch. 2: KLIF CNN with coding layer and voting decoder (Tables 2.1, 2.2, 2.4)"
SEED_FIGURES = {
    "source": "Jiang 2022, Tables 2.2 and 2.4, Fashion-MNIST test accuracy (T = 8, 100 epochs, "
              "128-channel convolutions, 2048-unit FC, a GPU)",
    "lif": 0.9428,
    "klif": 0.9435,
    "klif*": 0.9431,
}
NEURONS = ("lif", "klif", "klif*")
N_CLASSES = 10
VOTES = 10  # output neurons per class (thesis: 100FC-AP10)


def spiking_layer(neuron, training, name, **options):
    """One spiking layer of family ``neuron`` (amplitude = dt: a spike is 1.0)."""
    import nengo_snnext.keras as nk

    kwargs = dict(amplitude=0.001, training=training, name=name, **options)
    if neuron == "klif":
        return nk.KLIF(**kwargs)
    if neuron == "klif*":
        return nk.KLIF(scale_reset=True, **kwargs)
    if neuron == "lif":
        return nk.DiscreteLIF(**kwargs)
    raise ValueError(f"unknown neuron {neuron!r}; choose from {NEURONS}")


def build(image_shape=(28, 28, 1), *, steps=8, channels=32, hidden=256, neuron="klif",
          training="surrogate", seed=0, **layer_options):
    """The Keras model: input ``(batch, steps, rows, cols, channels)``, output vote rates.

    Parameters
    ----------
    image_shape : (int, int, int)
        Rows, columns and channels of one image.
    steps : int or None
        T, the time steps of one presentation (the image repeated over them);
        None: any number (not unrolled).
    channels, hidden : int
        Width of the convolutions (thesis 128) and of the FC layer (thesis 2048).
    neuron : str
        ``"klif"``, ``"klif*"`` or ``"lif"``.
    training : str
        ``"surrogate"`` (BPTT) or ``"rate"`` (the layers' training rate; one step is enough).
    seed : int
        Seed of the weight initialisation.
    **layer_options
        More arguments of the spiking layers (e.g. ``trainable_tau=True``).

    Returns
    -------
    tf.keras.Model
        Output ``(batch, 10)``: per class, the mean over its ``VOTES`` neurons and the
        ``steps`` of the spikes (a rate in [0, 1]).
    """
    import tensorflow as tf

    import nengo_snnext.keras as nk

    tf.random.set_seed(seed)
    layers = tf.keras.layers
    rows, cols, _ = image_shape

    def td(layer):
        return layers.TimeDistributed(layer, name=layer.name)

    def bn(name):  # PyTorch's defaults (momentum 0.1, eps 1e-5), as the thesis' code
        return td(layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name))

    def spiking(name):
        return spiking_layer(neuron, training, name, **layer_options)

    inp = tf.keras.Input((steps, *image_shape), name="image")
    x = nk.CodingLayer(channels, momentum=0.9, epsilon=1e-5, name="encoder")(inp)
    x = spiking("spikes1")(x)
    x = td(layers.Conv2D(channels, 3, padding="same", use_bias=False, name="conv"))(x)
    x = bn("conv_bn")(x)
    x = spiking("spikes2")(x)
    x = td(layers.AveragePooling2D(2, name="pool"))(x)
    x = td(layers.Flatten(name="flatten"))(x)
    x = td(layers.Dense(hidden, use_bias=False, name="fc"))(x)
    x = bn("fc_bn")(x)
    x = spiking("spikes3")(x)
    x = td(layers.Dense(N_CLASSES * VOTES, use_bias=False, name="votes"))(x)
    x = bn("votes_bn")(x)
    x = spiking("spikes4")(x)
    x = nk.Vote(VOTES, name="vote")(x)
    out = nk.TimeMean(name="time_mean")(x)
    return tf.keras.Model(inp, out, name=f"klif_cnn_{neuron.replace('*', '_star')}")


def maker(image_shape, schedule, **options):
    """``make(steps, training)`` for :func:`nengo_snnext.demo.train.fit_schedule`:
    :func:`build` with ``options`` and the layer options of ``schedule``."""

    def make(steps, training):
        return build(image_shape, steps=steps, training=training, **options,
                     **schedule.layer_options(training))

    return make


def reproduce(quick=False, data_dir=None, seed=0, progress=True, out=None, *,
              neurons=NEURONS, time_budget=None):
    """Train and evaluate the network with each of ``neurons`` on Fashion-MNIST.

    Each type is trained with the schedule of :func:`nengo_snnext.demo.train.fit_schedule`
    (surrogate BPTT, after a rate warm-up where the schedule has one) and evaluated
    spiking on all 10,000 test images. ``quick``: digits, a narrow network and one
    short epoch per phase.
    ``time_budget``: seconds of training per type (default: the full schedule).

    Returns
    -------
    dict
        ``{"rows": {neuron: {"accuracy": fraction, "train_seconds": s, "k": [...]}},
        "seconds": total, "config": {...}}``
    """
    from nengo_snnext.demo import datasets
    from nengo_snnext.demo.train import Schedule, fit_schedule, spiking_accuracy

    start = time.perf_counter()
    data = datasets.load("digits" if quick else "fashion-mnist", directory=data_dir)
    config = datasets.network_config(data.name, quick=quick)
    schedule = Schedule.for_dataset(data.name, quick=quick, time_budget=time_budget)
    rows = {}
    for neuron in neurons:
        make = maker(data.image_shape, schedule, neuron=neuron, seed=seed, **config)
        t0 = time.perf_counter()
        model, _ = fit_schedule(make, data, schedule, seed=seed, progress=progress,
                                label=neuron)
        train_seconds = time.perf_counter() - t0
        accuracy = spiking_accuracy(model, data.x_test, data.y_test)
        ks = [float(layer.parameter_value("k")) for layer in model.layers
              if getattr(layer, "trainable_k", False)]
        rows[neuron] = {"accuracy": accuracy, "train_seconds": train_seconds,
                        "k": [round(k, 4) for k in ks]}
    result = {"rows": rows, "seconds": time.perf_counter() - start,
              "config": {"dataset": data.name, "seed": seed, "steps": schedule.steps,
                         **config, **schedule.as_dict()}}
    if out is not None:
        from pathlib import Path

        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
        import json

        (path / f"{NAME}.json").write_text(json.dumps(result, indent=2))
    return result

