"""Base class that runs a pure equation as a Nengo neuron type.

A family's neuron type names its step equation and its state NamedTuple and
says which keyword parameters the equation takes for a given ``dt``; this class
turns that into Nengo's in-place ``step(dt, J, output, **state)``. The NengoDL
builders call the same equation with TensorFlow ops.
"""

import inspect

import numpy as np
from nengo.exceptions import SimulationError, ValidationError
from nengo.neurons import NeuronType
from nengo.params import NumberParam

from nengo_snnext.ops import NUMPY_OPS


def gain_bias_inputs(neuron_type, max_rates, intercepts):
    """``max_rates`` and ``intercepts`` as float arrays; intercepts must be below 1."""
    max_rates = np.asarray(np.atleast_1d(max_rates), dtype=float)
    intercepts = np.asarray(np.atleast_1d(intercepts), dtype=float)
    if np.any(intercepts >= 1):
        raise ValidationError(
            "intercepts must be below 1", attr="intercepts", obj=neuron_type
        )
    return max_rates, intercepts


def linear_gain_bias(J_max, J_threshold, intercepts):
    """Gain and bias that map ``x = intercepts`` to ``J_threshold`` and ``x = 1`` to ``J_max``."""
    gain = (J_max - J_threshold) / (1.0 - intercepts)
    return gain, J_threshold - gain * intercepts


class EquationNeuronType(NeuronType):
    """A spiking neuron type whose step is a pure function in ``equations``.

    Subclasses set ``equation`` (a ``*_step(xp, dt, J, state, **params)``
    function, wrapped in ``staticmethod``), ``state_class`` (its state
    NamedTuple, fields in the order of ``state``) and implement
    ``equation_params(dt)``.

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

    amplitude = NumberParam("amplitude", low=0, low_open=True)
    dt = NumberParam("dt", low=0, low_open=True)

    equation = None
    state_class = None
    # False where rates() are exact for every simulator dt (no dt-mismatch warning)
    rates_depend_on_dt = True

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

    def equation_params(self, dt):
        """Keyword parameters of ``equation`` for simulator step ``dt``."""
        raise NotImplementedError(
            f"{type(self).__name__} must define equation_params(dt)"
        )

    def check_dt(self, dt):
        """Raise a ``ValidationError`` if ``dt`` is unusable by this type."""

    def step_inputs(self, J, extras):
        """Per-step equation arguments beyond the parameters (e.g. a noise sample).

        ``extras`` holds the non-array entries of the state (such as a
        ``RandomState``) that Nengo passes to ``step``.
        """
        return {}

    def step(self, dt, J, output, **state):
        if not np.all(np.isfinite(J)):
            bad = np.flatnonzero(~np.isfinite(J))
            raise SimulationError(
                f"{self}: non-finite input current J for neurons {bad[:10].tolist()}"
                f" (values {J[bad[:10]].tolist()}); check the connections and "
                "inputs feeding this ensemble"
            )
        current = self.state_class(**{name: state[name] for name in self.state})
        extras = {name: value for name, value in state.items() if name not in self.state}
        spikes, new_state = self.equation(
            NUMPY_OPS, dt, J, current,
            **self.step_inputs(J, extras), **self.equation_params(dt),
        )
        output[...] = spikes * (self.amplitude / dt)
        for name, value in zip(new_state._fields, new_state):
            state[name][...] = value
