"""Exact stationary rates of stochastic neurons with a hard reset (numpy only).

Every stochastic neuron of the package is, for a constant input, a Markov chain
on its membrane ``y`` that restarts at ``y = 0`` after each spike, so its spike
train is a renewal process and its stationary rate is ``1 / E[T]`` with ``T``
the number of steps from a reset to the next spike. One step of the chain is

.. math::

    x = a y + b + \\xi, \\qquad P = f(x), \\qquad
    \\text{spike if } P > V_{th} \\text{ (then } y = 0\\text{), else } y = P,

with ``xi`` the noise and ``f`` the V-shaped function of eq. 3.13 (slope ``s``
below zero; ``s = 1`` is the identity). :func:`renewal_chain` discretises ``y``
into ``n_cells`` cells plus an atom at the reset value 0 (finite volumes: the
mass in a cell is spread uniformly over it, and the transition probabilities
are integrated exactly with the antiderivative of the noise CDF) and solves the
first-passage equations ``(I - Q) m = 1`` exactly. The error is below 1e-4 in
probability per step with the default sizes (checked against simulations in the
tests).

:class:`RateCurve` tabulates such a rate over the input current once per
parameter set (cached), so that ``rates()`` of a 10,000-neuron ensemble is an
interpolation.
"""

from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from nengo_snnext.equations.tabulated import PiecewisePolynomial, evaluate
from nengo_snnext.ops import NUMPY_OPS

DEFAULT_CELLS = 64
_CHUNK = 128  # chains solved at once (bounds the memory of the transition tensors)
_KILL = 1e-13


def _source_average(z, *, a, b, edges, cdf, cdf_integral):
    """``P(a y + b + xi <= z)`` averaged over each source state.

    ``z``: (K, Z). Sources: the atom ``y = 0`` and each cell of ``edges`` (K, M+1)
    with ``y`` uniform on it. Returns (K, M+1, Z).
    """
    zb = z[:, None, :] - b[:, None, None]
    atom = cdf(zb)
    width = a[:, None, None] * np.diff(edges, axis=1)[:, :, None]
    wide = width > 1e-12
    if np.all(wide):
        # int F(z - b - a y) dy over the cell, with the integral shared by neighbours
        integral = cdf_integral(zb - a[:, None, None] * edges[:, :, None])
        cells = (integral[:, :-1] - integral[:, 1:]) / width
    else:  # no leak (a = 0) or a degenerate cell: the midpoint is exact enough
        middle = 0.5 * (edges[:, :-1] + edges[:, 1:])
        cells = cdf(zb - a[:, None, None] * middle[:, :, None])
    return np.concatenate([atom, cells], axis=1)


def _chunk_chain(
    a, b, lo, hi, *, threshold, negative_slope, cdf, cdf_integral, n_cells, with_mean
):
    K = b.shape[0]
    edges = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, n_cells + 1)
    kw = dict(a=a, b=b, edges=edges, cdf=cdf, cdf_integral=cdf_integral)
    Q = np.zeros((K, n_cells + 1, n_cells + 1))
    s = negative_slope
    # positive branch: x in [max(e_j, 0), max(e_j+1, 0)] lands in cell j
    Q[:, :, 1:] += np.diff(_source_average(np.maximum(edges, 0.0), **kw), axis=2)
    if s < 0:  # y = s x >= 0 for x in [max(e_j+1, 0) / s, max(e_j, 0) / s]
        Q[:, :, 1:] -= np.diff(_source_average(np.maximum(edges, 0.0) / s, **kw), axis=2)
    elif s > 0:  # y = s x < 0 for x in [min(e_j, 0) / s, min(e_j+1, 0) / s]
        Q[:, :, 1:] += np.diff(_source_average(np.minimum(edges, 0.0) / s, **kw), axis=2)
    else:  # f(x) = 0 for x < 0: back to the atom without a spike
        Q[:, :, :1] += _source_average(np.zeros((K, 1)), **kw)
    np.maximum(Q, 0.0, out=Q)
    eye = np.eye(n_cells + 1)
    # a killing probability of _KILL per step keeps chains that never fire
    # solvable (their rate comes out as _KILL and is then removed)
    system = (1.0 + _KILL) * eye - Q
    steps = np.linalg.solve(system, np.ones((K, n_cells + 1, 1)))[:, 0, 0]
    fires = np.isfinite(steps) & (steps > 0.5)
    safe_steps = np.where(fires, steps, 1.0)
    rate = np.where(fires, 1.0 / safe_steps - _KILL, 0.0)
    if not with_mean:
        return rate, None
    # expected visits to each state between two resets: (I - Q)^T u = e_0
    start = np.broadcast_to(eye[:, :1], (K, n_cells + 1, 1))
    visits = np.linalg.solve(np.swapaxes(system, 1, 2), start)[:, :, 0]
    centres = np.concatenate([np.zeros((K, 1)), 0.5 * (edges[:, :-1] + edges[:, 1:])], 1)
    return rate, np.where(fires, (visits * centres).sum(axis=1) / safe_steps, 0.0)


def renewal_chain(
    a,
    b,
    lo,
    hi,
    *,
    threshold,
    negative_slope,
    cdf,
    cdf_integral,
    n_cells=DEFAULT_CELLS,
    with_mean=True,
):
    """Stationary spike probability per step and mean membrane of renewal chains.

    Parameters
    ----------
    a, b, lo, hi : array_like
        Per chain (broadcast to one shape): ``x = a y + b + xi``; every
        non-spiking value ``f(x)`` lies in ``[lo, hi]`` (the caller's bound).
    threshold, negative_slope : float
        ``V_th`` and the slope ``s`` of ``f`` below zero (``1`` = identity).
    cdf, cdf_integral : callable
        Noise CDF ``F(z)`` and its antiderivative, vectorised numpy functions.
    n_cells : int
        Number of finite-volume cells on ``[lo, hi]``.
    with_mean : bool
        Also compute the stationary mean of ``y`` (one more linear solve).

    Returns
    -------
    rate, mean_voltage : ndarray
        Spike probability per step ``1 / E[T]`` and the stationary mean of ``y``
        (``None`` unless ``with_mean``).
    """
    a, b, lo, hi = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, lo, hi))
    shape = b.shape
    a, b, lo, hi = (v.ravel() for v in (a, b, lo, hi))
    rate, mean = np.empty(b.size), np.empty(b.size)
    # many small systems: one BLAS thread is several times faster than a pool
    # fighting over the cores
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, b.size, _CHUNK):
            part = slice(start, start + _CHUNK)
            rate[part], chunk_mean = _chunk_chain(
                a[part], b[part], lo[part], hi[part], threshold=threshold,
                negative_slope=negative_slope, cdf=cdf, cdf_integral=cdf_integral,
                n_cells=n_cells, with_mean=with_mean,
            )
            if with_mean:
                mean[part] = chunk_mean
    rate = np.clip(rate, 0.0, 1.0).reshape(shape)
    return rate, mean.reshape(shape) if with_mean else None


class RateCurve(NamedTuple):
    """Spike probability per step as a monotone piecewise-cubic function of J.

    ``values`` at the sorted ``nodes`` are interpolated with PCHIP (which keeps
    monotone data monotone) into ``table``, a
    :class:`~nengo_snnext.equations.tabulated.PiecewisePolynomial` that every
    backend evaluates with :func:`~nengo_snnext.equations.tabulated.tabulated_rate`;
    below ``nodes[0]`` the probability is ``left``, above ``nodes[-1]`` it is
    ``right``. ``threshold`` and ``saturation`` bound the increasing branch used
    for ``gain_bias``: the probability is 0 at and below ``threshold`` and 1 at
    and above ``saturation``.
    """

    threshold: float
    saturation: float
    table: PiecewisePolynomial

    @classmethod
    def from_nodes(cls, nodes, values, *, left, right, threshold, saturation):
        nodes = np.asarray(nodes, dtype=float)
        values = np.clip(np.asarray(values, dtype=float), 0.0, 1.0)
        table = PiecewisePolynomial.pchip(nodes, values, left=left, right=right)
        return cls(threshold, saturation, table)

    def __call__(self, J):
        return np.clip(evaluate(NUMPY_OPS, np.asarray(J, dtype=float), self.table), 0.0, 1.0)

    def inverse(self, p, *, tol=1e-13):
        """Current on the increasing branch whose probability is ``p`` (bisection)."""
        p = np.asarray(p, dtype=float)
        lo = np.full(p.shape, self.threshold)
        hi = np.full(p.shape, self.saturation)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            below = self(mid) < p
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
            if np.all(hi - lo <= tol * (1.0 + np.abs(hi))):
                break
        return hi


def monotone_on(values, increasing=True):
    """Running max (or min) so that tabulated probabilities are exactly monotone."""
    return np.maximum.accumulate(values) if increasing else np.minimum.accumulate(values)
