"""Conductance-based LIF with adaptive threshold (Jiang ch. 6; Diehl & Cook 2015)."""

import numpy as np
from nengo.dists import Choice
from nengo.exceptions import ValidationError
from nengo.params import EnumParam

from nengo_snnext.backends.reference.conductance_lif import ConductanceLIFStepper
from nengo_snnext.equations.conductance_lif import (
    ConductanceLIFState,
    conductance_lif_rate,
    conductance_lif_step,
    refractory_steps,
    steady_conductance,
    threshold_conductance,
)
from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.ops import NUMPY_OPS

BISECTIONS = 60

#: Published parameter sets (SI units). ``"jiang_*"``: Jiang's Table 6.3 (tau_gi
#: 1 ms, no threshold offset; the inhibitory membrane tau of 10 ms and reversal
#: -85 mV come from the thesis' App. E code, the table has none). ``"diehl_cook_*"``:
#: Diehl & Cook (2015)'s code (tau_gi 2 ms, threshold offset 20 mV, theta starting at
#: 20 mV: :func:`initial_theta`), dt = 0.5 ms as in the original Brian code.
PARAMETER_SETS = {
    "jiang_excitatory": dict(
        tau=0.1, tau_exc=0.001, tau_inh=0.001, v_rest=-0.065, v_reset=-0.065,
        e_exc=0.0, e_inh=-0.1, v_threshold=-0.052, threshold_offset=0.0,
        theta_plus=0.05e-3, tau_theta=1e4, tau_ref=0.005,
    ),
    "jiang_inhibitory": dict(
        tau=0.01, tau_exc=0.001, tau_inh=0.001, v_rest=-0.060, v_reset=-0.045,
        e_exc=0.0, e_inh=-0.085, v_threshold=-0.040, threshold_offset=0.0,
        theta_plus=0.0, tau_theta=1e4, tau_ref=0.002,
    ),
    "diehl_cook_excitatory": dict(
        tau=0.1, tau_exc=0.001, tau_inh=0.002, v_rest=-0.065, v_reset=-0.065,
        e_exc=0.0, e_inh=-0.1, v_threshold=-0.052, threshold_offset=0.02,
        theta_plus=0.05e-3, tau_theta=1e4, tau_ref=0.005, dt=0.0005,
    ),
    "diehl_cook_inhibitory": dict(
        tau=0.01, tau_exc=0.001, tau_inh=0.002, v_rest=-0.060, v_reset=-0.045,
        e_exc=0.0, e_inh=-0.085, v_threshold=-0.040, threshold_offset=0.0,
        theta_plus=0.0, tau_theta=1e4, tau_ref=0.002, dt=0.0005,
    ),
}

#: theta at the start of training: Diehl & Cook's 20 mV (cancels the offset)
INITIAL_THETA = {"diehl_cook_excitatory": 0.02}


class ConductanceLIF(SpikingNeuronType):
    """Conductance-based LIF with an adaptive threshold (Jiang eqs. 6.1-6.7).

    .. math::

        \\tau \\frac{dv}{dt} = (v_{rest} - v) + g_e (E_e - v) + g_i (E_i - v)

        \\tau_{g_e} \\frac{dg_e}{dt} = -g_e + \\sum_k w_k \\delta(t - t_k), \\quad
        \\tau_{g_i} \\frac{dg_i}{dt} = -g_i + \\sum_k |w_k| \\delta(t - t_k)

        \\tau_\\theta \\frac{d\\theta}{dt} = -\\theta, \\quad
        \\text{spike if } v > V_{th} - \\text{offset} + \\theta: \\;
        v \\leftarrow v_{reset},\\; \\theta \\leftarrow \\theta + \\theta_+

    Conductances jump by the weight of each presynaptic spike (Brian2's
    ``ge += w``): Nengo's input ``J`` is read as a conductance rate, positive
    parts feeding ``g_e`` and negative parts ``g_i`` (a spike of amplitude 1 is
    ``1 / dt``, so ``g_e`` jumps by ``w``). Excitation and inhibition arriving in
    the *same* step onto the same neuron net against each other before the split
    (Nengo gives a neuron type one input); in the Diehl & Cook network the
    inhibition arrives one step after the excitatory spikes that cause it.

    Integration (``method``): ``"euler"`` is forward Euler for every variable,
    as Brian2's ``method='euler'`` in the seeds' code, stable for ``dt`` up to
    the shortest conductance time constant and while ``dt (1 + g_e + g_i) / tau
    < 2`` (strong inhibition, e.g. many simultaneous inhibitory spikes, breaks
    this: ``v`` overshoots below ``e_inh`` and back above the threshold);
    ``"exponential"`` decays ``g_e``,
    ``g_i`` and ``theta`` exactly and integrates ``v`` exactly for the
    conductances held over the step. Diehl & Cook ran dt = 0.5 ms, the thesis
    code Brian2's default 0.1 ms; both are accepted (:data:`PARAMETER_SETS`).

    ``rates()`` are the exact settled rates of the discrete step with ``theta``
    held at 0 (a staircase in ``1 / (n dt)``); see
    :func:`~nengo_snnext.equations.conductance_lif.conductance_lif_rate`.

    Parameters
    ----------
    tau : float
        Membrane time constant (s).
    tau_exc : float
        Excitatory conductance time constant (s).
    tau_inh : float
        Inhibitory conductance time constant (s).
    v_rest : float
        Resting potential (V).
    v_reset : float
        Reset potential (V); below the threshold.
    e_exc : float
        Excitatory reversal potential (V); above the threshold.
    e_inh : float
        Inhibitory reversal potential (V); at most ``v_rest``.
    v_threshold : float
        Threshold (V) before the offset and ``theta``.
    threshold_offset : float
        Subtracted from the threshold (V; Diehl & Cook's hidden 20 mV).
    theta_plus : float
        Increment of ``theta`` per spike (V; 0 disables adaptation).
    tau_theta : float
        Decay time constant of ``theta`` (s; 1e4 s = 1e7 ms in the seeds).
    tau_ref : float
        Refractory period (s): ``v`` held, no spikes.
    method : {"euler", "exponential"}
        Integration scheme (see above).
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Simulator time step (s) assumed by ``rates`` and ``gain_bias``.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (V; default ``v_rest``), ``conductance_exc``,
        ``conductance_inh``, ``adaptation`` (theta, V) and ``refractory_time``
        (s), all 0 by default.

    Attributes
    ----------
    voltage : state
        Membrane potential (V).
    conductance_exc : state
        Excitatory conductance ``g_e`` (units of the leak conductance).
    conductance_inh : state
        Inhibitory conductance ``g_i``.
    adaptation : state
        Adaptive threshold ``theta`` (V).
    refractory_time : state
        Remaining refractory time (s).

    References
    ----------
    .. [1] C. Jiang, PhD thesis, Univ. of Canterbury, 2022, eqs. 6.1-6.7, Table 6.3,
       App. E.
    .. [2] P. U. Diehl and M. Cook, "Unsupervised learning of digit recognition
       using spike-timing-dependent plasticity", Front. Comput. Neurosci. 9, 2015.
    """

    state = {
        "voltage": Choice([0]),  # offset by v_rest in make_state
        "conductance_exc": Choice([0]),
        "conductance_inh": Choice([0]),
        "adaptation": Choice([0]),
        "refractory_time": Choice([0]),
    }
    state_class = ConductanceLIFState
    equation = staticmethod(conductance_lif_step)
    rate_equation = staticmethod(conductance_lif_rate)

    tau = FiniteNumberParam("tau", low=0, low_open=True)
    tau_exc = FiniteNumberParam("tau_exc", low=0, low_open=True)
    tau_inh = FiniteNumberParam("tau_inh", low=0, low_open=True)
    v_rest = FiniteNumberParam("v_rest")
    v_reset = FiniteNumberParam("v_reset")
    e_exc = FiniteNumberParam("e_exc")
    e_inh = FiniteNumberParam("e_inh")
    v_threshold = FiniteNumberParam("v_threshold")
    threshold_offset = FiniteNumberParam("threshold_offset")
    theta_plus = FiniteNumberParam("theta_plus", low=0)
    tau_theta = FiniteNumberParam("tau_theta", low=0, low_open=True)
    tau_ref = FiniteNumberParam("tau_ref", low=0)
    method = EnumParam("method", values=("euler", "exponential"))

    def __init__(
        self,
        tau=0.1,
        tau_exc=0.001,
        tau_inh=0.001,
        v_rest=-0.065,
        v_reset=-0.065,
        e_exc=0.0,
        e_inh=-0.1,
        v_threshold=-0.052,
        threshold_offset=0.0,
        theta_plus=0.05e-3,
        tau_theta=1e4,
        tau_ref=0.005,
        method="euler",
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.tau = tau
        self.tau_exc = tau_exc
        self.tau_inh = tau_inh
        self.v_rest = v_rest
        self.v_reset = v_reset
        self.e_exc = e_exc
        self.e_inh = e_inh
        self.v_threshold = v_threshold
        self.threshold_offset = threshold_offset
        self.theta_plus = theta_plus
        self.tau_theta = tau_theta
        self.tau_ref = tau_ref
        self.method = method
        threshold = v_threshold - threshold_offset
        self._require(
            e_exc > threshold, "e_exc",
            f"e_exc ({e_exc:g} V) must be above the threshold ({threshold:g} V), "
            "or excitation could never make the neuron fire",
        )
        self._require(
            e_inh <= v_rest and e_inh < threshold, "e_inh",
            f"e_inh ({e_inh:g} V) must be below the threshold ({threshold:g} V) and "
            f"not above v_rest ({v_rest:g} V)",
        )

    @classmethod
    def from_parameter_set(cls, name, **overrides):
        """A neuron of a published parameter set (:data:`PARAMETER_SETS`).

        ``"diehl_cook_excitatory"`` also starts ``theta`` at 20 mV (the
        Diehl & Cook code) unless ``initial_state`` is given.
        """
        if name not in PARAMETER_SETS:
            raise ValidationError(
                f"unknown parameter set {name!r}; choose from {sorted(PARAMETER_SETS)}",
                attr="name", obj=cls,
            )
        params = dict(PARAMETER_SETS[name])
        if name in INITIAL_THETA:
            params["initial_state"] = {"adaptation": Choice([INITIAL_THETA[name]])}
        params.update(overrides)
        return cls(**params)

    def _require(self, condition, attr, message):
        if not condition:
            raise ValidationError(message, attr=attr, obj=self)

    # --- equation parameters ----------------------------------------------------

    def rate_params(self, dt=None, n_neurons=None):
        return dict(
            tau=self.tau, tau_exc=self.tau_exc, tau_inh=self.tau_inh, v_rest=self.v_rest,
            v_reset=self.v_reset, e_exc=self.e_exc, e_inh=self.e_inh,
            v_threshold=self.v_threshold,
            threshold_offset=self.threshold_offset, tau_ref=self.tau_ref, method=self.method,
        )

    def equation_params(self, dt):
        return dict(
            self.rate_params(dt), theta_plus=self.theta_plus, tau_theta=self.tau_theta,
        )

    def check_dt(self, dt):
        """Forward Euler needs ``dt`` at most the shortest time constant."""
        if self.method == "euler":
            shortest = min(self.tau_exc, self.tau_inh, self.tau)
            if dt > shortest * (1 + 1e-12):
                raise ValidationError(
                    f"dt = {dt:g} s is above the shortest time constant ({shortest:g} s) "
                    f"of {self}: forward Euler would overshoot (negative decay factor); "
                    "use a smaller dt or method='exponential'",
                    attr="dt", obj=self,
                )

    def step(self, dt, J, output, **state):
        """Nengo core step, in place (:class:`.ConductanceLIFStepper`, equal to ``equation``).

        One stepper (scratch buffers and the step's constants) per ``dt``, size and
        dtype, made on first use. Non-finite input raises, as in the generic step.
        """
        self.check_finite_input(J)
        steppers = self.__dict__.setdefault("_steppers", {})
        key = (dt, J.size, J.dtype)
        if key not in steppers:
            steppers[key] = ConductanceLIFStepper(dt, J.size, J.dtype, self.equation_params(dt))
        spiked = steppers[key](J, *(state[name] for name in self.state))
        output[...] = 0
        output[spiked] = self.amplitude / dt
        return None

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_steppers", None)  # scratch buffers: rebuilt on first use
        return state

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        """Sample the initial state; the default voltage is ``v_rest``.

        A user ``initial_state["voltage"]`` is taken in volts.
        """
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        if self.initial_state is None or "voltage" not in self.initial_state:
            state["voltage"] = (state["voltage"] + self.v_rest).astype(state["voltage"].dtype)
        return state

    # --- rates and gain/bias ------------------------------------------------------

    def threshold_current(self, dt=None):
        """Largest constant ``J`` that never fires (settled ``v_inf`` at the threshold).

        Negative (inhibition) when the rest is above the threshold with ``theta = 0``
        (Diehl & Cook's offset).
        """
        dt = self.rate_dt(dt)
        g = threshold_conductance(
            v_rest=self.v_rest, e_exc=self.e_exc, e_inh=self.e_inh,
            v_threshold=self.v_threshold, threshold_offset=self.threshold_offset,
        )
        tau_g = self.tau_exc if g >= 0 else self.tau_inh
        per_unit = steady_conductance(NUMPY_OPS, 1.0, dt=dt, tau_exc=tau_g, method=self.method)
        return float(g / per_unit)

    def max_rate(self, dt):
        """Highest rate: one spike per refractory period plus one step."""
        return 1.0 / ((refractory_steps(dt, self.tau_ref) + 1) * dt)

    def check_max_rates(self, max_rates, dt):
        top = self.max_rate(dt)
        if np.any(max_rates <= 0) or np.any(max_rates > top):
            self.raise_max_rates(
                f"(0, {top:g}] Hz (one spike per refractory period of {self.tau_ref:g} s "
                f"plus one step of {dt:g} s)",
                max_rates,
                "lower max_rates or tau_ref",
            )

    def current_for_rate(self, max_rates, dt):
        """Smallest ``J`` whose settled rate reaches ``max_rates`` (bisection).

        The rates are a staircase in ``1 / (n dt)``, so the rate at this current is
        the first achievable rate at or above ``max_rates``.
        """
        target = np.asarray(max_rates, dtype=float)
        low = np.full_like(target, self.threshold_current(dt))
        high = low + np.maximum(abs(low), 1.0)
        for _ in range(200):
            short = self.rate_from_current(high, dt) < target
            if not np.any(short):
                break
            high = np.where(short, 2 * high, high)
        for _ in range(BISECTIONS):
            mid = 0.5 * (low + high)
            reached = self.rate_from_current(mid, dt) >= target
            high = np.where(reached, mid, high)
            low = np.where(reached, low, mid)
        return high
