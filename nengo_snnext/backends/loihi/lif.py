"""nengo-loihi compartment mapping of ``DiscreteLIF`` and ``KLIF``.

A Loihi compartment (``nengo_loihi/emulator/interface.py``) runs, per step,
``v = (1 - decay_v) v + u``, clips ``v`` to ``[vmin, vmax]``, spikes if
``v > vth`` and resets to 0. With ``v = V / g`` this is exactly the thesis
LIF ``V = lambda V + g J`` with threshold ``V_th / g``:

- ``DiscreteLIF`` (reset 0): leak ``lambda``, gain ``g``, no floor.
- ``KLIF`` with ReLU: ``V = max(0, k lambda V + k g J)``: leak ``k lambda``,
  gain ``k g``, floor 0. Needs ``k lambda <= 1`` (``k <= 2`` with the defaults).
- ``KLIF*``: ``V = max(0, lambda V + g J)``, threshold ``V_th / k``: any ``k``.

Everything else (a non-zero reset, CELU or leaky-ReLU activations, a KLIF leak
above 1) has no exact compartment and raises a ``BuildError`` naming the fix.

The chip stores ``decay_v`` in 12 bits: ``decay_int = round(4095 (1 - leak))``
and the voltage decays as ``floor(|v| (4096 - decay_int) / 4096)``.
:func:`loihi_lif_rates` is the closed-form rate with that quantised leak (the
chip-faithful reference the emulator is tested against).
"""

import numpy as np
from nengo.exceptions import BuildError
from nengo_loihi.builder import Builder
from nengo_loihi.builder.ensemble import check_state_zero

from nengo_snnext.backends.loihi.fidelity import register_chip_rates
from nengo_snnext.equations.lif import discrete_rate
from nengo_snnext.neurons.lif import KLIF, DiscreteLIF
from nengo_snnext.ops import NUMPY_OPS

DECAY_BITS = 12

# DiscreteLIF has no lower voltage bound; the chip's lowest is -2**31 + 1 (in its
# integer units), which discretisation picks for any very negative vmin
NO_FLOOR = -1e30

OFF_CHIP_FIX = "or run the ensemble off-chip with net.config[ens].on_chip = False"


def compartment_parameters(neuron_type, dt, neurons=None):
    """``(decay_v, vth, vmin)`` of the compartment running ``neuron_type`` exactly.

    Raises ``BuildError`` (naming ``neurons``, the reason and the fix) where no
    compartment reproduces the type.
    """
    where = f"{neurons}: " if neurons is not None else ""
    name = type(neuron_type).__name__
    leak, gain, threshold, reset = neuron_type.linear_parameters(dt)
    if isinstance(neuron_type, KLIF):
        if neuron_type.activation != "relu":
            raise BuildError(
                f"{where}{name}(activation={neuron_type.activation!r}) has no Loihi "
                f"compartment (its negative branch is not a floor); use "
                f"activation='relu' {OFF_CHIP_FIX}"
            )
        floor = 0.0
    else:
        if reset != 0:
            raise BuildError(
                f"{where}{name}(reset={reset}): Loihi compartments reset to 0; use "
                f"reset=0 {OFF_CHIP_FIX}"
            )
        floor = NO_FLOOR
    if leak > 1:
        raise BuildError(
            f"{where}{name}(k={neuron_type.k}): the effective leak k (1 - dt/tau) = "
            f"{leak:g} exceeds 1 (self-amplification), which a Loihi compartment "
            f"cannot do; use k <= {1 / (leak / neuron_type.k):g}, KLIF* "
            f"(scale_reset=True), {OFF_CHIP_FIX}"
        )
    return 1.0 - leak, threshold / gain, floor


def _build_linear(model, neuron_type, neurons, block):
    neuron_type.check_dt(model.dt)
    decay_v, vth, vmin = compartment_parameters(neuron_type, model.dt, neurons)
    check_state_zero(model, neuron_type, neurons, block)
    block.compartment.configure_relu(tau_ref=0.0, vth=vth, dt=model.dt)
    block.compartment.decay_v[:] = decay_v
    block.compartment.vmin = vmin


@Builder.register(DiscreteLIF)
def build_discrete_lif(model, neuron_type, neurons, block):
    """Configure ``block`` as thesis LIF compartments (see module docstring)."""
    _build_linear(model, neuron_type, neurons, block)


@Builder.register(KLIF)
def build_klif(model, neuron_type, neurons, block):
    """Configure ``block`` as KLIF / KLIF* compartments (see module docstring)."""
    _build_linear(model, neuron_type, neurons, block)


def chip_leak(leak):
    """The leak a Loihi compartment actually applies for a requested ``leak``."""
    max_decay = 2**DECAY_BITS - 1
    decay_int = np.round((1.0 - leak) * max_decay)
    return (2**DECAY_BITS - decay_int) / 2**DECAY_BITS


def loihi_lif_rates(neuron_type, J, dt=None):
    """Chip-faithful steady-state rates (Hz): the exact rate with the 12-bit leak.

    Integer rounding of the voltage and of the bias are not modelled; the
    emulator tests allow for them with a tolerance of one rate band.
    """
    dt = neuron_type.dt if dt is None else dt
    decay_v, vth, vmin = compartment_parameters(neuron_type, dt)
    del vmin  # constant non-negative input never reaches the floor
    rate = discrete_rate(
        NUMPY_OPS, np.asarray(J, dtype=float), dt=dt, leak=chip_leak(1.0 - decay_v),
        threshold=vth, reset=0.0,
    )
    return neuron_type.amplitude * rate


register_chip_rates(DiscreteLIF, loihi_lif_rates)
register_chip_rates(KLIF, loihi_lif_rates)
