"""Neural-oscillation neurons in NengoDL: exact (Alt) and statistical (noisy) equality,
noise reproducibility, rate training, and the thesis' surrogate gradient (eq. 3.16)."""

import math

import nengo
import numpy as np
import pytest
import tensorflow as tf
from scipy.interpolate import PPoly

import nengo_dl
from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.surrogate import surrogate_spike
from nengo_snnext.backends.dl.tests.conftest import (
    direct_input_network,
    neuron_builder,
    run_with_gradients,
    use_training,
)
from nengo_snnext.equations.oscillation import (
    OscillationState,
    alt_oscillation_step,
    oscillation_spike_probability,
    oscillation_step,
)
from nengo_snnext.equations.surrogates import get_surrogate
from nengo_snnext.neurons.oscillation import AltNeuralOscillation, NeuralOscillation
from nengo_snnext.ops import NUMPY_OPS

ALT_CORNERS = [
    AltNeuralOscillation(),
    AltNeuralOscillation(c=-0.1441, d=-0.1762),  # Table 3.9, VGG-16/CIFAR-10
    AltNeuralOscillation(form="F2", c=0.3, d=-0.1),
    AltNeuralOscillation(form="F3", c=-1.0, d=-0.2),
    AltNeuralOscillation(form="F4", c=2.0, d=0.1),
    AltNeuralOscillation(input_scaling="tau", negative_slope=-0.5, tau=0.004),
]


def test_alt_equals_reference_every_corner(dl_simulator, rng):
    """Deterministic: the same spikes and voltages, including the V-shape's region."""
    n, n_steps, dt = 20, 200, 0.001
    # inputs from far negative (V-shape firing below about -33) to strongly positive
    x = rng.uniform(-40, 3, size=(n_steps, n))
    x[:, : n // 2] = rng.uniform(-1, 2, size=(n_steps, n // 2))
    with nengo.Network(seed=2) as net:
        nengo_dl.configure_settings(dtype="float64")
        probes = []
        for neuron_type in ALT_CORNERS:
            inp = nengo.Node(nengo.processes.PresentInput(x, presentation_time=dt))
            ens = nengo.Ensemble(n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=np.zeros(n))
            nengo.Connection(inp, ens.neurons, synapse=None)
            probes.append((nengo.Probe(ens.neurons), nengo.Probe(ens.neurons, "voltage")))
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run_steps(n_steps)
    sim = dl_simulator(net)
    sim.run_steps(n_steps)
    for neuron_type, (spikes, voltage) in zip(ALT_CORNERS, probes):
        assert np.array_equal(sim.data[spikes], ref.data[spikes]), neuron_type
        assert np.count_nonzero(ref.data[spikes]) > 100, neuron_type
        assert np.allclose(sim.data[voltage], ref.data[voltage], atol=1e-10, rtol=0)


def test_alt_smoothed_rate_equals_staircase_at_band_centres(dl_simulator, rng):
    neuron_type = AltNeuralOscillation(c=-0.1441, d=-0.1762)
    dt, periods = 0.001, np.arange(1, 13)
    centres = neuron_type.current_for_period(periods, dt)
    n = len(periods)
    net = direct_input_network(neuron_type, n)
    sim = dl_simulator(net)
    c = rng.normal(size=(1, 1, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: centres[None, None]}, {net.spikes: c})
    staircase = neuron_type.rates(centres[None], np.ones(n), np.zeros(n))[0]
    assert np.allclose(staircase, 1 / (periods * dt))
    assert np.allclose(out[net.spikes][0, 0], staircase, rtol=1e-9)
    # monotone PCHIP: positive slope between the band centres (except saturation)
    table = neuron_type.training_rate_params(dt)["table"]
    slope = PPoly(table.coefficients, table.breaks, extrapolate=False).derivative()
    numeric = c[0, 0] * slope(centres) / dt
    assert np.allclose(grads[net.inp][0, 0], numeric, rtol=1e-9)
    assert np.all(grads[net.inp][0, 0, 1:] * c[0, 0, 1:] > 0)


NOISES = ["uniform", "gaussian"]


def level_network(neuron_type, levels, per_level, seed=0):
    """``per_level`` neurons at each constant input current (gain 1, bias = J)."""
    n = len(levels) * per_level
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(dtype="float64", stateful=False)
        net.ens = nengo.Ensemble(
            n, 1, neuron_type=neuron_type, gain=np.zeros(n), bias=np.repeat(levels, per_level)
        )
        net.spikes = nengo.Probe(net.ens.neurons)
    return net


@pytest.mark.parametrize("noise", NOISES)
def test_noise_distribution_matches_reference_statistically(noise, dl_simulator):
    """First step from V = 0: P(spike | H) is the closed form of the noise CDF
    (clip(H - 0.2, 0, 1) for U[-0.2, 0.8]); later steps: the exact stationary rate."""
    neuron_type = NeuralOscillation(noise=noise)
    levels = np.array([-0.2, 0.3, 0.6, 0.7, 0.9, 1.1])
    per_level, minibatch, n_steps = 400, 5, 200
    net = level_network(neuron_type, levels, per_level)
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run_steps(n_steps)
    sim = dl_simulator(net, minibatch_size=minibatch)
    dl_spikes = sim.predict(n_steps=n_steps)[net.spikes] > 0  # (minibatch, steps, n)

    p_first = oscillation_spike_probability(
        NUMPY_OPS, levels, distribution=neuron_type.noise_distribution(), threshold=1.0, negative_slope=-0.03
    )
    if noise == "uniform":
        assert np.allclose(p_first, np.clip(levels - 0.2, 0, 1))  # spec 5.2
    L = len(levels)
    stationary = neuron_type.rates(np.zeros((1, L)), np.zeros(L), levels)[0] * 0.001
    for name, spikes in [("reference", ref.data[net.spikes][None] > 0), ("nengo_dl", dl_spikes)]:
        by_level = spikes.reshape(spikes.shape[0], n_steps, len(levels), per_level)
        first = by_level[:, 0].mean(axis=(0, 2))
        n_first = by_level.shape[0] * per_level
        se = np.sqrt(p_first * (1 - p_first) / n_first) + 1e-12
        assert np.all(np.abs(first - p_first) <= 5 * se + 1e-9), (name, first, p_first)
        # stationary rate over the last 150 steps (renewal: neighbouring steps are
        # correlated, so allow 2.5 % of the rate plus 5 binomial standard errors)
        late = by_level[:, 50:].mean(axis=(0, 1, 3))
        n_late = by_level.shape[0] * 150 * per_level
        se = np.sqrt(stationary * (1 - stationary) / n_late)
        assert np.all(np.abs(late - stationary) <= 0.025 * stationary + 5 * se + 1e-9), (
            name, late, stationary,
        )


def test_noise_reproducible_and_independent_of_minibatch(dl_simulator, rng):
    neuron_type = NeuralOscillation()
    n, n_steps = 50, 40
    x = rng.uniform(0, 1, size=(3, n_steps, n))
    runs = {}
    for key, seed, minibatch in [("a", 0, 3), ("b", 0, 3), ("c", 0, 1), ("d", 1, 3)]:
        net = direct_input_network(neuron_type, n, seed=seed)
        sim = dl_simulator(net, minibatch_size=minibatch)
        runs[key] = sim.predict({net.inp: x[:minibatch]})[net.spikes]
    assert np.array_equal(runs["a"], runs["b"])  # same seed: same spikes
    assert np.array_equal(runs["c"][0], runs["a"][0])  # element 0 alone or with others
    assert not np.array_equal(runs["d"], runs["a"])  # another seed: other noise
    # the elements of a minibatch get independent noise (same input, different spikes)
    same_input = np.tile(x[:1], (3, 1, 1))
    net = direct_input_network(neuron_type, n)
    out = dl_simulator(net, minibatch_size=3).predict({net.inp: same_input})[net.spikes]
    assert not np.array_equal(out[0], out[1]) and not np.array_equal(out[1], out[2])


@pytest.mark.parametrize("noise", NOISES)
def test_rate_training_is_the_exact_stationary_rate(noise, dl_simulator, rng):
    neuron_type = NeuralOscillation(noise=noise)
    n, dt = 40, 0.001
    net = direct_input_network(neuron_type, n)
    sim = dl_simulator(net)
    J = np.concatenate([[-50.0, -34.0], np.linspace(-0.5, 1.5, n - 2)])[None, None]
    c = rng.normal(size=(1, 1, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})
    expected = neuron_type.rates(J[0], np.ones(n), np.zeros(n))[0]
    assert np.allclose(out[net.spikes][0, 0], expected, rtol=1e-9, atol=1e-9)
    h = 1e-6
    curve = neuron_type.rate_curve(dt)
    numeric = c[0, 0] * (curve(J[0, 0] + h) - curve(J[0, 0] - h)) / (2 * h) / dt
    assert np.allclose(grads[net.inp][0, 0], numeric, rtol=1e-5, atol=1e-3)
    assert np.count_nonzero(grads[net.inp]) > n // 2
    table = neuron_type.training_rate_params(dt)["table"]
    assert table is neuron_type.training_rate_params(dt)["table"]  # cached


@pytest.mark.parametrize("noise", NOISES)
def test_surrogate_gradient_is_thesis_eq_3_16(noise, rng):
    """dS/dH = alpha / (2 (1 + (pi/2 alpha (H + gamma - V_th))^2)) for H + gamma >= 0
    (eq. 3.16, alpha = 3); below 0 the V-shape's slope s multiplies the surrogate
    taken at P - V_th (the code's autograd; eq. 3.17 prints the wrong argument)."""
    alpha, threshold, slope = 3.0, 1.0, -0.03
    neuron_type = NeuralOscillation(noise=noise)
    H = rng.uniform(-2, 2, size=500)
    gamma = neuron_type.noise_distribution().loc + neuron_type.noise_distribution().scale * (
        rng.uniform(size=500) if noise == "uniform" else rng.normal(size=500)
    )
    H_t = tf.constant(H)
    with tf.GradientTape() as tape:
        tape.watch(H_t)
        # one step from V = 0 with J = H (lambda-form: input gain 1)
        S, _ = oscillation_step(
            TF_OPS, 0.001, H_t, OscillationState(tf.zeros_like(H_t)), gamma=tf.constant(gamma),
            leak=0.5, input_gain=1.0, threshold=threshold, negative_slope=slope,
            spike=surrogate_spike("arctan", alpha),
        )
    dS_dH = tape.gradient(S, H_t).numpy()
    x = H + gamma
    eq_3_16 = alpha / (2 * (1 + (math.pi / 2 * alpha * (x - threshold)) ** 2))
    below = slope * alpha / (2 * (1 + (math.pi / 2 * alpha * (slope * x - threshold)) ** 2))
    expected = np.where(x >= 0, eq_3_16, below)
    assert np.allclose(dS_dH, expected, rtol=1e-12)
    assert np.array_equal(S.numpy(), (np.where(x >= 0, x, slope * x) > threshold) * 1.0)


@pytest.mark.parametrize("neuron_type", ALT_CORNERS[:4], ids=str)
def test_alt_one_step_surrogate_equals_smoothed_reference(neuron_type, rng):
    params = neuron_type.equation_params(0.001)
    J, V = rng.uniform(-2, 2, size=300), rng.uniform(-0.5, 1, size=300)
    J_t, V_t = tf.constant(J), tf.constant(V)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([J_t, V_t])
        S, _ = alt_oscillation_step(
            TF_OPS, 0.001, J_t, OscillationState(V_t), spike=surrogate_spike("arctan", 3.0),
            **params,
        )
    smooth = get_surrogate("arctan").primitive

    def S_smooth(J=J, V=V):
        return alt_oscillation_step(
            NUMPY_OPS, 0.001, J, OscillationState(V),
            spike=lambda xp, x: smooth(xp, x, alpha=3.0), **params,
        )[0]

    h = 1e-6
    assert np.allclose(tape.gradient(S, J_t), (S_smooth(J=J + h) - S_smooth(J=J - h)) / (2 * h), atol=1e-6)
    assert np.allclose(tape.gradient(S, V_t), (S_smooth(V=V + h) - S_smooth(V=V - h)) / (2 * h), atol=1e-6)


def test_surrogate_default_alpha_is_chapter_3_value(dl_simulator):
    net = direct_input_network(NeuralOscillation(), 4)
    sim = dl_simulator(use_training(net, "surrogate"))
    assert neuron_builder(sim).surrogates == [("arctan", 3.0)]
