"""Memristive integrate-and-fire (MIF, MIF2): the one source of truth for their equations.

Thesis reference: H. Thurein, MS thesis (UCSC, 2022), eqs. 1.4-1.6, after Kang et
al., IEEE TCAS-I 68(12), 2021; see ``shared/spec/thurein-mif-thesis.md`` section 1
and the model derivation in ``shared/spec/mif-model.md`` sections 2.2-2.3.

The membrane is integrated **exactly** for input ``J`` held constant over a step
(as Nengo assumes): every phase of the hybrid system is a linear ODE with a
closed-form solution, and every phase change (spike, memristor switching, end of
the refractory period) happens at a time solved in closed form inside the step.
The MIF step is therefore exact for any ``dt``, including ``dt`` larger than the
membrane time constant (MIF2's whenever ``dt <= tau_ref``; see
:func:`_fast_forward`), and may return more than one spike per step.

Everything is computed in the normalised voltage ``u = (V - E_rest) / (V_th -
E_rest)`` (threshold at ``u = 1``, rheobase at ``J = 1``), which is well
conditioned in float32; the ``voltage`` state itself is in volts.

Phases of one cycle (M1 = the memristor in series with ``E_rest``)::

    charge (M1 OFF, R_off)  --u reaches 1: spike, M1 SET-->  on (M1 ON, R_on)
    on   --u falls to u_reset: M1 RESET-->  refractory (tau_ref)  -->  charge

With ``memristive=False`` the memristor is frozen at ``R_off`` and the spike
resets ``u`` to ``u_reset`` instantly (the "on" phase has zero length). MIF2 adds
memristor M2 to the battery ``E_reset``: connected during the refractory period,
it pulls the membrane toward ``E_reset`` with a conductance set by its state
``x2``, which each spike partially switches ON and which relaxes between spikes.

MIF2's step and rate are in :mod:`nengo_snnext.equations.mif2`. All functions
are pure and take the array namespace ``xp`` first
(:class:`nengo_snnext.ops.Ops`). ``memristive`` must be a Python bool (it selects
the structure of the computation); every other parameter may be a number or a
backend constant.
"""

import math
import numbers
from typing import Any, NamedTuple

NEVER = 1e20
"""Event time (s) meaning "never": finite, so that ``where`` branches stay NaN-free."""

STAGE_SEGMENTS = 3
"""Phase segments per stage of a step: ``on -> refractory -> charge`` at most."""

SHORT_STEP_SEGMENTS = 4
"""Phase segments of a whole step when :func:`is_short_step` holds (no fast-forward)."""


class MIFState(NamedTuple):
    """State of :class:`.MIF` (same order as ``MIF.state``)."""

    voltage: Any  # membrane potential V (volts)
    memristor: Any  # state x of M1: 0 = OFF (R_off), 1 = ON (R_on)
    refractory_time: Any  # remaining refractory time (s)


class M2Parameters(NamedTuple):
    """Parameters of the MIF2 branch (see :func:`nengo_snnext.equations.mif2.mif2_step`)."""

    u_battery: Any
    rate_off2: Any
    rate_on2: Any
    set_fraction: Any
    tau_relax: Any


class _Phase(NamedTuple):
    """Normalised hybrid state inside a step."""

    u: Any  # normalised voltage
    x: Any  # M1 state (0/1)
    ref: Any  # remaining refractory time (s)
    x2: Any  # M2 state (MIF2) or 0
    r: Any  # time left in this step (s)
    count: Any  # spikes so far in this step
    spiked: Any  # bool: spiked in the current stage


# ---------------------------------------------------------------------------
# event times and closed-form phase solutions


def _charge_gap(xp, u, J):
    """``(gap, reaches)`` of :func:`charge_time`: its time is ``tau_off log1p(gap)``."""
    reaches = (J > 1.0) & (u < 1.0)
    denominator = xp.where(reaches, J - 1.0, 1.0)
    return xp.where(reaches, (1.0 - u) / denominator, 0.0), reaches


def _charge_time_from(xp, t, u, reaches):
    """:func:`charge_time` from ``t = tau_off log1p(gap)``."""
    return xp.where(u >= 1.0, 0.0, xp.where(reaches, t, NEVER))


def charge_time(xp, u, J, *, tau_off):
    """Time for the OFF-phase membrane to rise from ``u`` to threshold 1.

    .. math::

        \\tau_{off} \\dot u = J - u \\;\\Rightarrow\\;
        t = \\tau_{off} \\ln\\frac{J - u}{J - 1}
          = \\tau_{off}\\,\\mathrm{log1p}\\frac{1 - u}{J - 1}

    0 where ``u >= 1``; :data:`NEVER` where ``J <= 1`` (below rheobase).
    """
    gap, reaches = _charge_gap(xp, u, J)
    return _charge_time_from(xp, tau_off * xp.log1p(gap), u, reaches)


def _discharge_gap(xp, u, J, *, rho, u_reset):
    """``(gap, reaches)`` of :func:`discharge_time`: its time is ``tau_on log1p(gap)``."""
    target = rho * J
    reaches = (target < u_reset) & (u > u_reset)
    denominator = xp.where(reaches, u_reset - target, 1.0)
    return xp.where(reaches, (u - u_reset) / denominator, 0.0), reaches


def _discharge_time_from(xp, t, u, reaches, u_reset):
    """:func:`discharge_time` from ``t = tau_on log1p(gap)``."""
    return xp.where(u <= u_reset, 0.0, xp.where(reaches, t, NEVER))


def discharge_time(xp, u, J, *, tau_on, rho, u_reset):
    """Time for the ON-phase membrane to fall from ``u`` to ``u_reset`` (M1 RESET).

    .. math::

        \\tau_{on} \\dot u = \\rho J - u \\;\\Rightarrow\\;
        t = \\tau_{on} \\ln\\frac{u - \\rho J}{u_{reset} - \\rho J},
        \\quad \\rho = R_{on} / R_{off}

    0 where ``u <= u_reset``; :data:`NEVER` where ``rho J >= u_reset``: the input
    alone holds M1 above its RESET threshold (depolarisation block).
    """
    gap, reaches = _discharge_gap(xp, u, J, rho=rho, u_reset=u_reset)
    return _discharge_time_from(xp, tau_on * xp.log1p(gap), u, reaches, u_reset)


def _relax_by(xp, u, target, exponent):
    """``u - (target - u) expm1(exponent)``: :func:`relax` and :func:`refractory_voltage`
    with their exponents ``-t / tau`` and ``-Lambda``."""
    return u - (target - u) * xp.expm1(exponent)


def relax(xp, u, target, t, tau):
    """Exact solution of ``tau du/dt = target - u`` after time ``t`` (``u`` at t = 0).

    Written as ``u + (target - u) (1 - exp(-t / tau))`` so that ``t = 0`` returns
    ``u`` bit for bit.
    """
    return _relax_by(xp, u, target, -t / tau)


def m2_exposure(xp, x2, t, m2):
    """``Lambda = (1/C) * integral of G2 dt`` over a refractory interval of length ``t``.

    ``G2 = x2/R_on2 + (1 - x2)/R_off2`` with ``x2`` relaxing as
    ``x2(s) = x2 exp(-s / tau_relax)``, so

    .. math::

        \\Lambda = k_{off2} t + (k_{on2} - k_{off2})\\, x_2 \\tau_{relax}
        (1 - e^{-t/\\tau_{relax}}), \\quad k = 1 / (R C)
    """
    decayed = -xp.expm1(-t / m2.tau_relax)
    return m2.rate_off2 * t + (m2.rate_on2 - m2.rate_off2) * x2 * m2.tau_relax * decayed


def refractory_voltage(xp, u, x2, t, m2):
    """MIF2 membrane after ``t`` seconds of refractoriness: ``C dV/dt = -G2 (V - E_reset)``.

    .. math:: u(t) = u_b + (u - u_b)\\, e^{-\\Lambda(t)}

    (``u_b`` is ``E_reset`` in normalised units; :func:`m2_exposure` gives Lambda.)
    """
    return _relax_by(xp, u, m2.u_battery, -m2_exposure(xp, x2, t, m2))


def m2_set(x2, set_fraction):
    """M2 after a spike: ``x2 + eta (1 - x2)`` (a fraction eta of its OFF part switches ON)."""
    return x2 + set_fraction * (1.0 - x2)


# ---------------------------------------------------------------------------
# the step


def _event_time(xp, J, s, in_on, *, tau_off, tau_on, u_reset, memristive):
    """Time to the next event of a charging neuron (spike at ``u = 1``) or, if
    ``memristive``, of an ON neuron (``in_on``; M1 RESET at ``u_reset``), with one
    ``log1p`` for both phases; and the phase's membrane time constant (``tau_off``
    for a charging neuron). The refractory phase is the caller's."""
    gap, reaches = _charge_gap(xp, s.u, J)
    if not memristive:
        return _charge_time_from(xp, tau_off * xp.log1p(gap), s.u, reaches), tau_off
    gap_on, reaches_on = _discharge_gap(xp, s.u, J, rho=tau_on / tau_off, u_reset=u_reset)
    tau = xp.where(in_on, tau_on + 0.0 * J, tau_off)
    t = tau * xp.log1p(xp.where(in_on, gap_on, gap))
    t_event = xp.where(in_on, _discharge_time_from(xp, t, s.u, reaches_on, u_reset),
                       _charge_time_from(xp, t, s.u, reaches))
    return t_event, tau


def _segment(xp, J, s, active, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2):
    """Advance every ``active`` neuron to its next phase change or to the step end.

    Each neuron needs only its own phase's formulas, so the phases share one
    ``log1p`` (the event time) and one ``expm1`` (relaxation or refractory
    voltage), their arguments selected first: per neuron, the same arithmetic as
    :func:`charge_time`, :func:`discharge_time`, :func:`relax` and
    :func:`refractory_voltage`.
    """
    rho = tau_on / tau_off
    in_ref = s.ref > 0.0
    in_on = (~in_ref) & (s.x > 0.5)
    in_charge = (~in_ref) & (~in_on)

    t_event, tau = _event_time(xp, J, s, in_on, tau_off=tau_off, tau_on=tau_on,
                               u_reset=u_reset, memristive=memristive)
    t_event = xp.where(in_ref, s.ref, t_event)
    hit = t_event <= s.r
    seg = xp.minimum(t_event, s.r)
    if active is not None:  # None: every neuron is active
        hit = active & hit
        seg = xp.where(active, seg, 0.0)

    if memristive:
        # one relax with the phase's target and time constant (same arithmetic)
        target = xp.where(in_on, rho * J, J)
        exponent = -seg / tau
    else:
        target, exponent = J, -seg / tau_off
    if m2 is None:
        u_new = xp.where(in_ref, s.u, _relax_by(xp, s.u, target, exponent))
    else:
        target = xp.where(in_ref, m2.u_battery + 0.0 * J, target)
        exponent = xp.where(in_ref, -m2_exposure(xp, s.x2, seg, m2), exponent)
        u_new = _relax_by(xp, s.u, target, exponent)
    ref_new = xp.where(in_ref, xp.where(hit, 0.0, s.ref - seg), s.ref)
    x2_new = s.x2
    if m2 is not None and memristive:
        x2_new = s.x2 * xp.exp(-seg / m2.tau_relax)

    spike = hit & in_charge
    x_new = s.x
    if memristive:
        # spike = M1 SET at u = 1: the membrane starts its ON-phase discharge there
        switch_off = hit & in_on
        u_new = xp.where(switch_off, u_reset, u_new)
        u_new = xp.where(spike, 1.0, u_new)
        x_new = xp.where(spike, 1.0, xp.where(switch_off, 0.0, s.x))
        ref_new = xp.where(switch_off, tau_ref, ref_new)
        if m2 is not None:
            x2_new = xp.where(spike, m2_set(x2_new, m2.set_fraction), x2_new)
    else:
        # frozen M1: ideal instantaneous reset
        u_new = xp.where(spike, u_reset, u_new)
        ref_new = xp.where(spike, tau_ref, ref_new)

    return _Phase(
        u=u_new,
        x=x_new,
        ref=ref_new,
        x2=x2_new,
        r=s.r - seg,
        count=s.count + xp.cast(spike, s.count),
        spiked=s.spiked | spike,
    )


def _phase_masks(xp, s, memristive):
    """``(in_ref, in_on, in_charge)`` as :func:`_segment` selects the phases
    (``in_on`` None if not ``memristive``: M1 stays OFF, ``x = 0``)."""
    in_ref = s.ref > 0.0
    if not memristive:
        return in_ref, None, ~in_ref
    in_on = (~in_ref) & (s.x > 0.5)
    return in_ref, in_on, (~in_ref) & (~in_on)


def _refractory_stage(xp, J, s, *, memristive, m2, **_):
    """The refractory segment of :func:`_segment` for the refractory neurons only.

    Each stage function advances the neurons of one phase, with the arithmetic
    of that phase in :func:`_segment`, and leaves the others as they are (the
    numpy kernel's phase functions, :mod:`nengo_snnext.backends.reference.mif`,
    select the same neurons by index).
    """
    in_ref, _, _ = _phase_masks(xp, s, memristive)
    hit = s.ref <= s.r
    seg = xp.minimum(s.ref, s.r)
    u, x2 = s.u, s.x2
    if m2 is not None:
        u_ref = _relax_by(xp, s.u, m2.u_battery, -m2_exposure(xp, s.x2, seg, m2))
        u = xp.where(in_ref, u_ref, s.u)
        if memristive:
            x2 = xp.where(in_ref, s.x2 * xp.exp(-seg / m2.tau_relax), s.x2)
    return s._replace(
        u=u, x2=x2, ref=xp.where(in_ref, xp.where(hit, 0.0, s.ref - seg), s.ref),
        r=xp.where(in_ref, s.r - seg, s.r),
    )


def _charge_stage(xp, J, s, *, tau_off, u_reset, tau_ref, memristive, m2, **_):
    """The charge segment of :func:`_segment` (spike at ``u = 1``) for the charging neurons."""
    _, _, in_charge = _phase_masks(xp, s, memristive)
    t_event = charge_time(xp, s.u, J, tau_off=tau_off)
    seg = xp.minimum(t_event, s.r)
    spike = in_charge & (t_event <= s.r)
    u = xp.where(in_charge, relax(xp, s.u, J, seg, tau_off), s.u)
    x, ref, x2 = s.x, s.ref, s.x2
    if memristive:
        u = xp.where(spike, 1.0, u)
        x = xp.where(spike, 1.0, s.x)
        if m2 is not None:
            x2 = s.x2 * xp.exp(-seg / m2.tau_relax)
            x2 = xp.where(in_charge, xp.where(spike, m2_set(x2, m2.set_fraction), x2), s.x2)
    else:
        u = xp.where(spike, u_reset, u)
        ref = xp.where(spike, tau_ref, s.ref)
    return _Phase(
        u=u, x=x, ref=ref, x2=x2, r=xp.where(in_charge, s.r - seg, s.r),
        count=s.count + xp.cast(spike, s.count), spiked=s.spiked | spike,
    )


def _discharge_stage(xp, J, s, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2, **_):
    """The ON segment of :func:`_segment` (M1 RESET at ``u_reset``) for the ON neurons."""
    _, in_on, _ = _phase_masks(xp, s, memristive)
    rho = tau_on / tau_off
    t_event = discharge_time(xp, s.u, J, tau_on=tau_on, rho=rho, u_reset=u_reset)
    seg = xp.minimum(t_event, s.r)
    switch_off = in_on & (t_event <= s.r)
    u = xp.where(in_on, relax(xp, s.u, rho * J, seg, tau_on), s.u)
    x2 = s.x2
    if m2 is not None:
        x2 = xp.where(in_on, s.x2 * xp.exp(-seg / m2.tau_relax), s.x2)
    return s._replace(
        u=xp.where(switch_off, u_reset, u),
        x=xp.where(switch_off, 0.0, s.x),
        ref=xp.where(switch_off, tau_ref, s.ref),
        x2=x2,
        r=xp.where(in_on, s.r - seg, s.r),
    )


def _instant_stage(xp, J, s, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2, **_):
    """The event of :func:`_segment` due at once, for neurons that charge or are ON with no
    time left (``r = 0``; the refractory ones are left as they are).

    With ``r = 0`` a segment has length 0, so its relaxation is the identity, and
    only a spike (``u >= 1``) or an M1 RESET (``u <= u_reset``) can happen, at
    the event time of :func:`_segment` (one ``log1p`` for both phases).
    """
    _, in_on, in_charge = _phase_masks(xp, s, memristive)
    t_event, _ = _event_time(xp, J, s, in_on, tau_off=tau_off, tau_on=tau_on,
                             u_reset=u_reset, memristive=memristive)
    hit = t_event <= s.r
    spike = hit & in_charge
    if memristive:
        switch_off = hit & in_on
        u = xp.where(spike, 1.0, xp.where(switch_off, u_reset, s.u))
        x = xp.where(spike, 1.0, xp.where(switch_off, 0.0, s.x))
        ref = xp.where(switch_off, tau_ref, s.ref)
        x2 = s.x2 if m2 is None else xp.where(spike, m2_set(s.x2, m2.set_fraction), s.x2)
    else:
        u, x, x2 = xp.where(spike, u_reset, s.u), s.x, s.x2
        ref = xp.where(spike, tau_ref, s.ref)
    return _Phase(
        u=u, x=x, ref=ref, x2=x2, r=s.r, count=s.count + xp.cast(spike, s.count),
        spiked=s.spiked | spike,
    )


def _short_step_stages(xp, J, s, *, memristive, **params):
    """The step when :func:`is_short_step` holds: single-phase stages in the phase order.

    Equal, bit for bit, to :data:`SHORT_STEP_SEGMENTS` unmasked :func:`_segment`
    calls: each neuron gets the same segments, in the same order, with the same
    arithmetic, but a stage evaluates one phase's formulas instead of all three
    (MIF: five transcendental functions per neuron instead of eight). The
    stages are refractory, charge, ON (memristive), refractory, and the events
    due at once (:func:`_instant_stage`):

    - a segment with time left ends at an event or uses up the step; the phases
      follow ``ref -> charge -> on -> ref`` (``ref -> on`` where M1 is ON), and a
      refractory period entered in the step does not end in it with time left
      (:func:`is_short_step`), so the first four stages take every segment with
      time left;
    - after them every charging or ON neuron has ``r = 0`` (it used the step up
      in its stage, or entered the phase with no time left), its further
      segments have length 0, and at most one of them is not an identity: a
      spike at ``u >= 1`` (the membrane rounded past threshold) or an M1 RESET
      at ``u <= u_reset``, which the last stage takes.
    """
    params["memristive"] = memristive
    s = _refractory_stage(xp, J, s, **params)
    s = _charge_stage(xp, J, s, **params)
    if memristive:
        s = _discharge_stage(xp, J, s, **params)
    s = _refractory_stage(xp, J, s, **params)
    return _instant_stage(xp, J, s, **params)


def cycle_period(xp, J, x2_after_spike, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2=None):
    """Duration of one full cycle that starts at a spike, and whether it ends.

    ``T = t_on + tau_ref + t_charge`` with ``t_on`` the ON-phase discharge from
    ``u = 1`` to ``u_reset`` (0 if ``memristive`` is False), and ``t_charge`` the
    rise from the post-refractory voltage (``u_reset`` for MIF; for MIF2 the
    result of :func:`refractory_voltage` with M2 at ``x2_after_spike`` decayed
    over ``t_on``) to threshold. Returns ``(T, fires)``; ``T`` is :data:`NEVER`
    or larger where ``fires`` is False.
    """
    rho = tau_on / tau_off
    one = 1.0 + 0.0 * J
    if memristive:
        t_on = discharge_time(xp, one, J, tau_on=tau_on, rho=rho, u_reset=u_reset)
    else:
        t_on = 0.0 * J
    u_start = u_reset * one
    if m2 is not None:
        x2 = x2_after_spike
        if memristive:
            x2 = x2 * xp.exp(-t_on / m2.tau_relax)
        u_start = refractory_voltage(xp, u_start, x2, tau_ref + 0.0 * J, m2)
    t_charge = charge_time(xp, u_start, J, tau_off=tau_off)
    T = t_on + tau_ref + t_charge
    fires = T < 0.5 * NEVER
    return T, fires


def _fast_forward(xp, J, s, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2):
    """Skip whole cycles of neurons sitting at a spike with time left in the step.

    Each whole cycle holds exactly one spike. For MIF the cycle is periodic, so
    this is exact. For MIF2 the period depends on ``x2``; the cycles are skipped
    with the period of the first one and ``x2`` updated by the exact affine map
    for that period (only reached when a whole cycle fits in one step, i.e. the
    rate exceeds ``1 / dt``; never when ``dt <= tau_ref``).
    """
    x2 = s.x2 if m2 is not None else None
    T, fires = cycle_period(
        xp, J, x2, tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
        memristive=memristive, m2=m2,
    )
    anchored = s.spiked & fires & (s.r > 0.0)
    T_safe = xp.where(anchored, T, 1.0)
    n = xp.where(anchored, xp.floor(s.r / T_safe), 0.0)
    r = xp.maximum(s.r - n * T_safe, 0.0)
    x2_new = s.x2
    if m2 is not None and memristive:
        # x+ -> a x+ + eta per cycle, a = (1 - eta) exp(-T / tau_relax)
        a = (1.0 - m2.set_fraction) * xp.exp(-T_safe / m2.tau_relax)
        a_n = xp.exp(n * xp.log(xp.maximum(a, 1e-30 + 0.0 * a)))
        one_minus_a = 1.0 - a
        geometric = xp.where(
            one_minus_a > 1e-12,
            (1.0 - a_n) / xp.where(one_minus_a > 1e-12, one_minus_a, 1.0 + 0.0 * a),
            n,
        )
        x2_new = xp.where(anchored, a_n * s.x2 + m2.set_fraction * geometric, s.x2)
    return s._replace(r=r, count=s.count + n, x2=x2_new)


def is_short_step(dt, *, tau_on, u_reset, tau_ref, memristive):
    """Whether a step holds at most :data:`SHORT_STEP_SEGMENTS` phase changes.

    Decided from Python numbers only (False if any is a tensor or array), so it
    selects the structure of the computation at build time. True when
    ``dt <= tau_ref`` and:

    - ``memristive``: ``0 < u_reset < 1`` and the ON phase after a spike lasts at
      least ``t_min = tau_on ln(1 / u_reset)`` (its minimum over ``J > 1``), with
      ``t_min >= 1e-4 tau_ref``, far above a float32 rounding of ``tau_ref``;
    - frozen: ``dt <= (1 - 1e-6) tau_ref`` (``dt < tau_ref`` in float32 too).

    Then a refractory period entered during the step cannot end in it: it starts
    after a spike (``t_on`` later for memristive; ``t_on`` cannot round away) and
    needs ``tau_ref >= dt``. Once the step's time is used up (``r = 0``) only
    one zero-length event is left (a spike at ``u >= 1``, or M1 RESET at ``u <=
    u_reset``; neither enables another). So the longest sequences are
    ``ref -> charge -> spike -> on -> ref`` and ``on -> ref -> charge`` (4
    segments), further segments change nothing, and :func:`_fast_forward` skips no
    cycle (the period exceeds ``tau_ref >= dt``): :func:`hybrid_step` gives the
    same result, bit for bit, with 4 segments and no fast-forward
    (:func:`_short_step_stages`).
    """
    values = (dt, tau_on, u_reset, tau_ref)
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        return False
    dt, tau_on, u_reset, tau_ref = (float(v) for v in values)
    if not (dt > 0.0 and tau_ref > 0.0 and dt <= tau_ref):
        return False
    if memristive:
        if not (0.0 < u_reset < 1.0 and tau_on > 0.0):
            return False
        return tau_on * math.log(1.0 / u_reset) >= 1e-4 * tau_ref
    return dt <= (1.0 - 1e-6) * tau_ref


def hybrid_step(xp, dt, J, u, x, ref, x2, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2):
    """Exact step of the hybrid system in normalised units (shared by MIF and MIF2).

    Stage A advances each neuron through at most :data:`STAGE_SEGMENTS` phases to
    its first spike, whole cycles are then skipped (:func:`_fast_forward`), and
    stage B finishes the last partial cycle. When :func:`is_short_step` holds,
    :data:`SHORT_STEP_SEGMENTS` unmasked segments give the same result, computed
    by single-phase stages (:func:`_short_step_stages`). ``m2`` is
    an :class:`M2Parameters` (MIF2) or None (MIF). Returns the final ``_Phase``
    (``count``: spikes).
    """
    zero = 0.0 * u
    s = _Phase(u=u, x=x, ref=ref, x2=x2, r=dt + zero, count=zero, spiked=zero > 1.0)
    params = dict(
        tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
        memristive=memristive, m2=m2,
    )
    if is_short_step(dt, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref, memristive=memristive):
        return _short_step_stages(xp, J, s, **params)
    for _ in range(STAGE_SEGMENTS):
        s = _segment(xp, J, s, ~s.spiked, **params)
    s = _fast_forward(xp, J, s, **params)
    for _ in range(STAGE_SEGMENTS):
        s = _segment(xp, J, s, None, **params)
    return s


def mif_step(
    xp, dt, J, state, *, e_rest, delta_v, tau_off, tau_on, u_reset, tau_ref, memristive,
    hybrid=hybrid_step,
):
    """One exact step of MIF (Thurein eq. 1.4 with an ideal threshold-switch memristor).

    .. math::

        C \\frac{dV}{dt} &= I - \\frac{V - E_{rest}}{R_M(x)}, \\qquad
        I = J \\frac{v_{th} - E_{rest}}{R_{off}} \\\\
        R_M &= R_{off} \\; (x = 0), \\quad R_{on} \\; (x = 1) \\\\
        x: 0 \\to 1 &\\text{ when } V - E_{rest} \\ge V_{th1} = v_{th} - E_{rest}
        \\quad \\text{(SET: the spike)} \\\\
        x: 1 \\to 0 &\\text{ when } V - E_{rest} \\le V_{th2} = v_{reset} - E_{rest}
        \\quad \\text{(RESET)}, \\text{ then } V \\text{ is held for } \\tau_{ref}

    With ``memristive=False``, ``x = 0`` always and the spike resets ``V`` to
    ``V_reset`` at once: between spikes ``V`` follows eq. 1.5 exactly,
    ``V(t) = V_0 e^{-t/tau} + (E_rest + R_off I)(1 - e^{-t/tau})``.

    Parameters (normalised; see :meth:`.MIF.equation_params`): ``e_rest`` and
    ``delta_v = V_th - E_rest`` (V) convert the voltage; ``tau_off = R_off C``,
    ``tau_on = R_on C``, ``tau_ref`` in seconds; ``u_reset = (V_reset -
    E_rest) / delta_v``. ``hybrid`` computes the step in normalised units
    (:func:`hybrid_step`; Nengo core passes its numpy event-driven equal,
    :func:`nengo_snnext.backends.reference.mif.fast_hybrid_step`). Returns
    ``(spike_count, MIFState)``.
    """
    u = (state.voltage - e_rest) / delta_v
    x = state.memristor if memristive else 0.0 * state.memristor
    s = hybrid(
        xp, dt, J, u, x, state.refractory_time, 0.0 * u, tau_off=tau_off, tau_on=tau_on,
        u_reset=u_reset, tau_ref=tau_ref, memristive=memristive, m2=None,
    )
    return s.count, MIFState(e_rest + delta_v * s.u, s.x, s.ref)


# ---------------------------------------------------------------------------
# steady-state rates


def mif_rate(xp, J, *, dt=None, tau_off, tau_on, u_reset, tau_ref, memristive):
    """Exact steady-state rate (Hz) of MIF for constant ``J`` (``dt`` unused: exact in time).

    .. math::

        r(J) = \\Big[ t_{on}(J) + \\tau_{ref}
            + \\tau_{off} \\ln\\frac{J - u_{reset}}{J - 1} \\Big]^{-1},
        \\quad t_{on} = \\tau_{on} \\ln\\frac{1 - \\rho J}{u_{reset} - \\rho J}

    for ``J > 1`` (and, if ``memristive``, ``rho J < u_reset``); 0 otherwise.
    Frozen (``t_on = 0``) this is the closed form of the issue,
    ``1 / (tau_ref + tau ln((V_inf - V_reset) / (V_inf - V_th)))``.
    """
    del dt
    T, fires = cycle_period(
        xp, J, None, tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
        memristive=memristive,
    )
    return xp.where(fires, 1.0 / xp.where(fires, T, 1.0 + 0.0 * T), 0.0 * T)
