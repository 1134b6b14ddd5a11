"""Keras layers for the nengo-snnext neuron types (imports TensorFlow).

``nengo_snnext.keras.<Type>`` runs a neuron type along the time axis of its
input ``(batch, time, ...)``, following keras-spiking's conventions, with the
same equations as ``nengo.Simulator`` and NengoDL; ``nengo_dl.Converter(model,
temporal_model=True)`` turns them into ensembles of the same type
(:mod:`.converter`). :func:`convert` wraps ``nengo_dl.Converter``: it refuses
what would not convert faithfully, and swaps the ReLUs of an ordinary model for
any neuron type, fitted to the type's rate curve (:mod:`.activations`).
:mod:`.blocks` holds the thesis' coding layer and voting decoder. See
``docs/keras.md``.
"""

from nengo_snnext.backends.extras import require

require("dl", "nengo_snnext.keras", "tensorflow", "nengo_dl")

from nengo_snnext.keras import converter  # noqa: E402,F401  (registers with nengo_dl.Converter)
from nengo_snnext.keras._parameters import Clip  # noqa: E402
from nengo_snnext.keras.activations import ReLUFit, fit_relu  # noqa: E402
from nengo_snnext.keras.blocks import CodingLayer, TimeMean, Vote, voting_decoder  # noqa: E402
from nengo_snnext.keras.convert import ConversionError, check_convertible, convert  # noqa: E402
from nengo_snnext.keras.layers import (  # noqa: E402
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
    "convert",
    "check_convertible",
    "ConversionError",
    "fit_relu",
    "ReLUFit",
    "CodingLayer",
    "Vote",
    "TimeMean",
    "voting_decoder",
]
