"""Neuron types without a Loihi compartment: a ``BuildError`` naming the reason and the fix.

Registered as their nengo-loihi builders (nengo-loihi's own catch-all only says
that the type is not supported). Each reason is why no compartment setting
reproduces the type; the fix is the nearest mappable type or off-chip placement
(``nengo_snnext.loihi.prepare(net, auto_off_chip=True)`` does it for every such
ensemble).
"""

from nengo.exceptions import BuildError
from nengo_loihi.builder import Builder

from nengo_snnext.backends.loihi._compartment import OFF_CHIP_FIX
from nengo_snnext.neurons import MIF2, AltNeuralOscillation, ConductanceLIF, NoisyLIF

AUTO = "(nengo_snnext.loihi.prepare(net, auto_off_chip=True) places all such ensembles)"

UNMAPPABLE = {
    MIF2: (
        "two memristors switch the membrane at each spike (ON-phase discharge, "
        "depolarisation block), which no Loihi compartment does",
        "use MIF(memristive=False) (an exact LIF compartment)",
    ),
    AltNeuralOscillation: (
        "its deterministic term F(H) (a sine, exponential or sigmoid of the "
        "potential) is a nonlinearity inside the membrane update; a compartment "
        "only decays, adds and floors",
        "use NeuralOscillation (the chip's uniform noise) or KLIF",
    ),
    NoisyLIF: (
        "its spikes are drawn with a probability given by the noise's CDF of the "
        "potential; Loihi's noise is uniform and additive, and a compartment "
        "fires on a fixed threshold",
        "use NeuralOscillation (additive uniform noise) or DiscreteLIF",
    ),
    ConductanceLIF: (
        "its input is a conductance (multiplied by the distance to a reversal "
        "potential) and its threshold adapts; a compartment has neither",
        "use DiscreteLIF or nengo.LIF",
    ),
}


def build_unmappable(model, neuron_type, neurons, block):
    """Raise the ``BuildError`` of a type listed in :data:`UNMAPPABLE`."""
    for cls in type(neuron_type).__mro__:
        if cls in UNMAPPABLE:
            reason, fix = UNMAPPABLE[cls]
            raise BuildError(
                f"{neurons}: {type(neuron_type).__name__} has no Loihi compartment: "
                f"{reason}; {fix}, {OFF_CHIP_FIX} {AUTO}"
            )
    raise BuildError(f"{neurons}: {type(neuron_type).__name__} has no Loihi compartment")


for _cls in UNMAPPABLE:
    Builder.register(_cls)(build_unmappable)
