"""NengoDL builder of :class:`~nengo_snnext.backends.reference.stdp.SimSTDP`.

Runs :func:`nengo_snnext.equations.stdp.stdp_step`, the function the Nengo
operator calls, with ``TF_OPS`` on the whole weight matrix (per minibatch
element), and writes the new weights and ``delta``: the same weights as
``nengo.Simulator`` to floating-point rounding.
Operators are not merged (each connection has its own pre/post sizes and
parameters).
"""

import tensorflow as tf
from nengo_dl.builder import Builder, OpBuilder

from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.reference.stdp import SimSTDP
from nengo_snnext.equations.stdp import STDPTraces, stdp_step


@Builder.register(SimSTDP)
class SimSTDPBuilder(OpBuilder):
    """Build one :class:`SimSTDP` operator (groups hold a single operator)."""

    def build_pre(self, signals, config):
        super().build_pre(signals, config)
        (op,) = self.ops
        self.params = op.params
        self.pre_data = signals.combine([op.pre_out])
        self.post_data = signals.combine([op.post_out])
        self.weights_data = signals.combine([op.weights])
        self.delta_data = signals.combine([op.delta])
        self.trace_data = [signals.combine([trace]) for trace in op.traces]

    def build_step(self, signals):
        pre_out = signals.gather(self.pre_data)
        post_out = signals.gather(self.post_data)
        weights = signals.gather(self.weights_data)
        traces = STDPTraces(*(signals.gather(data) for data in self.trace_data))
        pre = tf.cast(pre_out > 0, weights.dtype)
        post = tf.cast(post_out > 0, weights.dtype)
        delta, new_traces = stdp_step(TF_OPS, weights, pre, post, traces, **self.params)
        signals.scatter(self.delta_data, tf.broadcast_to(delta, self.delta_data.full_shape))
        # the operator updates the weights itself (the build drops Nengo's dense copy)
        new_weights = weights + delta
        signals.scatter(self.weights_data, tf.reshape(new_weights, self.weights_data.full_shape))
        for data, value in zip(self.trace_data, new_traces):
            signals.scatter(data, tf.broadcast_to(value, data.full_shape))

    @staticmethod
    def mergeable(x, y):
        return False
