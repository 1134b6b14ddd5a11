"""Plots for docs/oscillation_noise.md: rate curves and spike rasters.

Run from the repository root: ``python docs/plot_oscillation_noise.py``; writes
``docs/images/oscillation_rates.png``, ``oscillation_rasters.png``,
``noisy_lif_rates.png`` and ``noisy_lif_rasters.png``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

from nengo_snnext import AltNeuralOscillation, NeuralOscillation, NoisyLIF  # noqa: E402
from nengo_snnext.equations.oscillation import oscillation_spike_probability  # noqa: E402
from nengo_snnext.ops import NUMPY_OPS  # noqa: E402

OUT = Path(__file__).parent / "images"
DT = 0.001


def simulate(neuron_type, J, n_steps, seed=0):
    """Spikes (bool, steps x neurons) of one ensemble, neuron i driven by J[i]."""
    n = len(J)
    with nengo.Network(seed=seed) as net:
        ens = nengo.Ensemble(n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=J,
                             encoders=np.ones((n, 1)))
        probe = nengo.Probe(ens.neurons)
    with nengo.Simulator(net, dt=DT, progress_bar=False, seed=seed) as sim:
        sim.run_steps(n_steps)
    return sim.data[probe] > 0


def rates_of(neuron_type, J):
    return neuron_type.rates(J[None], np.ones(J.size), np.zeros(J.size))[0]


def plot_oscillation_rates():
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    J = np.linspace(-0.6, 1.6, 600)
    Js = np.linspace(-0.6, 1.6, 23)
    for noise, colour in [("uniform", "C0"), ("gaussian", "C1")]:
        nt = NeuralOscillation(noise=noise)
        axes[0].plot(J, rates_of(nt, J), colour, label=f"rates(), {nt.noise}")
        spikes = simulate(nt, np.repeat(Js, 20), 1000)
        axes[0].plot(Js, spikes[20:].mean(axis=0).reshape(-1, 20).mean(axis=1) / DT,
                     colour + ".", label="nengo.Simulator")
    single = oscillation_spike_probability(NUMPY_OPS, J, distribution=NeuralOscillation().noise_distribution(),
                                           threshold=1.0, negative_slope=-0.03)
    axes[0].plot(J, single / DT, "k--", lw=1, label="one step from V=0: clip(J-0.2, 0, 1)")
    axes[0].set_title("NeuralOscillation: stationary rate (noise carried in V)", fontsize=9)
    Jn = np.linspace(-36, -31, 400)
    for noise, colour in [("uniform", "C0"), ("gaussian", "C1")]:
        axes[1].plot(Jn, rates_of(NeuralOscillation(noise=noise), Jn), colour, label=noise)
    axes[1].set_title("V-shaped f (slope -0.03): firing for J < -33", fontsize=9)
    for c, d, label in [(-0.1441, -0.1762, "F1 VGG-16 fit"), (0.0, 0.0, "F1 c=d=0")]:
        axes[2].plot(J, rates_of(AltNeuralOscillation(c=c, d=d), J), label=label)
    axes[2].plot(J, rates_of(AltNeuralOscillation(form="F3", c=-1.0), J), label="F3 c=-1")
    axes[2].plot(J, rates_of(AltNeuralOscillation(form="F4", c=2.0, d=-0.3), J),
                 label="F4 c=2 d=-0.3")
    axes[2].set_title("AltNeuralOscillation (deterministic): 1/(n dt)", fontsize=9)
    for ax in axes:
        ax.set_xlabel("input current J (lambda form, dt = 1 ms)")
        ax.set_ylabel("rate (Hz)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "oscillation_rates.png", dpi=100)
    plt.close(fig)


def raster(ax, spikes, title, t0=0):
    for i in range(spikes.shape[1]):
        times = (np.flatnonzero(spikes[:, i]) + t0) * DT
        ax.plot(times, np.full(times.size, i), "|", ms=3, color="k")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("neuron")


def plot_oscillation_rasters():
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
    zero = simulate(NeuralOscillation(), np.zeros(20), 300)  # 0.3 s
    raster(axes[0], zero, f"NeuralOscillation, J = 0: spontaneous ({zero.mean() / DT:.0f} Hz)")
    ramp = np.linspace(-0.4, 1.2, 20)
    raster(axes[1], simulate(NeuralOscillation(), ramp, 100),
           "NeuralOscillation, J = -0.4 (bottom) .. 1.2 (top)")
    alt = AltNeuralOscillation(c=-0.1441, d=-0.1762,
                               initial_state={"voltage": nengo.dists.Choice([0.0])})
    raster(axes[2], simulate(alt, ramp, 100), "AltNeuralOscillation F1 (VGG fit), same J")
    fig.tight_layout()
    fig.savefig(OUT / "oscillation_rasters.png", dpi=100)
    plt.close(fig)


def plot_noisy_lif_rates():
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    J = np.linspace(-0.3, 1.3, 161)
    for n in [10, 100, 10_000]:
        Jn = np.resize(J, n) if n >= J.size else J[:: J.size // n + 1][:n]
        order = np.argsort(Jn)
        for noise, style in [("uniform", "--"), ("gaussian", "-")]:
            nt = NoisyLIF(noise=noise, temporal=False)
            p = nt.single_step_probability(Jn[None])[0]
            axes[0].plot(Jn[order], p[order], style, label=f"{noise}, n={n}")
    axes[0].plot(J, np.clip(J, 0, 1), "k:", lw=1, label="clip(J, 0, 1)")
    axes[0].set_ylabel("spikes per step")
    axes[0].set_title("single step (eq. 4.5): exact, depends on ensemble size n", fontsize=9)
    groups = np.repeat(np.arange(15), 20)
    for ax, currents, title in [
        (axes[1], np.linspace(-0.2, 1.2, 15), "temporal, one ensemble, J = -0.2 .. 1.2"),
        (axes[2], np.concatenate([np.linspace(-3, 0, 7), np.linspace(0.1, 1.2, 8)]),
         "temporal, same plus silent neurons (J down to -3)"),
    ]:
        Jg = currents[groups]
        for noise, colour in [("gaussian", "C0"), ("uniform", "C1")]:
            nt = NoisyLIF(noise=noise)
            mf = nt.spike_probability(Jg[None])[0]
            spikes = simulate(nt, Jg, 1500)
            sim = spikes[50:].mean(axis=0)
            ax.plot(currents, mf[::20], colour + "-", label=f"rates() mean field, {noise}")
            ax.plot(currents, [sim[groups == g].mean() for g in range(15)], colour + ".",
                    label="nengo.Simulator")
            single = NoisyLIF(noise=noise, temporal=False).single_step_probability(Jg[None])[0]
            ax.plot(currents, single[::20], colour + ":", lw=1, label="single step, same n")
        ax.set_title(title, fontsize=9)
    for ax in axes:
        ax.set_xlabel("input current J")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "noisy_lif_rates.png", dpi=100)
    plt.close(fig)


def plot_noisy_lif_rasters():
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    J = np.linspace(0.0, 1.0, 20)
    for ax, temporal in zip(axes, [False, True]):
        spikes = simulate(NoisyLIF(temporal=temporal), J, 100)
        raster(ax, spikes, f"NoisyLIF temporal={temporal}, J = 0 (bottom) .. 1 (top)")
    fig.tight_layout()
    fig.savefig(OUT / "noisy_lif_rasters.png", dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    plot_oscillation_rates()
    plot_oscillation_rasters()
    plot_noisy_lif_rates()
    plot_noisy_lif_rasters()
