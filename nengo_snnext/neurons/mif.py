"""Memristive integrate-and-fire neuron MIF (Thurein 2022, eqs. 1.4-1.5), in SI units.

:class:`MemristiveNeuronType` holds what MIF and MIF2 (``neurons/mif2.py``)
share: the SI parameters and their validation, the J-to-ampere normalisation,
the voltage state in volts, and rate-based ``gain_bias`` for rate curves that
rise from the rheobase ``J = 1`` to a peak and fall to zero at the
depolarisation block.
"""

from functools import lru_cache

import numpy as np
from nengo.dists import Choice, Uniform
from nengo.exceptions import ValidationError
from nengo.params import BoolParam

from nengo_snnext.backends.reference.mif import hybrid_step_for, numba_enabled
from nengo_snnext.equations.mif import (
    M2Parameters,
    MIFState,
    cycle_period,
    mif_rate,
    mif_step,
)
from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.ops import NUMPY_OPS

PEAK_GRID = 257  # points per zoom level of the rate-peak search
PEAK_ZOOMS = 8  # zoom levels: bracket shrinks by (PEAK_GRID - 1) / 2 per level
BISECTIONS = 64  # bisection steps for the inverse rate function


@lru_cache(maxsize=64)
def _peak(neuron_type):
    if not neuron_type.memristive:
        return np.inf, (np.inf if neuron_type.tau_ref == 0 else 1.0 / neuron_type.tau_ref)
    low, high = 1.0, neuron_type.lock_current
    for _ in range(PEAK_ZOOMS):
        J = np.linspace(low, high, PEAK_GRID)
        r = neuron_type.rate_from_current(J)
        i = int(np.argmax(r))
        low, high = J[max(i - 1, 0)], J[min(i + 1, PEAK_GRID - 1)]
    return J[i], r[i]


class MemristiveNeuronType(SpikingNeuronType):
    """Shared SI parameters, validation, state and ``gain_bias`` of MIF and MIF2.

    Subclasses set ``rate_equation`` (the exact steady-state rate in Hz of the
    normalised current ``J``) and implement ``current_on_rising_branch(rates,
    J_peak)`` (its inverse on ``1 < J < J_peak``). Surrogate training is not
    available (``surrogate = None``): the equations count spikes from event
    times solved inside the step instead of thresholding a potential, so there
    is no spike function to replace.
    """

    R_on = FiniteNumberParam("R_on", low=0, low_open=True)
    R_off = FiniteNumberParam("R_off", low=0, low_open=True)
    C = FiniteNumberParam("C", low=0, low_open=True)
    E_rest = FiniteNumberParam("E_rest")
    V_th = FiniteNumberParam("V_th")
    V_reset = FiniteNumberParam("V_reset")
    tau_ref = FiniteNumberParam("tau_ref", low=0)
    memristive = BoolParam("memristive")

    rates_depend_on_dt = False
    # NengoDL compiles the step with XLA (backends/dl/equation_builder.py):
    # four event segments of element-wise ops fuse into a few kernels
    jit_step = True
    # rate training too: MIF's few dozen element-wise ops (twice with smoothing) and
    # MIF2's table lookup fuse into XLA kernels, forward and backward: about half the
    # uncompiled time (a 200 x 10,816 batch: MIF 159 -> 81 ms, MIF2 332 -> 174 ms)
    jit_training_rate = True

    def __init__(
        self, *, R_on, R_off, C, E_rest, V_th, V_reset, tau_ref, memristive,
        amplitude, dt, initial_state,
    ):
        super().__init__(amplitude=amplitude, dt=dt, initial_state=initial_state)
        self.R_on = R_on
        self.R_off = R_off
        self.C = C
        self.E_rest = E_rest
        self.V_th = V_th
        self.V_reset = V_reset
        self.tau_ref = tau_ref
        self.memristive = memristive
        self._require(
            R_on < R_off, "R_on", f"R_on ({R_on:g} ohm) must be below R_off ({R_off:g} ohm)"
        )
        self._require(
            V_th > E_rest, "V_th",
            f"spike threshold V_th ({V_th:g} V) must be above E_rest ({E_rest:g} V)",
        )
        self._require(
            V_reset < V_th, "V_reset",
            f"V_reset ({V_reset:g} V) must be below the spike threshold V_th ({V_th:g} V)",
        )
        if memristive:
            self._require(
                V_reset > E_rest, "V_reset",
                f"with memristive=True, V_reset ({V_reset:g} V) is the memristor's RESET "
                f"threshold E_rest + V_th2 and must be above E_rest ({E_rest:g} V), otherwise "
                f"the memristor never switches off; use memristive=False for a reset at or "
                f"below rest",
            )

    def _require(self, condition, attr, message):
        if not condition:
            raise ValidationError(message, attr=attr, obj=self)

    # --- derived quantities -------------------------------------------------

    @property
    def tau_off(self):
        """Membrane time constant with the memristor OFF, ``R_off C`` (s); thesis: 2 ms."""
        return self.R_off * self.C

    @property
    def tau_on(self):
        """Membrane time constant with the memristor ON, ``R_on C`` (s)."""
        return self.R_on * self.C

    @property
    def rheobase_current(self):
        """Current (A) of ``J = 1``: ``(V_th - E_rest) / R_off``, the frozen neuron's rheobase."""
        return (self.V_th - self.E_rest) / self.R_off

    @property
    def lock_current(self):
        """``J`` at and above which a memristive neuron locks ON (depolarisation block).

        The ON-phase target ``E_rest + R_on I`` reaches the RESET threshold
        ``V_reset``: ``J_lock = (V_reset - E_rest) / (V_th - E_rest) * R_off / R_on``.
        ``inf`` for ``memristive=False``.
        """
        if not self.memristive:
            return np.inf
        return self._u_reset * self.R_off / self.R_on

    @property
    def _u_reset(self):
        return (self.V_reset - self.E_rest) / (self.V_th - self.E_rest)

    def _base_params(self):
        """Normalised parameters of the membrane and M1, shared by MIF and MIF2."""
        return dict(
            tau_off=self.tau_off, tau_on=self.tau_on, u_reset=self._u_reset,
            tau_ref=self.tau_ref, memristive=self.memristive,
        )

    def rate_params(self, dt=None, n_neurons=None):
        """Keyword parameters of the rate equation (``mif_rate`` / ``mif2_rate``)."""
        return self._base_params()

    def equation_params(self, dt):
        """Keyword parameters of the step equation: :meth:`rate_params` plus the volt scale.

        The step is exact for any ``dt``, so they do not depend on it, and the
        parameters are read-only: they are computed once (Nengo core asks at every step).
        """
        params = self.__dict__.get("_equation_params")
        if params is None:
            params = dict(e_rest=self.E_rest, delta_v=self.V_th - self.E_rest,
                          **self.rate_params(dt))
            self.__dict__["_equation_params"] = params
        return dict(params)

    # --- state ----------------------------------------------------------------

    def make_state(self, n_neurons, rng=np.random, dtype=None):
        """Sample the initial state; the default voltage is uniform on ``[E_rest, V_th)``.

        ``state["voltage"]`` is ``Uniform(0, 1)`` in units of ``V_th - E_rest``
        above ``E_rest`` (a class-level distribution cannot depend on the
        parameters); a user ``initial_state["voltage"]`` is taken in volts.
        """
        state = super().make_state(n_neurons, rng=rng, dtype=dtype)
        if self.initial_state is None or "voltage" not in self.initial_state:
            u = state["voltage"]
            state["voltage"] = (self.E_rest + (self.V_th - self.E_rest) * u).astype(u.dtype)
        return state

    # --- rates and gain/bias --------------------------------------------------

    def step(self, dt, J, output, **state):
        """Nengo core's step; with numba, float64 vectors take one compiled call in place.

        :func:`~nengo_snnext.backends.reference.mif_numba.numba_volt_step` does what
        the step below does with the numba kernel (the same arithmetic; tested equal)
        without numpy's per-operation cost on the conversions and writes. A
        subclass that overrides :meth:`numpy_equation` gets the generic step with it.
        """
        if numba_enabled() and (type(self).numpy_equation
                                is MemristiveNeuronType.numpy_equation):
            from nengo_snnext.backends.reference.mif_numba import numba_volt_step

            if numba_volt_step(J, output, state, self._numba_args(dt)):
                return
        super().step(dt, J, output, **state)  # and the error of a non-finite current

    def _numba_args(self, dt):
        """:func:`~nengo_snnext.backends.reference.mif_numba.numba_volt_args`, per ``dt``."""
        cache = self.__dict__.setdefault("_numba_args_by_dt", {})
        if dt not in cache:
            from nengo_snnext.backends.reference.mif_numba import numba_volt_args

            params = self.equation_params(dt)
            m2 = (M2Parameters(**{k: params.pop(k) for k in M2Parameters._fields})
                  if "u_battery" in params else None)
            cache[dt] = numba_volt_args(dt, scale=self.amplitude / dt, m2=m2, **params)
        return cache[dt]

    def numpy_equation(self, dt, J, state, **params):
        """The step with the event-driven numpy (or numba) kernel, equal to ``equation``."""
        hybrid = hybrid_step_for(np.asarray(J).dtype)
        return self.equation(NUMPY_OPS, dt, J, state, hybrid=hybrid, **params)

    def current_on_rising_branch(self, rates, J_peak):
        """Current on ``(1, J_peak)`` with steady-state rate ``rates`` (Hz)."""
        raise NotImplementedError(
            f"{type(self).__name__} must define current_on_rising_branch"
        )

    def threshold_current(self, dt=None):
        """``J = 1``: the rheobase, exactly (by the J normalisation)."""
        return 1.0

    def peak(self):
        """``(J_peak, r_peak)``: the current of the highest steady-state rate and that rate.

        Frozen, the rate rises monotonically toward ``1 / tau_ref`` (``J_peak =
        inf``). Memristive, the ON-phase discharge lengthens without bound as
        ``J`` approaches :attr:`lock_current`, so the rate peaks inside
        ``(1, J_lock)``; the peak is located by a zooming grid search (cached per
        parameter set).
        """
        return _peak(self)

    def check_max_rates(self, max_rates, dt):
        J_peak, r_peak = self.peak()
        if np.any(max_rates <= 0) or np.any(max_rates >= r_peak):
            self.raise_max_rates(
                f"(0, {r_peak:.6g}) Hz, the highest steady-state rate of {self} "
                f"(reached at J = {J_peak:.4g})",
                max_rates,
                "lower max_rates, or lower tau_ref / R_on",
            )

    def current_for_rate(self, max_rates, dt):
        """Current on the rising branch ``1 < J < J_peak`` (exact; ``dt`` unused)."""
        return self.current_on_rising_branch(max_rates, self.peak()[0])

    def _bisect_current(self, period_at, T_target, J_peak):
        """``J`` in ``(1, J_peak)`` with ``period_at(J) == T_target`` (period falls with J)."""
        low = np.ones_like(T_target)
        high = np.full_like(T_target, J_peak)
        for _ in range(BISECTIONS):
            mid = 0.5 * (low + high)
            too_slow = period_at(mid) > T_target
            low = np.where(too_slow, mid, low)
            high = np.where(too_slow, high, mid)
        return 0.5 * (low + high)


class MIF(MemristiveNeuronType):
    """Memristive integrate-and-fire neuron (Thurein 2022 eqs. 1.4-1.5; Kang et al. 2021).

    An RC membrane whose leak resistor is a memristor ``M1`` in series with the
    battery ``E_rest``. ``M1`` is an ideal hysteretic threshold switch driven by
    its own voltage ``V - E_rest``: it switches ON (``R_on``) when that voltage
    reaches ``V_th1 = V_th - E_rest`` (the spike) and OFF (``R_off``) when it
    falls to ``V_th2 = V_reset - E_rest``, after which the membrane is held for
    the refractory period ``tau_ref``:

    .. math::

        C \\frac{dV}{dt} &= I - \\frac{V - E_{rest}}{R_M(x)}, \\qquad
        R_M(0) = R_{off},\\; R_M(1) = R_{on}, \\qquad
        I = J\\, \\frac{v_{th} - E_{rest}}{R_{off}} \\\\
        x &: 0 \\to 1 \\text{ at } V = v_{th} \\text{ (spike)}, \\qquad
        1 \\to 0 \\text{ at } V = v_{reset}, \\text{ then } V \\text{ held for } \\tau_{ref}

    ``J = 1`` is the rheobase of the frozen neuron (``I = (V_th - E_rest) /
    R_off``, 11 nA by default). While ``M1`` is ON the membrane discharges with
    ``tau_on = R_on C`` (20 us by default) toward ``E_rest + R_on I``; for ``J >=``
    :attr:`lock_current` (4.545 by default) that target is above ``V_reset``,
    ``M1`` stays ON and the neuron falls silent (depolarisation block), so the
    rate curve peaks (615.5 Hz at J = 4.4 by default) and then drops to 0.

    With ``memristive=False`` the memristor is frozen at ``R_off`` and a spike
    resets ``V`` to ``V_reset`` instantly: an LIF with ``tau = R_off C`` (2 ms).
    Between spikes it follows the thesis' eq. 1.5 exactly,
    ``V(t) = V_0 e^{-t/tau} + (E_rest + R_off I)(1 - e^{-t/tau})``, and

    .. math::

        r(J) = \\Big[\\tau_{ref}
            + \\tau \\ln\\frac{V_\\infty - v_{reset}}{V_\\infty - v_{th}}\\Big]^{-1},
        \\qquad V_\\infty = E_{rest} + R_{off} I

    (the memristive rate adds the ON time ``tau_on ln((1 - rho J) / (u_reset -
    rho J))`` to the period, ``rho = R_on / R_off``, ``u_reset = (V_reset -
    E_rest) / (V_th - E_rest)``). The step is exact for any ``dt`` (event times
    solved inside the step; several spikes per step are possible), and
    ``rates()`` is exact in both modes.

    Parameters
    ----------
    R_on : float
        Memristor ON resistance (ohm); below ``R_off``.
    R_off : float
        Memristor OFF resistance (ohm); thesis value 10 MOhm.
    C : float
        Membrane capacitance (F); thesis value 0.2 nF.
    E_rest : float
        Rest battery in series with the memristor (V).
    V_th : float
        Spike threshold (V): the memristor's SET voltage ``E_rest + V_th1``.
    V_reset : float
        Reset voltage (V): the memristor's RESET voltage ``E_rest + V_th2``;
        must lie between ``E_rest`` and ``V_th`` when ``memristive``.
    tau_ref : float
        Refractory period (s) after the reset, during which ``V`` is held.
    memristive : bool
        ``False`` freezes the memristor at ``R_off`` (the thesis' eq. 1.5 neuron).
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Kept for the common interface; MIF's rates do not depend on it.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (V; default uniform on ``[E_rest, V_th)``),
        ``memristor`` (0) and ``refractory_time`` (s, 0).

    Attributes
    ----------
    voltage : state
        Membrane potential ``V`` (V).
    memristor : state
        Memristor state ``x``: 0 OFF (``R_off``), 1 ON (``R_on``).
    refractory_time : state
        Remaining refractory time (s).

    References
    ----------
    .. [1] H. Thurein, "Design and Analysis of Leaky Integrate-and-Fire and
       Memristive Integrate-and-Fire Spiking Neural Networks", MS thesis, UC
       Santa Cruz, 2022 (eqs. 1.4, 1.5; R_off = 10 MOhm, C = 0.2 nF).
    .. [2] S. M. Kang et al., "How to Build a Memristive Integrate-and-Fire Model
       for Spiking Neuronal Signal Generation", IEEE TCAS-I 68(12), 2021.
    """

    state = {
        "voltage": Uniform(low=0, high=1),
        "memristor": Choice([0]),
        "refractory_time": Choice([0]),
    }
    state_class = MIFState
    equation = staticmethod(mif_step)
    rate_equation = staticmethod(mif_rate)

    def __init__(
        self,
        R_on=100e3,
        R_off=10e6,
        C=0.2e-9,
        E_rest=0.0,
        V_th=0.110,
        V_reset=0.005,
        tau_ref=0.001,
        memristive=True,
        amplitude=1.0,
        dt=0.001,
        initial_state=None,
    ):
        super().__init__(
            R_on=R_on, R_off=R_off, C=C, E_rest=E_rest, V_th=V_th, V_reset=V_reset,
            tau_ref=tau_ref, memristive=memristive, amplitude=amplitude, dt=dt,
            initial_state=initial_state,
        )

    def current_on_rising_branch(self, rates, J_peak):
        T = 1.0 / np.asarray(rates, dtype=float)
        if not self.memristive:
            # invert tau_ref + tau ln((J - u_r) / (J - 1)) = T
            return 1.0 + (1.0 - self._u_reset) / np.expm1((T - self.tau_ref) / self.tau_off)

        def period_at(J):
            return cycle_period(NUMPY_OPS, J, None, **self.rate_params())[0]

        return self._bisect_current(period_at, T, J_peak)
