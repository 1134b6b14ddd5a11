"""Linear-compartment mapping: configure_lif/configure_relu and discretisation."""

import functools
import re

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError, ValidationError

nengo_loihi = pytest.importorskip("nengo_loihi")

from nengo_loihi.builder import Model  # noqa: E402
from nengo_loihi.builder.discretize import discretize_model  # noqa: E402

from nengo_snnext import KLIF, DiscreteLIF  # noqa: E402
from nengo_snnext.backends.loihi import (  # noqa: E402
    fidelity_report,
    loihi_lif_rates,
    register_linear_compartment,
)
from nengo_snnext.backends.loihi._compartment import (  # noqa: E402
    DECAY_BITS,
    chip_decay,
    chip_leak,
    compartment_parameters,
)
from nengo_snnext.backends.compat import loihi_emulator as emulator  # noqa: E402
from nengo_snnext.gallery import simulate_tuning  # noqa: E402
from nengo_snnext.neurons._discrete import DiscreteIntegratorNeuronType  # noqa: E402


class HalfLeak(DiscreteIntegratorNeuronType):
    """A user-written linear type: ``V = 0.6 V + 0.8 J``, threshold 1.2, reset 0."""

    state = {"voltage": nengo.dists.Choice([0])}

    def linear_parameters(self, dt):
        return 0.6, 0.8, 1.2, 0.0


class FlooredHalfLeak(HalfLeak):
    """``HalfLeak`` with ``V >= 0``."""


class Amplifier(HalfLeak):
    """A leak above 1: no compartment."""

    def linear_parameters(self, dt):
        return 1.5, 1.0, 1.0, 0.0


class ResetBelowZero(HalfLeak):
    """A non-zero reset: no compartment."""

    def linear_parameters(self, dt):
        return 0.6, 1.0, 1.0, -0.5


pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

register_linear_compartment(HalfLeak)
register_linear_compartment(FlooredHalfLeak, floor=0.0)

ZERO = {"voltage": nengo.dists.Choice([0])}
TYPES = [
    DiscreteLIF(initial_state=ZERO),
    DiscreteLIF(tau=0.001, initial_state=ZERO),  # leak 0
    DiscreteLIF(tau=0.01, initial_state=ZERO),
    KLIF(k=1.5, initial_state=ZERO),
    KLIF(k=2.0, initial_state=ZERO),  # leak 1: configure_relu
    KLIF(k=3.0, scale_reset=True, initial_state=ZERO),
    KLIF(k=0.7, tau=0.005, initial_state=ZERO),
    HalfLeak(),
    FlooredHalfLeak(),
]


def label(neuron_type):
    return re.sub(r",? ?initial_state=.*\)$", ")", str(neuron_type))


def build_block(neuron_type, *, discretize):
    with nengo.Network(seed=0) as net:
        nengo.Ensemble(8, 1, neuron_type=neuron_type, gain=np.ones(8), bias=np.linspace(0, 3, 8))
    model = Model(dt=0.001)
    model.build(net, discretize=discretize)
    (block,) = model.blocks
    return model, block.compartment


@pytest.mark.parametrize("neuron_type", TYPES, ids=label)
def test_built_compartment_equals_compartment_parameters(neuron_type):
    leak = neuron_type.linear_parameters(0.001)[0]
    params = compartment_parameters(neuron_type, 0.001)
    assert params.decay_v == np.float32(1.0 - leak)  # to float32 precision
    assert params.scale_v == (leak < 1)  # configure_lif except where decay rounds to 0

    model, comp = build_block(neuron_type, discretize=False)
    assert np.all(comp.decay_v == np.float32(params.decay_v))
    assert np.all(comp.vth == np.float32(params.vth))
    assert comp.vmin == params.vmin
    assert comp.scale_v == params.scale_v
    assert np.all(comp.refract_delay == 1)  # tau_ref = 0

    discretize_model(model)
    assert comp.decay_v.dtype == np.int32
    assert np.all(comp.decay_v == chip_decay(params.decay_v))
    assert np.all(chip_leak(leak) == (2**DECAY_BITS - comp.decay_v) / 2**DECAY_BITS)


def test_decay_bits_are_nengo_loihis():
    # discretize_compartment stores round(decay_v (2**12 - 1)); 1 is its largest decay
    assert DECAY_BITS == 12
    _, comp = build_block(DiscreteLIF(tau=0.001, initial_state=ZERO), discretize=True)
    assert np.all(comp.decay_v == 2**DECAY_BITS - 1)


@pytest.mark.parametrize("neuron_type", TYPES, ids=label)
def test_float_emulator_equals_reference_rates(neuron_type, rng):
    # target="simreal" skips discretisation: the compartment runs the mapping in
    # float32, so only float32 rounding next to a band edge may move a rate
    J = rng.uniform(-1, 4, size=100)
    result = simulate_tuning(
        "", neuron_type, J, simulator=functools.partial(emulator, target="simreal")
    )
    assert np.mean(np.abs(result.simulated - result.predicted) <= 1.0) >= 0.99


@pytest.mark.parametrize("neuron_type", [HalfLeak(), FlooredHalfLeak()], ids=str)
def test_registered_user_type_runs_on_emulator(neuron_type, rng):
    report = fidelity_report(neuron_type, rng.uniform(-1, 4, size=100))
    assert np.mean(np.abs(report.emulator - report.chip) <= 1.0) >= 0.98, report.summary()
    assert np.array_equal(report.chip, loihi_lif_rates(neuron_type, report.currents))


def test_floor_of_registered_type():
    assert compartment_parameters(HalfLeak(), 0.001).vmin == -np.inf
    assert compartment_parameters(FlooredHalfLeak(), 0.001).vmin == 0.0


def test_register_rejects_unrepresentable_floor():
    class Other(HalfLeak):
        pass

    with pytest.raises(ValidationError, match="floor=0.0 or floor=None"):
        register_linear_compartment(Other, floor=-1.0)


@pytest.mark.parametrize(
    "neuron_type, match", [(Amplifier(), "exceeds 1"), (ResetBelowZero(), "reset=0")], ids=str
)
def test_unmappable_user_type_raises_build_error(neuron_type, match):
    with nengo.Network() as net:
        nengo.Ensemble(10, 1, neuron_type=neuron_type)
    with pytest.raises(BuildError, match=match) as info:
        nengo_loihi.Simulator(net)
    assert type(neuron_type).__name__ in str(info.value)
    assert "on_chip = False" in str(info.value)
