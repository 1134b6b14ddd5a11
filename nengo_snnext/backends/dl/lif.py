"""NengoDL builders for the thesis LIF family: ``DiscreteLIF`` and ``KLIF``.

The spiking step is :func:`~nengo_snnext.equations.lif.discrete_lif_step` or
:func:`~nengo_snnext.equations.lif.klif_step` (through
:class:`~.equation_builder.EquationBuilder`). Rate training uses
:func:`~nengo_snnext.equations.lif.smooth_discrete_rate` of the equivalent
discrete integrator (``linear_parameters(dt)`` of the neuron type), which equals
the exact staircase rate at the band centres where ``gain_bias`` puts
``max_rates``. Surrogate training uses arctan with ``alpha = 2`` by default
(thesis ch. 2, eq. 2.9).
"""

from nengo_snnext.backends.dl._registry import register_neuron_builder
from nengo_snnext.backends.dl.equation_builder import EquationBuilder
from nengo_snnext.equations.lif import smooth_discrete_rate
from nengo_snnext.neurons.lif import KLIF, DiscreteLIF


class DiscreteIntegratorBuilder(EquationBuilder):
    """Rate and surrogate defaults of the types that reduce to a discrete integrator."""

    thesis_alpha = 2.0

    @staticmethod
    def rate(xp, J, *, dt, leak, input_gain, threshold, reset):
        """Smoothed rate (Hz) of ``H = leak V + input_gain J``, threshold, reset."""
        return smooth_discrete_rate(
            xp, input_gain * J, dt=dt, leak=leak, threshold=threshold, reset=reset
        )

    @staticmethod
    def rate_params(neuron_type, dt):
        """``linear_parameters(dt)`` of the neuron type as keywords of :meth:`rate`."""
        leak, input_gain, threshold, reset = neuron_type.linear_parameters(dt)
        return dict(leak=leak, input_gain=input_gain, threshold=threshold, reset=reset)


@register_neuron_builder(DiscreteLIF)
class DiscreteLIFBuilder(DiscreteIntegratorBuilder):
    """Build a group of :class:`~nengo_snnext.DiscreteLIF` neuron operators."""


@register_neuron_builder(KLIF)
class KLIFBuilder(DiscreteIntegratorBuilder):
    """Build a group of :class:`~nengo_snnext.KLIF` (and KLIF*) neuron operators."""
