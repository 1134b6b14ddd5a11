"""XLA compilation of element-wise neuron equations that runs on the calling thread.

``tf.function(jit_compile=True)`` fuses a long element-wise equation (MIF/MIF2: a
few hundred TensorFlow ops) into a handful of kernels, but XLA's CPU compiler then
splits every kernel with more arithmetic than memory traffic over the intra-op
threads (its ``ParallelTaskAssigner``). On one NengoDL minibatch (32 x 128
neurons) the fork and join of each split kernel costs more than the split saves:
the MIF2 step alone took 0.66 ms, 0.21 ms with the split disabled (the XLA flag
``--xla_disable_hlo_passes=cpu-parallel-task-assigner``, a setting of the whole
process). The assigner only visits the entry computation and the bodies of
``while`` and ``call``, not the branches of a conditional, so :func:`jit_step`
compiles the equation as one branch of a ``tf.cond`` whose predicate XLA cannot
fold: whether every current is finite. Large arrays gain from the split (above
:data:`SPLIT_ABOVE` neurons), and keep it.

The other branch, for non-finite currents, holds the state and gives NaN
outputs, so the failure shows in the output instead of corrupting the state
(a NengoDL graph cannot raise the error ``nengo.Simulator`` raises). XLA turns a
conditional whose branches are all element-wise into a ``select`` that computes
both (``ConditionalSimplifier``), which would undo the above; that branch's
outputs therefore pass through a ``reverse``, which is not element-wise. It costs
nothing on finite currents: the branch is never run.
"""

import numpy as np
import tensorflow as tf

SPLIT_ABOVE = 1 << 16
"""Above this many neurons (minibatch x neurons) :func:`jit_step` lets XLA split the kernels.

Measured for the MIF2 step on 2 cores (ms per step, calling thread / split, wall):
4,096 neurons 0.21 / 0.66, 32,768: 0.93 / 1.26, 65,536: 1.88 / 1.97, 131,072:
3.63 / 2.77, 262,144: 7.09 / 4.38.
"""


ASSUMED_BATCH = 32
"""The minibatch :func:`jit_step` assumes where ``J``'s first dimension is not known
when it is traced (Keras traces ``predict`` so): Keras's default ``batch_size``."""


def _static_size(J):
    """Elements of ``J`` as traced (:data:`ASSUMED_BATCH` for an unknown first
    dimension), or None if other dimensions are unknown."""
    dims = J.shape.as_list() if J.shape.rank is not None else None
    if not dims or any(d is None for d in dims[1:]):
        return None
    return int(np.prod(dims[1:], dtype=np.int64)) * (ASSUMED_BATCH if dims[0] is None
                                                     else dims[0])


def _nan_like(J):
    return tf.fill(tf.shape(J), tf.constant(np.nan, dtype=J.dtype))


def _not_finite(J, state):
    """A NaN output shaped like ``J`` (through a ``reverse``, see the module docstring)
    and the state held."""
    return _nan_like(J) + tf.reverse(J, axis=[-1]), state  # NaN either way


def _finite(J):
    return tf.reduce_all(tf.math.is_finite(J))


def jit_step(equation, split=None):
    """``equation(J, state, *args) -> (output, new_state)`` compiled by XLA.

    ``output`` is shaped like ``J`` and ``new_state`` has the structure of ``state``.
    Where any current is not finite, the output is NaN and the state is returned
    unchanged. ``split=False``: the kernels run on the calling thread (a ``tf.cond``
    branch); ``True``: XLA splits them over the intra-op threads and the non-finite
    case is selected element-wise; None (default): split above :data:`SPLIT_ABOVE`
    elements of ``J`` (its size at tracing, with :data:`ASSUMED_BATCH` for an unknown
    first dimension; split where other dimensions are unknown).
    """

    def on_calling_thread(J, state, *args):
        return tf.cond(_finite(J), lambda: equation(J, state, *args),
                       lambda: _not_finite(J, state))

    def split_over_threads(J, state, *args):
        output, new_state = equation(J, state, *args)
        finite = _finite(J)
        return (
            tf.where(finite, output, _nan_like(J)),
            tf.nest.map_structure(lambda a, b: tf.where(finite, a, b), new_state, state),
        )

    def step(J, state, *args):
        n_elements = _static_size(J)
        split_here = split if split is not None else (
            n_elements is None or n_elements > SPLIT_ABOVE)
        return (split_over_threads if split_here else on_calling_thread)(J, state, *args)

    return tf.function(step, jit_compile=True, autograph=False)
