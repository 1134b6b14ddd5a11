"""``TF_OPS``: the :class:`nengo_snnext.ops.Ops` protocol in TensorFlow.

The equations in :mod:`nengo_snnext.equations` are written against ``xp``; with
``TF_OPS`` they build TensorFlow graphs, so the NengoDL builders run the same
code as the numpy reference. Each function has numpy semantics:

- when no argument is a TensorFlow tensor, the numpy function is called (so
  parameter arithmetic on Python or numpy scalars is done exactly as in the
  reference, in float64);
- otherwise Python and numpy values are converted to the floating dtype of the
  tensors (numpy's value-based casting: a scalar never upcasts a float32 tensor),
  and the TensorFlow op broadcasts like numpy.
"""

import numpy as np
import tensorflow as tf

from nengo_snnext.ops import NUMPY_OPS, Ops


def _float_dtype(args):
    """The floating dtype of the first floating tensor in ``args`` (else float64)."""
    for arg in args:
        if tf.is_tensor(arg) and arg.dtype.is_floating:
            return arg.dtype
    for arg in args:
        if isinstance(arg, np.ndarray) and np.issubdtype(arg.dtype, np.floating):
            return tf.as_dtype(arg.dtype)
    return tf.float64


def _as_float_tensors(*args):
    """Convert the non-tensor arguments to the tensors' floating dtype.

    Tensors are passed through unchanged, so mixing float32 and float64 tensors
    raises in TensorFlow instead of being cast silently.
    """
    dtype = _float_dtype(args)
    return [a if tf.is_tensor(a) else tf.convert_to_tensor(a, dtype) for a in args]


def _any_tensor(*args):
    return any(tf.is_tensor(a) for a in args)


def _unary(tf_fn, np_fn):
    def fn(x):
        if not tf.is_tensor(x):
            return np_fn(x)
        return tf_fn(x)

    fn.__name__ = np_fn.__name__
    return fn


def _binary(tf_fn, np_fn):
    def fn(x, y):
        if not _any_tensor(x, y):
            return np_fn(x, y)
        return tf_fn(*_as_float_tensors(x, y))

    fn.__name__ = np_fn.__name__
    return fn


def _where(condition, x, y):
    if not _any_tensor(condition, x, y):
        return np.where(condition, x, y)
    condition = tf.convert_to_tensor(condition, tf.bool)
    x, y = _as_float_tensors(x, y)
    return tf.where(condition, x, y)


_maximum = _binary(tf.maximum, np.maximum)
_minimum = _binary(tf.minimum, np.minimum)


def _clip(x, low, high):
    """``minimum(maximum(x, low), high)``, as ``np.clip`` (also for ``low > high``)."""
    if not _any_tensor(x, low, high):
        return np.clip(x, low, high)
    return _minimum(_maximum(x, low), high)


def _reduction(tf_fn, np_fn):
    def fn(x, axis=-1, keepdims=True):
        if not tf.is_tensor(x):
            return np_fn(x, axis=axis, keepdims=keepdims)
        return tf_fn(x, axis=axis, keepdims=keepdims)

    fn.__name__ = np_fn.__name__
    return fn


def _cast(x, like):
    if not _any_tensor(x, like):
        return NUMPY_OPS.cast(x, like)
    if tf.is_tensor(like) and like.dtype.is_floating:
        dtype = like.dtype
    else:
        dtype = _float_dtype([like])
    return tf.cast(x, dtype)


def _searchsorted(sorted_1d, x):
    if not tf.is_tensor(x):
        return NUMPY_OPS.searchsorted(sorted_1d, x)
    sorted_1d = tf.cast(tf.convert_to_tensor(np.asarray(sorted_1d)), x.dtype)
    flat = tf.searchsorted(sorted_1d, tf.reshape(x, [-1]), side="right")
    return tf.reshape(flat, tf.shape(x))


def _unrolled_searchsorted(sorted_1d, x):
    """``searchsorted(sorted_1d, x, side="right")`` as a binary search of fixed depth.

    ``ceil(log2(n + 1))`` rounds of gather, compare and select on the constant
    breakpoints: what XLA compiles well (its ``searchsorted`` compares every value
    with every breakpoint), the same indices as :func:`_searchsorted`.
    """
    if not tf.is_tensor(x):
        return NUMPY_OPS.searchsorted(sorted_1d, x)
    values = np.asarray(sorted_1d)
    depth = max(int(np.ceil(np.log2(values.size + 1))), 1)
    # padded with +inf to 2**depth entries: every candidate index is valid
    padded = np.full(2**depth, np.inf)
    padded[: values.size] = values
    padded = tf.constant(padded, dtype=x.dtype)
    count = tf.zeros(tf.shape(x), tf.int32)  # entries <= x found so far
    for step in (2**k for k in range(depth - 1, -1, -1)):
        candidate = count + step
        count = tf.where(tf.gather(padded, candidate - 1) <= x, candidate, count)
    return tf.minimum(count, values.size)  # x = +inf passes the padding too


def _take(table_1d, indices, like):
    if not _any_tensor(indices, like):
        return NUMPY_OPS.take(table_1d, indices, like)
    return _cast(tf.gather(tf.convert_to_tensor(np.asarray(table_1d)), indices), like)


TF_OPS = Ops(
    name="tensorflow",
    where=_where,
    maximum=_maximum,
    minimum=_minimum,
    abs=_unary(tf.abs, np.abs),
    exp=_unary(tf.exp, np.exp),
    expm1=_unary(tf.math.expm1, np.expm1),
    log=_unary(tf.math.log, np.log),
    log1p=_unary(tf.math.log1p, np.log1p),
    floor=_unary(tf.floor, np.floor),
    sin=_unary(tf.sin, np.sin),
    sqrt=_unary(tf.sqrt, np.sqrt),
    arctan=_unary(tf.atan, np.arctan),
    sigmoid=_unary(tf.sigmoid, NUMPY_OPS.sigmoid),
    clip=_clip,
    cast=_cast,
    erf=_unary(tf.math.erf, NUMPY_OPS.erf),
    reduce_max=_reduction(tf.reduce_max, np.max),
    reduce_mean=_reduction(tf.reduce_mean, np.mean),
    searchsorted=_searchsorted,
    take=_take,
)
"""The :class:`~nengo_snnext.ops.Ops` protocol with TensorFlow ops."""

XLA_OPS = TF_OPS._replace(name="tensorflow-xla", searchsorted=_unrolled_searchsorted)
"""``TF_OPS`` for code that XLA compiles: ``searchsorted`` by :func:`_unrolled_searchsorted`."""
