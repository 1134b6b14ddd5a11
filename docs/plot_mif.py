"""Plots for docs/mif.md: sine responses (thesis Figs. 1.4, 1.6), rate curves, spike shape.

Run from the repository root: ``python docs/plot_mif.py``; writes
``docs/images/mif_sine_response.png``, ``mif2_sine_response.png``,
``mif_rates.png`` and ``mif_spike.png``, and prints the numbers quoted in the page.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402

from nengo_snnext import MIF, MIF2  # noqa: E402
from nengo_snnext.equations.mif2 import mif2_fixed_point  # noqa: E402
from nengo_snnext.ops import NUMPY_OPS  # noqa: E402

OUT = Path(__file__).parent / "images"
DPI = 100


def sine_response(neuron_type, dt=1e-4, t_end=1.0):
    """Nengo's "A Single Neuron" setup: cos(8t) input, intercept -0.5, 100 Hz max rate."""
    neuron_type = neuron_type.replace(dt=dt)
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(lambda t: np.cos(8 * t))
        ens = nengo.Ensemble(
            1, 1, neuron_type=neuron_type, intercepts=[-0.5], max_rates=[100.0],
            encoders=[[1.0]],
        )
        nengo.Connection(stim, ens, synapse=None)
        probes = dict(
            input=nengo.Probe(stim),
            decoded=nengo.Probe(ens, synapse=0.01),
            filtered=nengo.Probe(ens.neurons, synapse=0.01),
            spikes=nengo.Probe(ens.neurons),
            voltage=nengo.Probe(ens.neurons, "voltage"),
        )
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        sim.run(t_end)
    return sim.trange(), {k: sim.data[p] for k, p in probes.items()}


def plot_sine(neuron_type, name, color, filename):
    t, d = sine_response(neuron_type)
    fig, axes = plt.subplots(2, 2, figsize=(10, 6))
    ax = axes[0, 0]
    ax.plot(t, d["input"], "k--", label="input cos(8t)")
    ax.plot(t, d["decoded"], color=color, label="decoded output (10 ms filter)")
    ax.set_title(f"(a) {name}: sine input and single-neuron output")
    ax.legend(fontsize=8, loc="lower left")
    short = t <= 0.25
    ax = axes[0, 1]
    ax.plot(t[short], d["filtered"][short], color=color)
    ax.set_title("(b) filtered spikes (10 ms), first 0.25 s")
    ax.set_ylabel("Hz")
    ax = axes[1, 0]
    spike_t = t[short][d["spikes"][short, 0] > 0]
    ax.vlines(spike_t, 0, 1, color=color)
    ax.set_title(f"(c) spike events, first 0.25 s ({len(spike_t)} spikes)")
    ax.set_yticks([])
    ax = axes[1, 1]
    ax.plot(t[short], 1e3 * d["voltage"][short, 0], color=color, lw=0.8)
    ax.axhline(1e3 * neuron_type.V_th, color="k", lw=0.5, ls=":", label="V_th (M1 SET)")
    ax.axhline(1e3 * neuron_type.V_reset, color="k", lw=0.5, ls="--", label="V_reset (M1 RESET)")
    if isinstance(neuron_type, MIF2):
        ax.axhline(1e3 * neuron_type.E_reset, color="b", lw=0.5, ls="-.", label="E_reset")
    ax.set_title("(d) membrane voltage (dt = 0.1 ms), first 0.25 s")
    ax.set_ylabel("mV")
    ax.legend(fontsize=7, loc="lower right")
    for ax in axes.flat:
        ax.set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(OUT / filename, dpi=DPI)
    plt.close(fig)
    return len(spike_t)


def simulated_rates(neuron_type, J, settle=0.5, window=1.0):
    n = len(J)
    with nengo.Network(seed=0) as net:
        ens = nengo.Ensemble(
            n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=J, encoders=np.ones((n, 1))
        )
        p = nengo.Probe(ens.neurons)
    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(settle + window)
    return sim.data[p][sim.trange() > settle].sum(axis=0) * sim.dt / window


def plot_rates():
    J = np.linspace(-0.5, 6.0, 3000)
    J_sim = np.linspace(0.25, 5.75, 23)
    ones, zeros = np.ones(1), np.zeros(1)
    types = [
        ("MIF, memristive=False (eq. 1.5 neuron)", MIF(memristive=False), "C1", "--"),
        ("MIF", MIF(), "C3", "-"),
        ("MIF2 (adapted steady state)", MIF2(), "C0", "-"),
        ("MIF2, memristive=False", MIF2(memristive=False), "C0", ":"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for label, nt, color, ls in types:
        r = nt.rates(J[:, None], ones, zeros)[:, 0]
        axes[0].plot(J, r, color=color, ls=ls, label=label)
        if ls == "-":
            axes[0].plot(J_sim, simulated_rates(nt, J_sim), "o", color=color, ms=3)
    lif = nengo.LIF().rates(J[:, None], ones, zeros)[:, 0]
    axes[0].plot(J, lif, color="gray", lw=1, label="nengo.LIF() defaults (tau_rc = 20 ms)")
    lock = MIF().lock_current
    axes[0].axvline(lock, color="k", lw=0.5, ls=":")
    axes[0].text(lock + 0.05, 50, f"depolarisation block\nJ >= {lock:.3f}", fontsize=8)
    axes[0].set_xlabel("normalised input J (J = 1: rheobase, 11 nA)")
    axes[0].set_ylabel("steady-state rate (Hz)")
    axes[0].set_title("rates() (lines) and nengo.Simulator, dt = 1 ms (dots)")
    axes[0].legend(fontsize=7, loc="upper left")

    # adaptation: rate over time after a step to J = 2 and J = 3
    dt = 1e-4
    for Jstep, color in [(2.0, "C0"), (3.0, "C2")]:
        nt = MIF2(dt=dt, initial_state={"voltage": np.zeros(1)})
        with nengo.Network(seed=0) as net:
            ens = nengo.Ensemble(1, 1, neuron_type=nt, gain=[1.0], bias=[Jstep], encoders=[[1.0]])
            p = nengo.Probe(ens.neurons)
        with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
            sim.run(0.4)
        times = sim.trange()[sim.data[p][:, 0] > 0]
        axes[1].plot(times[1:], 1 / np.diff(times), ".", color=color, ms=3,
                     label=f"MIF2, J = {Jstep}: 1 / ISI")
        steady = nt.rates(np.array([[Jstep]]), ones, zeros)[0, 0]
        unadapted = MIF().rates(np.array([[Jstep]]), ones, zeros)[0, 0]
        axes[1].axhline(steady, color=color, lw=0.8, ls="--")
        axes[1].axhline(unadapted, color=color, lw=0.8, ls=":")
    axes[1].set_xlabel("time after step onset (s)")
    axes[1].set_ylabel("instantaneous rate (Hz)")
    axes[1].set_title("MIF2 adaptation (dashed: rates(); dotted: MIF)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "mif_rates.png", dpi=DPI)
    plt.close(fig)


def plot_spike():
    """One cycle at J = 2 with 1 us resolution: the ON-phase discharge and the M2 AHP."""
    dt = 1e-6
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    J = np.array([2.0])
    cases = [
        ("MIF, memristive=False", MIF(memristive=False), "C1"),
        ("MIF", MIF(), "C3"),
        ("MIF2 (x2 at its steady state)", MIF2(), "C0"),
    ]
    for label, nt, color in cases:
        params = nt.equation_params(dt)
        n = len(nt.state)
        state = nt.state_class(*[np.zeros(1) for _ in range(n)])
        if isinstance(nt, MIF2):
            rate_params = {k: v for k, v in params.items() if k not in ("e_rest", "delta_v")}
            x_star = mif2_fixed_point(NUMPY_OPS, J, **rate_params)[2]
            # x2 just before the first spike of the adapted orbit
            state = state._replace(memristor2=(x_star - nt.set_fraction) / (1 - nt.set_fraction))
        V, x, counts = [], [], []
        for _ in range(int(round(0.006 / dt))):
            count, state = nt.equation(NUMPY_OPS, dt, J, state, **params)
            V.append(state.voltage[0])
            x.append(state[1][0])
            counts.append(count[0])
        t = dt * np.arange(1, len(V) + 1)
        V, x = 1e3 * np.array(V), np.array(x)
        axes[0].plot(1e3 * t, V, color=color, label=label)
        first = int(np.argmax(np.array(counts) > 0))
        on = x > 0.5
        zoom = slice(max(first - 20, 0), first + 150)
        axes[1].plot(1e6 * (t[zoom] - t[first]), V[zoom], color=color, label=label)
        axes[1].fill_between(1e6 * (t[zoom] - t[first]), 0, 110 * on[zoom], color=color,
                             alpha=0.08)
    for ax in axes:
        ax.axhline(110, color="k", lw=0.5, ls=":")
        ax.axhline(5, color="k", lw=0.5, ls="--")
        ax.set_ylabel("V (mV)")
        ax.legend(fontsize=7)
    axes[0].set_xlabel("time (ms), J = 2, from V = E_rest")
    axes[0].set_title("membrane voltage (step dt = 1 us)")
    axes[1].set_xlabel("time after the SET/spike (us)")
    axes[1].set_title("M1 ON (shaded): discharge through R_on, tau_on = 20 us")
    fig.tight_layout()
    fig.savefig(OUT / "mif_spike.png", dpi=DPI)
    plt.close(fig)


def print_numbers():
    ones, zeros = np.ones(1), np.zeros(1)
    J = np.array([1.05, 1.2, 1.5, 2.0, 3.0, 4.0])[:, None]
    for nt in (MIF(memristive=False), MIF(), MIF2()):
        print(f"{str(nt):24s}", np.round(nt.rates(J, ones, zeros)[:, 0], 1), "peak", nt.peak())
    nt = MIF()
    print("tau_off", nt.tau_off, "tau_on", nt.tau_on, "I_rh", nt.rheobase_current,
          "J_lock", nt.lock_current)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    print("MIF sine spikes (0.25 s):", plot_sine(MIF(), "MIF", "C3", "mif_sine_response.png"))
    print("MIF2 sine spikes (0.25 s):", plot_sine(MIF2(), "MIF2", "C0", "mif2_sine_response.png"))
    plot_rates()
    plot_spike()
    print_numbers()
