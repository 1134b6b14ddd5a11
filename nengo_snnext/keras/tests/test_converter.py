"""nengo_dl.Converter: our layers become ensembles of the same type with the learned parameters."""

import numpy as np
import pytest
import tensorflow as tf

import nengo
import nengo_dl
import nengo_snnext
import nengo_snnext.keras as nk


def temporal_model(*spiking_layers, n_in=6, n_hidden=10, n_out=4):
    inp = tf.keras.Input((None, n_in), dtype="float64")
    x = inp
    for layer in spiking_layers:
        x = tf.keras.layers.Dense(n_hidden, dtype="float64")(x)
        x = layer(x)
    out = tf.keras.layers.Dense(n_out, dtype="float64")(x)
    return tf.keras.Model(inp, out), inp, out


def run_converted(model, inp, out, x, probe_layers=()):
    converter = nengo_dl.Converter(model, temporal_model=True, allow_fallback=False)
    with converter.net:
        nengo_dl.configure_settings(dtype="float64")
        probes = [nengo.Probe(converter.layers[layer]) for layer in probe_layers]
    with nengo_dl.Simulator(converter.net, minibatch_size=x.shape[0], progress_bar=False) as sim:
        data = sim.predict({converter.inputs[inp]: x})
    return converter, data[converter.outputs[out]], [data[p] for p in probes]


def test_converted_model_has_same_spikes_and_learned_parameters(rng):
    tf.random.set_seed(1)
    klif = nk.KLIF(k=1.5, activation="celu", trainable_tau=True, trainable_threshold=True,
                   amplitude=0.01, dtype="float64")
    lif = nk.DiscreteLIF(reset=-0.2, amplitude=0.01, dtype="float64")
    model, inp, out = temporal_model(klif, lif)
    model.build((None, None, 6))
    # "learned" values
    klif.layer.cell.weights_by_attribute["k"].assign(2.3)
    klif.layer.cell.weights_by_attribute["tau"].assign(0.25)  # leak: tau = dt / 0.75
    klif.layer.cell.weights_by_attribute["threshold"].assign(0.8)
    x = rng.uniform(0, 2, size=(3, 30, 6))
    converter, output, (klif_spikes, lif_spikes) = run_converted(
        model, inp, out, x, probe_layers=(klif, lif))

    ensemble = converter.layers[klif].ensemble
    assert isinstance(ensemble.neuron_type, nengo_snnext.KLIF)
    assert ensemble.neuron_type.k == pytest.approx(2.3)
    assert ensemble.neuron_type.tau == pytest.approx(0.001 / 0.75)
    assert ensemble.neuron_type.threshold == pytest.approx(0.8)

    keras_spikes = tf.keras.Model(inp, [klif.output, lif.output]).predict(x, verbose=0)
    assert np.array_equal(klif_spikes, keras_spikes[0])
    assert np.array_equal(lif_spikes, keras_spikes[1])
    assert 0.05 < np.mean(klif_spikes > 0) < 0.95 and np.mean(lif_spikes > 0) > 0.02
    assert np.allclose(output, model.predict(x, verbose=0), rtol=1e-9, atol=1e-9)


def test_memristive_layer_converts_exactly(rng):
    mif = nk.MIF(amplitude=0.01, dtype="float64")
    model, inp, out = temporal_model(mif)
    x = rng.uniform(0, 3, size=(2, 25, 6))
    _, output, (spikes,) = run_converted(model, inp, out, x, probe_layers=(mif,))
    keras_spikes = tf.keras.Model(inp, mif.output).predict(x, verbose=0)
    assert np.array_equal(spikes, keras_spikes) and np.any(spikes > 0)
    assert np.allclose(output, model.predict(x, verbose=0), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("layer, match", [
    (nk.KLIF(trainable_threshold=True, per_channel=True), "per_channel"),
    (nk.KLIF(return_sequences=False), "return_sequences"),
])
def test_unconvertible_layers_say_why(layer, match):
    inp = tf.keras.Input((None, 6))
    model = tf.keras.Model(inp, layer(tf.keras.layers.Dense(5)(inp)))
    with pytest.raises(TypeError, match=match):
        nengo_dl.Converter(model, temporal_model=True, allow_fallback=False)


def test_needs_temporal_model():
    inp = tf.keras.Input((5, 6))
    model = tf.keras.Model(inp, nk.KLIF()(inp))
    with pytest.raises(TypeError, match="temporal_model=True"):
        nengo_dl.Converter(model, allow_fallback=False)
