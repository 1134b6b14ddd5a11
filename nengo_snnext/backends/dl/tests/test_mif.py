"""MIF and MIF2 in NengoDL: equality with nengo.Simulator, rate training, no surrogate."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError

import nengo_dl
from nengo_snnext import MIF, MIF2
from nengo_snnext.backends.dl import EquationBuilder, builder_for
from nengo_snnext.backends.dl.tests.conftest import (
    direct_input_network,
    run_with_gradients,
    use_training,
)

from nengo_snnext.neurons.tests.test_mif import CORNERS  # noqa: E402  (same corners)


def test_registered():
    assert builder_for(MIF) is EquationBuilder and builder_for(MIF2) is EquationBuilder


def test_equals_reference_every_corner(dl_simulator):
    with nengo.Network(seed=5) as net:
        nengo_dl.configure_settings(dtype="float64")
        stim = nengo.Node(lambda t: np.sin(11 * t))
        probes = []
        for neuron_type in CORNERS:
            ens = nengo.Ensemble(
                16, 1, neuron_type=neuron_type, max_rates=nengo.dists.Uniform(50, 400)
            )
            nengo.Connection(stim, ens)
            probes.append(
                [nengo.Probe(ens.neurons)]
                + [nengo.Probe(ens.neurons, name) for name in neuron_type.state]
            )
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(0.3)
    sim = dl_simulator(net)
    sim.run(0.3)
    for neuron_type, (spikes, voltage, *others) in zip(CORNERS, probes):
        assert np.array_equal(sim.data[spikes], ref.data[spikes]), neuron_type
        assert np.count_nonzero(ref.data[spikes]) > 50, neuron_type
        # exp/log1p of TensorFlow and numpy differ in the last bits: volts to ~1e-10
        assert np.allclose(sim.data[voltage], ref.data[voltage], atol=1e-9, rtol=0)
        for probe in others:
            assert np.allclose(sim.data[probe], ref.data[probe], atol=1e-10, rtol=0)


@pytest.mark.parametrize(
    "neuron_type",
    # MIF2 trains on its rate table (equations.mif2.mif2_training_rate)
    [MIF(), MIF(memristive=False), MIF2()],
    ids=str,
)
def test_rate_training_equals_rates_with_gradient(neuron_type, dl_simulator, rng):
    n = 30
    net = direct_input_network(neuron_type, n)
    sim = dl_simulator(net)
    # below the rheobase, rising branch, and (memristive) past the peak to the block
    J = np.concatenate([[0.5, 0.99], np.linspace(1.05, 6.0, n - 2)])[None, None, :]
    c = rng.normal(size=(1, 1, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})
    expected = neuron_type.rates(J[0], np.ones(n), np.zeros(n))
    tabulated = isinstance(neuron_type, MIF2)  # the table: within 1e-4 of the exact rates
    tol = 1e-4 if tabulated else 1e-9
    assert np.allclose(out[net.spikes][0], expected, rtol=tol, atol=tol)
    h = 1e-6
    numeric = c[0] * (
        neuron_type.rates(J[0] + h, np.ones(n), np.zeros(n))
        - neuron_type.rates(J[0] - h, np.ones(n), np.zeros(n))
    ) / (2 * h)
    firing = expected[0] > 0
    if tabulated:
        # the table's slope, adapted memristor state included, is the exact rate's
        assert np.allclose(grads[net.inp][0, 0], numeric[0], rtol=1e-2, atol=1e-2)
    else:
        assert np.allclose(grads[net.inp][0, 0], numeric[0], rtol=1e-4, atol=1e-3)
    assert np.all(grads[net.inp][0, 0, ~firing] == 0)


def test_surrogate_mode_is_a_clear_build_error(dl_simulator):
    net = use_training(direct_input_network(MIF(), 4), "surrogate")
    with pytest.raises(BuildError, match="MIF: surrogate training is not available"):
        dl_simulator(net)
    dl_simulator(use_training(net, "rate", neuron_type=MIF))  # per-type beats the default


@pytest.mark.parametrize("neuron_type", [MIF(), MIF2()], ids=str)
def test_rate_training_smoothing_is_straight_through(neuron_type, dl_simulator, rng):
    """``smoothing``: the exact rates forward, the slope of the smoothed rate backward."""
    n, sigma = 30, 0.05
    net = use_training(direct_input_network(neuron_type, n), "rate", smoothing=sigma)
    sim = dl_simulator(net)
    J = np.concatenate([[0.5, 0.9, 0.99, 1.0], np.linspace(1.01, 4.0, n - 4)])[None, None, :]
    c = rng.normal(size=(1, 1, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})
    ones, zeros = np.ones(n), np.zeros(n)
    exact = neuron_type.rates(J[0], ones, zeros)
    tol = 1e-4 if isinstance(neuron_type, MIF2) else 1e-9  # MIF2: its rate table
    assert np.allclose(out[net.spikes][0], exact, rtol=tol, atol=tol)
    assert np.all(exact[0, :4] == 0)  # at and below the rheobase the forward stays silent

    def smoothed_rate(current):  # sigmoid(z) rate(J_th + sigma softplus(z)), J_th = 1
        z = (current - 1) / sigma
        return (neuron_type.rates(1 + sigma * np.logaddexp(0, z), ones, zeros)
                / (1 + np.exp(-z)))

    h = 1e-7
    numeric = c[0, 0] * (smoothed_rate(J[0] + h) - smoothed_rate(J[0] - h))[0] / (2 * h)
    rtol = 1e-2 if isinstance(neuron_type, MIF2) else 1e-4
    assert np.allclose(grads[net.inp][0, 0], numeric, rtol=rtol, atol=1e-3)
    # below the rheobase the slope is no longer zero: silent neurons learn
    assert np.all(np.abs(grads[net.inp][0, 0, :4]) > 0)


def test_non_finite_current_gives_nan_spikes_and_holds_the_state(dl_simulator):
    """NengoDL cannot raise nengo.Simulator's error inside the graph: a step with a
    non-finite current gives NaN spikes and keeps the state (``backends/dl/xla.py``)."""
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(np.zeros(1))
        ens = nengo.Ensemble(20, 1, neuron_type=MIF2())
        nengo.Connection(stim, ens, synapse=None)
        spikes = nengo.Probe(ens.neurons)
        state = [nengo.Probe(ens.neurons, name) for name in MIF2().state]
    bad = 9
    x = np.full((1, 20, 1), 0.5)
    x[0, bad] = np.nan
    sim = dl_simulator(net)
    sim.run_steps(20, data={stim: x})
    assert np.isnan(sim.data[spikes][bad]).all()
    assert np.isfinite(sim.data[spikes][np.arange(20) != bad]).all()
    assert np.count_nonzero(sim.data[spikes][bad + 1:]) > 0
    for probe in state:
        np.testing.assert_array_equal(sim.data[probe][bad], sim.data[probe][bad - 1])
