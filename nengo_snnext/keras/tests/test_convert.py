"""nengo_snnext.keras.convert: the ReLU swap, the conversion errors, temporal models.

References: closed forms of the rate curves (``rate_from_current``), Keras
predictions and ``nengo_dl.Simulator`` outputs. The accuracy table of the ReLU
swap (every type, digits CNN) is the slow test ``test_relu_swap_accuracy_table``:
``pytest nengo_snnext/keras/tests/test_convert.py --slow -k table -s``.
"""

import warnings

import nengo
import nengo_dl
import numpy as np
import pytest
import tensorflow as tf

import nengo_snnext
import nengo_snnext.keras as nk
from nengo_snnext.data import load_digits

TD = tf.keras.layers.TimeDistributed


# --- the fit: a R(g x + b) ≈ relu(x) ---------------------------------------------------


def test_fit_of_a_linear_rate_curve_is_ridge_regression(rng):
    # SpikingRectifiedLinear: R(J) = max(J, 0), so with b = 0 the rate is g relu(x), and the
    # expected error (a g - 1)^2 S + a^2 var (S = mean(relu(x)^2), var the count's
    # quantisation over the presentation) is least at a = g S / (g^2 S + var)
    x = rng.normal(0, 2, size=5000)
    steps, dt = 40, 0.001
    fit = nk.fit_relu(nengo.SpikingRectifiedLinear(), x, steps=steps)
    S = np.mean(np.maximum(x, 0) ** 2)
    var = 1 / (12 * (steps * dt) ** 2)
    assert abs(fit.bias) <= 1e-3 * fit.gain * fit.x_ref
    assert fit.relative_error < 1e-4
    # (to the histogram the fit bins x into)
    assert fit.amplitude == pytest.approx(fit.gain * S / (fit.gain**2 * S + var), rel=5e-3)
    assert fit.relative_noise == pytest.approx(fit.amplitude**2 * var / S, rel=1e-2)
    # the rates go up to one spike per step at x_ref (the highest resolution)
    assert fit.gain * fit.x_ref == pytest.approx(0.98 / dt, rel=0.02)


@pytest.mark.parametrize("neuron_type", [
    nengo_snnext.DiscreteLIF(), nengo_snnext.KLIF(k=1.5), nengo_snnext.AltNeuralOscillation(),
    nengo_snnext.NeuralOscillation(), nengo_snnext.NoisyLIF(temporal=False),
    nengo_snnext.MIF(), nengo_snnext.MIF2(), nengo.LIF(),
], ids=lambda t: type(t).__name__)
def test_fit_stays_below_the_ceiling_and_reports_its_error(neuron_type, rng):
    x = rng.normal(0.2, 1.0, size=20000)  # half-rectified-normal activations
    fit = nk.fit_relu(neuron_type, x, n_neurons=64)
    dt = getattr(neuron_type, "dt", 0.001)
    if isinstance(neuron_type, nengo_snnext.NoisyLIF):
        J = fit.gain * x + fit.bias
        rates = neuron_type.rate_from_current(np.resize(J, (len(J) // 64, 64)), dt).ravel()
        target = np.maximum(np.resize(x, rates.shape), 0)
    elif isinstance(neuron_type, nengo_snnext.neurons._base.SpikingNeuronType):
        rates = neuron_type.rate_from_current(fit.gain * x + fit.bias, dt)
        target = np.maximum(x, 0)
    else:
        rates = neuron_type.rates(fit.gain * x + fit.bias, np.ones(1), np.zeros(1)).ravel()
        target = np.maximum(x, 0)
    # the reported error, recomputed from the raw samples with the exact curve
    error = np.mean((fit.amplitude * rates - target) ** 2) / np.mean(target**2)
    assert error == pytest.approx(fit.relative_error, rel=0.1, abs=2e-3)
    assert error < 0.08
    # x_ref lands on the rising branch (for MIF: before the depolarisation block)
    J_ref = fit.gain * fit.x_ref * np.array([0.5, 1.0]) + fit.bias
    if isinstance(neuron_type, nengo_snnext.NoisyLIF):
        J_ref = np.repeat(J_ref[:, None], 64, axis=1)
    rate_half, rate_ref = np.asarray(
        nk.activations.rate_function(neuron_type, dt, 64)(J_ref)).reshape(2, -1)[:, 0]
    assert 0 < rate_half < rate_ref
    if hasattr(neuron_type, "lock_current"):
        assert J_ref.max() < neuron_type.lock_current


def test_fit_needs_active_calibration_data():
    with pytest.raises(nengo.exceptions.ValidationError, match="never positive"):
        nk.fit_relu(nengo_snnext.KLIF(), -np.ones(10))


# --- the swap in a converted network ---------------------------------------------------


def relu_model(n_in=6, units=8, seed=0):
    tf.random.set_seed(seed)
    inp = tf.keras.Input((n_in,))
    hidden = tf.keras.layers.Dense(units, activation="relu", name="hidden")(inp)
    out = tf.keras.layers.Dense(2, name="out")(hidden)
    return tf.keras.Model(inp, out)


def test_swapped_layer_fires_at_the_fitted_rate(rng):
    # wiring (gain, the Keras bias, the fitted bias, amplitude) against rate_from_current
    model = relu_model()
    dense = model.get_layer("hidden")
    dense.bias.assign(rng.uniform(-0.5, 0.5, size=8))
    x_cal = rng.uniform(0, 1, size=(200, 6))
    neuron_type = nengo_snnext.DiscreteLIF(initial_state={"voltage": nengo.dists.Choice([0])})
    converter = nk.convert(model, neuron_type=neuron_type, calibration_data=x_cal)
    fit = converter.calibration["hidden"]
    ensemble = converter.layers[dense].ensemble
    assert isinstance(ensemble.neuron_type, nengo_snnext.DiscreteLIF)
    assert ensemble.neuron_type.amplitude == pytest.approx(fit.amplitude)

    x = x_cal[:4]
    steps = 600
    with converter.net:
        probe = nengo.Probe(converter.layers[dense])
    with nengo_dl.Simulator(converter.net, minibatch_size=4, progress_bar=False) as sim:
        data = sim.predict({converter.inputs[model.input]: np.repeat(x[:, None], steps, axis=1)},
                           verbose=0)
    counts = (data[probe] > 0).sum(axis=1)
    pre = x @ dense.kernel.numpy() + dense.bias.numpy()
    expected = neuron_type.rate_from_current(fit.gain * pre + fit.bias) * 0.001 * steps
    assert np.all(np.abs(counts - expected) <= 1)  # a constant current fires periodically
    rates = data[probe].mean(axis=1)
    assert np.allclose(rates, fit.amplitude * counts / (steps * 0.001))


@pytest.mark.parametrize("neuron_type", [nengo.SpikingRectifiedLinear(), nengo.LIF()],
                         ids=lambda t: type(t).__name__)
def test_swap_to_nengo_types(neuron_type, rng):
    model = relu_model()
    converter = nk.convert(model, neuron_type=neuron_type,
                           calibration_data=rng.uniform(0, 1, size=(50, 6)))
    ensemble = converter.layers[model.get_layer("hidden")].ensemble
    assert type(ensemble.neuron_type) is type(neuron_type)
    assert ensemble.neuron_type.amplitude == converter.calibration["hidden"].amplitude
    assert neuron_type.amplitude == 1  # the user's instance is unchanged


def digits(image=False):
    (x_train, y_train), (x_test, y_test) = load_digits()
    if image:
        x_train, x_test = x_train.reshape(-1, 8, 8, 1), x_test.reshape(-1, 8, 8, 1)
    return (x_train, y_train), (x_test, y_test)


def train(model, x, y, epochs):
    model.compile(tf.keras.optimizers.Adam(0.003),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


def spiking_accuracy(converter, x, y, steps, *, minibatch=60, seed=0):
    """Accuracy of the converted network: argmax of the output's mean over ``steps``."""
    n = len(x)
    pad = (-n) % minibatch
    x = np.concatenate([x, np.zeros((pad,) + x.shape[1:], x.dtype)]).reshape(n + pad, 1, -1)
    inp, out = next(iter(converter.inputs.values())), next(iter(converter.outputs.values()))
    with nengo_dl.Simulator(converter.net, minibatch_size=minibatch, seed=seed,
                            progress_bar=False) as sim:
        data = sim.predict({inp: np.tile(x, (1, steps, 1))}, verbose=0)
    return np.mean(data[out][:n].mean(axis=1).argmax(axis=-1) == y)


def test_relu_swap_keeps_the_accuracy_of_a_small_digits_model():
    (x_train, y_train), (x_test, y_test) = digits()
    tf.random.set_seed(0)
    model = train(tf.keras.Sequential([
        tf.keras.Input((64,)),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(10),
    ]), x_train, y_train, epochs=20)
    keras_accuracy = np.mean(model.predict(x_test, verbose=0).argmax(axis=-1) == y_test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # NengoDL: Sequential -> functional
        converter = nk.convert(model, neuron_type=nengo_snnext.KLIF(),
                               calibration_data=x_train[:200], synapse=0.005)
    accuracy = spiking_accuracy(converter, x_test, y_test, steps=30)
    assert keras_accuracy > 0.9
    assert accuracy >= keras_accuracy - 0.03, (accuracy, keras_accuracy)


# (label, neuron type): every nengo-snnext family and Nengo's references
TABLE_TYPES = [
    ("nengo.SpikingRectifiedLinear", nengo.SpikingRectifiedLinear()),
    ("nengo.LIF", nengo.LIF()),
    ("DiscreteLIF", nengo_snnext.DiscreteLIF()),
    ("KLIF", nengo_snnext.KLIF()),
    ("KLIF(k=1.5)", nengo_snnext.KLIF(k=1.5)),
    ("AltNeuralOscillation", nengo_snnext.AltNeuralOscillation()),
    ("AltNeuralOscillation(fitted c, d)",
     nengo_snnext.AltNeuralOscillation(c=-0.1441, d=-0.1762)),
    ("NeuralOscillation", nengo_snnext.NeuralOscillation()),
    ("NeuralOscillation(gaussian)", nengo_snnext.NeuralOscillation(noise="gaussian")),
    ("NoisyLIF", nengo_snnext.NoisyLIF()),
    ("NoisyLIF(temporal=False)", nengo_snnext.NoisyLIF(temporal=False)),
    ("MIF", nengo_snnext.MIF()),
    ("MIF(memristive=False)", nengo_snnext.MIF(memristive=False)),
    ("MIF2", nengo_snnext.MIF2()),
]
# within 2 points of Keras with a 5 ms synapse, except (measured, see docs/keras.md):
TABLE_TOLERANCE = {
    # random spikes, fitted to the single-step curve: 1.4 to 2.4 points below over four runs
    "NoisyLIF": 0.03,
    # memoryless Bernoulli spikes: the count over 50 steps is binomial (96.7 % at T = 100)
    "NoisyLIF(temporal=False)": 0.05,
    # the Gaussian noise softens the curve's onset: about 6 % rate-curve error per layer
    # (2.2 to 4.8 points below Keras over four runs)
    "NeuralOscillation(gaussian)": 0.06,
}


def digits_cnn():
    tf.random.set_seed(0)
    inp = tf.keras.Input((8, 8, 1))
    x = tf.keras.layers.Conv2D(16, 3, activation=tf.nn.relu)(inp)
    x = tf.keras.layers.Conv2D(32, 3, strides=2, activation=tf.nn.relu)(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(64, activation=tf.nn.relu)(x)
    return tf.keras.Model(inp, tf.keras.layers.Dense(10)(x))


@pytest.mark.slow
def test_relu_swap_accuracy_table():
    (x_train, y_train), (x_test, y_test) = digits(image=True)
    model = train(digits_cnn(), x_train, y_train, epochs=30)
    keras_accuracy = np.mean(model.predict(x_test, verbose=0).argmax(axis=-1) == y_test)
    steps = 50
    rows = []
    plain = nengo_dl.Converter(model, swap_activations={tf.nn.relu: nengo_snnext.DiscreteLIF()},
                               scale_firing_rates=100, allow_fallback=False)
    rows.append(("DiscreteLIF, NengoDL swap, scale_firing_rates=100", None,
                 spiking_accuracy(plain, x_test, y_test, steps)))
    failures = []
    for label, neuron_type in TABLE_TYPES:
        accuracies = []
        for synapse, seeds in ((None, [0]), (0.005, [0, 1])):
            converter = nk.convert(model, neuron_type=neuron_type,
                                   calibration_data=x_train[:200], synapse=synapse)
            # the mean over simulator seeds (initial states, noise) of the assessed column
            accuracies.append(np.mean([spiking_accuracy(converter, x_test, y_test, steps,
                                                        seed=seed) for seed in seeds]))
        rows.append((label, *accuracies))
        if accuracies[1] < keras_accuracy - TABLE_TOLERANCE.get(label, 0.02):
            failures.append((label, accuracies[1]))
    print(f"\ndigits CNN, {len(y_test)} test images, T = {steps} steps, dt = 1 ms, "
          "readout: argmax of the output's mean over T")
    print("| neuron type | Keras (ReLU) | converted, synapse None | converted, 5 ms "
          "(mean of 2 seeds) |")
    print("|---|---|---|---|")
    for label, no_synapse, synapse in rows:
        no_synapse = "" if no_synapse is None else f"{100 * no_synapse:.1f} %"
        print(f"| {label} | {100 * keras_accuracy:.1f} % | {no_synapse} | "
              f"{100 * synapse:.1f} % |")
    assert keras_accuracy > 0.95
    assert not failures, failures


# --- what does not convert faithfully: one error naming the layer and the fix ----------


def conv_model(*layers, shape=(8, 8, 1)):
    inp = tf.keras.Input(shape)
    x = inp
    for layer in layers:
        x = layer(x)
    return tf.keras.Model(inp, x)


def test_max_pooling_raises_naming_the_layer_and_the_fixes():
    model = conv_model(tf.keras.layers.Conv2D(2, 3, activation="relu"),
                       tf.keras.layers.MaxPooling2D(2, name="pool"))
    with pytest.raises(nk.ConversionError, match=r"'pool' \(MaxPooling2D\).*AveragePooling.*"
                                                 r"max_to_avg_pool=True"):
        nk.convert(model)
    converter = nk.convert(model, max_to_avg_pool=True)  # asked for explicitly
    assert converter.layers[model.get_layer("pool")] is not None


def test_dropout_is_the_identity_in_inference(rng):
    model = conv_model(tf.keras.layers.Flatten(), tf.keras.layers.Dropout(0.5, name="drop"),
                       tf.keras.layers.Dense(3, name="dense"))
    x = rng.uniform(0, 1, size=(2, 8, 8, 1))
    converter = nk.convert(model)
    with nengo_dl.Simulator(converter.net, minibatch_size=2, progress_bar=False) as sim:
        data = sim.predict({converter.inputs[model.input]: x.reshape(2, 1, -1)}, verbose=0)
    expected = model.predict(x, verbose=0)  # float32 on both sides
    assert np.allclose(data[converter.outputs[model.output]][:, 0], expected, atol=1e-6)
    with pytest.raises(nk.ConversionError, match="'drop' \\(Dropout\\).*inference_only=True"):
        nk.convert(model, inference_only=False)


def test_every_problem_is_listed_in_one_error():
    model = conv_model(
        tf.keras.layers.Conv2D(2, 3, activation="relu"),
        tf.keras.layers.MaxPooling2D(2, name="pool"),
        tf.keras.layers.LayerNormalization(name="norm"),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(3, activation="softmax", name="classes"),
    )
    with pytest.raises(nk.ConversionError) as error:
        nk.convert(model)
    message = str(error.value)
    assert "'pool' (MaxPooling2D)" in message
    assert "'norm' (LayerNormalization): no Nengo converter" in message
    assert "allow_fallback=True" in message
    assert "'classes' (Dense): activation softmax has no Nengo equivalent" in message
    assert message.count("\n- layer") == 3


def test_tensor_node_fallback_only_when_asked():
    model = conv_model(tf.keras.layers.Flatten(),
                       tf.keras.layers.Dense(3, activation="elu", name="elu_layer"))
    with pytest.raises(nk.ConversionError, match="'elu_layer'.*activation elu"):
        nk.convert(model)
    with pytest.warns(UserWarning, match="falling back to a TensorNode"):
        converter = nk.convert(model, allow_fallback=True)
    assert any(isinstance(node, nengo_dl.TensorNode) for node in converter.net.all_nodes)


def test_swap_errors_name_the_layer_and_the_fix(rng):
    x = rng.uniform(0, 1, size=(20, 8, 8, 1))
    leaky = conv_model(tf.keras.layers.Conv2D(2, 3), tf.keras.layers.LeakyReLU(name="leaky"))
    with pytest.raises(nk.ConversionError, match="'leaky'.*leaky ReLU.*rate"):
        nk.convert(leaky, neuron_type=nengo_snnext.KLIF(), calibration_data=x)
    nk.convert(leaky)  # a rate model may keep its leaky ReLU
    sigmoid = conv_model(tf.keras.layers.Conv2D(2, 3, activation="sigmoid", name="squash"))
    with pytest.raises(nk.ConversionError, match="'squash'.*sigmoid.*rate.*Sigmoid"):
        nk.convert(sigmoid, neuron_type=nengo_snnext.KLIF(), calibration_data=x)
    relu = conv_model(tf.keras.layers.Conv2D(2, 3, activation="relu"))
    for kwargs, match in [
        (dict(), "calibration_data"),
        (dict(calibration_data=x, scale_firing_rates=100), "scale_firing_rates"),
        (dict(calibration_data=x, swap_activations={tf.keras.activations.relu: nengo.LIF()}),
         "swap_activations"),
        (dict(calibration_data=x, temporal_model=True), "temporal"),
    ]:
        with pytest.raises(nk.ConversionError, match=match):
            nk.convert(relu, neuron_type=nengo_snnext.KLIF(), **kwargs)
    inner = conv_model(tf.keras.layers.Conv2D(2, 3, activation="relu", name="inner_relu"))
    nested = conv_model(inner)
    with pytest.raises(nk.ConversionError, match="'inner_relu'.*nested model.*flat"):
        nk.convert(nested, neuron_type=nengo_snnext.KLIF(), calibration_data=x)


def test_temporal_models_keep_their_time_axis():
    inp = tf.keras.Input((None, 6, 6, 1))
    x = TD(tf.keras.layers.Conv2D(2, 3))(inp)
    x = tf.keras.layers.BatchNormalization(name="bn")(x)
    x = nk.KLIF()(x)
    x = TD(tf.keras.layers.Flatten())(x)
    x = tf.keras.layers.GlobalAveragePooling1D(name="over_time")(x)
    model = tf.keras.Model(inp, x)
    with pytest.raises(nk.ConversionError) as error:
        nk.convert(model, temporal_model=True)
    assert "'bn' (BatchNormalization): batch normalisation of a temporal tensor" in str(error.value)
    assert "'over_time' (GlobalAveragePooling1D): its output has no time axis" in str(error.value)
    with pytest.raises(nk.ConversionError, match="temporal_model=True"):
        nk.convert(model)  # the spiking layer needs a temporal conversion


# --- temporal models of our layers: the same spikes in NengoDL as in Keras -------------


DETERMINISTIC = [
    nengo_snnext.DiscreteLIF(),
    nengo_snnext.KLIF(k=1.5),
    nengo_snnext.AltNeuralOscillation(c=-0.1441, d=-0.1762),
    nengo_snnext.MIF(),
    nengo_snnext.MIF2(),
]
STOCHASTIC = [nengo_snnext.NeuralOscillation(), nengo_snnext.NoisyLIF()]


def temporal_cnn(neuron_type, dtype):
    """Two conv branches (one batch-normalised), Add, spikes, avg pool, dropout, dense, spikes."""
    def per_step(layer, **kwargs):  # the wrapper's dtype too: it casts its input
        return TD(layer, dtype=dtype, **kwargs)

    def spiking(name):
        return nk.SpikingNeurons(neuron_type.replace(amplitude=0.001), dtype=dtype, name=name)

    layers = tf.keras.layers
    inp = tf.keras.Input((None, 8, 8, 1), dtype=dtype)
    branch = per_step(layers.Conv2D(4, 3, padding="same", dtype=dtype))(inp)
    branch = per_step(layers.BatchNormalization(dtype=dtype), name="bn")(branch)
    other = per_step(layers.Conv2D(4, 3, padding="same", dtype=dtype), name="conv")(inp)
    added = layers.Add(dtype=dtype, name="add")([branch, other])
    first = spiking("first")(added)
    pooled = per_step(layers.AveragePooling2D(2, dtype=dtype))(first)
    dropped = per_step(layers.Dropout(0.5, dtype=dtype))(pooled)
    flat = per_step(layers.Flatten(dtype=dtype))(dropped)
    second = spiking("second")(per_step(layers.Dense(12, dtype=dtype), name="dense")(flat))
    model = tf.keras.Model(inp, per_step(layers.Dense(3, dtype=dtype))(second))
    return model, [model.get_layer("first"), model.get_layer("second")]


def scale_currents(model, neuron_type, x):
    """Rescale each spiking layer's input to currents around those that fire at 300 Hz.

    So that every layer is active whatever the type (MIF's rheobase is J = 1, its
    depolarisation block J = 4.5; NoisyLIF fires from J = 0).
    """
    J_threshold = float(np.max(neuron_type.threshold_current(0.001)))
    J_centre = float(np.max(neuron_type.current_for_rate(np.full(64, 300.0), 0.001)))
    model.get_layer("bn").layer.set_weights([np.ones(4), np.zeros(4), np.zeros(4), np.ones(4)])
    for current, scaled in (("add", ("bn", "conv")), ("dense", ("dense",))):
        values = tf.keras.Model(model.input, model.get_layer(current).output)(tf.constant(x))
        scale = (J_centre - J_threshold) / np.std(values)
        shift = (J_centre - np.mean(values) * scale) / len(scaled)
        for name in scaled:
            weights = model.get_layer(name).layer.get_weights()
            weights[0] = weights[0] * scale  # kernel, or BN's gamma
            weights[1] = weights[1] * scale + shift  # bias, or BN's beta
            model.get_layer(name).layer.set_weights(weights)


def run_both(model, spiking, x, seed=0):
    """Keras (spikes of each spiking layer, output) and the same from nengo_dl.Simulator."""
    dtype = model.input.dtype
    keras = tf.keras.Model(model.input, [layer.output for layer in spiking]
                           + [model.output, model.get_layer("add").output])
    *keras_out, keras_current = (v.numpy() for v in keras(tf.constant(x, dtype=dtype)))
    converter = nk.convert(model, temporal_model=True)
    with converter.net:
        nengo_dl.configure_settings(dtype=dtype.name)
        probes = [nengo.Probe(converter.layers[layer]) for layer in spiking]
        current = nengo.Probe(converter.layers[spiking[0]], "input")
    with nengo_dl.Simulator(converter.net, minibatch_size=len(x), seed=seed,
                            progress_bar=False) as sim:
        data = sim.predict({converter.inputs[model.input]: x.reshape(x.shape[:2] + (-1,))},
                           verbose=0)
    nengo_out = [data[p].reshape(k.shape) for p, k in zip(probes, keras_out)]
    nengo_out.append(data[converter.outputs[model.output]])
    return keras_out, nengo_out, (data[current].reshape(keras_current.shape), keras_current)


@pytest.mark.parametrize("neuron_type", DETERMINISTIC, ids=lambda t: type(t).__name__)
def test_temporal_cnn_gives_the_same_spikes(neuron_type, rng):
    x = rng.uniform(0, 1, size=(2, 8, 8, 8, 1))
    tf.random.set_seed(0)
    model, spiking = temporal_cnn(neuron_type, "float64")
    scale_currents(model, neuron_type, x)
    keras, nengo_out, _ = run_both(model, spiking, x)
    for k, n in zip(keras[:2], nengo_out[:2]):
        assert 0.02 < np.mean(k > 0) < 0.98  # every spiking layer is exercised
        assert np.array_equal(k, n), np.count_nonzero(k != n)
    assert np.allclose(keras[2], nengo_out[2], rtol=1e-12, atol=1e-12)

    # float32 (the same weights): Keras and NengoDL sum in different orders, so a membrane
    # within rounding of the threshold can flip a spike (which then propagates)
    model32, spiking32 = temporal_cnn(neuron_type, "float32")
    model32.set_weights([w.astype(np.float32) for w in model.get_weights()])
    keras, nengo_out, _ = run_both(model32, spiking32, x.astype(np.float32))
    agreement = [np.mean(k == n) for k, n in zip(keras[:2], nengo_out[:2])]
    print(f"{type(neuron_type).__name__}: float32 spikes equal in {agreement} of (layer) cases")
    assert min(agreement) > 0.99, agreement


@pytest.mark.parametrize("neuron_type", STOCHASTIC, ids=lambda t: type(t).__name__)
def test_temporal_cnn_stochastic_same_currents_and_rates(neuron_type, rng):
    # the noise comes from different generators (Keras: stateless, keyed on the seed and
    # step; NengoDL: its own): the same currents in, the same spike probability out
    x = rng.uniform(0, 1, size=(4, 20, 8, 8, 1))
    tf.random.set_seed(0)
    model, spiking = temporal_cnn(neuron_type, "float64")
    scale_currents(model, neuron_type, x)
    keras, nengo_out, (nengo_current, keras_current) = run_both(model, spiking, x)
    assert np.allclose(nengo_current, keras_current, rtol=1e-12, atol=1e-12)
    k, n = (np.mean(spikes > 0) for spikes in (keras[0], nengo_out[0]))
    stderr = np.sqrt(k * (1 - k) / keras[0].size)
    assert 0.02 < k < 0.98 and abs(k - n) < 4 * stderr + 0.005, (k, n)
