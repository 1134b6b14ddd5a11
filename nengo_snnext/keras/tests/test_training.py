"""Training the Keras layers: surrogate BPTT against the thesis chain rule and NengoDL,
rate-mode gradients against finite differences, trainable k/tau/threshold under fit."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError
import tensorflow as tf

import nengo_snnext
import nengo_snnext.keras as nk
from nengo_snnext.equations.surrogates import get_surrogate
from nengo_snnext.keras._parameters import MAX_LEAK, THRESHOLD_MARGIN
from nengo_snnext.keras.tests.conftest import zero_state
from nengo_snnext.ops import NUMPY_OPS

DT = 0.001


def activation_and_derivative(p):
    name = p.get("activation_name", "identity")
    a = p.get("celu_alpha", 1.0)
    s = p.get("negative_slope", 0.0)
    act = {
        "identity": lambda x: x,
        "relu": lambda x: np.maximum(x, 0),
        "celu": lambda x: np.maximum(x, 0) + a * np.expm1(np.minimum(x, 0) / a),
        "leaky_relu": lambda x: np.where(x >= 0, x, s * x),
    }[name]
    prime = {
        "identity": np.ones_like,
        "relu": lambda x: (x > 0).astype(float),
        "celu": lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / a)),
        "leaky_relu": lambda x: np.where(x >= 0, 1.0, s),
    }[name]
    return act, prime


def thesis_chain_rule(neuron_type, J, c, *, alpha, surrogate="arctan"):
    """Spikes and per-element gradients of ``L = sum(c * output)`` (eqs. 2.2-2.10, 2.8-2.9).

    Forward per step (zero initial state): ``H = lam V + g J``; ``F = act(k H)``;
    ``S = [F > th]``; ``V' = kappa F (1 - S) + reset S`` (``kappa = 1/k`` for KLIF*).
    Backward with ``dS/dx = g'(x)``, ``x = F - th``; ``lam`` is the leak
    (``g = 1 - lam`` when ``input_scaling="tau"``). Returns the spikes and
    ``dL/dJ`` plus the contributions of every element to ``dL/dk``, ``dL/dth`` and
    ``dL/dlam`` (arrays shaped like ``J``, to be summed per parameter).
    """
    p = neuron_type.equation_params(DT)
    is_klif = isinstance(neuron_type, nengo_snnext.KLIF)
    k = p["k"] if is_klif else 1.0
    kappa = 1.0 / k if is_klif and p["scale_reset"] else 1.0
    reset = p.get("reset", 0.0)
    lam, g, th = p["leak"], p["input_gain"], p["threshold"]
    dg_dlam = -1.0 if neuron_type.input_scaling == "tau" else 0.0
    act, act_prime = activation_and_derivative(p)
    g_prime = get_surrogate(surrogate).derivative

    steps = J.shape[1]
    V_prev, H, F, S = (np.zeros_like(J) for _ in range(4))
    v = np.zeros_like(J[:, 0])
    for t in range(steps):
        V_prev[:, t] = v
        H[:, t] = lam * v + g * J[:, t]
        F[:, t] = act(k * H[:, t])
        S[:, t] = F[:, t] > th
        v = kappa * F[:, t] * (1 - S[:, t]) + reset * S[:, t]
    dJ, dk, dth, dlam = (np.zeros_like(J) for _ in range(4))
    dV = np.zeros_like(v)
    for t in reversed(range(steps)):
        gp = g_prime(NUMPY_OPS, F[:, t] - th, alpha=alpha)
        dx = c[:, t] * neuron_type.amplitude / DT + dV * (reset - kappa * F[:, t])
        dF = dx * gp + dV * kappa * (1 - S[:, t])
        dth[:, t] = -dx * gp
        if kappa != 1.0:
            dk[:, t] = dV * F[:, t] * (1 - S[:, t]) * (-1.0 / k**2)
        slope = act_prime(k * H[:, t])
        dH = dF * k * slope
        dk[:, t] += dF * slope * H[:, t] if is_klif else 0.0
        dJ[:, t] = g * dH
        dlam[:, t] = dH * (V_prev[:, t] + dg_dlam * J[:, t])
        dV = lam * dH
    return S * neuron_type.amplitude / DT, dJ, dk, dth, dlam


def layer_gradients(layer, J, c):
    J_t = tf.constant(J)
    with tf.GradientTape() as tape:
        tape.watch(J_t)
        out = layer(J_t, training=True)
        loss = tf.reduce_sum(out * c)
    weights = {w.name.split("/")[-1].split(":")[0]: w for w in layer.trainable_weights}
    grads = tape.gradient(loss, [J_t] + list(weights.values()))
    return out.numpy(), grads[0].numpy(), dict(zip(weights, (g.numpy() for g in grads[1:])))


SURROGATE_CASES = [
    (nengo_snnext.KLIF(k=1.5), "arctan", 2.0),
    (nengo_snnext.KLIF(k=1.7, scale_reset=True, activation="celu"), "arctan", 2.0),  # KLIF*
    (nengo_snnext.KLIF(k=3.0, activation="leaky_relu", input_scaling="none",
                       amplitude=0.01), "fast_sigmoid", 10.0),
    (nengo_snnext.DiscreteLIF(tau=0.005, threshold=2.0, reset=-0.5, input_scaling="none"),
     "triangle", 0.8),
]


@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("neuron_type, surrogate, alpha", SURROGATE_CASES, ids=str)
def test_surrogate_bptt_equals_thesis_chain_rule(neuron_type, surrogate, alpha, per_channel,
                                                 rng):
    """dL/dJ, dL/dk, dL/dthreshold and dL/dleak through time (12 steps, 2 x 6 neurons)."""
    J = rng.uniform(-1.0, 4.0, size=(2, 12, 6))
    c = rng.normal(size=J.shape)
    layer = nk.SpikingNeurons(
        neuron_type, training="surrogate", surrogate=surrogate, surrogate_alpha=alpha,
        trainable_tau=True, trainable_threshold=True, per_channel=per_channel,
        dtype="float64",
    )
    out, dJ, grads = layer_gradients(layer, J, c)
    spikes, dJ_ref, dk, dth, dlam = thesis_chain_rule(neuron_type, J, c, alpha=alpha,
                                                      surrogate=surrogate)
    assert np.array_equal(out, spikes)  # exact spikes forward in training
    assert 0.1 < np.mean(spikes > 0) < 0.9
    scale = np.abs(dJ_ref).max()
    assert np.allclose(dJ, dJ_ref, rtol=1e-9, atol=1e-9 * scale)
    assert np.count_nonzero(dJ[:, 0]) > 0  # the gradient flows back in time
    axes = (0, 1) if per_channel else None
    for name, reference in (("threshold", dth), ("leak", dlam)):
        expected = reference.sum(axis=axes)
        assert grads[name].shape == expected.shape
        assert np.allclose(grads[name], expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())
    if isinstance(neuron_type, nengo_snnext.KLIF):
        assert grads["k"].shape == ()  # one k per layer (thesis section 2.2)
        assert grads["k"] == pytest.approx(dk.sum(), rel=1e-9)
        assert grads["k"] != 0


@pytest.mark.parametrize("neuron_type", [nengo_snnext.KLIF(k=1.5, activation="celu"),
                                         nengo_snnext.DiscreteLIF(input_scaling="none")],
                         ids=str)
def test_surrogate_gradient_equals_nengo_dl(neuron_type, rng):
    """The same network in NengoDL (surrogate mode, BPTT) gives the same dL/dJ."""
    from nengo_snnext.backends.dl.tests.conftest import (
        direct_input_network,
        run_with_gradients,
        use_training,
    )
    import nengo_dl

    neuron_type = zero_state(neuron_type)
    n, steps, batch = 6, 10, 2
    J = rng.uniform(-1.0, 4.0, size=(batch, steps, n))
    c = rng.normal(size=J.shape)
    net = use_training(direct_input_network(neuron_type, n), "surrogate")
    with nengo_dl.Simulator(net, minibatch_size=batch, progress_bar=False) as sim:
        out_dl, grads_dl, _ = run_with_gradients(sim, {net.inp: J}, {net.spikes: c})
    layer = nk.SpikingNeurons(neuron_type, training="surrogate", trainable_k=False,
                              dtype="float64")
    out, dJ, _ = layer_gradients(layer, J, c)
    assert np.array_equal(out, out_dl[net.spikes])
    assert np.allclose(dJ, grads_dl[net.inp], rtol=1e-12, atol=1e-12 * np.abs(dJ).max())


def test_rate_mode_gradients_equal_finite_differences(rng):
    """Rate training differentiates the type's smoothed rate, k, tau and threshold included."""
    neuron_type = nengo_snnext.KLIF(k=1.5, tau=0.004)
    J = rng.uniform(0.5, 4.0, size=(1, 1, 40))
    layer = nk.SpikingNeurons(neuron_type, trainable_tau=True, trainable_threshold=True,
                              dtype="float64")
    _, dJ, grads = layer_gradients(layer, J, np.ones_like(J))

    def total_rate(**changes):
        nt = neuron_type.replace(**changes)
        return np.sum(nt.training_equation(NUMPY_OPS, J, dt=DT, **nt.training_rate_params(DT)))

    h = 1e-7
    for name, weight_grad, to_attribute in (
        ("k", grads["k"], 1.0),
        ("threshold", grads["threshold"], 1.0),
        # leak = 1 - dt / tau, so dL/dtau = dL/dleak * dt / tau^2
        ("tau", grads["leak"], DT / neuron_type.tau**2),
    ):
        value = getattr(neuron_type, name)
        numeric = (total_rate(**{name: value + h * value}) -
                   total_rate(**{name: value - h * value})) / (2 * h * value)
        assert weight_grad * to_attribute == pytest.approx(numeric, rel=1e-5), name


def classifier(layer, n_in=8, n_out=3, seed=0):
    tf.random.set_seed(seed)
    return tf.keras.Sequential([
        tf.keras.Input((None, n_in)),
        tf.keras.layers.Dense(16),
        layer,
        tf.keras.layers.GlobalAveragePooling1D(),
        tf.keras.layers.Dense(n_out),
    ])


def toy_data(rng, n=64, steps=6, n_in=8, n_out=3):
    x = rng.uniform(0, 3, size=(n, 1, n_in)).repeat(steps, axis=1)
    y = rng.randint(n_out, size=n)
    return x.astype(np.float32), y


@pytest.mark.parametrize("training", ["rate", "surrogate"])
def test_k_moves_during_fit_and_stays_in_range(training, rng):
    x, y = toy_data(rng)
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    layer = nk.KLIF(training=training, amplitude=0.01)
    model = classifier(layer)
    model.compile(tf.keras.optimizers.Adam(0.01), loss)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    k = layer.parameter_value("k")
    assert k != 1.0 and 0.5 <= k <= 5.0

    # huge steps on k alone (from the same start) would leave the range: the
    # constraint clips k to a bound
    layer = nk.KLIF(training=training, amplitude=0.01)
    model = classifier(layer)
    for other in model.layers:
        other.trainable = other is layer
    model.compile(tf.keras.optimizers.SGD(1e6), loss)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    k = layer.parameter_value("k")
    assert k in (0.5, 5.0)
    assert layer.trained_neuron_type().k == k


def test_trainable_tau_threshold_keep_step_valid(rng):
    x, y = toy_data(rng)
    layer = nk.DiscreteLIF(training="surrogate", trainable_tau=True, trainable_threshold=True,
                           per_channel=True, reset=0.1, amplitude=0.01)
    model = classifier(layer)
    loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(tf.keras.optimizers.Adam(0.05), loss)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    tau, threshold = layer.parameter_value("tau"), layer.parameter_value("threshold")
    assert tau.shape == threshold.shape == (16,)
    assert np.any(tau != 0.002) and np.any(threshold != 1.0)
    model.compile(tf.keras.optimizers.SGD(1e6), loss)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    leak = layer.layer.cell.weights_by_attribute["tau"].numpy()
    threshold = layer.parameter_value("threshold")
    assert np.all((leak >= 0) & (leak <= MAX_LEAK))  # 0 < dt/tau <= 1
    assert np.all(threshold >= 0.1 + THRESHOLD_MARGIN)  # above the reset
    assert np.all(np.isfinite(model.predict(x, verbose=0)))


@pytest.mark.parametrize("per_channel", [False, True])
def test_alt_oscillation_offsets_train_and_convert(per_channel, rng):
    """P = f(H + sin(H + c) + d): dP/dc + dP/dd = f' (1 + cos(H + c)) = dP/dH, so
    dL/dc + dL/dd is the sum of dL/dH = dL/dJ / input gain over steps and neurons."""
    neuron_type = nengo_snnext.AltNeuralOscillation(c=-0.1441, d=-0.1762, input_scaling="tau",
                                                    tau=0.004)
    J = rng.uniform(-0.5, 3.0, size=(2, 12, 6))
    c = rng.normal(size=J.shape)
    layer = nk.SpikingNeurons(neuron_type, training="surrogate", trainable_offsets=True,
                              per_channel=per_channel, dtype="float64")
    out, dJ, grads = layer_gradients(layer, J, c)
    assert 0.1 < np.mean(out > 0) < 0.9
    gain = neuron_type.coefficients(DT)[1]
    axes = (0, 1) if per_channel else None
    expected = (dJ / gain).sum(axis=axes)
    assert grads["c"].shape == expected.shape == grads["d"].shape
    assert np.allclose(grads["c"] + grads["d"], expected, rtol=1e-9, atol=1e-9)
    assert np.all(grads["c"] != 0) and np.all(grads["d"] != 0)
    if per_channel:
        return
    # fit moves c and d; the converted neuron type carries them
    x, y = toy_data(rng)
    layer = nk.AltNeuralOscillation(c=-0.1441, d=-0.1762, training="surrogate",
                                    trainable_offsets=True)
    model = classifier(layer)
    model.compile(tf.keras.optimizers.Adam(0.05),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    trained = layer.trained_neuron_type()
    assert trained.c != -0.1441 and trained.d != -0.1762
    assert trained.c == pytest.approx(float(layer.parameter_value("c")))


def test_offsets_need_alt_oscillation_and_surrogate_mode():
    with pytest.raises(Exception, match="trainable_offsets .c, d. needs an AltNeuralOscillation"):
        nk.KLIF(trainable_offsets=True)
    with pytest.raises(Exception, match="'rate' mode needs a rate that is a closed form"):
        nk.AltNeuralOscillation(trainable_offsets=True)


@pytest.mark.parametrize("neuron_type, jit_compile", [
    (nengo_snnext.KLIF(k=1.5), None), (nengo_snnext.KLIF(k=1.5), False),
    (nengo_snnext.KLIF(k=2.0, scale_reset=True), None), (nengo_snnext.DiscreteLIF(tau=0.004), None),
])
def test_rate_steps_forward_is_the_counted_rate_and_backward_the_smooth_rate(
        neuron_type, jit_compile, rng):
    steps = 4
    J = rng.uniform(-1, 6, size=(3, 1, 40))
    counted = nk.SpikingNeurons(neuron_type, rate_steps=steps, jit_compile=jit_compile,
                                dtype="float64")
    smooth = nk.SpikingNeurons(neuron_type, dtype="float64")
    x = tf.constant(J)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        out = counted(x, training=True)
        ref = smooth(x, training=True)
    assert (counted.layer.cell.compiled_count is None) == (jit_compile is False)
    # forward: the mean output of the spiking inference over `steps` steps of constant J
    spiking = counted(tf.constant(np.repeat(J, steps, axis=1)), training=False)
    assert np.array_equal(out.numpy()[:, 0], spiking.numpy().mean(axis=1))
    # ... which for a hard reset from rest is floor(steps / period) spikes: the
    # closed-form discrete rate times the count of whole periods
    dt, amplitude = neuron_type.dt, neuron_type.amplitude
    rate = neuron_type.rate_from_current(J[:, 0], dt)  # exact steady state (Hz)
    period = np.round(1.0 / np.maximum(rate * dt, 1e-300))  # steps between spikes
    expected = np.where(period <= steps, np.floor(steps / period) / steps, 0.0) * amplitude / dt
    assert np.allclose(out.numpy()[:, 0], expected, atol=1e-12)
    assert not np.allclose(out.numpy(), ref.numpy())  # the smooth rate differs
    # backward: the smooth rate's gradient
    assert np.allclose(tape.gradient(out, x).numpy(), tape.gradient(ref, x).numpy(), rtol=1e-12)


def test_rate_steps_is_validated_and_serialised():
    with pytest.raises(ValidationError, match="rate_steps applies to training='rate'"):
        nk.KLIF(training="surrogate", rate_steps=4)
    for bad in (0, 2.5, True):
        with pytest.raises(ValidationError, match="positive integer"):
            nk.KLIF(rate_steps=bad)
    layer = nk.KLIF(rate_steps=4)
    assert type(layer).from_config(layer.get_config()).rate_steps == 4
