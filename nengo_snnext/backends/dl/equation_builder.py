"""Generic NengoDL builder for neuron types that run a pure equation.

An :class:`~nengo_snnext.neurons._adapter.EquationNeuronType` names its step
equation (``equation``), its state NamedTuple (``state_class``) and the keyword
parameters of the equation for a given ``dt`` (``equation_params(dt)``). This
builder calls the same equation with :data:`~.ops.TF_OPS`, vectorised over the
minibatch and all neurons of the merged operator group, so nothing of the model
is written twice. A family module only adds the differentiable rate used for
rate training (see :class:`EquationBuilder`).

Parameters reach TensorFlow as constants: a numeric parameter shared by every
neuron of the group stays a Python scalar (exactly the reference arithmetic); one
that differs between the merged ensembles becomes a ``(1, n_neurons)`` constant.
Non-numeric parameters (strings, booleans, functions) select code paths inside
the equation, so the group is split into runs of consecutive operators that share
them; each run calls the equation on its slice of neurons.
"""

import inspect
import numbers
from typing import Any, Dict, NamedTuple

import numpy as np
import tensorflow as tf
from nengo.exceptions import BuildError
from nengo_dl.neuron_builders import TFNeuronBuilder

from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.training import surrogate_spike, training_mode
from nengo_snnext.equations.noise import scale_noise
from nengo_snnext.equations.surrogates import get_surrogate


class ParamRun(NamedTuple):
    """Neurons ``start:stop`` of a group and the equation parameters they share."""

    start: int
    stop: int
    params: Dict[str, Any]


def _accepts_keyword(fn, name):
    parameters = inspect.signature(fn).parameters.values()
    return any(
        p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters
    )


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


def draw_noise(specs, seeds, sizes, step, shape_like):
    """Counter-based noise: ``(minibatch, n_neurons)`` samples of each op's distribution.

    Sample ``[b, i]`` of op ``k`` at step ``t`` is a function of
    ``(seeds[k], t, b, i)`` only (``tf.random.stateless_*``; element ``b`` of a
    minibatch does not depend on the minibatch size or the other elements), and
    the standard sample is mapped to the distribution by
    :func:`nengo_snnext.equations.noise.scale_noise`, as in the reference.
    """
    minibatch = shape_like.shape[0]
    pieces = []
    for spec, seed, size in zip(specs, seeds, sizes):
        draw = STANDARD_NOISE[spec.kind]
        standard = draw(
            (minibatch, size), seed=tf.stack([tf.constant(seed), step]),
            dtype=shape_like.dtype,
        )
        pieces.append(scale_noise(standard, spec))
    return pieces[0] if len(pieces) == 1 else tf.concat(pieces, axis=1)


STANDARD_NOISE = {
    "uniform": tf.random.stateless_uniform,  # U[0, 1), like RandomState.random_sample
    "gaussian": tf.random.stateless_normal,  # N(0, 1), like standard_normal
}


class EquationBuilder(TFNeuronBuilder):
    """NengoDL builder running an ``EquationNeuronType``'s equation with ``TF_OPS``.

    ``step`` is the exact spiking step (the same equation as ``nengo.Simulator``);
    ``training_step`` is the family's differentiable rate. In surrogate mode
    (:mod:`.training`) ``spiking`` is False and the step gets a surrogate spike
    function, so NengoDL differentiates the unrolled spiking simulation.

    A family subclass provides:

    ``rate(xp, J, *, dt, **rate_params)`` (staticmethod)
        Differentiable steady-state rate in Hz, without ``amplitude``.
    ``rate_params(neuron_type, dt)`` (staticmethod)
        Keyword parameters of ``rate`` for one neuron type instance.
    ``thesis_alpha`` (float or None)
        ``alpha`` of the arctan surrogate when the mode does not give one.
    ``per_ensemble`` (bool)
        True if the equation reduces over the neuron axis (normalisations per
        ensemble): the equation is then called once per operator.
    ``rate_params_for_op(op, dt)`` (method)
        Override instead of ``rate_params`` when the rate depends on the operator
        (e.g. on the ensemble size).

    Stochastic types (with ``noise_spec()`` and ``noise_argument``, see
    :class:`~nengo_snnext.neurons._stochastic.StochasticEquationNeuronType`) get a
    fresh sample of their noise distribution every step from
    :func:`draw_noise`, passed to the equation as ``noise_argument``.
    """

    spiking = True
    thesis_alpha = None
    per_ensemble = False

    rate = None
    rate_params = None

    def __init__(self, ops):
        super().__init__(ops)
        neuron_type = ops[0].neurons
        neuron_class = type(neuron_type)
        if self.rate is None or self.rate_params is None:
            raise BuildError(
                f"{type(self).__name__} must define `rate` and `rate_params` (the "
                "differentiable rate used by rate training)"
            )
        self.noise_argument = getattr(neuron_class, "noise_argument", None)
        self.equation = neuron_class.equation
        self.state_class = neuron_class.state_class
        if tuple(self.state_class._fields) != tuple(neuron_type.state):
            raise BuildError(
                f"{neuron_class.__name__}: state_class fields "
                f"{self.state_class._fields} must be the state names "
                f"{tuple(neuron_type.state)} in the same order"
            )
        # read once per simulator, so fit/predict keep the mode of construction
        self.training_mode = training_mode(neuron_class)
        self.spiking = self.training_mode.kind == "rate"
        if not self.spiking:
            if not _accepts_keyword(self.equation, "spike"):
                raise BuildError(
                    f"{neuron_class.__name__}: its equation "
                    f"{self.equation.__name__} takes no `spike=` function, so "
                    "surrogate training is not available; use rate training "
                    "(nengo_snnext.backends.dl.set_training('rate', "
                    f"neuron_type={neuron_class.__name__}))"
                )
            surrogate = get_surrogate(self.training_mode.surrogate)
            alpha = self.training_mode.alpha
            if alpha is None:
                alpha = (
                    self.thesis_alpha
                    if surrogate.name == "arctan" and self.thesis_alpha is not None
                    else surrogate.default_alpha
                )
            self.surrogate_alpha = alpha
            self.spike = surrogate_spike(surrogate.name, alpha)

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        self.dt_value = signals.dt_val
        sizes = [op.J.shape[0] for op in self.ops]
        neuron_types = [op.neurons for op in self.ops]
        self.step_runs = param_runs(
            [n.equation_params(self.dt_value) for n in neuron_types],
            sizes,
            signals.dtype,
            per_operator=self.per_ensemble,
        )
        if not self.spiking:
            for run in self.step_runs:
                run.params["spike"] = self.spike
        self.rate_runs = param_runs(
            [self.rate_params_for_op(op, self.dt_value) for op in self.ops],
            sizes,
            signals.dtype,
            per_operator=self.per_ensemble,
        )
        if self.noise_argument is not None:
            self.noise_specs = [n.noise_spec() for n in neuron_types]
            self.noise_seeds = [noise_seed(op) for op in self.ops]
            self.noise_sizes = sizes
            self.step_signals = signals

    def rate_params_for_op(self, op, dt):
        """Keyword parameters of ``rate`` for one operator (default: ``rate_params``)."""
        return self.rate_params(op.neurons, dt)

    def step(self, J, dt, **state):
        arrays = dict(state)
        if self.noise_argument is not None:
            arrays[self.noise_argument] = draw_noise(
                self.noise_specs, self.noise_seeds, self.noise_sizes,
                step_counter(self.step_signals), J,
            )

        def run_equation(J, arrays, params):
            extra = {}
            if self.noise_argument is not None:
                extra[self.noise_argument] = arrays[self.noise_argument]
            current = self.state_class(**{name: arrays[name] for name in state})
            spikes, new_state = self.equation(
                TF_OPS, self.dt_value, J, current, **extra, **params
            )
            return (spikes,) + tuple(new_state)

        spikes, *new_state = map_runs(run_equation, self.step_runs, J, arrays)
        return (spikes * self.alpha, *new_state)

    def training_step(self, J, dt, **state):
        def run_rate(J, state, params):
            return (self.rate(TF_OPS, J, dt=self.dt_value, **params),)

        (rates,) = map_runs(run_rate, self.rate_runs, J, {})
        return rates if self.amplitude is None else rates * self.amplitude
