"""XLA-compiled steps: same result, kernels on the calling thread when small, NaN handling."""

import os

import numpy as np
import pytest
import tensorflow as tf

from nengo_snnext import MIF, MIF2
from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.xla import ASSUMED_BATCH, SPLIT_ABOVE, jit_step

DT = 0.001
SHAPE = (32, 128)  # a NengoDL minibatch of 32 through 128 neurons


def equation_of(neuron_type):
    cls = type(neuron_type)
    params = dict(neuron_type.equation_params(DT))

    def equation(J, state):
        return cls.equation(TF_OPS, DT, J, state, **params)

    return equation


def inputs(neuron_type, rng, dtype=np.float32):
    """Currents across MIF's regimes and a state from 20 steps of them."""
    cls = type(neuron_type)
    J = tf.constant(rng.uniform(-1, 6, size=SHAPE).astype(dtype))
    state = cls.state_class(*(tf.zeros(SHAPE, dtype=dtype) for _ in cls.state_class._fields))
    equation = equation_of(neuron_type)
    for _ in range(20):
        _, state = equation(J, state)
    return J, state


SPLIT = {"calling thread": False, "split": True}  # the two compilations


@pytest.mark.parametrize("split", SPLIT)
@pytest.mark.parametrize("neuron_type", [MIF(), MIF2()], ids=str)
def test_equals_the_uncompiled_equation(neuron_type, split, rng):
    J, state = inputs(neuron_type, rng, dtype=np.float64)
    equation = equation_of(neuron_type)
    compiled = jit_step(equation, split=SPLIT[split])
    total = 0
    for _ in range(30):
        spikes, new_state = equation(J, state)
        compiled_spikes, compiled_state = compiled(J, state)
        # XLA's exp/log1p differ from TensorFlow's kernels in the last bits
        assert np.array_equal(compiled_spikes.numpy(), spikes.numpy())
        for name, a, b in zip(state._fields, compiled_state, new_state):
            assert np.allclose(a.numpy(), b.numpy(), atol=1e-12, rtol=0), name
        total += np.count_nonzero(spikes.numpy())
        state = new_state
    assert total > 1000


def test_kernels_are_not_split_over_threads(rng):
    neuron_type = MIF2()
    J, state = inputs(neuron_type, rng)
    equation = equation_of(neuron_type)

    def partitions(fn):
        hlo = fn.experimental_get_compiler_ir(J, state)(stage="optimized_hlo")
        return hlo.count("outer_dimension_partitions")

    assert partitions(jit_step(equation)) == 0  # 4,096 neurons: on the calling thread
    assert partitions(jit_step(equation, split=False)) == 0
    if len(os.sched_getaffinity(0)) >= 2:  # one CPU: XLA splits nothing anyway
        assert partitions(tf.function(equation, jit_compile=True)) > 0
        assert partitions(jit_step(equation, split=True)) > 0


def test_splits_above_the_threshold_size():
    """Large arrays keep XLA's split (it pays there); the choice is made at tracing."""
    neuron_type = MIF()
    cls = type(neuron_type)
    shape = (1, SPLIT_ABOVE + 1)
    J = tf.ones(shape)
    state = cls.state_class(*(tf.zeros(shape) for _ in cls.state_class._fields))
    hlo = jit_step(equation_of(neuron_type)).experimental_get_compiler_ir(J, state)(
        stage="optimized_hlo")
    assert "conditional(" not in hlo
    small = jit_step(equation_of(neuron_type)).experimental_get_compiler_ir(
        J[:, :SPLIT_ABOVE], cls.state_class(*(s[:, :SPLIT_ABOVE] for s in state)))(
        stage="optimized_hlo")
    assert "conditional(" in small


@pytest.mark.parametrize("split", SPLIT)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_current_gives_nan_and_holds_the_state(bad, split, rng):
    neuron_type = MIF2()
    J, state = inputs(neuron_type, rng)
    J = J.numpy()
    J[3, 17] = bad
    spikes, new_state = jit_step(equation_of(neuron_type), split=SPLIT[split])(
        tf.constant(J), state
    )
    assert np.isnan(spikes.numpy()).all()
    for name, a, b in zip(state._fields, new_state, state):
        assert np.array_equal(a.numpy(), b.numpy()), name


@pytest.mark.parametrize("shape, split", [
    ((None, 128), False),  # Keras traces predict with an unknown batch: 32 assumed
    ((None, SPLIT_ABOVE // ASSUMED_BATCH), False),
    ((None, SPLIT_ABOVE // ASSUMED_BATCH + 1), True),
    ((None, None), True),
])
def test_an_unknown_batch_is_taken_as_keras_default(shape, split):
    neuron_type = MIF()
    cls = type(neuron_type)
    spec = tf.TensorSpec(shape, tf.float32)
    state = cls.state_class(*(spec for _ in cls.state_class._fields))
    graph = jit_step(equation_of(neuron_type)).get_concrete_function(spec, state).graph
    has_cond = any(op.type in ("If", "StatelessIf") for op in graph.get_operations())
    assert has_cond == (not split)
