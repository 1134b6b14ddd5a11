"""NoisyLIF in NengoDL: statistical equality, per-ensemble normalisation, rate training."""

import nengo
import numpy as np
import pytest

import nengo_dl
from nengo_snnext.backends.dl import EquationBuilder, builder_for
from nengo_snnext.backends.dl.tests.conftest import direct_input_network, run_with_gradients
from nengo_snnext.neurons.noisy_lif import NoisyLIF

LEVELS = np.array([0.05, 0.3, 0.5, 0.7, 0.95])


def level_network(neuron_types, per_level, seed=0):
    """One ensemble per type, ``per_level`` neurons at each input current of LEVELS."""
    n = len(LEVELS) * per_level
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(dtype="float64", stateful=False)
        net.spike_probes = []
        for neuron_type in neuron_types:
            ens = nengo.Ensemble(
                n, 1, neuron_type=neuron_type, gain=np.zeros(n),
                bias=np.repeat(LEVELS, per_level),
            )
            net.spike_probes.append(nengo.Probe(ens.neurons))
    return net


def test_registered():
    assert builder_for(NoisyLIF) is EquationBuilder


@pytest.mark.parametrize("noise", ["gaussian", "uniform"])
def test_statistics_match_reference(noise, dl_simulator):
    """Single step: P(spike) is the exact tuning curve in both simulators; temporal
    (coupled) neurons: the two simulators' rates agree."""
    types = [NoisyLIF(noise=noise, temporal=False), NoisyLIF(noise=noise, temporal=True)]
    per_level, minibatch, n_steps = 200, 4, 150
    net = level_network(types, per_level)
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run_steps(n_steps)
    out = dl_simulator(net, minibatch_size=minibatch).predict(n_steps=n_steps)

    def per_level_rate(spikes):  # (batch, steps, n) -> fraction of steps per level
        s = spikes > 0
        return s.reshape(s.shape[0], s.shape[1], len(LEVELS), per_level).mean(axis=(0, 1, 3))

    single, temporal = net.spike_probes
    exact = types[0].single_step_probability(np.repeat(LEVELS, per_level)[None])[0][::per_level]
    for spikes in (ref.data[single][None], out[single]):
        n_samples = spikes.shape[0] * n_steps * per_level
        se = np.sqrt(exact * (1 - exact) / n_samples)
        assert np.all(np.abs(per_level_rate(spikes) - exact) <= 5 * se + 2e-3)
    dl_rate, ref_rate = per_level_rate(out[temporal]), per_level_rate(ref.data[temporal][None])
    assert np.all(np.abs(dl_rate - ref_rate) <= 0.06 * ref_rate + 0.01), (dl_rate, ref_rate)


def test_normalisation_is_per_ensemble(dl_simulator):
    """A merged second ensemble does not change the first one's spikes (the max and
    mean/std reduce over one ensemble only) and noise depends on the ensemble seed."""
    alone = level_network([NoisyLIF()], 20)
    both = level_network([NoisyLIF(), NoisyLIF(beta=0.3)], 20)
    a = dl_simulator(alone, minibatch_size=2).predict(n_steps=30)[alone.spike_probes[0]]
    sim = dl_simulator(both, minibatch_size=2)
    groups = [
        b.built_neurons for b in sim.tensor_graph.op_builder.op_builds.values()
        if hasattr(b, "built_neurons")
    ]
    assert len(groups) == 1 and len(groups[0].ops) == 2  # really merged
    b = sim.predict(n_steps=30)[both.spike_probes[0]]
    assert np.array_equal(a, b)


@pytest.mark.parametrize("noise", ["gaussian", "uniform"])
def test_rate_training_is_single_step_curve(noise, dl_simulator, rng):
    neuron_type = NoisyLIF(noise=noise)
    n, dt = 40, 0.001
    net = direct_input_network(neuron_type, n)
    sim = dl_simulator(net)
    J = np.linspace(-0.3, 1.3, n)[None, None]
    J[0, 0, 5] = 1.0 - 0.5 - 0.5  # exactly at the lower edge: an atom
    c = rng.normal(size=(1, 1, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})
    expected = neuron_type.single_step_probability(J[0])[0] / dt
    assert np.allclose(out[net.spikes][0, 0], expected, rtol=1e-9, atol=1e-9)
    inside = np.abs(2 * (1.0 - 0.5 - J[0, 0])) < 0.999  # r's continuous range
    h = 1e-7
    numeric = c[0, 0] * (
        neuron_type.single_step_probability(J[0] + h)[0]
        - neuron_type.single_step_probability(J[0] - h)[0]
    ) / (2 * h) / dt
    assert np.allclose(grads[net.inp][0, 0, inside], numeric[inside], rtol=1e-5, atol=1e-6)
    assert np.all(grads[net.inp][0, 0, inside] != 0)
    assert np.all(grads[net.inp][0, 0, ~inside] == 0)
