"""The NengoDL builder of every nengo-snnext neuron type.

A :class:`~nengo_snnext.neurons._base.SpikingNeuronType` declares its step
equation, state, differentiable rate, surrogate support and whether it
normalises over the neurons (see ``docs/extending.md``). This builder calls the
same functions with :data:`~.ops.TF_OPS`, vectorised over the minibatch and all
neurons of the merged operator group, so nothing of the model is written twice
and a new family needs only a registration line.

Parameters reach TensorFlow as constants: a numeric parameter shared by every
neuron of the group stays a Python scalar (exactly the reference arithmetic); one
that differs between the merged ensembles becomes a ``(1, n_neurons)`` constant.
Non-numeric parameters (strings, booleans, functions) select code paths inside
the equation, so the group is split into runs of consecutive operators that share
them; each run calls the equation on its slice of neurons.
"""

import numbers
from typing import Any, Dict, NamedTuple

import numpy as np
import tensorflow as tf
from nengo.exceptions import BuildError
from nengo_dl.neuron_builders import TFNeuronBuilder
from tensorflow.python.framework import smart_cond

from nengo_snnext.backends.dl.ops import TF_OPS, XLA_OPS
from nengo_snnext.backends.dl.surrogate import resolve_surrogate, surrogate_spike
from nengo_snnext.backends.dl.xla import jit_step
from nengo_snnext.equations.lif import heaviside
from nengo_snnext.equations.noise import scale_noise
from nengo_snnext.equations.surrogates import smoothed_rate
from nengo_snnext.training import TrainingMode


class ParamRun(NamedTuple):
    """Neurons ``start:stop`` of a group and the equation parameters they share."""

    start: int
    stop: int
    params: Dict[str, Any]


def _is_numeric(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _same(a, b):
    """Whether two non-numeric parameters select the same code path.

    Identity first (cached tables, functions); then ``==`` where it gives a plain
    bool (strings, booleans, NamedTuples of scalars); anything else (arrays)
    counts as different, which only costs a split of the group.
    """
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def param_runs(param_dicts, sizes, dtype, *, per_operator=False):
    """Split an operator group into runs that share their non-numeric parameters.

    Parameters
    ----------
    param_dicts : list of dict
        Keyword parameters of each operator (same keys for all).
    sizes : list of int
        Number of neurons of each operator.
    dtype : tf.DType
        Dtype of per-neuron parameter constants.
    per_operator : bool
        One run per operator (for equations that reduce over the neuron axis,
        which must not mix ensembles).

    Returns
    -------
    list of ParamRun
        Numeric parameters equal across a run are Python floats; the others are
        ``(1, stop - start)`` constants.
    """
    keys = list(param_dicts[0])
    for params in param_dicts[1:]:
        if list(params) != keys:
            raise BuildError(
                f"merged neuron operators have different equation parameters "
                f"{keys} and {list(params)}"
            )
    static = [k for k in keys if not all(_is_numeric(p[k]) for p in param_dicts)]
    numeric = [k for k in keys if k not in static]

    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    groups = []  # [first_op, last_op + 1]
    for i, params in enumerate(param_dicts):
        if (
            groups
            and not per_operator
            and all(_same(params[k], param_dicts[groups[-1][0]][k]) for k in static)
        ):
            groups[-1][1] = i + 1
        else:
            groups.append([i, i + 1])

    runs = []
    for first, last in groups:
        params = {k: param_dicts[first][k] for k in static}
        for k in numeric:
            values = [float(p[k]) for p in param_dicts[first:last]]
            if all(v == values[0] for v in values):
                params[k] = values[0]
            else:
                per_neuron = np.repeat(values, sizes[first:last])[None, :]
                params[k] = tf.constant(per_neuron, dtype=dtype)
        runs.append(ParamRun(int(bounds[first]), int(bounds[last]), params))
    return runs


def map_runs(fn, runs, J, arrays):
    """Apply ``fn(J_run, arrays_run, params) -> tuple`` per run; concatenate on neurons.

    ``arrays`` is a dict of ``(minibatch, n_neurons)`` tensors (state, noise)
    sliced like ``J``.
    """
    if len(runs) == 1:
        return fn(J, arrays, runs[0].params)
    pieces = [
        fn(
            J[:, run.start : run.stop],
            {name: a[:, run.start : run.stop] for name, a in arrays.items()},
            run.params,
        )
        for run in runs
    ]
    return tuple(tf.concat(parts, axis=1) for parts in zip(*pieces))


def step_counter(signals):
    """The simulation step (int32 scalar tensor), read from Nengo's ``step`` signal.

    Nengo's model keeps the step count in a signal named ``"step"`` (updated by
    its ``TimeUpdate`` operator, which NengoDL builds); stochastic builders key
    their counter-based noise on it.
    """
    for sig in signals.sig_map:
        if sig.name == "step" and sig.shape == () and np.issubdtype(sig.dtype, np.integer):
            step = signals.gather(signals[sig])
            return tf.reshape(tf.cast(step, tf.int32), [])
    raise BuildError(
        "could not find Nengo's 'step' signal in the NengoDL signals; stochastic "
        "nengo-snnext neurons need it to draw their noise (nengo/nengo-dl version "
        "mismatch?)"
    )


def noise_seed(op):
    """A seed for ``op``'s noise, from the ensemble's seeded generator (not consumed).

    Nengo's ``build_neurons`` gives every stochastic type a ``RandomState``
    seeded from the ensemble's seed (``op.state_extra``); a copy of it draws the
    TensorFlow seed, so the noise of an ensemble depends on its seed only.
    """
    rng = next(iter(op.state_extra.values()), None)
    if rng is None:
        raise BuildError(f"{op.neurons}: no seeded generator in the neuron operator")
    copy = np.random.RandomState()
    copy.set_state(rng.get_state())
    return int(copy.randint(2**31 - 1))


def draw_noise(distributions, seeds, sizes, step, shape_like):
    """Counter-based noise: ``(minibatch, n_neurons)`` samples of each op's distribution.

    Sample ``[b, i]`` of op ``k`` at step ``t`` is a function of
    ``(seeds[k], t, b, i)`` only (``tf.random.stateless_*``; element ``b`` of a
    minibatch does not depend on the minibatch size or the other elements), and
    the standard sample is mapped to the distribution by
    :func:`nengo_snnext.equations.noise.scale_noise`, as in the reference.
    """
    minibatch = shape_like.shape[0]
    pieces = []
    for distribution, seed, size in zip(distributions, seeds, sizes):
        draw = STANDARD_NOISE[distribution.kind]
        standard = draw(
            (minibatch, size), seed=tf.stack([tf.constant(seed), step]),
            dtype=shape_like.dtype,
        )
        pieces.append(scale_noise(standard, distribution))
    return pieces[0] if len(pieces) == 1 else tf.concat(pieces, axis=1)


STANDARD_NOISE = {
    "uniform": tf.random.stateless_uniform,  # U[0, 1), like RandomState.random_sample
    "gaussian": tf.random.stateless_normal,  # N(0, 1), like standard_normal
}


# prefixes, in an operator's merged parameter dict, of the rate's keywords and of
# the training mode's values (kind, amplitude, smoothing, threshold)
RATE = "rate:"
TRAIN = "train:"


def smoothing_threshold(neurons, dt):
    """The threshold current around which rate training's ``smoothing`` smooths."""
    try:
        threshold = neurons.threshold_current(dt)
    except NotImplementedError:
        raise BuildError(
            f"{type(neurons).__name__} has no threshold current, so rate training cannot "
            f"smooth around it; configure_training('rate') without smoothing"
        ) from None
    return float(threshold) if np.ndim(threshold) == 0 else np.asarray(threshold)


def straight_through_rate(rate, J, smoothing, threshold):
    """``rate(J)`` in the forward pass, the derivative of the rate with its threshold
    smoothed (:func:`~nengo_snnext.equations.surrogates.smoothed_rate`) in the
    backward pass; ``rate(J)`` itself when ``smoothing`` is None."""
    exact = rate(J)
    if smoothing is None:
        return exact
    soft = smoothed_rate(TF_OPS, rate, J, threshold, smoothing)
    # the exact rate's own gradient is never built (its untaken branches may be NaN)
    return soft + tf.stop_gradient(exact - soft)


class EquationBuilder(TFNeuronBuilder):
    """NengoDL builder running a ``SpikingNeuronType``'s equations with ``TF_OPS``.

    Each operator's training mode comes from the network config, recorded on the
    operator when Nengo built it (:mod:`nengo_snnext.training`). The merged group
    is split into runs of operators that share their non-numeric parameters,
    mode included; per run:

    - inference, or ``"surrogate"`` mode: the exact spiking step (the same
      equation as ``nengo.Simulator``); in surrogate mode its ``spike`` function
      has the surrogate gradient, so ``sim.fit`` differentiates the unrolled
      spiking simulation (BPTT);
    - training in ``"rate"`` mode: the type's differentiable
      ``training_equation`` with the state held (NengoDL's scheme for its own
      spiking types); with the mode's ``smoothing``, differentiated with its
      threshold smoothed (:func:`straight_through_rate`); XLA-compiled where the
      type declares ``jit_training_rate``.

    Stochastic types (``sample_argument`` and ``noise_distribution()``) get a fresh
    sample every step from :func:`draw_noise`.
    """

    def __init__(self, ops):
        super().__init__(ops)
        neuron_class = type(ops[0].neurons)
        self.neuron_class = neuron_class
        self.equation = neuron_class.equation
        self.state_class = neuron_class.state_class
        self.rate = ops[0].neurons.training_equation
        self.sample_argument = getattr(neuron_class, "sample_argument", None)
        if tuple(self.state_class._fields) != tuple(ops[0].neurons.state):
            raise BuildError(
                f"{neuron_class.__name__}: state_class fields "
                f"{self.state_class._fields} must be the state names "
                f"{tuple(ops[0].neurons.state)} in the same order"
            )
        # read at construction, so fit/predict keep the modes of the build
        self.modes = [getattr(op, "training_mode", TrainingMode()) for op in ops]
        self.surrogates = [
            resolve_surrogate(neuron_class, mode) if mode.kind == "surrogate" else None
            for mode in self.modes
        ]

    def op_params(self, op, mode, surrogate, dt):
        """One operator's step and rate keywords, its amplitude and its mode."""
        neurons = op.neurons
        params = dict(neurons.equation_params(dt))
        if neurons.surrogate is not None:  # the equation takes a spike function
            params["spike"] = heaviside if surrogate is None else surrogate_spike(*surrogate)
        rate_params = neurons.training_rate_params(dt, n_neurons=op.J.shape[0])
        params.update({RATE + name: value for name, value in rate_params.items()})
        params[TRAIN + "kind"] = mode.kind
        params[TRAIN + "amplitude"] = neurons.amplitude
        params[TRAIN + "smoothing"] = mode.smoothing
        params[TRAIN + "threshold"] = (
            None if mode.smoothing is None else smoothing_threshold(neurons, dt)
        )
        return params

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.dt_value = signals.dt_val
        sizes = [op.J.shape[0] for op in self.ops]
        self.runs = param_runs(
            [
                self.op_params(op, mode, surrogate, self.dt_value)
                for op, mode, surrogate in zip(self.ops, self.modes, self.surrogates)
            ],
            sizes,
            signals.dtype,
            per_operator=self.neuron_class.normalises_over_neurons,
        )
        if self.sample_argument is not None:
            self.noise_distributions = [op.neurons.noise_distribution() for op in self.ops]
            self.noise_seeds = [noise_seed(op) for op in self.ops]
            self.noise_sizes = sizes
            self.step_signals = signals

    def spiking_step(self, J, state, extra, step_params, scale):
        """The type's step equation; XLA-compiled where the type declares ``jit_step``.

        A long element-wise equation (MIF/MIF2: event stages of a few dozen ops
        each) runs as a handful of fused XLA kernels on the calling thread
        (:func:`~.xla.jit_step`; non-finite currents give NaN spikes
        and hold the state) instead of one TensorFlow op at a time. Only the
        spiking step is compiled: it is never differentiated (rate training
        differentiates the rate; surrogate types do not declare ``jit_step``).
        Returns the spike counts times ``scale`` (``amplitude / dt``, in the
        compiled step) and the new state.
        """

        def step(J, state, extra):
            spikes, new_state = self.equation(
                TF_OPS, self.dt_value, J, state, **extra, **step_params
            )
            return spikes * scale, new_state

        if self.neuron_class.jit_step:
            step = jit_step(step)
        return step(J, self.state_class(*state), extra)

    def run(self, J, arrays, params):
        """Spikes and new state of one run: spiking step or, training in rate mode, the rate."""
        step_params = {k: v for k, v in params.items() if not k.startswith((RATE, TRAIN))}
        rate_params = {k[len(RATE):]: v for k, v in params.items() if k.startswith(RATE)}
        kind, amplitude, smoothing, threshold = (
            params[TRAIN + k] for k in ("kind", "amplitude", "smoothing", "threshold")
        )
        state = [arrays[name] for name in self.state_class._fields]
        extra = {}
        if self.sample_argument is not None:
            extra[self.sample_argument] = arrays[self.sample_argument]
        spikes, new_state = self.spiking_step(
            J, state, extra, step_params, scale=amplitude / self.dt_value
        )
        outputs = (spikes, *new_state)
        if kind == "surrogate" or self.config.inference_only:
            return outputs

        jit = self.neuron_class.jit_training_rate
        ops = XLA_OPS if jit else TF_OPS  # XLA_OPS: a searchsorted that XLA compiles well

        def curve(current):
            return self.rate(ops, current, dt=self.dt_value, **rate_params)

        def training_rate(J):
            return straight_through_rate(curve, J, smoothing, threshold)

        if jit:
            training_rate = tf.function(training_rate, jit_compile=True)

        def rate():
            return (training_rate(J) * amplitude, *state)

        return tuple(
            smart_cond.smart_cond(
                self.config.training,
                true_fn=rate,
                # stop_gradient keeps NaNs of the untaken branch out of the gradient
                false_fn=lambda: tuple(tf.stop_gradient(x) for x in outputs),
            )
        )

    def build_step(self, signals, **step_kwargs):
        J = signals.gather(self.J_data)
        arrays = {name: signals.gather(data) for name, data in self.state_data.items()}
        if self.sample_argument is not None:
            arrays[self.sample_argument] = draw_noise(
                self.noise_distributions, self.noise_seeds, self.noise_sizes,
                step_counter(self.step_signals), J,
            )
        output, *new_state = map_runs(self.run, self.runs, J, arrays)
        signals.scatter(self.output_data, output)
        for data, value in zip(self.state_data.values(), new_state):
            signals.scatter(data, value)
