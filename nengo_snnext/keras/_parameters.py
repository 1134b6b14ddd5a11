"""Trainable neuron parameters of the Keras layers, their constraints, and the initial state.

A trainable parameter is a Keras weight from which the neuron type's attribute is
computed at every call; the type's own ``equation_params``/``training_rate_params``
then run on a :class:`ParameterView` of the type in which that attribute is the
tensor, so the parameter arithmetic (``leak = 1 - dt / tau``, KLIF's linear
parameters, ...) is the type's, written once.

- ``k`` (KLIF, thesis section 2.2): the weight is ``k`` itself, one scalar per
  layer, clipped to ``[0.5, 5]`` by :class:`Clip` after every optimiser step.
- ``tau``: the weight is the leak ``lambda = 1 - dt / tau`` of eqs. 2.2/3.1,
  clipped to ``[0, 1 - 1e-6]`` (so ``0 < dt / tau <= 1``); ``tau = dt / (1 - lambda)``.
  A weight in seconds would make an optimiser step of 1e-3 half of the
  default ``tau = 2 ms``; the leak is of order one.
- ``threshold``: the weight is the threshold, clipped to stay above
  ``max(0, reset)`` (by :data:`THRESHOLD_MARGIN`).
- ``c``, ``d`` (AltNeuralOscillation, eq. 3.14 ``sin(H + c) + d``): the weights are
  the offsets themselves, unbounded (every finite value is valid).
"""

import inspect
import types
from typing import Callable, NamedTuple

import numpy as np
import tensorflow as tf
from nengo.dists import Choice
from nengo.exceptions import ValidationError

K_RANGE = (0.5, 5.0)  # thesis section 2.2: k clamped to [0.5, 5]
MAX_LEAK = 1.0 - 1e-6  # tau at most 1e6 dt
THRESHOLD_MARGIN = 1e-6


@tf.keras.utils.register_keras_serializable(package="nengo_snnext")
class Clip(tf.keras.constraints.Constraint):
    """Clip a weight to ``[min_value, max_value]`` (``None``: unbounded) after each update.

    Parameters
    ----------
    min_value, max_value : float or None
        The bounds.
    """

    def __init__(self, min_value=None, max_value=None):
        self.min_value = min_value
        self.max_value = max_value

    def __call__(self, w):
        if self.min_value is not None:
            w = tf.maximum(w, tf.cast(self.min_value, w.dtype))
        if self.max_value is not None:
            w = tf.minimum(w, tf.cast(self.max_value, w.dtype))
        return w

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value}


class TrainableParameter(NamedTuple):
    """How a neuron attribute is trained.

    Attributes
    ----------
    attribute : str
        The neuron type's attribute (``"k"``, ``"tau"``, ``"threshold"``).
    weight_name : str
        Name of the Keras weight.
    to_weight : callable
        ``to_weight(value, dt)``: the weight's initial value from the attribute's.
    from_weight : callable
        ``from_weight(weight, dt)``: the attribute from the weight (a tensor).
    constraint : Clip
        Keeps the weight valid.
    """

    attribute: str
    weight_name: str
    to_weight: Callable
    from_weight: Callable
    constraint: Clip


def k_parameter(k_range):
    return TrainableParameter(
        "k", "k", lambda value, dt: value, lambda weight, dt: weight, Clip(*k_range)
    )


def tau_parameter():
    return TrainableParameter(
        "tau", "leak",
        lambda value, dt: 1.0 - dt / value,
        lambda weight, dt: dt / (1.0 - weight),
        Clip(0.0, MAX_LEAK),
    )


def threshold_parameter(neuron_type):
    floor = max(0.0, float(getattr(neuron_type, "reset", 0.0))) + THRESHOLD_MARGIN
    if not neuron_type.threshold >= floor:
        raise ValidationError(
            f"trainable_threshold keeps the threshold above max(0, reset) = {floor:g}, "
            f"but it starts at {neuron_type.threshold:g}; start from a positive threshold "
            f"above the reset or set trainable_threshold=False",
            attr="threshold",
            obj=neuron_type,
        )
    return TrainableParameter(
        "threshold", "threshold", lambda value, dt: value, lambda weight, dt: weight,
        Clip(floor, None),
    )


def offset_parameter(attribute):
    """AltNeuralOscillation's ``c`` or ``d``: the weight is the value (any finite number)."""
    return TrainableParameter(
        attribute, attribute, lambda value, dt: value, lambda weight, dt: weight,
        Clip(None, None),
    )


class ParameterView:
    """``neuron_type`` with some attributes replaced by tensors.

    Methods of the type (``equation_params``, ``coefficients``,
    ``linear_parameters``, ...) run with ``self`` bound to the view, so they see
    the tensors; every other attribute is the type's own. Only for computing
    parameters: nothing is validated or cached on the view.
    """

    def __init__(self, neuron_type, overrides):
        self._neuron_type = neuron_type
        self._overrides = overrides

    def __getattr__(self, name):
        if name in self._overrides:
            return self._overrides[name]
        found = inspect.getattr_static(type(self._neuron_type), name, None)
        if isinstance(found, types.FunctionType):
            return types.MethodType(found, self)
        if isinstance(found, property):
            return found.fget(self)
        return getattr(self._neuron_type, name)


def constant_state(neuron_type):
    """``{state: float}``: where a Keras layer's neurons start.

    Zero for every state variable (keras-spiking's convention; the thesis
    starts every sample at 0), or the constant the type's ``initial_state``
    gives (a number or a one-option ``Choice``), in the type's units (MIF's
    voltage in volts, so 0 V is rest only for the default ``E_rest = 0``).
    """
    given = neuron_type.initial_state or {}
    values = {}
    for name in neuron_type.state:
        value = given.get(name, 0.0)
        if isinstance(value, Choice) and len(value.options) == 1:
            value = value.options[0]
        value = np.asarray(value)
        if value.ndim > 1 or value.size != 1 or not np.issubdtype(value.dtype, np.number):
            raise ValidationError(
                f"initial_state[{name!r}] = {given[name]!r}: a Keras layer starts every "
                f"neuron from one constant (its state has no per-neuron distribution); "
                f"give a number, e.g. initial_state={{{name!r}: 0.0}}",
                attr="initial_state",
                obj=neuron_type,
            )
        values[name] = float(value.reshape(()))
    return values
