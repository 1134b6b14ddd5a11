"""The thesis' coding layers as Keras building blocks (Jiang 2022, ch. 2.3).

- :class:`CodingLayer`: the encoder. ``branches`` parallel ``Conv2D(filters,
  kernel_size, padding="same", use_bias=False) + BatchNormalization`` on the
  same input, summed element-wise; the sum is the input current of the first
  spiking layer. A static input (an image) is encoded once and repeated over
  the time axis (``static=True``); a changing one (DVS frames) is encoded per
  step (``static=False``).
- The voting decoder, :func:`voting_decoder`: ``Dense(n_classes * votes)`` ->
  spiking neurons -> :class:`Vote` (the mean of each class's ``votes``
  neurons, the thesis' ``AvgPool1d(10)``) -> :class:`TimeMean` (the mean over
  the ``T`` steps).

All of them convert with ``nengo_dl.Converter`` / :func:`nengo_snnext.keras.convert`
(``temporal_model=True``; :mod:`.converter`): the coding layer to one
convolution (the branches and their batch normalisations folded, exact for
inference), the vote to a fixed averaging transform, the time mean to a
running mean whose last step is the Keras output.
"""

import numpy as np
import tensorflow as tf

PACKAGE = "nengo_snnext"


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class CodingLayer(tf.keras.layers.Layer):
    """The thesis' encoder: parallel ``Conv2D + BatchNormalization`` branches, summed.

    .. math::

        X = \\sum_{i=1}^{B} \\mathrm{BN}_i(K_i * x)

    Input ``(batch, time, H, W, C)`` (a temporal model) or ``(batch, H, W, C)``;
    output ``(batch, [time,] H, W, filters)`` (``padding="same"``, stride 1, no
    bias, as the thesis' ``Conv2d(C_in, C, 3, padding=1, bias=False)``).

    Parameters
    ----------
    filters : int
        Output channels ``C`` of every branch.
    kernel_size : int or (int, int)
        Kernel of every branch (thesis: 3).
    branches : int
        Number of parallel branches ``B`` (thesis: 3).
    static : bool
        Temporal input only. ``True``: the input is static (an image repeated
        over time), so it is encoded once, from the first step, and the code is
        repeated over the time axis (the thesis encodes static images outside
        the time loop). ``False``: every step is encoded (DVS frames).
        The converted Nengo network encodes every step, which for a static
        input gives the same currents.
    momentum, epsilon : float
        Of the batch normalisations.
    """

    def __init__(self, filters, kernel_size=3, branches=3, static=True, momentum=0.99,
                 epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        if int(filters) < 1 or int(branches) < 1:
            raise ValueError(f"{self.name}: filters ({filters}) and branches ({branches}) "
                             "must be at least 1")
        self.filters = int(filters)
        self.kernel_size = tuple(np.broadcast_to(kernel_size, 2).tolist())
        self.branches = int(branches)
        self.static = bool(static)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.convs = [
            tf.keras.layers.Conv2D(self.filters, self.kernel_size, padding="same",
                                   use_bias=False, dtype=self.dtype, name=f"conv_{i}")
            for i in range(self.branches)
        ]
        self.norms = [
            tf.keras.layers.BatchNormalization(momentum=self.momentum, epsilon=self.epsilon,
                                               dtype=self.dtype, name=f"norm_{i}")
            for i in range(self.branches)
        ]

    def build(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        if input_shape.rank not in (4, 5):
            raise ValueError(
                f"{self.name}: input must be (batch, H, W, C) or (batch, time, H, W, C); "
                f"got shape {input_shape}"
            )
        image = tf.TensorShape([None]).concatenate(input_shape[-3:])
        for conv, norm in zip(self.convs, self.norms):
            with tf.name_scope(conv.name):  # unique weight names (HDF5 saving)
                conv.build(image)
            with tf.name_scope(norm.name):
                norm.build(conv.compute_output_shape(image))
        super().build(input_shape)

    def encode(self, images, training=None):
        """The code of ``(batch, H, W, C)`` images: the sum of the branches."""
        total = None
        for conv, norm in zip(self.convs, self.norms):
            branch = norm(conv(images), training=training)
            total = branch if total is None else total + branch
        return total

    def call(self, inputs, training=None):
        if inputs.shape.rank == 4:
            return self.encode(inputs, training=training)
        steps = tf.shape(inputs)[1]
        if self.static:
            code = self.encode(inputs[:, 0], training=training)
            return tf.repeat(code[:, None], steps, axis=1)
        shape = tf.shape(inputs)
        frames = tf.reshape(inputs, tf.concat([[-1], shape[2:]], axis=0))
        code = self.encode(frames, training=training)
        code = tf.reshape(code, tf.concat([shape[:2], tf.shape(code)[1:]], axis=0))
        return tf.ensure_shape(code, self.compute_output_shape(inputs.shape))

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        return input_shape[:-1].concatenate([self.filters])

    def folded(self):
        """``(kernel, bias)`` of the one convolution the branches make at inference.

        ``BN_i(K_i * x) = s_i (K_i * x) + b_i`` with ``s_i = gamma_i / sqrt(var_i +
        eps)`` and ``b_i = beta_i - s_i mean_i`` (the moving statistics), so the sum
        is the convolution with ``sum_i s_i K_i`` plus the bias ``sum_i b_i``.
        """
        kernel, bias = 0.0, 0.0
        for conv, norm in zip(self.convs, self.norms):
            gamma, beta, mean, variance = (
                np.asarray(tf.keras.backend.get_value(w), dtype=np.float64)
                for w in (norm.gamma, norm.beta, norm.moving_mean, norm.moving_variance)
            )
            scale = gamma / np.sqrt(variance + norm.epsilon)
            weights = np.asarray(tf.keras.backend.get_value(conv.kernel), dtype=np.float64)
            kernel = kernel + weights * scale
            bias = bias + beta - scale * mean
        return kernel, bias

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, branches=self.branches,
                      static=self.static, momentum=self.momentum, epsilon=self.epsilon)
        return config


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class Vote(tf.keras.layers.Layer):
    """The voting readout: the mean of each class's ``votes`` neurons.

    The last axis, ``n_classes * votes`` units, is read as ``n_classes``
    consecutive groups of ``votes`` (the thesis' ``AvgPool1d(10)`` over 100 FC
    outputs): ``(..., n_classes * votes) -> (..., n_classes)``.

    Parameters
    ----------
    votes : int
        Neurons per class (thesis: 10).
    """

    def __init__(self, votes=10, **kwargs):
        super().__init__(**kwargs)
        if int(votes) < 1:
            raise ValueError(f"{self.name}: votes ({votes}) must be at least 1")
        self.votes = int(votes)

    def build(self, input_shape):
        units = tf.TensorShape(input_shape)[-1]
        if units is None or units % self.votes:
            raise ValueError(
                f"{self.name}: the last axis ({units}) must be n_classes * votes "
                f"(votes = {self.votes})"
            )
        super().build(input_shape)

    def call(self, inputs):
        classes = inputs.shape[-1] // self.votes
        groups = tf.reshape(inputs, tf.concat([tf.shape(inputs)[:-1], [classes, self.votes]], 0))
        return tf.ensure_shape(tf.reduce_mean(groups, axis=-1),
                               self.compute_output_shape(inputs.shape))

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        return input_shape[:-1].concatenate([input_shape[-1] // self.votes])

    def get_config(self):
        return {**super().get_config(), "votes": self.votes}


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class TimeMean(tf.keras.layers.Layer):
    """The mean over the time axis: ``(batch, time, ...) -> (batch, ...)``.

    Converted (``temporal_model=True``), it becomes the running mean of the
    steps so far, so the converted output of the last step equals this layer's
    output (and every earlier step is the decision so far).
    """

    def build(self, input_shape):
        if tf.TensorShape(input_shape).rank < 3:
            raise ValueError(f"{self.name}: input must be (batch, time, ...); got {input_shape}")
        super().build(input_shape)

    def call(self, inputs):
        return tf.reduce_mean(inputs, axis=1)

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        return input_shape[:1].concatenate(input_shape[2:])


def voting_decoder(inputs, n_classes, neurons, *, votes=10, mean_over_time=True,
                   use_bias=False, name="vote"):
    """The thesis' voting decoder on a temporal tensor ``(batch, time, features)``.

    ``TimeDistributed(Dense(n_classes * votes, use_bias=False))`` -> ``neurons``
    (a spiking layer, e.g. ``nengo_snnext.keras.KLIF()``) -> :class:`Vote` ->
    :class:`TimeMean` (with ``mean_over_time``).

    Returns
    -------
    tensor
        ``(batch, n_classes)`` (the mean over time), or ``(batch, time,
        n_classes)`` per step without ``mean_over_time``.
    """
    dense = tf.keras.layers.TimeDistributed(
        tf.keras.layers.Dense(n_classes * votes, use_bias=use_bias, dtype=neurons.dtype),
        name=f"{name}_dense", dtype=neurons.dtype,  # the wrapper casts its input to its dtype
    )
    x = Vote(votes, name=f"{name}_average", dtype=neurons.dtype)(neurons(dense(inputs)))
    return TimeMean(name=f"{name}_time_mean", dtype=neurons.dtype)(x) if mean_over_time else x
