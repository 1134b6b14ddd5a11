"""Stochastic layers (NeuralOscillation, NoisyLIF): rates against the exact rates and
nengo.Simulator, seeded counter-based noise, NoisyLIF's normalisation axis."""

import numpy as np
import pytest
import tensorflow as tf

import nengo_snnext
import nengo_snnext.keras as nk
from nengo_snnext.keras.tests.conftest import nengo_spikes

DT = 0.001


def run(layer, J):
    return tf.function(layer)(tf.constant(J)).numpy()


def spike_fraction(spikes, settle):
    """Per-sample fraction of steps with a spike after ``settle`` steps: (batch, ...)."""
    return np.mean(spikes[:, settle:] > 0, axis=1)


def assert_within_se(estimates, expected, n_se=4.0, floor=2e-3):
    """Mean of per-sample ``estimates`` (axis 0) within ``n_se`` standard errors of ``expected``."""
    mean = estimates.mean(axis=0)
    se = estimates.std(axis=0, ddof=1) / np.sqrt(estimates.shape[0])
    assert np.all(np.abs(mean - expected) <= n_se * se + floor), (mean, expected, se)


@pytest.mark.parametrize("neuron_type", [
    nengo_snnext.NeuralOscillation(),
    nengo_snnext.NeuralOscillation(noise="gaussian", negative_slope=-0.5, tau=0.004),
], ids=str)
def test_oscillation_rates_equal_exact_rates(neuron_type):
    J = np.array([-60.0, -0.3, 0.0, 0.3, 0.6, 1.0, 1.5])
    layer = nk.NeuralOscillation(neuron_type=neuron_type, seed=3, dtype="float64")
    spikes = run(layer, np.tile(J, (48, 300, 1)))
    expected = neuron_type.rate_from_current(J) * DT  # exact stationary spikes per step
    assert_within_se(spike_fraction(spikes, settle=30), expected)
    assert 0.05 < expected.mean() < 0.95


@pytest.mark.parametrize("noise", ["gaussian", "uniform"])
def test_noisy_lif_single_step_rates_equal_exact_rates(noise):
    neuron_type = nengo_snnext.NoisyLIF(noise=noise, temporal=False)
    J = np.linspace(-0.1, 1.1, 12).reshape(3, 4)  # one ensemble of 12 neurons per sample
    layer = nk.NoisyLIF(neuron_type=neuron_type, seed=5, dtype="float64")
    spikes = run(layer, np.tile(J, (48, 200, 1, 1)))
    expected = neuron_type.rate_from_current(J.reshape(-1)).reshape(J.shape) * DT
    assert_within_se(spike_fraction(spikes, settle=0), expected)


def test_noisy_lif_temporal_rates_equal_nengo_simulator():
    neuron_type = nengo_snnext.NoisyLIF()
    J = np.linspace(-0.2, 0.9, 10)
    layer = nk.NoisyLIF(seed=7, dtype="float64")
    spikes = run(layer, np.tile(J, (48, 250, 1)))
    reference = nengo_spikes(neuron_type, np.tile(J, (1, 12000, 1)), seed=1)
    # nengo: 48 blocks of 250 steps, like the Keras samples
    blocks = spike_fraction(reference[0, :12000].reshape(48, 250, -1), settle=20)
    ours = spike_fraction(spikes, settle=20)
    se = np.hypot(ours.std(axis=0, ddof=1), blocks.std(axis=0, ddof=1)) / np.sqrt(48)
    assert np.all(np.abs(ours.mean(axis=0) - blocks.mean(axis=0)) <= 4 * se + 2e-3)


def test_noisy_lif_normalises_over_flattened_trailing_axes_per_sample(rng):
    J = rng.uniform(0, 1, size=(4, 30, 3, 4))
    flat = J.reshape(4, 30, 12)
    conv = run(nk.NoisyLIF(seed=2, dtype="float64"), J)
    dense = run(nk.NoisyLIF(seed=2, dtype="float64"), flat)
    assert np.array_equal(conv.reshape(4, 30, 12), dense)
    # a sample does not depend on the others in its minibatch (per-sample normalisation)
    alone = run(nk.NoisyLIF(seed=2, dtype="float64"), flat[:1])
    assert np.array_equal(alone, dense[:1])
    assert not np.array_equal(dense[0], dense[1])  # fresh noise per sample


@pytest.mark.parametrize("layer_class", [nk.NeuralOscillation, nk.NoisyLIF])
def test_seeds_reproduce_and_differ(layer_class):
    J = np.full((2, 50, 6), 0.5)
    first = run(layer_class(seed=1, dtype="float64"), J)
    assert np.array_equal(first, run(layer_class(seed=1, dtype="float64"), J))
    assert not np.array_equal(first, run(layer_class(seed=2, dtype="float64"), J))
    assert not np.array_equal(first[0], first[1])  # per sample
    assert not np.array_equal(first[:, :25], first[:, 25:])  # per step
    unseeded = layer_class(dtype="float64")
    assert not np.array_equal(unseeded(tf.constant(J)).numpy(), unseeded(tf.constant(J)).numpy())


def test_stochastic_surrogate_training_has_input_gradient(rng):
    J = tf.constant(rng.uniform(0, 1, size=(2, 10, 6)))
    for layer in (nk.NeuralOscillation(seed=1, training="surrogate", trainable_threshold=True,
                                       dtype="float64"),
                  nk.NoisyLIF(seed=1, training="surrogate", trainable_threshold=True,
                              per_channel=True, dtype="float64")):
        with tf.GradientTape() as tape:
            tape.watch(J)
            loss = tf.reduce_sum(layer(J, training=True))
        dJ, dth = tape.gradient(loss, [J] + layer.trainable_weights)
        assert np.all(np.isfinite(dJ)) and np.count_nonzero(dJ.numpy()) > 0
        assert np.count_nonzero(dth.numpy()) > 0
