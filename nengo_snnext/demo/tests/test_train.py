import time

import numpy as np
import pytest

from nengo_snnext.demo.datasets import ImageData
from nengo_snnext.demo.train import (
    Schedule,
    TrainingClock,
    annealed_rate,
    averaged_weights,
    fit_schedule,
    predict,
)


def test_annealed_rate_is_cosine_over_batches():
    n = 10
    rates = [annealed_rate(2.0, b, n) for b in range(n + 1)]
    assert np.allclose(rates, 1.0 + np.cos(np.pi * np.arange(n + 1) / n))
    assert annealed_rate(2.0, 20, n) == 0.0  # past the end: stays at 0


def test_annealed_rate_follows_the_larger_of_batch_and_time_fractions():
    # a phase that runs out of time anneals by time ...
    assert annealed_rate(1.0, 1, 100, elapsed=5.0, seconds=10.0) == pytest.approx(0.5)
    assert annealed_rate(1.0, 1, 100, elapsed=10.0, seconds=10.0) == pytest.approx(0.0)
    # ... one that runs out of batches first anneals by batches
    assert annealed_rate(1.0, 50, 100, elapsed=1.0, seconds=10.0) == pytest.approx(0.5)
    assert annealed_rate(1.0, 0, 100, elapsed=0.0, seconds=0.0) == 0.0


def test_training_clock_excludes_pauses():
    clock = TrainingClock()
    with clock.pause():
        time.sleep(0.2)
    assert clock() < 0.1
    time.sleep(0.05)
    assert 0.05 <= clock() < 0.2


def tiny_data(n=64, rng=np.random.RandomState(0)):
    """Random 4x4 images with labels 0-9 (klif_cnn has 10 classes); only timing is tested."""
    y = np.arange(n) % 10
    x = rng.uniform(0, 1, size=(n, 4, 4, 1)).astype(np.float32)
    return ImageData("tiny", x, y, x[:16], y[:16])


def test_fit_schedule_time_budget_and_checkpoints():
    pytest.importorskip("tensorflow")
    from nengo_snnext.networks import klif_cnn

    data = tiny_data()

    def make(steps, training):
        return klif_cnn.build(data.image_shape, steps=steps, channels=2, hidden=8,
                              training=training)

    calls = []

    def checkpoint(model, seconds):
        calls.append((model.input.shape[1], seconds))
        time.sleep(0.01)  # paused: must not count against the budget

    # a budget far below one epoch: each phase stops after the first batch that ends
    # past its share of the time (the first batch, with tracing, may already do so)
    # (not XLA-compiled: the compile would only add seconds to this test)
    schedule = Schedule(steps=2, rate_epochs=1000, surrogate_epochs=1000, batch=8,
                        rate_batch=8, time_budget=2.0, rate_share=0.5, jit_compile=False)
    model, log = fit_schedule(make, data, schedule, progress=False, checkpoints=checkpoint)
    assert model.input.shape[1] == 2
    # one checkpoint per batch, the rate model first, with the training seconds so far
    assert [c[0] for c in calls] == [1] * log["rate_batches"] + [2] * log["surrogate_batches"]
    rate = [c[1] for c in calls[:log["rate_batches"]]]
    surrogate = [c[1] for c in calls[log["rate_batches"]:]]
    assert np.all(np.diff(rate + surrogate) > 0)
    assert max(rate[:-1], default=0) < 1.0 <= rate[-1] <= log["rate_seconds"]
    assert max(surrogate[:-1], default=0) < 2.0 <= surrogate[-1]
    assert log["rate_seconds"] + log["surrogate_seconds"] == pytest.approx(surrogate[-1], abs=0.1)


@pytest.mark.parametrize("jit_compile", [None, False])
def test_predict_equals_keras_predict(jit_compile):
    tf = pytest.importorskip("tensorflow")
    from nengo_snnext.networks import klif_cnn

    data = tiny_data(n=16)
    model = klif_cnn.build(data.image_shape, steps=3, channels=2, hidden=8, seed=1)
    model.set_weights([5 * w for w in model.get_weights()])  # spiking, not silent
    # Keras' own predict of the repeated images; 7-image minibatches leave a short last one
    expected = model.predict(np.repeat(data.x_train[:, None], 3, axis=1), batch_size=7,
                             verbose=0)
    assert expected.std() > 0
    got = predict(model, data.x_train, batch=7, jit_compile=jit_compile)
    assert got.shape == expected.shape
    # outputs are vote counts / (steps * votes), multiples of 1/30: one spike more or
    # less moves one by 0.033; XLA may sum the time steps in another order (1e-7)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    tf.keras.backend.clear_session()


def test_fit_schedule_without_rate_phase():
    pytest.importorskip("tensorflow")
    from nengo_snnext.networks import klif_cnn

    data = tiny_data()
    made = []

    def make(steps, training):
        made.append(training)
        return klif_cnn.build(data.image_shape, steps=steps, channels=2, hidden=8,
                              training=training)

    schedule = Schedule(steps=2, rate_epochs=0, surrogate_epochs=0.25, batch=8)
    model, log = fit_schedule(make, data, schedule, progress=False)
    assert made == ["surrogate"]
    assert log["rate_batches"] == 0 and log["surrogate_batches"] == 2
    assert model.input.shape[1] == 2


@pytest.mark.parametrize("jit_compile", [False, True])
def test_averaged_weights_are_the_bias_corrected_moving_average(jit_compile):
    pytest.importorskip("tensorflow")
    from nengo_snnext.networks import klif_cnn

    data = tiny_data()
    momentum = 0.8

    def make(steps, training):
        return klif_cnn.build(data.image_shape, steps=steps, channels=2, hidden=8,
                              training=training)

    trained, averaged = [], []

    def checkpoint(model, seconds):
        trained.append([v.numpy() for v in model.trainable_variables])
        with averaged_weights(model):
            averaged.append([v.numpy() for v in model.trainable_variables])
        # the trained weights are back after the block
        for var, value in zip(model.trainable_variables, trained[-1]):
            np.testing.assert_array_equal(var.numpy(), value)

    schedule = Schedule(steps=2, rate_epochs=0, surrogate_epochs=0.75, batch=8, lr=1e-2,
                        average=momentum, jit_compile=jit_compile)
    model, log = fit_schedule(make, data, schedule, progress=False, checkpoints=checkpoint)
    assert log["surrogate_batches"] == len(trained) == 6
    # the closed form: after n updates, sum(m**(n-i) w_i) / sum(m**(n-i)), i = 1..n
    for n in range(1, len(trained) + 1):
        weights = momentum ** np.arange(n - 1, -1, -1)
        for k, average in enumerate(averaged[n - 1]):
            expected = sum(w * t[k] for w, t in zip(weights, trained[:n])) / weights.sum()
            np.testing.assert_allclose(average, expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(averaged[-1][0], trained[-1][0])  # an average, not the last
    # the trained model holds the final average
    for var, average in zip(model.trainable_variables, averaged[-1]):
        np.testing.assert_allclose(var.numpy(), average, rtol=1e-6, atol=1e-7)


def test_averaged_weights_without_averages_leaves_the_model():
    pytest.importorskip("tensorflow")
    from nengo_snnext.networks import klif_cnn

    model = klif_cnn.build((4, 4, 1), steps=2, channels=2, hidden=8)
    before = [v.numpy() for v in model.trainable_variables]
    with averaged_weights(model) as inside:
        assert inside is model
        for var, value in zip(model.trainable_variables, before):
            np.testing.assert_array_equal(var.numpy(), value)
