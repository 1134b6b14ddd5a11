"""Neural-oscillation neurons (Jiang 2022, ch. 3): one source of truth.

Thesis reference: eqs. 3.1, 3.10-3.14 and section 3.6.3; see
``shared/spec/jiang-phd-thesis.md`` sections 1.5, 1.6, 5.2 and 5.3.

Both neurons charge like the lambda-form LIF (eq. 3.1,
``H_t = lambda V_{t-1} + g J_t``), pass the charged potential through the
V-shaped ``f`` of eq. 3.13 and fire on ``P_t > V_th`` with a hard reset to 0
(eqs. 3.11-3.12). The state keeps ``P_t``, so whatever was added before ``f``
(the noise ``gamma``, or the deterministic term of the alternative neuron) is
carried into the membrane.

- :func:`oscillation_step`: ``P_t = f(H_t + gamma_t)`` (eq. 3.10). The noise
  sample ``gamma_t`` is an argument: the equation never draws (see
  :mod:`nengo_snnext.equations.noise`).
- :func:`alt_oscillation_step`: ``P_t = f(H_t + F(H_t))`` with ``F`` one of the
  forms F1-F4 (eq. 3.14 is F1, ``sin(H + c) + d``).

All functions are pure and take the array namespace ``xp`` first.
"""

from typing import Any, NamedTuple

from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.noise import noise_cdf

ALT_FORMS = ("F1", "F2", "F3", "F4")
ALT_FORM_ALIASES = {"sin": "F1"}


class OscillationState(NamedTuple):
    """State of :class:`.NeuralOscillation` and :class:`.AltNeuralOscillation`."""

    voltage: Any


def v_shape(xp, x, negative_slope):
    """Eq. 3.13: ``f(x) = x`` for ``x >= 0`` and ``negative_slope * x`` below.

    With the published ``negative_slope = -0.03`` (the thesis code's
    ``LeakyReLU(negative_slope=-0.03)``) ``f`` is V-shaped: negative potentials
    map to small *positive* values, and ``x < V_th / negative_slope`` (about
    -33.3) fires.
    """
    return xp.where(x >= 0, x, negative_slope * x)


def oscillation_step(
    xp,
    dt,
    J,
    state,
    *,
    gamma,
    leak,
    input_gain,
    threshold,
    negative_slope,
    spike=heaviside,
):
    """One step of the neural-oscillation neuron (eqs. 3.1, 3.10-3.13).

    .. math::

        H_t &= \\lambda V_{t-1} + g J_t \\\\
        P_t &= f(H_t + \\gamma_t) \\\\
        S_t &= [P_t > V_{th}] \\\\
        V_t &= P_t (1 - S_t)

    ``gamma`` is the noise sample ``gamma_t`` (same shape as ``J``), drawn by the
    caller from the neuron's noise distribution. Returns
    ``(spikes, OscillationState)`` with spikes in {0, 1}.
    """
    del dt  # folded into leak and input_gain
    H = leak * state.voltage + input_gain * J
    P = v_shape(xp, H + gamma, negative_slope)
    S = spike(xp, P - threshold)
    return S, OscillationState(P * (1.0 - S))


def _f1(xp, H, c, d):
    return xp.sin(H + c) + d


def _f2(xp, H, c, d):
    return H * xp.sin(H + c) + d


def _f3(xp, H, c, d):
    return xp.exp(H + c) + d


def _f4(xp, H, c, d):
    return xp.sigmoid(c * H) + d


_ALT_TERMS = {"F1": _f1, "F2": _f2, "F3": _f3, "F4": _f4}


def alt_term(xp, H, *, form, c, d):
    """The deterministic term ``F(H)`` that replaces the noise (section 3.6.3).

    ``F1 = sin(H + c) + d`` (eq. 3.14), ``F2 = H sin(H + c) + d``,
    ``F3 = exp(H + c) + d``, ``F4 = 1 / (1 + exp(-c H)) + d``. The thesis writes
    F2-F4 in an undefined ``x``; it is read here as ``x = H(t)``, the argument of
    F1, so that every form is a function of the charged potential alone.
    """
    return _ALT_TERMS[ALT_FORM_ALIASES.get(form, form)](xp, H, c, d)


def alt_potential(xp, H, *, form, c, d, negative_slope):
    """``P = f(H + F(H))``: the alternative neuron's potential (eq. 3.14)."""
    return v_shape(xp, H + alt_term(xp, H, form=form, c=c, d=d), negative_slope)


def alt_oscillation_step(
    xp,
    dt,
    J,
    state,
    *,
    leak,
    input_gain,
    threshold,
    negative_slope,
    form,
    c,
    d,
    spike=heaviside,
):
    """One step of the alternative neural-oscillation neuron (eq. 3.14, F1-F4).

    .. math::

        H_t &= \\lambda V_{t-1} + g J_t \\\\
        P_t &= f(H_t + F(H_t)), \\quad F_1(H) = \\sin(H + c) + d \\\\
        S_t &= [P_t > V_{th}] \\\\
        V_t &= P_t (1 - S_t)

    Deterministic. Returns ``(spikes, OscillationState)``.
    """
    del dt
    H = leak * state.voltage + input_gain * J
    P = alt_potential(xp, H, form=form, c=c, d=d, negative_slope=negative_slope)
    S = spike(xp, P - threshold)
    return S, OscillationState(P * (1.0 - S))


def oscillation_spike_probability(xp, H, *, distribution, threshold, negative_slope):
    """Single-step firing probability ``P(f(H + gamma) > V_th | H)``.

    .. math::

        P(S = 1 \\mid H) = 1 - F_\\gamma(V_{th} - H)
            + [s < 0]\\, F_\\gamma(V_{th} / s - H)

    where ``F_gamma`` is the CDF of the noise ``distribution`` and ``s`` the negative slope (the second
    term is the V-shape's firing for very negative ``H``). For
    ``gamma ~ U[-0.2, 0.8]`` and ``V_th = 1`` the first term is
    ``clip(H - 0.2, 0, 1)`` (spec 5.2). This is the probability of one step from
    a given ``H``; the steady-state rate, where ``V`` carries the previous
    step's noise, is computed by :meth:`.NeuralOscillation.rates`.
    """
    p = 1.0 - noise_cdf(xp, distribution, threshold - H)
    if negative_slope < 0:
        p = p + noise_cdf(xp, distribution, threshold / negative_slope - H)
    return p
