"""MIF2: memristive integrate-and-fire with a hyperpolarising memristor (Thurein eq. 1.6)."""

from functools import lru_cache

import numpy as np
from nengo.dists import Choice, Uniform

from nengo_snnext.equations.mif import M2Parameters, refractory_voltage
from nengo_snnext.equations.mif2 import (
    MIF2State,
    mif2_period_at,
    mif2_rate,
    mif2_step,
    mif2_training_rate,
)
from nengo_snnext.equations.tabulated import PiecewisePolynomial
from nengo_snnext.neurons._params import FiniteNumberParam
from nengo_snnext.neurons.mif import MemristiveNeuronType
from nengo_snnext.ops import NUMPY_OPS


TABLE_NODES_PER_END = 700  # geometric nodes toward each end of the firing range
TABLE_CLOSEST = 1e-14  # closest node to the rheobase and to the lock current (rheobase units)


@lru_cache(maxsize=32)
def rate_table(neuron_type):
    """PCHIP table of the exact (bisection) rate of a memristive MIF2 on ``(1, J_lock)``.

    The rate rises from 0 at the rheobase ``J = 1`` and falls to 0 at the lock
    current with logarithmic singularities at both ends, so the nodes are
    geometric toward each end; outside ``[1, J_lock]`` the rate is 0 exactly.
    """
    low, high = 1.0, neuron_type.lock_current
    offsets = (high - low) * np.geomspace(TABLE_CLOSEST, 0.5, TABLE_NODES_PER_END)
    nodes = np.unique(np.concatenate([[low], low + offsets, high - offsets, [high]]))
    values = neuron_type.rate_from_current(nodes)
    return PiecewisePolynomial.pchip(nodes, values, left=0.0, right=0.0)


class MIF2(MemristiveNeuronType):
    """MIF plus a memristor ``M2`` to the battery ``E_reset`` (Thurein 2022 eq. 1.6).

    .. math::

        C \\frac{dV}{dt} = I - \\frac{V - E_{rest}}{R_{M1}(x_1)}
            - g_{ref}(t)\\, \\frac{V - E_{reset}}{R_{M2}(x_2)}, \\qquad
        \\frac{1}{R_{M2}} = \\frac{x_2}{R_{on2}} + \\frac{1 - x_2}{R_{off2}}

    ``M1`` (to ``E_rest``) and everything outside the refractory period are
    exactly :class:`.MIF`: the spike at ``V_th``, the memristive discharge to
    ``V_reset``, and, between spikes, the thesis' eq. 1.5. The ``M2`` branch
    hyperpolarises *during the refractory period* (``g_ref = 1`` only then; the
    thesis: ``E_reset`` acts "during refractory time"): input and ``M1`` are
    disconnected as in MIF, and the membrane relaxes from ``V_reset`` toward
    ``E_reset < E_rest`` with conductance ``1 / R_M2``. ``M2`` is volatile:

    .. math::

        \\frac{dx_2}{dt} = -\\frac{x_2}{\\tau_{relax}}, \\qquad
        x_2 \\leftarrow x_2 + \\eta (1 - x_2) \\text{ at each spike}

    (each spike drives ``M2`` above its SET voltage briefly, switching a fraction
    ``eta`` of its OFF part ON). Under a step input ``x2`` builds up spike by
    spike, each refractory period ends further below ``V_reset`` and the
    inter-spike intervals grow (rate adaptation) until ``x2`` settles. The rate
    is never above MIF's with the same shared parameters: only the
    post-refractory voltage differs, and it is lower.

    ``J = 1`` is the rheobase exactly as in MIF (``M2`` does not conduct while the
    membrane charges). ``rates()`` returns the adapted steady state: the fixed
    point of the spike-to-spike map of ``x2`` (bisection, deterministic,
    ~1e-15), exact against the simulation. The step is exact for ``dt <=
    tau_ref``; for larger ``dt`` whole cycles inside one step use the period of
    the first. ``memristive=False`` keeps both memristors OFF (closed-form rate).

    Parameters
    ----------
    R_on : float
        ``M1`` ON resistance (ohm); below ``R_off``.
    R_off : float
        ``M1`` OFF resistance (ohm); thesis value 10 MOhm.
    C : float
        Membrane capacitance (F); thesis value 0.2 nF.
    E_rest : float
        Rest battery in series with ``M1`` (V).
    V_th : float
        Spike threshold (V): ``M1``'s SET voltage ``E_rest + V_th1``.
    V_reset : float
        Reset voltage (V): ``M1``'s RESET voltage ``E_rest + V_th2``.
    tau_ref : float
        Refractory period (s), during which ``M2`` hyperpolarises the membrane.
    E_reset : float
        Hyperpolarising battery of ``M2`` (V); below ``E_rest``.
    R_on2 : float
        ``M2`` ON resistance (ohm); below ``R_off2``.
    R_off2 : float
        ``M2`` OFF resistance (ohm).
    set_fraction : float
        ``eta`` in [0, 1]: fraction of ``M2``'s OFF part switched ON by a spike.
    tau_relax : float
        Relaxation time constant of ``M2`` back to OFF (s).
    memristive : bool
        ``False`` keeps both memristors OFF (``M1`` frozen at ``R_off``, instant
        reset; ``M2`` at ``R_off2``): no adaptation, closed-form rate.
    amplitude : float
        Scaling of each output spike (a spike is ``amplitude / dt``).
    dt : float
        Kept for the common interface; the rates do not depend on it.
    initial_state : {str: Distribution or array_like}
        Initial ``voltage`` (V; default uniform on ``[E_rest, V_th)``),
        ``memristor``, ``memristor2`` (0) and ``refractory_time`` (s, 0).

    Attributes
    ----------
    voltage : state
        Membrane potential ``V`` (V).
    memristor : state
        State ``x1`` of ``M1``: 0 OFF, 1 ON (as MIF's ``memristor``).
    memristor2 : state
        State ``x2`` in [0, 1] of ``M2``.
    refractory_time : state
        Remaining refractory time (s).

    References
    ----------
    .. [1] H. Thurein, MS thesis, UC Santa Cruz, 2022, eq. 1.6 and section 3.4.
    .. [2] S. M. Kang et al., IEEE TCAS-I 68(12), 2021 (MIF2: "a third refractory
       voltage level during hyperpolarization").
    """

    state = {
        "voltage": Uniform(low=0, high=1),
        "memristor": Choice([0]),
        "memristor2": Choice([0]),
        "refractory_time": Choice([0]),
    }
    state_class = MIF2State
    equation = staticmethod(mif2_step)
    rate_equation = staticmethod(mif2_rate)
    training_rate_equation = staticmethod(mif2_training_rate)

    E_reset = FiniteNumberParam("E_reset")
    R_on2 = FiniteNumberParam("R_on2", low=0, low_open=True)
    R_off2 = FiniteNumberParam("R_off2", low=0, low_open=True)
    set_fraction = FiniteNumberParam("set_fraction", low=0, high=1)
    tau_relax = FiniteNumberParam("tau_relax", low=0, low_open=True)

    def __init__(
        self,
        R_on=100e3,
        R_off=10e6,
        C=0.2e-9,
        E_rest=0.0,
        V_th=0.110,
        V_reset=0.005,
        tau_ref=0.001,
        E_reset=-0.110,
        R_on2=1e6,
        R_off2=100e6,
        set_fraction=0.02,
        tau_relax=0.1,
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
        self.E_reset = E_reset
        self.R_on2 = R_on2
        self.R_off2 = R_off2
        self.set_fraction = set_fraction
        self.tau_relax = tau_relax
        self._require(
            E_reset < E_rest, "E_reset",
            f"E_reset ({E_reset:g} V) must be below E_rest ({E_rest:g} V): M2 hyperpolarises",
        )
        self._require(
            R_on2 < R_off2, "R_on2", f"R_on2 ({R_on2:g} ohm) must be below R_off2 ({R_off2:g} ohm)"
        )

    def _m2_params(self):
        return dict(
            u_battery=(self.E_reset - self.E_rest) / (self.V_th - self.E_rest),
            rate_off2=1.0 / (self.R_off2 * self.C),
            rate_on2=1.0 / (self.R_on2 * self.C),
            set_fraction=self.set_fraction,
            tau_relax=self.tau_relax,
        )

    def rate_params(self, dt=None, n_neurons=None):
        return dict(self._base_params(), **self._m2_params())

    def training_rate_params(self, dt=None, n_neurons=None):
        """Rate training evaluates :func:`rate_table` (memristive; its exact derivative).

        Within ``1e-4`` relative (0.04 Hz) of :meth:`rates`, its slope within 0.5 %
        (tested); ``memristive=False``
        has a closed form and keeps it (``table=None``).
        """
        table = rate_table(self) if self.memristive else None
        return dict(self.rate_params(dt, n_neurons), table=table)

    def current_on_rising_branch(self, rates, J_peak):
        T = 1.0 / np.asarray(rates, dtype=float)
        m2 = self._m2_params()
        if not self.memristive:
            u_start = refractory_voltage(
                NUMPY_OPS, self._u_reset, 0.0, self.tau_ref, M2Parameters(**m2)
            )
            return 1.0 + (1.0 - u_start) / np.expm1((T - self.tau_ref) / self.tau_off)
        # on the periodic orbit of period T, x2 just after a spike is explicit
        eta = self.set_fraction
        x = eta / (1.0 - (1.0 - eta) * np.exp(-T / self.tau_relax))
        params = self.rate_params()

        def period_at(J):
            return mif2_period_at(NUMPY_OPS, J, x, **params)[0]

        return self._bisect_current(period_at, T, J_peak)
