"""Training schedule of the demo networks: a rate warm-up, then surrogate BPTT.

Phase 1 (``rate``): the spiking layers output their differentiable training rate
(``training="rate"``), so one time step per image is enough: the cost of an ANN.
Phase 2 (``surrogate``): the same weights in a model of ``steps`` time steps whose
layers spike in training too, trained through time with the surrogate gradient:
it learns what the spikes of a short presentation do, which the rates cannot tell.
Both phases use the thesis' loss (MSE to the one-hot label) and Adam with cosine
annealing. The spiking model (inference) is the phase-2 model. Phase 1 is
optional (``rate_epochs = 0``): the Fashion-MNIST schedule trains through time only,
XLA-compiled.
"""

import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np


FASHION_BUDGET = 480.0  # seconds of training of the Fashion-MNIST demo (of 600 in all)


@dataclass
class Schedule:
    """How long each phase trains.

    Attributes
    ----------
    steps : int
        Time steps of one presentation (T) in the surrogate phase and in inference.
    rate_epochs, surrogate_epochs : float
        Passes over the training set per phase (fractions allowed).
    rate_batch, batch : int
        Minibatch sizes of the two phases.
    lr : float
        Initial Adam learning rate of each phase (cosine-annealed to 0).
    time_budget : float or None
        Seconds for both phases together; the rate phase gets ``rate_share`` of it.
        A phase stops at its share (after the current batch) even if epochs remain;
        its learning rate anneals over the larger of its batch and time fractions.
    rate_share : float
        Share of ``time_budget`` for the rate phase. With ``time_budget``, 0 skips
        the rate phase (as ``rate_epochs = 0`` does).
    counted_rates : bool
        Rate phase with the layers' ``rate_steps = steps``: the forward rates are
        the spike counts of ``steps`` steps (see
        :class:`~nengo_snnext.keras.SpikingNeurons`), so the warm-up already
        trains for the short presentations of inference.
    average : float or None
        Momentum of an exponential moving average of the weights (Polyak averaging),
        kept by the optimizer inside the compiled training step. The trained model
        gets the averaged weights, and :func:`averaged_weights` tests them during
        training. The average is bias-corrected (as Adam's moments): after ``n``
        batches it weighs the ``n`` weights seen by ``average ** age`` and not the
        random initial weights. None: the last weights, not averaged. It costs
        training speed: the Fashion-MNIST demo network trained roughly 15-20 % fewer
        images per second with it (docs/demo.md, "Side by side").
    jit_compile : bool
        Compile the surrogate phase's whole training step with XLA (forward,
        backward through time and the optimizer), where the model allows it
        (:func:`xla_compatible`): the ``T`` unrolled neuron updates fuse with the
        layers around them, 2.3x faster per batch on 2 CPU cores for the demo
        network. The rate phase is not compiled (it was slower compiled).
    """

    steps: int = 8
    rate_epochs: float = 1.0
    surrogate_epochs: float = 1.0
    rate_batch: int = 64
    batch: int = 64
    lr: float = 1e-3
    time_budget: float = None
    rate_share: float = 0.5
    counted_rates: bool = False
    average: float = None
    jit_compile: bool = True

    @classmethod
    def for_dataset(cls, name, quick=False, time_budget=None):
        """The demo's schedule for ``"digits"`` or ``"fashion-mnist"`` on a 2-core CPU."""
        if quick:
            return cls(steps=4, rate_epochs=4, surrogate_epochs=0.5, batch=32, rate_batch=32,
                       lr=5e-3, time_budget=time_budget)
        if name == "digits":
            return cls(steps=8, rate_epochs=10, surrogate_epochs=2, batch=32, rate_batch=32,
                       lr=3e-3, time_budget=time_budget)
        # Fashion-MNIST: the headline run has 10 minutes in all on 2 cores, so training
        # stops after FASHION_BUDGET seconds unless told otherwise. All of it is XLA-
        # compiled surrogate BPTT: at 450 s, a 40 % / 20 % / no counted-rate warm-up
        # gave 90.03 / 90.68 / 90.98 % (the compiled BPTT batch costs only 1.8x a rate
        # image's share, and teaches what T = 4 spikes do)
        # No weight averaging (``average``): it helped only on a loaded machine (see
        # docs/demo.md, "Side by side")
        return cls(steps=4, rate_epochs=0, surrogate_epochs=2, batch=64, lr=2e-3,
                   rate_share=0.0,
                   time_budget=FASHION_BUDGET if time_budget is None else time_budget)

    def layer_options(self, training):
        """Extra spiking-layer arguments of the model for ``training`` (``make``'s)."""
        return {"rate_steps": self.steps} if training == "rate" and self.counted_rates else {}

    def as_dict(self):
        return asdict(self)


def _dataset(x, y, n_classes, steps, batch, seed):
    import tensorflow as tf

    one_hot = np.eye(n_classes, dtype=np.float32)[y]
    data = tf.data.Dataset.from_tensor_slices((x, one_hot))
    data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).repeat().batch(batch)
    data = data.map(lambda images, labels: (tf.repeat(images[:, None], steps, axis=1), labels),
                    num_parallel_calls=1)
    # no autotuning (the pipeline's sizes are fixed): its background thread could keep
    # the end of ``fit`` waiting for up to a minute when the iterator is deleted
    options = tf.data.Options()
    options.autotune.enabled = False
    return data.prefetch(2).with_options(options)


class TrainingClock:
    """Seconds of training since construction; time inside :meth:`pause` is excluded."""

    def __init__(self):
        self.start = time.perf_counter()
        self.paused = 0.0

    def __call__(self):
        return time.perf_counter() - self.start - self.paused

    @contextmanager
    def pause(self):
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.paused += time.perf_counter() - begin


def annealed_rate(lr, batch, n_batches, elapsed=0.0, seconds=None):
    """Cosine-annealed learning rate after ``batch`` of ``n_batches`` batches.

    With a time limit (``seconds``) the phase's progress is the larger of the
    batch and the time fractions, so a phase cut short by its time limit still
    anneals to 0 there instead of stopping at a high rate.
    """
    progress = batch / max(n_batches, 1)
    if seconds is not None:
        progress = max(progress, elapsed / seconds) if seconds > 0 else 1.0
    return 0.5 * lr * (1.0 + np.cos(np.pi * min(progress, 1.0)))


def _callback(n_batches, lr, clock, end, desc, progress, checkpoints):
    import tensorflow as tf
    from tqdm.auto import tqdm

    class Progress(tf.keras.callbacks.Callback):
        """A tqdm bar over the batches; anneals the learning rate; stops at ``end``
        (clock seconds); runs ``checkpoints`` with the clock paused."""

        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=n_batches, desc=desc, unit="batch", disable=not progress,
                            leave=False)
            self.begin = clock()
            self.seconds = None if end is None else end - self.begin
            self.done = 0

        def on_train_batch_begin(self, batch, logs=None):
            self.model.optimizer.learning_rate.assign(annealed_rate(
                lr, self.done, n_batches, clock() - self.begin, self.seconds))

        def on_train_batch_end(self, batch, logs=None):
            self.done += 1
            self.bar.update(1)
            if logs and "loss" in logs:
                self.bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)
            if checkpoints is not None:
                with clock.pause():
                    checkpoints(self.model, clock())
            if end is not None and clock() >= end:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            self.bar.close()

    return Progress()


def xla_compatible(model):
    """Whether XLA may compile ``model``: no stochastic spiking layer (XLA draws other
    random numbers than TensorFlow, so those layers would not match their spec)."""
    from nengo_snnext.demo.backends import spiking_layers

    return not any(layer.stochastic for layer in spiking_layers(model))


def _optimizer(lr, average):
    """Adam; with ``average``, also a bias-corrected exponential moving average of the
    weights. Keras' own average starts at the initial weights; this one is, after
    ``n`` updates, ``sum(m**(n-i) w_i) / sum(m**(n-i))`` over the weights ``w_1..w_n``
    the updates produced, kept by the recursion ``a_n = c a_(n-1) + (1 - c) w_n`` with
    ``c = m (1 - m**(n-1)) / (1 - m**n)``."""
    import tensorflow as tf

    class AveragedAdam(tf.keras.optimizers.Adam):
        def _update_model_variables_moving_average(self, var_list):
            m = tf.constant(self.ema_momentum, tf.float32)
            n = tf.cast(self.iterations, tf.float32) + 1.0  # this update's number
            momentum = m * (1.0 - m ** (n - 1.0)) / (1.0 - m ** n)
            for var, mean in zip(var_list, self._model_variables_moving_average):
                mean.assign(momentum * mean + (1.0 - momentum) * var)

    if average is None:
        return tf.keras.optimizers.Adam(lr)
    return AveragedAdam(lr, use_ema=True, ema_momentum=average)


@contextmanager
def averaged_weights(model):
    """Inside the block, ``model``'s trainable weights are the optimizer's moving
    averages (:attr:`Schedule.average`); the trained weights come back after it.
    Without averages (no ``average`` in the schedule) the weights stay as they are."""
    optimizer = getattr(model, "optimizer", None)
    averages = getattr(optimizer, "_model_variables_moving_average", None)
    if not getattr(optimizer, "use_ema", False) or not averages:
        yield model
        return
    trained = [v.numpy() for v in model.trainable_variables]
    for var, mean in zip(model.trainable_variables, averages):
        var.assign(mean)
    try:
        yield model
    finally:
        for var, value in zip(model.trainable_variables, trained):
            var.assign(value)


def _fit_phase(model, data, schedule, *, steps, batch, epochs, clock, end, seed, desc,
               progress, checkpoints, jit_compile=False):
    """Train one phase until ``epochs`` or the clock's ``end``; the batches trained."""
    import tensorflow as tf

    n_batches = max(1, int(round(epochs * len(data.x_train) / batch)))
    model.compile(_optimizer(schedule.lr, schedule.average), tf.keras.losses.MeanSquaredError(),
                  jit_compile=jit_compile and xla_compatible(model))
    dataset = _dataset(data.x_train, data.y_train, data.n_classes, steps, batch, seed)
    callback = _callback(n_batches, schedule.lr, clock, end, desc, progress, checkpoints)
    model.fit(dataset, steps_per_epoch=n_batches, epochs=1, verbose=0, callbacks=[callback])
    return callback.done


def fit_schedule(make, data, schedule, *, seed=0, progress=True, label="", checkpoints=None):
    """Train a network made by ``make(steps, training)`` with ``schedule``.

    Parameters
    ----------
    make : callable
        ``make(steps, training)`` returns a fresh Keras model (the same layers and
        weights shapes for every ``steps``), e.g. a partial of
        :func:`nengo_snnext.networks.klif_cnn.build`.
    data : :class:`~nengo_snnext.demo.datasets.ImageData`
    schedule : :class:`Schedule`
    checkpoints : callable, optional
        Called after every batch of both phases as ``checkpoints(model, seconds)``
        with the model in training (the one-step rate model in phase 1) and the
        seconds of training so far. Time spent in it is not training time: it does
        not count against ``schedule.time_budget`` (e.g. a test at given times).
        The model holds the last weights; with ``schedule.average``, test inside
        ``with averaged_weights(model):`` to see what training would return now.

    Returns
    -------
    model : tf.keras.Model
        The spiking model (``schedule.steps`` steps, surrogate layers) with the
        trained weights (their moving average, with ``schedule.average``).
    log : dict
        Batches trained and seconds (checkpoints excluded) per phase.
    """
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)
    clock = TrainingClock()
    budget = schedule.time_budget
    log = {}
    log["rate_batches"], rate_model = 0, None
    if schedule.rate_epochs > 0 and (budget is None or schedule.rate_share > 0):
        rate_model = make(1, "rate")
        log["rate_batches"] = _fit_phase(
            rate_model, data, schedule, steps=1, batch=schedule.rate_batch,
            epochs=schedule.rate_epochs, clock=clock,
            end=None if budget is None else schedule.rate_share * budget, seed=seed,
            desc=f"{label} rate warm-up".strip(), progress=progress, checkpoints=checkpoints)
    log["rate_seconds"] = clock()

    model = make(schedule.steps, "surrogate")
    if rate_model is not None:
        model.set_weights(rate_model.get_weights())
    log["surrogate_batches"] = _fit_phase(
        model, data, schedule, steps=schedule.steps, batch=schedule.batch,
        epochs=schedule.surrogate_epochs, clock=clock, end=budget, seed=seed + 1,
        desc=f"{label} surrogate BPTT (T = {schedule.steps})".strip(), progress=progress,
        checkpoints=checkpoints, jit_compile=schedule.jit_compile)
    log["surrogate_seconds"] = clock() - log["rate_seconds"]
    return model, log


def predict(model, x, batch=500, jit_compile=None):
    """``model`` (input ``(batch, steps, ...)``) on images ``x``, each repeated over its steps.

    ``jit_compile``: run the whole inference (convolutions, batch normalisation and
    every spiking step) as one XLA program, which fuses the elementwise neuron
    updates with the layers around them: 2.7x faster than ``model.predict`` on 2
    CPU cores, with the same outputs (tested). None: compile unless a spiking layer
    is stochastic (XLA draws other random numbers than TensorFlow). The last
    minibatch is padded to ``batch`` images, so one program serves every call.
    """
    import tensorflow as tf

    steps = model.input.shape[1]
    if jit_compile is None:
        jit_compile = xla_compatible(model)

    @tf.function(jit_compile=jit_compile)
    def run(images):
        return model(tf.repeat(images[:, None], steps, axis=1), training=False)

    x = np.asarray(x)
    batch = min(batch, len(x))
    outputs = []
    for i in range(0, len(x), batch):
        images = x[i:i + batch]
        keep = len(images)
        if keep < batch:  # pad with copies of the last image; their outputs are dropped
            images = np.concatenate([images, np.repeat(images[-1:], batch - keep, axis=0)])
        outputs.append(run(tf.constant(images)).numpy()[:keep])
    return np.concatenate(outputs)


def spiking_accuracy(model, x, y, batch=500):
    """Test accuracy of the spiking (inference-mode) Keras model."""
    return float(np.mean(predict(model, x, batch).argmax(axis=-1) == y))
