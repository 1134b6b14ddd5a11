"""Loihi compartments for linear discrete integrators, through nengo-loihi's API.

A :class:`~nengo_snnext.neurons._discrete.DiscreteIntegratorNeuronType` whose
``linear_parameters(dt)`` are ``(leak, gain, threshold, 0)`` runs, per step,
``V = leak V + gain J``, spikes if ``V > threshold`` and resets to 0, with an
optional floor (``V >= 0``). Registered with :func:`register_linear_compartment`,
it is built by nengo-loihi's own ``Compartment.configure_lif``, which sets
``decay_v = -expm1(-dt / tau_rc)`` and ``scale_v``: the compartment then runs
``v = (1 - decay_v) v + decay_v u`` (``nengo_loihi/emulator/interface.py``).
With ``tau_rc = -dt / log(leak)`` (so ``decay_v = 1 - leak``) and ``v = decay_v
V / gain`` this is the neuron exactly:

- ``tau_rc = -dt / log(leak)``, ``tau_ref = 0`` (no refractory period);
- ``vth = decay_v threshold / gain``;
- ``min_voltage = 0`` for a floor at 0, ``-inf`` for none (discretisation maps
  it to the chip's lowest voltage).

Where the chip's 12-bit decay rounds to 0 (``leak`` within ``1 / 8190`` of 1,
e.g. KLIF with ``k lambda = 1``), ``configure_lif`` refuses (voltage scaling
needs ``decay_v > Compartment.DECAY_SCALE_TH``) and its integer scaling would
divide by zero; there the compartment is built by ``configure_relu``
(``decay_v = 0``, ``vth = threshold / gain``) and only ``vmin`` is set after it.

On the chip ``discretize_compartment`` stores ``decay = round(4095 decay_v)``,
the voltage decays by ``(4096 - decay) / 4096`` per step, and ``scale_v``
becomes an input factor ``1 / decay_magnitude(decay)`` (nengo-loihi's estimate
of ``1 - chip leak``) in place of ``decay_v``. :func:`loihi_lif_rates` is the
closed-form rate with both (the chip-faithful reference of the emulator tests).
"""

from typing import NamedTuple

import numpy as np
from nengo.exceptions import BuildError, ValidationError
from nengo_loihi.block import Compartment
from nengo_loihi.builder import Builder
from nengo_loihi.builder.discretize import decay_magnitude
from nengo_loihi.builder.ensemble import check_state_zero

from nengo_snnext.backends.loihi.fidelity import register_chip_rates
from nengo_snnext.equations.lif import discrete_rate
from nengo_snnext.ops import NUMPY_OPS

# nengo-loihi 1.1 names no constant for the decay width: discretize_compartment
# uses a local ``MAX_DECAY = 2**12 - 1`` and the emulator's decay_int a default
# ``bits=12``. Compartment.DECAY_SCALE_TH is documented as "half of decay scaling
# unit" (0.5 / 2**12), so the bits are read from it; test_compartment checks the
# result against discretize_compartment.
DECAY_BITS = int(round(-np.log2(2 * Compartment.DECAY_SCALE_TH)))
MAX_DECAY = 2**DECAY_BITS - 1

OFF_CHIP_FIX = "or run the ensemble off-chip with net.config[ens].on_chip = False"


class LinearCompartment(NamedTuple):
    """How one registered neuron type maps onto compartments."""

    floor: object  # None (no lower bound) or 0.0
    check: object  # None or check(neuron_type, dt, where) raising BuildError


class CompartmentParameters(NamedTuple):
    """Compartment fields set by the builder, before discretisation."""

    decay_v: float
    vth: float
    vmin: float
    scale_v: bool


# neuron type class -> LinearCompartment; written only by register_linear_compartment
LINEAR_COMPARTMENTS = {}


def register_linear_compartment(cls, *, floor=None, check=None):
    """Build ``cls`` on Loihi as compartments running its linear integrator.

    Parameters
    ----------
    cls : type
        A subclass of
        :class:`~nengo_snnext.neurons._discrete.DiscreteIntegratorNeuronType`;
        its ``linear_parameters(dt)`` give ``(leak, gain, threshold, reset)``.
        Subclasses of ``cls`` are built the same way (dispatch on the MRO).
    floor : None or 0.0, optional
        Lower bound of the voltage: ``None`` for none, ``0.0`` for
        ``V = max(V, 0)`` (the only floor a compartment reproduces exactly).
    check : callable, optional
        ``check(neuron_type, dt, where)``, run before the generic checks, raises
        ``BuildError`` for parameters of ``cls`` that have no compartment;
        ``where`` is the prefix naming the ensemble's neurons.

    Returns
    -------
    cls : type
        ``cls`` itself, so the function can be used as a class decorator.

    Notes
    -----
    Registers the nengo-loihi builder and the chip-faithful rates
    (:func:`loihi_lif_rates`, used by
    :func:`~nengo_snnext.backends.loihi.fidelity_report`). Building raises
    ``BuildError`` for a non-zero reset or a leak above 1.
    """
    if floor is not None and floor != 0:
        raise ValidationError(
            f"floor={floor!r}: discretisation stores vmin as -(2**e - 1) chip units, "
            f"so only floor=0.0 or floor=None is exact on Loihi",
            attr="floor",
            obj=cls,
        )
    LINEAR_COMPARTMENTS[cls] = LinearCompartment(None if floor is None else 0.0, check)
    Builder.register(cls)(build_linear_compartment)
    register_chip_rates(cls, loihi_lif_rates)
    return cls


def _registration(neuron_type):
    for cls in type(neuron_type).__mro__:
        if cls in LINEAR_COMPARTMENTS:
            return LINEAR_COMPARTMENTS[cls]
    raise BuildError(
        f"{type(neuron_type).__name__} has no linear Loihi compartment; register it "
        f"with nengo_snnext.backends.loihi.register_linear_compartment, {OFF_CHIP_FIX}"
    )


def chip_decay(decay_v):
    """The integer ``decay_v`` that ``discretize_compartment`` stores (float32 input)."""
    return np.round(np.asarray(decay_v, dtype=np.float32) * MAX_DECAY)


def chip_leak(leak):
    """The leak a Loihi compartment applies for a requested ``leak``."""
    return (2**DECAY_BITS - chip_decay(1.0 - np.asarray(leak))) / 2**DECAY_BITS


def configure_compartment(compartment, neuron_type, dt, neurons=None):
    """Configure ``compartment`` to run ``neuron_type`` (see module docstring).

    Parameters
    ----------
    compartment : nengo_loihi.block.Compartment
        The compartments to configure (before discretisation).
    neuron_type : DiscreteIntegratorNeuronType
        An instance of a type registered with :func:`register_linear_compartment`.
    dt : float
        Simulator time step (s).
    neurons : nengo.ensemble.Neurons, optional
        Named in error messages.

    Raises
    ------
    BuildError
        Naming ``neurons``, the reason and the fix, where no compartment
        reproduces the type.
    """
    where = f"{neurons}: " if neurons is not None else ""
    name = type(neuron_type).__name__
    registration = _registration(neuron_type)
    if registration.check is not None:
        registration.check(neuron_type, dt, where)
    leak, gain, threshold, reset = neuron_type.linear_parameters(dt)
    if reset != 0:
        raise BuildError(
            f"{where}{name}(reset={reset}): Loihi compartments reset to 0; use "
            f"reset=0 {OFF_CHIP_FIX}"
        )
    if leak > 1:
        raise BuildError(
            f"{where}{name}: the leak {leak:g} exceeds 1 (self-amplification), which "
            f"a Loihi compartment cannot do; change its parameters {OFF_CHIP_FIX}"
        )
    configure_linear(compartment, leak=leak, gain=gain, threshold=threshold,
                     floor=registration.floor, dt=dt)


def configure_linear(compartment, *, leak, gain, threshold, floor, dt):
    """Configure ``compartment`` as ``V = leak V + gain J``, threshold, reset 0, ``floor``.

    Through ``configure_lif`` (``tau_rc = -dt / log(leak)``, ``vth = decay_v
    threshold / gain``), or ``configure_relu`` where the chip's decay rounds to
    0 (see the module docstring). ``floor`` is None or 0.0.
    """
    if chip_decay(1.0 - leak) == 0:
        compartment.configure_relu(tau_ref=0.0, vth=threshold / gain, dt=dt)
        # configure_relu always floors at 0
        compartment.vmin = -np.inf if floor is None else floor
        return
    # leak 0 (tau == dt) is clamped to the smallest normal float: -expm1(-708) == 1
    tau_rc = dt / -np.log(max(leak, np.finfo(float).tiny))
    decay_v = -np.expm1(-dt / tau_rc)  # == 1 - leak; what configure_lif sets
    compartment.configure_lif(
        tau_rc=tau_rc,
        tau_ref=0.0,
        vth=decay_v * threshold / gain,
        dt=dt,
        min_voltage=-np.inf if floor is None else floor,
    )


def compartment_parameters(neuron_type, dt, neurons=None):
    """The compartment fields the builder sets for ``neuron_type`` (before discretisation).

    Read back from :func:`configure_compartment` (nengo-loihi's ``configure_*``)
    on a one-compartment scratch ``Compartment``, so they are the builder's values.

    Parameters
    ----------
    neuron_type : DiscreteIntegratorNeuronType
        An instance of a type registered with :func:`register_linear_compartment`.
    dt : float
        Simulator time step (s).
    neurons : nengo.ensemble.Neurons, optional
        Named in error messages.

    Returns
    -------
    CompartmentParameters
        ``decay_v``, ``vth``, ``vmin`` (float32 values, as stored) and ``scale_v``.
    """
    compartment = Compartment(1)
    configure_compartment(compartment, neuron_type, dt, neurons)
    return CompartmentParameters(
        float(compartment.decay_v[0]),
        float(compartment.vth[0]),
        float(compartment.vmin),
        bool(compartment.scale_v),
    )


def build_linear_compartment(model, neuron_type, neurons, block):
    """nengo-loihi builder of the types registered by :func:`register_linear_compartment`."""
    neuron_type.check_dt(model.dt)
    configure_compartment(block.compartment, neuron_type, model.dt, neurons)
    check_state_zero(model, neuron_type, neurons, block)


def loihi_lif_rates(neuron_type, J, dt=None):
    """Chip-faithful steady-state rates (Hz) of a registered linear neuron type.

    The closed-form rate of ``v = r v + s J``, threshold ``vth``, with the
    chip's quantised leak ``r = (4096 - decay) / 4096`` and, where the
    compartment scales its input (``configure_lif``), the discretisation's
    input factor ``s = 1 / decay_magnitude(decay)`` (else ``s = 1``).
    Integer rounding of the voltage and of the bias are not modelled; the
    emulator tests allow for them with a tolerance of one rate band.

    Parameters
    ----------
    neuron_type : DiscreteIntegratorNeuronType
        An instance of a type registered with :func:`register_linear_compartment`.
    J : array_like
        Input currents (the compartment input ``u``).
    dt : float, optional
        Simulator time step (s); default ``neuron_type.dt``.

    Returns
    -------
    rates : ndarray
        Rates (Hz) times ``neuron_type.amplitude``.
    """
    dt = neuron_type.dt if dt is None else dt
    params = compartment_parameters(neuron_type, dt)
    decay = chip_decay(params.decay_v)
    # discretize_compartment calls decay_magnitude(decay, x0=2**21), its defaults
    scale = 1.0 / decay_magnitude(decay) if params.scale_v else 1.0
    rate = discrete_rate(
        NUMPY_OPS,
        scale * np.asarray(J, dtype=float),
        dt=dt,
        leak=(2**DECAY_BITS - decay) / 2**DECAY_BITS,
        threshold=params.vth,
        reset=0.0,
    )
    return neuron_type.amplitude * rate
