"""Keras serialisation: get_config/from_config of every layer, save/load of a trained model."""

import numpy as np
import pytest
import tensorflow as tf

import nengo
import nengo_snnext
import nengo_snnext.keras as nk
from nengo_snnext.keras._serialize import neuron_type_config, neuron_type_from_config

LAYERS = [
    nk.DiscreteLIF(tau=0.005, reset=-0.5, input_scaling="none", trainable_tau=True),
    nk.KLIF(k=1.5, activation="celu", scale_reset=True, training="surrogate",
            surrogate="sigmoid", surrogate_alpha=3.0, trainable_threshold=True,
            per_channel=True),
    nk.NeuralOscillation(noise=nengo.dists.Gaussian(0.1, 0.4), seed=4, training="surrogate"),
    nk.AltNeuralOscillation(c=-0.1441, d=-0.1762, form="F2", training="surrogate",
                            trainable_offsets=True),
    nk.NoisyLIF(noise="uniform", temporal=False, seed=9, dt=0.0005),
    nk.MIF(R_on=500e3, V_reset=0.02, initial_state={"voltage": 0.01}),
    nk.MIF2(set_fraction=0.1, return_sequences=False),
    nk.SpikingNeurons(nengo_snnext.KLIF(k=2.0), trainable_k=False, name="generic"),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    copy = type(layer).from_config(config)
    assert copy.neuron_type == layer.neuron_type
    assert copy.get_config() == config
    # through Keras' registry, as load_model does
    restored = tf.keras.layers.deserialize(tf.keras.layers.serialize(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def test_neuron_type_config_is_json_and_round_trips():
    import json

    for neuron_type in (nengo_snnext.NeuralOscillation(noise="gaussian"),
                        nengo_snnext.KLIF(initial_state={"voltage": nengo.dists.Choice([0.2])})):
        config = json.loads(json.dumps(neuron_type_config(neuron_type)))
        assert neuron_type_from_config(config) == neuron_type


@pytest.mark.parametrize("suffix", [".keras", ".h5", ""])  # Keras v3, HDF5, SavedModel
def test_save_load_round_trips_learned_k(suffix, tmp_path, rng):
    x = rng.uniform(0, 3, size=(32, 5, 6)).astype(np.float32)
    y = rng.randint(3, size=32)
    model = tf.keras.Sequential([
        tf.keras.Input((5, 6)),
        tf.keras.layers.Dense(12),
        nk.KLIF(training="surrogate", amplitude=0.01, name="klif"),
        nk.NoisyLIF(seed=3, amplitude=0.01, training="surrogate"),
        tf.keras.layers.GlobalAveragePooling1D(),
        tf.keras.layers.Dense(3),
    ])
    model.compile(tf.keras.optimizers.Adam(0.05),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    k = model.get_layer("klif").parameter_value("k")
    assert k != 1.0

    path = str(tmp_path / f"model{suffix}")
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert loaded.get_layer("klif").parameter_value("k") == k
    assert np.array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
