"""evaluate_converted: a Keras CNN converted by nengo_snnext.keras.convert, on the emulator."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

pytest.importorskip("nengo_loihi")
tf = pytest.importorskip("tensorflow")

import nengo_snnext  # noqa: E402
import nengo_snnext.keras as nk  # noqa: E402
from nengo_snnext.data import load_digits  # noqa: E402
from nengo_snnext.loihi import evaluate_converted  # noqa: E402


@pytest.fixture(scope="module")
def converter():
    """An untrained digits CNN (fixed seed) with its ReLUs swapped for KLIF."""
    (x_train, _), _ = load_digits()
    tf.random.set_seed(0)
    model = tf.keras.Sequential([
        tf.keras.Input((8, 8, 1)),
        tf.keras.layers.Conv2D(4, 3, activation="relu", name="conv_a"),
        tf.keras.layers.Conv2D(8, 3, strides=2, activation="relu", name="conv_b"),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(10),
    ])
    return nk.convert(model, neuron_type=nengo_snnext.KLIF(),
                      calibration_data=x_train[:50].reshape(-1, 8, 8, 1), synapse=0.005)


def test_builds_and_runs_a_few_images(converter):
    _, (x_test, y_test) = load_digits()
    result = evaluate_converted(converter, x_test[:4], y_test[:4], n_steps=20, reference=True,
                                progress=False)
    report = result["report"]
    conv_a, conv_b = (next(e for e in report.ensembles if e.label.startswith(name))
                      for name in ("conv_a", "conv_b"))
    assert not conv_a.on_chip  # the input layer
    assert conv_b.on_chip and conv_b.cores == 1 and conv_b.compartments == 2 * 2 * 8
    assert report.folded  # conv_b's bias relay, folded into its biases
    assert 0 <= result["accuracy"] <= 1 and result["accuracy"] * 4 == int(result["accuracy"] * 4)
    assert result["seconds"] > 0 and result["n_images"] == 4
    # the same network on the emulator and in nengo.Simulator: the same classes mostly
    assert np.mean(result["predictions"] == result["nengo_predictions"]) >= 0.75


def test_bad_arguments(converter):
    x = np.zeros((3, 64))
    with pytest.raises(ValidationError, match="must match"):
        evaluate_converted(converter, x, np.zeros(2), n_steps=10)
    with pytest.raises(ValidationError, match="skip_steps"):
        evaluate_converted(converter, x, np.zeros(3), n_steps=10, skip_steps=10)
    with pytest.raises(ValidationError, match="input node"):
        evaluate_converted(converter, np.zeros((3, 10)), np.zeros(3), n_steps=10)


def test_chip_latency_counts_on_chip_layers():
    import nengo

    from nengo_snnext import KLIF
    from nengo_snnext.loihi import prepare
    from nengo_snnext.loihi.evaluate import chip_latency

    with nengo.Network() as net:
        stim = nengo.Node(np.zeros(3))
        layers = [nengo.Ensemble(3, 1, neuron_type=KLIF()) for _ in range(4)]
        out = nengo.Node(size_in=3)
        nengo.Connection(stim, layers[0].neurons)
        for pre, post in zip(layers, layers[1:]):
            nengo.Connection(pre.neurons, post.neurons)
        nengo.Connection(layers[1].neurons, layers[3].neurons)  # a shortcut: not the longest
        nengo.Connection(layers[3].neurons, out)
        nengo.Connection(layers[3].neurons, layers[2].neurons)  # a back edge
    prepare(net)  # layers[0] is the input layer, off chip

    def on_chip(ens):
        return net.config[ens].on_chip is not False

    assert chip_latency(net, stim, out, on_chip) == 3
    assert chip_latency(net, stim, layers[1], on_chip) == 1
