"""DiscreteLIF and KLIF as Nengo neuron types, checked in the simulator under test."""

import pickle

import nengo
import numpy as np
import pytest
from nengo.exceptions import SimulationError, ValidationError

from nengo_snnext import KLIF, DiscreteLIF
from nengo_snnext.equations.lif import LIFState
from nengo_snnext.tests.nef import decoded_rmse
from nengo_snnext.tests.simulators import skip_unless_reference

CORNERS = [
    DiscreteLIF(),
    DiscreteLIF(input_scaling="none"),
    DiscreteLIF(tau=0.005, threshold=2.0, reset=-0.5),
    KLIF(),
    KLIF(k=0.5),
    KLIF(k=1.5, activation="celu"),
    KLIF(k=2.0),
    KLIF(k=3.0, activation="leaky_relu"),
    KLIF(k=5.0),
    KLIF(k=1.7, scale_reset=True),
    KLIF(k=0.6, scale_reset=True, input_scaling="none"),
]


def simulated_rates(Simulator, neuron_type, J, dt, sim_time=0.6):
    """Steady-state rate from the mean inter-spike interval (exact for periodic firing)."""
    n = len(J)
    with nengo.Network(seed=0) as net:
        ens = nengo.Ensemble(
            n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=J,
            encoders=np.ones((n, 1)),
        )
        probe = nengo.Probe(ens.neurons)
    with Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run(sim_time)
    spiked = sim.data[probe] > 0
    rates = np.zeros(n)
    for i in range(n):
        times = np.flatnonzero(spiked[:, i])
        if len(times) >= 3:
            # skip the first interval: it starts from the random initial voltage
            rates[i] = (len(times) - 2) / ((times[-1] - times[1]) * dt)
    return rates


@pytest.mark.parametrize("neuron_type", CORNERS, ids=str)
@pytest.mark.parametrize("dt", [0.001, 0.0005])
def test_rates_equal_simulation(Simulator, neuron_type, dt, rng):
    neuron_type = neuron_type.replace(dt=dt)
    J = rng.uniform(-1, 4, size=300)
    expected = neuron_type.rates(J[None], np.ones(300), np.zeros(300))[0]
    # ISI rates need 3 spikes in the window; slower neurons are checked as silent-or-slow
    measured = simulated_rates(Simulator, neuron_type, J, dt)
    fast = expected > 3 / 0.5
    assert np.allclose(measured[fast], expected[fast], rtol=1e-9), neuron_type
    assert np.all(measured[expected == 0] == 0)


@pytest.mark.parametrize("neuron_type", CORNERS, ids=str)
def test_gain_bias_round_trip(neuron_type, rng):
    max_rates = rng.uniform(200, 400, size=100)
    intercepts = rng.uniform(-0.9, 0.9, size=100)
    gain, bias = neuron_type.gain_bias(max_rates, intercepts)
    rates_out, intercepts_out = neuron_type.max_rates_intercepts(gain, bias)
    assert np.allclose(intercepts_out, intercepts)
    # achieved rates are the achievable 1/(n dt) nearest to the request
    achievable = 1 / (np.arange(1, 20) * neuron_type.dt)
    nearest = achievable[np.argmin(np.abs(achievable[None] - max_rates[:, None]), axis=1)]
    assert np.allclose(rates_out, nearest)
    # just below the intercept the neuron is silent, just above it fires
    x = np.array([-1e-6, 1e-6])[:, None] + intercepts[None]
    r = neuron_type.rates(x, gain, bias)
    assert np.all(r[0] == 0) and np.all(r[1] > 0)


def test_impossible_max_rates_raise(Simulator):
    with pytest.raises(ValidationError, match="at most once per step"):
        KLIF().gain_bias(np.array([1200.0]), np.array([0.0]))
    with nengo.Network() as net:
        nengo.Ensemble(10, 1, neuron_type=DiscreteLIF(), max_rates=nengo.dists.Uniform(900, 1100))
    with pytest.raises(ValidationError, match="at most once per step"):
        Simulator(net, progress_bar=False)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: DiscreteLIF(tau=0), "tau"),
        (lambda: DiscreteLIF(tau=-0.002), "tau"),
        (lambda: DiscreteLIF(reset=1.0, threshold=1.0), "reset"),
        (lambda: DiscreteLIF(input_scaling="euler"), "input_scaling"),
        (lambda: DiscreteLIF(amplitude=0), "amplitude"),
        (lambda: KLIF(k=0), "k"),
        (lambda: KLIF(k=-1), "k"),
        (lambda: KLIF(activation="gelu"), "activation"),
        (lambda: KLIF(threshold=0), "threshold"),
        (lambda: KLIF(celu_alpha=0), "celu_alpha"),
        (lambda: KLIF(negative_slope=2), "negative_slope"),
        (lambda: KLIF(initial_state={"current": 0}), "initial_state"),
    ],
)
def test_parameter_validation(make, match):
    with pytest.raises(ValidationError, match=match):
        make()


def test_dt_above_tau_raises_at_build(Simulator):
    with nengo.Network() as net:
        nengo.Ensemble(5, 1, neuron_type=DiscreteLIF(tau=0.002, dt=0.004))
    with pytest.raises(ValidationError, match="exceeds tau"):
        Simulator(net, dt=0.004, progress_bar=False)


def test_dt_mismatch_warns(Simulator):
    with nengo.Network() as net:
        nengo.Ensemble(5, 1, neuron_type=KLIF())
    with pytest.warns(UserWarning, match="dt=0.0005"):
        Simulator(net, dt=0.0005, progress_bar=False).close()


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_nonfinite_current_raises(Simulator):
    skip_unless_reference(Simulator, "the non-finite J check is the numpy step's; a compiled "
                          "backend (NengoDL's TensorFlow graph) has no per-step Python check")
    with nengo.Network() as net:
        ens = nengo.Ensemble(3, 1, neuron_type=KLIF())
        # 1e300 * 1e300 overflows to inf inside the simulation (nengo rejects NaN node output)
        nengo.Connection(nengo.Node(1e300), ens.neurons[1], transform=1e300, synapse=None)
    with Simulator(net, progress_bar=False) as sim:
        with pytest.raises(SimulationError, match=r"non-finite input current J for neurons \[1\]"):
            sim.step()


@pytest.mark.parametrize("neuron_type", CORNERS, ids=str)
def test_pickle_and_equality(neuron_type):
    clone = pickle.loads(pickle.dumps(neuron_type))
    assert clone == neuron_type
    assert hash(clone) == hash(neuron_type)
    assert str(clone) == str(neuron_type)


@pytest.mark.parametrize("neuron_type", [DiscreteLIF(), KLIF(k=2.5)], ids=str)
def test_state_fields_and_probes(Simulator, neuron_type):
    assert tuple(LIFState._fields) == tuple(neuron_type.state)
    with nengo.Network(seed=1) as net:
        ens = nengo.Ensemble(
            4, 1, neuron_type=neuron_type.replace(initial_state={"voltage": np.full(4, 0.25)}),
            gain=np.ones(4), bias=np.array([0.0, 0.5, 1.0, 1.5]),
        )
        v = nengo.Probe(ens.neurons, "voltage")
    with Simulator(net, progress_bar=False) as sim:
        sim.run_steps(3)
    # first step from V0 = 0.25 (eq. 2.2 with lambda = 0.5, g = 0.5)
    H1 = 0.5 * 0.25 + 0.5 * np.array([0.0, 0.5, 1.0, 1.5])
    if isinstance(neuron_type, KLIF):
        H1 = neuron_type.k * H1
        H1 = np.where(H1 > 1, 0, H1)
    assert np.allclose(sim.data[v][0], H1)


def test_voltage_trace_tau_form(Simulator, allclose):
    # eq. 2.2 with tau = 2 steps and constant X = 1.5: H_n = 1.5 (1 - 0.5^n) until > 1
    with nengo.Network() as net:
        ens = nengo.Ensemble(1, 1, neuron_type=DiscreteLIF(initial_state={"voltage": np.zeros(1)}),
                             gain=[1.0], bias=[1.5])
        v = nengo.Probe(ens.neurons, "voltage")
        s = nengo.Probe(ens.neurons)
    with Simulator(net, progress_bar=False) as sim:
        sim.run_steps(6)
    # n = 1: 0.75, n = 2: 1.125 > 1 -> spike and reset; period 2
    assert allclose(sim.data[v][:, 0], [0.75, 0.0, 0.75, 0.0, 0.75, 0.0])
    assert allclose(sim.data[s][:, 0], [0, 1000, 0, 1000, 0, 1000])


@pytest.mark.parametrize(
    "neuron_type",
    [DiscreteLIF(), DiscreteLIF(input_scaling="none"), KLIF(), KLIF(k=3.0),
     KLIF(k=1.5, scale_reset=True)],
    ids=str,
)
def test_nef_represents_constant_and_sine(Simulator, neuron_type, plt):
    rmse = decoded_rmse(
        Simulator, neuron_type, lambda t: [0.5, np.sin(2 * np.pi * t)], dimensions=2,
        n_neurons=400, sim_time=2.0, seed=3, plt=plt,
    )
    assert np.all(rmse < 0.06), rmse


@pytest.mark.parametrize("neuron_type", [KLIF(amplitude=0.01), DiscreteLIF(amplitude=0.01)], ids=str)
def test_max_rates_do_not_include_amplitude(neuron_type):
    # as nengo.LIF: max_rates are spike rates; rates() includes amplitude
    gain, bias = neuron_type.gain_bias(np.array([250.0]), np.array([0.0]))
    reference = nengo.LIF(amplitude=0.01)
    assert np.allclose(neuron_type.max_rates_intercepts(gain, bias)[0], 250.0)
    assert np.allclose(neuron_type.rates(np.ones(1), gain, bias), 2.5)
    g, b = reference.gain_bias(np.array([250.0]), np.array([0.0]))
    assert np.allclose(reference.rates(np.ones(1), g, b), 2.5)
