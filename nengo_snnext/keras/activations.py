"""The ReLU swap: which activations ``convert(neuron_type=...)`` replaces, and how.

A ReLU network converts to spiking neurons of a type with rate curve ``R(J)``
(Hz, ``neuron_type.rate_from_current``) if each layer's neurons get a gain
``g``, a bias ``b`` and an amplitude ``a`` with

.. math::

    a\\, R(g x + b) \\approx \\max(x, 0)

over the layer's pre-activations ``x``. :func:`fit_relu` chooses them from the
type's own curve, below its ceiling (the ``1/dt`` staircase top, or MIF's peak
before the depolarisation block), by least squares over the distribution of
``x`` measured on calibration samples: the error is weighted where the layer's
activations actually are, it includes the variance of a rate read from the
spikes of a presentation of ``steps`` steps (which rules out low-rate
solutions), and ``a`` is the closed-form best amplitude for each ``(g, b)``.
Gain and bias are affine, so they also apply to time-varying (spike-train)
input, which a nonlinear input map would distort.

:data:`ACTIVATION_TO_NEURON` is the one swap map: the Keras activations that
are swapped, each with the Nengo rate type that ``nengo_dl.Converter`` builds
for it (the ensembles the swap then re-types).
"""

from typing import NamedTuple

import nengo
import numpy as np
import tensorflow as tf
from nengo.exceptions import ValidationError

from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.neurons._stochastic import StochasticNeuronType

# Keras activation -> the Nengo rate neuron type nengo_dl.Converter builds for it
ACTIVATION_TO_NEURON = {
    tf.nn.relu: nengo.RectifiedLinear,
    tf.keras.activations.relu: nengo.RectifiedLinear,
}

TABLE_POINTS = 4001  # samples of the rate curve used by the fit
HISTOGRAM_BINS = 1024  # bins of the pre-activation distribution
COARSE_GRID = 41  # candidate currents per side of the threshold in the first search
FINE_GRID = 21  # and in the refinement around its best point
CEILING_FRACTION = 0.98  # the top of the usable curve: 98 % of the ceiling


class ReLUFit(NamedTuple):
    """Gain, bias and amplitude of one layer's neurons that approximate ReLU.

    Attributes
    ----------
    gain : float
        Current per unit of pre-activation.
    bias : float
        Current at pre-activation 0 (the layer's own biases come on top, times ``gain``).
    amplitude : float
        The neuron type's ``amplitude`` (output per spike times ``dt``).
    x_ref : float
        The pre-activation scale: the fit's percentile of the positive pre-activations.
    relative_error : float
        The rate curve's error ``mean((a R(g x + b) - relu(x))^2) / mean(relu(x)^2)``
        over the calibration pre-activations, with the exact curve.
    relative_noise : float
        The spike count's variance over the presentation, ``mean(a^2 var) /
        mean(relu(x)^2)`` (:func:`count_variance`).
    """

    gain: float
    bias: float
    amplitude: float
    x_ref: float
    relative_error: float
    relative_noise: float


def neuron_dt(neuron_type):
    """The time step the type's rates assume (its ``dt``; 1 ms for Nengo's own types)."""
    return float(getattr(neuron_type, "dt", 0.001))


def rate_function(neuron_type, dt, n_neurons=1):
    """Vectorised steady-state rate ``R(J)`` in Hz (without ``amplitude``).

    nengo-snnext types use ``rate_from_current``; for types that normalise over
    the ensemble (NoisyLIF) the currents are evaluated as rows of an ensemble of
    ``n_neurons``, so the curve is that of the layer. Nengo's own types use
    ``rates(J, gain=1, bias=0) / amplitude``.
    """
    if isinstance(neuron_type, SpikingNeuronType):
        if neuron_type.normalises_over_neurons:
            def rate(J):
                J = np.asarray(J, dtype=float)
                flat = J.ravel()
                rows = -(-flat.size // n_neurons)
                packed = np.resize(flat, rows * n_neurons).reshape(rows, n_neurons)
                rates = neuron_type.rate_from_current(packed, dt).ravel()
                return rates[: flat.size].reshape(J.shape)

            return rate
        return lambda J: np.asarray(neuron_type.rate_from_current(np.asarray(J, float), dt), float)

    amplitude = float(getattr(neuron_type, "amplitude", 1.0))

    def nengo_rate(J):
        J = np.asarray(J, dtype=float)
        rates = neuron_type.rates(J.ravel(), np.ones(1), np.zeros(1))
        return np.asarray(rates, dtype=float).reshape(J.shape) / amplitude

    return nengo_rate


def threshold_current(neuron_type, rate, dt):
    """The largest current that does not fire (``threshold_current``, or bisection)."""
    if isinstance(neuron_type, SpikingNeuronType):
        return float(np.max(neuron_type.threshold_current(dt)))
    low, high = -1e6, 1e6
    if rate(np.array([low]))[0] > 0 or rate(np.array([high]))[0] <= 0:
        raise ValidationError(
            f"{neuron_type} is not silent for very negative currents and active for "
            "large ones, so it has no ReLU-like rate curve to swap ReLU for",
            attr="neuron_type", obj=neuron_type,
        )
    for _ in range(200):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if rate(np.array([mid]))[0] <= 0 else (low, mid)
    return low


def usable_window(neuron_type, dt, n_neurons=1):
    """``(rate, J_threshold, J_top)``: the rising branch of the curve below its ceiling.

    ``J_top`` is the first current whose rate reaches 98 % of the ceiling:
    ``1/dt`` (one spike per step), or the highest rate of the curve if lower
    (MIF's peak before the depolarisation block, where the rate falls to 0).
    """
    rate = rate_function(neuron_type, dt, n_neurons)
    J_threshold = threshold_current(neuron_type, rate, dt)
    probe = J_threshold + np.geomspace(1e-6, 1e4, 2001) * max(1.0, abs(J_threshold))
    rates = rate(probe)
    ceiling = min(float(np.max(rates)), 1.0 / dt)
    if not ceiling > 0:
        raise ValidationError(
            f"{neuron_type} never fires above its threshold current {J_threshold:g}, so "
            "ReLU cannot be swapped for it",
            attr="neuron_type", obj=neuron_type,
        )
    J_top = float(probe[np.argmax(rates >= CEILING_FRACTION * ceiling)])
    return rate, J_threshold, J_top


def count_variance(neuron_type, rates, *, dt, steps):
    """Variance (Hz^2) of a neuron's rate read from its spike count over ``steps`` steps.

    Deterministic types: the count's quantisation, ``1 / (12 (steps dt)^2)``.
    Stochastic types add a binomial count, ``R (1 - R dt) / (steps dt)``.
    """
    variance = np.full_like(rates, 1.0 / (12.0 * (steps * dt) ** 2))
    if isinstance(neuron_type, StochasticNeuronType):
        variance = variance + np.clip(rates * (1.0 - rates * dt), 0, None) / (steps * dt)
    return variance


def fit_relu(neuron_type, preactivations, *, dt=None, n_neurons=1, steps=50,
             percentile=99.9):
    """Gain, bias and amplitude with ``a R(g x + b) ≈ relu(x)`` on ``preactivations``.

    Minimises, over the distribution of ``x``, the expected squared error of the
    rate read from ``steps`` steps of spikes: the rate curve's error ``(a R -
    relu(x))^2`` plus ``a^2`` times the spike count's variance
    (:func:`count_variance`). The second term keeps the rates high: a fit on the
    curve alone may pick a low, nearly linear stretch of it where a neuron fires
    a handful of spikes per presentation.

    Parameters
    ----------
    neuron_type : NeuronType
        A nengo-snnext type (or a Nengo type with ``rates``).
    preactivations : array_like
        The layer's pre-activations on calibration samples (any shape).
    dt : float, optional
        The simulator step the rates assume (default: the type's ``dt``).
    n_neurons : int
        Neurons of the layer (the ensemble size, for NoisyLIF's normalisation).
    steps : int
        The number of steps the spikes will be read over (the presentation).
    percentile : float
        Percentile of the positive pre-activations that sets the search scale
        ``x_ref``; the fit itself weighs every sample.

    Returns
    -------
    ReLUFit
    """
    dt = neuron_dt(neuron_type) if dt is None else float(dt)
    x = np.asarray(preactivations, dtype=float).ravel()
    positive = x[x > 0]
    if positive.size == 0:
        raise ValidationError(
            "the layer's pre-activations are never positive on the calibration data "
            "(the ReLU is always 0): pass calibration samples that activate it",
            attr="calibration_data", obj=neuron_type,
        )
    x_ref = float(np.percentile(positive, percentile))
    counts, edges = np.histogram(x, bins=HISTOGRAM_BINS)
    keep = counts > 0
    centres = (0.5 * (edges[:-1] + edges[1:]))[keep]
    weights = counts[keep] / counts.sum()
    target = np.maximum(centres, 0.0)

    rate, J_threshold, J_top = usable_window(neuron_type, dt, n_neurons)
    span = J_top - J_threshold
    # candidate currents at x = 0 (J0) and at x = x_ref (J1): evenly spaced, and finer
    # near the threshold (where staircase and LIF-like curves rise steeply)
    ladder = span * np.unique(np.concatenate([np.geomspace(1e-4, 1.0, COARSE_GRID),
                                              np.linspace(0.0, 1.0, COARSE_GRID)[1:]]))
    J0_grid = J_threshold + np.concatenate([-ladder[::-1], [0.0], ladder[ladder <= 0.5 * span]])
    J1_grid = J_threshold + ladder
    # the rate curve tabulated over every current the candidates reach on the data
    gain_max = (J1_grid[-1] - J0_grid[0]) / x_ref
    low = min(J0_grid[0] + gain_max * min(x.min(), 0.0), J_threshold - span)
    high = max(J1_grid[-1] + gain_max * max(x.max() - x_ref, 0.0), J_top + 3 * span)
    table_J = np.unique(np.concatenate([
        np.linspace(J_threshold - span, J_top + 3 * span, TABLE_POINTS),
        J_threshold + np.concatenate([-ladder, ladder]) / 100,
        np.linspace(low, high, TABLE_POINTS // 4),
    ]))
    table_r = rate(table_J)

    def errors(J0, J1, curve):
        """Amplitudes and expected squared errors for pairs of currents (J0, J1)."""
        gain = (J1 - J0) / x_ref
        R = curve(gain[..., None] * centres + J0[..., None])
        V = count_variance(neuron_type, R, dt=dt, steps=steps)
        amplitude = ((R * target) @ weights) / ((R * R + V) @ weights)
        curve_error = (weights * (amplitude[..., None] * R - target) ** 2).sum(axis=-1)
        noise = amplitude**2 * (V @ weights)
        return amplitude, curve_error, noise

    def search(J0, J1):
        J0, J1 = (grid.ravel() for grid in np.meshgrid(J0, J1))
        valid = J1 > J0
        J0, J1 = J0[valid], J1[valid]
        _, curve_error, noise = errors(J0, J1, lambda J: np.interp(J, table_J, table_r))
        best = int(np.argmin(curve_error + noise))
        return J0[best], J1[best]

    def around(grid, value):
        """``FINE_GRID`` points between the neighbours of ``value`` in ``grid``."""
        i = int(np.argmin(np.abs(grid - value)))
        return np.linspace(grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)], FINE_GRID)

    J0, J1 = search(J0_grid, J1_grid)
    J0, J1 = search(around(J0_grid, J0), around(J1_grid, J1))

    # the exact curve, over the data's whole range
    amplitude, curve_error, noise = errors(np.array(J0), np.array(J1), rate)
    if not amplitude > 0:
        raise ValidationError(
            f"{neuron_type} does not fire for this layer's pre-activations at any gain",
            attr="neuron_type", obj=neuron_type,
        )
    scale = (weights * target**2).sum()
    return ReLUFit(float((J1 - J0) / x_ref), float(J0), float(amplitude), x_ref,
                   float(curve_error / scale), float(noise / scale))
