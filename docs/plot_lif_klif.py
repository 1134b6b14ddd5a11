"""Plots for docs/lif_klif.md: tuning curves and membrane/spike traces.

Run from the repository root: ``python docs/plot_lif_klif.py``; writes
``docs/images/lif_klif_tuning.png`` and ``docs/images/lif_klif_trace.png``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

from nengo_snnext import KLIF, DiscreteLIF  # noqa: E402

OUT = Path(__file__).parent / "images"


def plot_tuning():
    J = np.linspace(-0.5, 4, 2000)
    ones, zeros = np.ones(len(J)), np.zeros(len(J))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for nt, label in [
        (DiscreteLIF(), "DiscreteLIF, tau form (eq. 2.2)"),
        (DiscreteLIF(input_scaling="none"), "DiscreteLIF, lambda form (eq. 3.1)"),
    ]:
        axes[0].plot(J, nt.rates(J[None], ones, zeros)[0], label=label)
    for k in [0.5, 1.0, 1.5, 2.0, 3.0]:
        nt = KLIF(k=k)
        axes[1].plot(J, nt.rates(J[None], ones, zeros)[0], label=f"KLIF k={k}")
    nt = KLIF(k=1.5, scale_reset=True)
    axes[1].plot(J, nt.rates(J[None], ones, zeros)[0], "k--", label="KLIF* k=1.5")
    for ax in axes:
        ax.set_xlabel("input current J")
        ax.set_ylabel("rate (Hz), dt = 1 ms, tau = 2 ms")
        ax.legend(fontsize=8)
    axes[0].set_title("exact rates(): a staircase 1/(n dt)")
    axes[1].set_title("KLIF: k scales leak and gain; k >= 2 amplifies")
    fig.tight_layout()
    fig.savefig(OUT / "lif_klif_tuning.png", dpi=100)
    plt.close(fig)


def plot_trace():
    types = [
        ("DiscreteLIF", DiscreteLIF()),
        ("KLIF k=1.5", KLIF(k=1.5)),
        ("KLIF k=3", KLIF(k=3.0)),
        ("KLIF* k=1.5", KLIF(k=1.5, scale_reset=True)),
    ]
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(lambda t: 1.2 + np.sin(2 * np.pi * 4 * t))
        probes = []
        for _, nt in types:
            ens = nengo.Ensemble(
                1, 1, neuron_type=nt.replace(initial_state={"voltage": np.zeros(1)}),
                gain=np.ones(1), bias=np.zeros(1), encoders=np.ones((1, 1)),
            )
            nengo.Connection(stim, ens, synapse=None)
            probes.append((nengo.Probe(ens.neurons, "voltage"), nengo.Probe(ens.neurons)))
        p_in = nengo.Probe(stim)
    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(0.25)
    t = sim.trange()
    fig, axes = plt.subplots(len(types) + 1, 1, figsize=(9, 7), sharex=True)
    axes[0].plot(t, sim.data[p_in], "k")
    axes[0].set_ylabel("J")
    for ax, (label, _), (pv, ps) in zip(axes[1:], types, probes):
        ax.step(t, sim.data[pv][:, 0], where="post", lw=1)
        spikes = t[sim.data[ps][:, 0] > 0]
        ax.vlines(spikes, 1.05, 1.4, color="C3", lw=1)
        ax.axhline(1.0, color="gray", ls=":", lw=1)
        ax.set_ylabel(label, fontsize=8)
        ax.set_ylim(-0.05, 1.45)
    axes[-1].set_xlabel("time (s); dt = 1 ms; red: spikes; dotted: threshold")
    fig.tight_layout()
    fig.savefig(OUT / "lif_klif_trace.png", dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    plot_tuning()
    plot_trace()
