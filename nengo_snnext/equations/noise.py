"""Noise distributions shared by the stochastic neurons and every backend.

One definition of each distribution, so that numpy (Nengo core) and TensorFlow
(NengoDL) sample the same thing from the same parameters. A distribution is a
:class:`NoiseDistribution` ``(kind, loc, scale)`` and a sample is an affine map of a
*standard* sample:

- ``"uniform"``: ``loc + scale * u`` with ``u ~ U[0, 1)``, i.e. ``U[loc, loc + scale)``;
- ``"gaussian"``: ``loc + scale * z`` with ``z ~ N(0, 1)``, i.e. ``N(loc, scale^2)``.

A backend draws the standard sample with its own generator (numpy
``RandomState.random_sample``/``standard_normal``, ``tf.random.uniform``/
``tf.random.normal``) and calls :func:`scale_noise`. The equations never draw:
they take the noise sample as an argument and stay pure.

The CDF and its antiderivative are used by the exact rate computations.
"""

import math
from typing import NamedTuple

# P(|Z| > 7.5) = 6.4e-14 for Z ~ N(0, 1): Gaussian noise beyond this many standard
# deviations is treated as impossible when bounding where a rate is exactly 0 or 1.
GAUSSIAN_TAIL_Z = 7.5

_SQRT2 = math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)


class NoiseDistribution(NamedTuple):
    """A noise distribution: ``loc + scale * standard`` (see the module docstring)."""

    kind: str
    loc: float
    scale: float


def uniform_noise(low, high):
    """``U[low, high)`` as a :class:`NoiseDistribution`."""
    return NoiseDistribution("uniform", float(low), float(high) - float(low))


def gaussian_noise(std, mean=0.0):
    """``N(mean, std^2)`` as a :class:`NoiseDistribution`."""
    return NoiseDistribution("gaussian", float(mean), float(std))


def scale_noise(standard, spec):
    """Map a standard sample (``U[0, 1)`` or ``N(0, 1)``) to ``spec``."""
    return spec.loc + spec.scale * standard


def noise_bounds(spec):
    """``(low, high)`` outside of which the noise never falls.

    Exact for uniform noise; for Gaussian noise ``mean -/+ GAUSSIAN_TAIL_Z std``.
    """
    if spec.kind == "uniform":
        return spec.loc, spec.loc + spec.scale
    half = GAUSSIAN_TAIL_Z * spec.scale
    return spec.loc - half, spec.loc + half


def noise_cdf(xp, spec, z):
    """``P(noise <= z)``."""
    u = (z - spec.loc) / spec.scale
    if spec.kind == "uniform":
        return xp.clip(u, 0.0, 1.0)
    return 0.5 * (1.0 + xp.erf(u / _SQRT2))


def noise_cdf_integral(xp, spec, z):
    """``int_{-inf}^z P(noise <= t) dt``, the antiderivative of :func:`noise_cdf`.

    Uniform: ``scale * (clip(u, 0, 1)^2 / 2 + max(u - 1, 0))``; Gaussian:
    ``scale * (u Phi(u) + phi(u))``, with ``u = (z - loc) / scale``.
    """
    u = (z - spec.loc) / spec.scale
    if spec.kind == "uniform":
        inside = xp.clip(u, 0.0, 1.0)
        return spec.scale * (0.5 * inside * inside + xp.maximum(u - 1.0, 0.0))
    cdf = 0.5 * (1.0 + xp.erf(u / _SQRT2))
    pdf = _INV_SQRT2PI * xp.exp(-0.5 * u * u)
    return spec.scale * (u * cdf + pdf)
