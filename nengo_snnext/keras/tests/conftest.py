"""Shared helpers of the Keras layer tests: the nengo.Simulator reference."""

import nengo
import numpy as np


def zero_state(neuron_type, **values):
    """``neuron_type`` starting from 0 in every state variable (or ``values``)."""
    initial = {name: nengo.dists.Choice([float(values.get(name, 0.0))])
               for name in neuron_type.state}
    return neuron_type.replace(initial_state=initial)


def nengo_spikes(neuron_type, J, dt=0.001, seed=0):
    """Spikes of ``nengo.Simulator`` for currents ``J`` of shape ``(batch, steps, ...)``.

    Every element of a sample is one neuron of one ensemble (gain 1, bias 0,
    Node -> ens.neurons with no synapse); the samples run side by side.
    """
    batch, steps = J.shape[:2]
    flat = J.reshape(batch, steps, -1).transpose(1, 0, 2).reshape(steps, -1)
    n = flat.shape[1]
    with nengo.Network(seed=seed) as net:
        node = nengo.Node(nengo.processes.PresentInput(flat, presentation_time=dt))
        ens = nengo.Ensemble(n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=np.zeros(n))
        nengo.Connection(node, ens.neurons, synapse=None)
        probe = nengo.Probe(ens.neurons)
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run_steps(steps)
    out = sim.data[probe].reshape(steps, batch, -1).transpose(1, 0, 2)
    return out.reshape(J.shape)
