"""Frozen MIF on the nengo-loihi emulator: chip-faithful rates, and the error against Nengo."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError

pytest.importorskip("nengo_loihi")

from nengo_snnext import MIF  # noqa: E402
from nengo_snnext.backends.loihi import fidelity_report  # noqa: E402
from nengo_snnext.backends.loihi.mif import lif_parameters, loihi_mif_rates  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

DT = 0.001


@pytest.mark.parametrize(
    "neuron_type",
    [
        MIF(memristive=False),  # tau 2 ms, u_reset 0.045, tau_ref 1 ms
        MIF(memristive=False, V_reset=0.0, tau_ref=0.002, C=1e-9),  # tau 10 ms, reset E_rest
        MIF(memristive=False, E_rest=-0.07, V_th=-0.05, V_reset=-0.065, tau_ref=0.0),
    ],
    ids=["default", "tau10ms", "biological"],
)
def test_emulator_rates(neuron_type, plt):
    # near rheobase (1 < J < 1.3) up to high rates (J = 10)
    J = np.concatenate([np.linspace(-1, 0.95, 14), np.linspace(1.05, 1.3, 11),
                        np.linspace(1.4, 10, 40)])
    report = fidelity_report(neuron_type, J, dt=DT)
    plt.plot(J, report.reference, "k", J, report.chip, "b--", J, report.emulator, "r.")
    # the mapping: emulator = nengo-loihi's LIF rates of the compartment (one spike over
    # 1 s from V = 0; integer voltage rounding can move a current into the next band)
    assert np.mean(np.abs(report.emulator - report.chip) <= 1.0) >= 0.95, report.summary()
    # against nengo.Simulator's exact rates r = 1 / T: the chip's period is a whole number
    # of steps, ceil(T / dt) dt < T + dt, so r / (1 + r dt) - 1 Hz <= emulator <= r + 1 Hz
    # (plus the 12-bit decay quantisation: 2 % here)
    r = report.reference
    assert np.all(report.emulator[J < 1] == 0)
    assert np.all(report.emulator <= r * 1.02 + 1.0), report.summary()
    assert np.all(report.emulator >= r / (1 + r * DT) * 0.98 - 1.0), report.summary()


def test_compartment_of_default():
    tau_rc, tau_ref, vth, shift = lif_parameters(MIF(memristive=False))
    assert tau_rc == pytest.approx(10e6 * 0.2e-9)  # R_off C
    assert tau_ref == 0.001
    assert vth == pytest.approx(1 - 0.005 / 0.110)  # 1 - u_reset
    assert shift == pytest.approx(-0.005 / 0.110)


def test_chip_rates_equal_nengo_loihi_lif_rates_without_reset_offset():
    # with V_reset = E_rest the compartment is nengo-loihi's LIF exactly
    from nengo_loihi.neurons import loihi_lif_rates

    nt = MIF(memristive=False, V_reset=0.0)
    J = np.linspace(0, 8, 81)
    lif = nengo.LIF(tau_rc=nt.tau_off, tau_ref=nt.tau_ref)
    expected = loihi_lif_rates(lif, J[:, None], np.ones(1), np.zeros(1), DT).ravel()
    assert np.allclose(loihi_mif_rates(nt, J, DT), expected)


def test_memristive_mif_raises_build_error():
    import nengo_loihi

    with nengo.Network() as net:
        nengo.Ensemble(5, 1, neuron_type=MIF())
    with pytest.raises(BuildError, match=r"memristive=False") as info:
        nengo_loihi.Simulator(net)
    assert "MIF" in str(info.value) and "on_chip = False" in str(info.value)
