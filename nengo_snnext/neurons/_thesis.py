"""Mixin for the thesis' Euler-discretised membrane: ``tau`` and ``input_scaling``."""

from nengo.exceptions import ValidationError
from nengo.params import EnumParam

from nengo_snnext.equations.lif import INPUT_SCALINGS, discrete_coefficients
from nengo_snnext.neurons._params import FiniteNumberParam


class ThesisTimeConstant:
    """``tau`` (s) and ``input_scaling`` of a membrane stepped as in Jiang (2022).

    Mix in before the neuron-type base class. One simulator step is one thesis
    step with leak ``1 - dt / tau``; ``dt`` may not exceed ``tau``.
    """

    tau = FiniteNumberParam("tau", low=0, low_open=True)
    input_scaling = EnumParam("input_scaling", values=INPUT_SCALINGS)

    def check_dt(self, dt):
        if dt > self.tau:
            raise ValidationError(
                f"dt ({dt:g} s) exceeds tau ({self.tau:g} s): the Euler leak "
                f"1 - dt/tau would be negative. Use dt <= tau (the thesis uses "
                f"dt = tau / 2)",
                attr="tau",
                obj=self,
            )

    def coefficients(self, dt):
        """``(leak, input_gain)`` for simulator step ``dt``."""
        return discrete_coefficients(dt, self.tau, self.input_scaling)
