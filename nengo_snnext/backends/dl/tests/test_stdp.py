"""ConductanceLIF and STDP in NengoDL: same spikes, state and weights as nengo.Simulator."""

import nengo
import numpy as np
import pytest

nengo_dl = pytest.importorskip("nengo_dl")

from nengo_snnext import STDP, ConductanceLIF  # noqa: E402
from nengo_snnext.backends.dl import EquationBuilder, builder_for  # noqa: E402
from nengo_snnext.backends.dl.stdp import SimSTDPBuilder  # noqa: E402
from nengo_snnext.backends.reference.stdp import SimSTDP  # noqa: E402
from nengo_snnext.neurons.bernoulli import BernoulliSpiking  # noqa: E402


def small_network(rule, method="euler", seed=3):
    """Deterministic spiking input -> 6 excitatory ConductanceLIF with STDP, lateral inhibition."""
    rng = np.random.RandomState(seed)
    n_in, n_exc = 20, 6
    exc_type = ConductanceLIF.from_parameter_set("diehl_cook_excitatory", method=method)
    inh_type = ConductanceLIF.from_parameter_set("diehl_cook_inhibitory", method=method)
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(dtype="float64")
        stim = nengo.Node(lambda t: np.sin(np.arange(20) + 30 * t) * 150 + 150)
        inp = nengo.Ensemble(
            n_in, 1, neuron_type=nengo.SpikingRectifiedLinear(),
            gain=np.ones(n_in), bias=np.zeros(n_in),
        )
        nengo.Connection(stim, inp.neurons, synapse=None)
        exc = nengo.Ensemble(n_exc, 1, neuron_type=exc_type, gain=np.ones(n_exc),
                             bias=np.zeros(n_exc))
        inh = nengo.Ensemble(n_exc, 1, neuron_type=inh_type, gain=np.ones(n_exc),
                             bias=np.zeros(n_exc))
        net.conn = nengo.Connection(
            inp.neurons, exc.neurons, transform=rng.uniform(0.3, 0.9, (n_exc, n_in)),
            synapse=None, learning_rule_type=rule,
        )
        nengo.Connection(exc.neurons, inh.neurons, transform=10.4 * np.eye(n_exc), synapse=None)
        nengo.Connection(inh.neurons, exc.neurons, transform=-17 * (1 - np.eye(n_exc)),
                         synapse=0)
        net.named_probes = {
            "weights": nengo.Probe(net.conn, "weights"),
            "exc": nengo.Probe(exc.neurons),
            "inh": nengo.Probe(inh.neurons),
            **{name: nengo.Probe(exc.neurons, name) for name in ConductanceLIF.state},
            **{name: nengo.Probe(net.conn.learning_rule, name) for name in STDP.probeable},
        }
    return net


def test_registered():
    assert builder_for(ConductanceLIF) is EquationBuilder
    assert builder_for(BernoulliSpiking) is EquationBuilder
    assert nengo_dl.builder.Builder.builders[SimSTDP] is SimSTDPBuilder


@pytest.mark.parametrize(
    "rule,method",
    [
        (STDP(), "euler"),
        (STDP(form="pair", bound="soft", a_plus=0.02, a_minus=0.01, nearest=False), "exponential"),
        pytest.param(
            STDP(form="pair", bound="power", mu=0.7, published_sign=True), "euler",
            marks=pytest.mark.slow,
        ),
    ],
    ids=["diehl-cook", "pair-soft-exponential", "power-published"],
)
def test_same_weights_and_state_as_reference(dl_simulator, rule, method):
    net = small_network(rule, method)
    with nengo.Simulator(net, dt=0.0005, progress_bar=False) as ref:
        ref.run(0.15)
    sim = dl_simulator(net, dt=0.0005)
    sim.run(0.15)
    p = net.named_probes
    assert np.count_nonzero(ref.data[p["exc"]]) > 10 and np.count_nonzero(ref.data[p["inh"]]) > 5
    assert np.array_equal(sim.data[p["exc"]], ref.data[p["exc"]])
    assert np.array_equal(sim.data[p["inh"]], ref.data[p["inh"]])
    w_ref, w_dl = ref.data[p["weights"]], sim.data[p["weights"]]
    assert np.abs(w_ref[-1] - w_ref[0]).max() > 1e-3  # the weights did learn
    assert np.allclose(w_dl, w_ref, rtol=0, atol=1e-12)
    for name in list(ConductanceLIF.state) + list(STDP.probeable):
        assert np.allclose(sim.data[p[name]], ref.data[p[name]], rtol=1e-9, atol=1e-12), name
