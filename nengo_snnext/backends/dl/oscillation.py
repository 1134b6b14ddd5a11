"""NengoDL builders for the neural-oscillation neurons (Jiang 2022, ch. 3).

``NeuralOscillation`` is stochastic: every step the builder draws the noise
``gamma`` of the type's distribution (``noise_spec()``) with counter-based
TensorFlow generators (see :func:`~.equation_builder.draw_noise`: reproducible
for a fixed seed, independent of the minibatch size and of the other elements)
and passes it to :func:`~nengo_snnext.equations.oscillation.oscillation_step`.
Its rate for training is the type's exact stationary rate curve (a renewal
chain tabulated and PCHIP-interpolated in numpy, ``rate_curve(dt)``), evaluated
piece by piece in TensorFlow, so ``training_step`` equals ``rates()``.

``AltNeuralOscillation`` is deterministic; its exact rate is a staircase of
periods found by iterating the step, so training uses a smoothed rate: the
monotone PCHIP interpolant through the band centres ``(current_for_period(n),
1 / (n dt))`` for ``n = 1 ... SMOOTH_PERIODS`` and through ``(threshold_current,
0)``. It equals the staircase at every band centre (where ``gain_bias`` puts
``max_rates``), like :func:`~nengo_snnext.equations.lif.smooth_discrete_rate`.

Both take a ``spike=`` function, so surrogate training works; the default
arctan sharpness is the thesis' chapter-3 value ``alpha = 3``.
"""

from functools import lru_cache

import numpy as np
from scipy.interpolate import PchipInterpolator

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.backends.dl.tabulated import evaluate_ppoly
from nengo_snnext.neurons.oscillation import AltNeuralOscillation, NeuralOscillation

SMOOTH_PERIODS = 32
"""Longest period (steps) whose band centre is a node of the smoothed Alt rate."""


class TabulatedRate:
    """A rate table: per-step spike probability as a PPoly, outside values, dt scale.

    Hashable by identity; the builders get it from caches, so operators with the
    same parameters share one table (and one run).
    """

    def __init__(self, breaks, coefficients, left, right):
        self.breaks = np.asarray(breaks, dtype=float)
        self.coefficients = np.asarray(coefficients, dtype=float)
        self.left = float(left)
        self.right = float(right)

    @classmethod
    def from_pchip(cls, nodes, values, *, left, right):
        interpolant = PchipInterpolator(nodes, values, extrapolate=False)
        return cls(interpolant.x, interpolant.c, left, right)


def tabulated_rate(xp, J, *, dt, table):
    """Rate (Hz) ``clip(table(J), 0, 1) / dt`` of a per-step probability table."""
    p = evaluate_ppoly(J, table.breaks, table.coefficients, left=table.left, right=table.right)
    return xp.clip(p, 0.0, 1.0) / dt


# id(curve) -> (curve, table); keeping the curve alive keeps its id unique
_OSCILLATION_TABLES = {}


def _oscillation_table(curve):
    """The TF table of a ``RateCurve`` (the curves themselves are cached upstream)."""
    if id(curve) not in _OSCILLATION_TABLES:
        table = TabulatedRate(
            curve.interpolant.x, curve.interpolant.c, curve.left, curve.right
        )
        _OSCILLATION_TABLES[id(curve)] = (curve, table)
    return _OSCILLATION_TABLES[id(curve)][1]


@register_neuron_builder(NeuralOscillation)
class NeuralOscillationBuilder(EquationBuilder):
    """Build a group of :class:`~nengo_snnext.neurons.oscillation.NeuralOscillation` operators."""

    thesis_alpha = 3.0
    rate = staticmethod(tabulated_rate)

    @staticmethod
    def rate_params(neuron_type, dt):
        """The type's exact stationary rate curve (cached per parameter set)."""
        return dict(table=_oscillation_table(neuron_type.rate_curve(dt)))


@lru_cache(maxsize=64)
def _alt_table(neuron_type, dt):
    periods = np.arange(1, SMOOTH_PERIODS + 1)
    centres = neuron_type.current_for_period(periods, dt)
    nodes = np.concatenate([[neuron_type.threshold_current(dt)], centres[::-1]])
    values = np.concatenate([[0.0], 1.0 / periods[::-1]])
    return TabulatedRate.from_pchip(nodes, values, left=0.0, right=1.0)


@register_neuron_builder(AltNeuralOscillation)
class AltNeuralOscillationBuilder(EquationBuilder):
    """Build a group of :class:`~nengo_snnext.neurons.oscillation.AltNeuralOscillation` operators."""

    thesis_alpha = 3.0
    rate = staticmethod(tabulated_rate)

    @staticmethod
    def rate_params(neuron_type, dt):
        """Smoothed rate through the band centres (cached per neuron type and dt)."""
        return dict(table=_alt_table(neuron_type, dt))
