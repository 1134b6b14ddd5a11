"""Nengo neuron types of nengo-snnext."""

from nengo_snnext.neurons.conductance_lif import ConductanceLIF
from nengo_snnext.neurons.lif import KLIF, DiscreteLIF
from nengo_snnext.neurons.mif import MIF
from nengo_snnext.neurons.mif2 import MIF2
from nengo_snnext.neurons.noisy_lif import NoisyLIF
from nengo_snnext.neurons.oscillation import AltNeuralOscillation, NeuralOscillation

__all__ = [
    "DiscreteLIF",
    "KLIF",
    "MIF",
    "MIF2",
    "NeuralOscillation",
    "AltNeuralOscillation",
    "NoisyLIF",
    "ConductanceLIF",
]
