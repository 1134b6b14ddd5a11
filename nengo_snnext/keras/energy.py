"""Energy estimates for models of nengo-snnext Keras layers, with keras-spiking's ``ModelEnergy``.

keras-spiking's :class:`keras_spiking.ModelEnergy` counts, for every layer, its
connections and neuron updates, and estimates the synaptic operations
(synops) of a connection layer as ``connections x rate x dt x timesteps``,
with ``rate`` the mean absolute input of that layer over ``example_data``,
read as spikes per second. This module

- registers :class:`~nengo_snnext.keras.SpikingNeurons` (so every named layer:
  ``KLIF``, ``DiscreteLIF``, ``MIF``, ...) with ``ModelEnergy.register_layer``:
  one neuron update per neuron and step, a spiking layer, no connections of
  its own; and the thesis' blocks ``CodingLayer`` (one convolution),
  ``Vote`` and ``TimeMean`` (:func:`register`);
- provides :class:`ModelEnergy`, a subclass that counts the spikes themselves:
  the rate of a layer fed by one of our layers is the measured number of
  spikes per neuron and second (its output divided by ``amplitude``), so the
  synops of each connection are the spikes of the layer feeding it times the
  fan-out of each spike; between the two, reshaping layers (``Flatten``,
  ``Reshape``, ``Dropout``, ``Permute``, padding, cropping, max pooling) pass
  the spikes on, and average pooling (also ``Vote`` and ``TimeMean``) is
  taken as folded into the next layer's weights (every spike still reaches
  the whole fan-out of that layer: the rate is multiplied by the number of
  inputs per pooled output). Its ``dt`` defaults to the ``dt`` of our layers
  (when they all share one).

Plain ``keras_spiking.ModelEnergy`` works on the same models once
:func:`register` has run, and counts the same synops when the spiking layers
have ``amplitude = 1`` (a spike is ``1 / dt``, as keras-spiking's
``SpikingActivation``), their ``dt`` is the ``dt`` given to it and no pooling
sits between a spiking layer and the next connection; otherwise it reads
``amplitude x`` the spike rate (it warns) and pooled rates, and this module's
:class:`ModelEnergy` is the one that counts spikes.

keras-spiking is an optional dependency (``pip install "nengo-snnext[energy]"``,
i.e. ``keras-spiking==0.3.0``); it is imported when :func:`register` or
:class:`ModelEnergy` is first used, not when this module is imported. See the
"Benchmarks and energy" section of ``docs/keras.md``.
"""

import contextlib
import threading
import warnings

import numpy as np

from nengo_snnext.keras.blocks import CodingLayer, TimeMean, Vote
from nengo_snnext.keras.layers import SpikingNeurons

INSTALL_HINT = 'pip install "nengo-snnext[energy]" (that is, keras-spiking==0.3.0)'

_state = threading.local()  # .counting: inside this module's ModelEnergy
_model_energy_class = None


def keras_spiking():
    """Import keras-spiking, or raise an ``ImportError`` that says how to install it."""
    try:
        import keras_spiking as module
    except ImportError as error:
        raise ImportError(
            f"nengo_snnext.keras.energy needs keras-spiking, which is not installed: "
            f"{INSTALL_HINT}"
        ) from error
    return module


def register():
    """Register our layers with ``keras_spiking.ModelEnergy`` (idempotent).

    Returns ``keras_spiking.ModelEnergy``. After this call
    ``keras_spiking.ModelEnergy(model, example_data)`` computes the statistics
    of every :class:`~nengo_snnext.keras.SpikingNeurons` layer (and subclass):
    ``neurons`` (updates per step: the neurons of one sample) and
    ``spiking=True``; and of the thesis' blocks (:mod:`.blocks`): a
    :class:`~nengo_snnext.keras.CodingLayer` counts the connections of one
    convolution (its branches and batch normalisations fold into one at
    inference, as the converter builds it), :class:`~nengo_snnext.keras.Vote`
    and :class:`~nengo_snnext.keras.TimeMean` (averages) none.
    """
    ks = keras_spiking()
    for layer_class, stats in ((SpikingNeurons, spiking_neurons_stats),
                               (CodingLayer, coding_layer_stats),
                               (Vote, no_stats), (TimeMean, no_stats)):
        if ks.ModelEnergy.layer_stats_computers.get(layer_class) is not stats:
            ks.ModelEnergy.register_layer(layer_class)(stats)
    return ks.ModelEnergy


def _input_shape(node):
    shapes = node.input_shapes
    nested = isinstance(shapes, (list, tuple)) and shapes
    if nested and not isinstance(shapes[0], (int, type(None))):
        shapes = shapes[0]  # the currents; later inputs are initial states
    return tuple(shapes)


def spiking_neurons_stats(node):
    """keras-spiking layer statistics of a :class:`~nengo_snnext.keras.SpikingNeurons` call.

    ``neurons``: the neurons of one sample (the input's trailing shape after
    ``(batch, time)``), each updated once per step; ``spiking``: True; no
    connections (the synops are counted at the layers its spikes feed).
    """
    layer = node.layer
    shape = _input_shape(node)[2:]
    if any(size is None for size in shape):
        raise ValueError(
            f"Cannot compute stats for '{layer.name}': its input shape "
            f"{_input_shape(node)} has undefined trailing dimensions"
        )
    amplitude = layer.neuron_type.amplitude
    if amplitude != 1 and not getattr(_state, "counting", False):
        warnings.warn(
            f"{layer.name}: its spikes have amplitude {amplitude:g} (a spike is amplitude / "
            f"dt), and keras_spiking.ModelEnergy reads the mean output as the spike rate, "
            f"so it counts {amplitude:g} x the synaptic operations of the layers this one "
            f"feeds; nengo_snnext.keras.energy.ModelEnergy counts the spikes"
        )
    return {"neurons": int(np.prod(shape, dtype=np.int64)), "spiking": True}


def coding_layer_stats(node):
    """keras-spiking statistics of a :class:`~nengo_snnext.keras.CodingLayer`: one convolution.

    ``connections``: output elements per step x kernel height x width x input
    channels (keras-spiking's count for ``Conv2D``), once: the branches and
    their batch normalisations are one convolution at inference
    (``CodingLayer.folded``). No neurons (the currents feed a spiking layer).
    """
    layer = node.layer
    size = _size(node.output_shapes)
    if size is None:
        raise ValueError(f"Cannot compute stats for '{layer.name}': its output shape "
                         f"{node.output_shapes} has undefined dimensions")
    kernel = int(np.prod(layer.convs[0].kernel.shape[:-1], dtype=np.int64))
    return {"connections": size * kernel, "neurons": 0}


def no_stats(node):
    """keras-spiking statistics of an averaging block (``Vote``, ``TimeMean``): none."""
    del node
    return {}


@contextlib.contextmanager
def _counting_spikes():
    previous = getattr(_state, "counting", False)
    _state.counting = True
    try:
        yield
    finally:
        _state.counting = previous


def _size(shape):
    """Elements per sample and step, keras-spiking's convention (a leading None is time)."""
    shape = tuple(shape)[1:]
    if shape and shape[0] is None:
        shape = shape[1:]
    if any(size is None for size in shape):
        return None
    return int(np.prod(shape, dtype=np.int64))


def _event_layer_kind(layer):
    """'pass' (values unchanged or a spike per event), 'average', or None (not spikes after)."""
    import tensorflow as tf

    kl = tf.keras.layers
    passing = (kl.Flatten, kl.Reshape, kl.Dropout, kl.Permute, kl.ZeroPadding1D,
               kl.ZeroPadding2D, kl.ZeroPadding3D, kl.Cropping1D, kl.Cropping2D,
               kl.Cropping3D, kl.MaxPooling1D, kl.MaxPooling2D, kl.MaxPooling3D)
    averaging = (kl.AveragePooling1D, kl.AveragePooling2D, kl.AveragePooling3D,
                 kl.GlobalAveragePooling1D, kl.GlobalAveragePooling2D,
                 kl.GlobalAveragePooling3D)
    if isinstance(layer, passing):
        return "pass"
    if isinstance(layer, averaging + (Vote, TimeMean)):
        return "average"
    return None


def spike_scale(tensor):
    """Spikes per unit of ``|tensor|``: how to read ``tensor`` as events for the next layer.

    For a tensor that carries the spikes of a :class:`SpikingNeurons` layer
    (directly or through the reshaping and pooling layers of the module
    docstring): ``inputs per pooled output / amplitude``, so that
    ``mean(|tensor|) x spike_scale`` is the spike rate (Hz of the layer's
    ``dt``) that drives the next connection, pooling folded into its weights.
    For any other tensor 1 (keras-spiking's reading).
    """
    import tensorflow as tf

    factor = 1.0
    while True:
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            return 1.0
        layer, node_index, tensor_index = history
        if isinstance(layer, SpikingNeurons):
            if tensor_index != 0:  # a state (return_state=True), not the spikes
                return 1.0
            return factor / layer.neuron_type.amplitude
        inner = layer.layer if isinstance(layer, tf.keras.layers.TimeDistributed) else layer
        kind = _event_layer_kind(inner)
        if kind is None:
            return 1.0
        node = layer.inbound_nodes[node_index]
        inputs = tf.nest.flatten(node.input_tensors)
        if len(inputs) != 1:
            return 1.0
        if kind == "average":
            size_in, size_out = _size(inputs[0].shape), _size(tensor.shape)
            if not size_in or not size_out:
                return 1.0
            factor *= size_in / size_out
        tensor = inputs[0]


def _spiking_layers(model):
    found = []
    for layer in model.layers:
        if isinstance(layer, SpikingNeurons):
            found.append(layer)
        elif hasattr(layer, "layers"):  # nested models
            found.extend(_spiking_layers(layer))
    return found


def _make_model_energy_class():
    import tensorflow as tf

    base = register()

    class ModelEnergy(base):
        """``keras_spiking.ModelEnergy`` that counts the spikes of our layers.

        As keras-spiking's class (same arguments, statistics, devices,
        ``summary``, ``total_energy``, ``layer_energy``), except:

        - the rate of a layer fed by a :class:`~nengo_snnext.keras.SpikingNeurons`
          layer is the measured spike rate of that layer (mean output /
          ``amplitude``, in Hz of its ``dt``), through reshaping layers, with
          average pooling folded into the next layer (see
          :func:`spike_scale`): each connection's synops are the spikes that
          drive it times their fan-out. Other inputs (images, ReLU outputs)
          are read as keras-spiking reads them (mean absolute value in Hz);
        - ``dt`` defaults to the ``dt`` of the model's spiking layers when they
          all have the same one (else ``keras_spiking.default.dt``).
        """

        def _compute_model_stats(self):
            with _counting_spikes():
                super()._compute_model_stats()

        def _compute_model_rates(self):
            entries = []  # (layer, node, [(tensor, scale)])
            for layer in self.model.layers:
                for node in layer.inbound_nodes:
                    if node in self.node_stats:
                        tensors = tf.nest.flatten(node.input_tensors)
                        entries.append((layer, [(t, spike_scale(t)) for t in tensors]))
            outputs = [t for _, pairs in entries for t, _ in pairs]
            values = tf.keras.Model(self.model.inputs, outputs).predict(
                self.example_data, verbose=0)
            if len(outputs) == 1:
                values = [values]
            values = iter(values)
            self.layer_rates = {layer: 0.0 for layer in self.model.layers}
            for layer, pairs in entries:
                # one node: the mean over its input elements (keras-spiking's
                # np.mean(np.abs(node.input_tensors))), each read as spikes
                total, count = 0.0, 0
                for _, scale in pairs:
                    x = np.asarray(next(values))
                    total += float(np.sum(np.abs(x), dtype=np.float64)) * scale
                    count += x.size
                self.layer_rates[layer] += total / max(count, 1)

        def default_dt(self, dt=None):
            """``dt`` if given, else the spiking layers' common ``dt``, else keras-spiking's."""
            if dt is not None:
                return dt
            dts = {layer.dt for layer in _spiking_layers(self.model)}
            return dts.pop() if len(dts) == 1 else keras_spiking().default.dt

        def layer_energy(self, layer, device, timesteps_per_inference=1, dt=None):
            return super().layer_energy(layer, device, timesteps_per_inference,
                                        dt=self.default_dt(dt))

        def total_energy(self, device, timesteps_per_inference=1, dt=None):
            return super().total_energy(device, timesteps_per_inference, dt=self.default_dt(dt))

        def summary_string(self, *args, dt=None, **kwargs):
            if len(args) >= 3:  # (columns, timesteps_per_inference, dt, ...)
                args = list(args)
                args[2] = self.default_dt(args[2])
                return super().summary_string(*args, **kwargs)
            return super().summary_string(*args, dt=self.default_dt(dt), **kwargs)

    ModelEnergy.__module__ = __name__
    ModelEnergy.__qualname__ = "ModelEnergy"
    return ModelEnergy


def __getattr__(name):
    """``ModelEnergy``: built on first use (imports keras-spiking)."""
    global _model_energy_class
    if name == "ModelEnergy":
        if _model_energy_class is None:
            _model_energy_class = _make_model_energy_class()
        return _model_energy_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ModelEnergy", "register", "spike_scale", "spiking_neurons_stats", "keras_spiking"]
