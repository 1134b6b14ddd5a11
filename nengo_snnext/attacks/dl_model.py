"""Attack a network running in ``nengo_dl.Simulator`` (e.g. a converted Keras model).

:class:`NengoDLModel` makes a simulator look like a Keras model to the attacks:
``model(x, training=False)`` presents each static input ``x`` (e.g. an image)
for ``n_steps`` steps to the input node, runs NengoDL's TensorFlow graph of
the whole simulation and returns the output probe's value as logits (the last
step, or the mean over the steps). The gradient flows through NengoDL's
unrolled simulation: for spiking ensembles that is surrogate BPTT when the
network is configured with
``nengo_snnext.configure_training("surrogate")`` (the spiking step then has
the surrogate's derivative at inference too); in ``"rate"`` mode the spikes
pass no gradient. Build the simulator with ``inference_only=False``.

A converted :class:`~nengo_snnext.keras.TimeMean` is a Python node (NengoDL
runs it outside TensorFlow, without gradients): probe the per-step logits
before it and use ``readout="mean"``, which is the same mean over time.
"""

import numpy as np
import tensorflow as tf

READOUTS = ("last", "mean")


class NengoDLModel:
    """A ``nengo_dl.Simulator`` as a differentiable ``x -> logits`` callable.

    Parameters
    ----------
    sim : nengo_dl.Simulator
        The simulator (not ``inference_only``); its ``minibatch_size`` is the
        batch of every call (smaller batches are padded).
    input_node : nengo.Node
        The input node; each input is flattened onto it.
    output_probe : nengo.Probe
        The probe whose value is the logits.
    n_steps : int
        Steps each input is presented for.
    readout : {"last", "mean"}
        Logits from the probe's last step (e.g. a converted ``TimeMean``,
        a running mean) or its mean over the steps.
    """

    def __init__(self, sim, input_node, output_probe, n_steps, readout="last"):
        if sim.tensor_graph.inference_only:
            raise ValueError("the simulator was built with inference_only=True, which has "
                             "no gradients: build it with inference_only=False")
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {READOUTS}, got {readout!r}")
        if int(n_steps) < 1:
            raise ValueError(f"n_steps must be at least 1, got {n_steps}")
        self.sim = sim
        self.n_steps = int(n_steps)
        self.readout = readout
        self.node_names = [x.name.split(":")[0] for x in sim.keras_model.inputs[:-1]]
        input_name = sim.get_name(input_node)
        if input_name not in self.node_names:
            raise ValueError(f"{input_node} is not an input node of the simulator "
                             f"(inputs: {self.node_names})")
        self.input_index = self.node_names.index(input_name)
        self.input_size = input_node.size_out
        # the other input nodes (e.g. a converted layer's bias node) get the values
        # NengoDL itself feeds them (sim.predict's private input generator)
        zeros = np.zeros((sim.minibatch_size, self.n_steps, self.input_size))
        values = sim._generate_inputs({input_node: zeros}, n_steps=self.n_steps)
        self.node_values = [
            tf.constant(values[name], dtype=tensor.dtype)
            for name, tensor in zip(self.node_names, sim.keras_model.inputs[:-1])
        ]
        self.probe_index = sim.model.probes.index(output_probe)
        sim.reset(include_probes=False, include_trainable=False, include_processes=False)

    def run_graph(self, x):
        """Probe output ``(minibatch, n_steps, d)`` for one padded minibatch ``x``."""
        sim, batch = self.sim, self.sim.minibatch_size
        flat = tf.reshape(tf.cast(x, sim.tensor_graph.dtype), (batch, 1, self.input_size))
        args = []
        for i, value in enumerate(self.node_values):
            args.append(tf.tile(flat, (1, self.n_steps, 1)) if i == self.input_index else value)
        args.append(tf.fill((batch, 1), self.n_steps))
        outputs = sim.keras_model(args, training=False)
        if sim.stateful:  # every call starts from the initial state
            graph = sim.tensor_graph
            for key, var in graph.saved_state.items():
                var.assign(graph.initial_values[key](var.shape, dtype=var.dtype))
        return outputs[self.probe_index]

    def __call__(self, x, training=False):
        if training:
            raise ValueError("NengoDLModel is for inference (training=False)")
        x = tf.convert_to_tensor(x)
        batch = self.sim.minibatch_size
        n = tf.shape(x)[0]
        pad = (-n) % batch
        padded = tf.concat([x, tf.zeros(tf.concat([[pad], tf.shape(x)[1:]], 0), x.dtype)], 0)
        chunks = tf.reshape(padded, tf.concat([[-1, batch], tf.shape(x)[1:]], 0))

        def minibatch(chunk):
            probe = self.run_graph(chunk)
            return probe[:, -1] if self.readout == "last" else tf.reduce_mean(probe, axis=1)

        # one NengoDL run per minibatch (map_fn: the batch may be unknown when traced)
        logits = tf.map_fn(minibatch, chunks, fn_output_signature=self.sim.tensor_graph.dtype)
        return tf.reshape(logits, tf.concat([[-1], tf.shape(logits)[2:]], 0))[:n]
