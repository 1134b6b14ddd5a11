"""Tabulated rate curves: piecewise polynomials evaluated with any array namespace.

Some rates have no closed form: the stationary rate of a stochastic neuron (a
renewal chain solved once in numpy), the smoothed staircase of a neuron whose
period is found by iterating its step, the single-step rate of an ensemble-
normalised noise. Their tables are built once per parameter set in numpy
(``neurons/``) as a :class:`PiecewisePolynomial` in scipy's ``PPoly`` layout,
and :func:`evaluate` computes the same pieces with ``xp``, so ``rates()`` (numpy),
NengoDL's ``training_step`` and the Keras layers (TensorFlow) evaluate one
function and agree to rounding.
"""

import numpy as np
from scipy.interpolate import PchipInterpolator


class PiecewisePolynomial:
    """A polynomial per interval, constant outside the breakpoints.

    Hashable by identity: tables come from caches, so operators with the same
    parameters share one table.

    Parameters
    ----------
    breaks : array, shape (m + 1,)
        Increasing breakpoints ``x_0 < ... < x_m``.
    coefficients : array, shape (k, m)
        ``c[j, i]`` multiplies ``(J - x_i)^(k - 1 - j)`` on ``[x_i, x_{i+1}]``
        (the layout of ``scipy.interpolate.PPoly.c``).
    left, right : float
        Value below ``x_0`` and above ``x_m``.
    """

    def __init__(self, breaks, coefficients, *, left, right):
        self.breaks = np.asarray(breaks, dtype=float)
        self.coefficients = np.asarray(coefficients, dtype=float)
        self.left = float(left)
        self.right = float(right)

    @classmethod
    def pchip(cls, nodes, values, *, left, right):
        """The monotone PCHIP interpolant through ``(nodes, values)``."""
        interpolant = PchipInterpolator(nodes, values, extrapolate=False)
        return cls(interpolant.x, interpolant.c, left=left, right=right)

    @classmethod
    def linear(cls, nodes, values, *, left, right):
        """Straight lines between ``(nodes, values)`` (``numpy.interp``)."""
        nodes, values = np.asarray(nodes, dtype=float), np.asarray(values, dtype=float)
        slopes = np.diff(values) / np.diff(nodes)
        return cls(nodes, np.stack([slopes, values[:-1]]), left=left, right=right)


def evaluate(xp, J, table):
    """``table`` at ``J`` (any shape), in the floating dtype of ``J``."""
    inside = xp.clip(J, table.breaks[0], table.breaks[-1])
    # the interior breakpoints number the pieces 0 ... m - 1 (the last one closed)
    piece = xp.searchsorted(table.breaks[1:-1], inside)
    dx = inside - xp.take(table.breaks, piece, J)
    value = xp.take(table.coefficients[0], piece, J)
    for row in table.coefficients[1:]:
        value = value * dx + xp.take(row, piece, J)
    below = xp.where(J < table.breaks[0], table.left + 0.0 * J, value)
    return xp.where(J > table.breaks[-1], table.right + 0.0 * J, below)


def tabulated_rate(xp, J, *, dt, table):
    """Rate (Hz) ``clip(table(J), 0, 1) / dt`` of a per-step spike-probability table."""
    return xp.clip(evaluate(xp, J, table), 0.0, 1.0) / dt
