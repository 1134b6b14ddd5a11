"""keras-spiking's ModelEnergy on our layers: statistics and spike counts against hand counts.

The spiking layer is a KLIF layer (k = 1, tau = 2 ms, dt = 1 ms: H = V/2 + J/2,
threshold 1, reset to 0, starting from V = 0) driven by constant currents, so
its spikes are known: J = 4 spikes every step (H = 2), J = 1.5 every second
step from the second (H = 0.75, then 1.125), J = 0 and J = -1 never. A
connection fed by it performs one synaptic operation per spike and target
(synops = spikes x fan-out).
"""

import importlib.util
import sys

import numpy as np
import pytest
import tensorflow as tf

import nengo_snnext.keras as nk
from nengo_snnext.keras import energy

needs_keras_spiking = pytest.mark.skipif(
    importlib.util.find_spec("keras_spiking") is None,
    reason='needs keras-spiking: pip install "nengo-snnext[energy]"',
)

N_STEPS = 10
# per sample: currents of the 4 neurons, and their spikes over N_STEPS steps
CURRENTS = np.array([[4.0, 0.0, 1.5, -1.0], [0.0, 0.0, 0.0, 4.0]])
SPIKES = np.array([[10, 0, 5, 0], [0, 0, 0, 10]])
SPIKES_PER_SAMPLE = SPIKES.sum(axis=1).mean()  # 12.5


def inputs(currents=CURRENTS, shape=(4,)):
    return np.repeat(currents.reshape(len(currents), 1, *shape), N_STEPS, axis=1)


def klif_dense(amplitude=1.0, dt=0.001, units=3):
    inp = tf.keras.Input((None, 4))
    klif = nk.KLIF(amplitude=amplitude, dt=dt, tau=2 * dt, name="klif")
    dense = tf.keras.layers.Dense(units, use_bias=False, name="dense")
    return tf.keras.Model(inp, dense(klif(inp)))


def device(name):
    return energy.keras_spiking().ModelEnergy.devices[name]


def test_spike_counts_are_as_designed():
    spikes = nk.KLIF(tau=0.002, amplitude=0.001)(tf.constant(inputs(), tf.float32))
    assert np.array_equal(spikes.numpy().sum(axis=1), SPIKES)


@needs_keras_spiking
@pytest.mark.parametrize("amplitude", [1.0, 0.01])
def test_synops_are_spikes_times_fan_out(amplitude):
    model = klif_dense(amplitude)
    me = energy.ModelEnergy(model, example_data=inputs())
    klif, dense = model.get_layer("klif"), model.get_layer("dense")

    assert me.layer_stats[klif] == {"neurons": 4, "connections": 0, "spiking": True}
    assert me.layer_stats[dense]["connections"] == 4 * 3
    # the dense layer's input rate: spikes per neuron and second
    assert me.layer_rates[dense] == pytest.approx(SPIKES_PER_SAMPLE / (4 * N_STEPS) / 0.001)

    for name in ("loihi", "spinnaker", "spinnaker2"):
        synop, neuron = me.layer_energy(dense, name, timesteps_per_inference=N_STEPS)
        assert synop == pytest.approx(SPIKES_PER_SAMPLE * 3 * device(name)["energy_per_synop"])
        assert neuron == 0  # linear Dense: no neurons
        synop, neuron = me.layer_energy(klif, name, timesteps_per_inference=N_STEPS)
        assert synop == 0
        assert neuron == pytest.approx(4 * N_STEPS * device(name)["energy_per_neuron"])
    total = me.total_energy("loihi", timesteps_per_inference=N_STEPS)
    assert total == pytest.approx(SPIKES_PER_SAMPLE * 3 * device("loihi")["energy_per_synop"]
                                  + 4 * N_STEPS * device("loihi")["energy_per_neuron"])
    # non-spiking devices: every connection every step, one step (keras-spiking's rule)
    synop, _ = me.layer_energy(dense, "cpu", timesteps_per_inference=N_STEPS)
    assert synop == pytest.approx(12 * device("cpu")["energy_per_synop"])


@needs_keras_spiking
def test_layer_dt_is_the_default_dt():
    model = klif_dense(amplitude=0.5, dt=0.002)
    me = energy.ModelEnergy(model, example_data=inputs())
    dense = model.get_layer("dense")
    assert me.default_dt() == 0.002
    assert me.layer_rates[dense] == pytest.approx(SPIKES_PER_SAMPLE / (4 * N_STEPS) / 0.002)
    synop, _ = me.layer_energy(dense, "loihi", timesteps_per_inference=N_STEPS)
    assert synop == pytest.approx(SPIKES_PER_SAMPLE * 3 * device("loihi")["energy_per_synop"])
    text = me.summary_string(columns=("name", "rate", "energy loihi"),
                             timesteps_per_inference=N_STEPS, print_warnings=False)
    assert f"{me.total_energy('loihi', timesteps_per_inference=N_STEPS):0.2e}" in text


@needs_keras_spiking
def test_average_pooling_is_folded_into_the_next_layer():
    # the 4 neurons as a 2x2 map, pooled to one value per step, then Dense(3): every
    # spike still reaches the 3 outputs
    inp = tf.keras.Input((None, 2, 2, 1))
    x = nk.KLIF(tau=0.002, amplitude=0.001, name="klif")(inp)
    x = tf.keras.layers.TimeDistributed(tf.keras.layers.AveragePooling2D(2), name="pool")(x)
    x = tf.keras.layers.Reshape((-1, 1), name="flat")(x)
    dense = tf.keras.layers.Dense(3, use_bias=False, name="dense")
    model = tf.keras.Model(inp, dense(x))
    with pytest.warns(UserWarning, match="AveragePooling2D"):  # keras-spiking: no stats
        me = energy.ModelEnergy(model, example_data=inputs(shape=(2, 2, 1)))
    assert me.layer_stats[dense]["connections"] == 3
    synop, _ = me.layer_energy(dense, "loihi", timesteps_per_inference=N_STEPS)
    assert synop == pytest.approx(SPIKES_PER_SAMPLE * 3 * device("loihi")["energy_per_synop"])


@needs_keras_spiking
def test_plain_keras_spiking_model_energy():
    ks = energy.keras_spiking()
    energy.register()
    energy.register()  # idempotent, no "already registered" warning
    model = klif_dense(amplitude=1.0)
    plain = ks.ModelEnergy(model, example_data=inputs())
    ours = energy.ModelEnergy(model, example_data=inputs())
    for layer in model.layers:
        assert plain.layer_stats[layer] == ours.layer_stats[layer]
    assert plain.total_energy("loihi", N_STEPS) == pytest.approx(
        ours.total_energy("loihi", N_STEPS))

    # amplitude != 1: keras-spiking reads amplitude x the spike rate, and we say so
    model = klif_dense(amplitude=0.01)
    with pytest.warns(UserWarning, match="counts 0.01 x the synaptic operations"):
        plain = ks.ModelEnergy(model, example_data=inputs())
    dense = model.get_layer("dense")
    synop, _ = plain.layer_energy(dense, "loihi", timesteps_per_inference=N_STEPS)
    expected = 0.01 * SPIKES_PER_SAMPLE * 3 * device("loihi")["energy_per_synop"]
    assert synop == pytest.approx(expected)


@needs_keras_spiking
def test_every_layer_class_is_registered():
    ks = energy.keras_spiking()
    energy.register()
    for layer in (nk.DiscreteLIF(), nk.MIF(), nk.NeuralOscillation(seed=0),
                  nk.SpikingNeurons(nk.KLIF().neuron_type)):
        layer(tf.keras.Input((None, 3, 2)))
        assert ks.ModelEnergy.compute_layer_stats(layer) == {"neurons": 6, "spiking": True}


def test_missing_keras_spiking_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras_spiking", None)  # import raises ImportError
    monkeypatch.setattr(energy, "_model_energy_class", None)
    with pytest.raises(ImportError, match=r"nengo-snnext\[energy\]"):
        energy.register()
    with pytest.raises(ImportError, match="keras-spiking"):
        energy.ModelEnergy  # noqa: B018


@needs_keras_spiking
def test_thesis_blocks():
    # coding layer (3 branches, one convolution at inference) -> KLIF -> voting decoder
    import warnings

    inp = tf.keras.Input((None, 6, 6, 2))
    code = nk.CodingLayer(4, name="code")(inp)
    spikes = nk.KLIF(amplitude=0.001, name="klif")(code)
    flat = tf.keras.layers.Reshape((-1, 6 * 6 * 4), name="flat")(spikes)
    out = nk.voting_decoder(flat, 2, nk.KLIF(amplitude=0.001, name="klif_votes"), votes=3)
    model = tf.keras.Model(inp, out)
    x = np.random.RandomState(0).uniform(0, 1, size=(3, N_STEPS, 6, 6, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every layer has statistics
        me = energy.ModelEnergy(model, example_data=x)
    layer = model.get_layer("code")
    assert me.layer_stats[layer] == {"neurons": 0, "connections": 6 * 6 * 4 * 3 * 3 * 2,
                                     "spiking": True}
    for name in ("vote_average", "vote_time_mean"):
        assert me.layer_stats[model.get_layer(name)] == {
            "neurons": 0, "connections": 0, "spiking": True}
    # the decoder's Dense is fed by the KLIF spikes through the Reshape: spikes x fan-out
    klif = model.get_layer("klif")
    counts = tf.keras.Model(inp, klif.output).predict(x, verbose=0).sum(axis=(1, 2, 3, 4))
    dense = model.get_layer("vote_dense")
    synop, _ = me.layer_energy(dense, "loihi", timesteps_per_inference=N_STEPS)
    expected = counts.mean() * 2 * 3 * device("loihi")["energy_per_synop"]
    assert synop == pytest.approx(expected, rel=1e-5)
