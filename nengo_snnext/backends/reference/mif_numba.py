"""Optional numba kernel of the MIF/MIF2 step (``pip install nengo-snnext[numba]``).

One neuron at a time, the segment schedule of
:func:`nengo_snnext.equations.mif.hybrid_step` with the formulas of
:mod:`nengo_snnext.equations.mif` written for scalars, in the same order of
operations, so that the result equals the numpy step bit for bit wherever numpy
and numba call the same libm (``tests/test_mif_numba.py`` checks the two equal
on the machine that runs the tests, to 4 ulp elsewhere). float64 only: numba
promotes float32 arithmetic with Python constants, numpy does not.

Imported only when numba is installed (:data:`nengo_snnext.backends.compat.HAS_NUMBA`).
"""

import math

import numba
import numpy as np

from nengo_snnext.backends.reference.mif import LARGE_CURRENT, ROUNDING_ULPS
from nengo_snnext.equations.mif import NEVER, SHORT_STEP_SEGMENTS, STAGE_SEGMENTS, _Phase

EPS64 = float(np.finfo(np.float64).eps)


@numba.njit(cache=True)
def _charge_time(u, J, tau_off):
    if u >= 1.0:
        return 0.0
    if J > 1.0 and u < 1.0:
        return tau_off * math.log1p((1.0 - u) / (J - 1.0))
    return NEVER


@numba.njit(cache=True)
def _discharge_time(u, J, tau_on, rho, u_reset):
    if u <= u_reset:
        return 0.0
    target = rho * J
    if target < u_reset and u > u_reset:
        return tau_on * math.log1p((u - u_reset) / (u_reset - target))
    return NEVER


@numba.njit(cache=True)
def _relax(u, target, t, tau):
    return u - (target - u) * math.expm1(-t / tau)


@numba.njit(cache=True)
def _refractory_voltage(u, x2, t, m2):
    u_battery, rate_off2, rate_on2, _, tau_relax = m2
    decayed = -math.expm1(-t / tau_relax)
    exposure = rate_off2 * t + (rate_on2 - rate_off2) * x2 * tau_relax * decayed
    return u - (u_battery - u) * math.expm1(-exposure)


@numba.njit(cache=True)
def _below_threshold(u, u_end, J, tol):
    """Whether a charge segment from ``u`` to ``u_end`` surely stays below threshold
    (the test of the quiet neurons, :data:`~.mif.ROUNDING_ULPS`)."""
    return max(u, u_end) + tol * (abs(u) + abs(J - u)) < 1.0 - tol and J < LARGE_CURRENT


@numba.njit(cache=True)
def _segment(J, s, active, tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2, tol):
    """One segment of one neuron; ``s = [u, x, ref, x2, r, count, spiked]`` in place."""
    u, x, ref, x2, r = s[0], s[1], s[2], s[3], s[4]
    rho = tau_on / tau_off
    in_ref = ref > 0.0
    in_on = memristive and (not in_ref) and x > 0.5
    in_charge = (not in_ref) and (not in_on)
    if not active:
        return  # a segment of length 0 without events: an identity
    if r <= 0.0:  # the same identities as fast_hybrid_step skips (see reference.mif)
        if in_ref:
            return
        if in_charge and u < 1.0 and J < LARGE_CURRENT:
            return
        if in_on and u > u_reset and abs(J) < LARGE_CURRENT:
            return
    if in_ref:
        t_event = ref
    elif in_on:
        t_event = _discharge_time(u, J, tau_on, rho, u_reset)
    else:
        # the charge to the segment end first: where it surely stays below threshold
        # (mostly after a refractory end), the threshold time (a log1p) is not needed
        u_end = _relax(u, J, r, tau_off)
        if _below_threshold(u, u_end, J, tol):
            if has_m2 and memristive:
                s[3] = x2 * math.exp(-r / m2[4])
            s[0], s[4] = u_end, 0.0
            return
        t_event = _charge_time(u, J, tau_off)
    hit = t_event <= r
    seg = min(t_event, r)
    # the relaxation is only needed where no event replaces its value
    if in_ref:
        u_new = _refractory_voltage(u, x2, seg, m2) if has_m2 else u
        ref_new = 0.0 if hit else ref - seg
    elif hit and (in_on or memristive):  # M1 RESET (u_reset) or a spike (u = 1)
        u_new = u
        ref_new = ref
    elif in_on:
        u_new = _relax(u, rho * J, seg, tau_on + 0.0 * J)
        ref_new = ref
    elif hit:  # frozen spike: u_reset below
        u_new = u
        ref_new = ref
    else:
        u_new = _relax(u, J, seg, tau_off)
        ref_new = ref
    x2_new = x2
    if has_m2 and memristive:
        x2_new = x2 * math.exp(-seg / m2[4])
    spike = hit and in_charge
    x_new = x
    if memristive:
        switch_off = hit and in_on
        if switch_off:
            u_new = u_reset
            x_new = 0.0
            ref_new = tau_ref
        if spike:
            u_new = 1.0
            x_new = 1.0
            if has_m2:
                x2_new = x2_new + m2[3] * (1.0 - x2_new)
    elif spike:
        u_new = u_reset
        ref_new = tau_ref
    s[0], s[1], s[2], s[3], s[4] = u_new, x_new, ref_new, x2_new, r - seg
    if spike:
        s[5] += 1.0
        s[6] = 1.0


@numba.njit(cache=True)
def _cycle_period(J, x2_after_spike, tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2):
    rho = tau_on / tau_off
    one = 1.0 + 0.0 * J
    t_on = _discharge_time(one, J, tau_on, rho, u_reset) if memristive else 0.0 * J
    u_start = u_reset * one
    if has_m2:
        x2 = x2_after_spike
        if memristive:
            x2 = x2 * math.exp(-t_on / m2[4])
        u_start = _refractory_voltage(u_start, x2, tau_ref + 0.0 * J, m2)
    T = t_on + tau_ref + _charge_time(u_start, J, tau_off)
    return T, T < 0.5 * NEVER


@numba.njit(cache=True)
def _fast_forward(J, s, tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2):
    T, fires = _cycle_period(J, s[3], tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2)
    anchored = s[6] > 0.5 and fires and s[4] > 0.0
    T_safe = T if anchored else 1.0
    n = math.floor(s[4] / T_safe) if anchored else 0.0
    s[4] = max(s[4] - n * T_safe, 0.0)
    if has_m2 and memristive:
        eta = m2[3]
        a = (1.0 - eta) * math.exp(-T_safe / m2[4])
        a_n = math.exp(n * math.log(max(a, 1e-30 + 0.0 * a)))
        one_minus_a = 1.0 - a
        geometric = (1.0 - a_n) / one_minus_a if one_minus_a > 1e-12 else n
        if anchored:
            s[3] = a_n * s[3] + eta * geometric
    s[5] += n


@numba.njit(cache=True)
def _hybrid_kernel(dt, J, u, x, ref, x2, out, tau_off, tau_on, u_reset, tau_ref, memristive,
                   has_m2, m2, short):
    s = np.empty(7)
    decay = math.expm1(-dt / tau_off)  # the quiet neurons' charge segment, seg = dt
    decay_x2 = math.exp(-dt / m2[4])
    tol = ROUNDING_ULPS * EPS64 * (1.0 + dt / tau_off)
    for k in range(J.size):
        if ref[k] <= 0.0 and not (memristive and x[k] > 0.5):
            drive = J[k] - u[k]
            u_end = u[k] - drive * decay
            if max(u[k], u_end) + tol * (abs(u[k]) + abs(drive)) < 1.0 - tol:
                out[0, k], out[1, k], out[2, k], out[4, k] = u_end, x[k], ref[k], 0.0
                out[3, k] = x2[k] * decay_x2 if has_m2 and memristive else x2[k]
                continue
        s[0], s[1], s[2], s[3], s[4], s[5], s[6] = u[k], x[k], ref[k], x2[k], dt, 0.0, 0.0
        if short:
            for _ in range(SHORT_STEP_SEGMENTS):
                _segment(J[k], s, True, tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2,
                         tol)
        else:
            for _ in range(STAGE_SEGMENTS):
                _segment(J[k], s, s[6] < 0.5, tau_off, tau_on, u_reset, tau_ref, memristive,
                         has_m2, m2, tol)
            _fast_forward(J[k], s, tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2)
            for _ in range(STAGE_SEGMENTS):
                _segment(J[k], s, True, tau_off, tau_on, u_reset, tau_ref, memristive, has_m2, m2,
                         tol)
        for j in range(5):
            out[j, k] = s[j if j < 4 else 5]


def _flat_float64(a, shape):
    """``a`` broadcast to ``shape`` as a flat contiguous float64 array (no copy if it is one)."""
    if isinstance(a, np.ndarray) and a.shape == shape and a.dtype == np.float64 \
            and a.flags.c_contiguous:
        return a.ravel()
    return np.ascontiguousarray(np.broadcast_to(a, shape), dtype=np.float64).ravel()


def numba_hybrid_step(xp_, dt, J, u, x, ref, x2, *, tau_off, tau_on, u_reset, tau_ref,
                      memristive, m2):
    """:func:`~nengo_snnext.equations.mif.hybrid_step` compiled by numba (float64 arrays).

    Returns a ``_Phase`` with ``count``, ``u``, ``x``, ``ref`` and ``x2`` (``r``
    and ``spiked`` None), as :func:`.fast_hybrid_step`.
    """
    from nengo_snnext.equations.mif import is_short_step

    short = is_short_step(dt, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
                          memristive=memristive)
    has_m2 = m2 is not None
    m2_values = tuple(float(v) for v in m2) if has_m2 else (0.0, 0.0, 0.0, 0.0, 1.0)
    arrays = [_flat_float64(a, np.shape(J)) for a in (J, u, x, ref, x2)]
    out = np.empty((5, arrays[0].size))
    _hybrid_kernel(float(dt), *arrays, out, float(tau_off), float(tau_on), float(u_reset),
                   float(tau_ref), bool(memristive), has_m2, m2_values, short)
    shape = np.shape(J)
    u, x, ref, x2, count = (row.reshape(shape) for row in out)
    return _Phase(u=u, x=x, ref=ref, x2=x2, r=None, count=count, spiked=None)


@numba.njit(cache=True)
def _volt_step(dt, J, V, x1, ref, x2, output, scale, e_rest, delta_v, tau_off, tau_on, u_reset,
               tau_ref, memristive, has_m2, m2, short):
    """:func:`~nengo_snnext.equations.mif.mif_step` / ``mif2_step`` and Nengo's writes of
    :meth:`~.SpikingNeuronType.step`, in place, in one call; False (nothing written) if
    a current is not finite."""
    n = J.size
    finite = 0
    for k in range(n):  # branch-free (vectorised): x - x is 0 for finite x, else NaN
        finite += (J[k] - J[k]) == 0.0
    if finite < n:
        return False
    u = np.empty(n)
    x = np.empty(n)
    x2_in = np.empty(n)
    for k in range(n):  # the conversions of mif_step and mif2_step, per element
        u[k] = (V[k] - e_rest) / delta_v
        x[k] = x1[k] if memristive else 0.0 * x1[k]
        if has_m2:
            x2_in[k] = x2[k] if memristive else 0.0 * x1[k]
        else:
            x2_in[k] = 0.0 * u[k]
    out = np.empty((5, n))
    _hybrid_kernel(dt, J, u, x, ref, x2_in, out, tau_off, tau_on, u_reset, tau_ref, memristive,
                   has_m2, m2, short)
    for k in range(n):
        V[k] = e_rest + delta_v * out[0, k]
        x1[k] = out[1, k]
        ref[k] = out[2, k]
        if has_m2:
            x2[k] = out[3, k]
        output[k] = out[4, k] * scale
    return True


def _is_float64_vector(a, n):
    return (type(a) is np.ndarray and a.dtype == np.float64 and a.shape == (n,)
            and a.flags.c_contiguous)


def numba_volt_args(dt, *, scale, e_rest, delta_v, tau_off, tau_on, u_reset, tau_ref, memristive,
                    m2):
    """The scalar arguments of :func:`numba_volt_step` (a step's parameters: cache them)."""
    from nengo_snnext.equations.mif import is_short_step

    short = is_short_step(dt, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
                          memristive=memristive)
    m2_values = tuple(float(v) for v in m2) if m2 is not None else (0.0, 0.0, 0.0, 0.0, 1.0)
    return (float(dt), float(scale), float(e_rest), float(delta_v), float(tau_off),
            float(tau_on), float(u_reset), float(tau_ref), bool(memristive), m2 is not None,
            m2_values, short)


def numba_volt_step(J, output, state, args):
    """One Nengo step of MIF or MIF2 in place, as :meth:`~.SpikingNeuronType.step` makes
    it with :func:`numba_hybrid_step`; ``args`` from :func:`numba_volt_args`.

    ``state`` holds ``voltage``, ``memristor``, ``refractory_time`` (and, for MIF2,
    ``memristor2``); ``output`` gets the spike count times ``scale``. Returns None
    where it does not apply (arrays not 1-D contiguous float64), False where a current
    is not finite (nothing written), True when done.
    """
    has_m2 = args[9]
    V, x1, ref = state["voltage"], state["memristor"], state["refractory_time"]
    x2 = state["memristor2"] if has_m2 else V  # unused without M2
    n = J.shape[0] if type(J) is np.ndarray and J.ndim == 1 else -1
    if n < 0 or not (_is_float64_vector(J, n) and _is_float64_vector(output, n)
                     and _is_float64_vector(V, n) and _is_float64_vector(x1, n)
                     and _is_float64_vector(ref, n) and _is_float64_vector(x2, n)):
        return None
    dt, *rest = args
    return _volt_step(dt, J, V, x1, ref, x2, output, *rest)
