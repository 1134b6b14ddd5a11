"""Keras layers for the nengo-snnext neuron types (imports TensorFlow).

``nengo_snnext.keras.<Type>`` runs a neuron type along the time axis of its
input ``(batch, time, ...)``, following keras-spiking's conventions, with the
same equations as ``nengo.Simulator`` and NengoDL; ``nengo_dl.Converter(model,
temporal_model=True)`` turns them into ensembles of the same type
(:mod:`.converter`). See ``docs/keras.md``.
"""

from nengo_snnext.keras import converter  # noqa: F401  (registers with nengo_dl.Converter)
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
