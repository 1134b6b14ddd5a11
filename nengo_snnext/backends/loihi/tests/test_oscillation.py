"""NeuralOscillation on the nengo-loihi emulator with the compartment's uniform noise."""

import nengo
import numpy as np
import pytest
from nengo.dists import Uniform
from nengo.exceptions import BuildError

pytest.importorskip("nengo_loihi")

from nengo_snnext import NeuralOscillation  # noqa: E402
from nengo_snnext.backends.loihi import fidelity_report  # noqa: E402
from nengo_snnext.backends.loihi.oscillation import (  # noqa: E402
    chip_noise,
    noise_fields,
    tuning_block,
)

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

DT = 0.001
ZERO = {"voltage": nengo.dists.Choice([0.0])}


def test_requested_noise_fields():
    # U[-0.2, 0.8] = 0.5 (u + 0.6), u uniform on [-1, 1]
    half, offset = noise_fields(NeuralOscillation(), DT)
    assert half == pytest.approx(0.5) and offset == pytest.approx(0.6)


@pytest.mark.parametrize("currents", [np.linspace(-0.5, 1.5, 41), np.linspace(0, 0.3, 8)])
def test_chip_noise_is_power_of_two_scale_and_half_offset(currents):
    nt = NeuralOscillation(initial_state=ZERO)
    block = tuning_block(nt, currents, DT)
    noise = chip_noise(nt, block, DT)
    half, center = (noise.high - noise.low) / 2, (noise.high + noise.low) / 2
    assert center / half == 0.5  # the offset 0.6 rounded to a half step
    assert 0.5 / np.sqrt(2) <= half <= 0.5 * np.sqrt(2)  # nearest power of two
    assert block.compartment.enable_noise.all() and block.compartment.noise_at_membrane == 1
    assert block.compartment.vmin == 0  # the V-shape's negative branch becomes a floor


@pytest.mark.parametrize(
    "neuron_type",
    [
        NeuralOscillation(initial_state=ZERO),
        NeuralOscillation(noise=Uniform(-0.5, 0.5), initial_state=ZERO),
        NeuralOscillation(tau=0.004, threshold=1.5, initial_state=ZERO),
    ],
    ids=["thesis", "centred", "tau4ms"],
)
def test_emulator_matches_chip_rates(neuron_type, plt):
    J = np.linspace(-0.6, 1.6, 45)
    report = fidelity_report(neuron_type, J, dt=DT, sim_time=2.0)
    plt.plot(J, report.reference, "k", J, report.chip, "b--", J, report.emulator, "r.")
    diff = np.abs(report.emulator - report.chip)
    # 2000 steps of a Bernoulli-like spike train: standard error up to 11 Hz at 500 Hz
    assert diff.mean() < 6 and diff.max() < 40, report.summary()


def test_measured_error_against_nengo():
    # the thesis neuron: the chip's noise U[-0.19, 0.56] (this network's scale) in place of
    # U[-0.2, 0.8] and the floor in place of the V-shape lower the rates; measured
    # mean 46 Hz, max 133 Hz over J in [-0.5, 1.5] (docs/loihi.md: 39 and 114 over [-0.6, 1.6])
    J = np.linspace(-0.5, 1.5, 41)
    report = fidelity_report(NeuralOscillation(), J, dt=DT, sim_time=2.0)
    err = report.emulator - report.reference
    assert np.abs(err).mean() < 60 and np.abs(err).max() < 160, report.summary()
    assert np.all(report.emulator[J < -0.3] == 0) and np.all(report.emulator[J > 1.3] == 1000)


def test_gaussian_noise_raises_build_error():
    import nengo_loihi

    with nengo.Network() as net:
        nengo.Ensemble(5, 1, neuron_type=NeuralOscillation(noise="gaussian"))
    with pytest.raises(BuildError, match=r"noise='uniform'") as info:
        nengo_loihi.Simulator(net)
    assert "NeuralOscillation" in str(info.value) and "on_chip = False" in str(info.value)
