"""Neural-oscillation neurons (``NeuralOscillation``, ``AltNeuralOscillation``)."""

from functools import lru_cache

import numpy as np
from nengo.dists import Choice, Distribution, DistributionParam, Gaussian, Uniform
from nengo.exceptions import ValidationError
from nengo.params import EnumParam

from nengo_snnext.equations.noise import gaussian_noise, uniform_noise
from nengo_snnext.equations.oscillation import (
    ALT_FORM_ALIASES,
    ALT_FORMS,
    OscillationState,
    alt_oscillation_step,
    oscillation_step,
)
from nengo_snnext.neurons._oscillation_rates import (
    alt_periods,
    effective_threshold,
    first_current,
    oscillation_rate_curve,
)
from nengo_snnext.equations.tabulated import PiecewisePolynomial, tabulated_rate
from nengo_snnext.neurons._base import SurrogateDefault
from nengo_snnext.neurons._discrete import StaircaseNeuronType
from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.neurons._stochastic import StochasticNeuronType
from nengo_snnext.neurons._thesis import ThesisTimeConstant

# thesis text (U[-0.2, 0.8]) and thesis code (N(0, 0.5^2)), spec 1.5
NOISE_SHORTHANDS = {"uniform": Uniform(-0.2, 0.8), "gaussian": Gaussian(0.0, 0.5)}
# AltNeuralOscillation.rates reports periods longer than this many steps as silence
ALT_MAX_PERIOD = 1000
# longest period (steps) whose band centre is a node of Alt's smoothed training rate
SMOOTH_PERIODS = 32
# the thesis' chapter-3 arctan sharpness
CHAPTER_3_SURROGATE = SurrogateDefault("arctan", 3.0)


class OscillationNoiseParam(DistributionParam):
    """``nengo.dists.Uniform`` or ``Gaussian`` (or the shorthands ``"uniform"``, ``"gaussian"``)."""

    def coerce(self, instance, dist):  # pylint: disable=arguments-renamed
        if isinstance(dist, str):
            if dist.lower() not in NOISE_SHORTHANDS:
                raise ValidationError(
                    f"noise '{dist}' must be 'uniform', 'gaussian' or a "
                    "nengo.dists.Uniform/Gaussian", attr=self.name, obj=instance,
                )
            dist = NOISE_SHORTHANDS[dist.lower()]
        self.check_type(instance, dist, Distribution)
        if isinstance(dist, Uniform):
            if dist.integer or not dist.high > dist.low:
                raise ValidationError(
                    f"noise {dist} must be a continuous Uniform with high > low",
                    attr=self.name, obj=instance,
                )
        elif not isinstance(dist, Gaussian):
            raise ValidationError(
                f"noise {dist} is not supported: use nengo.dists.Uniform or Gaussian "
                "(their CDFs give the exact rates, and NengoDL samples them natively)",
                attr=self.name, obj=instance,
            )
        return super().coerce(instance, dist)


def distribution_of(dist):
    """The :class:`~nengo_snnext.equations.noise.NoiseDistribution` of a Uniform/Gaussian."""
    if isinstance(dist, Uniform):
        return uniform_noise(dist.low, dist.high)
    return gaussian_noise(dist.std, dist.mean)


class NeuralOscillation(ThesisTimeConstant, StochasticNeuronType):
    """Neural-oscillation neuron (Jiang 2022, ch. 3): noise added before ``f``.

    .. math::

        H_t &= \\lambda V_{t-1} + g J_t \\quad \\text{(eq. 3.1)} \\\\
        P_t &= f(H_t + \\gamma_t), \\quad
        f(x) = \\begin{cases} x & x \\ge 0 \\\\ s\\, x & x < 0 \\end{cases}
        \\quad \\text{(eqs. 3.10, 3.13)} \\\\
        S_t &= [P_t > V_{th}], \\quad V_t = P_t (1 - S_t)
        \\quad \\text{(eqs. 3.11-3.12)}

    ``gamma_t`` is drawn independently per neuron and per step from the
    simulator's seeded generator and is carried into the membrane (``V`` keeps
    ``P``). The thesis text uses ``U[-0.2, 0.8]`` (the default); its training
    code uses ``N(0, 0.5^2)`` (``noise="gaussian"``). With no input the neuron
    fires spontaneously (Fig. 3.5). The slope ``s = -0.03`` is kept as published
    (the code's ``LeakyReLU(negative_slope=-0.03)``): ``f`` is V-shaped, so very
    negative potentials fire too (``H + gamma < V_th / s``, about ``-33.3``).

    ``rates()`` is the exact stationary rate (a renewal chain on ``V``, see
    :mod:`nengo_snnext.neurons._renewal`), tabulated once per parameter set and
    interpolated (error below 1e-4 spikes per step); it is not the single-step
    probability ``clip(H - 0.2, 0, 1)``
    (:func:`~nengo_snnext.equations.oscillation.oscillation_spike_probability`),
    because the carried noise makes the neuron fire at lower inputs. For
    Gaussian noise rates below about 1e-12 per step are reported as 0.
    ``gain_bias`` uses the increasing branch; intercepts near 1 give gains large
    enough that ``x = -1`` reaches the V-shape's firing region.

    Parameters
    ----------
    noise : Uniform or Gaussian or {"uniform", "gaussian"}
        Distribution of ``gamma``; ``"uniform"`` is ``Uniform(-0.2, 0.8)``,
        ``"gaussian"`` is ``Gaussian(0, 0.5)``.
    negative_slope : float
        Slope ``s`` of ``f`` below zero, in [-1, 0] (published: -0.03).
    tau : float
        Membrane time constant (s); ``lambda = 1 - dt / tau`` (0.5 by default).
    threshold : float
        Firing threshold ``V_th`` (strict ``>``), positive.
    input_scaling : {"none", "tau"}
        Add the input unscaled (eq. 3.1, the thesis) or times ``dt / tau``.
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Time step (s) assumed by ``rates``/``gain_bias``.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (default 0, as the thesis starts every sample).

    Attributes
    ----------
    voltage : state
        Membrane ``V = P (1 - S)``, including the carried noise.

    References
    ----------
    .. [1] C. Jiang, "Bio-inspired spiking neural network algorithm development
       and tactile signal processing", PhD thesis, Univ. of Canterbury, 2022.
    """

    state = {"voltage": Choice([0.0])}
    state_class = OscillationState
    equation = staticmethod(oscillation_step)
    sample_argument = "gamma"
    rate_equation = staticmethod(tabulated_rate)
    surrogate = CHAPTER_3_SURROGATE

    noise = OscillationNoiseParam("noise")
    negative_slope = FiniteNumberParam("negative_slope", low=-1, high=0)
    threshold = FiniteNumberParam("threshold", low=0, low_open=True)

    def __init__(
        self,
        noise="uniform",
        negative_slope=-0.03,
        tau=0.002,
        threshold=1.0,
        input_scaling="none",
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.noise = noise
        self.negative_slope = negative_slope
        self.tau = tau
        self.threshold = threshold
        self.input_scaling = input_scaling

    def noise_distribution(self):
        return distribution_of(self.noise)

    def equation_params(self, dt):
        leak, gain = self.coefficients(dt)
        return dict(leak=leak, input_gain=gain, threshold=self.threshold,
                    negative_slope=self.negative_slope)

    def rate_curve(self, dt=None):
        """Spike probability per step as a function of ``J`` (cached)."""
        leak, gain = self.coefficients(self.rate_dt(dt))
        return oscillation_rate_curve(
            leak, gain, self.threshold, self.negative_slope, self.noise_distribution()
        )

    def rate_params(self, dt, n_neurons=None):
        """The exact stationary rate, tabulated (:meth:`rate_curve`)."""
        return dict(table=self.rate_curve(dt).table)

    def threshold_current(self, dt=None):
        return self.rate_curve(dt).threshold

    def current_for_rate(self, max_rates, dt):
        return self.rate_curve(dt).inverse(max_rates * dt)


class AltNeuralOscillation(ThesisTimeConstant, StaircaseNeuronType):
    """Alternative neural-oscillation neuron (Jiang 2022, eq. 3.14 and F1-F4).

    The noise of :class:`NeuralOscillation` is replaced by a deterministic
    function of the charged potential:

    .. math::

        H_t &= \\lambda V_{t-1} + g J_t \\\\
        P_t &= f(H_t + F(H_t)) \\\\
        S_t &= [P_t > V_{th}], \\quad V_t = P_t (1 - S_t)

    with ``F1 = sin(H + c) + d`` (eq. 3.14, ``form="sin"`` or ``"F1"``),
    ``F2 = H sin(H + c) + d``, ``F3 = exp(H + c) + d`` and
    ``F4 = 1 / (1 + exp(-c H)) + d`` (section 3.6.3). The thesis writes F2-F4 in
    an undefined ``x``; it is read as ``x = H(t)``, the argument of F1, so every
    form is a function of the charged potential only. ``c`` and ``d`` are one
    pair per network in the thesis (fitted; Table 3.9); here they are fixed
    parameters. :meth:`effective_threshold` gives the ``H`` at which one step
    fires (about 0.67 with the fitted values).

    ``rates()`` is exact: the period is the number of steps from a reset to the
    first spike, found by iterating the step (periods longer than 1000 steps,
    i.e. rates below ``1 / (1000 dt)``, are reported as 0). ``gain_bias``
    assumes that the period shortens as the current grows, true for F1 and F3,
    for F4 with ``c > -4`` and for F2 near its threshold.

    Parameters
    ----------
    c : float
        Phase of ``F`` (for F4 the slope of the sigmoid).
    d : float
        Offset of ``F``.
    form : {"sin", "F1", "F2", "F3", "F4"}
        The deterministic term; ``"sin"`` is stored as ``"F1"``.
    negative_slope : float
        Slope ``s`` of ``f`` below zero, in [-1, 0] (published: -0.03).
    tau : float
        Membrane time constant (s); ``lambda = 1 - dt / tau``.
    threshold : float
        Firing threshold ``V_th`` (strict ``>``), positive.
    input_scaling : {"none", "tau"}
        Add the input unscaled (eq. 3.1, the thesis) or times ``dt / tau``.
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Time step (s) assumed by ``rates``/``gain_bias``.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (default ``Uniform(0, 1)``).

    Attributes
    ----------
    voltage : state
        Membrane ``V = P (1 - S)``.

    References
    ----------
    .. [1] C. Jiang, "Bio-inspired spiking neural network algorithm development
       and tactile signal processing", PhD thesis, Univ. of Canterbury, 2022.
    """

    state = {"voltage": Uniform(low=0, high=1)}
    state_class = OscillationState
    equation = staticmethod(alt_oscillation_step)
    training_rate_equation = staticmethod(tabulated_rate)
    surrogate = CHAPTER_3_SURROGATE

    c = FiniteNumberParam("c")
    d = FiniteNumberParam("d")
    form = EnumParam("form", values=ALT_FORMS, lower=False)
    negative_slope = FiniteNumberParam("negative_slope", low=-1, high=0)
    threshold = FiniteNumberParam("threshold", low=0, low_open=True)

    def __init__(
        self,
        c=0.0,
        d=0.0,
        form="sin",
        negative_slope=-0.03,
        tau=0.002,
        threshold=1.0,
        input_scaling="none",
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.c = c
        self.d = d
        self.form = ALT_FORM_ALIASES.get(form, form)
        self.negative_slope = negative_slope
        self.tau = tau
        self.threshold = threshold
        self.input_scaling = input_scaling

    def equation_params(self, dt):
        leak, gain = self.coefficients(dt)
        return dict(leak=leak, input_gain=gain, threshold=self.threshold,
                    negative_slope=self.negative_slope, form=self.form, c=self.c, d=self.d)

    def effective_threshold(self):
        """``H*``: the smallest charged potential that fires in one step."""
        return effective_threshold(self.c, self.d, form=self.form, threshold=self.threshold,
                                   negative_slope=self.negative_slope)

    def periods(self, J, dt=None, max_steps=ALT_MAX_PERIOD):
        """Steps between spikes for constant current ``J`` (0 where silent)."""
        params = self.equation_params(self.rate_dt(dt))
        return alt_periods(J, max_steps=max_steps, **params)

    def rate_from_current(self, J, dt=None):
        """Exact rate (Hz): the period found by iterating the step (numpy only)."""
        dt = self.rate_dt(dt)
        n = self.periods(J, dt)
        return np.where(n > 0, 1.0 / (np.maximum(n, 1) * dt), 0.0)

    def training_rate_params(self, dt, n_neurons=None):
        """The smoothed rate: PCHIP through the band centres (cached per type and dt)."""
        return dict(table=_alt_training_table(self, dt))

    def _first_current(self, max_period, dt):
        """Smallest current whose period is at most ``max_period`` steps (cached)."""
        return first_current(max_period, tuple(sorted(self.equation_params(dt).items())))

    def threshold_current(self, dt=None):
        """Largest current that is silent (periods over ``ALT_MAX_PERIOD`` count as silent)."""
        return self._first_current(ALT_MAX_PERIOD, self.rate_dt(dt))

    def current_for_period(self, n_steps, dt=None):
        """Current in the middle of the input band that fires every ``n_steps`` steps."""
        dt = self.rate_dt(dt)
        n_steps = np.asarray(n_steps, dtype=int)
        middles = {}
        for n in np.unique(n_steps).tolist():
            start = self._first_current(n, dt)  # the band of period n is [start, end)
            if n > 1:
                middles[n] = 0.5 * (start + self._first_current(n - 1, dt))
            else:  # unbounded above: as far above its start as band 2 is wide
                middles[n] = start + 0.5 * (start - self._first_current(2, dt))
        return np.vectorize(middles.__getitem__, otypes=[float])(n_steps)


@lru_cache(maxsize=64)
def _alt_training_table(neuron_type, dt):
    """Monotone PCHIP through ``(current_for_period(n), 1 / n)``, ``n = 1 ... SMOOTH_PERIODS``.

    It equals the staircase at every band centre (where ``gain_bias`` puts
    ``max_rates``) and at the threshold current, like
    :func:`~nengo_snnext.equations.lif.smooth_discrete_rate` for the LIF family.
    """
    periods = np.arange(1, SMOOTH_PERIODS + 1)
    centres = neuron_type.current_for_period(periods, dt)
    nodes = np.concatenate([[neuron_type.threshold_current(dt)], centres[::-1]])
    values = np.concatenate([[0.0], 1.0 / periods[::-1]])
    return PiecewisePolynomial.pchip(nodes, values, left=0.0, right=1.0)
