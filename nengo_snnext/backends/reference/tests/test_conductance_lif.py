"""The in-place numpy step of ConductanceLIF equals the shared equation, bit for bit."""

import nengo
import numpy as np
import pytest

from nengo_snnext import ConductanceLIF
from nengo_snnext.equations.conductance_lif import ConductanceLIFState
from nengo_snnext.ops import NUMPY_OPS


def random_state(params, n, rng, dtype):
    """States around the threshold: refractory, about to fire, inhibited, excited."""
    values = (
        rng.uniform(params["e_inh"], params["v_threshold"] + 0.01, n),
        rng.exponential(0.5, n) * (rng.uniform(size=n) < 0.7),
        rng.exponential(2.0, n) * (rng.uniform(size=n) < 0.5),
        rng.uniform(0, 0.03, n),
        rng.uniform(0, params["tau_ref"], n) * (rng.uniform(size=n) < 0.3),
    )
    return ConductanceLIFState(*(np.asarray(x, dtype=dtype) for x in values))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("method", ["euler", "exponential"])
@pytest.mark.parametrize("name", ["diehl_cook_excitatory", "jiang_inhibitory"])
def test_step_equals_equation(name, method, dtype, rng):
    dt, n = 0.0005, 500
    neuron_type = ConductanceLIF.from_parameter_set(name, method=method, dt=dt)
    params = neuron_type.equation_params(dt)
    state = random_state(params, n, rng, dtype)
    fast = {name: np.array(x) for name, x in zip(ConductanceLIF.state, state)}
    output = np.zeros(n, dtype=dtype)
    n_spikes = 0
    for _ in range(30):
        J = np.asarray(rng.normal(1000, 2000, n) * (rng.uniform(size=n) < 0.5), dtype=dtype)
        spikes, state = neuron_type.equation(NUMPY_OPS, dt, J, state, **params)
        neuron_type.step(dt, J, output, **fast)
        assert np.array_equal(output, spikes * (neuron_type.amplitude / dt))
        for field, value in zip(state._fields, state):
            assert fast[field].dtype == value.dtype
            assert np.array_equal(fast[field], value), field
        n_spikes += int(spikes.sum())
    assert n_spikes > 50  # the test saw resets, theta increments and refractory starts


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_step_in_simulator_reports_nonfinite_input():
    with nengo.Network() as net:
        ens = nengo.Ensemble(3, 1, neuron_type=ConductanceLIF(), gain=np.ones(3),
                             bias=[0.0, np.inf, 0.0])
        nengo.Probe(ens.neurons)
    with nengo.Simulator(net, progress_bar=False) as sim:
        with pytest.raises(nengo.exceptions.SimulationError, match="non-finite input"):
            sim.step()
