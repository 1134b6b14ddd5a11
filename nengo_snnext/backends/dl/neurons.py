"""NengoDL registrations of the nengo-snnext neuron types: one line per family.

Every type runs on :class:`~.equation_builder.EquationBuilder`, which reads what
the type declares (equation, state, training rate, surrogate, normalisation);
user subclasses that keep ``step`` inherit the registration (see :mod:`._registry`).
"""

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.neurons import (
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    DiscreteLIF,
    NeuralOscillation,
    NoisyLIF,
)

register_neuron_builder(DiscreteLIF, KLIF)(EquationBuilder)
register_neuron_builder(MIF, MIF2)(EquationBuilder)
register_neuron_builder(NeuralOscillation, AltNeuralOscillation)(EquationBuilder)
register_neuron_builder(NoisyLIF)(EquationBuilder)
