"""NengoDL registration of :class:`~nengo_snnext.neurons.bernoulli.BernoulliSpiking`.

The generic :class:`~.equation_builder.EquationBuilder` runs
:func:`nengo_snnext.equations.bernoulli.bernoulli_step` with TensorFlow ops and
a fresh counter-based uniform sample per step.
"""

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.neurons.bernoulli import BernoulliSpiking

register_neuron_builder(BernoulliSpiking)(EquationBuilder)
