"""MIF2 (Thurein eq. 1.6): MIF plus a hyperpolarising memristor branch; step and rate.

The membrane, ``M1`` and the exact hybrid step are shared with MIF
(:mod:`nengo_snnext.equations.mif`); this module adds the ``M2`` state, the
MIF2 step and the numerical steady-state rate (the fixed point of the
spike-to-spike map of ``x2``).
"""

from typing import Any, NamedTuple

from nengo_snnext.equations.mif import M2Parameters, cycle_period, hybrid_step
from nengo_snnext.equations.tabulated import evaluate


class MIF2State(NamedTuple):
    """State of :class:`.MIF2` (same order as ``MIF2.state``)."""

    voltage: Any  # membrane potential V (volts)
    memristor: Any  # state x1 of M1 (to E_rest): 0 = OFF, 1 = ON
    memristor2: Any  # state x2 in [0, 1] of M2 (to E_reset)
    refractory_time: Any  # remaining refractory time (s)


def mif2_step(
    xp,
    dt,
    J,
    state,
    *,
    e_rest,
    delta_v,
    tau_off,
    tau_on,
    u_reset,
    tau_ref,
    u_battery,
    rate_off2,
    rate_on2,
    set_fraction,
    tau_relax,
    memristive,
    hybrid=hybrid_step,
):
    """One step of MIF2 (Thurein eq. 1.6): MIF plus memristor M2 to ``E_reset``.

    .. math::

        C \\frac{dV}{dt} = I - \\frac{V - E_{rest}}{R_{M1}(x_1)}
            - g_{ref}(t) \\frac{V - E_{reset}}{R_{M2}(x_2)}, \\quad
        \\frac{1}{R_{M2}} = \\frac{x_2}{R_{on2}} + \\frac{1 - x_2}{R_{off2}}

    M1 behaves as in :func:`mif_step`. The M2 branch is connected only during
    the refractory period (``g_ref = 1``; the thesis: ``E_reset`` acts "during
    refractory time"), when the input and M1 are disconnected, so the membrane
    relaxes from ``V_reset`` toward ``E_reset``. M2 is volatile:
    ``dx2/dt = -x2 / tau_relax``, and each spike sets ``x2 <- x2 + eta (1 - x2)``.
    The growing hyperpolarisation lengthens successive inter-spike intervals
    (adaptation). With ``memristive=False`` both memristors stay OFF.

    Exact for any ``dt <= tau_ref`` (and whenever the rate is below ``1/dt``);
    see ``mif._fast_forward`` otherwise. Extra parameters: ``u_battery =
    (E_reset - E_rest) / delta_v``, ``rate_off2 = 1 / (R_off2 C)``, ``rate_on2 =
    1 / (R_on2 C)`` (1/s), ``set_fraction`` (eta), ``tau_relax`` (s); ``hybrid``
    as in :func:`~nengo_snnext.equations.mif.mif_step`. Returns
    ``(spike_count, MIF2State)``.
    """
    m2 = M2Parameters(u_battery, rate_off2, rate_on2, set_fraction, tau_relax)
    u = (state.voltage - e_rest) / delta_v
    if memristive:
        x1, x2 = state.memristor, state.memristor2
    else:
        x1 = x2 = 0.0 * state.memristor
    s = hybrid(
        xp, dt, J, u, x1, state.refractory_time, x2, tau_off=tau_off, tau_on=tau_on,
        u_reset=u_reset, tau_ref=tau_ref, memristive=memristive, m2=m2,
    )
    return s.count, MIF2State(e_rest + delta_v * s.u, s.x, s.x2, s.ref)


def mif2_fixed_point(
    xp, J, *, tau_off, tau_on, u_reset, tau_ref, u_battery, rate_off2, rate_on2,
    set_fraction, tau_relax, memristive, iterations=50,
):
    """Steady-state period of MIF2: the fixed point of the spike-to-spike map of ``x2``.

    With ``x`` the value of ``x2`` just after a spike and ``T(x)`` the cycle
    period (:func:`cycle_period`), the periodic orbit satisfies

    .. math:: x = \\eta + (1 - \\eta)\\, x\\, e^{-T(x) / \\tau_{relax}}

    ``G(x) = eta + (1 - eta) x exp(-T(x)/tau_relax) - x`` has ``G(0) >= 0``,
    ``G(1) <= 0`` and slope below 0 (the map contracts), so the root is unique;
    it is found by ``iterations`` bisection steps (2^-50 by default).
    Returns ``(T, fires, x)``.
    """
    m2 = M2Parameters(u_battery, rate_off2, rate_on2, set_fraction, tau_relax)
    params = dict(
        tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
        memristive=memristive, m2=m2,
    )
    if not memristive:
        T, fires = cycle_period(xp, J, 0.0 * J, **params)
        return T, fires, 0.0 * J
    low, high = 0.0 * J, 1.0 + 0.0 * J
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        T, _ = cycle_period(xp, J, mid, **params)
        G = set_fraction + (1.0 - set_fraction) * mid * xp.exp(-T / tau_relax) - mid
        low = xp.where(G > 0.0, mid, low)
        high = xp.where(G > 0.0, high, mid)
    x = 0.5 * (low + high)
    T, fires = cycle_period(xp, J, x, **params)
    return T, fires, x


def mif2_rate(xp, J, *, dt=None, **params):
    """Steady-state (adapted) rate (Hz) of MIF2 from :func:`mif2_fixed_point` (``dt`` unused)."""
    del dt  # exact in continuous time
    T, fires, _ = mif2_fixed_point(xp, J, **params)
    return xp.where(fires, 1.0 / xp.where(fires, T, 1.0 + 0.0 * T), 0.0 * T)


def mif2_training_rate(xp, J, *, dt=None, table=None, **params):
    """The rate that rate training differentiates: ``table`` at ``J``, or :func:`mif2_rate`.

    ``table`` is a :class:`~nengo_snnext.equations.tabulated.PiecewisePolynomial`
    of :func:`mif2_rate` (built in numpy by ``MIF2.training_rate_params``): one
    piece lookup instead of 50 bisection steps, and its derivative is the exact
    derivative of the interpolant, which includes how the adapted ``x2`` moves
    with ``J`` (the bisection holds it fixed). ``table=None`` (``memristive=False``,
    no bisection) evaluates :func:`mif2_rate` itself.
    """
    if table is None:
        return mif2_rate(xp, J, dt=dt, **params)
    return evaluate(xp, J, table)


def mif2_period_at(xp, J, x, *, tau_off, tau_on, u_reset, tau_ref, u_battery, rate_off2,
                   rate_on2, set_fraction, tau_relax, memristive):
    """Cycle period of MIF2 at input ``J`` with ``x2 = x`` just after the spike.

    At the fixed point ``x = eta / (1 - (1 - eta) exp(-T / tau_relax))``, so for a
    requested period ``T`` the steady state ``x`` is explicit and only ``J`` must
    be solved for (used by ``gain_bias``).
    """
    m2 = M2Parameters(u_battery, rate_off2, rate_on2, set_fraction, tau_relax)
    return cycle_period(
        xp, J, x, tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
        memristive=memristive, m2=m2,
    )
