"""Per-network training settings (nengo_snnext.configure_training), read at build."""

import nengo
import numpy as np
import pytest
from nengo.builder import Model
from nengo.builder.neurons import SimNeurons
from nengo.exceptions import NetworkContextError, ValidationError

import nengo_snnext
from nengo_snnext import KLIF, MIF, DiscreteLIF, TrainingMode


class SubKLIF(KLIF):
    """A user subclass: per-type settings of KLIF apply to it."""


def built_modes(net):
    """``{ensemble label: TrainingMode}`` recorded on the SimNeurons operators."""
    model = Model()
    model.build(net)
    by_type = {
        id(op.neurons): op.training_mode for op in model.operators if isinstance(op, SimNeurons)
    }
    return {ens.label: by_type[id(ens.neuron_type)] for ens in net.all_ensembles}


def test_default_is_rate():
    with nengo.Network() as net:
        nengo.Ensemble(3, 1, neuron_type=KLIF(), label="a")
    assert built_modes(net) == {"a": TrainingMode("rate")}


def test_network_type_and_ensemble_settings():
    with nengo.Network() as net:
        nengo_snnext.configure_training("surrogate", alpha=4.0)
        nengo_snnext.configure_training("rate", neuron_type=MIF)
        nengo_snnext.configure_training("surrogate", neuron_type=KLIF, surrogate="triangle")
        nengo.Ensemble(3, 1, neuron_type=DiscreteLIF(), label="lif")
        nengo.Ensemble(3, 1, neuron_type=MIF(), label="mif")
        nengo.Ensemble(3, 1, neuron_type=SubKLIF(), label="sub")
        special = nengo.Ensemble(3, 1, neuron_type=KLIF(), label="special")
        nengo_snnext.configure_training("rate", ensemble=special)
        with nengo.Network() as inner:
            nengo_snnext.configure_training("surrogate", alpha=1.5)
            nengo.Ensemble(3, 1, neuron_type=MIF(), label="inner_mif")
            nengo.Ensemble(3, 1, neuron_type=DiscreteLIF(), label="inner_lif")
    del inner
    modes = built_modes(net)
    assert modes["lif"] == TrainingMode("surrogate", None, 4.0)  # network default
    assert modes["mif"] == TrainingMode("rate")  # per type
    assert modes["sub"] == TrainingMode("surrogate", "triangle", None)  # base class setting
    assert modes["special"] == TrainingMode("rate")  # per ensemble wins
    # the containing network's default wins over the top level's per-type setting
    assert modes["inner_mif"] == TrainingMode("surrogate", None, 1.5)
    assert modes["inner_lif"] == TrainingMode("surrogate", None, 1.5)


def test_two_networks_are_independent():
    with nengo.Network() as first:
        nengo_snnext.configure_training("surrogate")
        nengo.Ensemble(3, 1, neuron_type=KLIF(), label="a")
    with nengo.Network() as second:
        nengo.Ensemble(3, 1, neuron_type=KLIF(), label="a")
    assert built_modes(first)["a"].kind == "surrogate"
    assert built_modes(second)["a"].kind == "rate"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(kind="bptt"), "training kind"),
        (dict(kind="surrogate", surrogate="erf"), "unknown surrogate"),
        (dict(kind="surrogate", alpha=0.0), "alpha must be positive"),
        (dict(kind="surrogate", smoothing=1e-3), "smoothing applies to rate training"),
        (dict(kind="rate", smoothing=0.0), "smoothing must be a positive"),
        (dict(kind="rate", smoothing=np.inf), "smoothing must be a positive"),
        (dict(kind="rate", smoothing="1e-3"), "smoothing must be a positive"),
    ],
)
def test_validation(kwargs, match):
    with nengo.Network():
        with pytest.raises(ValidationError, match=match):
            nengo_snnext.configure_training(**kwargs)


def test_rate_smoothing_is_recorded():
    with nengo.Network() as net:
        nengo_snnext.configure_training("rate", neuron_type=MIF, smoothing=1e-3)
        nengo.Ensemble(3, 1, neuron_type=MIF(), label="mif")
        nengo.Ensemble(3, 1, neuron_type=KLIF(), label="lif")
    modes = built_modes(net)
    assert modes["mif"] == TrainingMode("rate", smoothing=1e-3)
    assert modes["lif"] == TrainingMode("rate")


def test_needs_a_network_context():
    with pytest.raises(NetworkContextError, match="within a Network context"):
        nengo_snnext.configure_training("surrogate")
