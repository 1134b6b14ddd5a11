"""Teacher-student fitting moves (c, d) to the teacher's median threshold."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import nengo_snnext  # noqa: E402
import nengo_snnext.keras as nk  # noqa: E402
from nengo_snnext import attacks  # noqa: E402
from nengo_snnext.attacks.teacher_student import median_threshold  # noqa: E402


def teacher_model(n_steps=4, size=32):
    """Currents straight into NO neurons (so H spans the firing range), then a readout."""
    inputs = tf.keras.Input((n_steps, size))
    spikes = nk.NeuralOscillation(amplitude=0.001, training="surrogate", name="no")(inputs)
    outputs = nk.TimeMean()(tf.keras.layers.Dense(3)(spikes))
    return tf.keras.Model(inputs, outputs)


def test_fit_moves_cd_toward_the_teachers_median_threshold(rng):
    teacher = teacher_model()
    x = rng.uniform(-0.2, 1.5, size=(200, 4, 32)).astype(np.float32)
    start = nengo_snnext.AltNeuralOscillation(c=0.0, d=0.0).effective_threshold()  # about 0.51
    fit = attacks.fit_alternative(teacher, x, epochs=3, batch_size=20, learning_rate=0.02,
                                  progress=False)
    assert fit.median_threshold == pytest.approx(0.7)  # 1 - median(U[-0.2, 0.8])
    assert (fit.c, fit.d) != (0.0, 0.0)
    assert abs(fit.effective_threshold - 0.7) < 0.5 * abs(start - 0.7)
    assert abs(fit.effective_threshold - 0.7) < 0.06
    assert fit.losses[-1] <= fit.losses[0]
    # the fitted neuron's own effective_threshold is what the fit reports
    neuron = nengo_snnext.AltNeuralOscillation(c=fit.c, d=fit.d)
    assert neuron.effective_threshold() == pytest.approx(fit.effective_threshold)


def test_median_threshold_of_gaussian_noise():
    assert median_threshold(nengo_snnext.NeuralOscillation(noise="gaussian")) == 1.0
    assert median_threshold(nengo_snnext.NeuralOscillation(threshold=2.0)) == pytest.approx(1.7)


def test_alternative_network_keeps_weights_and_swaps_neurons(rng):
    teacher = teacher_model()
    student = attacks.alternative_network(teacher, c=-0.1441, d=-0.1762)
    layer = student.get_layer("no")
    assert isinstance(layer, nk.AltNeuralOscillation)
    assert (layer.neuron_type.c, layer.neuron_type.d) == (-0.1441, -0.1762)
    assert layer.training == "surrogate"
    for a, b in zip(teacher.get_weights(), student.get_weights()):
        assert np.array_equal(a, b)
    x = rng.uniform(0, 1.5, size=(4, 4, 32)).astype(np.float32)
    assert np.array_equal(student(x).numpy(), student(x).numpy())  # deterministic
    with pytest.raises(ValueError, match="no NeuralOscillation layers"):
        attacks.fit_alternative(student, x)
