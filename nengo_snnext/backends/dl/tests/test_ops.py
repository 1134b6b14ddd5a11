"""TF_OPS against NUMPY_OPS: the cheapest check that the two backends agree."""

import numpy as np
import pytest
import tensorflow as tf

from nengo_snnext.backends.dl.ops import TF_OPS, XLA_OPS
from nengo_snnext.equations.lif import (
    LIFState,
    discrete_lif_step,
    discrete_rate,
    klif_step,
    smooth_discrete_rate,
)
from nengo_snnext.ops import NUMPY_OPS, Ops

UNARY = ["abs", "exp", "expm1", "floor", "sin", "arctan", "sigmoid", "erf"]
POSITIVE = ["log", "sqrt"]


def test_every_field_is_provided():
    assert TF_OPS._fields == Ops._fields
    assert all(callable(f) for f in TF_OPS[1:])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elementwise_functions_match_numpy(dtype, rng):
    x = rng.uniform(-3, 3, size=(4, 7)).astype(dtype)
    y = rng.uniform(-3, 3, size=(4, 7)).astype(dtype)
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    tx, ty = tf.constant(x), tf.constant(y)
    for name in UNARY:
        out = getattr(TF_OPS, name)(tx)
        assert out.dtype == tx.dtype, name
        assert np.allclose(out, getattr(NUMPY_OPS, name)(x), rtol=rtol, atol=rtol), name
    for name in POSITIVE:
        out = getattr(TF_OPS, name)(tf.abs(tx) + 0.1)
        assert np.allclose(out, getattr(NUMPY_OPS, name)(np.abs(x) + 0.1), rtol=rtol), name
    assert np.allclose(TF_OPS.log1p(tf.abs(tx)), np.log1p(np.abs(x)), rtol=rtol)
    for name in ["maximum", "minimum"]:
        # tensor-tensor, tensor-scalar and broadcasting (1, 7) against (4, 7)
        assert np.array_equal(getattr(TF_OPS, name)(tx, ty), getattr(np, name)(x, y))
        assert np.array_equal(getattr(TF_OPS, name)(tx, 0.5), getattr(np, name)(x, 0.5))
        assert np.array_equal(getattr(TF_OPS, name)(tx, ty[:1]), getattr(np, name)(x, y[:1]))
    assert np.array_equal(TF_OPS.where(tx > 0, tx, 0.0), np.where(x > 0, x, 0.0))
    assert np.array_equal(TF_OPS.where(True, 0.5, tx), np.where(True, 0.5, x))
    assert np.array_equal(TF_OPS.clip(tx, -1.0, 2.0), np.clip(x, -1.0, 2.0))
    assert np.array_equal(TF_OPS.clip(tx, 1.0, -1.0), np.clip(x, 1.0, -1.0))  # low > high
    for name in ["reduce_max", "reduce_mean"]:
        for axis in [-1, 0]:
            out = getattr(TF_OPS, name)(tx, axis=axis, keepdims=True)
            expected = getattr(NUMPY_OPS, name)(x, axis=axis, keepdims=True)
            assert out.shape == expected.shape and np.allclose(out, expected, rtol=rtol)
    cast = TF_OPS.cast(tx > 0, tx)
    assert cast.dtype == tx.dtype and np.array_equal(cast, NUMPY_OPS.cast(x > 0, x))
    breaks = np.array([-2.0, -0.5, 0.0, 1.0, 2.5])
    index = TF_OPS.searchsorted(breaks, tx)
    assert index.shape == tx.shape
    assert np.array_equal(index, NUMPY_OPS.searchsorted(breaks, x))
    assert np.array_equal(index, np.searchsorted(breaks, x, side="right"))
    table = np.arange(10.0) ** 2
    taken = TF_OPS.take(table, index, tx)
    assert taken.dtype == tx.dtype and np.array_equal(taken, NUMPY_OPS.take(table, index, x))


def test_scalars_keep_numpy_semantics():
    # parameter arithmetic on Python scalars is done by numpy, in float64
    assert TF_OPS.exp(0.5) == np.exp(0.5) and not tf.is_tensor(TF_OPS.exp(0.5))
    assert TF_OPS.maximum(1.0, 2.0) == 2.0
    assert TF_OPS.where(False, 1.0, 2.0) == 2.0
    # a float64 scalar does not upcast a float32 tensor (numpy value-based casting)
    out = TF_OPS.maximum(tf.constant([0.25], tf.float32), np.float64(0.5))
    assert out.dtype == tf.float32


def test_mixed_tensor_dtypes_raise():
    with pytest.raises((tf.errors.InvalidArgumentError, TypeError)):
        TF_OPS.maximum(tf.constant([1.0], tf.float32), tf.constant([1.0], tf.float64))


STEP_CASES = [
    (discrete_lif_step, dict(leak=0.5, input_gain=0.5, threshold=1.0, reset=0.0)),
    (discrete_lif_step, dict(leak=0.8, input_gain=1.0, threshold=2.0, reset=-0.5)),
] + [
    (
        klif_step,
        dict(
            k=k, leak=0.5, input_gain=0.5, threshold=1.0, activation_name=act,
            celu_alpha=1.0, negative_slope=0.01, scale_reset=star,
        ),
    )
    for k, act, star in [
        (1.0, "relu", False), (1.5, "celu", False), (3.0, "leaky_relu", False),
        (0.7, "relu", True), (2.5, "celu", True),
    ]
]


@pytest.mark.parametrize("step, params", STEP_CASES)
def test_lif_equations_agree_over_many_steps(step, params, rng):
    J = rng.uniform(-1, 5, size=(3, 50))
    v_np = rng.uniform(-1, 1, size=(3, 50))
    v_tf = tf.constant(v_np)
    for _ in range(40):
        s_np, (v_np,) = step(NUMPY_OPS, 0.001, J, LIFState(v_np), **params)
        s_tf, (v_tf,) = step(TF_OPS, 0.001, tf.constant(J), LIFState(v_tf), **params)
        assert np.array_equal(s_tf, s_np)
        assert np.allclose(v_tf, v_np, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("leak", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("rate", [discrete_rate, smooth_discrete_rate])
def test_rates_agree(rate, leak, rng):
    drive = rng.uniform(-1, 4, size=(2, 200))
    kw = dict(dt=0.001, leak=leak, threshold=1.0, reset=0.0)
    assert np.allclose(rate(TF_OPS, tf.constant(drive), **kw), rate(NUMPY_OPS, drive, **kw), rtol=1e-12)
    # per-neuron parameters as (1, n) tensors, as the builders pass them
    leaks = rng.uniform(0.3, 1.6, size=(1, 200))
    kw["leak"] = leaks
    expected = rate(NUMPY_OPS, drive, **kw)
    kw["leak"] = tf.constant(leaks)
    assert np.allclose(rate(TF_OPS, tf.constant(drive), **kw), expected, rtol=1e-12)


@pytest.mark.parametrize("n_breaks", [1, 2, 7, 8, 1399])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_xla_searchsorted_equals_searchsorted(n_breaks, dtype):
    """XLA_OPS' fixed-depth binary search gives numpy's ``side="right"`` indices, also on
    ties, outside the breakpoints and compiled by XLA."""
    rng = np.random.RandomState(n_breaks)
    breaks = np.sort(rng.uniform(-3, 3, size=n_breaks)).astype(dtype)
    x = np.concatenate([rng.uniform(-4, 4, size=500 + n_breaks % 2), breaks, [-np.inf, np.inf]])
    x = x.astype(dtype).reshape(2, -1)
    expected = np.searchsorted(breaks, x, side="right")
    eager = XLA_OPS.searchsorted(breaks, tf.constant(x))
    compiled = tf.function(lambda t: XLA_OPS.searchsorted(breaks, t), jit_compile=True)
    assert np.array_equal(eager, expected)
    assert np.array_equal(compiled(tf.constant(x)), expected)
    assert np.array_equal(XLA_OPS.searchsorted(breaks, x), expected)  # numpy in, numpy out
