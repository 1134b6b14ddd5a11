"""The differentiable training rate ``smooth_discrete_rate`` against the exact staircase."""

import numpy as np
import pytest

from nengo_snnext.equations.lif import (
    discrete_rate,
    linear_drive_for_period,
    smooth_discrete_rate,
)
from nengo_snnext.ops import NUMPY_OPS as xp

DT = 0.001
# (leak, threshold, reset): thesis LIF, KLIF k = 1.5 (leak 0.75), KLIF k = 3
# (self-amplifying, leak 1.5), unit leak, and a reset below zero
INTEGRATORS = [(0.5, 1.0, 0.0), (0.75, 1.0, 0.0), (1.5, 1.0, 0.0), (1.0, 1.0, 0.0), (0.8, 2.0, -0.5)]


@pytest.mark.parametrize("leak, threshold, reset", INTEGRATORS)
def test_equals_staircase_at_band_centres(leak, threshold, reset):
    # up to 20 steps: longer periods sit so close to the firing edge that the
    # inverse (linear_drive_for_period) loses digits
    n = np.arange(2, 21, dtype=float)
    centres = linear_drive_for_period(xp, n - 0.5, leak=leak, threshold=threshold, reset=reset)
    kw = dict(dt=DT, leak=leak, threshold=threshold, reset=reset)
    smooth = smooth_discrete_rate(xp, centres, **kw)
    assert np.allclose(smooth, 1 / (n * DT), rtol=1e-7)
    assert np.allclose(discrete_rate(xp, centres, **kw), 1 / (n * DT), rtol=1e-12)


@pytest.mark.parametrize("leak, threshold, reset", INTEGRATORS)
def test_within_half_a_band_continuous_monotone(leak, threshold, reset):
    kw = dict(dt=DT, leak=leak, threshold=threshold, reset=reset)
    drive = np.linspace(-1, 6, 20001)
    smooth = smooth_discrete_rate(xp, drive, **kw)
    exact = discrete_rate(xp, drive, **kw)
    # silent exactly where the staircase is silent; never above 1 / dt
    assert np.array_equal(smooth == 0, exact == 0)
    assert smooth.max() <= 1 / DT
    # band n has exact period n: the smooth period T + 1/2 is within 1/2 step of it
    fires = exact > 0
    period_exact = 1 / (exact[fires] * DT)
    period_smooth = 1 / (smooth[fires] * DT)
    assert np.all(np.abs(period_smooth - period_exact) <= 0.5 + 1e-9)
    # monotone; continuous above the onset (where, like nengo.LIFRate, the slope is
    # infinite: T grows only logarithmically as the drive approaches the edge)
    assert np.all(np.diff(smooth) >= -1e-9)
    onset = np.argmax(fires)
    above = smooth[onset + 50 :]
    assert np.max(np.abs(np.diff(above))) < 0.01 / DT
    assert np.max(np.abs(np.diff(exact[onset + 50 :]))) > 0.05 / DT  # the staircase jumps
    # firing edge: the drive at which a = drive - (1 - leak) reset reaches (1 - leak) d
    # (leak < 1) or 0 (leak >= 1, any positive a eventually fires)
    edge = (1 - leak) * threshold if leak < 1 else (1 - leak) * reset
    near_edge = smooth_discrete_rate(xp, edge + np.array([1e-3, 1e-6, 1e-12]), **kw)
    assert np.all(np.diff(near_edge) < 0) and near_edge[-1] < 0.05 / DT


def test_saturates_at_top_band():
    # thesis LIF (leak 0.5, threshold 1): fires every step iff drive > 1
    # T = log2(1 / (1 - 0.5 / drive)) <= 1/2 from drive = 0.5 / (1 - sqrt(0.5)) = 1.707 on
    drive = np.array([1.01, 1.5, 1.71, 3.0, 100.0])
    smooth = smooth_discrete_rate(xp, drive, dt=DT, leak=0.5, threshold=1.0, reset=0.0)
    assert np.all(smooth[2:] == 1 / DT)
    assert 0.5 / DT < smooth[0] < smooth[1] < 1 / DT
