"""layer_fidelity: per-layer rates on the emulators vs nengo.Simulator, and the verdicts."""

import nengo
import numpy as np
import pytest

pytest.importorskip("nengo_loihi")

from nengo_snnext import KLIF, NeuralOscillation  # noqa: E402
from nengo_snnext.loihi import layer_fidelity  # noqa: E402

ZERO = {"voltage": nengo.dists.Choice([0.0])}


def chain(second_type, weights, rng):
    """input -> first (off chip) -> second -> third, all fed on their neurons."""
    with nengo.Network(seed=0) as net:
        inp = nengo.Node(np.zeros(6))
        first = nengo.Ensemble(6, 1, neuron_type=KLIF(initial_state=ZERO), gain=np.ones(6),
                               bias=np.zeros(6), label="first")
        second = nengo.Ensemble(8, 1, neuron_type=second_type, gain=np.ones(8),
                                bias=np.full(8, 0.1), label="second")
        third = nengo.Ensemble(5, 1, neuron_type=KLIF(initial_state=ZERO), gain=np.ones(5),
                               bias=np.zeros(5), label="third")
        nengo.Connection(inp, first.neurons, synapse=None)
        nengo.Connection(first.neurons, second.neurons, transform=weights, synapse=0.005)
        nengo.Connection(second.neurons, third.neurons,
                         transform=rng.uniform(0.002, 0.004, (5, 8)), synapse=0.005)
    return net, inp


def test_klif_chain_is_faithful(tmp_path, rng):
    net, inp = chain(KLIF(k=1.5, initial_state=ZERO), rng.uniform(0.001, 0.004, (8, 6)), rng)
    x = rng.uniform(0.5, 1.5, (2, 6))
    result = layer_fidelity(net, node=inp, x=x, n_steps=60, progress=False)
    assert [layer.label for layer in result.layers] == ["first", "second", "third"]
    first, second, third = result.layers
    assert not first.on_chip and np.isnan(first.weight_error)
    assert second.on_chip and 0 < second.weight_error < 0.02  # 8-bit weights
    assert second.rates["nengo"].shape == (8,) and second.mean_rate > 50
    for layer in result.layers:
        assert layer.error()[0] < 0.1 * layer.mean_rate
    assert "within 10 %" in result.explanation()
    assert "second" in result.summary()
    result.plot(tmp_path / "fidelity.png")
    assert (tmp_path / "fidelity.png").stat().st_size > 0
    assert result.as_dict()["layers"][1]["on_chip"]


def test_mapped_noise_shows_as_mapping(rng):
    # NeuralOscillation's noise is approximated on chip (power-of-two scale, floor):
    # the float emulator already differs, so the verdict is the mapping
    net, inp = chain(NeuralOscillation(), rng.uniform(0.001, 0.002, (8, 6)), rng)
    result = layer_fidelity(net, node=inp, x=rng.uniform(0.2, 0.6, (2, 6)), n_steps=200,
                            progress=False, tolerance=0.05)
    second = result.layers[1]
    assert second.causes()["mapping"] > 0.05
    assert "second" in result.explanation()


def test_weight_outlier_shows_in_weight_error(rng):
    # the synapse shares one exponent: an outlier 30 times the other weights leaves
    # them few of the 8 mantissa bits
    errors = []
    for outlier in (1.0, 30.0):
        weights = rng.uniform(0.001, 0.002, (8, 6))
        weights[0, 0] *= outlier
        net, inp = chain(KLIF(k=1.5, initial_state=ZERO), weights, rng)
        result = layer_fidelity(net, node=inp, x=rng.uniform(0.5, 1.5, (1, 6)), n_steps=50,
                                progress=False)
        errors.append(result.layers[1].weight_error)
    assert errors[1] > 3 * errors[0]
