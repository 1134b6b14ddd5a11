"""End-to-end: the neural-oscillation defence network (Jiang ch. 3) in quick mode."""

import json

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from nengo_snnext import networks  # noqa: E402
from nengo_snnext.networks import oscillation_vgg  # noqa: E402


def test_build_neurons_and_save_round_trip(tmp_path):
    assert "oscillation_vgg" in networks.available()
    x = np.random.RandomState(0).uniform(0, 1, size=(2, 28, 28, 1)).astype(np.float32)
    for neuron in oscillation_vgg.NEURONS:
        model = oscillation_vgg.build(neuron, c=-0.14, d=-0.18)
        assert model.output_shape == (None, 10)
    path = tmp_path / "alt.keras"
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert np.array_equal(model(x).numpy(), loaded(x).numpy())  # ALT is deterministic
    assert loaded.get_layer("spikes1").neuron_type.c == -0.14
    with pytest.raises(ValueError, match="neuron must be one of"):
        oscillation_vgg.build("KLIF")
    assert oscillation_vgg.SEED_FIGURES["scenario 4 FGSM"] == pytest.approx(0.565)


@pytest.mark.slow
def test_quick_reproduce(tmp_path):
    out = tmp_path / "result.json"
    result = oscillation_vgg.reproduce(quick=True, progress=False, out=out)
    assert set(result["table"]) == {"B", "1", "2", "3", "4", "5"}
    for row in result["rows"].values():
        assert 0.0 <= row["accuracy"] <= 1.0
    assert "scenario 4 FGSM" in result["rows"]
    assert set(result["checks"]["checks"]) == {
        "more_iterations_help_attacker", "unbounded_reaches_zero", "black_box_not_stronger"}
    fit = result["teacher_student"]
    assert fit["median_threshold"] == pytest.approx(0.7)
    assert abs(fit["effective_threshold"] - 0.7) < abs(0.511 - 0.7)  # moved from c = d = 0
    assert json.loads(out.read_text())["config"]["quick"] is True


def test_cifar10_files_load_and_build(tmp_path, rng):
    from nengo_snnext.data.cifar10 import FOLDER
    from nengo_snnext.data.tests.test_cifar10 import write_batches

    write_batches(tmp_path / FOLDER, rng, n=8)
    (x_train, y_train), (x_test, _) = oscillation_vgg.load_data(tmp_path, 30, 5, 0, "cifar10")
    assert x_train.shape == (30, 32, 32, 3) and x_test.shape == (5, 32, 32, 3)
    assert 0 <= x_train.min() and x_train.max() <= 1 and y_train.dtype == np.int64
    model = oscillation_vgg.build("LIF", input_shape=x_train.shape[1:])
    assert model.predict(x_test, verbose=0).shape == (5, 10)
