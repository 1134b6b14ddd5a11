"""Training settings of a network: rate or surrogate-gradient training, per network.

NengoDL reads its own settings (``nengo_dl.configure_settings``) from the
network's config; ours live there too, so two networks in one process never
affect each other::

    with net:
        nengo_snnext.configure_training("surrogate")                 # whole network
        nengo_snnext.configure_training("rate", neuron_type=MIF)     # one type
        nengo_snnext.configure_training("surrogate", ensemble=ens, alpha=4.0)
        nengo_snnext.configure_training("rate", neuron_type=MIF, smoothing=1e-3)

``"rate"`` (default)
    NengoDL's scheme for spiking neurons: during training each type runs its
    differentiable steady-state rate (``training_equation`` of the type) and the
    neuron state is held constant; inference runs the exact spiking step.
    ``smoothing=sigma`` keeps that rate exactly in the forward pass and
    differentiates it with its threshold smoothed in the backward pass (a
    straight-through estimator): ``sigmoid((J - J_th) / sigma) rate(J_th + sigma
    softplus((J - J_th) / sigma))``, :func:`~nengo_snnext.equations.surrogates.smoothed_rate`
    (``J_th`` is the type's threshold current, ``sigma`` in the same normalised
    units as ``J``). For rate curves that jump at threshold (MIF and MIF2 fire
    at a third of their ``x = 1`` rate as soon as they fire) the exact
    derivative is infinite just above threshold and zero below, and it says
    nothing of the jump; the smoothed one is finite on both sides and includes
    the jump (the logistic's slope times the rate at threshold). The smoothed
    current is how nengo-dl's ``lif_smoothing`` (SoftLIFRate) trains LIF,
    without its change of the forward rate.
``"surrogate"``
    Surrogate-gradient training through time: the spiking step runs during
    training too, with the exact Heaviside forward and the derivative of a
    surrogate from :mod:`nengo_snnext.equations.surrogates` backward (the type's
    declared ``surrogate`` unless given), so ``sim.fit`` with ``n_steps > 1`` is
    BPTT over the unrolled simulation.

Lookup for an ensemble, first match wins: its own setting (``ensemble=``), then
its neuron type's class (or a base class) in the network that contains it, then
that network's default, then the same two in the top-level network, then
``"rate"``. The settings are read when a simulator builds the network.
"""

import numbers
from typing import NamedTuple, Optional

import nengo
import numpy as np
from nengo.exceptions import ConfigError, NetworkContextError, ValidationError
from nengo.params import Parameter

from nengo_snnext.equations.surrogates import get_surrogate

KINDS = ("rate", "surrogate")
SETTING = "snnext_training"


class TrainingMode(NamedTuple):
    """A training mode.

    Attributes
    ----------
    kind : {"rate", "surrogate"}
        Rate training (default) or surrogate-gradient training through time.
    surrogate : str or None
        Name in :data:`nengo_snnext.equations.surrogates.SURROGATES`; ``None``
        uses the neuron type's declared surrogate.
    alpha : float or None
        Sharpness of the surrogate; ``None`` uses the type's declared value when
        the surrogate is the type's own, else the surrogate's default.
    smoothing : float or None
        Rate mode only: width ``sigma`` (normalised current) of the smoothing of
        the threshold whose rate derivative the backward pass uses; ``None``:
        the exact derivative of the rate.
    """

    kind: str = "rate"
    surrogate: Optional[str] = None
    alpha: Optional[float] = None
    smoothing: Optional[float] = None


def make_training_mode(kind="rate", *, surrogate=None, alpha=None, smoothing=None):
    """Validated :class:`TrainingMode`; bad values raise ``ValidationError``."""
    if smoothing is not None:
        if kind != "rate":
            raise ValidationError(
                f"smoothing applies to rate training, not to {kind!r} training",
                attr="smoothing", obj=TrainingMode,
            )
        if not (isinstance(smoothing, numbers.Real) and np.isfinite(smoothing)
                and smoothing > 0):
            raise ValidationError(
                f"smoothing must be a positive finite current width, got {smoothing}",
                attr="smoothing", obj=TrainingMode,
            )
    if kind not in KINDS:
        raise ValidationError(
            f"training kind must be one of {KINDS}, got {kind!r}", attr="kind", obj=TrainingMode
        )
    if surrogate is not None:
        try:
            get_surrogate(surrogate)
        except ValueError as error:
            raise ValidationError(str(error), attr="surrogate", obj=TrainingMode) from None
    if alpha is not None and not alpha > 0:
        raise ValidationError(
            f"surrogate alpha must be positive, got {alpha}", attr="alpha", obj=TrainingMode
        )
    return TrainingMode(kind, surrogate, None if alpha is None else float(alpha),
                        None if smoothing is None else float(smoothing))


def _params(config, cls):
    """``config[cls]``, configured with the (optional) training setting if not yet."""
    try:
        params = config[cls]
    except ConfigError:
        config.configures(cls)
        params = config[cls]
    if SETTING not in params._extra_params:
        params.set_param(SETTING, Parameter(SETTING, None, optional=True))
    return params


def configure_training(kind="rate", *, surrogate=None, alpha=None, smoothing=None,
                       neuron_type=None, ensemble=None):
    """Set how ``nengo_dl.Simulator.fit`` trains the current network's neurons.

    Call inside ``with net:``; the setting goes to the innermost network.

    Parameters
    ----------
    kind : {"rate", "surrogate"}
        The training mode.
    surrogate : str, optional
        Surrogate function (default: the neuron type's declared one).
    alpha : float, optional
        Its sharpness (default: the type's declared value, or the surrogate's).
    smoothing : float, optional
        Rate mode: differentiate the rate with its threshold smoothed over this
        width (see the module docstring; default: exact).
    neuron_type : NeuronType class or instance, optional
        Only for ensembles of this type (and its subclasses).
    ensemble : nengo.Ensemble, optional
        Only for this ensemble.
    """
    if not nengo.Network.context:
        raise NetworkContextError(
            "configure_training must be called within a Network context "
            "(`with net: nengo_snnext.configure_training(...)`)"
        )
    mode = make_training_mode(kind, surrogate=surrogate, alpha=alpha, smoothing=smoothing)
    config = nengo.Network.context[-1].config
    if ensemble is not None:
        _params(config, nengo.Ensemble)
        setattr(config[ensemble], SETTING, mode)
        return
    params = _params(config, nengo.Network)
    settings = dict(getattr(params, SETTING) or {})
    key = None if neuron_type is None else (
        neuron_type if isinstance(neuron_type, type) else type(neuron_type)
    )
    settings[key] = mode
    setattr(params, SETTING, settings)


def _network_setting(config, neuron_class):
    try:
        settings = getattr(config[nengo.Network], SETTING, None)
    except ConfigError:
        return None
    if not settings:
        return None
    for cls in neuron_class.__mro__:
        if cls in settings:
            return settings[cls]
    return settings.get(None)


def training_mode(model, ensemble):
    """The :class:`TrainingMode` of ``ensemble`` while ``model`` builds it."""
    configs = [model.config] if model.config is not None else []
    if model.toplevel is not None and model.toplevel.config not in configs:
        configs.append(model.toplevel.config)
    for config in configs:
        try:
            mode = getattr(config[ensemble], SETTING, None)
        except ConfigError:
            mode = None
        if mode is not None:
            return mode
    neuron_class = type(ensemble.neuron_type)
    for config in configs:
        mode = _network_setting(config, neuron_class)
        if mode is not None:
            return mode
    return TrainingMode()
