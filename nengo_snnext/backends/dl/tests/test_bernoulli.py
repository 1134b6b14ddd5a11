"""BernoulliSpiking in NengoDL: the shared equation with counter-based uniform samples."""

import nengo
import numpy as np
import pytest

nengo_dl = pytest.importorskip("nengo_dl")

from nengo_snnext.backends.dl import EquationBuilder, builder_for  # noqa: E402
from nengo_snnext.neurons.bernoulli import BernoulliSpiking  # noqa: E402


def test_rates_in_nengo_dl():
    assert builder_for(BernoulliSpiking) is EquationBuilder
    rates = np.array([0.0, 50.0, 400.0, 3000.0])
    n, dt, steps = 50, 0.001, 500
    with nengo.Network(seed=4) as net:
        ens = nengo.Ensemble(len(rates) * n, 1, neuron_type=BernoulliSpiking(),
                             gain=np.ones(len(rates) * n), bias=np.repeat(rates, n))
        probe = nengo.Probe(ens.neurons)
    with nengo_dl.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run_steps(steps)
    spikes = sim.data[probe] * dt
    assert np.allclose(np.unique(spikes), [0.0, 1.0])
    p = np.minimum(rates * dt, 1.0)
    measured = spikes.reshape(steps, len(rates), n).mean(axis=(0, 2))
    assert np.all(np.abs(measured - p) <= 4 * np.sqrt(p * (1 - p) / (n * steps)) + 1e-12)
