"""Neural-oscillation equations (spec sections 1.5, 1.6 and 5.2)."""

import numpy as np
import pytest

from nengo_snnext.equations.noise import gaussian_noise, uniform_noise
from nengo_snnext.equations.oscillation import (
    OscillationState,
    alt_oscillation_step,
    alt_term,
    oscillation_spike_probability,
    oscillation_step,
    v_shape,
)
from nengo_snnext.ops import NUMPY_OPS as xp

THESIS = dict(leak=0.5, input_gain=1.0, threshold=1.0, negative_slope=-0.03)


def test_v_shape_is_published_f():
    # eq. 3.13 with the code's LeakyReLU(negative_slope=-0.03): negative -> positive
    x = np.array([-40.0, -34.0, -33.0, -1.0, 0.0, 0.5, 2.0])
    assert np.allclose(v_shape(xp, x, -0.03), [1.2, 1.02, 0.99, 0.03, 0.0, 0.5, 2.0])
    # so x = -34 fires (1.02 > 1) and -33 does not (0.99)
    assert np.allclose(v_shape(xp, x, 0.0), np.maximum(x, 0))


@pytest.mark.parametrize("slope", [-0.03, -0.5, 0.0])
def test_oscillation_step_matches_scalar_reference(slope, rng):
    n_steps, n = 80, 6
    J = rng.uniform(-1, 2, size=(n_steps, n))
    J[:, 0] = -40.0  # V-shape firing region
    gamma = rng.uniform(-0.2, 0.8, size=(n_steps, n))
    state = OscillationState(np.zeros(n))
    out_s, out_v = [], []
    for Jt, gt in zip(J, gamma):
        s, state = oscillation_step(xp, 0.001, Jt, state, gamma=gt, leak=0.5, input_gain=1.0,
                                    threshold=1.0, negative_slope=slope)
        out_s.append(s)
        out_v.append(state.voltage)
    for i in range(n):
        v = 0.0
        for t in range(n_steps):
            # eqs. 3.1, 3.10-3.13 written out for one neuron
            x = 0.5 * v + J[t, i] + gamma[t, i]
            p = x if x >= 0 else slope * x
            s = 1.0 if p > 1.0 else 0.0
            v = p * (1 - s)
            assert out_s[t][i] == s and np.isclose(out_v[t][i], v, rtol=0, atol=1e-15)
    if slope == -0.03:
        assert np.all(np.array(out_s)[:, 0] == 1)  # J = -40 fires every step


def test_noise_is_carried_into_the_membrane():
    # no spike: V = H + gamma (the thesis stores P, spec 1.5)
    V0, J, gamma = np.array([0.2, 0.4]), np.array([0.1, 0.0]), np.array([0.3, -0.2])
    s, state = oscillation_step(xp, 0.001, J, OscillationState(V0), gamma=gamma, **THESIS)
    assert np.all(s == 0)
    assert np.allclose(state.voltage, 0.5 * V0 + J + gamma)


def test_single_step_probability_uniform_closed_form():
    # spec 5.2: P(S = 1 | H) = clip(H - 0.2, 0, 1) under U[-0.2, 0.8], V_th = 1
    H = np.linspace(-2, 2, 81)
    p = oscillation_spike_probability(xp, H, distribution=uniform_noise(-0.2, 0.8), threshold=1.0,
                                      negative_slope=-0.03)
    assert np.allclose(p, np.clip(H - 0.2, 0, 1), atol=1e-15)
    assert np.isclose(p[np.argmin(np.abs(H - 0.7))], 0.5)  # 50 % point at H = 0.7
    # V-shape: H + gamma < 1 / -0.03 = -33.33 fires; certain below -34.13
    low = oscillation_spike_probability(xp, np.array([-35.0, -33.7, -33.0]),
                                        distribution=uniform_noise(-0.2, 0.8), threshold=1.0,
                                        negative_slope=-0.03)
    # -33.7 + gamma < -33.333 iff gamma < 0.3667: probability 0.5667
    assert np.allclose(low, [1.0, 0.3667 + 0.2, 0.0], atol=1e-3)


@pytest.mark.parametrize("noise", [uniform_noise(-0.2, 0.8), gaussian_noise(0.5)], ids=str)
def test_single_step_probability_against_sampling(noise, rng):
    H = np.array([-34.0, -1.0, 0.0, 0.4, 0.7, 1.0, 1.5])
    n = 100_000
    standard = rng.random_sample((n, 1)) if noise.kind == "uniform" else rng.standard_normal((n, 1))
    gamma = noise.loc + noise.scale * standard
    spikes, _ = oscillation_step(xp, 0.001, np.broadcast_to(H, (n, H.size)),
                                 OscillationState(np.zeros(H.size)), gamma=gamma,
                                 leak=0.5, input_gain=1.0, threshold=1.0, negative_slope=-0.03)
    p = oscillation_spike_probability(xp, H, distribution=noise, threshold=1.0, negative_slope=-0.03)
    # binomial standard error, 5 sigma
    assert np.all(np.abs(spikes.mean(axis=0) - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-12)


def test_alt_forms_are_the_published_functions(rng):
    H = rng.uniform(-2, 3, size=50)
    c, d = -0.1441, -0.1762
    expected = {
        "F1": np.sin(H + c) + d,
        "F2": H * np.sin(H + c) + d,
        "F3": np.exp(H + c) + d,
        "F4": 1 / (1 + np.exp(-c * H)) + d,
        "sin": np.sin(H + c) + d,
    }
    for form, value in expected.items():
        assert np.allclose(alt_term(xp, H, form=form, c=c, d=d), value, atol=1e-14), form


@pytest.mark.parametrize("form", ["F1", "F2", "F3", "F4"])
def test_alt_step_matches_scalar_reference(form, rng):
    c, d = 0.3, -0.2
    J = rng.uniform(-1, 2, size=(60, 4))
    state = OscillationState(np.zeros(4))
    spikes = []
    for Jt in J:
        s, state = alt_oscillation_step(xp, 0.001, Jt, state, form=form, c=c, d=d, **THESIS)
        spikes.append(s)
    terms = {
        "F1": lambda h: np.sin(h + c) + d,
        "F2": lambda h: h * np.sin(h + c) + d,
        "F3": lambda h: np.exp(h + c) + d,
        "F4": lambda h: 1 / (1 + np.exp(-c * h)) + d,
    }
    for i in range(4):
        v = 0.0
        for t in range(60):
            h = 0.5 * v + J[t, i]
            x = h + terms[form](h)
            p = x if x >= 0 else -0.03 * x
            s = 1.0 if p > 1 else 0.0
            v = p * (1 - s)
            assert spikes[t][i] == s
