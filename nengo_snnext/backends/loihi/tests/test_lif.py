"""DiscreteLIF/KLIF on the nengo-loihi emulator against chip-faithful closed-form rates."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError

nengo_loihi = pytest.importorskip("nengo_loihi")

from nengo_snnext import (  # noqa: E402
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    DiscreteLIF,
    NeuralOscillation,
    NoisyLIF,
)
from nengo_snnext.backends.loihi import fidelity_report, loihi_lif_rates  # noqa: E402
from nengo_snnext.backends.loihi._compartment import chip_leak  # noqa: E402
from nengo_snnext.backends.compat import loihi_emulator as emulator  # noqa: E402

# every emulator run here must be free of RuntimeWarnings (see fidelity.emulator)
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.mark.parametrize(
    "neuron_type",
    [
        DiscreteLIF(),
        DiscreteLIF(input_scaling="none"),
        KLIF(),
        KLIF(k=1.5),
        KLIF(k=2.0),
        KLIF(k=3.0, scale_reset=True),
        KLIF(k=0.7, tau=0.005),
    ],
    ids=str,
)
def test_emulator_matches_chip_faithful_rates(neuron_type, rng):
    report = fidelity_report(neuron_type, rng.uniform(-1, 4, size=200))
    diff = np.abs(report.emulator - report.chip)
    # spike counting over 1 s from V = 0 is exact to one spike; the chip's integer
    # voltage rounding can move a current next to a band edge into the next band
    # (period n +- 1), e.g. 167 vs 143 Hz at J = 0.508 for the lambda form
    assert np.mean(diff <= 1.0) >= 0.98, report.summary()
    chip_period = np.divide(1000.0, report.chip, out=np.full(200, np.inf), where=report.chip > 0)
    neighbours = np.stack([1000 / np.maximum(chip_period + d, 1) for d in (-1, 0, 1)])
    near_band = np.min(np.abs(neighbours - report.emulator[None]), axis=0) <= 1.0
    assert np.all(near_band | (diff <= 1.0)), report.summary()
    assert "max |diff|" in report.summary()


def test_chip_leak_quantisation():
    # decay_v = round(4095 (1 - leak)) (in float32); leak' = (4096 - decay_v) / 4096
    assert chip_leak(0.5) == 0.5  # round(2047.5) = 2048 -> 2048/4096
    assert chip_leak(0.56) == (4096 - 1802) / 4096
    assert abs(chip_leak(0.9) - 0.9) < 2 ** -12


def test_loihi_rates_equal_reference_where_leak_is_exact():
    J = np.linspace(0, 4, 101)
    nt = KLIF(k=1.5, scale_reset=True)  # leak 0.5 is exact on the chip
    assert np.array_equal(loihi_lif_rates(nt, J), nt.rates(J[None], np.ones(101), np.zeros(101))[0])


@pytest.mark.parametrize(
    "neuron_type, match",
    [
        (KLIF(activation="celu"), "activation='relu'"),
        (KLIF(activation="leaky_relu"), "activation='relu'"),
        (KLIF(k=3.0), r"k <= 2"),
        (DiscreteLIF(reset=-0.5), "reset=0"),
    ],
    ids=str,
)
def test_unmappable_raise_build_error_with_fix(neuron_type, match):
    with nengo.Network() as net:
        nengo.Ensemble(10, 1, neuron_type=neuron_type)
    with pytest.raises(BuildError, match=match) as info:
        nengo_loihi.Simulator(net, progress_bar=False)
    assert "on_chip = False" in str(info.value)


def test_unmappable_runs_off_chip_when_asked():
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(0.5)
        ens = nengo.Ensemble(50, 1, neuron_type=KLIF(k=3.0))
        on_chip = nengo.Ensemble(50, 1, neuron_type=KLIF(k=1.5))
        nengo.Connection(stim, ens)
        nengo.Connection(ens, on_chip)
        p = nengo.Probe(on_chip, synapse=0.05)
        nengo_loihi.add_params(net)
        net.config[ens].on_chip = False
    with emulator(net, progress_bar=False) as sim:
        sim.run(0.3)
    assert abs(sim.data[p][-50:].mean() - 0.5) < 0.1


def test_nef_sine_on_emulator(plt):
    with nengo.Network(seed=2) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * 2 * t))
        ens = nengo.Ensemble(200, 1, neuron_type=KLIF(k=1.5, initial_state={"voltage": nengo.dists.Choice([0])}))
        nengo.Connection(stim, ens)
        p = nengo.Probe(ens, synapse=0.02)
        p_in = nengo.Probe(stim, synapse=nengo.Lowpass(0.005).combine(nengo.Lowpass(0.02)))
    with emulator(net, progress_bar=False) as sim:
        sim.run(1.0)
    keep = sim.trange() > 0.1
    rmse = np.sqrt(np.mean((sim.data[p][keep] - sim.data[p_in][keep]) ** 2))
    plt.plot(sim.trange(), sim.data[p_in], "k--", sim.trange(), sim.data[p])
    plt.title(f"KLIF(k=1.5) on the nengo-loihi emulator, RMSE {rmse:.3f}")
    assert rmse < 0.1


@pytest.mark.parametrize(
    "neuron_type",
    [MIF(), MIF2(), NeuralOscillation(noise="gaussian"), AltNeuralOscillation(), NoisyLIF()],
    ids=str,
)
def test_types_without_compartment_raise_build_error_naming_off_chip(neuron_type):
    with nengo.Network() as net:
        nengo.Ensemble(10, 1, neuron_type=neuron_type)
    with pytest.raises(BuildError, match=type(neuron_type).__name__) as info:
        nengo_loihi.Simulator(net, progress_bar=False)
    assert "on_chip = False" in str(info.value)


@pytest.mark.parametrize(
    "imports", ["import nengo_snnext\nimport nengo_loihi", "import nengo_loihi\nimport nengo_snnext"]
)
def test_both_import_orders_register(imports):
    import subprocess
    import sys

    code = imports + (
        "\nfrom nengo_loihi.builder import Builder"
        "\nassert nengo_snnext.KLIF in Builder.builders"
        "\nassert nengo_snnext.DiscreteLIF in Builder.builders"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
