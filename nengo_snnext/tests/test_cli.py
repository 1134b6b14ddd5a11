"""``snnext neurons`` writes plots and a rates table that agree with rates(); ``snnext --version``."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nengo_snnext
from nengo_snnext.cli.main import main
from nengo_snnext.gallery import gallery_types, simulate_tuning


def test_snnext_neurons_writes_outputs(tmp_path, capsys):
    labels = list(gallery_types())[:2]
    main(["neurons", "--out", str(tmp_path), "--quiet", "--types", *labels])
    for name in ["tuning_curves.png", "rasters.png", "rates.txt"]:
        assert (tmp_path / name).stat().st_size > 0
    table = (tmp_path / "rates.txt").read_text().splitlines()
    assert len(table) == 1 + len(labels)
    assert labels[0] in capsys.readouterr().out


def test_snnext_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"snnext {nengo_snnext.__version__}\n"


def test_snnext_version_does_not_import_tensorflow():
    # a fresh interpreter: this test process may have imported TensorFlow already
    code = ("import sys\nfrom nengo_snnext.cli.main import main\ntry:\n    main(['--version'])\n"
            "except SystemExit:\n    print('tensorflow' in sys.modules, 'nengo_dl' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(Path(nengo_snnext.__file__).parents[1]))  # this checkout
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [f"snnext {nengo_snnext.__version__}", "False False"]


def test_snnext_neurons_rejects_unknown_type(tmp_path):
    with pytest.raises(SystemExit, match="unknown neuron type"):
        main(["neurons", "--out", str(tmp_path), "--types", "NoSuchNeuron"])


@pytest.mark.parametrize("label", ["DiscreteLIF (tau form)", "KLIF k=3"])
def test_gallery_simulation_matches_rates(label):
    # counting spikes over 1 s: the count differs from rate * 1 s by at most one spike
    result = simulate_tuning(label, gallery_types()[label], np.linspace(-0.5, 4, 46))
    assert np.all(np.abs(result.simulated - result.predicted) <= 1.0)
