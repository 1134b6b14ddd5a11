"""End to end: ``snnext demo`` trains, converts and evaluates on every backend."""

import json

import numpy as np
import pytest

pytest.importorskip("nengo_dl")

from nengo_snnext.cli.main import main  # noqa: E402


def run_cli(tmp_path, *args):
    out, path = tmp_path / "demo", tmp_path / "demo.json"
    main(["demo", "--quiet", "--out", str(out), "--json", str(path), *args])
    return out, json.loads(path.read_text())


def test_quick_demo_json_plots_and_backends_agree(tmp_path, capsys):
    out, result = run_cli(tmp_path, "--quick")
    assert result["dataset"] == "digits"
    assert set(result["backends"]) == {"keras", "nengo_dl", "nengo", "loihi"}
    for name in ["keras", "nengo_dl", "nengo"]:
        row = result["backends"][name]
        assert 0 <= row["accuracy"] <= 1 and row["seconds"] > 0 and row["images"] == 100
    # a few seconds of training on a 4-channel network: well above chance (0.1)
    assert result["backends"]["nengo_dl"]["accuracy"] > 0.3
    # the same converted network: nengo and nengo_dl agree (float32: a spike may flip)
    dl, ref = result["backends"]["nengo_dl"], result["backends"]["nengo"]
    assert abs(dl["accuracy"] - ref["accuracy"]) <= 0.02
    assert dl["spikes_per_image"] == pytest.approx(ref["spikes_per_image"], rel=0.01)
    assert dl["spikes_per_image"] > 0
    loihi = result["backends"]["loihi"]
    assert (loihi["accuracy"] is None) == (loihi["seconds"] is None)
    if loihi["accuracy"] is None:
        assert loihi["note"]
    for name in ["accuracy_vs_steps.png", "confusion_matrix.png", "raster.png", "results.txt"]:
        assert (out / name).stat().st_size > 0
    table = capsys.readouterr().out
    assert "nengo_dl" in table and "total wall time" in table


def test_demo_table_lists_unsupported_backends_without_numbers():
    from nengo_snnext.demo.backends import BackendResult
    from nengo_snnext.demo.run import format_table

    ok = BackendResult("nengo", np.eye(3)[[0, 1, 1]][:, None], np.array([0, 1, 2]), 2.0, 10.0)
    table = format_table("digits", [ok, BackendResult("loihi", note="not yet supported")],
                         (None, "no keras-spiking"), 5.0)
    assert "66.67%" in table
    [loihi] = [line for line in table.splitlines() if line.startswith("loihi")]
    assert "%" not in loihi and "not yet supported" in loihi


def test_reproduce_and_networks_commands(capsys):
    main(["networks"])
    assert "klif_cnn" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown network 'nope'"):
        main(["reproduce", "nope"])


@pytest.mark.slow
def test_full_digits_demo_meets_its_accuracy_goals(tmp_path):
    _, result = run_cli(tmp_path)
    assert result["backends"]["nengo_dl"]["accuracy"] >= 0.95
    assert result["backends"]["nengo"]["accuracy"] >= 0.93
    assert result["backends"]["nengo_dl"]["images"] == result["backends"]["nengo"]["images"] == 359


@pytest.mark.slow
def test_fashion_mnist_headline(tmp_path):
    """The headline run (about 10 minutes on 2 cores): Keras and NengoDL spiking
    accuracy on all 10,000 test images. The 600 s goal is a wall time of this
    machine: measured and reported (``total_seconds``), not asserted."""
    from nengo_snnext.data import DatasetNotFoundError, load_fashion_mnist

    try:
        load_fashion_mnist("test")
    except DatasetNotFoundError as error:
        pytest.skip(str(error))
    _, result = run_cli(tmp_path, "--dataset", "fashion-mnist", "--backends", "keras", "nengo_dl")
    keras, nengo_dl = result["backends"]["keras"], result["backends"]["nengo_dl"]
    assert keras["images"] == nengo_dl["images"] == 10000
    assert keras["accuracy"] >= 0.89  # 90 % in the quiet-machine run (docs/demo.md)
    assert abs(keras["accuracy"] - nengo_dl["accuracy"]) < 0.005
