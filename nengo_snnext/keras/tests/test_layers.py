"""Keras layers against nengo.Simulator: the same spikes for every deterministic type."""

import nengo
import numpy as np
import pytest
import tensorflow as tf
from nengo.exceptions import ValidationError

import nengo_snnext
import nengo_snnext.keras as nk
from nengo_snnext.keras.tests.conftest import nengo_spikes, zero_state

# (neuron type, range of the input currents): every deterministic family and its corners
DETERMINISTIC = [
    (nengo_snnext.DiscreteLIF(), (-1, 4)),
    (nengo_snnext.DiscreteLIF(tau=0.005, threshold=2.0, reset=-0.5, input_scaling="none"),
     (-1, 3)),
    (nengo_snnext.KLIF(), (-1, 4)),
    (nengo_snnext.KLIF(k=1.5, activation="celu", amplitude=0.01), (-1, 4)),
    (nengo_snnext.KLIF(k=3.0, activation="leaky_relu"), (-1, 3)),
    (nengo_snnext.KLIF(k=1.7, scale_reset=True), (-1, 4)),  # KLIF*
    (nengo_snnext.KLIF(k=0.6, scale_reset=True, input_scaling="none"), (-1, 3)),
    (nengo_snnext.AltNeuralOscillation(c=-0.1441, d=-0.1762), (-0.5, 1.5)),
    (nengo_snnext.AltNeuralOscillation(form="F3", c=-1.0, d=-0.2), (-0.5, 1.5)),
    (nengo_snnext.AltNeuralOscillation(form="F4", c=2.0, d=0.1, input_scaling="tau",
                                       tau=0.004), (-0.5, 3)),
    (nengo_snnext.MIF(), (0, 6)),
    (nengo_snnext.MIF(memristive=False, E_rest=-0.07, V_th=-0.055, V_reset=-0.075,
                      tau_ref=0.002), (0, 4)),
    (nengo_snnext.MIF2(), (0, 6)),
    (nengo_snnext.MIF2(set_fraction=0.1, tau_relax=0.05, E_reset=-0.05), (0, 6)),
]


def layer_spikes(neuron_type, J, **kwargs):
    layer = nk.SpikingNeurons(neuron_type, dtype="float64", **kwargs)
    return layer(tf.constant(J)).numpy(), layer


@pytest.mark.parametrize("neuron_type, J_range", DETERMINISTIC, ids=lambda p: str(p))
def test_spikes_equal_nengo_simulator(neuron_type, J_range, rng):
    # MIF's voltage starts at rest (E_rest), the others at 0
    start = {"voltage": getattr(neuron_type, "E_rest", 0.0)}
    neuron_type = zero_state(neuron_type, **start)
    J = rng.uniform(*J_range, size=(3, 40, 2, 4))  # conv-like trailing shape
    reference = nengo_spikes(neuron_type, J)
    spikes, _ = layer_spikes(neuron_type, J)
    assert spikes.shape == J.shape
    assert np.array_equal(spikes, reference), np.count_nonzero(spikes != reference)
    assert 0.02 < np.mean(reference > 0) < 0.98  # the inputs exercise both outcomes


@pytest.mark.parametrize("training", ["rate", "surrogate"])
def test_inference_is_spiking_in_both_modes_and_named_layer_equals_generic(training, rng):
    neuron_type = nengo_snnext.KLIF(k=1.5)
    J = rng.uniform(-1, 4, size=(2, 30, 5))
    generic, _ = layer_spikes(neuron_type, J, training=training)
    named = nk.KLIF(k=1.5, training=training, dtype="float64")(tf.constant(J)).numpy()
    assert np.array_equal(generic, named)
    assert np.array_equal(generic, nengo_spikes(zero_state(neuron_type), J))


def test_rate_mode_training_output_is_training_rate(rng):
    neuron_type = nengo_snnext.KLIF(k=1.5)
    J = rng.uniform(-1, 4, size=(2, 5, 3))
    layer = nk.SpikingNeurons(neuron_type, dtype="float64")
    out = layer(tf.constant(J), training=True).numpy()
    expected = neuron_type.training_equation(
        nengo_snnext.ops.NUMPY_OPS, J, dt=0.001, **neuron_type.training_rate_params(0.001))
    assert np.allclose(out, expected, rtol=1e-12, atol=0)


def test_float32_layer_close_to_float64(rng):
    J = rng.uniform(-1, 4, size=(2, 50, 8))
    spikes64, _ = layer_spikes(nengo_snnext.KLIF(k=1.5), J)
    spikes32 = nk.KLIF(k=1.5)(tf.constant(J, tf.float32)).numpy()
    assert spikes32.dtype == np.float32
    assert np.mean(spikes32 != spikes64) < 0.01


def test_state_options_follow_keras_rnn(rng):
    neuron_type = nengo_snnext.DiscreteLIF()
    J = rng.uniform(0, 4, size=(2, 20, 3))
    full, _ = layer_spikes(neuron_type, J)
    last, _ = layer_spikes(neuron_type, J, return_sequences=False)
    assert np.array_equal(last, full[:, -1])
    layer = nk.DiscreteLIF(return_state=True, dtype="float64")
    out, voltage = layer(tf.constant(J))
    assert np.array_equal(out.numpy(), full) and voltage.shape == (2, 3)
    # stateful: two halves continue like one run; reset_states starts over
    stateful = nk.DiscreteLIF(stateful=True, dtype="float64")
    model = tf.keras.Sequential([tf.keras.Input(batch_shape=(2, None, 3), dtype="float64"),
                                 stateful])
    halves = [model(tf.constant(J[:, :10])), model(tf.constant(J[:, 10:]))]
    assert np.array_equal(np.concatenate(halves, axis=1), full)
    stateful.reset_states()
    assert np.array_equal(model(tf.constant(J[:, :10])).numpy(), full[:, :10])


def test_initial_state_constant_from_neuron_type(rng):
    neuron_type = nengo_snnext.DiscreteLIF(initial_state={"voltage": 0.7})
    J = rng.uniform(0, 2, size=(1, 10, 4))
    spikes, _ = layer_spikes(neuron_type, J)
    assert np.array_equal(spikes, nengo_spikes(zero_state(neuron_type, voltage=0.7), J))
    with pytest.raises(ValidationError, match="one constant"):
        nk.DiscreteLIF(initial_state={"voltage": nengo.dists.Uniform(0, 1)})


def test_errors_are_clear(rng):
    with pytest.raises(ValidationError, match="no surrogate.*training='rate'"):
        nk.MIF(training="surrogate")
    with pytest.raises(ValidationError, match="no surrogate"):
        nk.SpikingNeurons(nengo_snnext.MIF2(), training="surrogate")
    with pytest.raises(ValidationError, match="training kind"):
        nk.KLIF(training="spikes")
    with pytest.raises(ValidationError, match="trainable_k needs a KLIF"):
        nk.DiscreteLIF(trainable_k=True)
    with pytest.raises(ValidationError, match="outside k_range"):
        nk.KLIF(k=6.0)
    nk.KLIF(k=6.0, trainable_k=False)  # fixed k may be anything the type accepts
    with pytest.raises(ValidationError, match="tabulated.*surrogate"):
        nk.NeuralOscillation(trainable_threshold=True)
    with pytest.raises(ValidationError, match="thesis membrane"):
        nk.NoisyLIF(trainable_tau=True, training="surrogate")
    with pytest.raises(ValidationError, match="dt"):
        nk.KLIF(dt=0.003)  # dt > tau: negative leak
    with pytest.raises(ValidationError, match="neuron_type= or the neuron parameters"):
        nk.KLIF(neuron_type=nengo_snnext.KLIF(), k=2.0)
    with pytest.raises(ValidationError, match="runs KLIF neurons"):
        nk.KLIF(neuron_type=nengo_snnext.DiscreteLIF())
    with pytest.raises(ValidationError, match="nengo-snnext neuron type"):
        nk.SpikingNeurons(nengo.LIF())
    with pytest.raises(ValueError, match=r"\(batch, time, \.\.\.\)"):
        nk.KLIF()(tf.zeros((4, 10)))
    J = rng.uniform(0, 2, size=(2, 10, 3))
    J[1, 4, 2] = np.nan
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-finite input currents"):
        nk.KLIF(dtype="float64")(tf.constant(J))


@pytest.mark.parametrize("neuron_type, J_range", DETERMINISTIC[::3], ids=lambda p: str(p))
def test_short_sequences_unroll_and_compile_the_same_spikes(neuron_type, J_range, rng):
    start = {"voltage": getattr(neuron_type, "E_rest", 0.0)}
    neuron_type = zero_state(neuron_type, **start)
    J = rng.uniform(*J_range, size=(3, nk.layers.UNROLL_STEPS, 2, 4))
    spikes, layer = layer_spikes(neuron_type, J)  # unroll=None, jit_compile=None: both on
    assert layer.layer.unroll and layer.layer.cell.compiled_step is not None
    assert np.array_equal(spikes, nengo_spikes(neuron_type, J))
    # float32: compiled and uncompiled steps agree spike for spike
    x = tf.constant(J, tf.float32)
    compiled = nk.SpikingNeurons(neuron_type)(x).numpy()
    plain = nk.SpikingNeurons(neuron_type, unroll=False, jit_compile=False)(x).numpy()
    assert np.array_equal(compiled, plain)
    # a time axis longer than UNROLL_STEPS, or not static, is not unrolled
    _, long = layer_spikes(neuron_type, np.concatenate([J, J], axis=1))
    assert not long.layer.unroll and long.layer.cell.compiled_step is None


def test_compiled_surrogate_gradients_equal_uncompiled(rng):
    J = tf.constant(rng.uniform(-1, 4, size=(4, 8, 6)))
    coefficients = tf.constant(rng.standard_normal((4, 8, 6)))
    grads = []
    for jit_compile in [True, False]:
        layer = nk.KLIF(k=1.5, training="surrogate", trainable_tau=True, trainable_threshold=True,
                        jit_compile=jit_compile, dtype="float64")
        with tf.GradientTape() as tape:
            tape.watch(J)
            # training=False: the compiled step (fit's training=True runs it uncompiled)
            loss = tf.reduce_sum(layer(J, training=False) * coefficients)
        variables = sorted(layer.trainable_weights, key=lambda w: w.name)
        grads.append([g.numpy() for g in tape.gradient(loss, [J, *variables])])
    assert len(grads[0]) == 4 and all(np.any(g != 0) for g in grads[0])
    for compiled, plain in zip(*grads):
        assert np.allclose(compiled, plain, rtol=1e-12, atol=1e-9)


def test_stochastic_types_are_not_compiled():
    assert nk.NoisyLIF(seed=0).resolve_unroll(4) == (True, False)
    with pytest.raises(ValidationError, match="jit_compile=True.*random numbers"):
        nk.NeuralOscillation(seed=0, jit_compile=True)
    with pytest.raises(ValueError, match="unroll=True needs a static time axis"):
        nk.KLIF(unroll=True).resolve_unroll(None)


@pytest.mark.parametrize("neuron_type, on_calling_thread", [
    (nengo_snnext.MIF2(), True),  # jit_step types: backends/dl/xla.py
    (nengo_snnext.KLIF(), False),
], ids=str)
def test_long_steps_are_compiled_to_run_on_the_calling_thread(neuron_type, on_calling_thread):
    inp = tf.keras.Input((4, 16))
    layer = nk.SpikingNeurons(neuron_type)
    model = tf.keras.Model(inp, layer(inp))
    x = np.linspace(0, 6, 2 * 4 * 16).reshape(2, 4, 16).astype(np.float32)
    assert np.count_nonzero(model.predict(x, verbose=0)) > 0
    cell = layer.layer.cell
    spec = tf.TensorSpec((None, 16), tf.float32)  # as Keras traces predict
    states = [spec] * len(neuron_type.state)
    graph = cell.compiled_step.get_concrete_function(spec, states).graph
    conditional = any(op.type in ("If", "StatelessIf") for op in graph.get_operations())
    assert conditional == on_calling_thread
