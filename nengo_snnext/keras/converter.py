"""``nengo_dl.Converter`` support: our Keras layers become ensembles of the same type.

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
from nengo_dl.converter import LayerConverter

from nengo_snnext.keras import layers
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
