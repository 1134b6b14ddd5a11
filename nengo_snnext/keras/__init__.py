"""Keras layers for the nengo-snnext neuron types (imports TensorFlow).

``nengo_snnext.keras.<Type>`` runs a neuron type along the time axis of its
input ``(batch, time, ...)``, following keras-spiking's conventions, with the
same equations as ``nengo.Simulator`` and NengoDL. See ``docs/keras.md``.
"""

from nengo_snnext.keras._parameters import Clip
from nengo_snnext.keras.layers import (
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    DiscreteLIF,
    NamedSpikingNeurons,
    NeuralOscillation,
    NoisyLIF,
    SpikingNeurons,
)

__all__ = [
    "SpikingNeurons",
    "NamedSpikingNeurons",
    "DiscreteLIF",
    "KLIF",
    "NeuralOscillation",
    "AltNeuralOscillation",
    "NoisyLIF",
    "MIF",
    "MIF2",
    "Clip",
]
