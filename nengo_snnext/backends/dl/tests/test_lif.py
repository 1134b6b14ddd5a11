"""DiscreteLIF and KLIF in NengoDL: equality with nengo.Simulator, rate and surrogate gradients."""

import math

import nengo
import numpy as np
import pytest
import tensorflow as tf

import nengo_dl
from nengo_snnext import KLIF, DiscreteLIF
from nengo_snnext.backends.dl.equation_builder import param_runs
from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.surrogate import surrogate_spike
from nengo_snnext.backends.dl.tests.conftest import (
    direct_input_network,
    neuron_builder,
    run_with_gradients,
    use_training,
)
from nengo_snnext.equations.lif import LIFState, klif_step, smooth_discrete_rate
from nengo_snnext.equations.surrogates import get_surrogate
from nengo_snnext.neurons.tests.test_lif import CORNERS as REFERENCE_CORNERS
from nengo_snnext.ops import NUMPY_OPS


class UserKLIF(KLIF):
    """A user subclass: must run on our builder (MRO dispatch), not the fallback."""


# every parameter corner of the family (neurons/tests/test_lif.py), plus amplitude and a subclass
CORNERS = REFERENCE_CORNERS + [
    KLIF(k=1.3, amplitude=0.01),
    UserKLIF(k=2.5, activation="celu", celu_alpha=0.5),
]


def corners_network(dtype, rates=(50, 400)):
    """One ensemble per corner, driven by a signal, feeding a second DiscreteLIF stage.

    All ensembles of one class are merged into one operator group by NengoDL, so
    this also exercises per-neuron parameters and the split by activation.
    ``rates`` (spikes/s) is the range of ``max_rates``.
    """
    with nengo.Network(seed=3) as net:
        nengo_dl.configure_settings(dtype=dtype)
        stim = nengo.Node(lambda t: [np.sin(13 * t), np.cos(7 * t)])
        net.corner_probes = []
        for neuron_type in CORNERS:
            ens = nengo.Ensemble(
                24, 2, neuron_type=neuron_type,
                max_rates=nengo.dists.Uniform(*rates),
            )
            nengo.Connection(stim, ens)
            post = nengo.Ensemble(8, 1, neuron_type=DiscreteLIF(tau=0.004))
            nengo.Connection(ens, post[0], synapse=0.005, function=lambda x: x[0] * x[1])
            net.corner_probes.append(
                (
                    nengo.Probe(ens.neurons),
                    nengo.Probe(ens.neurons, "voltage"),
                    nengo.Probe(post.neurons, "voltage"),
                )
            )
    return net


def test_equals_reference_every_corner(dl_simulator, allclose):
    net = corners_network("float64")
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(0.5)
    sim = dl_simulator(net)
    sim.run(0.5)
    worst_v = 0.0
    for neuron_type, (spikes, voltage, post_voltage) in zip(CORNERS, net.corner_probes):
        assert np.array_equal(sim.data[spikes], ref.data[spikes]), neuron_type
        assert np.count_nonzero(ref.data[spikes]) > 100, neuron_type  # it does spike
        assert allclose(sim.data[voltage], ref.data[voltage], atol=1e-10, rtol=0)
        assert allclose(sim.data[post_voltage], ref.data[post_voltage], atol=1e-10, rtol=0)
        worst_v = max(worst_v, np.abs(sim.data[voltage] - ref.data[voltage]).max())
    print(f"max |voltage error| over all corners: {worst_v:.2e}")


def test_float32_close_to_reference(dl_simulator):
    """NengoDL's default float32 against the float64 reference.

    Spike-by-spike equality is not expected: a neuron whose drive sits within
    float32 rounding (~1e-7) of its firing edge may fire a step earlier or later,
    and the shifted phase persists. The first steps and the population spike
    counts agree. Rates start at 200 Hz: with strong leak (KLIF k = 0.5 has
    leak 0.25) a period of n steps needs the drive within ~0.25^n of the
    rheobase, so slow neurons have gains of 1e-9 and do not exist in float32.
    """
    net = corners_network("float32", rates=(200, 500))
    with nengo.Simulator(net, progress_bar=False) as ref:
        ref.run(0.2)
    sim = dl_simulator(net)
    sim.run(0.2)
    for neuron_type, (spikes, voltage, _) in zip(CORNERS, net.corner_probes):
        assert np.allclose(sim.data[voltage][:5], ref.data[voltage][:5], atol=1e-6)
        n_sim, n_ref = np.count_nonzero(sim.data[spikes]), np.count_nonzero(ref.data[spikes])
        assert abs(n_sim - n_ref) <= 0.02 * n_ref, neuron_type


def test_minibatch_elements_equal_separate_reference_runs(dl_simulator, rng):
    dt = 0.0005
    types = [DiscreteLIF(dt=dt), KLIF(k=3.0, activation="leaky_relu", dt=dt)]
    n, n_steps, minibatch = 12, 150, 3
    x = rng.uniform(-1.5, 4.0, size=(minibatch, n_steps, n))
    for neuron_type in types:
        net = direct_input_network(neuron_type, n)
        sim = dl_simulator(net, dt=dt, minibatch_size=minibatch)
        out = sim.predict({net.inp: x}, n_steps=n_steps)
        for i in range(minibatch):
            net.inp.output = nengo.processes.PresentInput(x[i], presentation_time=dt)
            with nengo.Simulator(net, dt=dt, progress_bar=False) as ref:
                ref.run_steps(n_steps)
            net.inp.output = np.zeros(n)
            assert np.array_equal(out[net.spikes][i], ref.data[net.spikes]), neuron_type
            assert np.allclose(out[net.voltage][i], ref.data[net.voltage], atol=1e-12)


def test_param_runs_split_by_static_parameters():
    dtype = tf.float64
    params = [
        dict(k=1.0, activation_name="relu", scale_reset=False),
        dict(k=2.0, activation_name="relu", scale_reset=False),
        dict(k=2.0, activation_name="celu", scale_reset=False),
        dict(k=2.0, activation_name="celu", scale_reset=True),
    ]
    runs = param_runs(params, [2, 3, 4, 5], dtype)
    assert [(r.start, r.stop) for r in runs] == [(0, 5), (5, 9), (9, 14)]
    assert np.array_equal(runs[0].params["k"], [[1, 1, 2, 2, 2]])
    assert runs[1].params == dict(k=2.0, activation_name="celu", scale_reset=False)
    assert runs[2].params["scale_reset"] is True


# ---------------------------------------------------------------- rate training

RATE_TYPES = [
    DiscreteLIF(),
    DiscreteLIF(tau=0.005, threshold=2.0, reset=-0.5, amplitude=0.01),
    KLIF(k=1.5, activation="celu"),
    KLIF(k=3.0),
    KLIF(k=0.7, scale_reset=True),
]


@pytest.mark.parametrize("neuron_type", RATE_TYPES, ids=str)
def test_rate_training_step_and_gradient(neuron_type, dl_simulator, rng):
    """In training, output = amplitude * smooth rate; its gradient = finite differences."""
    dt, n = 0.001, 40
    net = direct_input_network(neuron_type, n)
    sim = dl_simulator(net, minibatch_size=2)
    J = rng.uniform(-0.5, 6.0, size=(2, 1, n))
    c = rng.normal(size=(2, 1, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})

    params = neuron_type.training_rate_params(dt)

    def reference(J):
        rate = neuron_type.training_equation(NUMPY_OPS, J, dt=dt, **params)
        return neuron_type.amplitude * rate

    assert np.allclose(out[net.spikes], reference(J), rtol=1e-12, atol=0)
    h = 1e-7
    numeric = c * (reference(J + h) - reference(J - h)) / (2 * h)
    assert np.allclose(grads[net.inp], numeric, rtol=1e-5, atol=1e-6 * neuron_type.amplitude / dt)
    assert np.count_nonzero(grads[net.inp]) > n // 2


def test_rate_is_smooth_discrete_rate_of_linear_parameters():
    klif = KLIF(k=3.0, scale_reset=False)
    params = klif.training_rate_params(0.001)
    assert params == dict(leak=1.5, input_gain=1.5, threshold=1.0, reset=0.0)
    J = np.linspace(0, 3, 7)
    assert np.array_equal(
        klif.training_equation(NUMPY_OPS, J, dt=0.001, **params),
        smooth_discrete_rate(NUMPY_OPS, 1.5 * J, dt=0.001, leak=1.5, threshold=1.0, reset=0.0),
    )


# ----------------------------------------------------------- surrogate training

KLIF_PARAMS = dict(
    leak=0.5, input_gain=0.5, threshold=1.0, celu_alpha=1.0, negative_slope=0.01
)


def arctan_spike_numpy(alpha):
    """Smoothed reference: the Heaviside replaced by the surrogate's primitive g."""
    primitive = get_surrogate("arctan").primitive
    return lambda xp, x: primitive(xp, x, alpha=alpha)


@pytest.mark.parametrize("k", [0.5, 1.0, 1.7, 3.0])
@pytest.mark.parametrize("activation", ["relu", "celu", "leaky_relu"])
@pytest.mark.parametrize("scale_reset", [False, True])
def test_one_step_surrogate_gradient_equals_smoothed_reference(k, activation, scale_reset, rng):
    """dS/dJ, dS/dV and dS/dk of one step = finite differences of the smoothed step."""
    alpha = 2.0
    params = dict(KLIF_PARAMS, activation_name=activation, scale_reset=scale_reset)
    J = rng.uniform(-3, 4, size=200)
    V = rng.uniform(-1, 1, size=200)

    J_t, V_t, k_t = tf.constant(J), tf.constant(V), tf.constant(k, tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([J_t, V_t, k_t])
        S, _ = klif_step(
            TF_OPS, 0.001, J_t, LIFState(V_t), k=k_t, spike=surrogate_spike("arctan", alpha),
            **params,
        )
        total = tf.reduce_sum(S)
    dS_dJ, dS_dV = tape.gradient(S, J_t), tape.gradient(S, V_t)
    dS_dk = tape.gradient(total, k_t)
    # forward pass stays the exact Heaviside
    S_exact, _ = klif_step(NUMPY_OPS, 0.001, J, LIFState(V), k=k, **params)
    assert np.array_equal(S.numpy(), S_exact)

    smooth = arctan_spike_numpy(alpha)

    def S_smooth(J=J, V=V, k=k):
        return klif_step(NUMPY_OPS, 0.001, J, LIFState(V), k=k, spike=smooth, **params)[0]

    h = 1e-6
    assert np.allclose(dS_dJ, (S_smooth(J=J + h) - S_smooth(J=J - h)) / (2 * h), atol=1e-7)
    assert np.allclose(dS_dV, (S_smooth(V=V + h) - S_smooth(V=V - h)) / (2 * h), atol=1e-7)
    numeric_k = np.sum(S_smooth(k=k + h) - S_smooth(k=k - h)) / (2 * h)
    assert dS_dk.numpy() == pytest.approx(numeric_k, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("k", [0.5, 1.0, 2.0, 4.0])
def test_klif_surrogate_gradient_is_thesis_eq_2_9(k, rng):
    """Eq. 2.9: dS/dF = alpha / (2 (1 + (pi/2 alpha k (H - V_th / k))^2)) for H >= 0, with
    dF/dH = k and dF/dk = H (eq. 2.8); both vanish for H < 0 (ReLU)."""
    alpha, threshold = 2.0, 1.0
    V = np.zeros(400)
    J = rng.uniform(-4, 6, size=400)
    H = 0.5 * V + 0.5 * J  # eq. 2.2 with tau = 2 steps
    J_t, k_t = tf.constant(J), tf.constant(k, tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([J_t, k_t])
        S, _ = klif_step(
            TF_OPS, 0.001, J_t, LIFState(tf.constant(V)), k=k_t,
            activation_name="relu", scale_reset=False, spike=surrogate_spike("arctan", alpha),
            **{**KLIF_PARAMS, "threshold": threshold},
        )
    dS_dH = tape.gradient(S, J_t).numpy() / 0.5
    dS_dk = tape.jacobian(S, k_t).numpy()
    eq_2_9 = alpha / (2 * (1 + (math.pi / 2 * alpha * k * (H - threshold / k)) ** 2))
    positive = H > 0
    assert np.allclose(dS_dH[positive], k * eq_2_9[positive], rtol=1e-12)
    assert np.allclose(dS_dk[positive], H[positive] * eq_2_9[positive], rtol=1e-12)
    assert np.all(dS_dH[~positive] == 0) and np.all(dS_dk[~positive] == 0)
    # peak of the surrogate seen from H: k alpha / 2 at the effective threshold V_th / k
    assert k * eq_2_9.max() <= k * alpha / 2


def numpy_bptt(neuron_type, J, v0, c, *, dt, surrogate, alpha):
    """Forward spikes and d(sum c * output)/dJ by the thesis chain rule (eqs. 2.8, 2.9).

    Per step: H = leak V + g J; F = act(k H); S = [F > V_th];
    V' = kappa F (1 - S) + reset S (kappa = 1/k for KLIF*, else 1). Backward:
    dL/dF = dL/dS g'(F - V_th) + dL/dV' (kappa (1 - S - F g') + reset g'),
    dL/dH = dL/dF k act'(k H), dL/dJ = g dL/dH, dL/dV = leak dL/dH.
    """
    p = neuron_type.equation_params(dt)
    is_klif = isinstance(neuron_type, KLIF)
    k = p["k"] if is_klif else 1.0
    kappa = 1.0 / k if is_klif and p["scale_reset"] else 1.0
    reset = 0.0 if is_klif else p["reset"]
    activation = p.get("activation_name", "identity")

    def act(x):
        return {
            "identity": x,
            "relu": np.maximum(x, 0),
            "celu": np.maximum(x, 0) + p.get("celu_alpha", 1) * np.expm1(np.minimum(x, 0) / p.get("celu_alpha", 1)),
            "leaky_relu": np.where(x >= 0, x, p.get("negative_slope", 0) * x),
        }[activation]

    def act_prime(x):
        return {
            "identity": np.ones_like(x),
            "relu": (x > 0).astype(float),
            "celu": np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / p.get("celu_alpha", 1))),
            "leaky_relu": np.where(x >= 0, 1.0, p.get("negative_slope", 0)),
        }[activation]

    g_prime = get_surrogate(surrogate).derivative
    n_steps = J.shape[1]
    H, F, S = (np.zeros_like(J) for _ in range(3))
    v = v0
    for t in range(n_steps):
        H[:, t] = p["leak"] * v + p["input_gain"] * J[:, t]
        F[:, t] = act(k * H[:, t])
        S[:, t] = F[:, t] > p["threshold"]
        v = kappa * F[:, t] * (1 - S[:, t]) + reset * S[:, t]
    dJ = np.zeros_like(J)
    dV = np.zeros_like(v0 + J[:, 0])
    for t in reversed(range(n_steps)):
        gp = g_prime(NUMPY_OPS, F[:, t] - p["threshold"], alpha=alpha)
        dS = c[:, t] * neuron_type.amplitude / dt
        dF = dS * gp + dV * (kappa * (1 - S[:, t] - F[:, t] * gp) + reset * gp)
        dH = dF * k * act_prime(k * H[:, t])
        dJ[:, t] = p["input_gain"] * dH
        dV = p["leak"] * dH
    return S * neuron_type.amplitude / dt, dJ


BPTT_CASES = [
    (DiscreteLIF(), "arctan", None),
    (DiscreteLIF(tau=0.005, threshold=2.0, reset=-0.5, input_scaling="none"), "sigmoid", 3.0),
    (KLIF(k=1.5, activation="celu"), "arctan", None),
    (KLIF(k=3.0, activation="leaky_relu", amplitude=0.01), "fast_sigmoid", None),
    (KLIF(k=0.7, scale_reset=True), "triangle", 0.8),
    (UserKLIF(k=1.2), "arctan", 3.0),
]


@pytest.mark.parametrize("neuron_type, surrogate, alpha", BPTT_CASES, ids=str)
def test_surrogate_bptt_through_nengo_dl_equals_thesis_chain_rule(
    neuron_type, surrogate, alpha, dl_simulator, rng
):
    dt, n, n_steps, minibatch = 0.001, 16, 12, 2
    net = direct_input_network(neuron_type, n)
    use_training(net, "surrogate", neuron_type=type(neuron_type), surrogate=surrogate, alpha=alpha)
    sim = dl_simulator(net, minibatch_size=minibatch)
    J = rng.uniform(-1.0, 4.0, size=(minibatch, n_steps, n))
    c = rng.normal(size=(minibatch, n_steps, n))
    out, grads, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})

    alpha = alpha if alpha is not None else 2.0 if surrogate == "arctan" else get_surrogate(surrogate).default_alpha
    v0 = sim.model.sig[net.ens.neurons]["voltage"].initial_value
    spikes, dJ = numpy_bptt(neuron_type, J, v0, c, dt=dt, surrogate=surrogate, alpha=alpha)
    # forward: exact spikes in training mode (no rate approximation in this mode)
    assert np.array_equal(out[net.spikes], spikes)
    assert 0.1 < np.mean(spikes > 0) < 0.9
    # backward: BPTT through the unrolled simulation, state included
    assert np.allclose(grads[net.inp], dJ, rtol=1e-9, atol=1e-9 * np.abs(dJ).max())
    # gradient flows back in time: early inputs affect later spikes
    assert np.count_nonzero(grads[net.inp][:, 0]) > 0
    c_last = np.zeros_like(c)
    c_last[:, -1] = c[:, -1]
    _, grads_last, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c_last})
    assert np.count_nonzero(grads_last[net.inp][:, : n_steps - 1]) > 0


def test_surrogate_default_alpha_is_thesis_value(dl_simulator):
    net = direct_input_network(KLIF(), 4)
    sim = dl_simulator(use_training(net, "surrogate"))
    assert neuron_builder(sim).surrogates == [("arctan", 2.0)]
