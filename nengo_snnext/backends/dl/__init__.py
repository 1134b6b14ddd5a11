"""NengoDL backend: a native TensorFlow builder for every nengo-snnext neuron type.

Imported automatically when both ``nengo_snnext`` and ``nengo_dl`` are imported
(in either order; see :mod:`nengo_snnext.backends`); importing it imports
TensorFlow. After that ``nengo_dl.Simulator`` runs our types with these builders
(never NengoDL's Python fallback), also for user subclasses that keep ``step``.

- :mod:`.ops`: ``TF_OPS``, the equations' array namespace in TensorFlow.
- :mod:`._registry`: ``register_neuron_builder``, the only writer to
  ``nengo_dl.neuron_builders.SimNeuronsBuilder.TF_NEURON_IMPL``.
- :mod:`.equation_builder`: the generic builder that runs a type's equation.
- :mod:`.training`: rate training (default) or surrogate-gradient BPTT.
- one module per neuron family with its builders: :mod:`.lif` (DiscreteLIF,
  KLIF), :mod:`.mif` (MIF, MIF2), :mod:`.oscillation` (NeuralOscillation,
  AltNeuralOscillation), :mod:`.noisy_lif` (NoisyLIF); :mod:`.tabulated`
  evaluates tabulated rate curves.

See ``docs/nengo_dl.md``.
"""

# one module per neuron family; importing it registers its builders
from nengo_snnext.backends.dl import lif, mif, noisy_lif, oscillation  # noqa: F401
from nengo_snnext.backends.dl._registry import builder_for, register_neuron_builder
from nengo_snnext.backends.dl.training import (
    TrainingMode,
    reset_training,
    set_training,
    training,
    training_mode,
)

__all__ = [
    "TrainingMode",
    "builder_for",
    "register_neuron_builder",
    "reset_training",
    "set_training",
    "training",
    "training_mode",
]
