"""NengoDL builder for the noise-trained LIF (Jiang 2022, ch. 4): ``NoisyLIF``.

The step is :func:`~nengo_snnext.equations.noisy_lif.noisy_lif_step` with the
raw noise ``eps`` drawn every step by the counter-based generators of
:func:`~.equation_builder.draw_noise`. Its normalisations (``max|eps|``, mean
and std of the membrane) reduce over the neurons of one ensemble, so the
equation is called once per ensemble (``per_ensemble``) and, with the minibatch
axis kept apart, once per sample: merged ensembles and minibatch neighbours
never share a normalisation.

Rate training uses the single-step (``T = 1``) tuning curve
``P(beta + r / 2 + J > V_th)`` for the ensemble's size ``n``: the neuron the
thesis trains (then runs multi-step, ``temporal=True``, without retraining) and
the curve ``gain_bias`` uses. It is piecewise linear in ``J`` inside the noise
range (the tabulated distribution of ``r = eps / max|eps|``) plus the two jumps
of ``1 / (2 n)`` where the ensemble's extreme neuron reaches the threshold
(their gradient is zero, as for any jump).
"""

from functools import lru_cache

import numpy as np

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.backends.dl.tabulated import evaluate_ppoly
from nengo_snnext.neurons._noisy_lif_rates import normalised_noise
from nengo_snnext.neurons.noisy_lif import NoisyLIF


class NormalisedNoiseTable:
    """The continuous part of the CDF of ``r`` as linear pieces, and the atoms' mass."""

    def __init__(self, kind, n):
        noise = normalised_noise(kind, n)
        t, cdf = np.asarray(noise.t), np.asarray(noise.cont_cdf)
        self.breaks = t
        self.coefficients = np.stack([np.diff(cdf) / np.diff(t), cdf[:-1]])
        self.total = float(noise.cont_total)
        self.atom = 0.5 / n


@lru_cache(maxsize=64)
def _noise_table(kind, n):
    return NormalisedNoiseTable(kind, n)


def single_step_rate(xp, J, *, dt, table, beta, threshold):
    """``P(beta + r / 2 + J > V_th) / dt`` (Hz), ``r`` of :class:`NormalisedNoiseTable`."""
    t = 2.0 * (threshold - beta - J)
    continuous = evaluate_ppoly(t, table.breaks, table.coefficients, left=0.0, right=table.total)
    cdf = continuous + table.atom * xp.cast(t >= -1.0, t)
    cdf = xp.where(t >= 1.0, 1.0 + 0.0 * t, cdf)
    return (1.0 - cdf) / dt


@register_neuron_builder(NoisyLIF)
class NoisyLIFBuilder(EquationBuilder):
    """Build a group of :class:`~nengo_snnext.neurons.noisy_lif.NoisyLIF` operators."""

    per_ensemble = True
    rate = staticmethod(single_step_rate)

    @staticmethod
    def rate_params(neuron_type, dt, n_neurons):
        """Single-step curve for an ensemble of ``n_neurons``."""
        return dict(
            table=_noise_table(neuron_type.noise, int(n_neurons)),
            beta=neuron_type.beta,
            threshold=neuron_type.threshold,
        )

    def rate_params_for_op(self, op, dt):
        return self.rate_params(op.neurons, dt, op.J.shape[0])
