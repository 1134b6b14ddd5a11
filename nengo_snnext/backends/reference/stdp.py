"""Nengo core builder of :class:`nengo_snnext.STDP`: the ``SimSTDP`` operator.

The operator reads the pre and post neurons' outputs of the step and updates
the weights, the weight change ``delta`` (probeable) and the three traces.
Nengo's generic learning-rule build adds ``Copy(delta, weights, inc=True)``,
which would add the whole ``delta`` matrix to the weights every step; the build
removes that copy and the operator changes the weights itself, only where a
spike occurred (the timing is the same: the change of step ``t`` is seen from
step ``t + 1``). It calls :func:`nengo_snnext.equations.stdp.stdp_step`, the
function the NengoDL builder runs with TensorFlow, on the rows and columns that
have a spike in the step (every other synapse has no change: the equation is
element-wise in the synapse given the trace vectors, so the result is the same
as calling it on the whole matrix).
"""

import numpy as np
from nengo.builder import Builder, Operator, Signal
from nengo.builder.operator import Copy
from nengo.builder.learning_rules import get_post_ens, get_pre_ens
from nengo.ensemble import Neurons
from nengo.exceptions import BuildError

from nengo_snnext.equations.stdp import STDPTraces, stdp_step, trace_step
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
        params = self.params
        decays = {
            "pre": params["decay_plus"], "post": params["decay_minus"],
            "post_slow": params["decay_slow"],
        }
        nearest = params["nearest"]

        last = {"rows": np.zeros(0, dtype=int), "cols": np.zeros(0, dtype=int)}

        def step_simstdp():
            pre = (pre_out > 0).astype(weights.dtype)
            post = (post_out > 0).astype(weights.dtype)
            cols = np.flatnonzero(pre)
            rows = np.flatnonzero(post)
            delta[:, last["cols"]] = 0  # the only nonzero entries of the last step
            delta[last["rows"], :] = 0
            if cols.size:
                sub = STDPTraces(pre_tr[cols], post_tr, slow_tr)
                delta[:, cols] = stdp_step(
                    NUMPY_OPS, weights[:, cols], pre[cols], post, sub, **params
                )[0]
            if rows.size:
                sub = STDPTraces(pre_tr, post_tr[rows], slow_tr[rows])
                delta[rows, :] = stdp_step(
                    NUMPY_OPS, weights[rows, :], pre, post[rows], sub, **params
                )[0]
                weights[rows, :] += delta[rows, :]
            if cols.size:
                change = delta[:, cols]
                change[rows, :] = 0  # already applied with the rows
                weights[:, cols] += change
            last["rows"], last["cols"] = rows, cols
            traces = STDPTraces(pre_tr, post_tr, slow_tr)
            spikes = {"pre": pre, "post": post, "post_slow": post}
            for name, trace in zip(STDPTraces._fields, traces):
                trace[...] = trace_step(
                    NUMPY_OPS, trace, spikes[name], decay=decays[name], nearest=nearest
                )

        return step_simstdp


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
