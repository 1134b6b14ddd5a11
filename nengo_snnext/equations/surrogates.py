"""Surrogate spike functions: a smooth primitive ``g(x)`` and its derivative ``g'(x)``.

Surrogate-gradient training keeps the exact Heaviside spike ``S = [x > 0]`` in
the forward pass (``x`` is the distance of the membrane above threshold) and
uses ``dS/dx ~ g'(x)`` in the backward pass. Every ``g`` here rises from 0 to 1
(so ``g'`` integrates to 1 and peaks at ``x = 0``); ``alpha`` sets the
sharpness: a larger ``alpha`` gives a taller, narrower ``g'``.

The primitive ``g`` is the *smoothed reference*: replacing the Heaviside by
``g`` in a step equation gives a differentiable model whose one-step spike
gradient equals the surrogate gradient, which is how the backends are tested.

Thesis reference: C. Jiang, PhD thesis (2022), eq. 3.9 (arctan, derivative
only; the primitive is derived), with ``alpha = 2`` in ch. 2 (KLIF) and
``alpha = 3`` in ch. 3 (neural oscillation); see
``shared/spec/jiang-phd-thesis.md`` section 1.3.

All functions are pure and take the array namespace ``xp`` first
(:class:`nengo_snnext.ops.Ops`).
"""

import math
from typing import Callable, NamedTuple


def arctan(xp, x, *, alpha):
    """``g(x) = arctan(pi alpha x / 2) / pi + 1/2`` (primitive of thesis eq. 3.9)."""
    return xp.arctan(0.5 * math.pi * alpha * x) / math.pi + 0.5


def arctan_derivative(xp, x, *, alpha):
    """Thesis eq. 3.9: ``g'(x) = alpha / (2 (1 + (pi alpha x / 2)^2))``; ``g'(0) = alpha / 2``."""
    del xp
    return alpha / (2.0 * (1.0 + (0.5 * math.pi * alpha * x) ** 2))


def sigmoid(xp, x, *, alpha):
    """Logistic ``g(x) = 1 / (1 + exp(-alpha x))``; ``g'(0) = alpha / 4``."""
    return xp.sigmoid(alpha * x)


def sigmoid_derivative(xp, x, *, alpha):
    """``g'(x) = alpha g(x) (1 - g(x))``."""
    s = xp.sigmoid(alpha * x)
    return alpha * s * (1.0 - s)


def fast_sigmoid(xp, x, *, alpha):
    """SuperSpike-style ``g(x) = 1/2 + alpha x / (2 (1 + alpha |x|))``; ``g'(0) = alpha / 2``."""
    return 0.5 + 0.5 * alpha * x / (1.0 + alpha * xp.abs(x))


def fast_sigmoid_derivative(xp, x, *, alpha):
    """``g'(x) = alpha / (2 (1 + alpha |x|)^2)`` (Zenke & Ganguli 2018, normalised)."""
    return alpha / (2.0 * (1.0 + alpha * xp.abs(x)) ** 2)


def triangle(xp, x, *, alpha):
    """Piecewise quadratic ``g``: with ``u = clip(alpha x, -1, 1)``, ``g = 1/2 + u - u |u| / 2``."""
    u = xp.clip(alpha * x, -1.0, 1.0)
    return 0.5 + u - 0.5 * u * xp.abs(u)


def triangle_derivative(xp, x, *, alpha):
    """``g'(x) = alpha max(0, 1 - alpha |x|)`` (Esser et al. 2016, normalised); ``g'(0) = alpha``."""
    return alpha * xp.maximum(1.0 - alpha * xp.abs(x), 0.0)


def smoothed_current(xp, J, threshold, sigma):
    """``J_th + sigma softplus((J - J_th) / sigma)``: ``J`` with its threshold corner smoothed.

    Above threshold by many ``sigma`` it is ``J``; below, it stays above ``J_th``
    (a rate curve that is zero there gets a small, positive slope); at ``J_th``
    it is ``J_th + sigma ln 2``. The smoothed current of soft-LIF (Hunsberger &
    Eliasmith 2015, nengo's ``SoftLIFRate``), used by :func:`smoothed_rate`.
    """
    z = (J - threshold) / sigma
    # softplus(z) = max(z, 0) + log1p(exp(-|z|)) without overflow; max(z, 0) written
    # (z + |z|) / 2 so that autodiff gives the slope 1/2 at z = 0 (maximum gives 1)
    magnitude = xp.abs(z)
    return threshold + sigma * (0.5 * (z + magnitude) + xp.log1p(xp.exp(-magnitude)))


def smoothed_rate(xp, rate, J, threshold, sigma):
    """``sigmoid((J - J_th) / sigma) rate(smoothed_current(J))``: a rate with its threshold smoothed.

    A rate curve that is zero up to the threshold current ``J_th`` is ``H(J -
    J_th) rate(J)``. This replaces the step ``H`` by a logistic of width
    ``sigma`` and evaluates ``rate`` at :func:`smoothed_current`, where it is
    finite and smooth. Its derivative has both parts: the logistic's slope times
    the rate just above threshold (the jump of curves such as MIF's, which fires
    at tens of Hz as soon as it fires: the smoothed current alone would give
    that jump no slope), and the rate's slope at the smoothed current. Far
    below threshold it and its slope vanish; many ``sigma`` above it is
    ``rate(J)``. Rate training's ``smoothing`` (:mod:`nengo_snnext.training`)
    differentiates it in the backward pass only.
    """
    z = (J - threshold) / sigma
    return xp.sigmoid(z) * rate(smoothed_current(xp, J, threshold, sigma))


class Surrogate(NamedTuple):
    """A surrogate spike function: primitive, derivative and default sharpness.

    Attributes
    ----------
    name : str
        Key in :data:`SURROGATES`.
    primitive : callable
        ``g(xp, x, *, alpha)``, rising from 0 to 1.
    derivative : callable
        ``g'(xp, x, *, alpha)``, the backward-pass spike derivative.
    default_alpha : float
        ``alpha`` used when none is given.
    """

    name: str
    primitive: Callable
    derivative: Callable
    default_alpha: float


SURROGATES = {
    s.name: s
    for s in (
        # the thesis' surrogate; alpha = 2 as in ch. 2 (families may override)
        Surrogate("arctan", arctan, arctan_derivative, 2.0),
        # SpikingJelly's Sigmoid() default alpha
        Surrogate("sigmoid", sigmoid, sigmoid_derivative, 4.0),
        # SuperSpike's beta = 10 (Zenke & Ganguli 2018)
        Surrogate("fast_sigmoid", fast_sigmoid, fast_sigmoid_derivative, 10.0),
        # support width 2 / alpha = 2 around threshold (Esser et al. 2016 use 1)
        Surrogate("triangle", triangle, triangle_derivative, 1.0),
    )
}
"""All surrogates by name."""


def get_surrogate(name):
    """The :class:`Surrogate` called ``name``; a ``ValueError`` lists the valid names."""
    try:
        return SURROGATES[name]
    except KeyError:
        raise ValueError(
            f"unknown surrogate {name!r}; choose one of {sorted(SURROGATES)}"
        ) from None
