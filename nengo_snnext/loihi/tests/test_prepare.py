"""prepare(): exact rewrites, placement, block shapes, and the report against a hand count."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError

nengo_loihi = pytest.importorskip("nengo_loihi")

from nengo_snnext import KLIF  # noqa: E402
from nengo_snnext.loihi import prepare  # noqa: E402
from nengo_snnext.loihi.prepare import INPUT_LAYER, tile  # noqa: E402
from nengo_snnext.loihi.report import CORES_PER_CHIP, LIMITS  # noqa: E402
from nengo_snnext.loihi.simulator import simulator  # noqa: E402

ZERO = {"voltage": nengo.dists.Choice([0.0])}


def converted_style(rng, *, with_relay_node):
    """What nengo_dl.Converter builds for Conv2D(4, 3) + bias (+ a linear layer node)."""
    conv = nengo.Convolution(4, (6, 6, 1), kernel_size=(3, 3), init=rng.uniform(-1, 1, (3, 3, 1, 4)))
    biases = rng.uniform(0, 1, 4)
    n = conv.output_shape.size
    with nengo.Network(seed=0) as net:
        inp = nengo.Node(nengo.processes.PresentInput(rng.uniform(0, 1, (3, 36)), 0.02))
        first = nengo.Ensemble(36, 1, neuron_type=KLIF(initial_state=ZERO), gain=np.ones(36), bias=np.zeros(36))
        nengo.Connection(inp, first.neurons, synapse=None)
        layer = nengo.Ensemble(n, 1, neuron_type=KLIF(k=1.5, initial_state=ZERO),
                               gain=nengo.dists.Choice([1.3]), bias=nengo.dists.Choice([0.1]))
        bias = nengo.Node([1])
        relay = nengo.Node(size_in=4)
        nengo.Connection(bias, relay, transform=biases[:, None], synapse=None)
        target = nengo.Node(size_in=n) if with_relay_node else layer.neurons
        indices = [(i * 4 + c, c) for i in range(n // 4) for c in range(4)]
        nengo.Connection(relay, target, transform=nengo.Sparse((n, 4), indices=indices), synapse=None)
        nengo.Connection(first.neurons, target, transform=conv, synapse=0.005)
        if with_relay_node:
            nengo.Connection(target, layer.neurons, synapse=None)
        probe = nengo.Probe(layer.neurons)
    return net, layer, probe


@pytest.mark.parametrize("with_relay_node", [False, True])
def test_rewrites_are_exact_in_nengo(with_relay_node):
    rng = np.random.RandomState(1)
    original, _, p0 = converted_style(rng, with_relay_node=with_relay_node)
    prepared, layer, p1 = converted_style(np.random.RandomState(1), with_relay_node=with_relay_node)
    report = prepare(prepared)
    assert len(report.folded) == 1 and len(report.collapsed) == int(with_relay_node)
    assert not any(node.output is None for node in prepared.all_nodes)  # relays gone
    assert isinstance(layer.bias, np.ndarray) and len(np.unique(layer.bias)) == 4
    results = []
    for net, probe in [(original, p0), (prepared, p1)]:
        with nengo.Simulator(net, progress_bar=False) as sim:
            sim.run(0.06)
        results.append(sim.data[probe])
    assert results[0].sum() > 0
    assert np.array_equal(results[0], results[1])


def test_converted_style_runs_on_emulator_with_layer_on_chip():
    net, layer, probe = converted_style(np.random.RandomState(2), with_relay_node=True)
    with pytest.raises((BuildError, NotImplementedError), match="ransforms"):
        nengo_loihi.Simulator(net)  # Sparse host to chip, or the relay node's merge
    report = prepare(net)
    assert report[layer.label or str(layer)].on_chip
    assert report[0].reason == INPUT_LAYER
    with simulator(net, target="sim") as sim:
        sim.run(0.06)
    assert sim.data[probe].sum() > 0


def hand_counted():
    rng = np.random.RandomState(0)
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(np.zeros(4))
        a = nengo.Ensemble(4, 1, neuron_type=KLIF(initial_state=ZERO), label="a")
        b = nengo.Ensemble(8, 1, neuron_type=KLIF(initial_state=ZERO), label="b")
        c = nengo.Ensemble(5, 1, neuron_type=KLIF(initial_state=ZERO), label="c")
        nengo.Connection(stim, a.neurons)
        nengo.Connection(a.neurons, b.neurons, transform=rng.uniform(0.1, 1, (8, 4)))
        nengo.Connection(b.neurons, c.neurons, transform=rng.uniform(0.1, 1, (5, 8)))
        nengo.Probe(c.neurons)
    return net


def test_report_against_hand_count():
    report = prepare(hand_counted())
    a, b, c = report["a"], report["b"], report["c"]
    assert not a.on_chip and a.reason == INPUT_LAYER and a.cores == 0
    # b: 8 compartments; a's 4 spikes arrive on 4 axons with 8 weights each; b's 8
    # neurons send on 8 axons to c
    assert (b.cores, b.compartments, b.synapses, b.in_axons, b.out_axons) == (1, 8, 32, 4, 8)
    # c: 5 compartments, 8 axons of 5 weights; its probe reads it without axons
    assert (c.cores, c.compartments, c.synapses, c.in_axons, c.out_axons) == (1, 5, 40, 8, 0)
    assert report.cores == 2 and report.chips == 1
    for entry in (b, c):
        assert 0 < entry.synapse_bits < LIMITS["synapse_bits"]
        assert entry.share == max(entry.compartments / 1024, entry.in_axons / 4096,
                                  entry.out_axons / 4096, entry.synapse_bits / LIMITS["synapse_bits"])
    text = report.summary()
    assert f"2 cores = {100 * 2 / CORES_PER_CHIP:.1f} %" in text and "input layer" in text
    assert report.as_dict()["ensembles"][1]["label"] == "b"


def test_large_conv_layer_is_tiled():
    conv = nengo.Convolution(8, (18, 18, 1), kernel_size=(3, 3),
                             init=np.random.RandomState(0).uniform(-1, 1, (3, 3, 1, 8)))
    with nengo.Network(seed=0) as net:
        inp = nengo.Node(np.ones(324))
        first = nengo.Ensemble(324, 1, neuron_type=KLIF(initial_state=ZERO), label="in")
        big = nengo.Ensemble(conv.output_shape.size, 1, neuron_type=KLIF(initial_state=ZERO),
                             gain=nengo.dists.Choice([1.0]), bias=nengo.dists.Choice([0.0]),
                             label="big")
        nengo.Connection(inp, first.neurons)
        nengo.Connection(first.neurons, big.neurons, transform=conv)
    report = prepare(net)
    assert big.n_neurons == 2048
    assert report["big"].cores == 2 and report["big"].block_shape == (8, 16, 8)
    assert report["big"].compartments == 2048
    # with 256 compartments per core: (2, 16, 8) tiles
    assert tile((16, 16, 8), 256) == (2, 16, 8)


def test_auto_off_chip_runs_mixed_network_end_to_end():
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(0.5)
        first = nengo.Ensemble(100, 1, neuron_type=KLIF(k=1.5, initial_state=ZERO))
        noisy = nengo.Ensemble(100, 1, neuron_type=KLIF(k=3.0, initial_state=ZERO))  # k lambda > 1
        last = nengo.Ensemble(100, 1, neuron_type=KLIF(k=1.5, initial_state=ZERO))
        nengo.Connection(stim, first)
        nengo.Connection(first, noisy)
        nengo.Connection(noisy, last)
        probe = nengo.Probe(last, synapse=0.05)
    with pytest.raises(BuildError, match="exceeds 1"):
        nengo_loihi.Simulator(net)
    report = prepare(net, auto_off_chip=True)
    assert [e.on_chip for e in report.ensembles] == [True, False, True]
    assert "KLIF(k=3.0)" in report.ensembles[1].reason
    with simulator(net, target="sim") as sim:
        sim.run(0.4)
    assert abs(sim.data[probe][-100:].mean() - 0.5) < 0.15


def test_target_loihi_without_nxsdk_uses_emulator():
    from nengo_snnext.loihi import NoHardwareWarning
    from nengo_snnext.loihi.simulator import HAS_NXSDK

    if HAS_NXSDK:
        pytest.skip("NxSDK is installed")
    net = hand_counted()
    prepare(net)
    with pytest.warns(NoHardwareWarning, match="NxSDK"):
        sim = simulator(net, target="loihi")
    with sim:
        assert sim.target == "sim"


def layered_nodes(rng):
    """Converter-style temporal layers: conv -> per-channel scale (BN) -> neurons,
    average pooling -> dense -> scale -> neurons, and a sparse read-out."""
    conv = nengo.Convolution(4, (6, 6, 2), kernel_size=(3, 3), padding="same",
                             init=rng.uniform(-0.5, 1, (3, 3, 2, 4)) * 0.0002)
    pool = nengo.Convolution(4, (6, 6, 4), kernel_size=(2, 2), strides=(2, 2),
                             init=np.eye(4)[None, None] / 4 * np.ones((2, 2, 1, 1)))
    with nengo.Network(seed=0) as net:
        inp = nengo.Node(nengo.processes.PresentInput(rng.uniform(1, 3, (2, 72)), 0.03))
        first = nengo.Ensemble(72, 1, neuron_type=KLIF(initial_state=ZERO), gain=np.ones(72),
                               bias=np.zeros(72))
        second = nengo.Ensemble(144, 1, neuron_type=KLIF(k=1.5, initial_state=ZERO),
                                gain=nengo.dists.Choice([1.0]), bias=nengo.dists.Choice([0.0]))
        third = nengo.Ensemble(10, 1, neuron_type=KLIF(k=1.5, initial_state=ZERO),
                               gain=np.ones(10), bias=np.zeros(10))
        nengo.Connection(inp, first.neurons, synapse=None)
        conv_out, bn_out = nengo.Node(size_in=144), nengo.Node(size_in=144)
        nengo.Connection(first.neurons, conv_out, transform=conv, synapse=0.005)
        scale = np.tile(rng.uniform(0.5, 1.5, 4), 36)  # per channel (channels last)
        nengo.Connection(conv_out, bn_out, transform=nengo.Dense((144, 144), init=scale), synapse=None)
        bn_bias = nengo.Node(np.tile(rng.uniform(0, 0.2, 4), 36), label="bn.bias")
        nengo.Connection(bn_bias, bn_out, synapse=None)
        nengo.Connection(bn_out, second.neurons, synapse=None)
        pooled, fc_out = nengo.Node(size_in=36), nengo.Node(size_in=10)
        nengo.Connection(second.neurons, pooled, transform=pool, synapse=0.005)
        nengo.Connection(pooled, fc_out, transform=rng.uniform(0, 0.0002, (10, 36)), synapse=None)
        nengo.Connection(fc_out, third.neurons, transform=nengo.Dense((10, 10), init=np.full(10, 2.0)),
                         synapse=None)
        votes = nengo.Node(size_in=2)
        nengo.Connection(third.neurons, votes, synapse=0.005,
                         transform=nengo.Sparse((2, 10), indices=[(i // 5, i) for i in range(10)],
                                                init=np.full(10, 0.2)))
        probes = [nengo.Probe(second.neurons), nengo.Probe(third.neurons), nengo.Probe(votes)]
    return net, probes


def test_linear_node_chains_merge_exactly():
    results = []
    for prepared in (False, True):
        net, probes = layered_nodes(np.random.RandomState(3))
        if prepared:
            report = prepare(net)
            assert len(report.collapsed) == 4 and len(report.folded) == 1
            assert all(e.on_chip for e in report.ensembles[1:])
            kinds = {type(c.transform).__name__ for c in net.all_connections}
            assert "Sparse" not in kinds and "Convolution" in kinds  # the conv kernel was scaled
        with nengo.Simulator(net, progress_bar=False) as sim:
            sim.run(0.06)
        results.append([sim.data[p] for p in probes])
    assert results[0][1].sum() > 0
    for before, after in zip(*results):
        assert np.allclose(before, after, atol=1e-6)
    net, probes = layered_nodes(np.random.RandomState(3))
    prepare(net)
    with simulator(net, target="sim") as sim:
        sim.run(0.06)
    assert sim.data[probes[1]].sum() > 0
