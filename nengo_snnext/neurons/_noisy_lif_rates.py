"""Expected firing rates of :class:`.NoisyLIF` (numpy only).

Three pieces, all deterministic:

1. :class:`NormalisedNoise`: the exact distribution of one neuron's
   ``r = eps / max|eps|`` in an ensemble of ``n`` neurons. With probability
   ``1/n`` the neuron holds the maximum and ``r = +1`` or ``-1``; otherwise
   ``r = eps / M'`` with ``M'`` the maximum of the other ``n - 1`` values:
   ``U[-1, 1]`` for uniform ``eps``, and for Gaussian ``eps``

   .. math::

       P(r \\le t,\\ \\text{not max}) = \\int_0^\\infty
           (n - 1) H(m)^{n - 2}\\, 2\\phi(m)\\, [\\Phi(t m) - \\Phi(-m)]\\, dm,
       \\quad H(m) = 2\\Phi(m) - 1,

   computed by Gauss-Legendre quadrature and tabulated.
2. The single-step rate ``P(beta + r / 2 + J > V_th)`` (exact).
3. The temporally coupled rate. A neuron's coupling term depends on the whole
   ensemble (its membrane relative to the ensemble's mean ``mu`` and largest
   deviation ``D``), so there is no per-neuron closed form. :func:`temporal_rates`
   is the **mean-field** solution: ``mu`` and ``D`` are replaced by their
   expected values, each neuron is then an exact renewal chain
   ``x = V / (alpha D) + J + beta - mu / (alpha D) + (1/2 - 1/alpha) r``
   (tabulated over ``kappa = 1 / (alpha D)`` and the drive), and ``mu``, ``D``
   are solved self-consistently per input row: ``mu`` is the mean of the
   neurons' stationary means, ``E[D]`` comes from the neurons' stationary
   distributions through the distribution of the extremes. The tests compare it
   with simulated ensembles (homogeneous, spread and NEF-like inputs).
"""

from functools import lru_cache

import numpy as np
from scipy.special import ndtr

from nengo_snnext.equations.tabulated import PiecewisePolynomial
from nengo_snnext.neurons._renewal import renewal_chain

# numpy 2 renamed trapz (removed in 2.4+) to trapezoid (new in 2.0)
trapezoid = getattr(np, "trapezoid", None) or np.trapz

_T_POINTS = 2049  # tabulation of the normalised noise on [-1, 1]
_M_PANELS, _M_ORDER, _M_MAX = 40, 8, 12.0  # quadrature over the maximum M'
_KAPPA_MAX, _N_KAPPA, _N_DRIVE, _CELLS = 0.9, 19, 65, 48  # mean-field tables
_EXTREME_CANDIDATES, _EXTREME_POINTS = 48, 33
_INV_SQRT2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _psi(z):
    """Antiderivative of the standard normal CDF, ``z Phi(z) + phi(z)``."""
    return z * ndtr(z) + _INV_SQRT2PI * np.exp(-0.5 * z * z)


class NormalisedNoise:
    """Distribution of ``r = eps / max|eps|`` for one neuron of ``n``."""

    def __init__(self, kind, n):
        self.kind, self.n = kind, int(n)
        self.t = np.linspace(-1.0, 1.0, _T_POINTS)
        if kind == "uniform":
            scale = 1.0 - 1.0 / self.n
            self.cont_cdf = scale * 0.5 * (self.t + 1.0)
            self.cont_integral = scale * 0.25 * (self.t + 1.0) ** 2
        elif self.n == 1:
            self.cont_cdf = self.cont_integral = np.zeros_like(self.t)
        else:
            x, w = np.polynomial.legendre.leggauss(_M_ORDER)
            edges = np.linspace(0.0, _M_MAX, _M_PANELS + 1)
            half = 0.5 * np.diff(edges)
            m = ((edges[:-1] + half)[:, None] + half[:, None] * x).ravel()
            weights = (half[:, None] * w).ravel()
            log_h = np.log(np.maximum(2.0 * ndtr(m) - 1.0, 1e-300))
            density = (self.n - 1) * np.exp((self.n - 2) * log_h) * 2.0 * _INV_SQRT2PI * np.exp(
                -0.5 * m * m
            )
            weights = (weights * density)[:, None]
            m, t = m[:, None], self.t[None, :]
            self.cont_cdf = (weights * (ndtr(t * m) - ndtr(-m))).sum(axis=0)
            self.cont_integral = (
                weights * ((_psi(t * m) - _psi(-m)) / m - (t + 1.0) * ndtr(-m))
            ).sum(axis=0)
        self.cont_total = self.cont_cdf[-1]  # 1 - 1/n

    def continuous_cdf(self, t):
        """``P(r <= t, neuron not the maximum)`` (continuous in ``t``)."""
        return np.interp(t, self.t, self.cont_cdf, left=0.0, right=self.cont_total)

    def cdf(self, t):
        """``P(r <= t)``, with the atoms ``1/(2n)`` at -1 and +1."""
        t = np.asarray(t, dtype=float)
        inside = self.continuous_cdf(t) + (t >= -1.0) / (2.0 * self.n)
        return np.where(t >= 1.0, 1.0, inside)

    def cdf_integral(self, t):
        """``int_{-inf}^t P(r <= s) ds``."""
        t = np.asarray(t, dtype=float)
        inside = np.interp(t, self.t, self.cont_integral, left=0.0, right=self.cont_integral[-1])
        beyond = self.cont_total * np.maximum(t - 1.0, 0.0)
        atoms = np.maximum(t + 1.0, 0.0) + np.maximum(t - 1.0, 0.0)
        return inside + beyond + atoms / (2.0 * self.n)

    def scaled(self, width):
        """``(cdf, cdf_integral)`` of ``width * r``."""
        return (lambda z: self.cdf(z / width),
                lambda z: width * self.cdf_integral(z / width))


@lru_cache(maxsize=32)
def normalised_noise(kind, n):
    """Cached :class:`NormalisedNoise`."""
    return NormalisedNoise(kind, n)


@lru_cache(maxsize=64)
def continuous_cdf_table(kind, n):
    """The continuous part of the CDF of ``r`` as linear pieces (``numpy.interp``'s)."""
    noise = normalised_noise(kind, n)
    return PiecewisePolynomial.linear(noise.t, noise.cont_cdf, left=0.0, right=noise.cont_total)


def single_step_current(p, *, beta, threshold, kind, n):
    """Inverse of the single-step probability for ``p`` in ``[1/(2n), 1 - 1/(2n)]``."""
    noise = normalised_noise(kind, n)
    # inside (-1, 1) P = 1 - 1/(2n) - F_cont(t), with F_cont strictly increasing
    t = np.interp(1.0 - 0.5 / n - np.asarray(p), noise.cont_cdf, noise.t)
    return threshold - beta - 0.5 * t


@lru_cache(maxsize=16)
def temporal_tables(alpha, threshold, kind, n):
    """Rate and mean membrane of the mean-field chain on a ``(kappa, s)`` grid.

    The drive ``b`` of a chain with coupling ``kappa`` runs over its firing band
    ``b = b_lo + s (b_hi - b_lo)``, ``b_lo = V_th (1 - kappa) - w`` (never
    fires at or below) and ``b_hi = V_th + w`` (fires every step above).
    """
    width = 0.5 - 1.0 / alpha
    kappa = np.linspace(0.0, _KAPPA_MAX, _N_KAPPA)[:, None]
    s = np.linspace(0.0, 1.0, _N_DRIVE)[None, :]
    b = threshold * (1.0 - kappa) - width + s * (threshold * kappa + 2.0 * width)
    low = b - width
    lo = np.where(low >= 0.0, low, low / (1.0 - kappa))
    cdf, cdf_integral = normalised_noise(kind, n).scaled(width)
    rate, mean = renewal_chain(
        kappa, b, lo, threshold, threshold=threshold, negative_slope=1.0,
        cdf=cdf, cdf_integral=cdf_integral, n_cells=_CELLS,
    )
    rate[:, 0] = 0.0
    return rate, mean


def _bilinear(table, kappa, s):
    fk = np.clip(kappa / _KAPPA_MAX, 0.0, 1.0) * (_N_KAPPA - 1)
    fs = np.clip(s, 0.0, 1.0) * (_N_DRIVE - 1)
    i = np.minimum(fk.astype(int), _N_KAPPA - 2)
    j = np.minimum(fs.astype(int), _N_DRIVE - 2)
    tk, ts = fk - i, fs - j
    return ((1 - tk) * ((1 - ts) * table[i, j] + ts * table[i, j + 1])
            + tk * ((1 - ts) * table[i + 1, j] + ts * table[i + 1, j + 1]))


def _expected_extremes(m, rate, width, mean, noise, threshold):
    """``E[min]`` and ``E[max]`` over the neurons of the membrane ``V`` (per row).

    A neuron's ``V`` is 0 after a spike (probability ``rate``) and otherwise its
    charged potential, approximated as ``m + width * r`` (``width`` per row). Only the
    ``_EXTREME_CANDIDATES`` neurons that reach furthest enter the continuous
    part; the others contribute their atom at 0.
    """
    rows, n = m.shape
    k = min(n, _EXTREME_CANDIDATES)
    width = np.broadcast_to(width, (rows, 1))
    idx = np.arange(rows)[:, None]
    log_stay = np.log1p(-np.minimum(rate, 1.0 - 1e-16))
    total_stay = log_stay.sum(axis=1, keepdims=True)
    # quadrature points crowded towards the outer edge, where the extreme lies
    frac = np.linspace(0.0, 1.0, _EXTREME_POINTS)[None, :] ** 2

    def part(order, v):
        cand = order[:, :k]
        mc, rc = m[idx, cand][:, :, None], rate[idx, cand][:, :, None]
        below = noise.cdf((np.minimum(v[:, None, :], threshold) - mc) / width[:, :, None])
        below = np.minimum(below, 1.0 - rc)
        zero = (v >= 0.0)[:, None, :]
        rest = total_stay - log_stay[idx, cand].sum(axis=1, keepdims=True)
        return below, rc, zero, rest

    low = np.minimum((m - width).min(axis=1, keepdims=True), 0.0)
    v = low + (mean - low) * frac
    below, rc, zero, rest = part(_smallest(m, k), v)
    log_above = np.log(np.clip(1.0 - below - rc * zero, 1e-300, 1.0)).sum(axis=1)
    log_above = log_above + rest * zero[:, 0, :]
    e_min = low[:, 0] + trapezoid(np.exp(log_above), v, axis=1)

    high = np.maximum(np.minimum((m + width).max(axis=1, keepdims=True), threshold), mean)
    v = high - (high - mean) * frac
    # the neurons most often just below V_th (never those that fire every step)
    nearness = np.where(rate >= 1.0, np.inf, np.abs(m - threshold))
    below, rc, zero, rest = part(_smallest(nearness, k), v)
    log_below = np.log(np.clip(below + rc * zero, 1e-300, 1.0)).sum(axis=1)
    log_below = log_below + rest * (~zero[:, 0, :])
    e_max = high[:, 0] - trapezoid(np.exp(log_below)[:, ::-1], v[:, ::-1], axis=1)
    return e_min, e_max


def _smallest(values, k):
    """Indices of the ``k`` smallest entries of each row."""
    if k >= values.shape[1]:
        return np.broadcast_to(np.arange(values.shape[1]), values.shape)
    return np.argpartition(values, k - 1, axis=1)[:, :k]


def _mean_field_step(J, mu, D, *, alpha, beta, threshold, tables, noise):
    """Rates and the updated ``(mu, D)`` of the rows of ``J`` for given ``(mu, D)``."""
    width = 0.5 - 1.0 / alpha
    rate_tab, mean_tab = tables
    kappa = np.minimum(1.0 / (alpha * np.maximum(D, 1e-12)), _KAPPA_MAX)
    b = J + beta - kappa * mu
    s = (b - threshold * (1.0 - kappa) + width) / (threshold * kappa + 2.0 * width)
    never, always = s <= 0.0, b > threshold + width
    band = ~never & ~always
    rate = np.where(always, 1.0, np.where(band, _bilinear(rate_tab, kappa, s), 0.0))
    mean = np.where(never, b / (1.0 - kappa), np.where(band, _bilinear(mean_tab, kappa, s), 0.0))
    mu_new = mean.mean(axis=1, keepdims=True)
    # x = kappa V + b + w r: the carried kappa V widens the spread of w r; for the
    # AR(1) sum the standard deviation grows by 1 / sqrt(1 - kappa^2)
    spread = width / np.sqrt(1.0 - kappa**2)
    e_min, e_max = _expected_extremes(kappa * mean + b, rate, spread, mu_new, noise, threshold)
    return rate, mu_new, np.maximum(e_max[:, None] - mu_new, mu_new - e_min[:, None])


def temporal_rates(J, *, alpha, beta, threshold, kind, rtol=1e-5, max_iter=200):
    """Mean-field spike probability per step of the coupled neuron (module docstring).

    ``J`` is ``(rows, n)``: each row is one input to an ensemble of ``n``
    neurons. ``mu`` and ``D`` are iterated (damped) until they change by less
    than ``rtol`` relative to ``D``. Returns ``(rates, mu, D)`` with ``mu`` and
    ``D`` per row.
    """
    J = np.atleast_2d(np.asarray(J, dtype=float))
    rows, n = J.shape
    kw = dict(alpha=alpha, beta=beta, threshold=threshold,
              tables=temporal_tables(alpha, threshold, kind, n),
              noise=normalised_noise(kind, n))
    mu = np.full((rows, 1), 0.5 * threshold)
    D = np.full((rows, 1), abs(threshold) + 0.5)
    rates = np.zeros_like(J)
    active = np.arange(rows)
    for _ in range(max_iter):
        rate, mu_new, D_new = _mean_field_step(J[active], mu[active], D[active], **kw)
        change = np.maximum(np.abs(mu_new - mu[active]), np.abs(D_new - D[active]))[:, 0]
        rates[active] = rate
        mu[active] = 0.5 * (mu[active] + mu_new)
        D[active] = 0.5 * (D[active] + D_new)
        active = active[change > rtol * np.maximum(D_new[:, 0], 1e-3)]
        if active.size == 0:
            break
    return rates, mu[:, 0], D[:, 0]
