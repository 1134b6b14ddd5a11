"""nengo-loihi compartments for ``DiscreteLIF`` and ``KLIF``.

Both are linear discrete integrators (``linear_parameters(dt)``) registered with
:func:`~nengo_snnext.backends.loihi.register_linear_compartment`, which builds
them with nengo-loihi's ``Compartment.configure_lif`` (see
:mod:`nengo_snnext.backends.loihi._compartment` for the mapping):

- ``DiscreteLIF`` (reset 0): leak ``lambda``, gain ``g``, no floor.
- ``KLIF`` with ReLU: ``V = max(0, k lambda V + k g J)``: leak ``k lambda``,
  gain ``k g``, floor 0. Needs ``k lambda <= 1`` (``k <= 2`` with the defaults).
- ``KLIF*``: ``V = max(0, lambda V + g J)``, threshold ``V_th / k``: any ``k``.

Everything else (a non-zero reset, CELU or leaky-ReLU activations, a KLIF leak
above 1) has no exact compartment and raises a ``BuildError`` naming the fix.
"""

from nengo.exceptions import BuildError

from nengo_snnext.backends.loihi._compartment import (
    OFF_CHIP_FIX,
    register_linear_compartment,
)
from nengo_snnext.neurons.lif import KLIF, DiscreteLIF


def check_klif(neuron_type, dt, where):
    """Raise ``BuildError`` for KLIF parameters that have no compartment."""
    name = type(neuron_type).__name__
    if neuron_type.activation != "relu":
        raise BuildError(
            f"{where}{name}(activation={neuron_type.activation!r}) has no Loihi "
            f"compartment (its negative branch is not a floor); use "
            f"activation='relu' {OFF_CHIP_FIX}"
        )
    leak = neuron_type.linear_parameters(dt)[0]
    if leak > 1:
        raise BuildError(
            f"{where}{name}(k={neuron_type.k}): the effective leak k (1 - dt/tau) = "
            f"{leak:g} exceeds 1 (self-amplification), which a Loihi compartment "
            f"cannot do; use k <= {1 / (leak / neuron_type.k):g}, KLIF* "
            f"(scale_reset=True), {OFF_CHIP_FIX}"
        )


register_linear_compartment(DiscreteLIF, floor=None)
register_linear_compartment(KLIF, floor=0.0, check=check_klif)
