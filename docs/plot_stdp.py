"""Plots for docs/stdp.md: the measured STDP window, and a ConductanceLIF under input.

Run from the repository root: ``python docs/plot_stdp.py``; writes
``docs/images/stdp_window.png`` and ``docs/images/conductance_lif.png``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

from nengo_snnext import STDP, ConductanceLIF  # noqa: E402

OUT = Path(__file__).parent / "images"
DT = 0.001


def plot_window():
    delays = np.arange(-80, 81, 4)
    kw = dict(form="pair", a_plus=0.01, a_minus=0.006, w_min=-1.0)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for published, style in ((False, "o"), (True, "x")):
        rule = STDP(published_sign=published, **kw)
        dw = measured_window_any(rule, delays)
        ax.plot(delays, dw, style, label="published_sign=True (no depression)" if published
                else "nengo.Simulator")
    d = np.linspace(-80, 80, 400)
    ax.plot(d, np.where(d >= 0, 0.01 * np.exp(-d / 20), -0.006 * np.exp(d / 20)), "k-", lw=0.8,
            label="eq. 6.8")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("t_post - t_pre (ms)")
    ax.set_ylabel("weight change")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "stdp_window.png", dpi=100)


def measured_window_any(rule, delays):
    """Both signs: pre fixed at 100 ms, post at 100 + d (d may be negative, >= -100)."""
    n = len(delays)
    n_steps = 100 + max(delays) + 5
    pre = np.zeros((n_steps, 1))
    pre[100] = 1 / DT
    post = np.zeros((n_steps, n))
    post[100 + delays, np.arange(n)] = 1 / DT
    with nengo.Network() as net:
        relu = nengo.RectifiedLinear()
        a = nengo.Ensemble(1, 1, neuron_type=relu, gain=[1], bias=[0])
        b = nengo.Ensemble(n, 1, neuron_type=relu, gain=np.ones(n), bias=np.full(n, -0.9 / DT))
        nengo.Connection(nengo.Node(lambda t: pre[min(int(round(t / DT)) - 1, n_steps - 1)]),
                         a.neurons, synapse=None)
        nengo.Connection(nengo.Node(lambda t: post[min(int(round(t / DT)) - 1, n_steps - 1)]),
                         b.neurons, synapse=None)
        conn = nengo.Connection(a.neurons, b.neurons, transform=np.zeros((n, 1)), synapse=None,
                                learning_rule_type=rule)
        probe = nengo.Probe(conn, "weights")
    with nengo.Simulator(net, dt=DT, progress_bar=False) as sim:
        sim.run_steps(n_steps + 2)
    return sim.data[probe][-1, :, 0]


def plot_neuron():
    dt = 0.0005
    nt = ConductanceLIF.from_parameter_set("diehl_cook_excitatory", method="exponential",
                                           tau_theta=0.2, theta_plus=1e-3)
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(lambda t: 2000.0 if 0.05 < t < 0.35 else 0.0)
        ens = nengo.Ensemble(1, 1, neuron_type=nt, gain=[1], bias=[0])
        nengo.Connection(stim, ens.neurons, synapse=None)
        probes = {k: nengo.Probe(ens.neurons, k) for k in ("voltage", "adaptation",
                                                             "conductance_exc")}
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run(0.5)
    t = sim.trange() * 1000
    fig, axes = plt.subplots(2, 1, figsize=(6, 4), sharex=True)
    axes[0].plot(t, sim.data[probes["voltage"]][:, 0] * 1000, label="v")
    threshold = (nt.v_threshold - nt.threshold_offset + sim.data[probes["adaptation"]][:, 0])
    axes[0].plot(t, threshold * 1000, label="threshold + theta")
    axes[0].set_ylabel("mV")
    axes[0].legend(fontsize=8)
    axes[1].plot(t, sim.data[probes["conductance_exc"]][:, 0], label="g_e")
    axes[1].set_ylabel("g_e")
    axes[1].set_xlabel("time (ms)")
    fig.suptitle("ConductanceLIF (Diehl & Cook set, theta_plus 1 mV, tau_theta 0.2 s)",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(OUT / "conductance_lif.png", dpi=100)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    plot_window()
    plot_neuron()
