"""Fixtures of the NengoDL backend tests."""

import warnings

import nengo
import numpy as np
import pytest
import tensorflow as tf

import nengo_snnext  # noqa: F401  (registers with nengo_dl on import)
import nengo_dl  # noqa: F401


def use_training(net, kind, **kwargs):
    """``nengo_snnext.configure_training(kind, **kwargs)`` on ``net``; returns ``net``."""
    with net:
        nengo_snnext.configure_training(kind, **kwargs)
    return net


def neuron_builder(sim):
    """The only neuron builder of ``sim``."""
    [builder] = [
        b.built_neurons for b in sim.tensor_graph.op_builder.op_builds.values()
        if hasattr(b, "built_neurons")
    ]
    return builder


FALLBACK = "falling back to Python implementation"


@pytest.fixture
def dl_simulator():
    """Factory for ``nengo_dl.Simulator`` that closes every simulator it made.

    Every simulator is checked for NengoDL's "falling back to Python
    implementation" warning, so each backend test also checks that no neuron
    type falls back; ``allow_fallback=True`` lets the warning through instead
    (for the tests that provoke it on purpose).
    """
    sims = []

    def make(net, allow_fallback=False, **kwargs):
        kwargs.setdefault("progress_bar", False)
        if allow_fallback:
            sim = nengo_dl.Simulator(net, **kwargs)
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sim = nengo_dl.Simulator(net, **kwargs)
            fallbacks = [str(w.message) for w in caught if FALLBACK in str(w.message)]
            assert not fallbacks, fallbacks
        sims.append(sim)
        return sim

    yield make
    for sim in sims:
        sim.close()


def direct_input_network(neuron_type, n, *, dtype="float64", seed=0):
    """Node -> ens.neurons (J = x exactly: gain 1, bias 0, no synapse) with probes."""
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(dtype=dtype, stateful=False)
        net.inp = nengo.Node(np.zeros(n))
        net.ens = nengo.Ensemble(
            n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=np.zeros(n)
        )
        nengo.Connection(net.inp, net.ens.neurons, synapse=None)
        net.spikes = nengo.Probe(net.ens.neurons)
        net.voltage = nengo.Probe(net.ens.neurons, "voltage")
    return net


def run_with_gradients(sim, inputs, coefficients, *, training=True, wrt=()):
    """Run ``sim`` once on ``inputs`` and differentiate ``sum(c * probe output)``.

    Parameters
    ----------
    sim : nengo_dl.Simulator
        Built with ``stateful=False`` (every call starts from the initial state).
    inputs : {nengo.Node: array of shape (minibatch, n_steps, size_out)}
        Values of every input node.
    coefficients : {nengo.Probe: array like the probe's output}
        The loss is ``sum over probes of sum(c * output)``.
    training : bool
        Run in training mode (what ``sim.fit`` differentiates).
    wrt : sequence of tf.Variable
        Extra variables to differentiate with respect to.

    Returns
    -------
    outputs : {probe: array}
    input_gradients : {node: array}
    variable_gradients : list of array or None
    """
    nodes = list(sim.node_inputs)
    probes = list(coefficients)
    n_steps = next(iter(inputs.values())).shape[1]
    xs = [tf.constant(inputs[node], dtype=sim.tensor_graph.dtype) for node in nodes]
    n_steps_input = tf.ones((sim.minibatch_size, 1), tf.int32) * n_steps

    @tf.function
    def forward_backward(*xs):
        with tf.GradientTape() as tape:
            tape.watch(xs)
            out = sim.tensor_graph(list(xs) + [n_steps_input], training=training)
            values = [out[sim.model.probes.index(p)] for p in probes]
            loss = tf.add_n(
                [tf.reduce_sum(v * coefficients[p]) for v, p in zip(values, probes)]
            )
        return values, tape.gradient(loss, list(xs) + list(wrt))

    values, grads = forward_backward(*xs)
    outputs = {p: v.numpy() for p, v in zip(probes, values)}
    input_grads = {node: g.numpy() for node, g in zip(nodes, grads[: len(nodes)])}
    var_grads = [None if g is None else g.numpy() for g in grads[len(nodes) :]]
    return outputs, input_grads, var_grads
