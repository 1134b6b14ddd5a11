"""BernoulliSpiking: Brian2's PoissonGroup process (spike with probability rate * dt)."""

import nengo
import numpy as np
import pytest

from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.neurons.bernoulli import BernoulliSpiking


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_step_equals_generic_step(dtype, rng):
    neuron_type, dt, n = BernoulliSpiking(amplitude=0.5), 0.0005, 1000
    J = np.asarray(rng.uniform(-50, 2500, n), dtype=dtype)  # some p < 0, some p > 1
    fast, generic = np.zeros(n, dtype=dtype), np.zeros(n, dtype=dtype)
    for _ in range(5):
        seed = rng.randint(2**31)
        neuron_type.step(dt, J, fast, rng=np.random.RandomState(seed))
        SpikingNeuronType.step(neuron_type, dt, J, generic, rng=np.random.RandomState(seed))
        assert np.array_equal(fast, generic)
        assert set(np.unique(fast)) <= {0.0, 0.5 / dt}


def test_rates_in_simulator(Simulator):
    # CI's second pass runs this under NengoDL (counter-based uniform samples)
    rates = np.array([0.0, 20.0, 100.0, 400.0, 3000.0])  # 3000 Hz > 1 / dt: every step
    n, dt, steps = 40, 0.001, 2000
    with nengo.Network(seed=2) as net:
        ens = nengo.Ensemble(len(rates) * n, 1, neuron_type=BernoulliSpiking(),
                             gain=np.ones(len(rates) * n), bias=np.repeat(rates, n))
        probe = nengo.Probe(ens.neurons)
    with Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run_steps(steps)
    spikes = np.round(sim.data[probe] * dt)
    assert np.allclose(sim.data[probe] * dt, spikes, atol=1e-6)
    assert set(np.unique(spikes)) <= {0.0, 1.0}  # at most one spike per step
    p = np.minimum(rates * dt, 1.0)
    measured = spikes.reshape(steps, len(rates), n).mean(axis=(0, 2))
    # binomial standard error of n * steps draws
    assert np.all(np.abs(measured - p) <= 4 * np.sqrt(p * (1 - p) / (n * steps)) + 1e-12)
    expected_rates = BernoulliSpiking(dt=dt).rates(np.zeros(5), np.ones(5), rates)
    assert np.allclose(expected_rates, [0.0, 20.0, 100.0, 400.0, 1000.0])
