"""The numpy step's per-step inputs: the finite-current check and the seeded noise sample."""

import math

import numpy as np
import pytest

from nengo_snnext import KLIF
from nengo_snnext.equations.noise import gaussian_noise
from nengo_snnext.neurons._stochastic import sample_noise


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_finite_current_whose_sum_overflows_passes_the_check():
    # the check sums J first; a sum that overflows falls back to the exact test
    neuron_type = KLIF()
    J = np.array([1e308, 1e308, -1.0])
    state = {name: np.zeros(3) for name in neuron_type.state}
    output = np.zeros(3)
    neuron_type.step(0.001, J, output, **state)
    assert np.all(np.isfinite(output))


def test_gaussian_sample_is_seeded_and_standard_normal():
    spec = gaussian_noise(1.0)
    a = sample_noise(np.random.RandomState(3), spec, (20000,))
    b = sample_noise(np.random.RandomState(3), spec, (20000,))
    c = sample_noise(np.random.RandomState(4), spec, (20000,))
    assert np.array_equal(a, b) and not np.allclose(a, c)
    # one draw of the seeding RandomState per sample
    rng, reference = np.random.RandomState(3), np.random.RandomState(3)
    sample_noise(rng, spec, (5,))
    reference.randint(2**62)
    assert rng.randint(1000) == reference.randint(1000)
    # Kolmogorov-Smirnov distance to the N(0, 1) CDF (closed form), 99.9 % bound ~1.95 / sqrt(n)
    x = np.sort(a)
    cdf = 0.5 * (1.0 + np.array([math.erf(v / math.sqrt(2.0)) for v in x]))
    n = x.size
    distance = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert distance < 1.95 / math.sqrt(n)


def test_sample_dtype_follows_the_current():
    sample = sample_noise(np.random.RandomState(0), gaussian_noise(1.0), (4,), dtype=np.float32)
    assert sample.dtype == np.float32
