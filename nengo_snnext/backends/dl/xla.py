"""XLA compilation of element-wise neuron equations that runs on the calling thread.

``tf.function(jit_compile=True)`` fuses a long element-wise equation (MIF/MIF2: a
few hundred TensorFlow ops) into a handful of kernels, but XLA's CPU compiler then
splits every kernel with more arithmetic than memory traffic over the intra-op
threads (its ``ParallelTaskAssigner``). On one NengoDL minibatch (32 x 128
neurons) the fork and join of each split kernel costs more than the split saves:
the MIF2 step alone took 0.66 ms, 0.21 ms with the split disabled (the XLA flag
``--xla_disable_hlo_passes=cpu-parallel-task-assigner``, a setting of the whole
process). The assigner only visits the entry computation and the bodies of
``while`` and ``call``, not the branches of a conditional, so
:func:`jit_on_calling_thread` compiles the equation as one branch of a
``tf.cond`` whose predicate XLA cannot fold: whether every current is finite.

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


def _not_finite_branch(J, state, n_outputs):
    """NaN outputs shaped like ``J`` (through a ``reverse``, see the module docstring)
    and the state held."""
    nan = tf.fill(tf.shape(J), tf.constant(np.nan, dtype=J.dtype))
    nan = nan + tf.reverse(J, axis=[-1])  # NaN either way
    return tuple(nan for _ in range(n_outputs)), state


def jit_on_calling_thread(equation, n_outputs=1):
    """``equation(J, state, *args) -> (outputs, new_state)`` compiled by XLA, its
    kernels run on the calling thread.

    ``outputs`` is a tuple of ``n_outputs`` tensors shaped like ``J`` and
    ``new_state`` has the structure of ``state``. Where any current is not finite,
    the outputs are NaN and the state is returned unchanged.
    """

    def step(J, state, *args):
        def finite():
            outputs, new_state = equation(J, state, *args)
            return tuple(outputs), new_state

        return tf.cond(
            tf.reduce_all(tf.math.is_finite(J)),
            finite,
            lambda: _not_finite_branch(J, state, n_outputs),
        )

    return tf.function(step, jit_compile=True)
