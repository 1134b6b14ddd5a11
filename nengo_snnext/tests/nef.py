"""Shared NEF check for the neuron-type tests: how well an ensemble decodes a signal."""

import nengo
import numpy as np


def decoded_rmse(Simulator, neuron_type, signal, *, dimensions, n_neurons, sim_time, seed, plt):
    """RMSE (per dimension) of an ensemble's decoded output against its input.

    A Nengo user's use: default ``max_rates``/``intercepts``, a decoded
    connection, both signals filtered by the same 20 ms lowpass; the first
    0.1 s is skipped. Runs in ``Simulator`` (the simulator under test); draws
    both signals with ``plt``.
    """
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(signal)
        ens = nengo.Ensemble(n_neurons, dimensions, neuron_type=neuron_type)
        nengo.Connection(stim, ens, synapse=None)
        out = nengo.Node(size_in=dimensions)
        nengo.Connection(ens, out, synapse=None)
        p_out = nengo.Probe(out, synapse=0.02)
        p_in = nengo.Probe(stim, synapse=0.02)
    with Simulator(net, progress_bar=False) as sim:
        sim.run(sim_time)
    t = sim.trange()
    keep = t > 0.1
    rmse = np.sqrt(np.mean((sim.data[p_out][keep] - sim.data[p_in][keep]) ** 2, axis=0))
    plt.plot(t, sim.data[p_in], "k--")
    plt.plot(t, sim.data[p_out])
    plt.title(f"{neuron_type}: RMSE {np.round(rmse, 3)}")
    return rmse
