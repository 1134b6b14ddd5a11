"""The NengoDL spiking-classifier recipe with any neuron type swapped in.

This is NengoDL's spiking-MNIST example (``nengo_dl.Layer`` of Keras ``Dense``
layers with a spiking neuron ``Layer`` between them; ``max_rates`` and
``intercepts`` fixed; no synapses on connections), made a function so that the
tests, ``benchmarks/`` and the docs train exactly the same network.

Output decoding follows the thesis: logits are the mean of the output layer over
the simulated steps (the mean spike count for a spiking network; for one step,
the rate output). Both training modes use the same loss:

- rate training: ``n_steps = 1`` in training, spiking inference over many steps;
- surrogate training: ``n_steps = T`` in training (BPTT), inference over ``T``.
"""

import nengo
import numpy as np
import tensorflow as tf

import nengo_dl


def spiking_classifier(
    neuron_types, n_inputs, n_classes, hidden=(128,), *, rate=200.0, seed=0
):
    """Dense -> neurons -> ... -> Dense network for ``nengo_dl.Simulator``.

    Parameters
    ----------
    neuron_types : NeuronType or list of NeuronType
        One type for every hidden layer, or one per hidden layer.
    n_inputs, n_classes : int
        Input size and number of classes (size of the output ``Dense``).
    hidden : tuple of int
        Units of each hidden layer.
    rate : float
        Firing rate (Hz) of every neuron at x = 1 (intercepts are 0).
    seed : int
        Seed of the network and of the ``Dense`` initialisers.

    Returns
    -------
    nengo.Network
        With attributes ``inp`` (input node), ``out_p`` (output probe) and
        ``dense`` (the Keras ``Dense`` layers, first to last).
    """
    if not isinstance(neuron_types, (list, tuple)):
        neuron_types = [neuron_types] * len(hidden)

    def dense(units):
        # seeded initialisers: the same network starts from the same weights
        index = len(net.dense)
        return tf.keras.layers.Dense(
            units,
            kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed + index),
        )
    with nengo.Network(seed=seed) as net:
        net.config[nengo.Ensemble].intercepts = nengo.dists.Choice([0])
        net.config[nengo.Connection].synapse = None
        nengo_dl.configure_settings(stateful=False)
        net.inp = nengo.Node(np.zeros(n_inputs))
        net.dense = []
        x = net.inp
        for units, neuron_type in zip(hidden, neuron_types):
            net.dense.append(dense(units))
            x = nengo_dl.Layer(net.dense[-1])(x)
            with nengo.Config(nengo.Ensemble) as config:
                config[nengo.Ensemble].max_rates = nengo.dists.Choice(
                    [rate]
                )
                x = nengo_dl.Layer(neuron_type)(x)
        net.dense.append(dense(n_classes))
        net.out = nengo_dl.Layer(net.dense[-1])(x)
        net.out_p = nengo.Probe(net.out, label="out_p")
    return net


def mean_logits_crossentropy(y_true, y_pred):
    """Cross-entropy of the time-averaged output (``y_true``: (batch, steps, 1))."""
    return tf.keras.losses.sparse_categorical_crossentropy(
        y_true[:, 0], tf.reduce_mean(y_pred, axis=1), from_logits=True
    )


def _tile(x, n_steps):
    return np.tile(x[:, None, :], (1, n_steps, 1))


def fit_classifier(sim, net, x, y, *, n_steps, epochs, learning_rate=0.003, verbose=0):
    """Compile and ``sim.fit`` on ``(x, y)`` repeated over ``n_steps`` steps.

    The data are truncated to a multiple of ``sim.minibatch_size``.
    """
    n = len(x) // sim.minibatch_size * sim.minibatch_size
    sim.compile(
        optimizer=tf.optimizers.Adam(learning_rate),
        loss={net.out_p: mean_logits_crossentropy},
    )
    return sim.fit(
        {net.inp: _tile(x[:n], n_steps)},
        {net.out_p: np.tile(y[:n, None, None], (1, n_steps, 1))},
        epochs=epochs,
        verbose=verbose,
    )


def predict_classes(sim, net, x, *, n_steps):
    """Predicted class of every row of ``x``: argmax of the mean output over ``n_steps``."""
    mb = sim.minibatch_size
    n_pad = -len(x) % mb
    padded = np.concatenate([x, np.zeros((n_pad,) + x.shape[1:], x.dtype)])
    out = sim.predict({net.inp: _tile(padded, n_steps)}, verbose=0)[net.out_p]
    return out[: len(x)].mean(axis=1).argmax(axis=-1)


def accuracy(sim, net, x, y, *, n_steps):
    """Fraction of ``x`` classified correctly over ``n_steps`` simulated steps."""
    return float(np.mean(predict_classes(sim, net, x, n_steps=n_steps) == y))
