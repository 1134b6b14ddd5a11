"""MIF/MIF2 equations against closed forms and independent integrators (spec mif-model.md 2.5)."""

import numpy as np
import pytest

from nengo_snnext.equations.mif import (
    M2Parameters,
    MIFState,
    cycle_period,
    hybrid_step,
    is_short_step,
    mif_rate,
    mif_step,
    refractory_voltage,
)
from nengo_snnext.equations.mif2 import MIF2State, mif2_fixed_point, mif2_rate, mif2_step
from nengo_snnext.ops import NUMPY_OPS as xp

# defaults of nengo_snnext.MIF / MIF2, in SI units
R_ON, R_OFF, C = 100e3, 10e6, 0.2e-9
E_REST, V_TH, V_RESET, TAU_REF = 0.0, 0.110, 0.005, 0.001
E_RESET, R_ON2, R_OFF2, ETA, TAU_RELAX = -0.110, 1e6, 100e6, 0.02, 0.1
TAU = R_OFF * C  # 2.000 ms (thesis: 10 MOhm * 0.2 nF)
I_RH = (V_TH - E_REST) / R_OFF  # 11 nA: J = 1


def mif_params(memristive=True, V_reset=V_RESET, tau_ref=TAU_REF, R_on=R_ON):
    delta = V_TH - E_REST
    return dict(
        e_rest=E_REST, delta_v=delta, tau_off=TAU, tau_on=R_on * C,
        u_reset=(V_reset - E_REST) / delta, tau_ref=tau_ref, memristive=memristive,
    )


def m2_params(set_fraction=ETA, R_on2=R_ON2, R_off2=R_OFF2, tau_relax=TAU_RELAX):
    return dict(
        u_battery=(E_RESET - E_REST) / (V_TH - E_REST), rate_off2=1 / (R_off2 * C),
        rate_on2=1 / (R_on2 * C), set_fraction=set_fraction, tau_relax=tau_relax,
    )


def rate_params(params):
    return {k: v for k, v in params.items() if k not in ("e_rest", "delta_v")}


def run(step, state, J, dt, n_steps, **params):
    """Spike counts and states of ``n_steps`` steps with constant (or per-step) ``J``."""
    counts, states = [], []
    for n in range(n_steps):
        Jn = J[n] if np.ndim(J) == 2 else J
        count, state = step(xp, dt, Jn, state, **params)
        counts.append(count)
        states.append(state)
    return np.array(counts), states


def mif_state(V0):
    V0 = np.atleast_1d(np.asarray(V0, dtype=float))
    return MIFState(V0, np.zeros_like(V0), np.zeros_like(V0))


@pytest.mark.parametrize("dt", [0.0001, 0.001, 0.004])
@pytest.mark.parametrize("memristive", [False, True])
def test_eq_1_5_between_spikes(dt, memristive, allclose):
    # thesis eq. 1.5: V(t) = V_rest e^{-t/tau} + (E_rest + R_off I0)(1 - e^{-t/tau}),
    # for any dt (also dt = 2 tau) and sub-rheobase inputs; the memristor stays OFF
    V_rest = np.array([-0.03, 0.0, 0.05, 0.1])
    J = np.array([0.9, 0.5, -1.0, 0.99])
    n = int(round(0.02 / dt))
    _, states = run(mif_step, mif_state(V_rest), J, dt, n, **mif_params(memristive))
    t = dt * np.arange(1, n + 1)[:, None]
    V_inf = E_REST + R_OFF * J * I_RH
    expected = V_rest * np.exp(-t / TAU) + V_inf * (1 - np.exp(-t / TAU))
    assert allclose(np.array([s.voltage for s in states]), expected, rtol=1e-12, atol=1e-15)
    assert np.all(np.array([s.memristor for s in states]) == 0)


@pytest.mark.parametrize("memristive", [False, True])
def test_first_spike_time(memristive):
    # J = 1.5, V_rest = -20 mV: V_inf = 165 mV, t* = 2 ms ln(185/55) = 2.42605 ms (spec 2.5.2)
    t_star = TAU * np.log((0.165 + 0.02) / (0.165 - 0.11))
    assert abs(t_star - 2.42605e-3) < 1e-8
    for dt, step_index in [(0.001, 3), (0.0001, 25), (t_star / 4, 4)]:
        counts, states = run(
            mif_step, mif_state(-0.02), np.array([1.5]), dt, step_index + 2,
            **mif_params(memristive),
        )
        first = np.flatnonzero(counts[:, 0])[0] + 1
        # the step containing t*; with dt = t*/4 the spike lands exactly on the 4th step's end
        assert first == step_index, (dt, first)
        # before it, eq. 1.5 holds exactly
        t = dt * np.arange(1, first)
        before = [s.voltage[0] for s in states[: first - 1]]
        assert np.allclose(before, -0.02 * np.exp(-t / TAU) + 0.165 * (1 - np.exp(-t / TAU)),
                           rtol=1e-12, atol=1e-15)


def test_frozen_rate_closed_form_and_nengo_lif():
    import nengo

    J = np.linspace(0.5, 20, 400)
    # issue formula r = 1 / (tau_ref + tau ln((V_inf - V_reset)/(V_inf - V_th))), V in volts
    V_inf = E_REST + R_OFF * J * I_RH
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = 1 / (TAU_REF + TAU * np.log((V_inf - V_RESET) / (V_inf - V_TH)))
    expected = np.where(J > 1, expected, 0)
    rate = mif_rate(xp, J, **rate_params(mif_params(False)))
    assert np.allclose(rate, expected, rtol=1e-12, atol=0)
    # reset at E_rest: exactly nengo's LIFRate with tau_rc = R_off C (spec 1.2)
    rate0 = mif_rate(xp, J, **rate_params(mif_params(False, V_reset=E_REST, tau_ref=0.002)))
    lif = nengo.LIFRate(tau_rc=TAU, tau_ref=0.002).rates(J[:, None], np.ones(1), np.zeros(1))[:, 0]
    assert np.allclose(rate0, lif, rtol=1e-12, atol=1e-12)
    # spec 5.4: tau = 2 ms, t_ref = 2 ms, J = 2 -> 1 / (2 ms + 2 ms ln 2) = 295.3081 Hz
    assert np.isclose(mif_rate(xp, np.array(2.0), **rate_params(
        mif_params(False, V_reset=E_REST, tau_ref=0.002))), 295.3081, atol=1e-4)


def test_memristive_rate_closed_form():
    J = np.linspace(0.5, 6, 551)
    rho, u_r = R_ON / R_OFF, V_RESET / V_TH
    # J_lock = u_reset / rho = (5 mV / 110 mV) * 100 = 4.545
    J_lock = u_r / rho
    assert np.isclose(J_lock, 4.5454545)
    fires = (J > 1) & (J < J_lock)
    Jf = np.where(fires, J, 2.0)
    t_on = R_ON * C * np.log((1 - rho * Jf) / (u_r - rho * Jf))  # discharge 110 mV -> 5 mV
    t_charge = TAU * np.log((Jf - u_r) / (Jf - 1))
    expected = np.where(fires, 1 / (t_on + TAU_REF + t_charge), 0)
    rate = mif_rate(xp, J, **rate_params(mif_params(True)))
    assert np.allclose(rate, expected, rtol=1e-12, atol=0)
    frozen = mif_rate(xp, J, **rate_params(mif_params(False)))
    assert np.all(rate <= frozen)


def test_switching_events_follow_the_law():
    # start at the SET instant: V = V_th, x = 1; J = 2 -> ON target E_rest + R_on I = 2.2 mV
    J = np.array([2.0])
    target = E_REST + R_ON * J * I_RH
    t_on = R_ON * C * np.log((V_TH - target) / (V_RESET - target))  # 20 us ln(107.8/2.8)
    assert np.isclose(t_on[0], 7.3013e-5, rtol=1e-4)
    params = mif_params(True)
    state = MIFState(np.array([V_TH]), np.ones(1), np.zeros(1))
    # just before RESET: still ON, V on the R_on C discharge curve, above V_reset
    _, s1 = mif_step(xp, t_on[0] * (1 - 1e-9), J, state, **params)
    assert s1.memristor[0] == 1 and V_RESET < s1.voltage[0] < V_RESET + 1e-9
    half = t_on[0] / 2
    _, s_half = mif_step(xp, half, J, state, **params)
    on_curve = target[0] + (V_TH - target[0]) * np.exp(-half / (R_ON * C))
    assert np.isclose(s_half.voltage[0], on_curve, rtol=1e-12)
    # just after: OFF at exactly V_reset, refractory for the rest of tau_ref
    _, s2 = mif_step(xp, t_on[0] + 1e-7, J, state, **params)
    assert s2.memristor[0] == 0 and s2.voltage[0] == pytest.approx(V_RESET, abs=1e-15)
    assert s2.refractory_time[0] == pytest.approx(TAU_REF - 1e-7, abs=1e-15)
    # SET happens exactly when V reaches V_th: never above it, and only then
    dt = 1e-5
    counts, states = run(mif_step, mif_state(0.0), J, dt, 800, **params)
    V = np.array([s.voltage[0] for s in states])
    x = np.array([s.memristor[0] for s in states])
    assert V.max() <= V_TH and counts.sum() >= 3
    on_steps = np.flatnonzero(np.diff(np.concatenate([[0], x])) > 0)
    assert np.array_equal(on_steps, np.flatnonzero(counts[:, 0]))
    # while ON, V lies strictly between V_reset and V_th
    assert np.all((V[x == 1] > V_RESET) & (V[x == 1] < V_TH))


def test_depolarisation_block():
    # J >= J_lock: the ON target E_rest + R_on I exceeds V_reset, M1 never resets
    J = np.array([4.6, 8.0])
    counts, states = run(mif_step, mif_state([0.0, 0.0]), J, 0.001, 30, **mif_params(True))
    assert np.all(counts.sum(axis=0) == 1)
    assert np.all(states[-1].memristor == 1)
    assert np.allclose(states[-1].voltage, E_REST + R_ON * J * I_RH, rtol=1e-12)
    # a lower input releases it
    counts, states = run(mif_step, states[-1], np.array([2.0, 2.0]), 0.001, 20, **mif_params(True))
    assert np.all(counts.sum(axis=0) >= 5)


def euler_reference(J, dt, t_end, *, memristive):
    """Independent forward-Euler integration of C dV/dt = I - G(x)(V - E_rest) + switching law."""
    V, x, ref, spikes, t = E_REST, 0, 0.0, [], 0.0
    I = J * I_RH
    for n in range(int(round(t_end / dt))):
        t = (n + 1) * dt
        if ref > 0:
            ref -= dt
            continue
        G = 1 / R_ON if x else 1 / R_OFF
        V += dt * (I - G * (V - E_REST)) / C
        if not x and V >= V_TH:
            spikes.append(t)
            if memristive:
                x = 1
            else:
                V, ref = V_RESET, TAU_REF
        elif x and V <= V_RESET:
            x, ref = 0, TAU_REF
    return np.array(spikes)


@pytest.mark.parametrize("memristive", [False, True])
def test_fine_dt_reference_converges_to_exact_step(memristive, plt):
    J, t_end = 2.0, 0.012
    # exact spike times from V = E_rest: first t1 = tau ln(J / (J - 1)), then every period T
    T = cycle_period(xp, np.array(J), None, **rate_params(mif_params(memristive)))[0]
    t1 = TAU * np.log(J / (J - 1))
    exact = t1 + T * np.arange(10)
    exact = exact[exact < t_end]
    steps = [1e-5, 1e-6, 1e-7]
    errors = []
    for dt_ref in steps:
        ref = euler_reference(J, dt_ref, t_end, memristive=memristive)
        assert len(ref) == len(exact)
        errors.append(np.max(np.abs(ref - exact)))
    plt.loglog(steps, errors, "o-")
    plt.xlabel("Euler reference dt (s)")
    plt.ylabel("max spike-time error (s)")
    # Euler with threshold detection and a step-counted refractory period: each cycle
    # can shift by about one dt, so the error is at most ~dt per spike; it converges
    assert all(e < (len(exact) + 1) * h for e, h in zip(errors, steps)), errors
    assert errors[2] < errors[0] / 5, errors
    # the exact step at dt = 1 ms puts every spike in the step that contains it
    counts, _ = run(
        mif_step, mif_state(E_REST), np.array([J]), 0.001, 12, **mif_params(memristive)
    )
    assert np.array_equal(counts[:, 0], np.histogram(exact, bins=np.arange(13) * 0.001)[0])


@pytest.mark.parametrize("memristive", [False, True])
def test_trace_independent_of_dt_for_constant_input(memristive):
    # exact integration: sampled at common times, dt = 1 ms, 0.1 ms, 20 us give one trace
    J = np.array([0.8, 1.3, 2.5, 4.0])
    traces = {}
    for dt, stride in [(0.001, 1), (0.0001, 10), (0.00002, 50)]:
        counts, states = run(mif_step, mif_state(np.zeros(4) + 0.02), J, dt, 20 * stride,
                             **mif_params(memristive))
        V = np.array([s.voltage for s in states])[stride - 1 :: stride]
        n = counts.reshape(20, stride, 4).sum(axis=1)
        traces[dt] = V, n
    for dt in (0.0001, 0.00002):
        assert np.allclose(traces[dt][0], traces[0.001][0], rtol=0, atol=1e-12)
        assert np.array_equal(traces[dt][1], traces[0.001][1])


def test_subthreshold_trace_converges_with_dt_for_sine_input(plt):
    # J(t) = a + b sin(w t) below rheobase: the only dt error is the piecewise-constant
    # (end-of-step) sampling of J, first order in dt. Reference: the exact solution of
    # tau du/dt = J(t) - u, u(0) = 0, in units of V_th - E_rest.
    a, b, w = 0.5, 0.4, 2 * np.pi * 40

    def exact(t):
        wt = w * TAU
        c = b / (1 + wt**2)
        return a + c * (np.sin(w * t) - wt * np.cos(w * t)) + (c * wt - a) * np.exp(-t / TAU)

    errors = []
    steps = [1e-3, 5e-4, 2.5e-4, 1.25e-4]
    for dt in steps:
        n = int(round(0.05 / dt))
        t = dt * np.arange(1, n + 1)
        J = (a + b * np.sin(w * t))[:, None]
        _, states = run(mif_step, mif_state(E_REST), J, dt, n, **mif_params(True))
        V = np.array([s.voltage[0] for s in states])
        errors.append(np.max(np.abs(V - (E_REST + (V_TH - E_REST) * exact(t)))))
    plt.loglog(steps, errors, "o-")
    assert errors[0] < 0.006  # volts: 4.5 mV at dt = 1 ms = tau / 2 (the swing is 2 * 40 mV)
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 1.7) & (ratios < 2.3)), ratios


def test_spiking_trace_converges_with_dt_for_sine_input(plt):
    # with spikes and memristor switching: spike times converge as dt shrinks (a spike is
    # placed at the end of its step, so each time is known to within dt)
    def spike_times(dt):
        n = int(round(0.03 / dt))
        t = dt * np.arange(1, n + 1)
        J = (2.0 + 1.5 * np.sin(2 * np.pi * 50 * t))[:, None]
        counts, _ = run(mif_step, mif_state(E_REST), J, dt, n, **mif_params(True))
        return np.repeat(t, counts[:, 0].astype(int))

    reference = spike_times(1e-3 / 64)
    steps = [1e-3, 2.5e-4, 6.25e-5]
    errors = []
    for dt in steps:
        times = spike_times(dt)
        assert len(times) == len(reference)
        errors.append(np.max(np.abs(times - reference)))
    plt.loglog(steps, errors, "o-")
    # within dt (plus the reference's own 1/64 ms and the input sampling), shrinking with dt
    assert all(e <= 1.5 * h for e, h in zip(errors, steps)), errors
    assert errors[0] > 2 * errors[1] > 4 * errors[2], errors


# --- MIF2 -------------------------------------------------------------------------


def mif2_state(V0, x2=0.0):
    V0 = np.atleast_1d(np.asarray(V0, dtype=float))
    return MIF2State(V0, np.zeros_like(V0), np.zeros_like(V0) + x2, np.zeros_like(V0))


def test_refractory_exposure_matches_ode(allclose):
    # C dV/dt = -G2(t) (V - E_reset), x2(t) = x0 e^{-t/tau_relax}: fine RK4 reference
    m2 = M2Parameters(**m2_params(tau_relax=0.0005))
    u_b = m2.u_battery
    for x0 in [0.0, 0.3, 1.0]:
        u, h = V_RESET / V_TH, 1e-7
        for n in range(int(TAU_REF / h)):
            def f(t, u):
                x2 = x0 * np.exp(-t / m2.tau_relax)
                return -(m2.rate_off2 + (m2.rate_on2 - m2.rate_off2) * x2) * (u - u_b)
            t = n * h
            k1 = f(t, u)
            k2 = f(t + h / 2, u + h / 2 * k1)
            k3 = f(t + h / 2, u + h / 2 * k2)
            k4 = f(t + h, u + h * k3)
            u += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        exact = refractory_voltage(xp, V_RESET / V_TH, x0, TAU_REF, m2)
        assert allclose(exact, u, rtol=1e-9, atol=1e-12)


def test_mif2_reduces_to_mif(rng):
    # eta = 0 and a vanishing M2 conductance: bit-identical to MIF
    J = rng.uniform(0.5, 4.4, size=(400, 20))
    V0 = rng.uniform(0, V_TH, size=20)
    for memristive in (False, True):
        p = mif_params(memristive)
        c1, s1 = run(mif_step, mif_state(V0), J, 0.001, 400, **p)
        c2, s2 = run(mif2_step, mif2_state(V0), J, 0.001, 400, **p,
                     **m2_params(set_fraction=0.0, R_on2=1e29, R_off2=1e30))
        assert np.array_equal(c1, c2)
        assert np.array_equal([s.voltage for s in s1], [s.voltage for s in s2])
        assert np.array_equal([s.refractory_time for s in s1], [s.refractory_time for s in s2])


def test_mif2_adaptation_and_fixed_point():
    J = np.array([1.2, 2.0, 3.0])
    dt = 5e-5
    p, m2 = mif_params(True), m2_params()
    counts, states = run(mif2_step, mif2_state(np.zeros(3)), J, dt, 1200, **p, **m2)
    for i in range(3):
        isi = np.diff(np.flatnonzero(counts[:, i])) * dt
        # inter-spike intervals grow (to the step resolution) and end well above the first
        assert np.all(np.diff(isi) >= -dt - 1e-12), isi
        assert isi[-1] > 1.08 * isi[0], isi
    # the fixed point of the spike-to-spike map predicts the adapted orbit: run on to
    # t = 0.9 s (over ten adaptation time constants), then resolve single spikes
    T, fires, x_star = mif2_fixed_point(xp, J, **rate_params(p), **m2)
    _, later = run(mif2_step, states[-1], J, 0.001, 840, **p, **m2)
    counts, states = run(mif2_step, later[-1], J, 1e-5, 600, **p, **m2)
    for i in range(3):
        k = np.flatnonzero(counts[:, i])
        # x2 just after each spike (decayed by < 1e-5 s / tau_relax = 1e-4 within its step)
        x_after = np.array([states[j].memristor2[i] for j in k])
        assert np.allclose(x_after, x_star[i], rtol=2e-4), (x_after, x_star[i])
        assert np.allclose(np.diff(k) * 1e-5, T[i], atol=1.01e-5)


def test_mif2_rate_never_above_mif():
    J = np.linspace(0.5, 5, 451)
    for memristive in (False, True):
        p = rate_params(mif_params(memristive))
        r1 = mif_rate(xp, J, **p)
        for m2 in (m2_params(), m2_params(set_fraction=0.3), m2_params(R_on2=1e5)):
            r2 = mif2_rate(xp, J, **p, **m2)
            assert np.all(r2 <= r1)
            assert np.array_equal(r2 > 0, r1 > 0)  # same rheobase and lock
    # adaptation is substantial with the defaults (adapted vs unadapted)
    p = rate_params(mif_params(True))
    J2 = np.array(2.0)
    assert mif2_rate(xp, J2, **p, **m2_params()) < 0.8 * mif_rate(xp, J2, **p)


def test_fast_forward_many_spikes_per_step():
    # dt = 20 ms with tau_ref = 0: many whole cycles per step, exact for MIF (periodic)
    p = mif_params(False, tau_ref=0.0)
    J = np.array([1.5, 3.0, 10.0])
    counts, _ = run(mif_step, mif_state(np.full(3, V_RESET)), J, 0.02, 50, **p)
    rate = mif_rate(xp, J, **rate_params(p))
    assert np.allclose(counts.sum(axis=0) / 1.0, rate, atol=1.0)
    # MIF2 at dt > tau_ref: whole cycles use the first cycle's period; the rate stays close
    p2 = mif_params(True)
    counts, _ = run(mif2_step, mif2_state(np.zeros(3)), np.array([1.5, 2.5, 4.0]), 0.005, 400,
                    **p2, **m2_params())
    expected = mif2_rate(xp, np.array([1.5, 2.5, 4.0]), **rate_params(p2), **m2_params())
    assert np.allclose(counts[200:].sum(axis=0), expected, rtol=0.02)


def test_numpy_and_tensorflow_agree(rng):
    tf = pytest.importorskip("tensorflow")
    TF_OPS = pytest.importorskip("nengo_snnext.backends.dl.ops").TF_OPS
    J = rng.uniform(-0.5, 5.0, size=(2, 50))
    V0 = rng.uniform(-0.02, V_TH, size=(2, 50))
    ref0 = np.where(rng.uniform(size=(2, 50)) < 0.3, rng.uniform(0, TAU_REF, size=(2, 50)), 0)
    p, m2 = mif_params(True), m2_params()
    np_state = MIF2State(V0, np.zeros_like(V0), rng.uniform(0, 0.5, size=(2, 50)), ref0)
    tf_state = MIF2State(*[tf.constant(v, dtype=tf.float64) for v in np_state])
    for _ in range(5):
        c_np, np_state = mif2_step(xp, 0.001, J, np_state, **p, **m2)
        c_tf, tf_state = mif2_step(TF_OPS, 0.001, tf.constant(J), tf_state, **p, **m2)
        assert np.array_equal(c_np, c_tf.numpy())
        for a, b in zip(np_state, tf_state):
            assert np.allclose(a, b.numpy(), rtol=1e-12, atol=1e-15)
    rate_tf = mif2_rate(TF_OPS, tf.constant(J), **rate_params(p), **m2)
    assert np.allclose(rate_tf.numpy(), mif2_rate(xp, J, **rate_params(p), **m2), rtol=1e-12)


def edge_states(rng, n, *, memristive, m2, dt, tau_ref):
    """The edge cases: ``u`` at threshold and at ``u_reset``, the refractory period at
    ``tau_ref`` and nearly over, ``J`` near rheobase and huge."""
    J = np.where(rng.rand(n) < 0.5, rng.uniform(-1, 60, n), 10 ** rng.uniform(0, 8, n))
    J = np.where(rng.rand(n) < 0.05, 1.0, J)
    u = rng.uniform(-1, 1.2, n)
    u = np.where(rng.rand(n) < 0.1, 1.0, np.where(rng.rand(n) < 0.1, 1 / 22, u))
    x = (rng.rand(n) < 0.3) * 1.0 if memristive else np.zeros(n)
    ref = np.where(rng.rand(n) < 0.5, 0.0, rng.uniform(0, tau_ref, n))
    ref = np.where(rng.rand(n) < 0.1, tau_ref, np.where(rng.rand(n) < 0.05, 1e-12, ref))
    x2 = rng.uniform(0, 1, n) if (m2 and memristive) else np.zeros(n)
    return J, u, x, ref, x2


def near_tie_states(rng, n, *, memristive, m2, dt, tau_ref, dtype):
    """Events within a few units in the last place of the step end.

    Charging neurons reach threshold, ON neurons (memristive; after a refractory
    rest if ``dt`` is long) reach ``u_reset``, and refractory periods end at
    ``dt`` up to rounding, so that the computed event time may exceed the time
    left while the relaxed membrane is already past the threshold: the event is
    then due at once, with no time left.
    """
    tau_off, tau_on, u_reset = 2e-3, 2e-5, 1 / 22
    rho = tau_on / tau_off
    ulps = rng.randint(-8, 9, n)
    J = rng.uniform(1.01, 50, n)
    u = J - (J - 1) * np.exp(dt / tau_off)  # charge: threshold at t = dt
    ref = np.where(rng.rand(n) < 0.2, dt + ulps * np.spacing(np.asarray(dt, dtype)), 0.0)
    on = rng.rand(n) < (0.3 if memristive else 0.0)
    t_on = min(dt, 40 * tau_on)  # the ON phase after a refractory rest of dt - t_on
    J = np.where(on, rng.uniform(-50, 0.99 * u_reset / rho, n), J)
    u = np.where(on, rho * J + (u_reset - rho * J) * np.exp(t_on / tau_on), u)  # RESET at dt
    ref = np.where(on, dt - t_on, ref)
    x = np.where(on, 1.0, 0.0)
    u = u.astype(dtype)
    u = u + ulps * np.spacing(u)
    x2 = rng.uniform(0, 1, n) if (m2 and memristive) else np.zeros(n)
    return J, u, x, ref, x2


@pytest.mark.parametrize("states", ["edge", "near_tie"])
@pytest.mark.parametrize("memristive", [True, False])
@pytest.mark.parametrize("m2", [False, True])
@pytest.mark.parametrize("dt, tau_ref", [(1e-3, 1e-3), (1e-4, 1e-3), (5e-4, 1e-3)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_short_step_is_bit_exact(states, memristive, m2, dt, tau_ref, dtype):
    """The short step (``is_short_step``) equals the general step bit for bit.

    The general path is forced by passing ``tau_ref`` as an array (not a Python
    number). The states include the edge cases (:func:`edge_states`) and events
    within rounding of the step end (:func:`near_tie_states`).
    """
    params = dict(tau_off=2e-3, tau_on=2e-5, u_reset=1 / 22, memristive=memristive)
    m2p = M2Parameters(-1.0, 50.0, 5000.0, 0.02, 0.1) if m2 else None
    short = is_short_step(dt, tau_on=2e-5, u_reset=1 / 22, tau_ref=tau_ref, memristive=memristive)
    assert short == (memristive or dt < tau_ref)
    rng = np.random.RandomState(3)
    if states == "edge":
        state = edge_states(rng, 20000, memristive=memristive, m2=m2, dt=dt, tau_ref=tau_ref)
    else:
        state = near_tie_states(rng, 20000, memristive=memristive, m2=m2, dt=dt,
                                tau_ref=tau_ref, dtype=dtype)
    state = [a.astype(dtype) for a in state]
    for _ in range(20):  # also the states the step itself produces
        J_, u_, x_, ref_, x2_ = state
        a = hybrid_step(xp, dt, J_, u_, x_, ref_, x2_, tau_ref=tau_ref, m2=m2p, **params)
        b = hybrid_step(
            xp, dt, J_, u_, x_, ref_, x2_, tau_ref=np.asarray(tau_ref, dtype=dtype), m2=m2p,
            **params,
        )
        for field in ("u", "x", "ref", "x2", "count"):
            va, vb = getattr(a, field), getattr(b, field)
            assert va.dtype == vb.dtype
            np.testing.assert_array_equal(va, vb, err_msg=field)
        state = [J_, a.u, a.x, a.ref, a.x2]
