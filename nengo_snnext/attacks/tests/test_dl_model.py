"""Attacks on a converted network running in nengo_dl.Simulator."""

import numpy as np
import pytest

nengo_dl = pytest.importorskip("nengo_dl")
tf = pytest.importorskip("tensorflow")

import nengo_snnext  # noqa: E402
import nengo_snnext.keras as nk  # noqa: E402
from nengo_snnext import attacks  # noqa: E402

N_STEPS = 5


@pytest.fixture(scope="module")
def converted():
    """A temporal Keras model (Dense -> LIF -> Dense per step) and its NengoDL simulator."""
    tf.keras.utils.set_random_seed(0)
    inputs = tf.keras.Input((N_STEPS, 6))
    hidden = tf.keras.layers.Dense(16, kernel_initializer=tf.keras.initializers.RandomNormal(
        0.0, 1.0, seed=0))(inputs)
    spikes = nk.DiscreteLIF(input_scaling="none", amplitude=0.001, training="surrogate")(hidden)
    logits = tf.keras.layers.Dense(3)(spikes)  # per step; the mean over time is the readout
    model = tf.keras.Model(inputs, logits)
    converter = nengo_dl.Converter(model, temporal_model=True, allow_fallback=False)
    with converter.net:
        nengo_snnext.configure_training("surrogate")
    with nengo_dl.Simulator(converter.net, minibatch_size=8, progress_bar=False) as sim:
        wrapped = attacks.NengoDLModel(sim, converter.inputs[inputs], converter.outputs[logits],
                                       n_steps=N_STEPS, readout="mean")

        def keras_static(x, training=False):  # the same network in Keras, on static inputs
            return tf.reduce_mean(model(tf.repeat(x[:, None], N_STEPS, axis=1),
                                        training=training), axis=1)

        yield wrapped, keras_static, sim, converter


def test_nengo_dl_logits_and_gradients_equal_keras(converted, rng):
    wrapped, keras_static, _, _ = converted
    x = rng.uniform(0, 1, size=(11, 6)).astype(np.float32)  # not a multiple of the minibatch
    y = rng.randint(0, 3, size=11)
    assert np.allclose(wrapped(x).numpy(), keras_static(tf.constant(x)).numpy(), atol=1e-5)
    grad_dl = attacks.input_gradient(wrapped, x, y)
    grad_keras = attacks.input_gradient(keras_static, x, y)
    assert np.mean(grad_dl != 0) > 0.5  # surrogate BPTT through NengoDL's simulation
    assert np.allclose(grad_dl, grad_keras, atol=1e-5)


@pytest.mark.slow  # about 80 s; the gradient test above covers the NengoDL wrapper by default
def test_fgsm_and_pgd_on_nengo_dl(converted, rng):
    wrapped, keras_static, _, _ = converted
    x = rng.uniform(0, 1, size=(16, 6)).astype(np.float32)
    y = rng.randint(0, 3, size=16)
    eps = 0.1
    for attack in (attacks.fgsm, attacks.pgd):
        adversarial = attack(wrapped, x, y, eps=eps)
        assert np.max(np.abs(adversarial - x)) <= eps + 1e-7
        assert adversarial.min() >= 0 and adversarial.max() <= 1
        # the same attack on the Keras original: the same adversarial inputs (up to
        # float32 sign flips of near-zero gradient entries)
        assert np.mean(np.isclose(adversarial, attack(keras_static, x, y, eps=eps))) > 0.95
        loss_clean = attacks.eot.cross_entropy(y, wrapped(x)).numpy().mean()
        assert attacks.eot.cross_entropy(y, wrapped(adversarial)).numpy().mean() > loss_clean


def test_nengo_dl_model_errors(converted):
    _, _, sim, converter = converted
    probe = sim.model.probes[0]
    with pytest.raises(ValueError, match="readout"):
        attacks.NengoDLModel(sim, next(iter(converter.inputs.values())), probe, 5, readout="max")
    with pytest.raises(ValueError, match="n_steps"):
        attacks.NengoDLModel(sim, next(iter(converter.inputs.values())), probe, 0)
