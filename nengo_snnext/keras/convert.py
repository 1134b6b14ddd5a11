"""``convert(model, ...)``: a Keras model to a Nengo network, with a spiking swap.

:func:`convert` wraps ``nengo_dl.Converter`` (and returns it) with three changes:

- **Nothing unfaithful passes silently.** Before converting, every layer (and
  every layer inside nested models and ``TimeDistributed``) is checked; what
  cannot be converted to native Nengo objects (max pooling, layers without a
  converter, activations without a Nengo equivalent, reductions over the time
  axis...) raises one :class:`ConversionError` naming each layer and the fix,
  instead of a silent ``TensorNode`` fallback (``allow_fallback=False`` by
  default; pass ``allow_fallback=True`` to accept TensorNodes).
- **Inference by default** (``inference_only=True``): batch normalisation and
  dropout convert to their inference behaviour.
- **The ReLU swap** (``neuron_type=...``): every ReLU of an ordinary (rate)
  model becomes neurons of that type, each layer with the gain, bias and
  amplitude fitted to the type's own rate curve on the layer's pre-activations
  (:func:`nengo_snnext.keras.activations.fit_relu`), so that the spiking layer
  computes ReLU: ``amplitude * rate(gain * x + bias) ≈ max(x, 0)``.
"""

import copy as _copy

import nengo
import nengo_dl
import numpy as np
import tensorflow as tf
from nengo.exceptions import BuildError
from nengo_dl.converter import LayerConverter

from nengo_snnext.keras import blocks, converter as _registrations  # noqa: F401  (registers)
from nengo_snnext.keras.activations import ACTIVATION_TO_NEURON, fit_relu, neuron_dt
from nengo_snnext.keras.layers import SpikingNeurons
from nengo_snnext.neurons._base import SpikingNeuronType


class ConversionError(BuildError):
    """A Keras model that cannot be converted faithfully; the message names each layer."""


class Settings:
    """The converter settings that the ``LayerConverter.convertible`` checks read."""

    def __init__(self, *, temporal_model, **kwargs):
        self.temporal_model = temporal_model
        for name, value in kwargs.items():
            setattr(self, name, value)


MAX_POOLING = (
    tf.keras.layers.MaxPool1D, tf.keras.layers.MaxPool2D, tf.keras.layers.MaxPool3D,
    tf.keras.layers.GlobalMaxPool1D, tf.keras.layers.GlobalMaxPool2D,
    tf.keras.layers.GlobalMaxPool3D,
)
MAX_POOLING_FIX = (
    "spiking neurons have no max; use AveragePooling and retrain, or pass "
    "max_to_avg_pool=True to average instead (this changes what the network computes)"
)
NESTED_RELU = (
    "a ReLU inside a nested model: the swap fits the layers of the outer model; build the "
    "model flat (one functional model)"
)
FALLBACK_FIX = (
    "remove or replace the layer, register a nengo_dl.Converter LayerConverter for it, or "
    "pass allow_fallback=True to run it as a TensorNode (NengoDL only, no spikes)"
)


def walk(layers, temporal, nested=False):
    """``(layer, temporal, nested)`` for every layer, in nested models and TimeDistributed too."""
    for layer in layers:
        yield layer, temporal, nested
        if isinstance(layer, tf.keras.layers.TimeDistributed):
            yield from walk([layer.layer], False, nested)
        elif isinstance(layer, tf.keras.Model):
            yield from walk(layer.layers, temporal, True)


def is_relu(layer):
    """True for a ReLU layer or a layer with a ReLU activation (what the swap replaces)."""
    if isinstance(layer, tf.keras.layers.ReLU):
        return (layer.negative_slope == 0 and layer.max_value is None
                and layer.threshold == 0)
    return getattr(layer, "activation", None) in ACTIVATION_TO_NEURON


def activation_problem(layer, settings, swapping):
    """Why this layer's activation does not convert faithfully, or None."""
    if isinstance(layer, tf.keras.layers.LeakyReLU) or (
            isinstance(layer, tf.keras.layers.ReLU) and layer.negative_slope != 0):
        if swapping:
            return ("a leaky ReLU would stay a rate (non-spiking) neuron: the swap replaces "
                    "ReLU only; retrain with ReLU")
        return None
    activation = getattr(layer, "activation", None)
    if activation is None or not callable(activation) or isinstance(layer, SpikingNeurons):
        return None
    activation_map = LayerConverter.activation_map
    swaps = settings.swap_activations
    swapped = swaps.get(activation, activation)
    if swapping and activation in ACTIVATION_TO_NEURON and swapped is activation:
        return None  # the ReLU swap
    if swapped in activation_map or isinstance(swapped, nengo.neurons.NeuronType):
        neuron_type = activation_map.get(swapped, swapped)
        neuron_type = swaps.get(neuron_type, neuron_type)
        if swapping and neuron_type is not None and not neuron_type.spiking:
            return (f"activation {getattr(activation, '__name__', activation)} would stay a "
                    f"rate (non-spiking) {type(neuron_type).__name__}: the swap replaces ReLU "
                    "only; retrain with ReLU, or map it in swap_activations")
        return None
    if settings.allow_fallback:
        return None
    return (f"activation {getattr(activation, '__name__', activation)} has no Nengo "
            "equivalent; remove it (an output softmax does not change the argmax), retrain "
            "with ReLU, map it in swap_activations, or pass allow_fallback=True (TensorNode)")


def temporal_problem(layer, model_layers):
    """Why a layer of a temporal model breaks the time axis, or None."""
    if isinstance(layer, (blocks.TimeMean, tf.keras.layers.InputLayer)):
        return None
    if isinstance(layer, tf.keras.layers.BatchNormalization):
        return ("batch normalisation of a temporal tensor: wrap it in TimeDistributed "
                "(NengoDL normalises per step)")
    try:
        rank = len(layer.output_shape) if isinstance(layer.output_shape, tuple) else 3
    except AttributeError:  # called more than once: several output shapes
        rank = 3
    if layer in model_layers and rank < 3:
        return ("its output has no time axis (it reduces or flattens over time), but Nengo "
                "runs the time axis as simulation steps: wrap per-step layers in "
                "TimeDistributed, and average over time with nengo_snnext.keras.TimeMean")
    return None


def layer_problem(layer, settings):
    """Why ``nengo_dl.Converter`` cannot convert this layer natively, or None."""
    converter_class = nengo_dl.Converter.converters.get(type(layer))
    if converter_class is None:
        return None if settings.allow_fallback else f"no Nengo converter: {FALLBACK_FIX}"
    convertible, message = converter_class.convertible(layer, settings)
    if convertible:
        return None
    if isinstance(layer, MAX_POOLING):
        return MAX_POOLING_FIX
    if settings.allow_fallback and converter_class.allow_fallback:
        return None
    return message


def check_convertible(model, *, swapping=False, **settings):
    """Raise one :class:`ConversionError` listing every layer that would not convert faithfully.

    Parameters
    ----------
    model : tf.keras.Model
        The model to convert.
    swapping : bool
        Whether the ReLU activations will be swapped for spiking neurons (then
        other nonlinear rate activations are problems too).
    **settings
        ``nengo_dl.Converter`` settings: ``temporal_model``, ``allow_fallback``,
        ``inference_only``, ``max_to_avg_pool``, ``swap_activations``.
    """
    temporal_model = settings.pop("temporal_model", False)
    settings.setdefault("swap_activations", {})
    problems = []
    for layer, temporal, nested in walk(model.layers, temporal_model):
        converter_settings = Settings(temporal_model=temporal, **settings)
        problem = (layer_problem(layer, converter_settings)
                   or activation_problem(layer, converter_settings, swapping)
                   or (temporal_model and temporal and temporal_problem(layer, model.layers))
                   or (swapping and nested and is_relu(layer) and NESTED_RELU)
                   or None)
        if problem:
            problems.append(f"- layer '{layer.name}' ({type(layer).__name__}): {problem}")
    if problems:
        raise ConversionError(
            f"cannot convert Keras model '{model.name}' to native Nengo objects "
            "faithfully:\n" + "\n".join(problems)
        )


def with_amplitude(neuron_type, amplitude):
    """A copy of ``neuron_type`` with ``amplitude``."""
    if isinstance(neuron_type, SpikingNeuronType):
        return neuron_type.replace(amplitude=amplitude)
    copy = _copy.copy(neuron_type)
    type(copy).amplitude.data[copy] = amplitude  # Nengo's read-only Param, as NengoDL does
    return copy


def relu_nodes(converter):
    """``(layer, keras_node)`` of every ReLU in the converted (functional) model."""
    found = []
    for layer in converter.model.layers:
        if not is_relu(layer):
            continue
        for node in layer.inbound_nodes:
            try:
                converter.layers[node.output_tensors]
            except KeyError:
                continue
            found.append((layer, node))
    return found


def preactivations(converter, nodes, calibration_data):
    """Each ReLU's input to the rectifier on ``calibration_data`` (numpy arrays)."""
    model = converter.model
    probe = tf.keras.Model(model.inputs, [node.input_tensors for _, node in nodes])
    values = probe.predict(calibration_data, verbose=0)
    if len(nodes) == 1:
        values = [values]
    result = []
    for (layer, _), value in zip(nodes, values):
        if not isinstance(layer, tf.keras.layers.ReLU) and hasattr(layer, "activation") and (
                not isinstance(layer, tf.keras.layers.Activation)):
            config = {**layer.get_config(), "activation": "linear"}
            linear = type(layer).from_config(config)
            linear.build(value.shape)
            linear.set_weights(layer.get_weights())
            value = linear(value).numpy()
        result.append(np.asarray(value))
    return result


def swap_relus(converter, neuron_type, calibration_data, *, steps, percentile):
    """Re-type the ReLU ensembles with fitted gain, bias and amplitude; return the fits."""
    nodes = relu_nodes(converter)
    fits = {}
    for (layer, node), values in zip(nodes, preactivations(converter, nodes, calibration_data)):
        neurons = converter.layers[node.output_tensors]
        ensemble = neurons.ensemble
        n = ensemble.n_neurons
        fit = fit_relu(neuron_type, values, dt=neuron_dt(neuron_type), n_neurons=n,
                       steps=steps, percentile=percentile)
        bias = ensemble.bias
        bias = (np.full(n, bias.options[0]) if isinstance(bias, nengo.dists.Choice)
                else np.asarray(bias, dtype=float))
        ensemble.gain = np.full(n, fit.gain)
        ensemble.bias = fit.gain * bias + fit.bias
        ensemble.neuron_type = with_amplitude(neuron_type, fit.amplitude)
        fits[layer.name] = fit
    return fits


def convert(
    model,
    *,
    neuron_type=None,
    calibration_data=None,
    swap_activations=None,
    scale_firing_rates=None,
    synapse=None,
    steps=50,
    percentile=99.9,
    allow_fallback=False,
    inference_only=True,
    **converter_kwargs,
):
    """Convert a Keras model to a Nengo network (a ``nengo_dl.Converter``).

    Parameters
    ----------
    model : tf.keras.Model
        A trained model: an ordinary (rate) model, or a temporal one built with
        nengo-snnext's spiking layers (then pass ``temporal_model=True``).
    neuron_type : NeuronType, optional
        Swap every ReLU for spiking neurons of this type (e.g.
        ``nengo_snnext.KLIF()``), with each layer's gain, bias and amplitude
        fitted to the type's rate curve so that the layer still computes ReLU
        (the type's own ``amplitude`` is replaced). Needs ``calibration_data``.
        Ordinary (non-temporal) models only.
    calibration_data : array_like or list or dict, optional
        A few training inputs (a hundred or so), as for ``model.predict``: each
        ReLU's pre-activations on them set its fit.
    swap_activations : dict, optional
        ``nengo_dl.Converter``'s own swaps (not of ReLU when ``neuron_type`` is
        given).
    scale_firing_rates : float or dict, optional
        ``nengo_dl.Converter``'s manual rate scaling; not with ``neuron_type``,
        which chooses each layer's scale itself.
    synapse : float or Synapse, optional
        Filter on every connection out of spiking neurons (and the output
        probes of neurons). The leaky discrete types (DiscreteLIF, KLIF) need
        about 5 ms to keep a ReLU model's accuracy; see ``docs/keras.md``.
    steps : int
        The number of steps each input will be presented for: the fit trades
        the rate curve's nonlinearity against the spike count's resolution
        over that many steps.
    percentile : float
        Percentile of each layer's positive pre-activations that sets the
        scale of its fit (the fit weighs all of them).
    allow_fallback : bool
        ``False`` (default): a layer without a native Nengo equivalent raises a
        :class:`ConversionError`; ``True``: it runs as a ``TensorNode``.
    inference_only : bool
        Convert batch normalisation and dropout to their inference behaviour
        (default); ``False`` to train the converted network in NengoDL (then
        they do not convert).
    **converter_kwargs
        More ``nengo_dl.Converter`` arguments: ``temporal_model``,
        ``max_to_avg_pool``, ``split_shared_weights``.

    Returns
    -------
    nengo_dl.Converter
        ``.net`` the network, ``.inputs``/``.outputs``/``.layers`` as usual;
        ``.calibration`` maps each swapped layer's name to its
        :class:`~nengo_snnext.keras.activations.ReLUFit` (empty without a swap).

    Raises
    ------
    ConversionError
        Naming every layer that would not convert faithfully, and the fix.
    """
    swap_activations = dict(swap_activations or {})
    temporal_model = converter_kwargs.get("temporal_model", False)
    if neuron_type is not None:
        if temporal_model:
            raise ConversionError(
                "neuron_type swaps the ReLUs of an ordinary (rate) model; a temporal model "
                "already has its spiking layers: convert it without neuron_type"
            )
        if scale_firing_rates is not None:
            raise ConversionError(
                "neuron_type fits each layer's gain and amplitude itself; scale_firing_rates is "
                "NengoDL's manual alternative (use it with swap_activations instead)"
            )
        if calibration_data is None:
            raise ConversionError(
                "neuron_type needs calibration_data: a few training inputs (e.g. x_train[:200]) "
                "on which each ReLU's pre-activations are measured"
            )
        clashes = [key for key in swap_activations if key in ACTIVATION_TO_NEURON]
        if clashes:
            raise ConversionError(
                f"swap_activations maps ReLU ({clashes}) while neuron_type swaps it too; "
                "give one of them"
            )
    check_convertible(
        model,
        swapping=neuron_type is not None,
        temporal_model=temporal_model,
        allow_fallback=allow_fallback,
        inference_only=inference_only,
        max_to_avg_pool=converter_kwargs.get("max_to_avg_pool", False),
        swap_activations=swap_activations,
    )
    converter = nengo_dl.Converter(
        model,
        allow_fallback=allow_fallback,
        inference_only=inference_only,
        swap_activations=swap_activations,
        scale_firing_rates=scale_firing_rates,
        synapse=synapse,
        **converter_kwargs,
    )
    converter.calibration = {}
    if neuron_type is not None:
        converter.calibration = swap_relus(converter, neuron_type, calibration_data,
                                           steps=steps, percentile=percentile)
        left = [ens.label for ens in converter.net.all_ensembles
                if type(ens.neuron_type) is nengo.RectifiedLinear]  # what NengoDL built for ReLU
        if left and type(neuron_type) is not nengo.RectifiedLinear:
            raise ConversionError(f"ReLU ensembles {left} were not swapped for {neuron_type}")
    return converter
