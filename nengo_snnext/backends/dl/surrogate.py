"""Surrogate spike functions for NengoDL: exact Heaviside forward, surrogate backward.

Which surrogate an ensemble trains with comes from the network config
(:mod:`nengo_snnext.training`) and the neuron type's declared default
(``surrogate``, a :class:`~nengo_snnext.neurons._base.SurrogateDefault`).
"""

from functools import lru_cache

import tensorflow as tf
from nengo.exceptions import BuildError

from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.surrogates import get_surrogate


def resolve_surrogate(neuron_class, mode):
    """``(name, alpha)`` of the surrogate for ``neuron_class`` in ``mode`` (surrogate kind).

    Raises ``BuildError`` if the type declares no surrogate support.
    """
    declared = neuron_class.surrogate
    if declared is None:
        raise BuildError(
            f"{neuron_class.__name__}: surrogate training is not available (the type "
            "declares no surrogate: its equation has no threshold crossing to take a "
            "surrogate of); use rate training: `with net: nengo_snnext."
            f"configure_training('rate', neuron_type={neuron_class.__name__})`"
        )
    name = mode.surrogate or declared.name
    alpha = mode.alpha
    if alpha is None:
        own = name == declared.name and declared.alpha is not None
        alpha = declared.alpha if own else get_surrogate(name).default_alpha
    return name, float(alpha)


@lru_cache(maxsize=None)
def surrogate_spike(surrogate, alpha):
    """A spike function ``spike(xp, x)`` for the equations' ``spike=`` argument.

    Forward: the exact Heaviside ``[x > 0]`` of :func:`equations.lif.heaviside`.
    Backward: ``dS/dx = g'(x)`` of the surrogate called ``surrogate``. Cached, so
    operators with the same surrogate share one function (and one run).
    """
    derivative = get_surrogate(surrogate).derivative

    @tf.custom_gradient
    def spike_with_surrogate(x):
        def gradient(upstream):
            return upstream * derivative(TF_OPS, x, alpha=alpha)

        return heaviside(TF_OPS, x), gradient

    def spike(xp, x):
        del xp  # always TensorFlow here
        return spike_with_surrogate(x)

    return spike
