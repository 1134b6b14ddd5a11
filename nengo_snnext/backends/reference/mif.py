"""Event-driven numpy step of MIF and MIF2 for Nengo core (same result, bit for bit).

:func:`nengo_snnext.equations.mif.hybrid_step` is written once for every backend:
each of its segments evaluates every phase (charge, ON discharge, refractory)
for every neuron and selects with ``where``, which TensorFlow needs. In a
typical step most neurons only charge below threshold, and for them the whole
step is one relaxation with the factor ``expm1(-dt / tau_off)``, the same for
all of them.

:func:`fast_hybrid_step` computes that relaxation for every neuron with one
scalar factor, finds the few neurons where something may happen in the step
(refractory, ON, or within a margin of the threshold at its end), and runs the
event segments only for those, each phase group with only its own formulas
(the same functions of :mod:`nengo_snnext.equations.mif`, so the arithmetic is
the same). Segments of zero length are identities, so skipping a neuron whose
step has no event left gives the value the shared equation gives.
``tests/test_mif.py`` checks the two equal, bit for bit, for every parameter
corner, both dtypes and ``dt`` above and below ``tau_ref``. With numba installed
(the ``[numba]`` extra) float64 steps run the compiled kernel of
:mod:`.mif_numba` instead (:func:`hybrid_step_for`).
"""

import os

import numpy as np

from nengo_snnext.backends.compat import HAS_NUMBA
from nengo_snnext.equations.mif import (
    SHORT_STEP_SEGMENTS,
    STAGE_SEGMENTS,
    _fast_forward,
    _Phase,
    charge_time,
    discharge_time,
    is_short_step,
    m2_set,
    refractory_voltage,
    relax,
)
from nengo_snnext.ops import NUMPY_OPS as xp

ROUNDING_ULPS = 64
"""Rounding allowance, in units of the dtype's epsilon, when sorting out the quiet neurons.

A neuron whose membrane ``u`` and step-end membrane ``u_end`` (one charge
segment of length ``dt``) satisfy ``max(u, u_end) < 1 - tol (1 + |u| + |J - u|)``,
with ``tol = ROUNDING_ULPS eps (1 + dt / tau_off)``, has a computed threshold time
above ``dt`` and no event in the step: both are within a few ``eps`` of the exact
values, scaled by the magnitudes that enter them and by the slope ``|J - u| / tau_off``.
"""

LARGE_CURRENT = 1e6
"""Above this current (rheobase units) an idle charging neuron is still evaluated.

``tau_off log1p((1 - u) / (J - 1))`` could round to 0 for an astronomically large
``J`` and so fire at zero length; below it that time is positive.
"""


REF, ON, CHARGE = "ref", "on", "charge"


def _refractory(s, J, i, *, tau_ref, u_reset, m2, decays_x2, huge, **_):
    """Refractory segment of the neurons ``i``; returns those that may change further."""
    ref, r = s.ref[i], s.r[i]
    seg = np.minimum(ref, r)
    hit = ref <= r
    u = s.u[i]
    if m2 is not None:
        u = s.u[i] = refractory_voltage(xp, u, s.x2[i], seg, m2)
    s.ref[i] = np.where(hit, 0.0, ref - seg)
    if decays_x2:
        s.x2[i] = s.x2[i] * np.exp(-seg / m2.tau_relax)
    r = s.r[i] = r - seg
    # ended: charge (or ON, as x says) next, also at r = 0 if an event is due at once
    return i[hit & ((r > 0.0) | huge[i] | (u >= 1.0) | (u <= u_reset))]


def _discharge(s, J, i, *, tau_off, tau_on, u_reset, tau_ref, m2, decays_x2, huge, **_):
    """ON-phase segment of the neurons ``i`` (M1 RESET at ``u_reset``); returns the rest."""
    u, Ji, r = s.u[i], J[i], s.r[i]
    rho = tau_on / tau_off
    t_event = discharge_time(xp, u, Ji, tau_on=tau_on, rho=rho, u_reset=u_reset)
    seg = np.minimum(t_event, r)
    hit = t_event <= r
    u = relax(xp, u, rho * Ji, seg, tau_on + 0.0 * Ji)
    s.u[i] = np.where(hit, u_reset, u)
    s.x[i] = np.where(hit, 0.0, s.x[i])
    s.ref[i] = np.where(hit, tau_ref, s.ref[i])
    if decays_x2:
        s.x2[i] = s.x2[i] * np.exp(-seg / m2.tau_relax)
    r = s.r[i] = r - seg
    # RESET: refractory with the time left; still ON: a RESET due at once (u <= u_reset)
    return i[(r > 0.0) | huge[i] | (~hit & (u <= u_reset))]


def _charge(s, J, i, *, tau_off, u_reset, tau_ref, memristive, m2, decays_x2, huge, **_):
    """Charge segment of the neurons ``i`` (spike at ``u = 1``); returns the rest."""
    u, Ji, r = s.u[i], J[i], s.r[i]
    t_event = charge_time(xp, u, Ji, tau_off=tau_off)
    seg = np.minimum(t_event, r)
    spike = t_event <= r
    u = relax(xp, u, Ji, seg, tau_off + 0.0 * Ji if memristive else tau_off)
    if memristive:
        s.u[i] = np.where(spike, 1.0, u)
        s.x[i] = np.where(spike, 1.0, s.x[i])
        if decays_x2:
            x2 = s.x2[i] * np.exp(-seg / m2.tau_relax)
            s.x2[i] = np.where(spike, m2_set(x2, m2.set_fraction), x2)
    else:
        s.u[i] = np.where(spike, u_reset, u)
        s.ref[i] = np.where(spike, tau_ref, s.ref[i])
    r = s.r[i] = r - seg
    s.count[i] += spike
    s.spiked[i] |= spike
    # spiked: ON or refractory with the time left; not: a spike due at once (u >= 1)
    return i[(r > 0.0) | huge[i] | (~spike & (u >= 1.0))]


PHASE_SEGMENTS = {REF: _refractory, ON: _discharge, CHARGE: _charge}


def _phases(s, i, *, memristive):
    """The neurons ``i`` by phase, as ``_segment`` selects."""
    in_ref = s.ref[i] > 0.0
    if not memristive:
        return {REF: i[in_ref], ON: i[:0], CHARGE: i[~in_ref]}
    in_on = (~in_ref) & (s.x[i] > 0.5)
    return {REF: i[in_ref], ON: i[in_on], CHARGE: i[~(in_ref | in_on)]}


def _segments(s, J, i, n_segments, *, stage_a, params):
    """``n_segments`` segments of the neurons ``i``, in place.

    Each neuron is advanced with its own phase's formulas to its next phase
    change or to the step end, as in :func:`~nengo_snnext.equations.mif._segment`
    (which evaluates every phase for every neuron and selects). A segment of
    zero length (no time left) is an identity except for a spike at ``u >= 1``
    or an M1 RESET at ``u <= u_reset``, which happen at once (and, for a huge
    ``|J|``, an event time that rounds to 0): each phase function returns the
    neurons that still have time or such an event (a superset is harmless), and
    only those go on; in ``stage_a``, only those that have not spiked.
    """
    for _ in range(n_segments):
        if stage_a:
            i = i[~s.spiked[i]]
        if not i.size:
            break
        groups = _phases(s, i, memristive=params["memristive"])
        i = np.concatenate([PHASE_SEGMENTS[phase](s, J, g, **params)
                            for phase, g in groups.items() if g.size])


def _event_step(dt, J, s, *, params, short):
    """The segment schedule of :func:`~nengo_snnext.equations.mif.hybrid_step`, in place."""
    kernel = dict(params, decays_x2=params["m2"] is not None and params["memristive"],
                  huge=np.abs(J) >= LARGE_CURRENT)
    everyone = np.arange(s.u.size)
    if short:
        _segments(s, J, everyone, SHORT_STEP_SEGMENTS, stage_a=False, params=kernel)
        return s
    _segments(s, J, everyone, STAGE_SEGMENTS, stage_a=True, params=kernel)
    s = _fast_forward(xp, J, s, **params)
    # new arrays from the shared function; copies, because the segments write in place
    s = s._replace(u=np.array(s.u), x2=np.array(s.x2), r=np.array(s.r), count=np.array(s.count))
    _segments(s, J, everyone, STAGE_SEGMENTS, stage_a=False, params=kernel)
    return s


def fast_hybrid_step(
    xp_, dt, J, u, x, ref, x2, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2
):
    """:func:`~nengo_snnext.equations.mif.hybrid_step` for numpy arrays, event-driven.

    Same arguments (``xp_`` must be numpy's) and the same ``count``, ``u``,
    ``x``, ``ref`` and ``x2``, bit for bit, for finite ``J``; ``r`` and
    ``spiked`` of the returned ``_Phase`` are None (internal to the step).
    """
    if xp_ is not xp:
        raise TypeError(f"fast_hybrid_step computes with numpy only, not {xp_.name}")
    dtype = u.dtype
    params = dict(
        tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
        memristive=memristive, m2=m2,
    )
    step = np.full(1, dt, dtype=dtype)
    # the quiet neurons: one charge segment of the whole step (relax with seg = dt)
    drive = J - u
    u_quiet = u - drive * np.expm1(-step / tau_off)
    tol = ROUNDING_ULPS * float(np.finfo(dtype).eps) * (1.0 + dt / tau_off)
    bound = np.abs(u)
    bound += np.abs(drive, out=drive)
    bound *= tol
    bound += np.maximum(u, u_quiet)  # a membrane at threshold fires at once
    event = (bound >= 1.0 - tol) | (ref > 0.0)
    if memristive:
        event |= x > 0.5
    i = np.flatnonzero(event)

    x_out = x.copy()
    ref_out = ref.copy()
    x2_out = x2 * np.exp(-step / m2.tau_relax) if m2 is not None and memristive else x2.copy()
    count = np.zeros_like(u)
    if i.size:
        s = _Phase(
            u=u[i], x=x[i], ref=ref[i], x2=x2[i], r=np.full(i.size, dt, dtype=dtype),
            count=np.zeros(i.size, dtype=dtype), spiked=np.zeros(i.size, dtype=bool),
        )
        short = is_short_step(
            dt, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref, memristive=memristive
        )
        s = _event_step(dt, J[i], s, params=params, short=short)
        u_quiet[i] = s.u
        x_out[i] = s.x
        ref_out[i] = s.ref
        x2_out[i] = s.x2
        count[i] = s.count
    return _Phase(u=u_quiet, x=x_out, ref=ref_out, x2=x2_out, r=None, count=count, spiked=None)


def numba_enabled():
    """Whether :func:`hybrid_step_for` picks numba: installed, and not switched off
    by the environment variable ``NENGO_SNNEXT_NUMBA=0``."""
    return HAS_NUMBA and os.environ.get("NENGO_SNNEXT_NUMBA", "1") != "0"


def hybrid_step_for(dtype):
    """The fastest exact numpy-side hybrid step for arrays of ``dtype``.

    The numba kernel (float64, when :func:`numba_enabled`), else
    :func:`fast_hybrid_step`; both equal the shared equation.
    """
    if dtype == np.float64 and numba_enabled():
        from nengo_snnext.backends.reference.mif_numba import numba_hybrid_step

        return numba_hybrid_step
    return fast_hybrid_step

