"""Keras layers for the nengo-snnext neuron types (keras-spiking's conventions).

:class:`SpikingNeurons` runs any nengo-snnext neuron type along the time axis of
its input; the named layers (:class:`KLIF`, :class:`DiscreteLIF`, ...) are the same
layer with the neuron's parameters as constructor arguments. Input
``(batch, time, ...)`` with any trailing shape (dense units, convolutional
feature maps); output the spikes, ``amplitude / dt`` per spike as in Nengo, of
the same shape. See ``docs/keras.md``.
"""

import numpy as np
import tensorflow as tf
from nengo.exceptions import ValidationError

from nengo_snnext import neurons
from nengo_snnext.backends.dl.surrogate import resolve_surrogate
from nengo_snnext.keras._cell import SpikingNeuronsCell
from nengo_snnext.keras._parameters import (
    K_RANGE,
    constant_state,
    k_parameter,
    offset_parameter,
    tau_parameter,
    threshold_parameter,
)
from nengo_snnext.keras._serialize import (
    constructor_names,
    neuron_type_config,
    neuron_type_from_config,
)
from nengo_snnext.neurons._base import SpikingNeuronType
from nengo_snnext.neurons._discrete import DiscreteIntegratorNeuronType
from nengo_snnext.neurons._thesis import ThesisTimeConstant
from nengo_snnext.training import make_training_mode

PACKAGE = "nengo_snnext"
# time axes up to this long are unrolled by default (unroll=None): the thesis runs T = 4-8
UNROLL_STEPS = 16


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class SpikingNeurons(tf.keras.layers.Layer):
    """Spiking layer of any nengo-snnext neuron type, stepped along the time axis.

    Each neuron of a sample (every element of the trailing shape) is one neuron
    of ``neuron_type`` with input current ``J`` = the layer's input (gain 1,
    bias 0, as ``nengo.Connection(..., ens.neurons)``); every time step calls the
    type's ``equation``, the same function ``nengo.Simulator`` runs, so the
    spikes equal Nengo's for the same currents and initial state.

    Parameters
    ----------
    neuron_type : SpikingNeuronType
        The neuron type, e.g. ``nengo_snnext.KLIF(k=1.5)``.
    dt : float, optional
        Time step (s) of one input step; default ``neuron_type.dt``.
    training : {"rate", "surrogate"}
        ``"rate"`` (default): training runs the type's differentiable
        ``training_equation`` rate with the state held, inference the spikes
        (NengoDL's scheme). ``"surrogate"``: the spikes always, with the exact
        Heaviside forward and the surrogate's derivative backward (BPTT); only for
        types that declare a ``surrogate`` (not MIF, MIF2).
    rate_steps : int, optional
        ``"rate"`` mode only: the forward output in training becomes the rate the
        neuron really has over its first ``rate_steps`` steps from rest under the
        constant input (the spiking step run that many times; a neuron with a
        period of ``p`` steps fires ``floor(rate_steps / p)`` times, not
        ``rate_steps / p``), the backward stays the derivative of the smooth
        ``training_equation`` (straight-through). Give it the ``T`` of inference: a
        network trained with rates then meets the spike counts of short
        presentations (T = 4-8) in training, at the cost of that many elementwise
        steps (no extra matrix products). Default None: the smooth rate itself.
    surrogate : str, optional
        Surrogate name (:data:`nengo_snnext.equations.surrogates.SURROGATES`);
        default the type's declared one.
    surrogate_alpha : float, optional
        Its sharpness; default the type's declared value (or the surrogate's own).
    trainable_k : bool, optional
        KLIF only: ``k`` as one trainable scalar per layer (default True for KLIF),
        kept in ``k_range`` by a :class:`~nengo_snnext.keras.Clip` constraint.
    k_range : (float, float)
        Bounds of a trainable ``k`` (thesis: ``[0.5, 5]``).
    trainable_tau : bool
        Train ``tau`` (types with a thesis membrane: DiscreteLIF, KLIF, the
        oscillation neurons), as the leak weight ``1 - dt / tau`` kept in
        ``[0, 1)``. In ``"rate"`` mode only for types with a closed-form rate
        (DiscreteLIF, KLIF).
    trainable_threshold : bool
        Train ``threshold``, kept above ``max(0, reset)``; ``"rate"`` mode as for tau.
    trainable_offsets : bool
        AltNeuralOscillation only: train ``c`` and ``d`` of ``sin(H + c) + d``
        (eq. 3.14 and forms F1-F4; any finite value), ``"surrogate"`` mode only
        (the rate is tabulated for fixed offsets).
    per_channel : bool
        Trainable tau/threshold (and c, d) per channel (the last axis) instead of
        per layer.
    seed : int, optional
        Stochastic types: the noise seed. Noise is fresh per step and per
        sample and reproducible for a given seed; ``None`` draws a new seed at
        every call from the initial state.
    unroll : bool or None
        As for ``tf.keras.layers.RNN``; ``None`` (default): unroll (a Python loop
        over the steps instead of a ``tf.while_loop``) when the time axis is static
        and at most :data:`UNROLL_STEPS` long, as in the thesis' T = 4-8 networks.
    jit_compile : bool or None
        XLA-compile the neuron step for inference (its elementwise ops fused into
        one kernel; calls with ``training=True``, as in ``fit``, run the uncompiled
        step, which was faster there), and the forward-only steps of ``rate_steps``.
        MIF/MIF2's step runs on the calling thread for up to 2^16 neurons
        (:func:`nengo_snnext.backends.dl.xla.jit_step`).
        ``None`` (default): when unrolled, for deterministic types. Stochastic types
        are not compiled: XLA draws other stateless random numbers than TensorFlow
        (``True`` raises for them). Spikes are the same as uncompiled (tested);
        gradients agree to rounding.
    return_sequences, return_state, stateful, time_major
        As for ``tf.keras.layers.RNN``; ``return_sequences`` defaults to True.
        The states are the type's state variables in ``state`` order, then for
        stochastic types a ``(batch, 2)`` noise key (seed offset, step).
    check_finite : bool
        Raise a clear error for NaN/inf inputs (``tf.debugging.check_numerics``).
    **kwargs
        Passed to ``tf.keras.layers.Layer`` (e.g. ``dtype="float64"``, ``name``).
    """

    def __init__(
        self,
        neuron_type,
        *,
        dt=None,
        training="rate",
        rate_steps=None,
        surrogate=None,
        surrogate_alpha=None,
        trainable_k=None,
        k_range=K_RANGE,
        trainable_tau=False,
        trainable_threshold=False,
        trainable_offsets=False,
        per_channel=False,
        seed=None,
        return_sequences=True,
        return_state=False,
        stateful=False,
        unroll=None,
        jit_compile=None,
        time_major=False,
        check_finite=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        neuron_type = neuron_type_from_config(neuron_type)
        if not isinstance(neuron_type, SpikingNeuronType):
            raise ValidationError(
                f"neuron_type must be a nengo-snnext neuron type instance such as "
                f"nengo_snnext.KLIF(), got {neuron_type!r}",
                attr="neuron_type", obj=self,
            )
        self.neuron_type = neuron_type
        self.dt = float(neuron_type.dt if dt is None else dt)
        neuron_type.check_dt(self.dt)
        self.training = training
        self.surrogate = surrogate
        self.surrogate_alpha = surrogate_alpha
        self.mode = make_training_mode(training, surrogate=surrogate, alpha=surrogate_alpha)
        self.resolved_surrogate = self.check_surrogate()
        self.rate_steps = self.check_rate_steps(rate_steps)
        self.trainable_k = isinstance(neuron_type, neurons.KLIF) if trainable_k is None else bool(trainable_k)
        self.k_range = tuple(float(b) for b in k_range)
        self.trainable_tau = bool(trainable_tau)
        self.trainable_threshold = bool(trainable_threshold)
        self.trainable_offsets = bool(trainable_offsets)
        self.per_channel = bool(per_channel)
        self.trainables = self.trainable_parameters()
        self.seed = None if seed is None else int(seed)
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.stateful = stateful
        self.unroll = unroll
        self.jit_compile = jit_compile
        if jit_compile and self.stochastic:
            raise self.error("jit_compile=True: XLA draws other stateless random numbers than "
                             "TensorFlow, so the noise would not be reproducible across "
                             "settings; use jit_compile=None or False", "jit_compile")
        self.time_major = time_major
        self.check_finite = check_finite
        constant_state(neuron_type)  # a clear error now for a non-constant initial state
        self.layer = None

    @property
    def stochastic(self):
        """Whether the neuron type draws noise each step (then XLA must not compile it:
        it draws other stateless random numbers than TensorFlow)."""
        return getattr(self.neuron_type, "sample_argument", None) is not None

    # --- validation -------------------------------------------------------------

    def error(self, message, attr):
        return ValidationError(f"{type(self).__name__}({self.neuron_type}): {message}",
                               attr=attr, obj=self)

    def check_rate_steps(self, rate_steps):
        if rate_steps is None:
            return None
        if self.mode.kind != "rate":
            raise self.error(f"rate_steps applies to training='rate' only, not "
                             f"{self.mode.kind!r}", "rate_steps")
        if isinstance(rate_steps, bool) or int(rate_steps) != rate_steps or rate_steps < 1:
            raise self.error(f"rate_steps must be a positive integer, got {rate_steps!r}",
                             "rate_steps")
        return int(rate_steps)

    def check_surrogate(self):
        if self.mode.kind != "surrogate":
            return None
        if self.neuron_type.surrogate is None:
            raise self.error(
                "training='surrogate' is not available: the type declares no surrogate "
                "(its equation has no threshold crossing to take a surrogate of; MIF and "
                "MIF2 solve spike times inside the step); use training='rate'",
                "training",
            )
        return resolve_surrogate(type(self.neuron_type), self.mode)

    def trainable_parameters(self):
        nt, specs = self.neuron_type, []
        if self.trainable_k:
            if not isinstance(nt, neurons.KLIF):
                raise self.error("trainable_k needs a KLIF neuron type", "trainable_k")
            low, high = self.k_range
            if not (0 < low <= nt.k <= high):
                raise self.error(
                    f"k = {nt.k:g} is outside k_range [{low:g}, {high:g}] (0 < low); "
                    f"start k inside the range or pass trainable_k=False", "k_range")
            specs.append(k_parameter(self.k_range))
        if self.trainable_tau:
            if not isinstance(nt, ThesisTimeConstant):
                raise self.error("trainable_tau needs a type with a thesis membrane tau "
                                 "(DiscreteLIF, KLIF, NeuralOscillation, "
                                 "AltNeuralOscillation)", "trainable_tau")
            specs.append(tau_parameter())
        if self.trainable_threshold:
            if not hasattr(nt, "threshold"):
                raise self.error("trainable_threshold needs a type with a threshold",
                                 "trainable_threshold")
            specs.append(threshold_parameter(nt))
        if self.trainable_offsets:
            if not isinstance(nt, neurons.AltNeuralOscillation):
                raise self.error("trainable_offsets (c, d) needs an AltNeuralOscillation "
                                 "neuron type", "trainable_offsets")
            specs += [offset_parameter("c"), offset_parameter("d")]
        rate_trained = [s.attribute for s in specs if s.attribute != "k"]
        if (self.mode.kind == "rate" and rate_trained
                and not isinstance(nt, DiscreteIntegratorNeuronType)):
            raise self.error(
                f"training {rate_trained} in 'rate' mode needs a rate that is a closed "
                f"form of them; {type(nt).__name__}'s rate is tabulated for fixed "
                f"parameters: use training='surrogate'", "training")
        return specs

    # --- layer ------------------------------------------------------------------

    def build(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        if input_shape.rank is None or input_shape.rank < 3 or None in input_shape[2:]:
            raise ValueError(
                f"{self.name}: input must have shape (batch, time, ...) with a known "
                f"trailing shape, got {input_shape}; give every sample a time axis, "
                f"e.g. tf.tile(x[:, None], (1, n_steps, 1)) or Reshape((1, -1))"
            )
        size = input_shape[2:]  # after (batch, time) or (time, batch)
        channel_shape = (size[-1],) if self.per_channel else ()
        unroll, jit_compile = self.resolve_unroll(input_shape[0 if self.time_major else 1])
        cell = SpikingNeuronsCell(
            self.neuron_type, size, dt=self.dt, mode=self.mode.kind,
            rate_steps=self.rate_steps, surrogate=self.resolved_surrogate,
            trainables=self.trainables,
            channel_shape=channel_shape, seed=self.seed, jit_compile=jit_compile,
            dtype=self.dtype, name="cell",
        )
        self.layer = tf.keras.layers.RNN(
            cell, return_sequences=self.return_sequences, return_state=self.return_state,
            stateful=self.stateful, unroll=unroll, time_major=self.time_major,
            dtype=self.dtype, name="rnn",
        )
        batch_size = input_shape[1 if self.time_major else 0]
        if self.stateful and batch_size is not None:
            # Keras' RNN.reset_states makes its state variables in floatx (float32
            # even for a float64 layer): make them here in the layer's dtype
            self.layer.states = [
                tf.Variable(value, trainable=False)
                for value in cell.get_initial_state(batch_size=batch_size, dtype=self.dtype)
            ]
        self.layer.build(input_shape)
        super().build(input_shape)
        if self.stateful and batch_size is not None:
            self.reset_states()

    def resolve_unroll(self, n_steps):
        """``(unroll, jit_compile)`` for a time axis of ``n_steps`` (None: not static)."""
        unroll = self.unroll
        if unroll is None:
            unroll = n_steps is not None and n_steps <= UNROLL_STEPS
        if unroll and n_steps is None:
            raise ValueError(f"{self.name}: unroll=True needs a static time axis (got None steps); "
                             f"give the Input a fixed number of steps or use unroll=False")
        jit_compile = self.jit_compile
        if jit_compile is None:
            jit_compile = bool(unroll) and not self.stochastic
        return bool(unroll), bool(jit_compile)

    def call(self, inputs, training=None, initial_state=None):
        if self.check_finite and inputs.dtype.is_floating:
            inputs = tf.debugging.check_numerics(
                inputs, f"{self.name} ({type(self).__name__}): non-finite input currents; "
                "check the layers and data feeding it")
        return self.layer.call(inputs, training=training, initial_state=initial_state)

    def reset_states(self, states=None):
        """Reset the state of a ``stateful`` layer (to the initial state by default)."""
        if states is None:
            states = self.layer.cell.get_initial_state(
                batch_size=self.layer.states[0].shape[0], dtype=self.layer.states[0].dtype)
        self.layer.reset_states(states=states)

    # --- learned parameters -----------------------------------------------------

    def parameter_value(self, attribute):
        """The current value of a neuron attribute (trained or fixed), as numpy."""
        cell = None if self.layer is None else self.layer.cell
        if cell is not None and attribute in cell.weights_by_attribute:
            spec = next(s for s in self.trainables if s.attribute == attribute)
            weight = cell.weights_by_attribute[attribute]
            return np.asarray(spec.from_weight(weight.numpy(), self.dt))
        return np.asarray(getattr(self.neuron_type, attribute))

    def trained_neuron_type(self):
        """The neuron type with the learned per-layer scalars (a new instance).

        Per-channel parameters cannot be one neuron type's parameter: they raise
        a ``ValidationError``.
        """
        changes = {}
        for spec in self.trainables:
            value = self.parameter_value(spec.attribute)
            if value.size != 1:
                raise self.error(f"{spec.attribute} is trained per channel; one neuron type "
                                 f"holds one value", spec.attribute)
            changes[spec.attribute] = float(value.reshape(()))
        return self.neuron_type.replace(**changes)

    def get_config(self):
        config = super().get_config()
        config.update(
            neuron_type=neuron_type_config(self.neuron_type), dt=self.dt,
            training=self.training, rate_steps=self.rate_steps, surrogate=self.surrogate,
            surrogate_alpha=self.surrogate_alpha, trainable_k=self.trainable_k,
            k_range=list(self.k_range), trainable_tau=self.trainable_tau,
            trainable_threshold=self.trainable_threshold,
            trainable_offsets=self.trainable_offsets, per_channel=self.per_channel,
            seed=self.seed, return_sequences=self.return_sequences,
            return_state=self.return_state, stateful=self.stateful, unroll=self.unroll,
            jit_compile=self.jit_compile, time_major=self.time_major,
            check_finite=self.check_finite,
        )
        return config


class NamedSpikingNeurons(SpikingNeurons):
    """A :class:`SpikingNeurons` of one family: neuron parameters as arguments.

    ``Layer(k=1.5, tau=0.004, training="surrogate")`` builds
    ``neuron_class(k=1.5, tau=0.004)`` (``dt`` goes to both the neuron type and
    the layer); ``Layer(neuron_type=instance, ...)`` takes an instance of the
    family. The other keyword arguments are those of :class:`SpikingNeurons`.
    """

    neuron_class = None

    def __init__(self, neuron_type=None, **kwargs):
        names = [n for n in constructor_names(self.neuron_class) if n != "dt"]
        params = {n: kwargs.pop(n) for n in names if n in kwargs}
        if "dt" in kwargs and kwargs["dt"] is not None:
            params["dt"] = kwargs["dt"]
        if neuron_type is None:
            neuron_type = self.neuron_class(**params)
        else:
            neuron_type = neuron_type_from_config(neuron_type)
            if params.keys() - {"dt"}:
                raise ValidationError(
                    f"{type(self).__name__}: give either neuron_type= or the neuron "
                    f"parameters {sorted(params)}, not both", attr="neuron_type", obj=self)
            if not isinstance(neuron_type, self.neuron_class):
                raise ValidationError(
                    f"{type(self).__name__} runs {self.neuron_class.__name__} neurons, got "
                    f"{neuron_type!r}; use SpikingNeurons(neuron_type=...) for other types",
                    attr="neuron_type", obj=self)
        super().__init__(neuron_type, **kwargs)


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class DiscreteLIF(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.DiscreteLIF` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.DiscreteLIF


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class KLIF(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.KLIF` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.KLIF


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class NeuralOscillation(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.NeuralOscillation` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.NeuralOscillation


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class AltNeuralOscillation(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.AltNeuralOscillation` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.AltNeuralOscillation


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class NoisyLIF(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.NoisyLIF` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.NoisyLIF


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MIF(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.MIF` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.MIF


@tf.keras.utils.register_keras_serializable(package=PACKAGE)
class MIF2(NamedSpikingNeurons):
    """Keras layer of :class:`nengo_snnext.MIF2` neurons (see :class:`NamedSpikingNeurons`)."""

    neuron_class = neurons.MIF2
