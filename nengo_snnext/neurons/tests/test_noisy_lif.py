"""NoisyLIF as a Nengo neuron type (spec sections 1.7, 5.2 and 5.3)."""

import pickle
import time
import warnings

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_snnext import NoisyLIF
from nengo_snnext.equations.noisy_lif import NoisyLIFState
from nengo_snnext.neurons._noisy_lif_rates import normalised_noise
from nengo_snnext.neurons.noisy_lif import NoisyLIFRatesWarning

# the mean-field rates() of the temporal neuron neglects the fluctuations of the
# ensemble's mean and largest deviation; against simulated ensembles of 300
# neurons (alpha >= 4) it is within 0.004 spikes per step (docs: up to 0.009 at
# alpha = 3 and 0.045 at alpha = 2.5, where the independent noise is weak)
MEAN_FIELD_ALLOWANCE = 0.005


def simulate(Simulator, neuron_type, J, n_steps, *, seed=0, voltage=False, batch=None):
    """One ensemble, neuron i driven by J[i]; spikes (bool) [and voltages]."""
    n = len(J)
    with nengo.Network(seed=seed) as net:
        ens = nengo.Ensemble(n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=J,
                             encoders=np.ones((n, 1)))
        p_s = nengo.Probe(ens.neurons)
        p_v = nengo.Probe(ens.neurons, "voltage")
    with Simulator(net, progress_bar=False, seed=seed) as sim:
        sim.run_steps(n_steps)
    spikes = sim.data[p_s] > 0
    return (spikes, sim.data[p_v]) if voltage else spikes


def group_rates(spikes, groups, burn_in=50):
    """Mean spikes per step of each group of neurons and its standard error.

    The neurons of a group share one current; their per-neuron rates are the
    replicates, so the standard error comes from the sample itself.
    """
    per_neuron = spikes[burn_in:].mean(axis=0)
    means, errors = [], []
    for g in np.unique(groups):
        r = per_neuron[groups == g]
        means.append(r.mean())
        errors.append(r.std(ddof=1) / np.sqrt(len(r)))
    return np.array(means), np.array(errors)


@pytest.mark.parametrize("temporal", [False, True])
@pytest.mark.parametrize("noise", ["gaussian", "uniform"])
def test_noise_range_holds_at_every_step(Simulator, temporal, noise, rng):
    # spec 1.7: N in [beta - 1/2, beta + 1/2] = [0, 1]; H = N + J, V = H when silent
    J = rng.uniform(-2, 1.5, size=120)
    spikes, V = simulate(Simulator, NoisyLIF(noise=noise, temporal=temporal), J, 400, voltage=True)
    N = V - J
    silent = ~spikes
    assert np.all(N[silent] >= -1e-12) and np.all(N[silent] <= 1 + 1e-12)
    # a spike needs N + J > 1 with N <= 1: never for J <= 0, always for J > 1
    assert not spikes[:, J <= 0].any() and spikes[:, J > 1].all()
    # the bound is reached: the maximal |eps| maps to 0 or 1 exactly
    assert N[silent].max() > 0.99 or N[silent].min() < 0.01


@pytest.mark.parametrize("noise", ["uniform", "gaussian"])
def test_single_step_rates_match_simulation(Simulator, noise):
    neuron_type = NoisyLIF(noise=noise, temporal=False)
    currents = np.array([-0.2, 0.0, 0.1, 0.3, 0.45, 0.5, 0.55, 0.7, 0.9, 1.0, 1.2])
    copies = 30
    J = np.repeat(currents, copies)
    expected = neuron_type.rates(J[None], np.ones(J.size), np.zeros(J.size))[0] / 1000
    spikes = simulate(Simulator, neuron_type, J, 1500)
    simulated, stderr = group_rates(spikes, J, burn_in=0)
    expected = expected[::copies]
    # independent steps: the binomial standard error of 30 x 1500 draws, 5 sigma
    binomial = np.sqrt(expected * (1 - expected) / (copies * 1500))
    assert np.all(np.abs(simulated - expected) <= 5 * binomial + 1e-12), simulated - expected
    if noise == "uniform":
        # 330 neurons: within 1/(2n) = 0.0015 of clip(J, 0, 1) (spec 5.2)
        assert np.allclose(expected, np.clip(currents, 0, 1), atol=0.5 / J.size + 1e-12)


def test_gaussian_single_step_probability_is_exact(rng):
    # the quadrature against sampling r = eps / max|eps| over 8 neurons
    noise = normalised_noise("gaussian", 8)
    eps = rng.standard_normal((200_000, 8))
    r = (eps / np.abs(eps).max(axis=1, keepdims=True))[:, 0]
    t = np.array([-0.9, -0.5, 0.0, 0.2, 0.6, 0.95])
    empirical = (r[:, None] <= t).mean(axis=0)
    cdf = noise.cdf(t)
    assert np.all(np.abs(empirical - cdf) <= 5 * np.sqrt(cdf * (1 - cdf) / 200_000))
    # the atoms: the maximum (probability 1/8) is +/-1 exactly
    assert np.isclose(noise.cdf(-1.0), 1 / 16) and noise.cdf(1.0) == 1.0
    assert np.isclose(noise.cdf(1 - 1e-9), 1 - 1 / 16, atol=1e-6)


@pytest.mark.parametrize(
    "noise, population, alpha",
    [(noise, population, 4.0) for noise in ["gaussian", "uniform"]
     for population in ["homogeneous", "spread", "nef"]]
    + [("gaussian", "spread", 8.0), ("uniform", "nef", 8.0)],
)
def test_temporal_rates_match_simulation(Simulator, noise, population, alpha, plt):
    if population == "homogeneous":
        J = np.full(300, 0.6)
        groups = np.repeat(np.arange(10), 30)  # arbitrary groups of equal neurons
    elif population == "spread":
        groups = np.repeat(np.arange(10), 30)
        J = np.linspace(-0.2, 1.2, 10)[groups]
    else:  # NEF-like: many silent neurons with very negative currents
        groups = np.repeat(np.arange(10), 30)
        J = np.concatenate([np.linspace(-3, 0.0, 5), np.linspace(0.3, 1.1, 5)])[groups]
    neuron_type = NoisyLIF(noise=noise, alpha=alpha)
    expected = neuron_type.spike_probability(J[None])[0]  # the mean-field rates() per step
    spikes = simulate(Simulator, neuron_type, J, 2000)
    simulated, stderr = group_rates(spikes, groups)
    expected = np.array([expected[groups == g].mean() for g in np.unique(groups)])
    plt.errorbar(np.arange(10), simulated, yerr=5 * stderr, fmt=".")
    plt.plot(np.arange(10), expected, "k+")
    assert np.all(np.abs(simulated - expected) <= 5 * stderr + MEAN_FIELD_ALLOWANCE), (
        simulated - expected, stderr)


def test_temporal_coupling_changes_rates():
    # the same current fires differently in different ensembles (spec 1.7: the
    # normalisation is non-local); the single-step neuron does not care
    alone = NoisyLIF().spike_probability(np.array([[0.3] * 50]))[0, 0]
    mixed_J = np.concatenate([[0.3] * 25, np.linspace(-0.2, 1.2, 25)])
    mixed = NoisyLIF().spike_probability(mixed_J[None])[0, 0]
    assert alone < 0.5 * mixed
    single = NoisyLIF(temporal=False)
    assert np.isclose(single.rates(np.array([[0.3] * 50]), np.ones(50), np.zeros(50))[0, 0],
                      single.rates(mixed_J[None], np.ones(50), np.zeros(50))[0, 0])


@pytest.mark.parametrize("temporal", [False, True])
def test_seeded_reproducibility(Simulator, temporal):
    J = np.linspace(-0.5, 1.5, 40)
    a = simulate(Simulator, NoisyLIF(temporal=temporal), J, 300, seed=5)
    b = simulate(Simulator, NoisyLIF(temporal=temporal), J, 300, seed=5)
    c = simulate(Simulator, NoisyLIF(temporal=temporal), J, 300, seed=6)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("temporal", [False, True])
def test_inference_steps_need_no_retraining(Simulator, temporal):
    """Decoders solved once from rates(); more steps only average more spikes.

    The network is built once (the "training" is the decoder solve). Each input
    value is then held for T steps and the decoded output averaged over them;
    the error to the output the decoders were solved for (``rates() @ d``)
    shrinks as T grows, with nothing rebuilt.
    """
    values = np.linspace(-0.8, 0.8, 9)
    steps = [1, 4, 16, 64]
    schedule = np.concatenate([np.repeat(values, T) for T in steps])
    with nengo.Network(seed=1) as net:
        stim = nengo.Node(lambda t: schedule[min(int(round(t / 0.001)) - 1, schedule.size - 1)])
        ens = nengo.Ensemble(300, 1, neuron_type=NoisyLIF(temporal=temporal))
        nengo.Connection(stim, ens, synapse=None)
        out = nengo.Node(size_in=1)
        conn = nengo.Connection(ens, out, synapse=None)
        probe = nengo.Probe(out)
    with Simulator(net, progress_bar=False) as sim:
        sim.run_steps(schedule.size)
        decoders = sim.data[conn].weights[0]
        gain, bias = sim.data[ens].gain, sim.data[ens].bias
        encoders = sim.data[ens].encoders[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoisyLIFRatesWarning)
        rates = NoisyLIF(temporal=temporal).rates(values[:, None] * encoders, gain, bias)
    trained = rates @ decoders  # the output the decoders were solved for
    output = sim.data[probe][:, 0]
    errors, start = [], 0
    for T in steps:
        block = output[start:start + T * values.size].reshape(values.size, T)
        errors.append(np.sqrt(np.mean((block.mean(axis=1) - trained) ** 2)))
        start += T * values.size
    # averaging T steps: the error falls (about as 1 / sqrt(T) once past the
    # first steps from V = 0)
    assert errors[-1] < 0.5 * errors[0] and errors[-1] < errors[1], errors
    assert errors[-1] < 0.12, errors


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: NoisyLIF(alpha=2.0), "alpha"),
        (lambda: NoisyLIF(alpha=1.0), "alpha"),
        (lambda: NoisyLIF(noise="poisson"), "noise"),
        (lambda: NoisyLIF(temporal="yes"), "temporal"),
        (lambda: NoisyLIF(amplitude=-1), "amplitude"),
        (lambda: NoisyLIF(dt=0), "dt"),
        (lambda: NoisyLIF(initial_state={"noise": 0.0}), "initial_state"),
    ],
)
def test_parameter_validation(make, match):
    with pytest.raises(ValidationError, match=match):
        make()


def test_state_and_probeable():
    neuron_type = NoisyLIF()
    assert tuple(NoisyLIFState._fields) == tuple(neuron_type.state) == ("voltage",)
    assert neuron_type.probeable == ("output", "voltage")
    state = neuron_type.make_state(4, rng=np.random.RandomState(0))
    assert isinstance(state.pop("rng"), np.random.RandomState) and list(state) == ["voltage"]


@pytest.mark.parametrize("neuron_type", [NoisyLIF(), NoisyLIF(noise="uniform", temporal=False),
                                         NoisyLIF(alpha=8.0, beta=0.3, threshold=0.8)], ids=str)
def test_gain_bias_round_trip(neuron_type, rng):
    max_rates = rng.uniform(200, 400, size=100)
    intercepts = rng.uniform(-0.9, 0.9, size=100)
    gain, bias = neuron_type.gain_bias(max_rates, intercepts)
    rates_out, intercepts_out = neuron_type.max_rates_intercepts(gain, bias)
    assert np.allclose(intercepts_out, intercepts) and np.allclose(rates_out, max_rates)
    single = neuron_type.replace(temporal=False)
    assert np.allclose(single.rates(1, gain, bias), max_rates, rtol=1e-9)
    # the intercept V_th - beta - 1/2 is exact for both modes
    x = np.array([-1e-6, 1e-6])[:, None] + intercepts[None]
    r = single.rates(x, gain, bias)
    assert np.all(r[0] == 0) and np.all(r[1] > 0)


def test_unreachable_max_rates_raise():
    # 100 neurons: the single-step rate jumps from 0 to 1/(2n) = 5 Hz at the intercept
    with pytest.raises(ValidationError, match="max_rates"):
        NoisyLIF().gain_bias(np.full(100, 2.0), np.zeros(100))
    gain, bias = NoisyLIF().gain_bias(np.full(100, 1000.0), np.zeros(100))
    assert np.allclose(NoisyLIF(temporal=False).rates(1, gain, bias), 1000.0)


@pytest.mark.parametrize("neuron_type", [NoisyLIF(), NoisyLIF(noise="uniform", temporal=False)],
                         ids=str)
def test_pickle_and_equality(neuron_type):
    clone = pickle.loads(pickle.dumps(neuron_type))
    assert clone == neuron_type and hash(clone) == hash(neuron_type)


def test_large_ensemble_builds_and_rates_fast(Simulator):
    # gain_bias is closed-form/tabulated: 10,000 neurons build in about 0.15 s
    with nengo.Network(seed=0) as net:
        nengo.Ensemble(10_000, 1, neuron_type=NoisyLIF(beta=0.45))
    start = time.perf_counter()
    Simulator(net, progress_bar=False).close()
    assert time.perf_counter() - start < 3.0
    # one input row of the coupled ensemble: the mean-field solve for 10,000
    # neurons (measured about 0.5 s including its tables)
    J = np.linspace(-2, 1.5, 10_000)
    start = time.perf_counter()
    NoisyLIF(beta=0.45).rates(J[None], np.ones(J.size), np.zeros(J.size))
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize("temporal", [True, False])
def test_nef_decoding_warns_for_the_temporal_mode(temporal):
    """Decoders solved from the mean-field rates() miss; the single-step ones do not."""
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(0.5)
        ens = nengo.Ensemble(300, 1, neuron_type=NoisyLIF(temporal=temporal))
        nengo.Connection(stim, ens)
        probe = nengo.Probe(ens, synapse=0.05)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with nengo.Simulator(net, progress_bar=False) as sim:
            sim.run(0.4)
    warned = [w for w in caught if issubclass(w.category, NoisyLIFRatesWarning)]
    error = abs(sim.data[probe][200:, 0].mean() - 0.5)
    if temporal:
        assert warned and "temporal=False" in str(warned[0].message)
        assert error > 0.1  # what the warning is about
    else:
        assert not warned
        assert error < 0.07
