"""Nengo core build function for nengo-snnext neuron types.

Validates the simulator ``dt`` against the neuron parameters at build time (so
that a bad ``dt`` is reported when the model is built, not at the first step),
uses Nengo's generic ``SimNeurons`` operator, and records on that operator the
ensemble's training mode from the network config (:mod:`nengo_snnext.training`),
which the NengoDL builder reads. NengoDL builds networks with this function too.
"""

import warnings

import nengo
from nengo.builder.neurons import SimNeurons, build_neurons

from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.training import training_mode


@nengo.builder.Builder.register(SpikingNeuronType)
def build_spiking_neurons(model, neurontype, neurons, **kwargs):
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
    result = build_neurons(model, neurontype, neurons, **kwargs)
    [op] = [
        op for op in model.operators[-1:]
        if isinstance(op, SimNeurons) and op.neurons is neurontype
    ]
    op.training_mode = training_mode(model, neurons.ensemble)
    return result
