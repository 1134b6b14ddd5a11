"""End to end: a digits CNN trained in Keras, converted, on the Loihi emulator vs nengo.Simulator."""

import numpy as np
import pytest

pytest.importorskip("nengo_loihi")
tf = pytest.importorskip("tensorflow")

import nengo_snnext  # noqa: E402
import nengo_snnext.keras as nk  # noqa: E402
from nengo_snnext.cli.evaluate import digits_cnn  # noqa: E402
from nengo_snnext.data import load_digits  # noqa: E402
from nengo_snnext.loihi import evaluate_converted  # noqa: E402


@pytest.mark.slow
def test_converted_digits_cnn_on_emulator_within_3_points_of_nengo():
    (x_train, _), (x_test, y_test) = load_digits()
    model = digits_cnn(epochs=20)  # docs/loihi.md's CNN
    keras_accuracy = np.mean(model.predict(x_test.reshape(-1, 8, 8, 1), verbose=0).argmax(-1)
                             == y_test)
    converter = nk.convert(model, neuron_type=nengo_snnext.KLIF(),
                           calibration_data=x_train[:200].reshape(-1, 8, 8, 1), synapse=0.005)
    result = evaluate_converted(converter, x_test, y_test, n_steps=50, reference=True,
                                progress=False)
    print(result["report"].summary())
    print(f"Keras {keras_accuracy:.3f}, nengo.Simulator {result['nengo_accuracy']:.3f} "
          f"({result['nengo_seconds']:.0f} s), emulator {result['accuracy']:.3f} "
          f"({result['seconds']:.0f} s)")
    # the second conv layer and the dense layer run on chip
    assert sum(e.on_chip for e in result["report"].ensembles) == 2
    assert result["accuracy"] >= 0.9
    assert abs(result["accuracy"] - result["nengo_accuracy"]) <= 0.03
