"""The array-namespace protocol the equations are written against.

Every equation in :mod:`nengo_snnext.equations` takes an ``xp`` argument that
provides the functions below. ``NUMPY_OPS`` serves Nengo core and the rate
computations; ``nengo_snnext.backends.dl.ops.TF_OPS`` provides the same names
with TensorFlow ops, so one equation runs on both backends.

Apart from the reductions ``reduce_max`` and ``reduce_mean``, which the
equations only call over the last (neuron) axis with ``keepdims=True``, every
function is element-wise, so that the equations stay vectorised over any leading
(minibatch) dimensions.
"""

from typing import Any, Callable, NamedTuple

import numpy as np
from scipy.special import erf as _np_erf


class Ops(NamedTuple):
    """Element-wise array functions used by the equations.

    Attributes
    ----------
    name : str
        Short name of the namespace (``"numpy"`` or ``"tensorflow"``).
    where, maximum, minimum, abs, exp, expm1, log, log1p, floor, sin, sqrt,
    arctan, sigmoid : callable
        The usual element-wise functions, with numpy semantics.
    clip : callable
        ``clip(x, low, high)``.
    cast : callable
        ``cast(x, like)`` converts a boolean or numeric array ``x`` to the
        floating-point dtype of ``like``.
    erf : callable
        The error function (Gaussian noise CDFs).
    reduce_max, reduce_mean : callable
        ``reduce_max(x, axis=-1, keepdims=True)``: maximum and mean over an axis
        (``np.max``/``np.mean`` semantics); used for per-ensemble normalisations.
    searchsorted : callable
        ``searchsorted(sorted_1d, x)``: for every element of ``x`` (any shape), the
        index ``i`` with ``sorted_1d[i - 1] <= x < sorted_1d[i]`` (numpy's
        ``side="right"``); used to evaluate tabulated rate curves.
    take : callable
        ``take(table_1d, indices, like)``: ``table_1d[indices]`` in the floating
        dtype of ``like``.
    """

    name: str
    where: Callable[..., Any]
    maximum: Callable[..., Any]
    minimum: Callable[..., Any]
    abs: Callable[..., Any]
    exp: Callable[..., Any]
    expm1: Callable[..., Any]
    log: Callable[..., Any]
    log1p: Callable[..., Any]
    floor: Callable[..., Any]
    sin: Callable[..., Any]
    sqrt: Callable[..., Any]
    arctan: Callable[..., Any]
    sigmoid: Callable[..., Any]
    clip: Callable[..., Any]
    cast: Callable[..., Any]
    erf: Callable[..., Any]
    reduce_max: Callable[..., Any]
    reduce_mean: Callable[..., Any]
    searchsorted: Callable[..., Any]
    take: Callable[..., Any]


def _np_sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _np_cast(x, like):
    dtype = np.asarray(like).dtype
    if not np.issubdtype(dtype, np.floating):
        dtype = np.float64
    return np.asarray(x).astype(dtype)


def _np_searchsorted(sorted_1d, x):
    return np.searchsorted(sorted_1d, x, side="right")


def _np_take(table_1d, indices, like):
    return _np_cast(np.asarray(table_1d)[indices], like)


NUMPY_OPS = Ops(
    name="numpy",
    where=np.where,
    maximum=np.maximum,
    minimum=np.minimum,
    abs=np.abs,
    exp=np.exp,
    expm1=np.expm1,
    log=np.log,
    log1p=np.log1p,
    floor=np.floor,
    sin=np.sin,
    sqrt=np.sqrt,
    arctan=np.arctan,
    sigmoid=_np_sigmoid,
    clip=np.clip,
    cast=_np_cast,
    erf=_np_erf,
    reduce_max=np.max,
    reduce_mean=np.mean,
    searchsorted=_np_searchsorted,
    take=_np_take,
)
