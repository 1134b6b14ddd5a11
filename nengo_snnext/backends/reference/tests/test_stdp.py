"""The sparse in-place SimSTDP operator equals the whole-matrix STDP equation, bit for bit;
the event-driven weight product equals the dense one."""

import nengo
import numpy as np
import pytest
from nengo.builder import Signal

from nengo_snnext import STDP
from nengo_snnext.backends.reference.stdp import SimSTDP, SpikeDotInc
from nengo_snnext.equations.stdp import STDPTraces, stdp_step
from nengo_snnext.ops import NUMPY_OPS


@pytest.mark.parametrize(
    "rule",
    [
        STDP(),
        STDP(form="pair", bound="soft", nearest=False, a_plus=0.05, a_minus=0.03),
        STDP(bound="power", mu=0.5, published_sign=True, a_minus=0.02),
    ],
)
def test_operator_equals_whole_matrix_step(rule, rng):
    dt, n_pre, n_post, steps = 0.0005, 30, 12, 200
    weights0 = rng.uniform(0.2, 0.8, (n_post, n_pre))
    sig = {
        "pre": Signal(shape=(n_pre,)), "post": Signal(shape=(n_post,)),
        "weights": Signal(shape=(n_post, n_pre)), "delta": Signal(shape=(n_post, n_pre)),
        "traces": [Signal(shape=(n,)) for n in (n_pre, n_post, n_post)],
    }
    op = SimSTDP(sig["pre"], sig["post"], sig["weights"], sig["delta"], sig["traces"],
                 params=rule.step_params(dt))
    signals = {s: np.zeros(s.shape) for s in (*sig["traces"], sig["pre"], sig["post"],
                                              sig["delta"])}
    signals[sig["weights"]] = weights0.copy()
    step = op.make_step(signals, dt, rng)
    weights = weights0.copy()
    traces = STDPTraces(np.zeros(n_pre), np.zeros(n_post), np.zeros(n_post))
    n_both = 0
    for _ in range(steps):
        pre = (rng.uniform(size=n_pre) < 0.1).astype(float)
        post = (rng.uniform(size=n_post) < 0.1).astype(float)
        signals[sig["pre"]][...] = pre / dt
        signals[sig["post"]][...] = post / dt
        step()
        delta, traces = stdp_step(NUMPY_OPS, weights, pre, post, traces,
                                  **rule.step_params(dt))
        weights = weights + delta
        assert np.array_equal(signals[sig["delta"]], delta)
        assert np.array_equal(signals[sig["weights"]], weights)
        for signal, trace in zip(sig["traces"], traces):
            assert np.array_equal(signals[signal], trace)
        n_both += int(np.outer(post, pre).sum())
    assert n_both > 50  # synapses with pre and post spikes in the same step were seen
    assert not np.array_equal(weights, weights0)


def test_spike_dot_inc_equals_dense_product(rng):
    n_post, n_pre = 50, 200
    A, X, Y = Signal(shape=(n_post, n_pre)), Signal(shape=(n_pre,)), Signal(shape=(n_post,))
    signals = {A: rng.uniform(-1, 1, (n_post, n_pre)), X: np.zeros(n_pre), Y: np.zeros(n_post)}
    step = SpikeDotInc(A, X, Y).make_step(signals, 0.001, rng)
    total = np.zeros(n_post)
    for density in (0.0, 0.02, 0.5, 1.0):
        signals[X][...] = rng.normal(0, 1000, n_pre) * (rng.uniform(size=n_pre) < density)
        step()
        total += signals[A] @ signals[X]
        assert np.allclose(signals[Y], total, rtol=1e-12, atol=1e-12)


def test_build_uses_spike_dot_inc_in_nengo_core():
    with nengo.Network(seed=0) as net:
        pre = nengo.Ensemble(5, 1, neuron_type=nengo.SpikingRectifiedLinear())
        post = nengo.Ensemble(3, 1)
        conn = nengo.Connection(pre.neurons, post.neurons, transform=np.full((3, 5), 0.5),
                                learning_rule_type=STDP())
    with nengo.Simulator(net, progress_bar=False) as sim:
        weights = sim.model.sig[conn]["weights"]
        users = [op for op in sim.model.operators if weights in op.reads]
    assert [type(op) for op in users] == [SpikeDotInc]
