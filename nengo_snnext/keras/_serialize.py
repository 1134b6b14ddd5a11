"""Neuron types in Keras configs: a nengo-snnext neuron type as JSON-friendly data.

A layer's ``get_config`` stores its neuron type as the class (module and name)
and the constructor arguments (the names of ``__init__``, read back with
``getattr``, as :meth:`~nengo_snnext.neurons._base.SpikingNeuronType.replace`
does). Values are numbers, strings, booleans, ``None``, lists, dicts and the
``nengo.dists`` distributions the types accept (``Uniform``, ``Gaussian``,
``Choice``); anything else raises a ``ValidationError`` naming the argument.
"""

import importlib
import inspect
import numbers

import nengo
import numpy as np
from nengo.exceptions import ValidationError

DIST_KEY = "__nengo_dist__"
DISTRIBUTIONS = {
    "Uniform": (nengo.dists.Uniform, ("low", "high", "integer")),
    "Gaussian": (nengo.dists.Gaussian, ("mean", "std")),
    "Choice": (nengo.dists.Choice, ("options", "weights")),
}


def constructor_names(cls):
    """The keyword arguments of ``cls.__init__`` (without ``self``)."""
    return list(inspect.signature(cls.__init__).parameters)[1:]


def encode_value(value, *, name, obj):
    """``value`` as JSON-friendly data (see the module docstring)."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [encode_value(v, name=name, obj=obj) for v in value]
    if isinstance(value, dict):
        return {str(k): encode_value(v, name=name, obj=obj) for k, v in value.items()}
    for dist_name, (dist_class, fields) in DISTRIBUTIONS.items():
        if type(value) is dist_class:
            encoded = {DIST_KEY: dist_name}
            for field in fields:
                encoded[field] = encode_value(getattr(value, field), name=name, obj=obj)
            return encoded
    raise ValidationError(
        f"{value!r} cannot be stored in a Keras config (numbers, strings, arrays and "
        f"nengo.dists.Uniform/Gaussian/Choice can); pass a plain value instead",
        attr=name,
        obj=obj,
    )


def decode_value(value):
    """Inverse of :func:`encode_value`."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict):
        if DIST_KEY in value:
            dist_class, fields = DISTRIBUTIONS[value[DIST_KEY]]
            return dist_class(**{field: decode_value(value[field]) for field in fields})
        return {k: decode_value(v) for k, v in value.items()}
    return value


def neuron_type_config(neuron_type):
    """``{"module", "class", "config"}``: enough to rebuild ``neuron_type``."""
    cls = type(neuron_type)
    config = {
        name: encode_value(getattr(neuron_type, name), name=name, obj=neuron_type)
        for name in constructor_names(cls)
    }
    return {"module": cls.__module__, "class": cls.__qualname__, "config": config}


def neuron_type_from_config(config):
    """Inverse of :func:`neuron_type_config` (the class must be importable)."""
    if not isinstance(config, dict):  # an instance given directly (not from JSON)
        return config
    module = importlib.import_module(config["module"])
    cls = module
    for part in config["class"].split("."):
        cls = getattr(cls, part)
    return cls(**{name: decode_value(v) for name, v in config["config"].items()})
