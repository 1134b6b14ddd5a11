"""Exact rates and gain/bias for neurons equivalent to a discrete linear integrator.

DiscreteLIF and KLIF (and any type whose constant-input response is a discrete
integrator with hard reset) share this: steady-state rates are a staircase
``1 / (n dt)`` with ``n`` computed in closed form (``equations.lif``), so
``gain_bias`` and ``max_rates_intercepts`` are exact rather than numerical.
"""

import numpy as np
from nengo.exceptions import ValidationError

from nengo_snnext.equations.lif import (
    discrete_rate,
    linear_drive_for_period,
)
from nengo_snnext.neurons._adapter import (
    EquationNeuronType,
    gain_bias_inputs,
    linear_gain_bias,
)
from nengo_snnext.ops import NUMPY_OPS


class DiscreteIntegratorNeuronType(EquationNeuronType):
    """Neuron type whose constant-input response is a discrete linear integrator.

    Subclasses implement ``linear_parameters(dt)`` returning
    ``(leak, input_gain, threshold, reset)`` of the equivalent integrator
    ``H_n = leak V_{n-1} + input_gain J``, fire if ``H_n > threshold``, reset to
    ``reset``.

    Rates are quantised: a neuron fires every ``n`` steps, so only the rates
    ``1 / (n dt)`` exist. ``gain_bias`` places each neuron's ``x = 1`` input in
    the middle of the band of the achievable rate nearest to the requested
    ``max_rates`` (so ``max_rates_intercepts`` returns that achievable rate);
    intercepts are exact.
    """

    def linear_parameters(self, dt):
        """``(leak, input_gain, threshold, reset)`` of the equivalent integrator."""
        raise NotImplementedError(
            f"{type(self).__name__} must define linear_parameters(dt)"
        )

    def _rate_dt(self, dt):
        dt = self.dt if dt is None else dt
        self.check_dt(dt)
        return dt

    def rate_from_current(self, xp, J, dt):
        """Exact steady-state rate in Hz (without ``amplitude``) for current ``J``."""
        leak, gain, threshold, reset = self.linear_parameters(dt)
        return discrete_rate(
            xp, gain * J, dt=dt, leak=leak, threshold=threshold, reset=reset
        )

    def rates(self, x, gain, bias, dt=None):
        """Exact steady-state firing rates (Hz), for time step ``dt`` (default ``self.dt``)."""
        dt = self._rate_dt(dt)
        J = self.current(x, gain, bias)
        return self.amplitude * self.rate_from_current(NUMPY_OPS, J, dt)

    def threshold_current(self, dt=None):
        """Largest current that never fires (the rheobase); any larger one fires."""
        dt = self._rate_dt(dt)
        leak, gain, threshold, reset = self.linear_parameters(dt)
        edge = threshold if leak < 1 else reset
        return (1.0 - leak) * edge / gain

    def current_for_period(self, n_steps, dt=None):
        """Current in the middle of the input band that fires every ``n_steps`` steps."""
        dt = self._rate_dt(dt)
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

    def gain_bias(self, max_rates, intercepts):
        max_rates, intercepts = gain_bias_inputs(self, max_rates, intercepts)
        dt = self._rate_dt(None)
        rates = max_rates  # spikes/s, independent of amplitude (as Nengo's types)
        if np.any(rates <= 0) or np.any(rates > 1.0 / dt):
            raise ValidationError(
                f"max_rates must be in (0, {1 / dt:g}] Hz: a discrete "
                f"neuron fires at most once per step of dt = {dt:g} s (got "
                f"{max_rates.min():g} to {max_rates.max():g} Hz); lower max_rates "
                f"or construct {type(self).__name__}(dt=...) with a smaller dt",
                attr="max_rates",
                obj=self,
            )
        period = 1.0 / (rates * dt)
        shorter = np.maximum(np.floor(period), 1.0)
        longer = np.ceil(period)
        nearest_short = np.abs(1.0 / shorter - 1.0 / period) <= np.abs(
            1.0 / longer - 1.0 / period
        )
        n_steps = np.where(nearest_short, shorter, longer)
        J_max = self.current_for_period(n_steps, dt)
        J_th = self.threshold_current(dt)
        return linear_gain_bias(J_max, J_th, intercepts)

    def max_rates_intercepts(self, gain, bias):
        gain = np.asarray(gain, dtype=float)
        bias = np.asarray(bias, dtype=float)
        max_rates = self.rates(np.ones(1), gain, bias).squeeze(axis=0) / self.amplitude
        intercepts = (self.threshold_current() - bias) / gain
        return max_rates, intercepts
