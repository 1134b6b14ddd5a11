"""Rates of the neural-oscillation neurons (numpy only).

- :func:`oscillation_rate_curve`: the stationary rate of
  :class:`.NeuralOscillation` as a function of the current, from renewal chains
  (:mod:`nengo_snnext.neurons._renewal`), tabulated once per parameter set.
- :func:`alt_periods`, :func:`first_current`: the exact period of the
  deterministic :class:`.AltNeuralOscillation` and the smallest current with a
  given period (for ``gain_bias``).
- :func:`effective_threshold`: the charged potential at which the alternative
  neuron fires in one step (Table 3.9 check).
"""

from functools import lru_cache, partial

import numpy as np

from nengo_snnext.equations.noise import noise_bounds, noise_cdf, noise_cdf_integral
from nengo_snnext.equations.oscillation import ALT_FORM_ALIASES, alt_potential
from nengo_snnext.neurons._renewal import RateCurve, monotone_on, renewal_chain
from nengo_snnext.ops import NUMPY_OPS

_CURVE_NODES = 129


@lru_cache(maxsize=64)
def oscillation_rate_curve(leak, gain, threshold, negative_slope, spec):
    """Stationary spike probability per step of :class:`NeuralOscillation` vs ``J``.

    Exact outside the tabulated regions (from the noise bounds: no positive
    spike for ``J <= (V_th (1 - lambda) - gamma_max) / g``, a spike every step
    for ``J > (V_th - gamma_min) / g``, and likewise for the V-shape's firing
    at very negative ``J``); inside, a renewal chain per node.
    """
    low, high = noise_bounds(spec)
    pos = ((threshold * (1 - leak) - high) / gain, (threshold - low) / gain)
    regions, shapes = [pos], [(0.0, 1.0)]
    if negative_slope < 0:
        neg = ((threshold / negative_slope - leak * threshold - high) / gain,
               (threshold / negative_slope - low) / gain)
        if neg[1] >= pos[0]:
            regions, shapes = [(neg[0], pos[1])], [(1.0, 1.0)]
        else:
            regions, shapes = [neg, pos], [(1.0, 0.0), (0.0, 1.0)]
    pieces = []
    for (start, stop), (first, last) in zip(regions, shapes):
        # the V-shape's firing region (J near -33 / g) gets fewer nodes
        nodes = np.linspace(start, stop, _CURVE_NODES if last == 1.0 else _CURVE_NODES // 2)
        rate, _ = renewal_chain(
            leak, gain * nodes, 0.0, threshold, threshold=threshold,
            negative_slope=negative_slope, cdf=partial(noise_cdf, NUMPY_OPS, spec),
            cdf_integral=partial(noise_cdf_integral, NUMPY_OPS, spec), with_mean=False,
        )
        rate[0], rate[-1] = first, last
        if first == 0.0:
            rate = monotone_on(rate)
        elif last == 0.0:
            rate = monotone_on(rate, increasing=False)
        else:  # one region: decreasing to the minimum, then increasing
            low_at = int(np.argmin(rate))
            rate[:low_at] = monotone_on(rate[:low_at], increasing=False)
            rate[low_at:] = monotone_on(rate[low_at:])
        pieces.append((nodes, rate))
    nodes = np.concatenate([p[0] for p in pieces])
    values = np.concatenate([p[1] for p in pieces])
    # the increasing branch starts at the last node of the positive region with
    # the smallest value (0 unless the regions merged): below it no node fires
    last_nodes, last_values = pieces[-1]
    low_values = np.flatnonzero(last_values == last_values.min())
    start = last_nodes[low_values[-1]]
    return RateCurve.from_nodes(
        nodes, values, left=1.0 if negative_slope < 0 else 0.0, right=1.0,
        threshold=start, saturation=pos[1],
    )


def _bisect_first_true(predicate, lo, hi, *, points=33, tol=1e-12):
    """Smallest ``x`` in ``(lo, hi]`` with ``predicate(x)`` (monotone), by grid refinement."""
    for _ in range(40):
        grid = np.linspace(lo, hi, points)
        first = int(np.argmax(predicate(grid)))
        lo, hi = grid[max(first - 1, 0)], grid[first]
        if hi - lo <= tol * (1.0 + abs(hi)):
            break
    return hi


def _bracket(predicate, start, scale):
    """``(lo, hi)`` with ``predicate`` False at ``lo`` and True at ``hi``."""
    hi, step = start, scale
    for _ in range(60):
        if predicate(np.array([hi]))[0]:
            break
        hi, step = hi + step, 2 * step
    lo, step = hi - scale, scale
    for _ in range(60):
        if not predicate(np.array([lo]))[0]:
            break
        lo, step = lo - step, 2 * step
    return lo, hi


def effective_threshold(c=0.0, d=0.0, *, form="F1", threshold=1.0, negative_slope=-0.03):
    """Smallest charged potential ``H*`` that fires in one step (eq. 3.14).

    For F1 this solves ``H + sin(H + c) + d = V_th``: the potential at which the
    deterministic alternative neuron replaces the noisy neuron's firing. With
    the fitted ``(c, d)`` of Table 3.9 it is 0.672 (VGG-16/CIFAR-10) and 0.678
    (ResNet-18/CIFAR-10), near 0.7, the noisy neuron's 50 % point under
    ``U[-0.2, 0.8]`` (spec 1.6).
    """
    form = ALT_FORM_ALIASES.get(form, form)

    def fires(H):
        P = alt_potential(NUMPY_OPS, H, form=form, c=c, d=d, negative_slope=negative_slope)
        return P > threshold

    return _bisect_first_true(fires, *_bracket(fires, threshold, 0.5))


def alt_periods(J, *, leak, input_gain, threshold, negative_slope, form, c, d, max_steps):
    """Steps from reset to the first spike for constant ``J`` (0: none in ``max_steps``)."""
    J = np.asarray(J, dtype=float)
    flat = J.ravel()
    periods = np.zeros(flat.size, dtype=int)
    active = np.arange(flat.size)
    V = np.zeros(flat.size)
    for n in range(1, max_steps + 1):
        H = leak * V + input_gain * flat[active]
        P = alt_potential(NUMPY_OPS, H, form=form, c=c, d=d, negative_slope=negative_slope)
        fired = P > threshold
        periods[active[fired]] = n
        settled = ~fired & (np.abs(P - V) <= 1e-13 * (1.0 + np.abs(V)))
        keep = ~fired & ~settled
        active, V = active[keep], P[keep]
        if active.size == 0:
            break
    return periods.reshape(J.shape)


@lru_cache(maxsize=256)
def first_current(max_period, params):
    """Smallest current whose period from reset is at most ``max_period`` steps."""
    params = dict(params)
    gain = params["input_gain"]

    def fires(J):
        return alt_periods(J, max_steps=max_period, **params) > 0

    return _bisect_first_true(fires, *_bracket(fires, params["threshold"] / gain, 0.5 / gain))
