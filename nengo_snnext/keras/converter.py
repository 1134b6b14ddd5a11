"""``nengo_dl.Converter`` support: our Keras layers become ensembles of the same type.

Registered here (``nengo_dl`` looks converters up by the layer's exact class):
the spiking layers (below), ``Dropout`` (the identity at inference) and the
building blocks of :mod:`.blocks` (:class:`CodingLayer`, :class:`Vote`,
:class:`TimeMean`).

A :class:`~nengo_snnext.keras.SpikingNeurons` layer (or a named one) converts to
``nengo.Ensemble(n, 1, neuron_type=layer.trained_neuron_type(), gain=1, bias=0)``
whose neurons receive the layer's input (``ens.neurons``, no synapse), with the
learned per-layer parameters (``k``, ``tau``, ``threshold``) and the layer's
constant initial state. Converted with ``temporal_model=True`` and simulated
with the layer's ``dt``, a deterministic layer gives the same spikes as in Keras;
stochastic types draw their noise from NengoDL's generator (same distribution,
other samples).

Not convertible (``nengo_dl`` then falls back to a ``TensorNode`` running the
Keras layer, or raises with ``allow_fallback=False``): ``per_channel`` trainable
parameters (one neuron type holds one value), ``return_sequences=False``,
``return_state``, ``stateful``, ``time_major``.
"""

import nengo
import nengo_dl
import numpy as np
import tensorflow as tf
from nengo_dl.converter import LayerConverter

from nengo_snnext.keras import blocks, layers
from nengo_snnext.keras._parameters import constant_state


class ConvertSpikingNeurons(LayerConverter):
    """Convert a :class:`~nengo_snnext.keras.SpikingNeurons` layer to an ensemble."""

    unsupported_args = [
        ("return_sequences", True),
        ("return_state", False),
        ("stateful", False),
        ("time_major", False),
        ("per_channel", False),
    ]

    @classmethod
    def convertible(cls, layer, converter):
        if not converter.temporal_model:
            return False, (
                f"{layer.name}: a spiking layer steps along the time axis; convert with "
                "nengo_dl.Converter(model, temporal_model=True)"
            )
        return super().convertible(layer, converter)

    def neuron_type(self):
        """The trained neuron type, starting from the layer's constant state."""
        neuron_type = self.layer.trained_neuron_type()
        initial = {
            name: nengo.dists.Choice([value])
            for name, value in constant_state(neuron_type).items()
        }
        return neuron_type.replace(initial_state=initial, dt=self.layer.dt)

    def convert(self, node_id):
        # the trailing shape of one step, flattened onto the ensemble's neurons
        shape = self.output_shape(node_id)
        n_neurons = 1
        for size in shape:
            n_neurons *= size
        ensemble = nengo.Ensemble(
            n_neurons,
            1,
            neuron_type=self.neuron_type(),
            gain=nengo.dists.Choice([1.0]),
            bias=nengo.dists.Choice([0.0]),
            label=f"{self.layer.name}.{node_id}",
        )
        output = ensemble.neurons
        self.set_trainable(output, False)  # gain 1, bias 0: the layer has no biases
        self.add_connection(node_id, output)
        return output


for _layer_class in (
    layers.SpikingNeurons,
    layers.DiscreteLIF,
    layers.KLIF,
    layers.NeuralOscillation,
    layers.AltNeuralOscillation,
    layers.NoisyLIF,
    layers.MIF,
    layers.MIF2,
):
    # nengo_dl looks converters up by the layer's exact class
    nengo_dl.Converter.register(_layer_class)(ConvertSpikingNeurons)


def inference_only_check(layer, converter, what):
    """``(False, message)`` unless the converter is ``inference_only`` (else ``(True, None)``)."""
    if converter.inference_only:
        return True, None
    return False, (
        f"{layer.name}: {what} only in inference; convert with inference_only=True "
        "(nengo_snnext.keras.convert does by default)"
    )


class ConvertDropout(LayerConverter):
    """``Dropout`` (and the spatial ones): the identity, as in inference."""

    @classmethod
    def convertible(cls, layer, converter):
        convertible, message = inference_only_check(
            layer, converter, "dropout is the identity (Nengo would train without it)")
        return (convertible, message) if not convertible else super().convertible(layer, converter)

    def convert(self, node_id):
        return self.get_input_obj(node_id)


for _layer_class in (
    tf.keras.layers.Dropout,
    tf.keras.layers.SpatialDropout1D,
    tf.keras.layers.SpatialDropout2D,
    tf.keras.layers.SpatialDropout3D,
):
    nengo_dl.Converter.register(_layer_class)(ConvertDropout)


def broadcast_channels(values, shape):
    """Per-channel ``values`` repeated over the leading axes of ``shape`` (channels last), flat."""
    return np.ravel(np.broadcast_to(values, tuple(shape)))


@nengo_dl.Converter.register(blocks.CodingLayer)
class ConvertCodingLayer(LayerConverter):
    """:class:`.CodingLayer`: one convolution with the folded kernel and bias.

    The branches and their batch normalisations are linear at inference, so
    they fold into the kernel ``sum_i s_i K_i`` and the bias ``sum_i b_i``
    (:meth:`.CodingLayer.folded`); both are fixed (not trainable) in Nengo.
    Every step is encoded (for the static input of ``static=True``, the same
    currents Keras repeats).
    """

    @classmethod
    def convertible(cls, layer, converter):
        convertible, message = inference_only_check(
            layer, converter, "the batch normalisations fold into the convolution")
        return (convertible, message) if not convertible else super().convertible(layer, converter)

    def convert(self, node_id):
        kernel, bias = self.layer.folded()
        shape = self.output_shape(node_id)
        output = self.add_nengo_obj(node_id)
        bias_node = nengo.Node(broadcast_channels(bias, shape),
                               label=f"{self.layer.name}.{node_id}.bias")
        self.set_trainable(nengo.Connection(bias_node, output, synapse=None), False)
        transform = nengo.Convolution(
            n_filters=self.layer.filters,
            input_shape=self.input_shape(node_id),
            kernel_size=self.layer.kernel_size,
            padding="same",
            channels_last=True,
            init=kernel,
        )
        self.add_connection(node_id, output, transform=transform, trainable=False)
        return output


@nengo_dl.Converter.register(blocks.Vote)
class ConvertVote(LayerConverter):
    """:class:`.Vote`: a fixed averaging transform (``1 / votes`` per class group)."""

    def convert(self, node_id):
        n_in = int(np.prod(self.input_shape(node_id)))
        votes = self.layer.votes
        rows = np.arange(n_in) // votes  # input unit i votes for output i // votes
        output = self.add_nengo_obj(node_id)
        transform = nengo.Sparse(
            (n_in // votes, n_in),
            indices=np.stack([rows, np.arange(n_in)], axis=1),
            init=np.full(n_in, 1.0 / votes),
        )
        self.add_connection(node_id, output, transform=transform)
        return output


def running_mean(t, totals):
    """Output of the time-mean node: the running sums over the step count (last entry)."""
    del t
    return totals[:-1] / max(totals[-1], 1.0)


@nengo_dl.Converter.register(blocks.TimeMean)
class ConvertTimeMean(LayerConverter):
    """:class:`.TimeMean`: the running mean of the steps so far.

    An accumulator (a passthrough node fed back onto itself through
    ``synapse=0``, a one-step delay) sums the input and counts the steps; a
    node divides (the only Python node of a conversion; NengoDL runs it
    outside TensorFlow, without gradients). At step ``n`` the output is the
    mean of steps ``1 ... n``, so the last step equals the Keras output.
    """

    @classmethod
    def convertible(cls, layer, converter):
        if not converter.temporal_model:
            return False, (f"{layer.name}: TimeMean averages over the time axis; convert "
                           "with temporal_model=True")
        return super().convertible(layer, converter)

    def convert(self, node_id):
        size = int(np.prod(self.input_shape(node_id)))
        label = f"{self.layer.name}.{node_id}"
        totals = nengo.Node(size_in=size + 1, label=f"{label}.totals")
        self.add_connection(node_id, totals[:size])
        step = nengo.Node([1.0], label=f"{label}.step")
        self.set_trainable(nengo.Connection(step, totals[size], synapse=None), False)
        self.set_trainable(nengo.Connection(totals, totals, synapse=0), False)
        output = nengo.Node(running_mean, size_in=size + 1, size_out=size, label=label)
        self.set_trainable(nengo.Connection(totals, output, synapse=None), False)
        return output
