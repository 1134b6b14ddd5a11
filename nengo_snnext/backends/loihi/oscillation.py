"""nengo-loihi compartment for ``NeuralOscillation`` with the chip's uniform noise.

The neuron (Jiang 2022, eqs. 3.1, 3.10-3.13) charges ``H = lambda V + g J``,
adds the noise ``gamma``, passes ``H + gamma`` through the V-shape ``f`` and
fires above ``V_th`` with a reset to 0. A compartment is built as the linear
integrator of :func:`~nengo_snnext.backends.loihi._compartment.configure_linear`
(leak ``lambda``, gain ``g``, threshold ``V_th``) with:

- **noise at the membrane** (``noise_at_membrane = 1``: added to the input of
  the voltage update, before the floor and the threshold, and carried into the
  membrane as in the thesis). Loihi's noise is ``A (u + c)`` with ``u``
  uniform on ``[-1, 1]`` (``randint(-127, 128) / 128``), the scale ``A`` a
  power of two in the chip's voltage units (``noise_exp``) and the offset
  ``c`` a multiple of 1/2 (``noise_offset``). ``Uniform(low, high)`` is asked
  for as ``A = (high - low) / 2`` and ``c = (high + low) / (high - low)``;
  discretisation rounds ``c`` to a half (U[-0.2, 0.8]: ``c = 0.6 -> 0.5``,
  i.e. U[-0.25, 0.75]) and ``A`` to the nearest power of two in voltage
  units, a factor within ``2**(+-1/2)`` that depends on the network's weight
  scale (the discretiser's ``v_scale``). :func:`chip_noise` reads back what a
  built block got.
- **the V-shape becomes a floor**: a compartment has no negative slope, only
  ``vmin``; ``f(x) = s x`` for ``x < 0`` (``s = -0.03``) becomes ``f(x) = 0``
  (``vmin = 0``). The published slope maps a negative potential ``x`` to
  ``0.03 |x|``, a small positive carry: dropping it lowers the next potential
  by at most ``0.03 |x|`` (0.006 for the noise's lowest value -0.2), and the
  thesis neuron's firing for ``H + gamma < V_th / s`` (about -33) is gone.

Gaussian noise (the thesis code's ``N(0, 0.5**2)``) has no chip counterpart:
``BuildError`` naming ``noise="uniform"`` or off-chip placement.

nengo-loihi adds the noise in voltage units on the integer emulator and the
chip, but scales it by ``decay_v`` on the float emulator (``target="simreal"``);
the mapping is for the integer emulator and the chip.
"""

import warnings

import numpy as np
from nengo.dists import Uniform
from nengo.exceptions import BuildError
from nengo_loihi.builder import Builder

from nengo_snnext.backends.loihi._compartment import (
    OFF_CHIP_FIX,
    chip_leak,
    configure_linear,
)
from nengo_snnext.backends.loihi.fidelity import register_chip_rates
from nengo_snnext.neurons.oscillation import NeuralOscillation


def noise_fields(neuron_type, dt, neurons=None):
    """``(A, c)`` of the chip noise ``A (u + c)`` requested for ``neuron_type`` (neuron units)."""
    noise = neuron_type.noise
    if not isinstance(noise, Uniform):
        where = f"{neurons}: " if neurons is not None else ""
        raise BuildError(
            f"{where}NeuralOscillation(noise={noise}): Loihi's compartment noise is "
            f"uniform (a power-of-two scale and a half-step offset), so Gaussian noise "
            f"has no compartment; use noise='uniform' (the thesis text's U[-0.2, 0.8]) "
            f"{OFF_CHIP_FIX}"
        )
    half = (noise.high - noise.low) / 2.0
    return half, (noise.high + noise.low) / (2.0 * half)


def check_voltage_zero(model, neuron_type, neurons, block):
    """nengo-loihi's ``check_state_zero`` for the voltage only (the state's ``rng`` is no value)."""
    seed = model.seeds[neurons.ensemble]
    rng = np.random.RandomState(None if seed is None else seed + 1)
    if not np.all(np.asarray(neuron_type.make_state(block.n_neurons, rng=rng)["voltage"]) == 0):
        warnings.warn(
            f"NengoLoihi does not support initial values for 'voltage' being non-zero on "
            f"{type(neuron_type).__name__} neurons. On the chip, all values will be "
            f"initialized to zero."
        )


@Builder.register(NeuralOscillation)
def build_oscillation(model, neuron_type, neurons, block):
    """nengo-loihi builder of ``NeuralOscillation`` (see the module docstring)."""
    dt = model.dt
    neuron_type.check_dt(dt)
    half, offset = noise_fields(neuron_type, dt, neurons)
    leak, gain = neuron_type.coefficients(dt)
    check_voltage_zero(model, neuron_type, neurons, block)
    comp = block.compartment
    configure_linear(comp, leak=leak, gain=gain, threshold=neuron_type.threshold, floor=0.0,
                     dt=dt)
    # compartment voltage = decay_v V / g where configure_lif scales (else V / g)
    to_v = (comp.decay_v[0] if comp.scale_v else 1.0) / gain
    comp.enable_noise[:] = True
    comp.noise_at_membrane = 1
    comp.noise_exp = np.log10(half * to_v)
    comp.noise_offset = offset


def chip_noise(neuron_type, block, dt):
    """``Uniform(low, high)`` (neuron units) of the noise of a built, discretised block.

    Loihi's noise is ``2**noise_exp (u + noise_offset / 2)`` chip voltage units
    (``u`` uniform on ``[-1, 1]``); the voltage scale of the block is read from
    its threshold (``vth`` in chip units over its float value).
    """
    comp = block.compartment
    leak, gain = neuron_type.coefficients(dt)
    decay_v = 1.0 - float(chip_leak(leak))
    vth_float = decay_v * neuron_type.threshold / gain if leak < 1 else neuron_type.threshold / gain
    to_v = vth_float / neuron_type.threshold  # compartment voltage per neuron unit
    v_scale = float(comp.vth[0]) / vth_float
    half = 2.0 ** comp.noise_exp / v_scale / to_v
    c = comp.noise_offset / 2.0
    return Uniform(half * (c - 1), half * (c + 1))


def tuning_block(neuron_type, J, dt):
    """The discretised block of ``fidelity_report``'s network (one neuron per current)."""
    import nengo  # noqa: PLC0415
    from nengo_loihi.builder import Model  # noqa: PLC0415

    J = np.asarray(J, dtype=float).ravel()
    with nengo.Network(add_to_container=False) as net:
        nengo.Ensemble(J.size, 1, neuron_type=neuron_type, gain=np.ones(J.size), bias=J)
    model = Model(dt=dt)
    model.build(net)
    (block,) = model.blocks
    return block


def loihi_oscillation_rates(neuron_type, J, dt=None):
    """Chip rates (Hz) of ``fidelity_report``'s network (one neuron per current in ``J``).

    ``NeuralOscillation.rates`` (the exact renewal chain) of the neuron as the
    chip runs it: ``negative_slope = 0`` (the floor), the quantised leak and
    the noise the discretiser gave this network (:func:`chip_noise`; it
    depends on the network's bias and weight scale). Integer rounding of the
    voltage is not modelled; the leak enters through ``tau``, so with
    ``input_scaling="tau"`` the input gain ``dt / tau`` moves with it (by
    less than the leak's 12-bit rounding).
    """
    dt = neuron_type.dt if dt is None else dt
    J = np.asarray(J, dtype=float)
    noise = chip_noise(neuron_type, tuning_block(neuron_type, J, dt), dt)
    leak, gain = neuron_type.coefficients(dt)
    chip = neuron_type.replace(
        noise=noise, negative_slope=0.0, tau=dt / (1.0 - float(chip_leak(leak))),
    )
    flat = J.ravel()
    rates = chip.rates(flat[None], np.ones(flat.size), np.zeros(flat.size))[0]
    return neuron_type.amplitude * rates.reshape(J.shape)


register_chip_rates(NeuralOscillation, loihi_oscillation_rates)
