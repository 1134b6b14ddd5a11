"""Fidelity report: nengo-loihi emulator rates against the reference and chip-faithful rates."""

from typing import NamedTuple

import nengo
import numpy as np

from nengo_snnext.backends.compat import loihi_emulator
from nengo_snnext.gallery import simulate_tuning

# neuron type class -> chip-faithful rate function(neuron_type, J, dt)
CHIP_RATES = {}


def register_chip_rates(cls, fn):
    """Declare ``fn(neuron_type, J, dt)`` the chip-faithful rates of ``cls``."""
    CHIP_RATES[cls] = fn


def chip_rates(neuron_type, J, dt):
    """Chip-faithful rates of ``neuron_type`` (dispatch on the MRO)."""
    for cls in type(neuron_type).__mro__:
        if cls in CHIP_RATES:
            return CHIP_RATES[cls](neuron_type, J, dt)
    raise TypeError(
        f"no chip-faithful rates registered for {type(neuron_type).__name__}; register "
        f"the type with nengo_snnext.backends.loihi.register_linear_compartment"
    )


class FidelityReport(NamedTuple):
    """Rates of one neuron type on the nengo-loihi emulator and in its references."""

    neuron_type: object
    currents: np.ndarray
    reference: np.ndarray  # neuron_type.rates(): the Nengo-core model
    chip: np.ndarray  # closed form with Loihi's quantised parameters
    emulator: np.ndarray  # spike counts on nengo_loihi.Simulator

    def summary(self):
        """One line per comparison: max and mean absolute rate differences (Hz)."""
        lines = [f"fidelity of {self.neuron_type} on the nengo-loihi emulator"]
        for name, other in [("reference rates()", self.reference), ("chip-faithful", self.chip)]:
            diff = np.abs(self.emulator - other)
            lines.append(
                f"  emulator vs {name:18s}: max |diff| {diff.max():7.2f} Hz, "
                f"mean {diff.mean():6.3f} Hz over {len(diff)} currents"
            )
        return "\n".join(lines)


def fidelity_report(neuron_type, currents=None, *, dt=0.001, sim_time=1.0, seed=0):
    """Simulate ``neuron_type`` on the emulator and compare with its references.

    Each current drives one neuron (gain 1, bias = current, so the input is the
    compartment bias). Starts from zero voltage, as the chip does.

    Parameters
    ----------
    neuron_type : NeuronType
        A type with registered chip-faithful rates (:func:`register_chip_rates`).
    currents : array_like, optional
        Input currents, one neuron each (default: 91 values in [-0.5, 4]).
    dt : float, optional
        Simulator time step (s).
    sim_time : float, optional
        Time (s) over which spikes are counted, after 0.1 s of settling.
    seed : int, optional
        Seed of the network and simulator.

    Returns
    -------
    FidelityReport
        The currents and the three rate arrays (Hz); ``.summary()`` is a text table.
    """
    currents = np.linspace(-0.5, 4.0, 91) if currents is None else np.asarray(currents)
    neuron_type = neuron_type.replace(dt=dt, initial_state={"voltage": nengo.dists.Choice([0])})
    result = simulate_tuning(
        str(neuron_type), neuron_type, currents, sim_time=sim_time, dt=dt, seed=seed,
        simulator=loihi_emulator,
    )
    return FidelityReport(
        neuron_type,
        currents,
        result.predicted * neuron_type.amplitude,
        chip_rates(neuron_type, currents, dt),
        result.simulated * neuron_type.amplitude,
    )
