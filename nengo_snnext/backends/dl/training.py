"""How ``nengo_dl.Simulator.fit`` trains nengo-snnext neurons: rate or surrogate.

Two modes, chosen globally or per neuron type (class; subclasses inherit):

``"rate"`` (default)
    NengoDL's own scheme for spiking neurons. During training each type runs its
    differentiable steady-state rate (``training_step``; for the LIF family
    :func:`nengo_snnext.equations.lif.smooth_discrete_rate`) and the neuron state
    is held constant; inference runs the exact spiking step. Train with
    ``n_steps = 1`` and evaluate spiking over many steps (the NengoDL
    spiking-MNIST recipe).

``"surrogate"``
    Surrogate-gradient training through time, as in the thesis. The spiking step
    itself runs during training as well (the builder's ``spiking`` flag is
    False, so NengoDL differentiates ``step``); the forward pass is the exact
    Heaviside and the backward pass uses ``g'`` of a surrogate from
    :mod:`nengo_snnext.equations.surrogates` (arctan with the family's thesis
    ``alpha`` by default). ``sim.fit`` with ``n_steps > 1`` then performs BPTT
    over the unrolled spiking simulation, state included.

The mode is read when a ``nengo_dl.Simulator`` is constructed (each builder
keeps the mode it was created with), so::

    with nengo_snnext.backends.dl.training("surrogate"):
        sim = nengo_dl.Simulator(net, minibatch_size=32)
    sim.fit(x, y, epochs=5)   # still surrogate: the simulator keeps its mode

Example per type: ``set_training("surrogate", neuron_type=KLIF, surrogate="triangle",
alpha=2.0)``.
"""

from contextlib import contextmanager
from typing import NamedTuple, Optional

import tensorflow as tf
from nengo.exceptions import ValidationError

from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.surrogates import get_surrogate

KINDS = ("rate", "surrogate")


class TrainingMode(NamedTuple):
    """A training mode.

    Attributes
    ----------
    kind : {"rate", "surrogate"}
        Rate training (default) or surrogate-gradient training through time.
    surrogate : str
        Name in :data:`nengo_snnext.equations.surrogates.SURROGATES`.
    alpha : float or None
        Sharpness of the surrogate; None uses the neuron family's thesis value
        for ``"arctan"`` and the surrogate's default otherwise.
    """

    kind: str = "rate"
    surrogate: str = "arctan"
    alpha: Optional[float] = None


def make_training_mode(kind="rate", *, surrogate="arctan", alpha=None):
    """Validated :class:`TrainingMode`; bad values raise ``ValidationError``."""
    if kind not in KINDS:
        raise ValidationError(
            f"training kind must be one of {KINDS}, got {kind!r}",
            attr="kind",
            obj=TrainingMode,
        )
    try:
        get_surrogate(surrogate)
    except ValueError as error:
        raise ValidationError(str(error), attr="surrogate", obj=TrainingMode) from None
    if alpha is not None and not alpha > 0:
        raise ValidationError(
            f"surrogate alpha must be positive, got {alpha}", attr="alpha", obj=TrainingMode
        )
    return TrainingMode(kind, surrogate, None if alpha is None else float(alpha))


_GLOBAL = {"mode": TrainingMode()}
_PER_CLASS = {}


def _neuron_class(neuron_type):
    return neuron_type if isinstance(neuron_type, type) else type(neuron_type)


def set_training(kind="rate", *, neuron_type=None, surrogate="arctan", alpha=None):
    """Set the training mode globally, or for one neuron type (class or instance).

    A per-type setting wins over the global one and applies to subclasses.
    ``set_training("rate", neuron_type=KLIF)`` pins KLIF to rate training even
    when the global mode is ``"surrogate"``; :func:`reset_training` clears all.
    """
    mode = make_training_mode(kind, surrogate=surrogate, alpha=alpha)
    if neuron_type is None:
        _GLOBAL["mode"] = mode
    else:
        _PER_CLASS[_neuron_class(neuron_type)] = mode


def reset_training():
    """Back to rate training for every type, with no per-type settings."""
    _GLOBAL["mode"] = TrainingMode()
    _PER_CLASS.clear()


@contextmanager
def training(kind="rate", *, neuron_type=None, surrogate="arctan", alpha=None):
    """:func:`set_training` for the duration of a ``with`` block, then restore."""
    saved = (_GLOBAL["mode"], dict(_PER_CLASS))
    set_training(kind, neuron_type=neuron_type, surrogate=surrogate, alpha=alpha)
    try:
        yield
    finally:
        _GLOBAL["mode"] = saved[0]
        _PER_CLASS.clear()
        _PER_CLASS.update(saved[1])


def training_mode(neuron_type):
    """The :class:`TrainingMode` in effect for ``neuron_type`` (class or instance)."""
    for cls in _neuron_class(neuron_type).__mro__:
        if cls in _PER_CLASS:
            return _PER_CLASS[cls]
    return _GLOBAL["mode"]


def surrogate_spike(surrogate, alpha):
    """A spike function ``spike(xp, x)`` for the equations' ``spike=`` argument.

    Forward: the exact Heaviside ``[x > 0]`` of :func:`equations.lif.heaviside`.
    Backward: ``dS/dx = g'(x)`` of the surrogate called ``surrogate``.
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
