"""Bases for discrete-time neurons whose rates are a staircase ``1 / (n dt)``.

:class:`StaircaseNeuronType`: a deterministic neuron that, for a constant input,
fires every ``n`` steps (DiscreteLIF, KLIF, AltNeuralOscillation). Only the rates
``1 / (n dt)`` exist, so ``gain_bias`` places each neuron's ``x = 1`` input in
the middle of the band of the achievable rate nearest to the requested
``max_rates`` (``max_rates_intercepts`` then returns that achievable rate).

:class:`DiscreteIntegratorNeuronType`: the linear ones, equivalent for constant
input to ``H_n = leak V_{n-1} + input_gain J``, fire if ``H_n > threshold``,
reset to ``reset``; their period, rate and band currents are closed forms
(``equations.lif``), and they map onto Loihi compartments.
"""

import numpy as np
from nengo.exceptions import ValidationError

from nengo_snnext.equations.lif import lif_rate, lif_smooth_rate, linear_drive_for_period
from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.ops import NUMPY_OPS


def nearest_period(max_rates, dt):
    """The period (steps) whose rate ``1 / (n dt)`` is nearest to each of ``max_rates``."""
    period = 1.0 / (max_rates * dt)
    shorter = np.maximum(np.floor(period), 1.0)
    longer = np.ceil(period)
    nearest_short = np.abs(1.0 / shorter - 1.0 / period) <= np.abs(1.0 / longer - 1.0 / period)
    return np.where(nearest_short, shorter, longer)


class StaircaseNeuronType(SpikingNeuronType):
    """A deterministic discrete-time neuron with quantised rates ``1 / (n dt)``.

    Subclasses implement ``threshold_current(dt)`` and ``current_for_period(n_steps,
    dt)`` (the current in the middle of the input band of period ``n_steps``).
    """

    def current_for_period(self, n_steps, dt=None):
        """Current in the middle of the input band that fires every ``n_steps`` steps."""
        raise NotImplementedError(f"{type(self).__name__} must define current_for_period")

    def current_for_rate(self, max_rates, dt):
        return self.current_for_period(nearest_period(max_rates, dt), dt)


class DiscreteIntegratorNeuronType(StaircaseNeuronType):
    """A neuron that, for constant input, is a discrete linear integrator.

    Subclasses implement ``linear_parameters(dt)`` returning ``(leak, input_gain,
    threshold, reset)`` of the equivalent integrator. The rate is exact
    (:func:`~nengo_snnext.equations.lif.lif_rate`); rate training uses its
    smoothed form (:func:`~nengo_snnext.equations.lif.lif_smooth_rate`), equal to
    it at the band centres where ``gain_bias`` puts ``max_rates``.
    """

    rate_equation = staticmethod(lif_rate)
    training_rate_equation = staticmethod(lif_smooth_rate)

    def linear_parameters(self, dt):
        """``(leak, input_gain, threshold, reset)`` of the equivalent integrator."""
        raise NotImplementedError(f"{type(self).__name__} must define linear_parameters(dt)")

    def rate_params(self, dt, n_neurons=None):
        leak, input_gain, threshold, reset = self.linear_parameters(dt)
        return dict(leak=leak, input_gain=input_gain, threshold=threshold, reset=reset)

    def threshold_current(self, dt=None):
        """Largest current that never fires (the rheobase); any larger one fires."""
        leak, gain, threshold, reset = self.linear_parameters(self.rate_dt(dt))
        edge = threshold if leak < 1 else reset
        return (1.0 - leak) * edge / gain

    def current_for_period(self, n_steps, dt=None):
        dt = self.rate_dt(dt)
        leak, gain, threshold, reset = self.linear_parameters(dt)
        if leak == 0:
            if np.any(np.asarray(n_steps) != 1):
                raise ValidationError(
                    f"with dt ({dt}) equal to tau the neuron has no memory and "
                    f"fires either every step or never; only the rate 1/dt = "
                    f"{1 / dt:g} Hz can be requested",
                    attr="max_rates",
                    obj=self,
                )
            return 2.0 * (threshold - reset) / gain + 0.0 * np.asarray(n_steps)
        drive = linear_drive_for_period(
            NUMPY_OPS,
            np.asarray(n_steps, dtype=float) - 0.5,
            leak=leak,
            threshold=threshold,
            reset=reset,
        )
        return drive / gain
