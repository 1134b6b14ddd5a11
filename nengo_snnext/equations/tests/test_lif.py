"""Closed forms of the thesis LIF/KLIF equations (spec sections 1.4 and 5.2)."""

import numpy as np
import pytest

from nengo_snnext.equations.lif import (
    LIFState,
    discrete_coefficients,
    discrete_lif_step,
    discrete_rate,
    klif_linear_parameters,
    klif_step,
    linear_drive_for_period,
    linear_period,
)
from nengo_snnext.ops import NUMPY_OPS as xp

DT = 0.001


def first_spike_steps(step, J, n_steps=200, **params):
    """Steps until the first spike from V = 0 (0 where it never fires)."""
    state = LIFState(np.zeros_like(J))
    first = np.zeros(J.shape, dtype=int)
    for n in range(1, n_steps + 1):
        spikes, state = step(xp, DT, J, state, **params)
        first = np.where((first == 0) & (spikes > 0), n, first)
    return first


def lambda_form_band_edges(n):
    """Spec 5.2: lambda = 0.5 LIF has period n iff X in (2^{n-1}/(2^n-1), ...]."""
    return 2.0 ** (n - 1) / (2.0**n - 1)


@pytest.mark.parametrize("scaling, factor", [("none", 1.0), ("tau", 2.0)])
def test_period_bands(scaling, factor):
    # spec 5.2: band edges 1, 2/3, 4/7, 8/15, ... (lambda form); tau form doubles X
    leak, gain = discrete_coefficients(DT, 0.002, scaling)
    assert leak == 0.5
    for n in range(1, 8):
        upper = lambda_form_band_edges(n - 1) if n > 1 else 10.0
        lower = lambda_form_band_edges(n)
        X = factor * np.array([lower * (1 + 1e-9), 0.5 * (lower + upper), upper * (1 - 1e-9)])
        steps = first_spike_steps(
            discrete_lif_step, X, leak=leak, input_gain=gain, threshold=1.0, reset=0.0
        )
        assert np.all(steps == n), (n, X, steps)
        rate = discrete_rate(xp, gain * X, dt=DT, leak=leak, threshold=1.0, reset=0.0)
        assert np.allclose(rate, 1 / (n * DT))
    # silent at and below X = 0.5 (lambda form)
    silent = factor * np.array([0.5, 0.3, 0.0, -1.0])
    assert np.all(discrete_rate(xp, gain * silent, dt=DT, leak=0.5, threshold=1.0, reset=0.0) == 0)
    assert np.all(first_spike_steps(
        discrete_lif_step, silent, n_steps=500, leak=0.5, input_gain=gain, threshold=1.0, reset=0.0
    ) == 0)


@pytest.mark.parametrize("k", [0.5, 1.0, 1.5, 2.0, 3.0, 5.0])
def test_klif_closed_forms(k):
    leak, gain = discrete_coefficients(DT, 0.002, "tau")
    params = dict(
        k=k, leak=leak, input_gain=gain, threshold=1.0, activation_name="relu",
        celu_alpha=1.0, negative_slope=0.01, scale_reset=False,
    )
    X = np.linspace(0.01, 6, 600)
    steps = first_spike_steps(klif_step, X, n_steps=3000, **params)
    # fires every step iff k X / 2 > 1
    assert np.array_equal(steps == 1, k * X / 2 > 1)
    if k < 2:
        # silent iff X <= (2 - k) / k
        assert np.array_equal(steps == 0, X <= (2 - k) / k)
    else:
        # any positive input fires eventually
        assert np.all(steps > 0)


@pytest.mark.parametrize("k", [0.5, 1.3, 2.0, 4.0])
@pytest.mark.parametrize("scale_reset", [False, True])
@pytest.mark.parametrize("act", ["relu", "celu", "leaky_relu"])
def test_klif_matches_scalar_reference(k, scale_reset, act, rng):
    acts = {
        "relu": lambda x: max(x, 0.0),
        "celu": lambda x: max(x, 0.0) + min(0.0, 1.0 * np.expm1(x / 1.0)),
        "leaky_relu": lambda x: x if x >= 0 else 0.01 * x,
    }
    leak, gain = discrete_coefficients(DT, 0.002, "tau")
    n_steps = 60
    J = rng.uniform(-2, 3, size=(n_steps, 5))
    state = LIFState(np.zeros(5))
    spikes = []
    for Jt in J:
        s, state = klif_step(
            xp, DT, Jt, state, k=k, leak=leak, input_gain=gain, threshold=1.0,
            activation_name=act, celu_alpha=1.0, negative_slope=0.01,
            scale_reset=scale_reset,
        )
        spikes.append(s)
    spikes = np.array(spikes)
    for i in range(5):
        # reference with time-varying input, written independently
        v, ref = 0.0, []
        for Jt in J[:, i]:
            h = leak * v + gain * Jt
            f = acts[act](k * h)
            s = 1.0 if f > 1.0 else 0.0
            v = (f / k if scale_reset else f) * (1 - s)
            ref.append(s)
        assert np.array_equal(spikes[:, i], ref)


@pytest.mark.parametrize("k", [0.6, 1.0, 1.7, 3.0])
def test_klif_star_is_lif_with_threshold_over_k(k, rng):
    # spec 5.2: KLIF* equals LIF with threshold 1/k plus ReLU (here: non-negative input)
    leak, gain = discrete_coefficients(DT, 0.002, "tau")
    J = rng.uniform(0, 3, size=(100, 20))
    s1, s2 = LIFState(np.zeros(20)), LIFState(np.zeros(20))
    for Jt in J:
        a, s1 = klif_step(
            xp, DT, Jt, s1, k=k, leak=leak, input_gain=gain, threshold=1.0,
            activation_name="relu", celu_alpha=1.0, negative_slope=0.01, scale_reset=True,
        )
        b, s2 = discrete_lif_step(
            xp, DT, Jt, s2, leak=leak, input_gain=gain, threshold=1.0 / k, reset=0.0
        )
        assert np.array_equal(a, b)
        assert np.allclose(s1.voltage, s2.voltage, rtol=1e-12, atol=1e-12)


def test_klif_k1_is_lif_with_floor_zero(rng):
    # spec 5.2: KLIF with k = 1 equals LIF with min voltage 0
    leak, gain = discrete_coefficients(DT, 0.002, "tau")
    J = rng.uniform(-2, 3, size=(200, 20))
    s1, v = LIFState(np.zeros(20)), np.zeros(20)
    for Jt in J:
        a, s1 = klif_step(
            xp, DT, Jt, s1, k=1.0, leak=leak, input_gain=gain, threshold=1.0,
            activation_name="relu", celu_alpha=1.0, negative_slope=0.01, scale_reset=False,
        )
        h = np.maximum(leak * v + gain * Jt, 0.0)  # LIF, then floor at min_voltage 0
        b = (h > 1).astype(float)
        v = np.where(b > 0, 0.0, h)
        assert np.array_equal(a, b)
        assert np.allclose(s1.voltage, v)


@pytest.mark.parametrize("leak", [0.0, 0.3, 0.5, 0.9, 0.999, 1.0, 1.4, 2.5])
@pytest.mark.parametrize("reset", [0.0, -0.4])
def test_linear_period_matches_iteration(leak, reset, rng):
    drive = rng.uniform(0.01, 3, size=300)
    if leak > 1 and reset != 0:
        return  # only KLIF (reset 0) has a leak above 1
    T, fires = linear_period(xp, drive, leak=leak, threshold=1.0, reset=reset)
    h, first = np.full_like(drive, reset), np.zeros(drive.shape, dtype=int)
    for n in range(1, 5000):
        h = leak * h + drive
        spiked = h > 1.0
        first[(first == 0) & spiked] = n
        h[spiked] = reset
    assert np.array_equal(fires, first > 0)
    assert np.array_equal((np.floor(T) + 1)[fires], first[fires])


@pytest.mark.parametrize("leak", [0.2, 0.5, 0.95, 1.0, 3.0])
def test_drive_for_period_inverts_period(leak):
    T = np.array([0.5, 1.5, 2.5, 7.5])
    drive = linear_drive_for_period(xp, T, leak=leak, threshold=1.0, reset=0.0)
    T2, fires = linear_period(xp, drive, leak=leak, threshold=1.0, reset=0.0)
    assert np.all(fires)
    assert np.allclose(T2, T)


def test_klif_linear_parameters():
    assert klif_linear_parameters(k=2.0, leak=0.5, input_gain=0.5, threshold=1.0, scale_reset=False) == (1.0, 1.0, 1.0)
    assert klif_linear_parameters(k=2.0, leak=0.5, input_gain=0.5, threshold=1.0, scale_reset=True) == (0.5, 0.5, 0.5)
