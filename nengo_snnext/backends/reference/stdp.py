"""Nengo core builder of :class:`nengo_snnext.STDP`: the ``SimSTDP`` operator.

The operator reads the pre and post neurons' outputs of the step and updates
the weights, the weight change ``delta`` (probeable) and the three traces.
Nengo's generic learning-rule build adds ``Copy(delta, weights, inc=True)``,
which would add the whole ``delta`` matrix to the weights every step; the build
removes that copy and the operator changes the weights itself, only where a
spike occurred (the timing is the same: the change of step ``t`` is seen from
step ``t + 1``).

Per step the operator decays the traces in place (``trace *= decay``, then the
spiking entries set to 1 or incremented: the values of
:func:`nengo_snnext.equations.stdp.trace_step`) and calls
:func:`nengo_snnext.equations.stdp.stdp_delta`, the weight change of
:func:`~nengo_snnext.equations.stdp.stdp_step` (which the NengoDL builder runs
with TensorFlow on the whole matrix), on the columns and rows that have a spike
in the step. Every other synapse has no change (the equation is element-wise in
the synapse given the trace vectors), so the result is that of the whole-matrix
step; ``tests/test_stdp.py`` checks the two equal, bit for bit.
"""

import numpy as np
from nengo.builder import Builder, Model, Operator, Signal
from nengo.builder.operator import Copy, DotInc
from nengo.builder.learning_rules import get_post_ens, get_pre_ens
from nengo.ensemble import Neurons
from nengo.exceptions import BuildError

from nengo_snnext.equations.stdp import STDPTraces, stdp_delta
from nengo_snnext.learning_rules import STDP
from nengo_snnext.ops import NUMPY_OPS


class SimSTDP(Operator):
    """Calculate the weight change and the traces of trace-based STDP.

    Notes
    -----
    1. sets ``[]``
    2. incs ``[]``
    3. reads ``[pre_out, post_out]``
    4. updates ``[weights, delta, pre_trace, post_trace, post_slow_trace]``
    """

    def __init__(self, pre_out, post_out, weights, delta, traces, *, params, tag=None):
        super().__init__(tag=tag)
        self.params = params
        self.sets = []
        self.incs = []
        self.reads = [pre_out, post_out]
        self.updates = [weights, delta, *traces]

    @property
    def pre_out(self):
        return self.reads[0]

    @property
    def post_out(self):
        return self.reads[1]

    @property
    def weights(self):
        return self.updates[0]

    @property
    def delta(self):
        return self.updates[1]

    @property
    def traces(self):
        return self.updates[2:]

    def _descstr(self):
        return f"pre={self.pre_out}, post={self.post_out} -> {self.delta}"

    def make_step(self, signals, dt, rng):
        pre_out = signals[self.pre_out]
        post_out = signals[self.post_out]
        weights = signals[self.weights]
        delta = signals[self.delta]
        pre_tr, post_tr, slow_tr = (signals[t] for t in self.traces)
        rule = dict(self.params)
        decay_pre = rule.pop("decay_plus")
        decay_post = rule.pop("decay_minus")
        decay_slow = rule.pop("decay_slow")
        nearest = rule.pop("nearest")
        n_post, n_pre = weights.shape
        # 0/1 spike vectors of the whole layers (zero between steps) and runs of ones
        pre_spiked = np.zeros(n_pre, dtype=weights.dtype)
        post_spiked = np.zeros(n_post, dtype=weights.dtype)
        ones = np.ones(max(n_pre, n_post), dtype=weights.dtype)
        last = {"rows": np.zeros(0, dtype=int), "cols": np.zeros(0, dtype=int)}

        def add_spikes(trace, spiked):
            if nearest:
                trace[spiked] = 1.0
            else:
                trace[spiked] += 1.0

        def step_simstdp():
            cols = np.flatnonzero(pre_out > 0)
            rows = np.flatnonzero(post_out > 0)
            if last["cols"].size:  # the only nonzero entries of the last step
                delta[:, last["cols"]] = 0
            if last["rows"].size:
                delta[last["rows"], :] = 0
            np.multiply(pre_tr, decay_pre, out=pre_tr)  # pre: this step's spikes included
            add_spikes(pre_tr, cols)
            # post and slow: read before this step's spikes
            np.multiply(post_tr, decay_post, out=post_tr)
            np.multiply(slow_tr, decay_slow, out=slow_tr)
            if cols.size:
                w_cols = weights[:, cols]  # a copy: the weights before this step's change
                post_spiked[rows] = 1.0
                d_cols = delta[:, cols] = stdp_delta(
                    NUMPY_OPS, w_cols, ones[: cols.size], post_spiked,
                    pre_tr[cols], post_tr, slow_tr, **rule,
                )
                post_spiked[rows] = 0.0
            if rows.size:
                pre_spiked[cols] = 1.0
                delta[rows, :] = stdp_delta(
                    NUMPY_OPS, weights[rows, :], pre_spiked, ones[: rows.size],
                    pre_tr, post_tr[rows], slow_tr[rows], **rule,
                )
                pre_spiked[cols] = 0.0
                weights[rows, :] += delta[rows, :]
            if cols.size:
                # where rows and columns cross, both give the same new weight
                weights[:, cols] = w_cols + d_cols
            if rows.size:
                add_spikes(post_tr, rows)
                add_spikes(slow_tr, rows)
            last["rows"], last["cols"] = rows, cols

        return step_simstdp


class SpikeDotInc(DotInc):
    """``Y += A X`` summed over the nonzero entries of ``X`` only (event-driven synapses).

    The same increment as :class:`nengo.builder.operator.DotInc` (the zero
    entries add nothing), from ``A[:, nz] @ X[nz]``: for spiking inputs, where
    a few of hundreds of presynaptic neurons spike per step, that reads a few
    columns of the weights instead of all of them (Brian2's ``on_pre``). The
    sum runs over fewer terms in another order, so it can differ from the dense
    product in the last bits (about 1e-16 relative).
    """

    def make_step(self, signals, dt, rng):
        A = signals[self.A]
        X = signals[self.X]
        Y = signals[self.Y]

        def step_spikedotinc():
            nz = np.flatnonzero(X)
            if nz.size:
                Y[...] += A[:, nz].dot(X[nz])

        return step_spikedotinc


def event_driven_weights(model, weights, pre_out):
    """Replace the connection's dense ``DotInc(weights, pre_out)`` by a :class:`SpikeDotInc`.

    Only in Nengo core's own model (NengoDL builds with a ``Model`` subclass and
    keeps the dense product, which its builders know).
    """
    if type(model) is not Model:
        return
    for i, op in enumerate(model.operators):
        if (type(op) is DotInc and op.A is weights and op.X is pre_out and not op.reshape
                and op.A.ndim == 2 and op.X.ndim == 1):
            model.operators[i] = SpikeDotInc(op.A, op.X, op.Y, tag=op.tag)


def check_stdp_connection(conn, weights, stdp):
    """Raise a BuildError unless ``conn`` joins neurons with in-bound weights."""
    if not isinstance(conn.post_obj, Neurons) and not getattr(conn.solver, "weights", False):
        raise BuildError(
            f"{conn}: STDP needs a neuron-to-neuron weight matrix; connect "
            "pre.neurons to post.neurons (or use a solver with weights=True)"
        )
    initial = np.asarray(weights.initial_value)
    if initial.ndim != 2:
        raise BuildError(
            f"{conn}: STDP needs a full (n_post, n_pre) transform, got shape {initial.shape}; "
            "pass transform=W as a matrix"
        )
    if np.any(initial < stdp.w_min) or np.any(initial > stdp.w_max):
        raise BuildError(
            f"{conn}: initial weights span [{initial.min():g}, {initial.max():g}], outside "
            f"the STDP bounds [{stdp.w_min:g}, {stdp.w_max:g}]; clip the transform or "
            "change w_min/w_max"
        )


@Builder.register(STDP)
def build_stdp(model, stdp, rule):
    """Build :class:`nengo_snnext.STDP`: traces as signals and a :class:`SimSTDP`."""
    conn = rule.connection
    weights = model.sig[conn]["weights"]
    check_stdp_connection(conn, weights, stdp)
    delta = model.sig[rule]["delta"]
    # SimSTDP changes the weights itself (sparsely): drop the generic dense copy
    model.operators[:] = [
        op for op in model.operators
        if not (isinstance(op, Copy) and op.src is delta and op.dst is weights)
    ]
    pre_out = model.sig[get_pre_ens(conn).neurons]["out"]
    post_out = model.sig[get_post_ens(conn).neurons]["out"]
    event_driven_weights(model, weights, pre_out)
    n_post, n_pre = weights.shape
    traces = [
        Signal(shape=(n,), name=f"STDP.{name}")
        for name, n in zip(STDPTraces._fields, (n_pre, n_post, n_post))
    ]
    model.add_op(
        SimSTDP(
            pre_out, post_out, weights, delta, traces,
            params=stdp.step_params(model.dt),
        )
    )
    for name, signal in zip(STDPTraces._fields, traces):
        model.sig[rule][f"{name}_trace"] = signal
