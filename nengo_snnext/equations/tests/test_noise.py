"""The shared noise definitions: sampling map, CDF and its antiderivative."""

import numpy as np
import pytest
from scipy import stats

from nengo_snnext.equations.noise import (
    GAUSSIAN_TAIL_Z,
    gaussian_noise,
    noise_bounds,
    noise_cdf,
    noise_cdf_integral,
    scale_noise,
    uniform_noise,
)
from nengo_snnext.ops import NUMPY_OPS as xp

SPECS = [uniform_noise(-0.2, 0.8), gaussian_noise(0.5), gaussian_noise(2.0, mean=-1.0)]


def reference(spec):
    """The same distribution in scipy, written independently of the module."""
    if spec.kind == "uniform":
        return stats.uniform(loc=spec.loc, scale=spec.scale)
    return stats.norm(loc=spec.loc, scale=spec.scale)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_cdf_matches_scipy(spec, allclose):
    z = np.linspace(-8, 8, 401)
    assert allclose(noise_cdf(xp, spec, z), reference(spec).cdf(z), atol=1e-14)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_cdf_integral_is_antiderivative(spec, allclose):
    z = np.linspace(-8, 8, 1601)
    G = noise_cdf_integral(xp, spec, z)
    # central differences of G give the CDF (exact for the piecewise-quadratic
    # uniform G, except across the kinks at the support's edges)
    smooth = np.ones(z.size, dtype=bool)
    if spec.kind == "uniform":
        for edge in noise_bounds(spec):
            smooth &= np.abs(z - edge) > 0.011
    assert allclose(np.gradient(G, z)[smooth], noise_cdf(xp, spec, z)[smooth], atol=2e-4)
    # G vanishes far below the support
    assert abs(noise_cdf_integral(xp, spec, -60.0)) < 1e-12
    # far above: G(z) = z - E[noise]
    assert np.isclose(noise_cdf_integral(xp, spec, 60.0), 60.0 - reference(spec).mean())


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_scaled_standard_samples_have_the_distribution(spec, rng):
    n = 200_000
    standard = rng.random_sample(n) if spec.kind == "uniform" else rng.standard_normal(n)
    samples = scale_noise(standard, spec)
    # Kolmogorov-Smirnov at n = 2e5: the 0.1 % critical value is 1.95 / sqrt(n) = 0.0044
    statistic = stats.kstest(samples, reference(spec).cdf).statistic
    assert statistic < 1.95 / np.sqrt(n)
    low, high = noise_bounds(spec)
    assert np.all((samples >= low) & (samples <= high))


def test_bounds():
    assert noise_bounds(uniform_noise(-0.2, 0.8)) == (-0.2, 0.8)
    low, high = noise_bounds(gaussian_noise(0.5, mean=1.0))
    assert np.isclose(low, 1.0 - GAUSSIAN_TAIL_Z * 0.5) and np.isclose(high, 1.0 + 3.75)
    # beyond 7.5 standard deviations: 6.4e-14 two-sided (scipy)
    assert np.isclose(2 * stats.norm.sf(GAUSSIAN_TAIL_Z), 6.4e-14, rtol=0.01)
