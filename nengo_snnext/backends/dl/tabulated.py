"""Tabulated rate curves in TensorFlow: piecewise polynomials with scipy's layout.

Some rates have no closed form (stochastic neurons: a renewal chain solved in
numpy and interpolated with PCHIP; deterministic neurons whose period is found
by iterating the step). The numpy side builds a ``scipy.interpolate.PPoly``-like
table once per parameter set; :func:`evaluate_ppoly` evaluates the same
polynomial pieces in TensorFlow, so ``training_step`` equals ``rates()`` and is
differentiable in ``J``.
"""

import numpy as np
import tensorflow as tf


def evaluate_ppoly(J, breaks, coefficients, *, left, right):
    """Evaluate a piecewise polynomial at ``J`` (any shape).

    Parameters
    ----------
    J : tf.Tensor
        Where to evaluate.
    breaks : array, shape (m + 1,)
        Increasing breakpoints ``x_0 < ... < x_m``.
    coefficients : array, shape (k, m)
        ``c[j, i]`` multiplies ``(J - x_i)^(k - 1 - j)`` on ``[x_i, x_{i+1}]``
        (the layout of ``scipy.interpolate.PPoly.c``).
    left, right : float
        Value below ``x_0`` and above ``x_m``.
    """
    dtype = J.dtype
    x = tf.constant(np.asarray(breaks), dtype)
    c = tf.constant(np.asarray(coefficients), dtype)
    n_pieces = int(np.shape(coefficients)[1])
    inside = tf.clip_by_value(J, x[0], x[-1])
    flat = tf.reshape(inside, [-1])
    piece = tf.clip_by_value(tf.searchsorted(x, flat, side="right") - 1, 0, n_pieces - 1)
    dx = flat - tf.gather(x, piece)
    value = tf.gather(c[0], piece)
    for row in range(1, int(np.shape(coefficients)[0])):
        value = value * dx + tf.gather(c[row], piece)
    value = tf.reshape(value, tf.shape(J))
    left = tf.constant(left, dtype)
    right = tf.constant(right, dtype)
    return tf.where(J < x[0], left, tf.where(J > x[-1], right, value))
