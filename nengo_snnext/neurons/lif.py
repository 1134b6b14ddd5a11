"""The thesis LIF (``DiscreteLIF``) and k-based LIF (``KLIF``, ``KLIF*``)."""

from nengo.dists import Uniform
from nengo.exceptions import ValidationError
from nengo.params import BoolParam, EnumParam

from nengo_snnext.equations.lif import (
    ACTIVATIONS,
    LIFState,
    discrete_lif_step,
    klif_linear_parameters,
    klif_step,
)
from nengo_snnext.neurons._base import SurrogateDefault
from nengo_snnext.neurons._discrete import DiscreteIntegratorNeuronType
from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.neurons._thesis import ThesisTimeConstant


class ThesisLIFBase(ThesisTimeConstant, DiscreteIntegratorNeuronType):
    """Thesis membrane (``tau``, ``input_scaling``) with a ``threshold`` and exact rates.

    Surrogate training uses the thesis' arctan with ``alpha = 2`` (ch. 2, eq. 2.9).
    """

    threshold = FiniteNumberParam("threshold")
    surrogate = SurrogateDefault("arctan", 2.0)


class DiscreteLIF(ThesisLIFBase):
    """The thesis' discrete-time LIF: Euler step, strict threshold, hard reset.

    One simulator step is one thesis step (Jiang 2022, eqs. 2.2-2.4 and 3.1-3.3):

    .. math::

        H_t &= \\lambda V_{t-1} + g J_t, \\quad \\lambda = 1 - dt / \\tau \\\\
        S_t &= [H_t > V_{th}] \\\\
        V_t &= H_t (1 - S_t) + V_{reset} S_t

    with ``g = dt / tau`` (``input_scaling="tau"``, eq. 2.2) or ``g = 1``
    (``input_scaling="none"``, eq. 3.1). There is no refractory period and no
    lower bound on the voltage. With the defaults (``tau = 2 ms``) and
    ``dt = 1 ms`` this is the thesis neuron with ``tau = 2`` steps
    (``lambda = 0.5``). Changing ``dt`` keeps ``tau`` in seconds, so the leak
    per step changes; ``dt`` must not exceed ``tau``.

    Unlike ``nengo.LIF`` there is no sub-step spike-time interpolation, so rates
    are a staircase ``1 / (n dt)``; ``rates()`` computes ``n`` exactly.

    Parameters
    ----------
    tau : float
        Membrane time constant (s).
    threshold : float
        Firing threshold ``V_th`` (strict ``>``).
    reset : float
        Voltage after a spike ``V_reset``; must be below ``threshold``.
    input_scaling : {"tau", "none"}
        Multiply the input by ``dt / tau`` (eq. 2.2) or add it unscaled (eq. 3.1).
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Time step (s) assumed by ``rates``/``gain_bias``; set it to the
        simulator's ``dt`` if that is not 1 ms.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (default ``Uniform(0, 1)``).

    Attributes
    ----------
    voltage : state
        Membrane potential ``V`` after reset.

    References
    ----------
    .. [1] C. Jiang, "Bio-inspired spiking neural network algorithm development
       and tactile signal processing", PhD thesis, Univ. of Canterbury, 2022.
    """

    state = {"voltage": Uniform(low=0, high=1)}
    state_class = LIFState
    equation = staticmethod(discrete_lif_step)

    reset = FiniteNumberParam("reset")

    def __init__(
        self,
        tau=0.002,
        threshold=1.0,
        reset=0.0,
        input_scaling="tau",
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.tau = tau
        self.threshold = threshold
        self.reset = reset
        self.input_scaling = input_scaling
        if not reset < threshold:
            raise ValidationError(
                f"reset ({reset}) must be below threshold ({threshold})",
                attr="reset",
                obj=self,
            )

    def equation_params(self, dt):
        leak, gain = self.coefficients(dt)
        return dict(
            leak=leak, input_gain=gain, threshold=self.threshold, reset=self.reset
        )

    def linear_parameters(self, dt):
        leak, gain = self.coefficients(dt)
        return leak, gain, self.threshold, self.reset


class KLIF(ThesisLIFBase):
    """k-based LIF (Jiang 2022, ch. 2): the charged potential is scaled by ``k``.

    .. math::

        H_t &= \\lambda V_{t-1} + g J_t, \\quad \\lambda = 1 - dt / \\tau
        \\quad \\text{(eq. 2.2)} \\\\
        F_t &= \\mathrm{act}(k H_t) \\quad \\text{(eq. 2.5)} \\\\
        S_t &= [F_t > V_{th}] \\quad \\text{(eq. 2.6)} \\\\
        V_t &= F_t (1 - S_t) \\quad \\text{(eq. 2.7)}, \\quad \\text{or }
        V_t = \\frac{F_t}{k} (1 - S_t) \\text{ for KLIF* (eq. 2.10)}

    For non-negative input KLIF is a discrete LIF with leak ``k lambda``, input
    gain ``k g`` and a floor of 0: for ``k >= 1 / lambda`` (``k >= 2`` with the
    defaults) the leak becomes self-amplification and any positive input fires
    eventually. KLIF* is a discrete LIF with threshold ``V_th / k`` and a floor
    of 0. ``rates()`` is exact for every ``k`` and does not depend on the
    activation (negative input never fires).

    Parameters
    ----------
    k : float
        Scale of the charged potential (one value per population, learnable in
        the thesis; here a fixed parameter, the thesis clamps it to [0.5, 5]).
    tau : float
        Membrane time constant (s).
    threshold : float
        Firing threshold ``V_th`` (strict ``>``), positive.
    activation : {"relu", "celu", "leaky_relu"}
        ``act`` in eq. 2.5. The thesis does not give the CELU ``alpha`` or the
        leaky slope; the defaults below are PyTorch's.
    scale_reset : bool
        ``True`` gives KLIF* (eq. 2.10): the kept potential is divided by ``k``.
    celu_alpha : float
        ``alpha`` of CELU, ``max(0, x) + min(0, alpha (exp(x / alpha) - 1))``.
    negative_slope : float
        Slope of ``leaky_relu`` below zero.
    input_scaling : {"tau", "none"}
        Multiply the input by ``dt / tau`` (eq. 2.2, the KLIF chapter) or add it
        unscaled (eq. 3.1).
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Time step (s) assumed by ``rates``/``gain_bias``.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (default ``Uniform(0, 1)``).

    Attributes
    ----------
    voltage : state
        Membrane potential ``V`` after reset.

    References
    ----------
    .. [1] C. Jiang, "Bio-inspired spiking neural network algorithm development
       and tactile signal processing", PhD thesis, Univ. of Canterbury, 2022.
    """

    state = {"voltage": Uniform(low=0, high=1)}
    state_class = LIFState
    equation = staticmethod(klif_step)

    k = FiniteNumberParam("k", low=0, low_open=True)
    activation = EnumParam("activation", values=ACTIVATIONS)
    scale_reset = BoolParam("scale_reset")
    celu_alpha = FiniteNumberParam("celu_alpha", low=0, low_open=True)
    negative_slope = FiniteNumberParam("negative_slope", low=0, high=1)

    def __init__(
        self,
        k=1.0,
        tau=0.002,
        threshold=1.0,
        activation="relu",
        scale_reset=False,
        celu_alpha=1.0,
        negative_slope=0.01,
        input_scaling="tau",
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.k = k
        self.tau = tau
        self.threshold = threshold
        self.activation = activation
        self.scale_reset = scale_reset
        self.celu_alpha = celu_alpha
        self.negative_slope = negative_slope
        self.input_scaling = input_scaling
        if not threshold > 0:
            raise ValidationError(
                f"threshold ({threshold}) must be positive: KLIF resets to 0",
                attr="threshold",
                obj=self,
            )

    def equation_params(self, dt):
        leak, gain = self.coefficients(dt)
        return dict(
            k=self.k,
            leak=leak,
            input_gain=gain,
            threshold=self.threshold,
            activation_name=self.activation,
            celu_alpha=self.celu_alpha,
            negative_slope=self.negative_slope,
            scale_reset=self.scale_reset,
        )

    def linear_parameters(self, dt):
        leak, gain = self.coefficients(dt)
        leak, gain, threshold = klif_linear_parameters(
            k=self.k,
            leak=leak,
            input_gain=gain,
            threshold=self.threshold,
            scale_reset=self.scale_reset,
        )
        return leak, gain, threshold, 0.0
