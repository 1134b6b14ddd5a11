"""Noise-trained LIF (``NoisyLIF``, Jiang 2022 ch. 4)."""

import warnings

import numpy as np
from nengo.dists import Choice
from nengo.params import BoolParam, EnumParam

from nengo_snnext.equations.noisy_lif import (
    NOISY_LIF_NOISES,
    NoisyLIFState,
    noisy_lif_single_step_rate,
    noisy_lif_step,
    raw_noise_distribution,
)
from nengo_snnext.neurons._base import SurrogateDefault
from nengo_snnext.neurons._noisy_lif_rates import (
    continuous_cdf_table,
    single_step_current,
    temporal_rates,
)
from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.neurons._stochastic import StochasticNeuronType


class NoisyLIFRatesWarning(UserWarning):
    """``rates()`` of ``NoisyLIF(temporal=True)`` are approximate (NEF decoders are biased)."""


class NoisyLIF(StochasticNeuronType):
    """Noise-trained LIF (Jiang 2022, ch. 4): bounded, ensemble-normalised noise.

    Single step (``temporal=False``, eq. 4.5, the neuron the thesis trains with):

    .. math::

        H_t = \\beta + \\tfrac{1}{2} r_t + J_t, \\qquad
        r_t = \\epsilon_t / \\max_{\\text{ensemble}} |\\epsilon_t|

    Temporally coupled multi-step (``temporal=True``, eqs. 4.6-4.9, the
    inference neuron, used without retraining):

    .. math::

        \\hat{A}_t &= (V_{t-1} - \\mu_t) / \\sigma_t \\\\
        H_t &= \\frac{\\hat{A}_t}{\\alpha \\max|\\hat{A}_t|} + \\beta
            + \\left(\\tfrac{1}{2} - \\tfrac{1}{\\alpha}\\right) r_t + J_t

    and in both ``S_t = [H_t > V_th]``, ``V_t = H_t (1 - S_t)``. The added noise
    lies in ``[beta - 1/2, beta + 1/2]`` (``[0, 1]``, mean 0.5 in the thesis);
    the coupling term in ``beta +/- 1/alpha`` and ``N'`` in
    ``+/- (1/2 - 1/alpha)``. ``eps`` is drawn per neuron and per step from the
    simulator's seeded generator: ``N(0, 1)`` (default) or ``U[-1, 1]``.

    The thesis normalises over a whole batch-by-layer tensor; here mean, std and
    max are taken over the ensemble's neurons at each step (what a Nengo
    ensemble can do causally; a NengoDL minibatch is normalised per sample).
    ``lambda`` of eq. 4.7 cancels in the normalisation, so there is no ``tau``.

    ``rates()`` with ``n`` neurons in the ensemble (the last axis of the
    currents): single step, exact (uniform noise:
    ``(1 - 1/n) clip(J + beta + 1/2 - V_th, 0, 1)`` plus the two ``1/(2n)``
    atoms of the maximum; Gaussian noise: quadrature of the exact distribution
    of ``r``). Temporal: a neuron's rate depends on the whole ensemble's input,
    so ``rates()`` solves the ensemble self-consistently in the mean-field
    approximation (:mod:`nengo_snnext.neurons._noisy_lif_rates`), per input
    row; it can be off by hundreds of Hz for single neurons of a heterogeneous
    ensemble, so ``rates()`` warns (:class:`NoisyLIFRatesWarning`): decoders
    that Nengo solves from them are biased. Use ``temporal=False`` for NEF
    decoding (the thesis also trains the single-step neuron). ``gain_bias`` and
    ``max_rates_intercepts`` refer to the single-step
    (uncoupled) tuning curve in both modes, the curve the thesis trains; the
    intercept ``V_th - beta - 1/2`` is exact in both modes (below it no noise
    value can reach the threshold).

    Parameters
    ----------
    alpha : float
        Scale of the coupling term, above 2 (``alpha = 2`` leaves no independent
        noise: neurons driven alike then stay synchronised).
    beta : float
        Mean of the added noise.
    noise : {"gaussian", "uniform"}
        Distribution of the raw noise ``eps`` before max-normalisation.
    temporal : bool
        Temporally coupled multi-step neuron (eqs. 4.6-4.9) or single step (4.5).
    threshold : float
        Firing threshold ``V_th`` (strict ``>``).
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Time step (s) assumed by ``rates``/``gain_bias``.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (default 0, as the thesis starts every sample).

    Attributes
    ----------
    voltage : state
        Membrane ``V = H (1 - S)``.

    References
    ----------
    .. [1] C. Jiang, "Bio-inspired spiking neural network algorithm development
       and tactile signal processing", PhD thesis, Univ. of Canterbury, 2022.
    """

    state = {"voltage": Choice([0.0])}
    state_class = NoisyLIFState
    equation = staticmethod(noisy_lif_step)
    sample_argument = "epsilon"
    rate_equation = staticmethod(noisy_lif_single_step_rate)
    surrogate = SurrogateDefault("arctan")
    normalises_over_neurons = True

    alpha = FiniteNumberParam("alpha", low=2, low_open=True)
    beta = FiniteNumberParam("beta")
    noise = EnumParam("noise", values=NOISY_LIF_NOISES)
    temporal = BoolParam("temporal")
    threshold = FiniteNumberParam("threshold")

    def __init__(
        self,
        alpha=4.0,
        beta=0.5,
        noise="gaussian",
        temporal=True,
        threshold=1.0,
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.alpha = alpha
        self.beta = beta
        self.noise = noise
        self.temporal = temporal
        self.threshold = threshold

    def noise_distribution(self):
        return raw_noise_distribution(self.noise)

    def equation_params(self, dt):
        return dict(alpha=self.alpha, beta=self.beta, threshold=self.threshold,
                    temporal=self.temporal)

    def rate_params(self, dt, n_neurons=None):
        """The single-step curve of an ensemble of ``n_neurons`` (the tuning curve)."""
        n = 1 if n_neurons is None else int(n_neurons)
        return dict(
            continuous_cdf=continuous_cdf_table(self.noise, n), atom=0.5 / n,
            beta=self.beta, threshold=self.threshold,
        )

    def single_step_probability(self, J):
        """Exact spike probability per step of the single-step neuron (rows of ``J``)."""
        return self.rate_from_current(J, self.dt) * self.dt

    def spike_probability(self, J):
        """Expected spikes per step for the currents ``J`` (rows are ensemble inputs)."""
        if not self.temporal:
            return self.single_step_probability(J)
        J = np.asarray(J, dtype=float)
        rates, _, _ = temporal_rates(
            J.reshape(-1, J.shape[-1]), alpha=self.alpha, beta=self.beta,
            threshold=self.threshold, kind=self.noise,
        )
        return rates.reshape(J.shape)

    def rates(self, x, gain, bias, dt=None):
        """Expected firing rates (Hz); each row of currents is one ensemble input.

        With ``temporal=True`` these are the mean-field rates of
        :func:`~nengo_snnext.neurons._noisy_lif_rates.temporal_rates` and a
        :class:`NoisyLIFRatesWarning` says so: Nengo solves decoders from
        ``rates()``, and a neuron's actual rate depends on the whole ensemble's
        input, so NEF decoders come out biased. ``temporal=False`` is exact.
        """
        if self.temporal:
            warnings.warn(NoisyLIFRatesWarning(
                f"{self}: rates() of the temporally coupled neuron (temporal=True) are a "
                "mean-field approximation; each neuron's rate depends on the whole "
                "ensemble's input, so decoders solved from them are biased (a default "
                "300-neuron ensemble decodes a constant 0.5 about 0.25 too low). For NEF "
                "decoding use NoisyLIF(temporal=False), whose rates() are exact, or solve "
                "the decoders from simulated activities."
            ))
        dt = self.rate_dt(dt)
        return self.amplitude / dt * self.spike_probability(self.current(x, gain, bias))

    def threshold_current(self, dt=None):
        """Largest current that never fires: ``V_th - beta - 1/2`` (both modes)."""
        return self.threshold - self.beta - 0.5

    def check_max_rates(self, max_rates, dt):
        n = max_rates.size
        p = max_rates * dt
        edge = 0.5 / n
        if not np.all(((p >= edge) & (p <= 1.0 - edge)) | (p == 1.0)):
            top = 1.0 / dt
            self.raise_max_rates(
                f"[{edge * top:g}, {(1 - edge) * top:g}] Hz or equal {top:g} Hz",
                max_rates,
                f"with {n} neurons the normalised noise reaches its extremes with "
                f"probability 1/(2n) per step, so the single-step rate jumps at both ends",
            )

    def current_for_rate(self, max_rates, dt):
        """Currents of the single-step (uncoupled) tuning curve, as the thesis trains."""
        n = max_rates.size
        p = max_rates * dt
        edge = 0.5 / n
        saturation = self.threshold - self.beta + 0.5
        return np.where(
            p == 1.0,
            saturation + 1e-9 * max(1.0, abs(saturation)),
            single_step_current(np.minimum(p, 1.0 - edge), beta=self.beta,
                                threshold=self.threshold, kind=self.noise, n=n),
        )
