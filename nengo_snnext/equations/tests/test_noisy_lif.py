"""Noise-trained LIF equations (spec sections 1.7 and 5.2)."""

import numpy as np
import pytest

from nengo_snnext.equations.noisy_lif import (
    NoisyLIFState,
    max_normalise,
    noise_half_width,
    noisy_lif_noise,
    noisy_lif_step,
    noisy_lif_uniform_probability,
    standardise,
)
from nengo_snnext.ops import NUMPY_OPS as xp


def raw(rng, kind, shape):
    return rng.standard_normal(shape) if kind == "gaussian" else rng.uniform(-1, 1, shape)


def thesis_step3(mem, spike, x, eps, decay=0.5):
    """App. C step 3, transliterated (one sample, so the tensor is the ensemble).

    ``mem`` holds the previous charged potential H, ``spike`` the previous spikes.
    """
    A = mem * decay * (1.0 - spike)
    A_hat = (A - A.mean()) / (A.std() + 1e-17)  # torch std(unbiased=False)
    mem = A_hat / (4 * np.abs(A_hat).max() + 1e-17) + 0.5 + eps / np.abs(eps).max() * 0.25 + x
    return mem, (mem > 1.0).astype(float)


def test_temporal_step_matches_thesis_code(rng):
    n, n_steps = 50, 40
    J = rng.uniform(-0.5, 1.0, size=n)
    mem, spike = np.zeros(n), np.zeros(n)
    state = NoisyLIFState(np.zeros(n))
    for _ in range(n_steps):
        eps = rng.standard_normal(n)
        mem, spike = thesis_step3(mem, spike, J, eps)
        s, state = noisy_lif_step(xp, 0.001, J, state, epsilon=eps, alpha=4.0, beta=0.5,
                                  threshold=1.0, temporal=True)
        assert np.array_equal(s, spike)
        # our state is the reset potential V = H (1 - S)
        assert np.allclose(state.voltage, mem * (1 - spike), rtol=0, atol=1e-12)


def test_single_step_matches_thesis_code(rng):
    # App. C step 1: noise / (2 max|noise|) + 0.5 + x, no state
    J = rng.uniform(-0.5, 1.0, size=30)
    eps = rng.standard_normal(30)
    s, state = noisy_lif_step(xp, 0.001, J, NoisyLIFState(rng.uniform(-5, 5, 30)), epsilon=eps,
                              alpha=4.0, beta=0.5, threshold=1.0, temporal=False)
    mem = eps / (2 * np.abs(eps).max()) + 0.5 + J
    assert np.array_equal(s, (mem > 1).astype(float))
    assert np.allclose(state.voltage, mem * (1 - s))


@pytest.mark.parametrize("kind", ["gaussian", "uniform"])
@pytest.mark.parametrize("alpha", [2.5, 4.0, 10.0])
def test_noise_ranges_at_every_step(kind, alpha, rng):
    # spec 1.7: N(lambda V) in beta +/- 1/alpha, N' in +/- (1/2 - 1/alpha), total in [0, 1]
    beta, n = 0.5, 40
    V = NoisyLIFState(np.zeros((3, n)))
    J = rng.uniform(-3, 2, size=(3, n))
    for _ in range(200):
        eps = raw(rng, kind, (3, n))
        N = noisy_lif_noise(xp, V, epsilon=eps, alpha=alpha, beta=beta, temporal=True)
        independent = noise_half_width(alpha, True) * max_normalise(xp, eps)
        coupling = N - beta - independent
        assert np.all(np.abs(coupling) <= 1 / alpha + 1e-12)
        assert np.all(np.abs(independent) <= 0.5 - 1 / alpha + 1e-12)
        assert np.all((N >= -1e-12) & (N <= 1 + 1e-12))
        single = noisy_lif_noise(xp, V, epsilon=eps, alpha=alpha, beta=beta, temporal=False)
        assert np.all((single >= -1e-12) & (single <= 1 + 1e-12))
        # the extremes are reached: the largest |eps| maps to 0 or 1 exactly
        assert np.allclose(np.abs(single - 0.5).max(axis=-1), 0.5)
        _, V = noisy_lif_step(xp, 0.001, J, V, epsilon=eps, alpha=alpha, beta=beta,
                              threshold=1.0, temporal=True)


def test_normalisation_reduces_over_the_neuron_axis_only(rng):
    # a leading minibatch axis is normalised per sample, as NengoDL needs
    V = rng.uniform(-2, 1, size=(4, 25))
    eps = rng.standard_normal((4, 25))
    batched = noisy_lif_noise(xp, NoisyLIFState(V), epsilon=eps, alpha=4.0, beta=0.5, temporal=True)
    for row in range(4):
        alone = noisy_lif_noise(xp, NoisyLIFState(V[row]), epsilon=eps[row], alpha=4.0, beta=0.5,
                                temporal=True)
        assert np.allclose(batched[row], alone, rtol=0, atol=1e-15)


def test_lambda_cancels_and_constant_state_gives_no_coupling(rng):
    V = rng.uniform(-2, 1, size=30)
    assert np.allclose(standardise(xp, 0.5 * V), standardise(xp, V))
    # all membranes equal (e.g. the first step from V = 0): the coupling term is 0,
    # also where the mean of the equal values is not exactly representable
    eps = rng.standard_normal(30)
    for value in [0.0, 0.3, -7.1]:
        N = noisy_lif_noise(xp, NoisyLIFState(np.full(30, value)), epsilon=eps, alpha=4.0,
                            beta=0.5, temporal=True)
        # (the thesis code would give +/-1/alpha = 0.25 from rounding noise at 0.3)
        assert np.allclose(N, 0.5 + 0.25 * eps / np.abs(eps).max(), rtol=0, atol=1e-3), value


@pytest.mark.parametrize("n", [1, 2, 10, 1000])
def test_uniform_single_step_probability(n, rng):
    J = np.round(np.linspace(-0.3, 1.3, 17), 12)  # exact 0 and 1 (the atoms' edges)
    p = noisy_lif_uniform_probability(xp, J, beta=0.5, threshold=1.0, n_neurons=n)
    # with many neurons E[S] -> clip(J, 0, 1) (spec 5.2); the atoms add 1/(2n) each
    atoms = (J > 0).astype(float) + (J > 1).astype(float)
    assert np.allclose(p, (1 - 1 / n) * np.clip(J, 0, 1) + atoms / (2 * n))
    if n == 1000:
        assert np.allclose(p, np.clip(J, 0, 1), atol=1e-3)
    # sampling check with the step itself: 4000 draws of an n-neuron ensemble
    draws = 4000
    Jn = np.resize(J, n)
    eps = rng.uniform(-1, 1, size=(draws, n))
    s, _ = noisy_lif_step(xp, 0.001, Jn, NoisyLIFState(np.zeros((draws, n))), epsilon=eps,
                          alpha=4.0, beta=0.5, threshold=1.0, temporal=False)
    expected = noisy_lif_uniform_probability(xp, Jn, beta=0.5, threshold=1.0, n_neurons=n)
    tol = 5 * np.sqrt(expected * (1 - expected) / draws) + 1e-12
    assert np.all(np.abs(s.mean(axis=0) - expected) <= tol)
