"""Event-driven numpy step of MIF and MIF2 for Nengo core (same result, bit for bit).

:func:`nengo_snnext.equations.mif.hybrid_step` is written once for every backend:
each of its segments (single-phase stages, in a short step) evaluates for every
neuron and selects with ``where``, which TensorFlow needs. In a
typical step most neurons only charge below threshold, and for them the whole
step is one relaxation with the factor ``expm1(-dt / tau_off)``, the same for
all of them.

:func:`fast_hybrid_step` computes that relaxation for every neuron with one
scalar factor, finds the neurons where something may happen in the step
(refractory, ON, or within a margin of the threshold at its end), and runs the
event segments only for those, each phase group with only its own formulas
(the same functions of :mod:`nengo_snnext.equations.mif`, so the arithmetic is
the same). Segments of zero length are identities, so skipping a neuron whose
step has no event left gives the value the shared equation gives. In a short
step (:func:`~nengo_snnext.equations.mif.is_short_step`) the phase groups go in
passes of the phase cycle (:func:`_passes`): a neuron goes on into its next
phase in the same pass, so a typical step takes four numpy phase calls.
``tests/test_mif.py`` checks the two equal, bit for bit, for every parameter
corner, both dtypes and ``dt`` above and below ``tau_ref``. With numba installed
(the ``[numba]`` extra) float64 steps run the compiled kernel of
:mod:`.mif_numba` instead (:func:`hybrid_step_for`).
"""

import os
from functools import lru_cache

import numpy as np

from nengo_snnext.backends.compat import HAS_NUMBA
from nengo_snnext.equations.mif import (
    SHORT_STEP_SEGMENTS,
    M2Parameters,
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
from nengo_snnext.ops import NUMPY_OPS

if np.lib.NumpyVersion(np.__version__) < "1.25.0":
    # numpy < 1.25 dispatches ``np.where`` through Python (3 us a call); the same C function
    from numpy.core.multiarray import where as _where
else:  # pragma: no cover
    _where = np.where

xp = NUMPY_OPS._replace(where=_where)
"""The namespace of the phase functions: ``NUMPY_OPS`` with the C function of ``np.where``."""

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


def _decayed(x2, seg, tau_relax):
    """``x2 * exp(-seg / tau_relax)`` (the same arithmetic: ``seg / -tau`` is ``-seg / tau``),
    in the array ``seg``."""
    decay = np.exp(np.divide(seg, -tau_relax, out=seg), out=seg)
    return np.multiply(x2, decay, out=decay)


def _sel(a, mask):
    """``a[mask]`` by the indices of ``mask`` (numpy's boolean indexing is slower)."""
    return a[mask.nonzero()[0]]


def _or_huge(keep, huge, i):
    """``keep``, and the neurons ``i`` with a huge current (a superset is harmless)."""
    return keep if huge is None else keep | huge[i]


def _refractory(s, J, i, *, m2, decays_x2, after_ref, **_):
    """Refractory segment of the neurons ``i``; returns ``(phase, neurons)`` that may change
    further (here and below: the neurons that still have time, or an event due at once;
    a superset is harmless: a segment without time or event is an identity)."""
    ref, r = s.ref[i], s.r[i]
    seg = np.minimum(ref, r)
    ended = (ref <= r).nonzero()[0]
    s.ref[i] = np.subtract(ref, seg, out=ref)  # 0 where it ends (seg = ref)
    s.r[i] = np.subtract(r, seg, out=r)
    if m2 is not None:
        x2 = s.x2[i]
        s.u[i] = refractory_voltage(xp, s.u[i], x2, seg, m2)
        if decays_x2:
            s.x2[i] = _decayed(x2, seg, m2.tau_relax)
    if not ended.size:
        return []
    # ended: charge (or ON, as x says) next, all of them (those without time left and
    # without an event due at once have identity segments there, as in the shared equation)
    return after_ref(s, i if ended.size == i.size else i[ended])


def _discharge(s, J, i, *, tau_off, tau_on, u_reset, tau_ref, m2, decays_x2, huge, after_reset,
               **_):
    """ON-phase segment of the neurons ``i`` (M1 RESET at ``u_reset``); returns the rest."""
    u, Ji, r = s.u[i], J[i], s.r[i]
    rho = tau_on / tau_off
    t_event = discharge_time(xp, u, Ji, tau_on=tau_on, rho=rho, u_reset=u_reset)
    hit = t_event <= r
    seg = np.minimum(t_event, r, out=t_event)
    hits = hit.nonzero()[0]
    reset = i if hits.size == i.size else i[hits]
    s.u[reset] = u_reset
    s.x[reset] = 0.0
    s.ref[reset] = tau_ref
    s.r[i] = np.subtract(r, seg, out=r)
    # RESET: refractory with the time left (or none: identity segments there)
    moves = [(after_reset, reset)]
    if hits.size < i.size:
        # the relaxation only where no RESET replaces it (most ON neurons reset in the step);
        # still ON (no time left: seg = r): a RESET due at once (u <= u_reset)
        on = np.logical_not(hit, out=hit).nonzero()[0]
        u = relax(xp, u[on], rho * Ji[on], seg[on], tau_on)
        on = i[on]
        s.u[on] = u
        moves.append((ON, _sel(on, _or_huge(u <= u_reset, huge, on))))
    if decays_x2:
        s.x2[i] = _decayed(s.x2[i], seg, m2.tau_relax)
    return moves


def _charge(s, J, i, *, tau_off, u_reset, tau_ref, memristive, m2, decays_x2, huge, after_spike,
            spikes, **_):
    """Charge segment of the neurons ``i`` (spike at ``u = 1``); returns the rest."""
    u, Ji, r = s.u[i], J[i], s.r[i]
    t_event = charge_time(xp, u, Ji, tau_off=tau_off)
    spike = t_event <= r
    seg = np.minimum(t_event, r, out=t_event)
    u = s.u[i] = relax(xp, u, Ji, seg, tau_off)
    spikes_at = spike.nonzero()[0]
    fired = i[spikes_at]
    spikes.append(fired)
    s.r[i] = np.subtract(r, seg, out=r)
    if memristive:
        s.u[fired] = 1.0
        s.x[fired] = 1.0
        if decays_x2:
            x2 = _decayed(s.x2[i], seg, m2.tau_relax)
            x2[spikes_at] = m2_set(x2[spikes_at], m2.set_fraction)
            s.x2[i] = x2
    else:
        s.u[fired] = u_reset
        s.ref[fired] = tau_ref
    # spiked: ON or refractory (with the time left, or none: identity segments there);
    # not (no time left): a spike due at once
    again = np.greater_equal(u, 1.0)
    if huge is not None:
        again |= huge[i]
    again[spikes_at] = False
    return [(after_spike, fired), (CHARGE, _sel(i, again))]


def _memristor_phase(s, i):
    """After the refractory period: ON where M1 is still ON (a given state), else charge."""
    on = s.x[i] > 0.5
    return [(ON, _sel(i, on)), (CHARGE, _sel(i, ~on))] if on.any() else [(CHARGE, i)]


def _charge_phase(s, i):
    """After the refractory period of a frozen M1: charge."""
    return [(CHARGE, i)]


PHASE_SEGMENTS = {REF: _refractory, ON: _discharge, CHARGE: _charge}


def _phases(s, *, memristive):
    """The neurons of ``s`` by phase, as ``_segment`` selects."""
    in_ref = s.ref > 0.0
    if not memristive:
        return {REF: in_ref.nonzero()[0], CHARGE: (~in_ref).nonzero()[0]}
    in_on = s.x > 0.5
    in_on &= ~in_ref
    return {REF: in_ref.nonzero()[0], ON: in_on.nonzero()[0],
            CHARGE: (~(in_ref | in_on)).nonzero()[0]}


def _joined(arrays):
    """The index arrays of a list as one array."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _regroup(moves):
    """``{phase: neurons}`` from the ``(phase, neurons)`` pairs of a segment (None: done)."""
    lists = {}
    for phase, i in moves:
        if phase is not None and i.size:
            lists.setdefault(phase, []).append(i)
    return {phase: _joined(i) for phase, i in lists.items()}


def _segments(s, J, groups, n_segments, kernel):
    """``n_segments`` segments of the neurons in ``groups`` (``{phase: neurons}``), in place.

    Each neuron is advanced with its own phase's formulas to its next phase
    change or to the step end, as in :func:`~nengo_snnext.equations.mif._segment`
    (which evaluates every phase for every neuron and selects). A segment of
    zero length (no time left) is an identity except for a spike at ``u >= 1``
    or an M1 RESET at ``u <= u_reset``, which happen at once (and, for a huge
    ``|J|``, an event time that rounds to 0): each phase function returns the
    neurons that still have time or such an event (a superset is harmless) with
    the phase they enter, which is the phase ``_phases`` would find (a spike
    ends stage A: ``after_spike`` None).
    """
    for _ in range(n_segments):
        groups = _regroup([move for phase, i in groups.items() if i.size
                           for move in PHASE_SEGMENTS[phase](s, J, i, **kernel)])
        if not groups:
            break


CYCLE = (REF, CHARGE, ON)
"""Phase order of one pass of :func:`_passes`: the order a neuron's phases follow."""


def _passes(s, J, groups, n_passes, kernel):
    """At least ``n_passes`` segments of each neuron in ``groups``, in place (short steps).

    Each pass advances the neurons of each phase in :data:`CYCLE` order, and a
    neuron that enters a later phase of the cycle goes on in the same pass: the
    typical chain of a step (refractory end, charge, spike, ON discharge, RESET)
    takes one pass and the refractory rest after a RESET a second, where
    :func:`_segments` makes one call per segment and phase. When :func:`is_short_step`
    holds, segments beyond :data:`SHORT_STEP_SEGMENTS` are identities, so the
    extra ones change nothing.
    """
    pending = {phase: [i] for phase, i in groups.items() if i.size}
    for _ in range(n_passes):
        for phase in CYCLE:
            if phase not in pending:
                continue
            for entered, j in PHASE_SEGMENTS[phase](s, J, _joined(pending.pop(phase)), **kernel):
                if entered is not None and j.size:
                    pending.setdefault(entered, []).append(j)
        if not pending:
            break


def _spike_count(spikes, n, dtype):
    """Spikes per neuron from the index arrays of the neurons that fired, one per event."""
    if not spikes:
        return np.zeros(n, dtype=dtype)
    return np.bincount(_joined(spikes), minlength=n).astype(dtype)


def _array_constants(params, dtype):
    """``params`` with its numbers as read-only 1-element arrays of ``dtype`` (float64 only).

    numpy (< 2) spends about 1.5 us more on an operation with a Python number than
    with an array of the operand's dtype; in float64 the arithmetic is the same,
    bit for bit (float32 keeps Python numbers: derived constants such as
    ``tau_on / tau_off`` are computed in double precision there).
    """
    if dtype != np.float64:
        return params

    def const(v):
        a = np.full(1, v, dtype=dtype)
        a.flags.writeable = False
        return a

    out = {k: const(v) if k in ("tau_off", "tau_on", "u_reset", "tau_ref") else v
           for k, v in params.items()}
    if params["m2"] is not None:
        out["m2"] = M2Parameters(*(const(v) for v in params["m2"]))
    return out


@lru_cache(maxsize=64)
def _cached_step_constants(dtype, dt, tau_off, tau_on, u_reset, tau_ref, memristive, m2):
    return _step_constants(dtype, dt, tau_off, tau_on, u_reset, tau_ref, memristive, m2)


def _step_constants(dtype, dt, tau_off, tau_on, u_reset, tau_ref, memristive, m2):
    """What a step computes from its parameters only: whether it is short, the
    rounding allowance, the quiet neurons' factors and the phase functions' parameters."""
    params = dict(tau_off=tau_off, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
                  memristive=memristive, m2=m2)
    step = np.full(1, dt, dtype=dtype)
    charge = np.expm1(-step / tau_off)
    x2_decay = np.exp(-step / m2.tau_relax) if m2 is not None and memristive else None
    for a in (charge, x2_decay):
        if a is not None:
            a.flags.writeable = False
    return dict(
        short=is_short_step(dt, tau_on=tau_on, u_reset=u_reset, tau_ref=tau_ref,
                            memristive=memristive),
        tol=ROUNDING_ULPS * float(np.finfo(dtype).eps) * (1.0 + dt / tau_off),
        charge=charge, x2_decay=x2_decay, params=params,
        kernel_params=_array_constants(params, dtype),
    )


def _constants_for(dtype, dt, tau_off, tau_on, u_reset, tau_ref, memristive, m2):
    """:func:`_step_constants`, cached for hashable parameters (Python numbers)."""
    args = (dtype, dt, tau_off, tau_on, u_reset, tau_ref, memristive, m2)
    try:
        return _cached_step_constants(*args)
    except TypeError:  # unhashable (arrays)
        return _step_constants(*args)


def _event_step(dt, J, s, *, params, kernel_params, short):
    """The segment schedule of :func:`~nengo_snnext.equations.mif.hybrid_step`, in place."""
    memristive, m2, n = params["memristive"], params["m2"], s.u.size
    huge = np.abs(J) >= LARGE_CURRENT
    refractory = REF if s.u.dtype.type(params["tau_ref"]) > 0.0 else CHARGE
    kernel = dict(
        kernel_params, decays_x2=m2 is not None and memristive,
        huge=huge if huge.any() else None,
        after_ref=_memristor_phase if memristive else _charge_phase, after_reset=refractory,
        after_spike=ON if memristive else refractory,
    )
    if short:
        kernel["spikes"] = []
        _passes(s, J, _phases(s, memristive=memristive), SHORT_STEP_SEGMENTS, kernel)
        return s._replace(count=_spike_count(kernel["spikes"], n, s.u.dtype))
    stage_a = dict(kernel, after_spike=None, spikes=[])
    _segments(s, J, _phases(s, memristive=memristive), STAGE_SEGMENTS, stage_a)
    count = _spike_count(stage_a["spikes"], n, s.u.dtype)
    s = _fast_forward(xp, J, s._replace(count=count, spiked=count > 0.0), **params)
    # new arrays from the shared function; copies, because the segments write in place
    s = s._replace(u=np.array(s.u), x2=None if m2 is None else np.array(s.x2), r=np.array(s.r))
    kernel["spikes"] = []
    _segments(s, J, _phases(s, memristive=memristive), STAGE_SEGMENTS, kernel)
    return s._replace(count=s.count + _spike_count(kernel["spikes"], n, s.u.dtype))


def _event_neurons(u, u_quiet, drive, ref, x, tol):
    """The neurons that may have an event in the step (see :data:`ROUNDING_ULPS`):
    near threshold, refractory or (``x`` not None) ON. Overwrites ``drive``."""
    bound = np.abs(u)
    bound += np.abs(drive, out=drive)
    bound *= tol
    bound += np.maximum(u, u_quiet, out=drive)  # a membrane at threshold fires at once
    event = np.greater_equal(bound, 1.0 - tol)
    if x is None:
        event |= ref > 0.0
    else:  # refractory or ON (a superset of ref > 0 or x > 0.5)
        event |= np.maximum(ref, x, out=drive) > 0.0
    return event.nonzero()[0]


def fast_hybrid_step(
    xp_, dt, J, u, x, ref, x2, *, tau_off, tau_on, u_reset, tau_ref, memristive, m2
):
    """:func:`~nengo_snnext.equations.mif.hybrid_step` for numpy arrays, event-driven.

    Same arguments (``xp_`` must be numpy's) and the same ``count``, ``u``,
    ``x``, ``ref`` and ``x2``, bit for bit, for finite ``J``; ``r`` and
    ``spiked`` of the returned ``_Phase`` are None (internal to the step).
    """
    if xp_ is not NUMPY_OPS:
        raise TypeError(f"fast_hybrid_step computes with numpy only, not {xp_.name}")
    if np.ndim(u) != 1:  # the neurons in one dimension (the index arrays below)
        shape = np.shape(u)
        flat = [None if a is None else np.ravel(a) for a in (J, u, x, ref, x2)]
        s = fast_hybrid_step(xp_, dt, *flat, tau_off=tau_off, tau_on=tau_on, u_reset=u_reset,
                             tau_ref=tau_ref, memristive=memristive, m2=m2)
        return s._replace(**{name: None if getattr(s, name) is None else
                             getattr(s, name).reshape(shape)
                             for name in ("u", "x", "ref", "x2", "count")})
    dtype = u.dtype
    c = _constants_for(dtype, dt, tau_off, tau_on, u_reset, tau_ref, memristive, m2)
    # the quiet neurons: one charge segment of the whole step (relax with seg = dt)
    drive = np.subtract(J, u)
    u_quiet = np.multiply(drive, c["charge"])
    np.subtract(u, u_quiet, out=u_quiet)
    i = _event_neurons(u, u_quiet, drive, ref, x if memristive else None, c["tol"])

    x_out = x.copy()
    ref_out = ref.copy()
    if m2 is None:
        x2_out = x2  # unchanged, and unused by the phase functions
    elif c["x2_decay"] is None:
        x2_out = x2.copy()
    else:
        x2_out = np.multiply(x2, c["x2_decay"])
    count = np.zeros_like(u)
    if i.size:
        s = _Phase(
            u=u[i], x=x[i], ref=ref[i], x2=None if m2 is None else x2[i],
            r=np.full(i.size, dt, dtype=dtype),
            count=None, spiked=None,
        )
        s = _event_step(dt, J[i], s, params=c["params"], kernel_params=c["kernel_params"],
                        short=c["short"])
        u_quiet[i] = s.u
        x_out[i] = s.x
        ref_out[i] = s.ref
        if m2 is not None:
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

