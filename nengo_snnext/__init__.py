"""nengo-snnext: neuron models from the spiking-network literature on every Nengo backend."""

from nengo_snnext.neurons import (
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    DiscreteLIF,
    NeuralOscillation,
    NoisyLIF,
)
from nengo_snnext.training import TrainingMode, configure_training
from nengo_snnext.version import version as __version__

__all__ = [
    "DiscreteLIF",
    "KLIF",
    "MIF",
    "MIF2",
    "NeuralOscillation",
    "AltNeuralOscillation",
    "NoisyLIF",
    "TrainingMode",
    "configure_training",
    "__version__",
]

from nengo_snnext import backends  # noqa: E402

backends.register_available()
