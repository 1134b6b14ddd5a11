"""NengoDL builders for the memristive integrate-and-fire family: ``MIF`` and ``MIF2``.

The spiking step is the exact hybrid step of
:func:`~nengo_snnext.equations.mif.mif_step` /
:func:`~nengo_snnext.equations.mif2.mif2_step` run with ``TF_OPS`` (event times
solved inside the step, so an output may hold several spikes). Rate training
uses the exact steady-state rate (:func:`~nengo_snnext.equations.mif.mif_rate`,
:func:`~nengo_snnext.equations.mif2.mif2_rate`), which is continuous in ``J``:
zero up to the rheobase ``J = 1`` with an infinite slope there (as
``nengo.LIFRate``), a peak, and a return to zero at the depolarisation block.
For MIF2 the gradient is taken at the adapted memristor state, treating the
fixed point of ``x2`` as constant (the bisection that finds it has no gradient).

Surrogate training is not available: the MIF equations count spikes from event
times instead of thresholding a potential, so they take no ``spike=`` function;
building in surrogate mode raises a ``BuildError`` that says so.
"""

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.equations.mif import mif_rate
from nengo_snnext.equations.mif2 import mif2_rate
from nengo_snnext.neurons.mif import MIF
from nengo_snnext.neurons.mif2 import MIF2

# equation parameters that only convert volts to the normalised voltage
VOLTAGE_UNITS = ("e_rest", "delta_v")


def rate_params_from_equation(neuron_type, dt):
    """The equation parameters without the voltage conversion: the rate's keywords."""
    params = neuron_type.equation_params(dt)
    return {k: v for k, v in params.items() if k not in VOLTAGE_UNITS}


@register_neuron_builder(MIF)
class MIFBuilder(EquationBuilder):
    """Build a group of :class:`~nengo_snnext.MIF` neuron operators."""

    rate_params = staticmethod(rate_params_from_equation)

    @staticmethod
    def rate(xp, J, *, dt, **params):
        """Exact steady-state rate (Hz) of :func:`~nengo_snnext.equations.mif.mif_rate`."""
        del dt  # the rate is exact in continuous time
        return mif_rate(xp, J, **params)


@register_neuron_builder(MIF2)
class MIF2Builder(EquationBuilder):
    """Build a group of :class:`~nengo_snnext.MIF2` neuron operators."""

    rate_params = staticmethod(rate_params_from_equation)

    @staticmethod
    def rate(xp, J, *, dt, **params):
        """Adapted steady-state rate (Hz) of :func:`~nengo_snnext.equations.mif2.mif2_rate`."""
        del dt
        return mif2_rate(xp, J, **params)
