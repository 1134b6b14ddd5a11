"""nengo-loihi compartment for the frozen memristive neuron ``MIF(memristive=False)``.

Frozen at ``R_off``, MIF is an exact LIF in the normalised voltage ``u = (V -
E_rest) / (V_th - E_rest)``: ``tau du/dt = J - u`` with ``tau = R_off C``,
threshold 1, reset to ``u_r = (V_reset - E_rest) / (V_th - E_rest)`` and a
refractory period ``tau_ref`` (the J normalisation makes ``J = 1`` the
rheobase). A Loihi compartment resets to 0, so it runs ``w = u - u_r``:

    tau dw/dt = (J - u_r) - w,  threshold 1 - u_r,  reset 0,

i.e. nengo-loihi's ``configure_lif(tau_rc=R_off C, tau_ref, vth=1 - u_r)`` with
``u_r`` subtracted from the compartment bias (the builder runs after the bias
is set). No floor (``min_voltage=-inf``): the frozen membrane follows negative
currents below ``E_rest``. On the chip the voltage update is the exact
exponential step for a current held over the step, the decay is quantised to
12 bits, and the refractory period and the spike time are whole steps:
:func:`loihi_mif_rates` is the rate of nengo-loihi's ``loihi_lif_rates``
(period ``dt ceil((tau_ref + tau ln((J - u_r) / (J - 1))) / dt)``), with the
quantised ``tau``. Rates above ``1 / (2 dt)`` (one refractory step plus one
step to threshold) are out of reach: the memristive neuron's default 1 ms
refractory period caps it at 500 Hz with ``dt = 1 ms``.

The memristive neuron (``memristive=True``) and ``MIF2`` switch their
membrane resistance at each spike (an ON-phase discharge and a
depolarisation block): no compartment has that, so they raise ``BuildError``
(``memristive=False``, or off chip).
"""

import numpy as np
from nengo.exceptions import BuildError
from nengo_loihi.builder import Builder
from nengo_loihi.builder.ensemble import check_state_zero
from nengo_loihi.neurons import discretize_tau_rc, discretize_tau_ref

from nengo_snnext.backends.loihi._compartment import OFF_CHIP_FIX
from nengo_snnext.backends.loihi.fidelity import register_chip_rates
from nengo_snnext.neurons.mif import MIF


def lif_parameters(neuron_type, neurons=None):
    """``(tau_rc, tau_ref, vth, bias_shift)`` of the LIF compartment of a frozen MIF."""
    if neuron_type.memristive:
        where = f"{neurons}: " if neurons is not None else ""
        raise BuildError(
            f"{where}{neuron_type}: the memristive MIF switches its membrane resistance "
            f"at each spike (ON-phase discharge, depolarisation block), which no Loihi "
            f"compartment does; use MIF(memristive=False) (an exact LIF with tau = "
            f"R_off C), {OFF_CHIP_FIX}"
        )
    u_reset = (neuron_type.V_reset - neuron_type.E_rest) / (neuron_type.V_th - neuron_type.E_rest)
    return neuron_type.tau_off, neuron_type.tau_ref, 1.0 - u_reset, -u_reset


@Builder.register(MIF)
def build_mif(model, neuron_type, neurons, block):
    """nengo-loihi builder of ``MIF(memristive=False)`` (see the module docstring)."""
    tau_rc, tau_ref, vth, shift = lif_parameters(neuron_type, neurons)
    check_state_zero(model, neuron_type, neurons, block)
    block.compartment.configure_lif(
        tau_rc=tau_rc, tau_ref=tau_ref, vth=vth, dt=model.dt, min_voltage=-np.inf
    )
    block.compartment.bias[:] += shift


def loihi_mif_rates(neuron_type, J, dt=None):
    """Chip-faithful rates (Hz) of a frozen MIF.

    ``nengo_loihi.neurons.loihi_lif_rates`` for the compartment's input ``(J -
    u_r) / (1 - u_r)``: ``1 / (dt ceil(period / dt))`` with the quantised
    ``tau`` and ``tau_ref``.
    """
    dt = neuron_type.dt if dt is None else dt
    tau_rc, tau_ref, vth, shift = lif_parameters(neuron_type)
    tau_rc, tau_ref = discretize_tau_rc(tau_rc, dt), discretize_tau_ref(tau_ref, dt)
    j = (np.asarray(J, dtype=float) + shift) / vth - 1.0  # as loihi_lif_rates' j
    period = tau_ref + tau_rc * np.log1p(1.0 / np.maximum(j, 1e-300))
    rates = np.where(j > 0, 1.0 / (dt * np.ceil(period / dt)), 0.0)
    return neuron_type.amplitude * rates


register_chip_rates(MIF, loihi_mif_rates)
