"""Unsupervised-learning helpers, and a small Diehl & Cook network that learns without labels."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_snnext import STDP, ConductanceLIF
from nengo_snnext.networks import diehl_cook
from nengo_snnext.unsupervised import (
    PoissonImageInput,
    SpikeCounter,
    assign_labels,
    classify,
    lateral_inhibition,
    normalize_connection,
    normalize_weights,
)


def test_normalize_weights_exact(rng):
    w = rng.uniform(0, 0.3, (7, 784))
    w[3] = 0
    out = normalize_weights(w, 78.0)
    assert np.allclose(out[np.arange(7) != 3].sum(axis=1), 78.0, rtol=1e-14)
    assert np.all(out[3] == 0)
    # proportions kept: each row is a positive multiple of the input row
    assert np.allclose(out[0] / w[0], 78.0 / w[0].sum())


def test_normalize_connection_in_simulator(rng):
    with nengo.Network() as net:
        a = nengo.Ensemble(5, 1)
        b = nengo.Ensemble(3, 1)
        conn = nengo.Connection(
            # weights in [0.5, 1], normalised to sum 1: every weight stays below the rule's
            # upper bound (1), which would otherwise clip it on the first step
            a.neurons, b.neurons, transform=rng.uniform(0.5, 1, (3, 5)),
            learning_rule_type=STDP(learning_rate=0.0),
        )
        probe = nengo.Probe(conn, "weights")
    with nengo.Simulator(net, progress_bar=False) as sim:
        normalize_connection(sim, conn, 1.0)
        sim.step()
    assert np.allclose(sim.data[probe][-1].sum(axis=1), 1.0)


def test_lateral_inhibition_wiring():
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(lambda t: [2000.0 * (int(t * 2000) % 3 == 0), 0, 2000.0, 0])
        exc = nengo.Ensemble(4, 1, neuron_type=nengo.RectifiedLinear(), gain=np.ones(4),
                             bias=np.zeros(4))
        inh = nengo.Ensemble(4, 1, neuron_type=nengo.RectifiedLinear(), gain=np.ones(4),
                             bias=np.zeros(4))
        nengo.Connection(stim, inh.neurons, synapse=None)
        wiring = lateral_inhibition(exc, inh, exc_to_inh=10.4, inh_to_exc=17.0)
        with pytest.raises(ValidationError, match="one-to-one"):
            lateral_inhibition(exc, nengo.Ensemble(3, 1))
        p_inh = nengo.Probe(inh.neurons)
        p_exc_in = nengo.Probe(exc.neurons, "input")
    expected = -17.0 * (np.ones((4, 4)) - np.eye(4))
    assert np.array_equal(wiring.inh_to_exc_matrix(), expected)
    assert wiring.exc_to_inh.transform.init == 10.4 and wiring.exc_to_inh.synapse is None
    with nengo.Simulator(net, dt=0.0005, progress_bar=False) as sim:
        sim.run_steps(12)
    # the excitatory input is the all-but-self matrix applied one step later
    assert np.allclose(sim.data[p_exc_in][1:], sim.data[p_inh][:-1] @ expected.T)


def test_poisson_rates_quarter_intensity():
    # rate = pixel / 4 at intensity 2 (63.75 Hz at 255); counts over 2 s
    image = np.array([0, 64, 128, 255] * 50, dtype=float)
    with nengo.Network(seed=1) as net:
        inp = PoissonImageInput(len(image))
        probe = nengo.Probe(inp.ensemble.neurons)
    inp.set_image(image, 2.0)
    assert np.allclose(inp.rates, image / 4)
    with nengo.Simulator(net, dt=0.001, progress_bar=False) as sim:
        sim.run(2.0)
    counts = (sim.data[probe] * 0.001).sum(axis=0).reshape(50, 4).mean(axis=0)
    expected = image[:4] / 4 * 2.0
    # mean of 50 Poisson counts: standard error sqrt(expected / 50)
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected / 50) + 1e-9)


def test_fewer_than_five_spikes_raises_intensity():
    # one excitatory neuron with weak input: fires only once the intensity is raised
    with nengo.Network(seed=0) as net:
        inp = PoissonImageInput(50)
        exc = nengo.Ensemble(1, 1, neuron_type=ConductanceLIF(method="exponential",
                                                              dt=0.001),
                             gain=[1], bias=[0])
        nengo.Connection(inp.ensemble.neurons, exc.neurons, transform=np.full((1, 50), 0.06),
                         synapse=None)
        counter = SpikeCounter(1)
        nengo.Connection(exc.neurons, nengo.Node(counter, size_in=1), synapse=None)
    tries = []
    with nengo.Simulator(net, dt=0.001, progress_bar=False) as sim:
        counts, intensity = inp.present(
            sim, np.full(50, 255.0), counter, t_present=0.1, t_rest=0.02,
            before_each=lambda: tries.append(len(sim.trange())),
        )
    assert counts.sum() >= 5 and intensity > 2
    assert len(tries) == intensity - 1  # one try per intensity from 2
    # each try is a presentation plus a rest: 120 ms = 120 steps
    assert np.all(np.diff(tries) == 120)


def test_assign_labels_and_classify():
    responses = np.array([[5, 0, 1], [4, 1, 0], [0, 3, 0], [1, 0, 6]], dtype=float)
    labels = np.array([0, 0, 1, 2])
    assignments = assign_labels(responses, labels, n_classes=4)
    assert np.array_equal(assignments, [0, 1, 2])
    assert np.array_equal(classify(responses, assignments, 4), [0, 0, 1, 2])
    # a class without neurons never wins; ties go to the lower class
    assert np.array_equal(classify(np.zeros((1, 3)), assignments, 4), [0])


def test_small_network_separates_two_patterns_without_labels():
    # two patterns (either half of 100 inputs bright), 4 excitatory neurons learning with
    # STDP, adaptive thresholds and lateral inhibition; labels only name the neurons after
    a = np.r_[np.full(50, 255.0), np.zeros(50)]
    b = a[::-1].copy()
    net = diehl_cook.build(
        4, 100, seed=2, w_init=(0.1, 0.3), stdp=STDP(a_plus=0.05, a_minus=0.001), dt=0.001
    )
    kw = dict(t_present=0.1, t_rest=0.05, progress=False, dt=0.001)
    weights, theta = diehl_cook.train(net, np.array([a, b] * 8), target=20.0, **kw)
    responses = diehl_cook.responses(weights, theta, np.array([a, b] * 3), **kw)
    assignments = assign_labels(responses, [0, 1] * 3, 2)
    assert np.array_equal(classify(responses, assignments, 2), [0, 1] * 3)
    # the neuron answering each pattern most has its weights on that pattern's half
    for pattern, half in ((0, slice(0, 50)), (1, slice(50, 100))):
        winner = np.argmax(responses[pattern::2].sum(axis=0))
        assert weights[winner, half].sum() > 0.75 * weights[winner].sum()
        assert responses[pattern::2, winner].min() >= 3
    assert np.all(theta > 0.02)  # thresholds adapted during training
