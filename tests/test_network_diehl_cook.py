"""End-to-end: the Diehl & Cook reference network in quick mode (digits, nengo.Simulator)."""

import numpy as np
import pytest

from nengo_snnext import networks
from nengo_snnext.networks import diehl_cook


@pytest.mark.slow  # about 40 s of nengo.Simulator; test_digits_as_mnist builds it by default
def test_quick_reproduce_protocol(tmp_path):
    assert "diehl_cook" in networks.available()
    module = networks.load("diehl_cook")
    assert module.NAME == "diehl_cook" and module.TITLE
    assert module.SEED_FIGURES["MNIST, 100 neurons"] == 0.829
    result = module.reproduce(quick=True, progress=False, out=tmp_path / "trained.npz")
    [(label, row)] = result["rows"].items()
    assert label == "digits, 10 neurons, 10 examples"
    assert 0.0 <= row["accuracy"] <= 1.0 and row["eval_minutes"] >= 0
    assert result["config"]["dt"] == 0.001 and result["seconds"] > 0
    saved = np.load(tmp_path / "trained.npz")
    assert saved["weights"].shape == (10, 784) and saved["theta"].shape == (10,)
    # learning happened: thresholds rose above Diehl & Cook's initial 20 mV
    assert np.all(saved["theta"] >= 0.02) and np.any(saved["theta"] > 0.0201)


def test_digits_as_mnist():
    x = np.zeros((1, 64))
    x[0, 9] = 1.0  # row 1, column 1 of the 8x8 image
    image = diehl_cook.digits_as_mnist(x).reshape(28, 28)
    assert image.sum() == 9 * 255.0
    assert np.all(image[2 + 3 : 2 + 6, 2 + 3 : 2 + 6] == 255.0)
