"""Nengo core build function for nengo-snnext neuron types.

Validates the simulator ``dt`` against the neuron parameters at build time (so
that a bad ``dt`` is reported when the model is built, not at the first step)
and then uses Nengo's generic ``SimNeurons`` operator.
"""

import warnings

import nengo
from nengo.builder.neurons import build_neurons

from nengo_snnext.neurons._adapter import EquationNeuronType


@nengo.builder.Builder.register(EquationNeuronType)
def build_equation_neurons(model, neurontype, neurons, **kwargs):
    """Check ``model.dt`` against ``neurontype`` and build it with ``SimNeurons``."""
    neurontype.check_dt(model.dt)
    mismatch = abs(model.dt - neurontype.dt) > 1e-12 * neurontype.dt
    if neurontype.rates_depend_on_dt and mismatch:
        warnings.warn(
            f"{neurontype} computes rates and gain/bias for dt={neurontype.dt:g} s "
            f"but the simulator uses dt={model.dt:g} s; ensembles built from "
            f"max_rates/intercepts will not fire at the requested rates. Construct "
            f"{type(neurontype).__name__}(..., dt={model.dt:g})."
        )
    return build_neurons(model, neurontype, neurons, **kwargs)
