"""STDP in nengo.Simulator against the analytic trace kernels.

(``nengo.Simulator`` directly, not the ``Simulator`` fixture: NengoDL is checked
against it, weights, traces and spikes, in ``backends/dl/tests/test_stdp.py``.)
"""

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError, ValidationError

from nengo_snnext import STDP

DT = 0.001


def spike_source(steps, n_steps):
    """A ``(n_steps, n)`` 0/1 array with one spike per column at ``steps``."""
    trains = np.zeros((n_steps, len(steps)))
    for i, s in enumerate(steps):
        for k in np.atleast_1d(s):
            trains[k, i] = 1
    return trains


def run_stdp(Simulator, pre_trains, post_trains, rule, w0=0.0, probe_traces=False):
    """Drive pre/post neurons with exact spike trains; return the weight history.

    The neurons are rectified-linear with bias ``-0.9 / dt``: a train's spike
    (``1 / dt``) gives output, and the learned connection's ``w / dt`` (``|w| <
    0.9``) alone never does, so the post spikes are exactly the given trains.
    """
    n_steps, n_pre = pre_trains.shape
    n_post = post_trains.shape[1]
    # two silent steps at the end: the last step's change reaches the weights
    pre_trains = np.vstack([pre_trains, np.zeros((2, n_pre))])
    post_trains = np.vstack([post_trains, np.zeros((2, n_post))])
    with nengo.Network(seed=0) as net:
        pre_in = nengo.Node(lambda t: pre_trains[int(round(t / DT)) - 1] / DT)
        post_in = nengo.Node(lambda t: post_trains[int(round(t / DT)) - 1] / DT)
        relu = nengo.RectifiedLinear()
        pre = nengo.Ensemble(n_pre, 1, neuron_type=relu, gain=np.ones(n_pre), bias=np.zeros(n_pre))
        post = nengo.Ensemble(
            n_post, 1, neuron_type=relu, gain=np.ones(n_post), bias=np.full(n_post, -0.9 / DT)
        )
        nengo.Connection(pre_in, pre.neurons, synapse=None)
        nengo.Connection(post_in, post.neurons, synapse=None)
        conn = nengo.Connection(
            pre.neurons, post.neurons, transform=np.full((n_post, n_pre), w0), synapse=None,
            learning_rule_type=rule,
        )
        p_w = nengo.Probe(conn, "weights")
        p_post = nengo.Probe(post.neurons)
        traces = (
            {k: nengo.Probe(conn.learning_rule, k) for k in STDP.probeable}
            if probe_traces else {}
        )
    with Simulator(net, dt=DT, progress_bar=False) as sim:
        sim.run_steps(n_steps + 2)
    assert np.all((sim.data[p_post] > 0) == (post_trains > 0))
    return sim.data[p_w], {k: sim.data[p] for k, p in traces.items()}


def pair_kernel(delay, *, a_plus, a_minus, tau_plus, tau_minus):
    """Eq. 6.8, delay = t_post - t_pre (s)."""
    return np.where(
        delay >= 0, a_plus * np.exp(-delay / tau_plus), -a_minus * np.exp(delay / tau_minus)
    )


@pytest.mark.parametrize("published_sign", [False, True])
def test_pair_kernel(published_sign):
    # every pre neuron j spikes once, every post neuron i once: w_ij = K(t_post_i - t_pre_j)
    rule = STDP(
        form="pair", a_plus=0.004, a_minus=0.003, tau_plus=0.017, tau_minus=0.031,
        w_min=-1.0, published_sign=published_sign,
    )
    pre_steps = [40, 47, 60, 75]
    post_steps = [30, 40, 52, 66, 110]
    n_steps = 130
    w, _ = run_stdp(
        nengo.Simulator, spike_source(pre_steps, n_steps), spike_source(post_steps, n_steps), rule
    )
    delay = (np.array(post_steps)[:, None] - np.array(pre_steps)[None, :]) * DT
    expected = pair_kernel(delay, a_plus=0.004, a_minus=0.003, tau_plus=0.017, tau_minus=0.031)
    if published_sign:
        expected = np.abs(expected)  # the port adds its pre-spike term: no depression
    assert np.any(delay < 0) and np.any(delay > 0) and np.any(delay == 0)
    assert np.allclose(w[-1], expected, rtol=1e-12, atol=1e-15)


def test_triplet_potentiation():
    # post at 10, pre at 30, post at 50: the second post potentiates by
    # a_plus * x_pre(20 ms) * y_slow(40 ms, read before its own spike); the pre spike
    # depresses by a_minus * x_post(20 ms); the first post sees no pre trace
    rule = STDP(form="triplet", a_plus=0.01, a_minus=0.002, w_min=-1.0)
    n_steps = 70
    w, traces = run_stdp(
        nengo.Simulator, spike_source([30], n_steps), spike_source([[10, 50]], n_steps), rule,
        probe_traces=True,
    )
    expected = 0.01 * np.exp(-0.020 / 0.02) * np.exp(-0.040 / 0.04) - 0.002 * np.exp(
        -0.020 / 0.02
    )
    assert np.isclose(w[-1, 0, 0], expected, rtol=1e-12)
    # traces: 1 at the spike step, exact exponential decay after it
    assert np.isclose(traces["pre_trace"][30 + 5, 0], np.exp(-5 * DT / 0.02))
    assert np.isclose(traces["post_slow_trace"][50 + 7, 0], np.exp(-7 * DT / 0.04))


def test_nearest_and_all_to_all_traces():
    # pre at 10 and 20, post at 30: nearest pairs only with the last pre spike
    n_steps = 40
    pre, post = spike_source([[10, 20]], n_steps), spike_source([30], n_steps)
    kw = dict(form="pair", a_plus=0.01, a_minus=0.0, w_min=-1.0)
    w_near, _ = run_stdp(nengo.Simulator, pre, post, STDP(nearest=True, **kw))
    w_all, _ = run_stdp(nengo.Simulator, pre, post, STDP(nearest=False, **kw))
    assert np.isclose(w_near[-1, 0, 0], 0.01 * np.exp(-0.01 / 0.02))
    assert np.isclose(w_all[-1, 0, 0], 0.01 * (np.exp(-0.01 / 0.02) + np.exp(-0.02 / 0.02)))


@pytest.mark.parametrize("bound", ["hard", "soft", "power"])
def test_bounds(bound):
    # 30 potentiating pairs (pre then post 1 ms later) then 30 depressing ones; 1 ms
    # traces so that neighbouring pairs (6 ms apart) barely interact
    n_steps = 400
    pot = np.arange(5, 180, 6)
    dep = np.arange(200, 380, 6)
    pre = spike_source([np.concatenate([pot, dep + 1])], n_steps)
    post = spike_source([np.concatenate([pot + 1, dep])], n_steps)
    rule = STDP(
        form="pair", a_plus=0.3, a_minus=0.3, tau_plus=DT, tau_minus=DT, w_min=0.1,
        w_max=0.6, bound=bound, mu=0.5,
    )
    w, _ = run_stdp(nengo.Simulator, pre, post, rule, w0=0.3)
    w = w[:, 0, 0]
    assert np.all(w >= 0.1) and np.all(w <= 0.6)
    peak = w[200]
    if bound == "hard":
        assert peak == 0.6 and w[-1] == 0.1  # clipped exactly
    elif bound == "soft":
        assert 0.55 < peak < 0.6 and 0.1 < w[-1] < 0.15  # approached, never reached
    else:  # mu = 0.5 < 1 overshoots near the bounds: the clip catches it
        assert 0.55 < peak <= 0.6 and 0.1 <= w[-1] < 0.15
    # first potentiation: a_plus exp(-1 ms / tau_plus) f_plus(0.3)
    f_plus = {"hard": 1.0, "soft": 0.6 - 0.3, "power": (0.6 - 0.3) ** 0.5}[bound]
    change = w[pot[0] + 3] - 0.3
    assert np.isclose(change, 0.3 * np.exp(-1.0) * f_plus, rtol=1e-12)


def test_validation_and_build_errors():
    with pytest.raises(ValidationError, match="w_min"):
        STDP(w_min=1.0, w_max=0.5)
    with pytest.raises(ValidationError, match="form"):
        STDP(form="quadruplet")
    with pytest.raises(ValidationError, match="bound"):
        STDP(bound="elastic")
    with nengo.Network() as net:
        a = nengo.Ensemble(3, 1)
        b = nengo.Ensemble(2, 1)
        nengo.Connection(a.neurons, b.neurons, transform=np.full((2, 3), 2.0), learning_rule_type=STDP())
    with pytest.raises(BuildError, match="outside the STDP bounds"):
        nengo.Simulator(net, progress_bar=False)
