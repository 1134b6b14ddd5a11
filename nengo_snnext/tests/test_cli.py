"""``snnext neurons`` writes plots and a rates table that agree with rates()."""

import numpy as np
import pytest

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


def test_snnext_neurons_rejects_unknown_type(tmp_path):
    with pytest.raises(SystemExit, match="unknown neuron type"):
        main(["neurons", "--out", str(tmp_path), "--types", "NoSuchNeuron"])


@pytest.mark.parametrize("label", ["DiscreteLIF (tau form)", "KLIF k=3"])
def test_gallery_simulation_matches_rates(label):
    # counting spikes over 1 s: the count differs from rate * 1 s by at most one spike
    result = simulate_tuning(label, gallery_types()[label], np.linspace(-0.5, 4, 46))
    assert np.all(np.abs(result.simulated - result.predicted) <= 1.0)
