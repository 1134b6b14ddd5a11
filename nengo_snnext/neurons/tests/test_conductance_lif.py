"""ConductanceLIF as a Nengo neuron type.

The rate and theta tests take the ``Simulator`` fixture (they also run under NengoDL in
CI's second pass); the closed-form state tests use ``nengo.Simulator``.
"""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_snnext import ConductanceLIF
from nengo_snnext.equations.conductance_lif import ConductanceLIFState, refractory_steps
from nengo_snnext.neurons.conductance_lif import PARAMETER_SETS


def run(Simulator, neuron_type, J, dt, T, initial_state=None, probes=("voltage",)):
    n = len(J)
    if initial_state is not None:
        neuron_type = neuron_type.replace(initial_state=initial_state)
    with nengo.Network(seed=0) as net:
        ens = nengo.Ensemble(
            n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=J, encoders=np.ones((n, 1))
        )
        p_spikes = nengo.Probe(ens.neurons)
        p_state = {name: nengo.Probe(ens.neurons, name) for name in probes}
    with Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run_steps(int(round(T / dt)))
    spikes = sim.data[p_spikes] * dt / neuron_type.amplitude
    return spikes, {name: sim.data[p] for name, p in p_state.items()}


def test_state_order():
    assert tuple(ConductanceLIFState._fields) == tuple(ConductanceLIF.state)


@pytest.mark.parametrize("method", ["euler", "exponential"])
@pytest.mark.parametrize("dt", [0.0005, 0.0001])
def test_rates_equal_settled_period(Simulator, method, dt, rng):
    # the settled inter-spike interval in steps is 1 / (rate dt), exactly
    nt = ConductanceLIF(method=method, dt=dt, theta_plus=0.0)
    J = np.concatenate([[0.0, -100.0, 0.9 * nt.threshold_current()], rng.uniform(300, 4000, 12)])
    spikes, _ = run(Simulator, nt, J, dt, 0.6)
    rates = nt.rates(J[None], np.ones(len(J)), np.zeros(len(J)))[0]
    for j, (train, rate) in enumerate(zip(spikes.T, rates)):
        times = np.flatnonzero(train)
        if rate == 0:
            assert times.size == 0, (J[j], times)
            continue
        settled = np.diff(times[times > int(0.1 / dt)])
        assert np.all(settled == int(round(1 / (rate * dt)))), (J[j], settled, 1 / (rate * dt))


@pytest.mark.parametrize("method", ["euler", "exponential"])
def test_voltage_closed_form_at_constant_conductance(method):
    # g_e held constant (its decay refilled by J each step): v_n = v_inf + (v_0 - v_inf) a^n
    dt, g = 0.0005, 0.1
    nt = ConductanceLIF(method=method, dt=dt, v_threshold=-0.02, theta_plus=0.0)
    decay = 1 - dt / nt.tau_exc if method == "euler" else np.exp(-dt / nt.tau_exc)
    J = np.array([g * (1 - decay) / dt])
    _, state = run(
        nengo.Simulator, nt, J, dt, 0.05, initial_state={"conductance_exc": nengo.dists.Choice([g])},
        probes=("voltage", "conductance_exc"),
    )
    n = np.arange(1, state["voltage"].shape[0] + 1)
    v_inf = (nt.v_rest + g * nt.e_exc) / (1 + g)
    a = 1 - dt * (1 + g) / nt.tau if method == "euler" else np.exp(-dt * (1 + g) / nt.tau)
    expected = v_inf + (nt.v_rest - v_inf) * a**n
    assert np.allclose(state["conductance_exc"][:, 0], g, rtol=1e-12)
    assert np.allclose(state["voltage"][:, 0], expected, rtol=0, atol=1e-12)


def test_inhibition_pulls_toward_reversal():
    dt = 0.0005
    nt = ConductanceLIF(dt=dt)
    J = np.array([-2000.0])  # g_i settles at J tau_inh = 2: v_inf = (v_rest + 2 e_inh) / 3
    spikes, state = run(nengo.Simulator, nt, J, dt, 1.0, probes=("voltage", "conductance_inh"))
    assert spikes.sum() == 0
    assert np.isclose(state["conductance_inh"][-1, 0], 2.0)
    assert np.isclose(state["voltage"][-1, 0], (nt.v_rest + 2 * nt.e_inh) / 3, atol=1e-9)


def test_theta_closed_form(Simulator):
    # theta_n = theta_0 d^n + theta_plus sum_{spikes s <= n} d^(n - s), d = 1 - dt/tau_theta
    dt, tau_theta, theta0, plus = 0.0005, 0.05, 0.004, 0.002
    nt = ConductanceLIF(dt=dt, tau_theta=tau_theta, theta_plus=plus)
    J = np.array([0.0, 3000.0])
    spikes, state = run(
        Simulator, nt, J, dt, 0.3, initial_state={"adaptation": nengo.dists.Choice([theta0])},
        probes=("adaptation",),
    )
    d = 1 - dt / tau_theta
    steps = np.arange(1, spikes.shape[0] + 1)
    for i in range(2):
        spike_steps = np.flatnonzero(spikes[:, i]) + 1
        expected = theta0 * d**steps + np.array(
            [plus * np.sum(d ** (n - spike_steps[spike_steps <= n])) for n in steps]
        )
        assert np.allclose(state["adaptation"][:, i], expected, rtol=1e-9, atol=1e-15)
    assert spikes[:, 0].sum() == 0 and spikes[:, 1].sum() > 10
    # adaptation slows the driven neuron: later intervals are longer than the first
    isi = np.diff(np.flatnonzero(spikes[:, 1]))
    assert isi[-1] > isi[0]


def test_refractory_clamp_matches_brian2_count():
    # Brian2 holds v for round(tau_ref / dt) - 1 steps after the spike step
    dt = 0.0005
    nt = ConductanceLIF(dt=dt, theta_plus=0.0)
    spikes, state = run(nengo.Simulator, nt, np.array([5000.0]), dt, 0.05)
    first = np.flatnonzero(spikes[:, 0])[0]
    v = state["voltage"][:, 0]
    held = refractory_steps(dt, nt.tau_ref)
    assert held == 9
    assert np.all(v[first : first + held + 1] == nt.v_reset)
    assert v[first + held + 1] > nt.v_reset


def test_parameter_sets():
    exc = ConductanceLIF.from_parameter_set("diehl_cook_excitatory")
    assert exc.threshold_offset == 0.02 and exc.tau_inh == 0.002 and exc.dt == 0.0005
    state = exc.make_state(3, rng=np.random.RandomState(0))
    assert np.all(state["adaptation"] == 0.02)  # 20 mV: effective threshold -52 mV
    assert np.all(state["voltage"] == exc.v_rest)
    inh = ConductanceLIF.from_parameter_set("jiang_inhibitory", dt=0.0001)
    assert inh.tau == 0.01 and inh.v_reset == -0.045 and inh.theta_plus == 0
    for name in PARAMETER_SETS:
        ConductanceLIF.from_parameter_set(name)
    with pytest.raises(ValidationError, match="unknown parameter set"):
        ConductanceLIF.from_parameter_set("nope")


def test_validation():
    with pytest.raises(ValidationError, match="e_inh"):
        ConductanceLIF(e_inh=-0.04, v_rest=-0.03)
    with pytest.raises(ValidationError, match="e_exc"):
        ConductanceLIF(e_exc=-0.06)
    with pytest.raises(ValidationError, match="e_inh"):
        ConductanceLIF(e_inh=-0.05)
    with pytest.raises(ValidationError, match="tau_exc"):
        ConductanceLIF(tau_exc=0)
    with pytest.raises(ValidationError, match="method"):
        ConductanceLIF(method="rk4")
    with pytest.raises(ValidationError, match="forward Euler"):
        ConductanceLIF().check_dt(0.002)
    ConductanceLIF(method="exponential").check_dt(0.002)


def test_gain_bias_round_trip():
    nt = ConductanceLIF(dt=0.0005)
    max_rates = np.array([20.0, 50.0, 120.0])
    intercepts = np.array([-0.5, 0.0, 0.5])
    gain, bias = nt.gain_bias(max_rates, intercepts)
    rates = nt.rates(1.0, gain, bias)
    # staircase: the first achievable rate at or above the request, within one step of period
    periods = 1 / (rates * nt.dt)
    assert np.all(rates >= max_rates) and np.all(periods >= np.floor(1 / (max_rates * nt.dt)))
    assert np.allclose(nt.max_rates_intercepts(gain, bias)[1], intercepts)
    assert np.all(np.diag(nt.rates(intercepts - 1e-6, gain, bias)) == 0)
    with pytest.raises(ValidationError, match="max_rates"):
        nt.gain_bias(np.array([nt.max_rate(nt.dt) * 1.01]), np.array([0.0]))
