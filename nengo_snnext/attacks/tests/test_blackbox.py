"""Square attack: the budget, the range, and the linear model's optimum as a bound."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from nengo_snnext import attacks  # noqa: E402
from nengo_snnext.attacks.blackbox import window_fraction  # noqa: E402


def image_linear_model(weights, bias):
    """Logits of 8 x 8 x 1 images: ``flatten(x) W + b``."""
    inputs = tf.keras.Input((8, 8, 1), dtype="float64")
    dense = tf.keras.layers.Dense(weights.shape[1], dtype="float64")
    model = tf.keras.Model(inputs, dense(tf.keras.layers.Flatten(dtype="float64")(inputs)))
    dense.set_weights([weights, bias])
    return model


def margin(model, x, y):
    logits = model(x).numpy()
    others = logits.copy()
    others[np.arange(len(y)), y] = -np.inf
    return logits[np.arange(len(y)), y] - others.max(axis=1)


def test_square_within_budget_and_bounded_by_linear_optimum(rng):
    """Two classes: the smallest margin in the eps-ball (inside the range) is
    ``m - eps ||w_y - w_o||_1``; random search can approach but never beat it."""
    W, b = rng.normal(size=(64, 2)), np.zeros(2)
    x = rng.uniform(0.2, 0.8, size=(10, 8, 8, 1))
    y = rng.randint(0, 2, size=10)
    eps = 0.05
    model = image_linear_model(W, b)
    adversarial = attacks.square(model, x, y, eps=eps, queries=200, seed=1)
    assert np.max(np.abs(adversarial - x)) <= eps + 1e-12
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    clean = margin(model, x, y)
    optimum = clean - eps * np.abs(W[:, y] - W[:, 1 - y]).sum(axis=0)
    reached = margin(model, adversarial, y)
    assert np.all(reached >= optimum - 1e-9)
    # most of the way to the optimum where not fooled yet
    fooled = reached < 0
    gain = (clean - reached) / (clean - optimum)
    assert np.all(fooled | (gain > 0.5))


def test_square_schedule_and_errors(rng):
    assert window_fraction(0, 10000) == 0.05
    assert window_fraction(11, 10000) == 0.025
    assert window_fraction(50, 100) == 0.05 / 2**7  # 5000 of 10000: seven halvings
    model = image_linear_model(rng.normal(size=(64, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="images"):
        attacks.square(model, np.zeros((2, 64)), np.zeros(2, int))
    with pytest.raises(ValueError, match="at least 1"):
        attacks.square(model, np.zeros((2, 8, 8, 1)), np.zeros(2, int), queries=0)
