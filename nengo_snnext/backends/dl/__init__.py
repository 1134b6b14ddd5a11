"""NengoDL backend: a native TensorFlow builder for every nengo-snnext neuron type.

Imported automatically when both ``nengo_snnext`` and ``nengo_dl`` are imported
(in either order; see :mod:`nengo_snnext.backends`); importing it imports
TensorFlow. After that ``nengo_dl.Simulator`` runs our types with these builders
(never NengoDL's Python fallback), also for user subclasses that keep ``step``.

- :mod:`.ops`: ``TF_OPS``, the equations' array namespace in TensorFlow.
- :mod:`._registry`: ``register_neuron_builder``, the only writer to
  ``nengo_dl.neuron_builders.SimNeuronsBuilder.TF_NEURON_IMPL``.
- :mod:`.equation_builder`: the builder that runs a type's equations.
- :mod:`.surrogate`: surrogate spike functions for surrogate training.
- :mod:`.neurons`: the registrations, one line per family.
- :mod:`.conductance_lif`, :mod:`.stdp`, :mod:`.bernoulli`: ``ConductanceLIF``, the STDP
  operator and the Bernoulli input source.

Training modes are per network: :func:`nengo_snnext.configure_training`.
See ``docs/nengo_dl.md``.
"""

from nengo_snnext.backends.dl import neurons  # noqa: F401  (registers the builders)
from nengo_snnext.backends.dl import bernoulli, conductance_lif, stdp  # noqa: F401  (registers)
from nengo_snnext.backends.dl._registry import builder_for, register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder

__all__ = ["EquationBuilder", "builder_for", "register_neuron_builder"]
