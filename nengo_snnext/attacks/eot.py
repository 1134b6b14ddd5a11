"""Input gradients of a model's loss, averaged over the model's noise (EOT).

Expectation over transformation (Athalye et al., 2018): for a stochastic model
(``NeuralOscillation``, ``NoisyLIF`` layers with ``seed=None`` draw fresh noise
at every call) the attack direction is the gradient of the *expected* loss,
estimated by averaging the gradient over ``samples`` forward/backward passes.
``samples=1`` is the plain gradient of one pass. A layer with a fixed ``seed``
draws the same noise at every call, so averaging changes nothing there: build
the attacked model with ``seed=None``.

``model`` is anything called as ``model(x, training=False)`` that returns
logits ``(batch, n_classes)``: a Keras model, or
:class:`~nengo_snnext.attacks.dl_model.NengoDLModel` for a network in
``nengo_dl.Simulator``.
"""

import warnings
import weakref

import numpy as np
import tensorflow as tf

_FUNCTIONS = weakref.WeakKeyDictionary()


def cross_entropy(y, logits):
    """Per-sample cross-entropy of integer labels ``y`` and ``logits`` (the default loss)."""
    return tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)


def gradient_function(model, loss=cross_entropy):
    """A compiled ``(x, y) -> (d sum(loss) / dx, logits)`` for ``model`` (cached per model)."""
    cache = _FUNCTIONS.setdefault(model, {})
    if loss not in cache:

        @tf.function(reduce_retracing=True)
        def gradient(x, y):
            with tf.GradientTape() as tape:
                tape.watch(x)
                logits = model(x, training=False)
                total = tf.reduce_sum(loss(y, logits))
            gradient = tape.gradient(total, x)
            if gradient is None:  # no path from the input (e.g. stop_gradient)
                gradient = tf.zeros_like(x)
            return gradient, logits

        cache[loss] = gradient
    return cache[loss]


def output_function(model):
    """A compiled ``x -> logits`` for ``model`` (cached per model), for query-only attacks."""
    cache = _FUNCTIONS.setdefault(model, {})
    if "output" not in cache:
        cache["output"] = tf.function(lambda x: model(x, training=False),
                                      reduce_retracing=True)
    return cache["output"]


def input_gradient(model, x, y, *, samples=1, loss=cross_entropy):
    """``d loss / d x`` for every sample, averaged over ``samples`` passes (EOT).

    Parameters
    ----------
    model : callable
        ``model(x, training=False) -> logits``.
    x : array_like
        Inputs ``(batch, ...)``.
    y : array_like
        Integer labels ``(batch,)``.
    samples : int
        Forward/backward passes to average (fresh noise in each for layers with
        ``seed=None``).
    loss : callable
        ``loss(y, logits)`` per sample; the sum over the batch is differentiated,
        so each sample's gradient is its own loss's.

    Returns
    -------
    numpy.ndarray
        The gradient, shaped and typed like ``x``.
    """
    samples = int(samples)
    if samples < 1:
        raise ValueError(f"samples must be at least 1, got {samples}")
    x = tf.convert_to_tensor(np.asarray(x))
    y = tf.convert_to_tensor(np.asarray(y))
    function = gradient_function(model, loss)
    total = None
    for _ in range(samples):
        gradient, _ = function(x, y)
        total = gradient if total is None else total + gradient
    gradient = (total / samples).numpy()
    if not np.any(gradient) and x.shape[0]:
        warnings.warn(
            "the input gradient is exactly zero for the whole batch (or the output does not "
            "depend on the input): spiking layers in "
            "training='rate' mode stop gradients at inference; attack a surrogate copy "
            "(nengo_snnext.attacks.surrogate_model(model)) or train with "
            "training='surrogate'", stacklevel=2)
    return gradient


def gradient_variance(model, x, y, *, samples=1, repeats=8, loss=cross_entropy):
    """Mean (over input elements) variance of the EOT gradient across ``repeats`` estimates.

    The spread of ``input_gradient(..., samples=samples)`` between independent
    calls; for a stochastic model it falls as ``1 / samples``, for a
    deterministic one it is 0.
    """
    estimates = np.stack([
        input_gradient(model, x, y, samples=samples, loss=loss) for _ in range(int(repeats))
    ])
    return float(np.mean(np.var(estimates, axis=0)))
