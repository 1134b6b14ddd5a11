"""Surrogate spike functions: g' is the derivative of g, thesis values (spec 1.3, 5.2)."""

import math

import numpy as np
import pytest

from nengo_snnext.equations.surrogates import (
    SURROGATES,
    get_surrogate,
    smoothed_current,
    smoothed_rate,
)
from nengo_snnext.ops import NUMPY_OPS as xp


@pytest.mark.parametrize("name", sorted(SURROGATES))
@pytest.mark.parametrize("alpha", [0.5, 2.0, 3.0])
def test_derivative_is_derivative_of_primitive(name, alpha):
    s = get_surrogate(name)
    # central differences are O(h) off where g' has a kink: at 0 (fast_sigmoid,
    # triangle) and at |alpha x| = 1 (triangle); test away from those points
    x = np.linspace(-3, 3, 601)
    x = x[(np.abs(np.abs(alpha * x) - 1) > 1e-3) & (np.abs(x) > 1e-3)]
    h = 1e-6
    numeric = (s.primitive(xp, x + h, alpha=alpha) - s.primitive(xp, x - h, alpha=alpha)) / (2 * h)
    assert np.allclose(s.derivative(xp, x, alpha=alpha), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_primitive_rises_from_0_to_1(name):
    s = get_surrogate(name)
    alpha = s.default_alpha
    assert s.primitive(xp, np.array(-1e9), alpha=alpha) == pytest.approx(0, abs=1e-8)
    assert s.primitive(xp, np.array(1e9), alpha=alpha) == pytest.approx(1, abs=1e-8)
    assert s.primitive(xp, np.array(0.0), alpha=alpha) == pytest.approx(0.5)
    x = np.linspace(-5, 5, 1001)
    g = s.primitive(xp, x, alpha=alpha)
    assert np.all(np.diff(g) >= 0)
    dg = s.derivative(xp, x, alpha=alpha)
    assert np.all(dg >= 0) and dg.argmax() == 500  # peak at threshold


@pytest.mark.parametrize("alpha, peak", [(2.0, 1.0), (3.0, 1.5)])
def test_arctan_thesis_values(alpha, peak):
    # spec 5.2: sigma'(0) = alpha / 2, i.e. 1.0 for alpha = 2 (ch. 2) and 1.5 for alpha = 3 (ch. 3)
    d = SURROGATES["arctan"].derivative
    assert d(xp, np.array(0.0), alpha=alpha) == peak
    # eq. 3.9 written out
    x = np.array([-1.3, -0.2, 0.4, 2.0])
    expected = alpha / (2 * (1 + (math.pi / 2 * alpha * x) ** 2))
    assert np.allclose(d(xp, x, alpha=alpha), expected, rtol=1e-15)
    # spec 5.2: for KLIF with H < 0, F = 0 and dS/dF = sigma'(-V_th) = 1 / (1 + pi^2) at alpha 2
    if alpha == 2.0:
        assert d(xp, np.array(-1.0), alpha=alpha) == pytest.approx(1 / (1 + math.pi**2))
        assert 1 / (1 + math.pi**2) == pytest.approx(0.0920, abs=5e-5)


def test_default_is_thesis_arctan_alpha_2():
    assert SURROGATES["arctan"].default_alpha == 2.0


def test_unknown_surrogate_lists_names():
    with pytest.raises(ValueError, match="arctan"):
        get_surrogate("relu")


@pytest.mark.parametrize("threshold, sigma", [(1.0, 1e-3), (0.0, 0.5), (-2.0, 3.0)])
def test_smoothed_current_is_soft_lif_softplus(threshold, sigma):
    J = threshold + sigma * np.array([-800.0, -30.0, -1.0, 0.0, 1e-9, 1.0, 30.0, 800.0])
    smoothed = smoothed_current(xp, J, threshold, sigma)
    # closed form, sigma log(1 + exp(z)), without overflow at |z| = 800
    z = (J - threshold) / sigma
    assert np.allclose(smoothed, threshold + sigma * np.logaddexp(0.0, z), rtol=1e-14, atol=0)
    assert smoothed[3] == threshold + sigma * math.log(2.0)
    # never below the threshold (far below, the softplus rounds away), rising
    assert np.all(smoothed >= threshold) and np.all(smoothed[2:] > threshold)
    assert np.all(np.diff(smoothed) >= 0) and np.all(np.diff(smoothed[2:]) > 0)
    assert smoothed[-1] == J[-1]  # far above threshold: the current itself


def test_smoothed_rate_smooths_a_jump_at_threshold():
    """A rate that jumps from 0 to 40 at J = 1 (then rises linearly): the smoothed rate
    is the logistic times the rate at the smoothed current, equals the rate many sigma
    away from threshold, and its slope carries the jump (40 / (4 sigma) at threshold)."""
    sigma = 1e-2

    def rate(J):
        return np.where(J > 1.0, 40.0 + 100.0 * (J - 1.0), 0.0)

    J = 1.0 + sigma * np.array([-60.0, -5.0, -1.0, 0.0, 1.0, 5.0, 60.0])
    smooth = smoothed_rate(xp, rate, J, 1.0, sigma)
    z = (J - 1.0) / sigma
    closed = (40.0 + 100.0 * sigma * np.logaddexp(0.0, z)) / (1.0 + np.exp(-z))
    assert np.allclose(smooth, closed, rtol=1e-13, atol=1e-20)  # far below: 1 + tiny rounds to 1
    assert smooth[0] < 1e-24 and np.isclose(smooth[-1], rate(J[-1]), rtol=1e-14)
    assert np.all(np.diff(smooth) > 0)
    h = 1e-9
    slope = (smoothed_rate(xp, rate, 1.0 + h, 1.0, sigma)
             - smoothed_rate(xp, rate, 1.0 - h, 1.0, sigma)) / (2 * h)
    # logistic slope 1 / (4 sigma) times the rate there (40 + 100 sigma ln 2), plus 100 / 4
    expected = (40.0 + 100.0 * sigma * math.log(2.0)) / (4 * sigma) + 100.0 / 4
    assert np.isclose(slope, expected, rtol=1e-5)
