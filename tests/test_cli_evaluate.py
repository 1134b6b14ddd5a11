"""``snnext evaluate``: a short run on every backend (a few images, a quickly trained CNN)."""

import json

import pytest

pytest.importorskip("nengo_loihi")
pytest.importorskip("nengo_dl")

from nengo_snnext.cli.main import main  # noqa: E402


@pytest.mark.slow
def test_evaluate_cli_json(tmp_path, capsys, monkeypatch):
    from nengo_snnext.cli import evaluate

    trained = evaluate.digits_cnn(epochs=3)
    monkeypatch.setattr(evaluate, "digits_cnn", lambda: trained)
    main(["evaluate", "--backends", "nengo,nengo_dl,loihi", "--n-images", "10", "--n-steps",
          "30", "--fidelity-images", "3", "--out", str(tmp_path), "--json", "--quiet"])
    result = json.loads(capsys.readouterr().out)
    for backend in ("keras", "nengo", "nengo_dl", "loihi"):
        assert 0 <= result[backend] <= 1
    assert [e["on_chip"] for e in result["placement"]["ensembles"]] == [False, True, True]
    assert len(result["fidelity"]["layers"]) == 3 and result["fidelity"]["explanation"]
    assert (tmp_path / "loihi_fidelity.png").exists()


def test_evaluate_cli_rejects_unknown_backend():
    with pytest.raises(SystemExit, match="choose from"):
        main(["evaluate", "--backends", "nengo,brian2"])
