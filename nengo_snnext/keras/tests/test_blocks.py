"""The thesis' coding layer and voting decoder: closed forms, and the same outputs converted."""

import nengo
import nengo_dl
import numpy as np
import pytest
import tensorflow as tf

import nengo_snnext.keras as nk


def conv_same(x, kernel):
    """Reference 'same' convolution (cross-correlation, stride 1) of (n, H, W, C) images."""
    kh, kw = kernel.shape[:2]
    top, left = (kh - 1) // 2, (kw - 1) // 2  # TensorFlow pads the extra row/column at the end
    padded = np.pad(x, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
    H, W = x.shape[1:3]
    out = np.zeros(x.shape[:3] + (kernel.shape[-1],))
    for i in range(kh):
        for j in range(kw):
            out += padded[:, i:i + H, j:j + W, :] @ kernel[i, j]
    return out


def randomise_norms(layer, rng):
    """Give every batch normalisation non-trivial trained statistics."""
    for norm in layer.norms:
        channels = norm.gamma.shape[0]
        norm.set_weights([rng.uniform(0.5, 2, channels), rng.uniform(-1, 1, channels),
                          rng.uniform(-0.5, 0.5, channels), rng.uniform(0.2, 3, channels)])


def coding_reference(layer, images):
    """Sum over branches of BN(conv(x)) with the moving statistics (thesis §2.3)."""
    total = 0.0
    for conv, norm in zip(layer.convs, layer.norms):
        gamma, beta, mean, variance = (w.numpy() for w in norm.weights)
        y = conv_same(images, conv.kernel.numpy())
        total = total + gamma * (y - mean) / np.sqrt(variance + norm.epsilon) + beta
    return total


def test_coding_layer_is_the_sum_of_conv_bn_branches(rng):
    layer = nk.CodingLayer(5, kernel_size=3, dtype="float64")
    images = rng.uniform(0, 1, size=(3, 6, 7, 2))
    layer.build((None, 4) + images.shape[1:])
    randomise_norms(layer, rng)
    expected = coding_reference(layer, images)
    assert len(layer.convs) == 3 and not layer.convs[0].use_bias  # the thesis' three branches
    assert np.allclose(layer(images).numpy(), expected, rtol=1e-12, atol=1e-12)

    # a static temporal input is encoded once and repeated; per-step encoding agrees
    static = np.repeat(images[:, None], 4, axis=1)
    once = layer(static).numpy()
    assert once.shape == (3, 4, 6, 7, 5)
    assert np.allclose(once, expected[:, None], rtol=1e-12, atol=1e-12)
    layer.static = False
    assert np.allclose(layer(static).numpy(), once, rtol=1e-12, atol=1e-12)
    frames = rng.uniform(0, 1, size=(2, 3) + images.shape[1:])  # DVS-like: per frame
    per_frame = layer(frames).numpy()
    assert np.allclose(per_frame[:, 1], coding_reference(layer, frames[:, 1]), atol=1e-12)

    # the folded kernel and bias: one convolution equals the branches
    kernel, bias = layer.folded()
    assert np.allclose(conv_same(images, kernel) + bias, expected, rtol=1e-12, atol=1e-12)


def test_vote_and_time_mean_closed_forms(rng):
    x = rng.uniform(0, 1, size=(2, 5, 12))
    votes = nk.Vote(4, dtype="float64")(x).numpy()
    assert np.allclose(votes, x.reshape(2, 5, 3, 4).mean(axis=-1), atol=1e-15)
    assert np.allclose(nk.TimeMean(dtype="float64")(x).numpy(), x.mean(axis=1), atol=1e-15)
    with pytest.raises(ValueError, match="n_classes . votes"):
        nk.Vote(5)(x)


def thesis_model(neurons, decoder_neurons, *, steps=None, shape=(6, 6, 2), n_classes=3):
    """Coding layer -> spiking -> avg pool -> voting decoder (10 per class) -> mean over T."""
    inp = tf.keras.Input((steps,) + shape, dtype="float64")
    code = nk.CodingLayer(4, dtype="float64", name="encoder")(inp)
    spikes = neurons(code)
    pooled = tf.keras.layers.TimeDistributed(
        tf.keras.layers.AveragePooling2D(2, dtype="float64"), dtype="float64")(spikes)
    flat = tf.keras.layers.TimeDistributed(tf.keras.layers.Flatten(dtype="float64"),
                                           dtype="float64")(pooled)
    out = nk.voting_decoder(flat, n_classes, decoder_neurons)
    return tf.keras.Model(inp, out)


def test_thesis_model_converts_with_the_same_spikes_and_outputs(rng):
    tf.random.set_seed(3)
    neurons = nk.KLIF(k=1.3, amplitude=0.1, dtype="float64", name="hidden")
    decoder_neurons = nk.DiscreteLIF(amplitude=0.1, dtype="float64", name="votes")
    model = thesis_model(neurons, decoder_neurons)
    randomise_norms(model.get_layer("encoder"), rng)
    decoder_dense = model.get_layer("vote_dense").layer
    decoder_dense.set_weights([decoder_dense.get_weights()[0] * 30])  # excite the votes
    images = rng.uniform(0, 1, size=(4, 6, 6, 2))
    x = np.repeat(images[:, None], 12, axis=1)  # a static image over 12 steps

    converter = nk.convert(model, temporal_model=True)
    with converter.net:
        nengo_dl.configure_settings(dtype="float64")
        probes = [nengo.Probe(converter.layers[layer.output])
                  for layer in (neurons, decoder_neurons, model.get_layer("vote_average"))]
    with nengo_dl.Simulator(converter.net, minibatch_size=4, progress_bar=False) as sim:
        data = sim.predict({converter.inputs[model.input]: x.reshape(4, 12, -1)}, verbose=0)
    output = data[converter.outputs[model.output]]

    keras = tf.keras.Model(model.input, [neurons.output, decoder_neurons.output,
                                         model.get_layer("vote_average").output,
                                         model.output]).predict(tf.constant(x), verbose=0)
    assert np.array_equal(data[probes[0]].reshape(keras[0].shape), keras[0])
    assert np.array_equal(data[probes[1]], keras[1])
    # both outcomes exercised (the random weights depend on Keras' state: 0.047 seen)
    assert 0.02 < np.mean(keras[0] > 0) < 0.95 and np.mean(keras[1] > 0) > 0.02
    # the running mean: step n is the mean of the votes of steps 1..n; the last is Keras'
    running = np.cumsum(keras[2], axis=1) / np.arange(1, 13)[:, None]
    assert np.allclose(output, running, rtol=1e-12, atol=1e-12)
    assert np.allclose(output[:, -1], keras[3], rtol=1e-12, atol=1e-12)
    assert converter.net.all_nodes and not any(
        isinstance(node, nengo_dl.TensorNode) for node in converter.net.all_nodes)


def test_coding_layer_converts_in_an_ordinary_model(rng):
    inp = tf.keras.Input((5, 5, 3), dtype="float64")
    layer = nk.CodingLayer(2, kernel_size=(3, 1), branches=2, dtype="float64")
    model = tf.keras.Model(inp, layer(inp))
    randomise_norms(layer, rng)
    x = rng.uniform(-1, 1, size=(3, 5, 5, 3))
    converter = nk.convert(model)
    with converter.net:
        nengo_dl.configure_settings(dtype="float64")
    with nengo_dl.Simulator(converter.net, minibatch_size=3, progress_bar=False) as sim:
        data = sim.predict({converter.inputs[inp]: x.reshape(3, 1, -1)}, verbose=0)
    # (tensors: Keras' predict casts float64 numpy inputs to floatx)
    expected = model.predict(tf.constant(x), verbose=0).reshape(3, 1, -1)
    assert np.allclose(data[converter.outputs[model.output]], expected, rtol=1e-12, atol=1e-12)
    # the batch normalisations only fold for inference
    with pytest.raises(nk.ConversionError, match="CodingLayer.*inference_only=True"):
        nk.convert(model, inference_only=False)


def test_time_mean_needs_a_temporal_model():
    inp = tf.keras.Input((4, 3))
    model = tf.keras.Model(inp, nk.TimeMean()(inp))
    with pytest.raises(nk.ConversionError, match="'time_mean.*temporal_model=True"):
        nk.convert(model)


@pytest.mark.parametrize("layer", [
    nk.CodingLayer(4, kernel_size=(3, 5), branches=2, static=False, momentum=0.9),
    nk.Vote(7),
    nk.TimeMean(),
], ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    restored = tf.keras.layers.deserialize(tf.keras.layers.serialize(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def test_thesis_model_saves_and_loads(tmp_path, rng):
    model = thesis_model(nk.KLIF(dtype="float64"), nk.KLIF(dtype="float64"), steps=3)
    randomise_norms(model.get_layer("encoder"), rng)
    x = rng.uniform(0, 1, size=(2, 3, 6, 6, 2))
    path = str(tmp_path / "thesis.keras")
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert np.array_equal(loaded(x).numpy(), model(x).numpy())
