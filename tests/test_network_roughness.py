"""End-to-end: the tactile-roughness network on generated signals (quick mode)."""

import pytest

from nengo_snnext import networks
from nengo_snnext.data import DatasetNotFoundError


def test_full_run_needs_the_thesis_files(tmp_path):
    module = networks.load("roughness")
    assert module.SEED_FIGURES["PVDF1, 400 neurons, 15 epochs"] == 20 / 24
    with pytest.raises(DatasetNotFoundError, match="not public"):
        module.reproduce(data_dir=tmp_path, progress=False)


@pytest.mark.slow
def test_quick_reproduce_on_generated_signals():
    result = networks.load("roughness").reproduce(quick=True, progress=False)
    [(label, row)] = result["rows"].items()
    assert label.startswith("generated signals, 10 neurons")
    assert row["n_test"] == 24 and 0 <= row["accuracy"] <= 1
