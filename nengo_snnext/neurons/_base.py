"""The contract every nengo-snnext neuron type implements (see ``docs/extending.md``).

A family declares its math once, in ``equations/<family>.py``, and its frontend
class names it:

``equation`` and ``state_class``
    The pure step ``equation(xp, dt, J, state, **equation_params(dt))`` returning
    ``(spikes, state_class(...))``; ``state_class`` fields are ``state``'s keys in
    order. Nengo core runs it with numpy (:meth:`SpikingNeuronType.step`),
    NengoDL and the Keras layers with TensorFlow.
``rate_equation``
    The steady-state rate ``rate_equation(xp, J, *, dt, **rate_params(dt,
    n_neurons))`` in Hz (without ``amplitude``), written once with ``xp``: numpy
    :meth:`~SpikingNeuronType.rate_from_current` and the TensorFlow backends
    call the same function. ``None`` where the exact rate has no ``xp`` form
    (then the type overrides :meth:`~SpikingNeuronType.rate_from_current`).
``training_rate_equation``
    The differentiable rate that rate training uses (defaults to
    ``rate_equation``), with the keywords of :meth:`training_rate_params`.
``surrogate``
    A :class:`SurrogateDefault` (surrogate-gradient training is supported, with
    this surrogate and ``alpha`` unless the network config says otherwise) or
    ``None`` (not supported). Declared, never inferred.
``normalises_over_neurons``
    True if the equation reduces over the neuron axis (ensemble normalisations):
    backends must then call it once per ensemble.

and implements :meth:`equation_params`, :meth:`rate_params`,
:meth:`threshold_current` and :meth:`current_for_rate`. ``gain_bias``,
``max_rates_intercepts``, ``rates``, the ``dt`` checks and the numpy ``step``
are written here once.
"""

import inspect
from typing import NamedTuple, Optional

import numpy as np
from nengo.exceptions import SimulationError, ValidationError
from nengo.neurons import NeuronType

from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.ops import NUMPY_OPS


class SurrogateDefault(NamedTuple):
    """Default surrogate of a type that supports surrogate-gradient training.

    Attributes
    ----------
    name : str
        A name in :data:`nengo_snnext.equations.surrogates.SURROGATES`.
    alpha : float or None
        Its sharpness (``None``: the surrogate's own default).
    """

    name: str = "arctan"
    alpha: Optional[float] = None


def gain_bias_inputs(neuron_type, max_rates, intercepts):
    """``max_rates`` and ``intercepts`` as float arrays; intercepts must be below 1."""
    max_rates = np.asarray(np.atleast_1d(max_rates), dtype=float)
    intercepts = np.asarray(np.atleast_1d(intercepts), dtype=float)
    if np.any(intercepts >= 1):
        raise ValidationError("intercepts must be below 1", attr="intercepts", obj=neuron_type)
    return max_rates, intercepts


class SpikingNeuronType(NeuronType):
    """A spiking neuron type whose step and rate are pure functions in ``equations``.

    See the module docstring for what a family declares and implements.

    Parameters
    ----------
    amplitude : float
        Scaling of each output spike; a spike is ``amplitude / dt``.
    dt : float
        Simulator time step (s) assumed by ``rates``, ``gain_bias`` and
        ``max_rates_intercepts``. The step itself always uses the simulator's
        ``dt``; building with a different one warns, because rate-derived gains
        and biases would then not give the requested rates.
    initial_state : {str: Distribution or array_like}
        Initial values of the state variables, overriding ``state``.
    """

    spiking = True
    negative = False

    amplitude = FiniteNumberParam("amplitude", low=0, low_open=True)
    dt = FiniteNumberParam("dt", low=0, low_open=True)

    equation = None
    state_class = None
    rate_equation = None
    training_rate_equation = None
    surrogate = None
    normalises_over_neurons = False
    # False where rates() are exact for every simulator dt (no dt-mismatch warning)
    rates_depend_on_dt = True
    # True: NengoDL compiles the spiking step with XLA (long element-wise equations)
    jit_step = False
    # True: NengoDL compiles rate training's rate (and its gradient) with XLA
    jit_training_rate = False

    def __init__(self, amplitude=1.0, dt=0.001, initial_state=None):
        super().__init__(initial_state=initial_state)
        self.amplitude = amplitude
        self.dt = dt

    def replace(self, **changes):
        """A copy of this neuron type with some constructor arguments changed.

        For example ``KLIF(k=2).replace(dt=0.0005)``.
        """
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        return type(self)(**{**{name: getattr(self, name) for name in names}, **changes})

    # --- what a family implements -------------------------------------------

    def equation_params(self, dt):
        """Keyword parameters of ``equation`` for simulator step ``dt``."""
        raise NotImplementedError(f"{type(self).__name__} must define equation_params(dt)")

    def rate_params(self, dt, n_neurons=None):
        """Keyword parameters of ``rate_equation`` (``n_neurons``: ensemble size)."""
        raise NotImplementedError(f"{type(self).__name__} must define rate_params(dt)")

    def training_rate_params(self, dt, n_neurons=None):
        """Keyword parameters of ``training_rate_equation`` (default: :meth:`rate_params`)."""
        return self.rate_params(dt, n_neurons)

    def threshold_current(self, dt=None):
        """Largest current that never fires (the intercept's current)."""
        raise NotImplementedError(f"{type(self).__name__} must define threshold_current")

    def current_for_rate(self, max_rates, dt):
        """Currents on the increasing branch that fire at ``max_rates`` (spikes/s)."""
        raise NotImplementedError(f"{type(self).__name__} must define current_for_rate")

    def check_dt(self, dt):
        """Raise a ``ValidationError`` if ``dt`` is unusable by this type."""

    def check_max_rates(self, max_rates, dt):
        """Raise a ``ValidationError`` for ``max_rates`` the type cannot reach.

        Default: a discrete-time neuron fires at most once per step.
        """
        top = 1.0 / dt
        if np.any(max_rates <= 0) or np.any(max_rates > top):
            self.raise_max_rates(
                f"(0, {top:g}] Hz: the neuron fires at most once per step of dt = {dt:g} s",
                max_rates,
                f"lower max_rates or construct {type(self).__name__}(dt=...) with a smaller dt",
            )

    # --- derived: written once for every family -------------------------------

    @property
    def training_equation(self):
        """The differentiable rate used by rate training."""
        return self.training_rate_equation or self.rate_equation

    def rate_dt(self, dt=None):
        """``dt`` (default: the type's own), checked with :meth:`check_dt`."""
        dt = self.dt if dt is None else dt
        self.check_dt(dt)
        return dt

    def rate_from_current(self, J, dt=None):
        """Steady-state rate (Hz, without ``amplitude``) of the currents ``J``.

        ``J``'s last axis is the ensemble (``n_neurons`` for the types whose rate
        depends on the ensemble size).
        """
        dt = self.rate_dt(dt)
        J = np.asarray(J, dtype=float)
        params = self.rate_params(dt, J.shape[-1] if J.ndim else 1)
        return self.rate_equation(NUMPY_OPS, J, dt=dt, **params)

    def rates(self, x, gain, bias, dt=None):
        """Steady-state firing rates (Hz), for time step ``dt`` (default ``self.dt``)."""
        return self.amplitude * self.rate_from_current(self.current(x, gain, bias), dt)

    def raise_max_rates(self, allowed, max_rates, fix):
        """The ``ValidationError`` for unreachable ``max_rates``."""
        raise ValidationError(
            f"max_rates must be in {allowed} (got {np.min(max_rates):g} to "
            f"{np.max(max_rates):g} Hz); {fix}",
            attr="max_rates",
            obj=self,
        )

    def gain_bias(self, max_rates, intercepts):
        """Gain and bias that fire at ``max_rates`` (spikes/s) for ``x = 1``.

        The current is linear in ``x``: ``intercepts`` map to
        :meth:`threshold_current` and ``x = 1`` to :meth:`current_for_rate`.
        ``max_rates`` are spike rates, independent of ``amplitude`` (as for
        Nengo's built-in types).
        """
        max_rates, intercepts = gain_bias_inputs(self, max_rates, intercepts)
        dt = self.rate_dt()
        self.check_max_rates(max_rates, dt)
        J_max = self.current_for_rate(max_rates, dt)
        J_threshold = self.threshold_current(dt)
        gain = (J_max - J_threshold) / (1.0 - intercepts)
        return gain, J_threshold - gain * intercepts

    def max_rates_intercepts(self, gain, bias):
        """Inverse of :meth:`gain_bias`: the rate at ``x = 1`` and the intercepts."""
        gain = np.asarray(gain, dtype=float)
        bias = np.asarray(bias, dtype=float)
        max_rates = self.rate_from_current(gain + bias)
        return max_rates, (self.threshold_current() - bias) / gain

    # --- numpy step -------------------------------------------------------------

    def step_inputs(self, J, extras):
        """Per-step equation arguments beyond the parameters (e.g. a noise sample).

        ``extras`` holds the non-array entries of the state (such as a
        ``RandomState``) that Nengo passes to ``step``.
        """
        return {}

    def numpy_equation(self, dt, J, state, **params):
        """``equation`` with numpy, as :meth:`step` runs it in Nengo core.

        A family may run a numpy-only fast version here (same results, tested
        equal to ``equation``); the other backends always call ``equation``.
        """
        return self.equation(NUMPY_OPS, dt, J, state, **params)

    def check_finite_input(self, J):
        """Raise a ``SimulationError`` naming the neurons whose input ``J`` is NaN or inf."""
        # a finite sum has finite terms (one pass; the exact check only if it is not)
        if not (np.isfinite(np.add.reduce(J, axis=None)) or np.isfinite(J).all()):
            bad = np.flatnonzero(~np.isfinite(J))
            raise SimulationError(
                f"{self}: non-finite input current J for neurons {bad[:10].tolist()}"
                f" (values {J[bad[:10]].tolist()}); check the connections and "
                "inputs feeding this ensemble"
            )

    def step(self, dt, J, output, **state):
        self.check_finite_input(J)
        current = self.state_class(**{name: state[name] for name in self.state})
        extras = {name: value for name, value in state.items() if name not in self.state}
        spikes, new_state = self.numpy_equation(
            dt, J, current, **self.step_inputs(J, extras), **self.equation_params(dt)
        )
        output[...] = spikes * (self.amplitude / dt)
        for name, value in zip(new_state._fields, new_state):
            state[name][...] = value
