"""nengo-snnext: neuron models from the spiking-network literature on every Nengo backend."""

from nengo_snnext.neurons import (
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    ConductanceLIF,
    DiscreteLIF,
    NeuralOscillation,
    NoisyLIF,
)
from nengo_snnext.learning_rules import STDP
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
    "ConductanceLIF",
    "STDP",
    "TrainingMode",
    "configure_training",
    "convert",
    "__version__",
]

from nengo_snnext import backends  # noqa: E402


def __getattr__(name):
    # ``nengo_snnext.convert`` is :func:`nengo_snnext.keras.convert`, imported on first use:
    # ``import nengo_snnext`` stays free of TensorFlow (and works without the [dl] extra)
    if name == "convert":
        from nengo_snnext.keras import convert

        return convert
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


backends.register_available()
