"""The RNN cell that runs one step of a nengo-snnext neuron type in Keras.

One call is one simulator step of every neuron of a sample: the type's
``equation`` with :data:`~nengo_snnext.backends.dl.ops.TF_OPS`, exactly the
function ``nengo.Simulator`` (numpy) and the NengoDL builder call. Training
modes, as in NengoDL (:mod:`nengo_snnext.training`):

- ``"rate"``: in inference the spiking step; in training the type's
  differentiable ``training_equation`` with the state held (with ``rate_steps``,
  its forward value replaced by the rate of that many spiking steps from rest);
- ``"surrogate"``: the spiking step always, with the spike function of
  :func:`~nengo_snnext.backends.dl.surrogate.surrogate_spike` (exact Heaviside
  forward, the surrogate's derivative backward), so ``fit`` is BPTT.

Stochastic types (``sample_argument``) get counter-based noise: sample ``[b, i]``
at step ``t`` is a function of ``(seed, t, b, i)`` (``tf.random.stateless_*``,
:data:`~nengo_snnext.backends.dl.equation_builder.STANDARD_NOISE`, mapped by
:func:`~nengo_snnext.equations.noise.scale_noise`). The step counter and the
call's seed offset are an extra state ``(batch, 2)`` of the cell.

Types that normalise over their neurons (``normalises_over_neurons``) see the
trailing shape of a sample flattened into one neuron axis.
"""

import numpy as np
import tensorflow as tf
from tensorflow.python.framework import smart_cond

from nengo_snnext.backends.dl.equation_builder import STANDARD_NOISE
from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.surrogate import surrogate_spike
from nengo_snnext.backends.dl.xla import jit_step
from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.noise import scale_noise
from nengo_snnext.keras._parameters import ParameterView, constant_state

SEED_RANGE = 2**24  # per-call seed offsets stay exact in a float32 state


class SpikingNeuronsCell(tf.keras.layers.Layer):
    """RNN cell: one step of ``neuron_type`` on inputs of shape ``(batch,) + size``.

    Built by :class:`~nengo_snnext.keras.SpikingNeurons`; see there for the
    arguments. ``trainables`` is a list of
    :class:`~nengo_snnext.keras._parameters.TrainableParameter` and
    ``channel_shape`` the shape of their weights (``()`` or ``(size[-1],)``,
    except ``k``, always a scalar).
    """

    def __init__(self, neuron_type, size, *, dt, mode, surrogate, trainables,
                 channel_shape, seed, rate_steps=None, jit_compile=False, **kwargs):
        super().__init__(**kwargs)
        self.neuron_type = neuron_type
        self.size = tf.TensorShape(size)
        self.dt = dt
        self.mode = mode
        self.rate_steps = rate_steps
        self.trainables = trainables
        self.channel_shape = tuple(channel_shape)
        self.seed = seed
        self.stochastic = getattr(neuron_type, "sample_argument", None) is not None
        self.flatten = neuron_type.normalises_over_neurons
        self.initial_values = constant_state(neuron_type)
        self.spike = None
        if neuron_type.surrogate is not None:  # the equation takes a spike function
            self.spike = heaviside if surrogate is None else surrogate_spike(*surrogate)
        self.output_size = self.size
        sizes = [self.size] * len(neuron_type.state)
        self.state_size = sizes + [tf.TensorShape([2])] if self.stochastic else sizes
        self.weights_by_attribute = {}
        # XLA fuses the step's elementwise ops into a few kernels; the parameter source
        # is read inside, so trained weights get their gradients. The long steps of the
        # types NengoDL compiles too (jit_step: MIF, MIF2) run on the calling thread for
        # up to 2^16 neurons (backends/dl/xla.py; 20 batches of 32 x 8 x 128 in
        # predict, CPU: MIF2 165 -> 89 ms, MIF 89-132 -> 73-79 ms); the short Euler
        # steps gain nothing from it (AltNeuralOscillation 74 -> 81-84 ms), so not them
        self.compiled_step = self.compiled_count = None
        if jit_compile and neuron_type.jit_step:
            self.compiled_step = jit_step(self.source_step)
        elif jit_compile:
            self.compiled_step = tf.function(self.source_step, jit_compile=True, autograph=False)
        if jit_compile:
            # forward only (no gradient flows through it), so XLA's fusion always pays
            self.compiled_count = tf.function(
                self.source_counted_rate, jit_compile=True, autograph=False)

    def build(self, input_shape):
        for spec in self.trainables:
            shape = () if spec.attribute == "k" else self.channel_shape
            initial = spec.to_weight(float(getattr(self.neuron_type, spec.attribute)), self.dt)
            self.weights_by_attribute[spec.attribute] = self.add_weight(
                name=spec.weight_name, shape=shape,
                initializer=tf.keras.initializers.Constant(initial),
                constraint=spec.constraint, trainable=True,
            )
        super().build(input_shape)

    # --- parameters -------------------------------------------------------------

    def parameter_source(self):
        """The neuron type, or a view of it with the trainable attributes as tensors."""
        if not self.trainables:
            return self.neuron_type
        overrides = {}
        for spec in self.trainables:
            value = spec.from_weight(self.weights_by_attribute[spec.attribute], self.dt)
            if self.flatten and value.shape.rank:  # per channel, onto the flat neuron axis
                value = tf.reshape(tf.broadcast_to(value, self.size), [-1])
            overrides[spec.attribute] = value
        return ParameterView(self.neuron_type, overrides)

    def step_params(self, source):
        params = dict(source.equation_params(self.dt))
        if self.spike is not None:
            params["spike"] = self.spike
        return params

    @property
    def n_neurons(self):
        return int(np.prod(self.size.as_list()))

    # --- state ----------------------------------------------------------------

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        dtype = tf.as_dtype(dtype or self.dtype)
        states = [
            tf.fill(tf.concat([[batch_size], self.size.as_list()], 0), tf.cast(value, dtype))
            for value in self.initial_values.values()
        ]
        if self.stochastic:
            offset = (
                tf.zeros((), tf.int32) if self.seed is not None
                else tf.random.uniform((), maxval=SEED_RANGE, dtype=tf.int32)
            )
            key = tf.stack([tf.cast(offset, dtype), tf.zeros((), dtype)])
            states.append(tf.tile(key[None, :], tf.stack([batch_size, 1])))
        return states

    def noise(self, key, like):
        """The noise sample of this step and the advanced key ``[offset, step]``."""
        distribution = self.neuron_type.noise_distribution()
        offset = tf.cast(key[0, 0], tf.int64) + (0 if self.seed is None else self.seed)
        seed = tf.stack([offset, tf.cast(key[0, 1], tf.int64)])
        standard = STANDARD_NOISE[distribution.kind](tf.shape(like), seed=seed, dtype=like.dtype)
        return scale_noise(standard, distribution), key + tf.constant([0.0, 1.0], key.dtype)

    # --- step -------------------------------------------------------------------

    def flat(self, x):
        return tf.reshape(x, [-1, self.n_neurons]) if self.flatten else x

    def unflat(self, x):
        return tf.reshape(x, tf.concat([[-1], self.size.as_list()], 0)) if self.flatten else x

    def spiking_step(self, J, states, source):
        state_class = self.neuron_type.state_class
        n_state = len(self.neuron_type.state)
        current = state_class(*[self.flat(s) for s in states[:n_state]])
        extra, new_key = {}, []
        if self.stochastic:
            sample, key = self.noise(states[-1], self.flat(J))
            extra[self.neuron_type.sample_argument], new_key = sample, [key]
        spikes, new_state = self.neuron_type.equation(
            TF_OPS, self.dt, self.flat(J), current, **extra, **self.step_params(source)
        )
        output = self.unflat(spikes) * (self.neuron_type.amplitude / self.dt)
        return output, [self.unflat(s) for s in new_state] + new_key

    def source_step(self, J, states):
        """:meth:`spiking_step` with this call's parameter source."""
        return self.spiking_step(J, states, self.parameter_source())

    def rate_step(self, J, states, source):
        params = source.training_rate_params(self.dt, n_neurons=self.n_neurons)
        rate = self.neuron_type.training_equation(TF_OPS, self.flat(J), dt=self.dt, **params)
        rate = self.unflat(rate) * self.neuron_type.amplitude
        if self.rate_steps is not None:
            # straight-through: the counted rate forward, the smooth rate's gradient back
            counted = (self.counted_rate(J, source) if self.compiled_count is None
                       else self.compiled_count(J))
            rate += tf.stop_gradient(counted - rate)
        return rate, list(states)

    def source_counted_rate(self, J):
        """:meth:`counted_rate` with this call's parameter source."""
        return self.counted_rate(J, self.parameter_source())

    def counted_rate(self, J, source):
        """Mean output of ``rate_steps`` spiking steps from rest under the constant ``J``."""
        J = tf.stop_gradient(J)
        states = self.get_initial_state(batch_size=tf.shape(J)[0], dtype=J.dtype)
        total = tf.zeros_like(J)
        for _ in range(self.rate_steps):
            output, states = self.spiking_step(J, states, source)
            total += output
        return total / self.rate_steps

    def call(self, inputs, states, training=None):
        states = list(states)
        # the compiled step in inference only: under fit (2 threads) XLA's fused step
        # was slower than TensorFlow's own kernels (benchmarks/keras_results.md)
        step = self.source_step
        if self.compiled_step is not None and training is not True:
            step = self.compiled_step
        if self.mode == "surrogate":
            return step(inputs, states)
        source = self.parameter_source()
        if training is None:
            training = tf.keras.backend.learning_phase()
        if not isinstance(training, (bool, np.bool_)):
            training = tf.cast(training, tf.bool)

        def spiking():
            output, new_states = step(inputs, states)
            # stop_gradient keeps NaNs of the untaken branch out of the gradient
            return tf.stop_gradient(output), [tf.stop_gradient(s) for s in new_states]

        return smart_cond.smart_cond(
            tf.cast(training, tf.bool),
            lambda: self.rate_step(inputs, states, source),
            spiking,
        )
