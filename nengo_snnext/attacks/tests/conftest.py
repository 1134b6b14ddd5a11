"""Small models shared by the attack tests."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import nengo_snnext.keras as nk  # noqa: E402


def linear_model(weights, bias, dtype="float64"):
    """Logits ``x W + b`` of flat inputs ``(batch, n)``: FGSM's closed form is known."""
    n_in, n_out = weights.shape
    inputs = tf.keras.Input((n_in,), dtype=dtype)
    dense = tf.keras.layers.Dense(n_out, dtype=dtype)
    model = tf.keras.Model(inputs, dense(inputs))
    dense.set_weights([weights, bias])
    return model


def spiking_model(neuron="LIF", n_in=12, n_steps=4, hidden=16, seed=0, training="surrogate"):
    """Static input ``(batch, n_in)`` -> Dense -> spikes over ``n_steps`` -> Dense(3), mean."""
    tf.keras.utils.set_random_seed(seed)
    layer = {
        "LIF": lambda: nk.DiscreteLIF(input_scaling="none", amplitude=0.001, training=training),
        "NO": lambda: nk.NeuralOscillation(amplitude=0.001, training=training),
        "ALT": lambda: nk.AltNeuralOscillation(c=-0.14, d=-0.18, amplitude=0.001,
                                               training=training),
    }[neuron]()
    inputs = tf.keras.Input((n_in,))
    x = tf.keras.layers.Dense(hidden, kernel_initializer=tf.keras.initializers.RandomNormal(
        0.0, 1.0, seed=seed))(inputs)
    x = tf.keras.layers.Lambda(lambda v: tf.repeat(v[:, None], n_steps, axis=1))(x)
    x = layer(x)
    x = tf.keras.layers.Dense(3)(x)
    return tf.keras.Model(inputs, nk.TimeMean()(x))


@pytest.fixture
def data():
    """Inputs in [0, 1] with exact corners (0 and 1 must stay in range) and labels."""
    rng = np.random.RandomState(1)
    x = rng.uniform(0, 1, size=(20, 12)).astype(np.float32)
    x[0], x[1] = 0.0, 1.0
    return x, rng.randint(0, 3, size=20)
