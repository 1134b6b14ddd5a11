"""Teacher-student fitting of the alternative neuron's ``c, d`` (Jiang 2022, section 3.4, eq. 3.15).

1. The teacher is a trained network of :class:`~nengo_snnext.keras.NeuralOscillation`
   layers (NO).
2. The student is the same network with every NO neuron replaced by the
   deterministic alternative neuron ``P = f(H + sin(H + c) + d)`` (ALT), weights
   and batch normalisation frozen; one ``(c, d)`` pair shared by all layers (the
   thesis code's single neuron module).
3. Minimise ``L = sum_t sum_j 1/2 (S_j(t) - S'_j(t))^2`` (eq. 3.15) over layers
   ``j`` and steps ``t`` for 1-3 epochs, training only ``c, d``.

Per-layer teacher forcing, as the thesis code does: in every layer the student
spike is computed from the *teacher's* membrane (``H_t = lambda V_{t-1} + J_t``
with the teacher's ``V``), and the teacher's spikes propagate to the next
layer. So the student only learns the one-step map ``H -> S'``; against the
teacher's Bernoulli spikes the squared error is smallest when ``S' = 1`` exactly
where the teacher fires with probability above one half, i.e. above the
teacher's median threshold ``H = V_th - median(gamma)`` (0.7 for
``U[-0.2, 0.8]``). The fitted ``effective_threshold()`` should land near it
(the thesis' Table 3.9 gives 0.672 and 0.678).
"""

from typing import List, NamedTuple

import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from nengo_snnext import neurons
from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.surrogate import surrogate_spike
from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.noise import scale_noise
from nengo_snnext.equations.oscillation import (
    OscillationState,
    alt_oscillation_step,
    oscillation_step,
)
from nengo_snnext.keras._serialize import neuron_type_config
from nengo_snnext.keras.layers import AltNeuralOscillation, SpikingNeurons

STUDENT_SURROGATE = ("arctan", 3.0)  # the chapter-3 surrogate (eq. 3.9, alpha = 3)


class TeacherStudentFit(NamedTuple):
    """Result of :func:`fit_alternative`.

    Attributes
    ----------
    c, d : float
        The fitted parameters.
    effective_threshold : float
        ``H*`` of the fitted alternative neuron (``AltNeuralOscillation.effective_threshold``).
    median_threshold : float
        The teacher's one-step 50 % firing point ``V_th - median(gamma)``.
    losses : list of float
        Mean eq. 3.15 loss per spike of every epoch.
    """

    c: float
    d: float
    effective_threshold: float
    median_threshold: float
    losses: List[float]


def oscillation_layers(model):
    """The model's neural-oscillation spiking layers (in layer order)."""
    found = [layer for layer in model.layers if isinstance(layer, SpikingNeurons)
             and isinstance(layer.neuron_type, neurons.NeuralOscillation)]
    if not found:
        raise ValueError(f"{model.name} has no NeuralOscillation layers to be a teacher")
    return found


def median_threshold(neuron_type):
    """``V_th - median(gamma)``: where ``H + gamma > V_th`` has probability 1/2 in one step."""
    noise = neuron_type.noise_distribution()
    median = noise.loc + (0.5 * noise.scale if noise.kind == "uniform" else 0.0)
    return neuron_type.threshold - median


def layer_loss(layer, currents, c, d, generator, spike):
    """Eq. 3.15 summed over one layer's neurons and steps, with teacher forcing."""
    neuron_type, dt = layer.neuron_type, layer.dt
    params = neuron_type.equation_params(dt)
    noise = neuron_type.noise_distribution()
    draw = generator.uniform if noise.kind == "uniform" else generator.normal
    voltage = tf.zeros_like(currents[:, 0])
    total = tf.zeros((), currents.dtype)
    for t in range(currents.shape[1]):
        J, state = currents[:, t], OscillationState(voltage)
        gamma = scale_noise(draw(tf.shape(J), dtype=J.dtype), noise)
        teacher, new_state = oscillation_step(TF_OPS, dt, J, state, gamma=gamma,
                                              spike=heaviside, **params)
        student, _ = alt_oscillation_step(
            TF_OPS, dt, J, state, leak=params["leak"], input_gain=params["input_gain"],
            threshold=params["threshold"], negative_slope=params["negative_slope"],
            form="F1", c=c, d=d, spike=spike)
        total += 0.5 * tf.reduce_sum(tf.square(teacher - student))
        voltage = new_state.voltage  # the teacher's membrane carries on
    return total


def fit_alternative(teacher, x, *, c=0.0, d=0.0, epochs=2, batch_size=50, learning_rate=0.01,
                    surrogate=STUDENT_SURROGATE, seed=0, progress=True):
    """Fit one shared ``(c, d)`` of the alternative neuron to a NO teacher (eq. 3.15).

    Parameters
    ----------
    teacher : tf.keras.Model
        Trained model with :class:`~nengo_snnext.keras.NeuralOscillation` layers
        (functional API, each layer called once).
    x : array_like
        Training inputs of the teacher (labels are not needed).
    c, d : float
        Initial values (the thesis: 0).
    epochs : int
        Passes over ``x`` (the thesis: 1-3).
    batch_size : int
        Inputs per step.
    learning_rate : float
        Adam's step size.
    surrogate : (str, float)
        Surrogate ``(name, alpha)`` of the student's spike in the backward pass.
    seed : int
        Seed of the teacher's noise draws.
    progress : bool
        Progress bar over the batches.

    Returns
    -------
    TeacherStudentFit
    """
    layers = oscillation_layers(teacher)
    currents_model = tf.keras.Model(teacher.inputs, [layer.input for layer in layers])
    dtype = layers[0].dtype
    c_var = tf.Variable(float(c), dtype=dtype, name="c")
    d_var = tf.Variable(float(d), dtype=dtype, name="d")
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    generator = tf.random.Generator.from_seed(seed)
    spike = surrogate_spike(*surrogate)

    @tf.function(reduce_retracing=True)
    def train_step(xb):
        currents = currents_model(xb, training=False)
        currents = currents if isinstance(currents, (list, tuple)) else [currents]
        with tf.GradientTape() as tape:
            total = tf.add_n([
                layer_loss(layer, tf.cast(J, dtype), c_var, d_var, generator, spike)
                for layer, J in zip(layers, currents)
            ])
            count = tf.add_n([tf.cast(tf.size(J), dtype) for J in currents])
            loss = total / count
        optimizer.apply_gradients(zip(tape.gradient(loss, [c_var, d_var]), [c_var, d_var]))
        return loss

    x = np.asarray(x)
    order = np.random.RandomState(seed)
    losses = []
    for _ in range(int(epochs)):
        indices = order.permutation(len(x))
        starts = range(0, len(x), batch_size)
        epoch = [float(train_step(x[indices[i:i + batch_size]]))
                 for i in tqdm(starts, desc="teacher-student", disable=not progress, leave=False)]
        losses.append(float(np.mean(epoch)))
    c_fit, d_fit = float(c_var.numpy()), float(d_var.numpy())
    reference = layers[0].neuron_type
    student = neurons.AltNeuralOscillation(
        c=c_fit, d=d_fit, negative_slope=reference.negative_slope,
        threshold=reference.threshold)
    return TeacherStudentFit(c_fit, d_fit, student.effective_threshold(),
                             median_threshold(reference), losses)


def alternative_network(teacher, c, d):
    """The teacher with every NO layer replaced by ALT neurons ``(c, d)``: same weights.

    Each :class:`~nengo_snnext.keras.NeuralOscillation` layer becomes an
    :class:`~nengo_snnext.keras.AltNeuralOscillation` layer with the same
    ``tau``, threshold, slope, input scaling, amplitude and training mode.
    """
    def clone(layer):
        config = layer.get_config()
        nt = getattr(layer, "neuron_type", None)
        if isinstance(layer, SpikingNeurons) and isinstance(nt, neurons.NeuralOscillation):
            alt = neurons.AltNeuralOscillation(
                c=float(c), d=float(d), negative_slope=nt.negative_slope, tau=nt.tau,
                threshold=nt.threshold, input_scaling=nt.input_scaling,
                amplitude=nt.amplitude, dt=nt.dt)
            config.update(neuron_type=neuron_type_config(alt), seed=None)
            return AltNeuralOscillation.from_config(config)
        return type(layer).from_config(config)

    student = tf.keras.models.clone_model(teacher, clone_function=clone)
    student.set_weights(teacher.get_weights())
    return student
