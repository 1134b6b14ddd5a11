"""NengoDL's spiking-MNIST tutorial recipe on Fashion-MNIST: the baseline.

The network and training of NengoDL's own example ``docs/examples/spiking-mnist.ipynb``
("Optimizing a spiking neural network"), changed only in the data set and in how long
it trains:

- ``nengo_dl.Layer`` of Keras ``Conv2D(32, 3)`` -> ``nengo.LIF(amplitude=0.01)`` ->
  ``Conv2D(64, 3, strides=2)`` -> LIF -> ``Conv2D(128, 3, strides=2)`` -> LIF ->
  ``Dense(10)``; ensembles with ``max_rates = 100`` Hz, ``intercepts = 0``; no
  synapses on connections; ``stateful=False``;
- input: the raw pixel values 0-255 (the tutorial does not rescale them);
- rate training (NengoDL swaps ``nengo.LIF`` for its rate twin in ``sim.fit``) over
  one step per image, ``RMSprop(0.001)``, sparse categorical cross-entropy (from
  logits) on the unfiltered output probe, minibatch 200;
- spiking test over 30 steps; the prediction is the argmax of the output probe
  filtered with a 0.1 s lowpass, at the last step.

The tutorial trains 10 epochs on MNIST (and reports ~99 %); here the run is sized
for a 2-core CPU (see :func:`reproduce`). :func:`reproduce` can also record
accuracy against wall time (``curve_points``), to compare this recipe with other
training set-ups at equal time.

The same network with the MIF thesis' neurons is :mod:`nengo_snnext.networks.thurein_cnn`.
"""

import time

import nengo
import numpy as np

from nengo_snnext.data import load_fashion_mnist

NAME = "nengo_dl_tutorial"
TITLE = ("NengoDL's spiking-MNIST tutorial recipe (3 conv layers of nengo.LIF, rate "
         "training, 30-step spiking test) on Fashion-MNIST: the baseline")
SEED_FIGURES = {
    "source": ("NengoDL docs/examples/spiking-mnist.ipynb (MNIST, 10 epochs, 10000 test "
               "images); issue 10 (the recipe on Fashion-MNIST, 2000 test images after "
               "255 s of training)"),
    "MNIST spiking accuracy (tutorial)": 0.99,
    "Fashion-MNIST spiking accuracy after 255 s (issue 10)": 0.701,
}

N_STEPS = 30  # test steps of the tutorial (and of the thesis, Table 3.1)
MINIBATCH_SIZE = 200
SYNAPSE = 0.1  # lowpass of the filtered output probe (s)
FILTERS = (32, 64, 128)
IMAGE_SHAPE = (28, 28, 1)


def conv_shapes(filters=FILTERS, image_shape=IMAGE_SHAPE):
    """Input shape of each of the three convolutions (``(28, 28, 1)``, ``(26, 26, f0)``,
    ``(12, 12, f1)`` for the tutorial): 3x3 kernels, strides 1, 2, 2, no padding."""
    shapes = [tuple(image_shape)]
    for f, stride in zip(filters[:-1], (1, 2)):
        h, w = shapes[-1][:2]
        shapes.append(((h - 3) // stride + 1, (w - 3) // stride + 1, f))
    return shapes


def build(neuron_type=None, *, max_rates=100.0, filters=FILTERS, n_classes=10,
          image_shape=IMAGE_SHAPE, synapse=None, seed=0):
    """The tutorial's network for ``nengo_dl.Simulator``.

    Parameters
    ----------
    neuron_type : nengo.neurons.NeuronType, optional
        The spiking neurons of the three layers; default ``nengo.LIF(amplitude=0.01)``
        (the tutorial's).
    max_rates : float
        Firing rate (Hz) of every neuron at ``x = 1`` (intercepts are 0).
    filters : tuple of 3 int
        Channels of the three convolutions (the tutorial's ``(32, 64, 128)``).
    n_classes : int
        Units of the ``Dense`` readout.
    image_shape : tuple
        ``(height, width, channels)`` of the input images.
    synapse : float or nengo.synapses.Synapse, optional
        Synapse on the spikes (the connections from each spiking layer into the
        next convolution or the readout); the tutorial's ``None`` (train with this).
        A lowpass here is for testing weights trained without it (see
        :func:`transfer_params`).
    seed : int
        Seed of the network and of the Keras initialisers.

    Returns
    -------
    nengo.Network
        With ``inp`` (input node, flattened images), ``out`` (readout),
        ``out_p`` (unfiltered output probe, trained), ``out_p_filt`` (output
        probe with a 0.1 s lowpass, tested), ``layers`` (the Keras layers) and
        ``spiking`` (the three spiking ensembles).
    """
    import tensorflow as tf

    import nengo_dl

    if neuron_type is None:
        neuron_type = nengo.LIF(amplitude=0.01)
    if len(filters) != 3:
        raise ValueError(f"filters must give the channels of 3 convolutions, got {filters}")
    init = tf.keras.initializers.GlorotUniform
    shapes = conv_shapes(filters, image_shape)
    with nengo.Network(seed=seed) as net:
        net.config[nengo.Ensemble].max_rates = nengo.dists.Choice([max_rates])
        net.config[nengo.Ensemble].intercepts = nengo.dists.Choice([0])
        net.config[nengo.Connection].synapse = None
        nengo_dl.configure_settings(stateful=False)
        net.inp = nengo.Node(np.zeros(int(np.prod(image_shape))), label="inp")
        net.layers, net.spiking = [], []
        x = net.inp
        for i, (f, stride, shape) in enumerate(zip(filters, (1, 2, 2), shapes)):
            net.layers.append(tf.keras.layers.Conv2D(
                filters=f, kernel_size=3, strides=stride, kernel_initializer=init(seed + i)))
            x = nengo_dl.Layer(net.layers[-1])(x, shape_in=shape,
                                               synapse=synapse if i > 0 else None)
            x = nengo_dl.Layer(neuron_type)(x)
            net.spiking.append(x.ensemble)
        net.layers.append(tf.keras.layers.Dense(units=n_classes,
                                                kernel_initializer=init(seed + 3)))
        net.out = nengo_dl.Layer(net.layers[-1])(x, synapse=synapse)
        net.out_p = nengo.Probe(net.out, label="out_p")
        net.out_p_filt = nengo.Probe(net.out, synapse=SYNAPSE, label="out_p_filt")
    return net


def compile_training(sim, net, learning_rate=1e-3):
    """The tutorial's training set-up: ``RMSprop`` and cross-entropy on ``out_p``."""
    import tensorflow as tf

    sim.compile(
        optimizer=tf.optimizers.RMSprop(learning_rate),
        loss={net.out_p: tf.losses.SparseCategoricalCrossentropy(from_logits=True)},
    )


def set_learning_rate(sim, learning_rate):
    """Change the learning rate of the optimizer that :func:`compile_training` gave ``sim``."""
    sim.keras_model.optimizer.learning_rate.assign(learning_rate)


def transfer_params(sim, other, path):
    """Copy the trained parameters of ``sim`` into ``other`` (a simulator of the same
    network built with other synapses), through NengoDL's ``save_params`` file ``path``."""
    sim.save_params(path)
    other.load_params(path)


def fit(sim, net, x, y, *, epochs=1):
    """Rate training over one step per image (``compile_training`` first).

    ``x``: ``(n, pixels)``, ``y``: ``(n,)``; truncated to whole minibatches.
    """
    n = len(x) // sim.minibatch_size * sim.minibatch_size
    if n == 0:
        raise ValueError(f"need at least one minibatch ({sim.minibatch_size}) of "
                         f"training data, got {len(x)} examples")
    sim.fit({net.inp: x[:n, None, :]}, {net.out_p: y[:n, None, None]}, epochs=epochs,
            verbose=0)


def spiking_accuracy(sim, net, x, y, *, n_steps=N_STEPS, chunk=1000):
    """Fraction of ``x`` classified correctly by the spiking network.

    Every image is presented for ``n_steps`` steps; the prediction is the argmax of
    the filtered output (``out_p_filt``) at the last step, as in the tutorial.
    Inputs are padded to whole minibatches; ``chunk`` images are simulated at a time.
    """
    mb = sim.minibatch_size
    chunk = max(mb, chunk // mb * mb)
    correct = 0
    for start in range(0, len(x), chunk):
        xs = x[start:start + chunk]
        n_pad = -len(xs) % mb
        xs = np.concatenate([xs, np.zeros((n_pad,) + xs.shape[1:], xs.dtype)])
        tiled = np.tile(xs[:, None, :], (1, n_steps, 1))
        out = sim.predict({net.inp: tiled}, verbose=0)[net.out_p_filt]
        predicted = out[: len(xs) - n_pad, -1].argmax(axis=-1)
        correct += int(np.sum(predicted == y[start:start + chunk]))
    return correct / len(x)


def load_data(loader, *, n_train, n_test, scale, seed, data_dir=None):
    """Flattened float32 images times ``scale`` and int labels from ``loader(subset,
    directory)``; random subsets of ``n_train`` training and ``n_test`` test images
    (all of them when ``None``)."""
    rng = np.random.RandomState(seed)
    sets = []
    for subset, n in (("train", n_train), ("test", n_test)):
        images, labels = loader(subset, directory=data_dir)
        index = rng.permutation(len(images))[:n]
        sets.append((images[index].reshape(len(index), -1).astype(np.float32) * scale,
                     labels[index].astype(np.int32)))
    return sets


def _train_with_curve(sim, net, train, test, *, curve_points, chunk, n_steps, seed,
                      progress):
    """Train in chunks of ``chunk`` images until the last of ``curve_points`` (s of
    training, tests excluded); evaluate at the first chunk boundary after each point."""
    (x, y), (x_test, y_test) = train, test
    points = sorted(float(p) for p in curve_points)
    curve = []
    start = time.time()
    train_seconds, seen = 0.0, 0
    rng = np.random.RandomState(seed)
    order, position = rng.permutation(len(x)), 0
    while points:
        if position + chunk > len(x):
            order, position = rng.permutation(len(x)), 0
        index = order[position:position + chunk]
        position += chunk
        t0 = time.time()
        fit(sim, net, x[index], y[index])
        train_seconds += time.time() - t0
        seen += len(index) // sim.minibatch_size * sim.minibatch_size
        if train_seconds >= points[0]:
            t0 = time.time()
            acc = spiking_accuracy(sim, net, x_test, y_test, n_steps=n_steps)
            curve.append({"seconds": time.time() - start, "train_seconds": train_seconds,
                          "test_seconds": time.time() - t0, "examples": seen,
                          "accuracy": acc})
            if progress:
                print(f"  {train_seconds:7.1f} s of training ({seen} images): "
                      f"{100 * acc:.1f} %")
            points = [p for p in points if p > train_seconds]
    return curve


def reproduce(quick=False, data_dir=None, seed=0, progress=True, out=None, *, epochs=None,
              n_train=None, n_test=None, curve_points=None, chunk=None, filters=None):
    """Train the tutorial recipe on Fashion-MNIST and test it spiking.

    Full run, sized for a shared 2-core CPU: the tutorial's network (filters 32, 64,
    128) trained 1 epoch on 6000 training images (the tutorial: 10 epochs on
    60000), tested on 1000 test images (the tutorial: 10000). ``quick``: filters
    ``(4, 8, 8)``, 400 training images, 1 epoch, 200 test images, 5 test steps (a
    smoke test, not a result). The 30-step spiking test is the slow part: 1000
    test images at full width take minutes on a 2-core CPU.

    ``curve_points`` (seconds, e.g. ``[60, 120, 255]``) switches to an
    accuracy-vs-wall-time run: training proceeds in chunks of ``chunk`` images
    (default 2000; the training set is reshuffled when used up, ``epochs`` is
    ignored); when the training time (inside ``sim.fit``, tests excluded) reaches a
    point, the spiking test runs at the end of the current chunk and a point
    ``{"seconds", "train_seconds", "test_seconds", "examples", "accuracy"}`` is
    recorded, ``seconds`` being the wall time when that test finished (every
    earlier test included). The run ends after the point for the last time.
    Simulator construction is not counted.

    Returns ``{"rows": {"LIF": {"accuracy", "minutes"}}, "seconds", "config"}``,
    plus ``"curve"`` (list of points) with ``curve_points``. ``out`` (a path)
    also writes the result as JSON.
    """
    import nengo_dl

    start = time.time()
    n_train = n_train or (400 if quick else 6000)
    n_test = n_test or (200 if quick else 1000)
    epochs = epochs or 1
    n_steps = 5 if quick else N_STEPS
    filters = tuple(filters or ((4, 8, 8) if quick else FILTERS))
    train, test = load_data(load_fashion_mnist, n_train=n_train, n_test=n_test, scale=1.0,
                            seed=seed, data_dir=data_dir)
    net = build(filters=filters, seed=seed)
    config = dict(quick=quick, n_train=len(train[0]), n_test=len(test[0]), epochs=epochs,
                  n_steps=n_steps, filters=filters, minibatch_size=MINIBATCH_SIZE,
                  max_rates=100.0,
                  learning_rate=1e-3, seed=seed, input_scale="raw 0-255 (as the tutorial)")
    result = {}
    with nengo_dl.Simulator(net, minibatch_size=MINIBATCH_SIZE, seed=seed,
                            progress_bar=progress) as sim:
        compile_training(sim, net)
        if curve_points:
            config.update(curve_points=list(curve_points), chunk=chunk or 2000)
            del config["epochs"]
            result["curve"] = _train_with_curve(
                sim, net, train, test, curve_points=curve_points, chunk=chunk or 2000,
                n_steps=n_steps, seed=seed, progress=progress)
            train_minutes = result["curve"][-1]["train_seconds"] / 60
            acc = result["curve"][-1]["accuracy"]
        else:
            t0 = time.time()
            fit(sim, net, *train, epochs=epochs)
            train_minutes = (time.time() - t0) / 60
            acc = spiking_accuracy(sim, net, *test, n_steps=n_steps)
    result.update(rows={"LIF": {"accuracy": acc, "minutes": round(train_minutes, 3)}},
                  seconds=time.time() - start, config=config)
    if progress:
        print(f"nengo_dl_tutorial: LIF {100 * acc:.1f} % spiking test accuracy, "
              f"{train_minutes:.2f} min of training")
    if out is not None:
        write_json(result, out)
    return result


def write_json(result, path):
    """Write a :func:`reproduce` result as JSON (numpy scalars as numbers)."""
    import json

    with open(path, "w") as f:
        json.dump(result, f, indent=2, default=float)
