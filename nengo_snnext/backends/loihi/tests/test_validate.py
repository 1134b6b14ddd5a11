"""Types without a compartment raise a BuildError naming the type, the reason and the fix."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError

nengo_loihi = pytest.importorskip("nengo_loihi")

from nengo_snnext import KLIF, MIF, MIF2, AltNeuralOscillation, NeuralOscillation, NoisyLIF  # noqa: E402
from nengo_snnext.neurons import ConductanceLIF  # noqa: E402


@pytest.mark.parametrize(
    "neuron_type, reason, fix",
    [
        (MIF2(), "two memristors", "MIF(memristive=False)"),
        (MIF(), "switches its membrane resistance", "MIF(memristive=False)"),
        (AltNeuralOscillation(), "nonlinearity inside the membrane", "NeuralOscillation"),
        (NoisyLIF(), "probability", "NeuralOscillation"),
        (ConductanceLIF(), "conductance", "DiscreteLIF"),
        (NeuralOscillation(noise="gaussian"), "uniform", "noise='uniform'"),
        (KLIF(k=3.0), "exceeds 1", "KLIF*"),
        (KLIF(activation="celu"), "negative branch", "activation='relu'"),
    ],
    ids=str,
)
def test_build_error_names_type_reason_and_fix(neuron_type, reason, fix):
    with nengo.Network() as net:
        nengo.Ensemble(4, 1, neuron_type=neuron_type, gain=np.ones(4), bias=np.zeros(4))
    with pytest.raises(BuildError) as info:
        nengo_loihi.Simulator(net)
    message = str(info.value)
    assert type(neuron_type).__name__ in message
    assert reason in message
    assert fix in message
    assert "on_chip = False" in message
