"""Conductance-based LIF with an adaptive threshold (Jiang ch. 6, Diehl & Cook 2015).

Pure step and steady-state rate, written once with ``xp`` (numpy or TensorFlow).
Units are SI: volts and seconds; conductances are dimensionless (in units of the
leak conductance, as in the Brian2 code's ``ge * nS`` with ``nS`` the leak).

The input current ``J`` of a Nengo neuron is read as a conductance input rate
(1/s): a step adds ``max(J, 0) dt`` to ``g_e`` and ``max(-J, 0) dt`` to ``g_i``.
A presynaptic spike (``1 / dt`` from a neuron of amplitude 1) through weight ``w``
therefore makes ``g_e`` jump by ``w`` (``g_i`` by ``|w|`` for a negative weight),
exactly Brian2's ``on_pre='ge += w'``.

The order inside a step is Brian2's (groups, thresholds, synapses, resets):
integrate ``v`` from the conductances at the start of the step (unless
refractory), decay ``g_e``, ``g_i`` and ``theta``; spike where ``v`` exceeds
``v_threshold - threshold_offset + theta`` and the neuron is not refractory;
add this step's input to the conductances; reset ``v``, raise ``theta`` by
``theta_plus`` and start the refractory period.
"""

import numbers
from typing import Any, NamedTuple


class ConductanceLIFState(NamedTuple):
    """State of :class:`.ConductanceLIF` (same order as ``ConductanceLIF.state``)."""

    voltage: Any  # membrane potential v (V)
    conductance_exc: Any  # g_e (dimensionless, in units of the leak conductance)
    conductance_inh: Any  # g_i
    adaptation: Any  # adaptive threshold theta (V)
    refractory_time: Any  # remaining refractory time (s)


# method -> decay factor of an exponentially decaying variable over one step
def _euler_decay(xp, dt, tau):
    return 1.0 - dt / tau


def _exact_decay(xp, dt, tau):
    decay = xp.exp(-dt / tau)
    # the same value as a Python float: a numpy float64 scalar would turn float32
    # states into float64 under numpy 2's promotion rules (NEP 50), a Python float not
    return float(decay) if isinstance(decay, numbers.Real) else decay


DECAYS = {"euler": _euler_decay, "exponential": _exact_decay}


def membrane_factor(xp, dt, g_total, *, tau, method):
    """``a`` in ``v_next = v_inf + (v - v_inf) a`` for total conductance ``1 + g``.

    ``"euler"``: ``1 - dt (1 + g) / tau`` (Brian2 ``method='euler'``);
    ``"exponential"``: ``exp(-dt (1 + g) / tau)`` (exact for conductances held
    over the step).
    """
    if method == "euler":
        return 1.0 - dt * (1.0 + g_total) / tau
    return xp.exp(-dt * (1.0 + g_total) / tau)


def conductance_lif_step(
    xp,
    dt,
    J,
    state,
    *,
    tau,
    tau_exc,
    tau_inh,
    v_rest,
    v_reset,
    e_exc,
    e_inh,
    v_threshold,
    threshold_offset,
    theta_plus,
    tau_theta,
    tau_ref,
    method,
):
    """One step of the conductance LIF with adaptive threshold (Jiang eqs. 6.1-6.7).

    .. math::

        \\tau \\frac{dv}{dt} = (v_{rest} - v) + g_e (E_e - v) + g_i (E_i - v), \\quad
        \\tau_{g_e} \\frac{dg_e}{dt} = -g_e, \\quad
        \\tau_{g_i} \\frac{dg_i}{dt} = -g_i, \\quad
        \\tau_\\theta \\frac{d\\theta}{dt} = -\\theta

    spike when ``v > v_threshold - threshold_offset + theta`` outside the
    refractory period; then ``v <- v_reset``, ``theta <- theta + theta_plus``
    and ``v`` is held for ``tau_ref`` (Brian2 ``refractory``: the clamp covers
    ``round(tau_ref / dt) - 1`` steps, the next step integrates again).
    ``method`` is ``"euler"`` (forward Euler for every variable, as the Brian2
    code) or ``"exponential"`` (exact exponential decay of ``g_e, g_i, theta``
    and exponential Euler for ``v``). Returns ``(spikes, ConductanceLIFState)`` with spikes
    0 or 1.
    """
    decay = DECAYS[method]
    v, ge, gi, theta, ref = state
    ref = ref - dt
    active = ref < 0.5 * dt
    g_total = ge + gi
    v_inf = (v_rest + ge * e_exc + gi * e_inh) / (1.0 + g_total)
    a = membrane_factor(xp, dt, g_total, tau=tau, method=method)
    v = xp.where(active, v_inf + (v - v_inf) * a, v)
    ge = ge * decay(xp, dt, tau_exc)
    gi = gi * decay(xp, dt, tau_inh)
    theta = theta * decay(xp, dt, tau_theta)
    spiked = xp.cast(active & (v > v_threshold - threshold_offset + theta), v)
    ge = ge + xp.maximum(J, 0.0) * dt
    gi = gi + xp.maximum(-J, 0.0) * dt
    v = v + spiked * (v_reset - v)
    theta = theta + spiked * theta_plus
    ref = xp.maximum(ref, 0.0) + spiked * (tau_ref - xp.maximum(ref, 0.0))
    return spiked, ConductanceLIFState(v, ge, gi, theta, ref)


def steady_conductance(xp, J, *, dt, tau_exc, method):
    """Settled conductance (time constant ``tau_exc``) at the start of a step under
    a constant input ``max(J, 0)``."""
    decay = DECAYS[method](xp, dt, tau_exc)
    return xp.maximum(J, 0.0) * dt / (1.0 - decay)


def refractory_steps(dt, tau_ref):
    """Steps with ``v`` held after a spike (the step of the spike not counted)."""
    n = 0
    ref = tau_ref
    while ref - dt >= 0.5 * dt:
        ref -= dt
        n += 1
    return n


def conductance_lif_rate(
    xp,
    J,
    *,
    dt,
    tau,
    tau_exc,
    tau_inh,
    v_rest,
    v_reset,
    e_exc,
    e_inh,
    v_threshold,
    threshold_offset,
    tau_ref,
    method,
):
    """Settled firing rate (Hz) under constant ``J``, with ``theta`` held at 0.

    Exact for the discrete step: with the conductances settled
    (:func:`steady_conductance`; ``g_e`` from ``J > 0``, ``g_i`` from ``J < 0``)
    the membrane map is linear, ``v_m = v_inf + (v_reset - v_inf) a^m`` after
    ``m`` integrating steps, so the period is ``refractory_steps + m`` steps with
    ``m`` the first integer where ``v_m`` exceeds the threshold. ``theta`` is
    held at 0: its time constant (1e4 s in the seeds) is far beyond any rate
    measurement; a learned ``theta`` adds to the threshold (construct the type
    with ``v_threshold`` raised by it).
    """
    ge = steady_conductance(xp, J, dt=dt, tau_exc=tau_exc, method=method)
    gi = steady_conductance(xp, -J, dt=dt, tau_exc=tau_inh, method=method)
    threshold = v_threshold - threshold_offset
    v_inf = (v_rest + ge * e_exc + gi * e_inh) / (1.0 + ge + gi)
    a = membrane_factor(xp, dt, ge + gi, tau=tau, method=method)
    fires = v_inf > threshold
    # safe operands: the untaken branches must stay finite (TF gradients)
    q = (v_inf - threshold) / xp.maximum(v_inf - v_reset, 1e-30)
    q = xp.where(fires & (q < 1), q, 0.5)
    a_safe = xp.where((a > 0) & (a < 1) & fires, a, 0.5)
    m = xp.floor(xp.log(q) / xp.log(a_safe)) + 1.0
    # a <= 0 or a reset above the threshold: the first integrating step fires
    m = xp.where((a <= 0) | (v_reset >= threshold), 1.0, xp.maximum(m, 1.0))
    period = (refractory_steps(dt, tau_ref) + m) * dt
    return xp.where(fires, 1.0 / period, 0.0)


def threshold_conductance(*, v_rest, e_exc, e_inh, v_threshold, threshold_offset):
    """Settled conductance at which ``v_inf`` reaches the threshold (``theta = 0``).

    Positive: the excitatory ``g_e`` needed; negative: minus the inhibitory
    ``g_i`` needed to hold a neuron whose rest is above the threshold.
    """
    threshold = v_threshold - threshold_offset
    if v_rest <= threshold:
        return (threshold - v_rest) / (e_exc - threshold)
    return -(v_rest - threshold) / (threshold - e_inh)
