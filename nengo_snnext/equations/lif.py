"""Discrete-time LIF and KLIF: the one source of truth for their equations.

Thesis reference: C. Jiang, PhD thesis (2022), eqs. 2.1-2.7, 2.10, 3.1-3.3;
see ``shared/spec/jiang-phd-thesis.md`` sections 1.1, 1.2, 1.4 and 5.2.

One call of a ``*_step`` function is one thesis time step. With the simulator
step ``dt`` and the membrane time constant ``tau`` (seconds), the leak is
``lambda = 1 - dt / tau`` (forward Euler of eq. 2.1). The input gain is
``dt / tau`` for the tau-form (eq. 2.2) and ``1`` for the lambda-form (eq. 3.1).

All functions are pure and take the array namespace ``xp`` first
(:class:`nengo_snnext.ops.Ops`), so numpy and TensorFlow run the same code.
"""

from typing import Any, NamedTuple

INPUT_SCALINGS = ("tau", "none")
ACTIVATIONS = ("relu", "celu", "leaky_relu")


class LIFState(NamedTuple):
    """State of :class:`.DiscreteLIF` and :class:`.KLIF` (same order as ``state``)."""

    voltage: Any


def discrete_coefficients(dt, tau, input_scaling):
    """Return ``(leak, input_gain)`` of one Euler step of eq. 2.1.

    ``leak = 1 - dt / tau``; ``input_gain = dt / tau`` for ``"tau"`` (eq. 2.2)
    or ``1`` for ``"none"`` (eq. 3.1).
    """
    ratio = dt / tau
    gain = {"tau": ratio, "none": 1.0}[input_scaling]
    return 1.0 - ratio, gain


def heaviside(xp, x):
    """Spike function ``S = [x > 0]`` (strict, eq. 2.3), as a float array."""
    return xp.cast(x > 0, x)


def activation(xp, x, *, name, celu_alpha, negative_slope):
    """The KLIF activation ``act`` of eq. 2.5 (``relu``, ``celu`` or ``leaky_relu``).

    ``celu(x) = max(0, x) + min(0, alpha (exp(x / alpha) - 1))`` and
    ``leaky_relu(x) = x`` for ``x >= 0``, ``negative_slope * x`` otherwise.
    """
    if name == "relu":
        return xp.maximum(x, 0.0)
    if name == "celu":
        negative = celu_alpha * xp.expm1(xp.minimum(x, 0.0) / celu_alpha)
        return xp.maximum(x, 0.0) + negative
    return xp.where(x >= 0, x, negative_slope * x)


def discrete_lif_step(
    xp, dt, J, state, *, leak, input_gain, threshold, reset, spike=heaviside
):
    """One step of the thesis LIF (eqs. 2.2-2.4 or 3.1-3.3).

    .. math::

        H_t &= \\lambda V_{t-1} + g X_t \\\\
        S_t &= [H_t > V_{th}] \\\\
        V_t &= H_t (1 - S_t) + V_{reset} S_t

    ``spike(xp, H - threshold)`` returns the spikes; the default is the exact
    Heaviside, a surrogate-gradient backend passes its own. Returns
    ``(spikes, LIFState)`` with spikes in {0, 1}.
    """
    del dt  # the step size is folded into leak and input_gain
    H = leak * state.voltage + input_gain * J
    S = spike(xp, H - threshold)
    return S, LIFState(H * (1.0 - S) + reset * S)


def klif_step(
    xp,
    dt,
    J,
    state,
    *,
    k,
    leak,
    input_gain,
    threshold,
    activation_name,
    celu_alpha,
    negative_slope,
    scale_reset,
    spike=heaviside,
):
    """One step of KLIF (eqs. 2.2, 2.5-2.7) or KLIF* (eq. 2.10).

    .. math::

        H_t &= \\lambda V_{t-1} + g X_t \\\\
        F_t &= \\mathrm{act}(k H_t) \\\\
        S_t &= [F_t > V_{th}] \\\\
        V_t &= F_t (1 - S_t) \\quad \\text{(KLIF)}, \\qquad
        V_t = \\frac{F_t}{k} (1 - S_t) \\quad \\text{(KLIF*)}
    """
    del dt
    H = leak * state.voltage + input_gain * J
    F = activation(
        xp, k * H, name=activation_name, celu_alpha=celu_alpha,
        negative_slope=negative_slope,
    )
    S = spike(xp, F - threshold)
    kept = F / k if scale_reset else F
    return S, LIFState(kept * (1.0 - S))


def linear_period(xp, drive, *, leak, threshold, reset):
    """Continuous period of a discrete linear integrator started at ``reset``.

    The membrane ``H_n = leak^n reset + drive (1 + leak + ... + leak^{n-1})``
    first exceeds ``threshold`` at step ``n* = floor(T) + 1``, where

    .. math::

        T = \\frac{\\ln(1 - (1 - q) d / a)}{\\ln q}, \\quad
        a = \\text{drive} - (1 - q)\\,\\text{reset}, \\quad d = V_{th} - \\text{reset}

    (``T = d / a`` for ``q = 1``; ``T = 0`` for ``q = 0``). Valid for any leak
    ``q >= 0``, including ``q > 1`` (self-amplification, KLIF with k > 2).

    Returns ``(T, fires)``: ``fires`` is False where the neuron never reaches
    threshold (then ``T`` is a finite placeholder, safe for gradients).
    """
    a = drive - (1.0 - leak) * reset
    d = threshold - reset
    positive = a > 0
    a_safe = xp.where(positive, a, 1.0)
    z = (1.0 - leak) * d / a_safe
    reaches = positive & (z < 1)
    z_safe = xp.where(reaches, z, 0.0)
    unit = leak == 1
    zero = leak == 0
    q_safe = xp.where(unit | zero, 0.5, leak + 0.0 * a)
    T_geometric = xp.log1p(-z_safe) / xp.log(q_safe)
    T = xp.where(unit, d / a_safe, xp.where(zero, 0.0 * a, T_geometric))
    return T, reaches


def linear_drive_for_period(xp, T, *, leak, threshold, reset):
    """Inverse of :func:`linear_period`: the drive whose continuous period is T."""
    d = threshold - reset
    if leak == 1:
        a = d / T
    else:
        a = (1.0 - leak) * d / (1.0 - leak**T)
    return a + (1.0 - leak) * reset


def discrete_rate(xp, drive, *, dt, leak, threshold, reset):
    """Exact steady-state rate (Hz) of a discrete integrator with hard reset.

    Period ``n* = floor(T) + 1`` steps (see :func:`linear_period`), so the rate
    is ``1 / (n* dt)``: a staircase in the input.
    """
    T, fires = linear_period(xp, drive, leak=leak, threshold=threshold, reset=reset)
    return xp.where(fires, 1.0 / ((xp.floor(T) + 1.0) * dt), 0.0 * T)


def klif_linear_parameters(*, k, leak, input_gain, threshold, scale_reset):
    """Map KLIF/KLIF* onto an equivalent discrete linear integrator.

    For non-negative input every KLIF activation is the identity on ``k H >= 0``,
    so KLIF is a discrete LIF with leak ``k lambda``, input gain ``k g``,
    threshold ``V_th``, reset 0 and floor 0 (spec 5.2), and KLIF* is a discrete
    LIF with leak ``lambda``, gain ``g`` and threshold ``V_th / k``. Negative
    input never fires either. Returns ``(leak, input_gain, threshold)``.
    """
    if scale_reset:
        return leak, input_gain, threshold / k
    return k * leak, k * input_gain, threshold


def smooth_discrete_rate(xp, drive, *, dt, leak, threshold, reset):
    """Differentiable steady-state rate (Hz): :func:`discrete_rate` with the steps smoothed.

    The exact rate ``1 / ((floor(T) + 1) dt)`` is a staircase in the drive, so
    its gradient is zero almost everywhere and training cannot use it. This
    replaces ``floor(T) + 1`` by ``T + 1/2``, using the continuous period ``T``
    of :func:`linear_period`, and saturates at the top band:

    .. math::

        r_s = \\frac{1}{(\\max(T, 1/2) + 1/2)\\, dt} \\quad \\text{where the
        neuron fires, } 0 \\text{ elsewhere.}

    Band ``n`` (period ``n`` steps) is ``T in [n - 1, n)``; at its centre
    ``T = n - 1/2``, where ``gain_bias`` places ``max_rates``, ``r_s`` equals the
    staircase value ``1 / (n dt)`` exactly; inside band ``n >= 2`` it lies in
    ``(1 / ((n + 1/2) dt), 1 / ((n - 1/2) dt)]``. For ``T <= 1/2`` (the
    neuron fires every step) ``r_s = 1 / dt`` like the staircase. ``r_s`` is
    continuous in the drive; its derivative has kinks only at the firing onset
    (like ``nengo.LIFRate``) and at ``T = 1/2``.
    """
    T, fires = linear_period(xp, drive, leak=leak, threshold=threshold, reset=reset)
    return xp.where(fires, 1.0 / ((xp.maximum(T, 0.5) + 0.5) * dt), 0.0 * T)


def lif_rate(xp, J, *, dt, leak, input_gain, threshold, reset):
    """Exact rate (Hz) of ``H = leak V + input_gain J`` (:func:`discrete_rate`)."""
    return discrete_rate(xp, input_gain * J, dt=dt, leak=leak, threshold=threshold, reset=reset)


def lif_smooth_rate(xp, J, *, dt, leak, input_gain, threshold, reset):
    """Differentiable rate (Hz) of ``H = leak V + input_gain J`` (:func:`smooth_discrete_rate`)."""
    return smooth_discrete_rate(
        xp, input_gain * J, dt=dt, leak=leak, threshold=threshold, reset=reset
    )
