"""NengoDL registration of :class:`~nengo_snnext.ConductanceLIF`.

The generic :class:`~.equation_builder.EquationBuilder` runs the family's step
(:func:`nengo_snnext.equations.conductance_lif.conductance_lif_step`) with
TensorFlow ops; the ``method`` string selects the code path and splits merged
groups that differ in it.
"""

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.neurons import ConductanceLIF

register_neuron_builder(ConductanceLIF)(EquationBuilder)
