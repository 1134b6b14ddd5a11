"""Tuning curves, spike rasters and rate tables of every neuron type (``snnext neurons``).

Each neuron type is simulated in ``nengo.Simulator``; its simulated rates are
set beside its ``rates()`` so that the table shows how well they agree.
"""

from pathlib import Path
from typing import NamedTuple

import nengo
import numpy as np

from nengo_snnext.neurons import (
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    DiscreteLIF,
    NeuralOscillation,
    NoisyLIF,
)


def gallery_types():
    """The neuron types shown by ``snnext neurons``: label -> neuron type."""
    return {
        "DiscreteLIF (tau form)": DiscreteLIF(),
        "DiscreteLIF (lambda form)": DiscreteLIF(input_scaling="none"),
        "KLIF k=1": KLIF(),
        "KLIF k=1.5": KLIF(k=1.5),
        "KLIF k=3": KLIF(k=3.0),
        "KLIF* k=1.5": KLIF(k=1.5, scale_reset=True),
        "MIF (frozen memristor)": MIF(memristive=False),
        "MIF": MIF(),
        "MIF2": MIF2(),
        "NeuralOscillation U[-0.2,0.8]": NeuralOscillation(),
        "NeuralOscillation N(0,0.5^2)": NeuralOscillation(noise="gaussian"),
        "AltNeuralOscillation F1 (VGG fit)": AltNeuralOscillation(c=-0.1441, d=-0.1762),
        "NoisyLIF single step": NoisyLIF(temporal=False),
        "NoisyLIF temporal": NoisyLIF(),
    }


class TuningResult(NamedTuple):
    """Rates of one neuron type over a grid of input currents."""

    label: str
    currents: np.ndarray
    predicted: np.ndarray  # rates() (Hz)
    simulated: np.ndarray  # spike count / time in nengo.Simulator (Hz)


def simulate_tuning(
    label, neuron_type, currents, *, sim_time=1.0, dt=0.001, seed=0, simulator=nengo.Simulator
):
    """Rates of ``neuron_type`` at ``currents``: ``rates()`` and simulated.

    Each current drives one neuron directly (gain 1, bias = current); the
    simulated rate counts spikes over ``sim_time`` after a 0.1 s settling time.
    ``simulator`` is any Nengo backend's ``Simulator`` class.
    """
    n = len(currents)
    neuron_type = neuron_type.replace(dt=dt) if hasattr(neuron_type, "replace") else neuron_type
    with nengo.Network(seed=seed) as net:
        ens = nengo.Ensemble(
            n, 1, neuron_type=neuron_type, gain=np.ones(n), bias=currents,
            encoders=np.ones((n, 1)),
        )
        probe = nengo.Probe(ens.neurons)
    settle = 0.1
    with simulator(net, dt=dt, progress_bar=False, seed=seed) as sim:
        sim.run(settle + sim_time)
    # output is amplitude / dt per spike (more than one spike per step is possible)
    counts = sim.data[probe][sim.trange() > settle] * (dt / neuron_type.amplitude)
    simulated = counts.sum(axis=0) / sim_time
    predicted = neuron_type.rates(currents[None], np.ones(n), np.zeros(n))[0]
    return TuningResult(label, np.asarray(currents), predicted / neuron_type.amplitude, simulated)


def simulate_raster(neuron_type, *, n_neurons=12, sim_time=1.0, dt=0.001, seed=0):
    """Spike times of a small ensemble driven by a ramp from -1 to 1."""
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: 2 * t / sim_time - 1)
        ens = nengo.Ensemble(n_neurons, 1, neuron_type=neuron_type)
        nengo.Connection(stim, ens, synapse=None)
        probe = nengo.Probe(ens.neurons)
    with nengo.Simulator(net, dt=dt, progress_bar=False, seed=seed) as sim:
        sim.run(sim_time)
    return sim.trange(), sim.data[probe] > 0


def rates_table(results):
    """Plain-text table of predicted vs simulated rates."""
    lines = [
        f"{'neuron type':28s} {'1st firing J':>12s} {'rate(J=2) Hz':>13s} "
        f"{'sim(J=2) Hz':>12s} {'max |rates()-sim| Hz':>21s}"
    ]
    for r in results:
        firing = r.currents[r.predicted > 0]
        first_firing = firing.min() if len(firing) else np.nan
        i2 = np.argmin(np.abs(r.currents - 2.0))
        diff = np.max(np.abs(r.predicted - r.simulated))
        lines.append(
            f"{r.label:28s} {first_firing:12.3f} {r.predicted[i2]:13.1f} "
            f"{r.simulated[i2]:12.1f} {diff:21.2f}"
        )
    return "\n".join(lines)


def plot_gallery(results, rasters, out_dir):
    """Write ``tuning_curves.png`` and ``rasters.png`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    n = len(results)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, r in zip(axes.flat, results):
        ax.plot(r.currents, r.predicted, "k-", lw=1, label="rates()")
        ax.plot(r.currents, r.simulated, "C1.", ms=3, label="nengo.Simulator")
        ax.set_title(r.label, fontsize=9)
        ax.set_xlabel("input current J")
        ax.set_ylabel("rate (Hz)")
    axes.flat[0].legend(fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(out_dir / "tuning_curves.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for ax, (label, (t, spikes)) in zip(axes.flat, rasters.items()):
        for i in range(spikes.shape[1]):
            ax.plot(t[spikes[:, i]], np.full(spikes[:, i].sum(), i), "|", ms=4, color="k")
        ax.set_title(f"{label}: ramp x = -1 .. 1", fontsize=9)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("neuron")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(out_dir / "rasters.png", dpi=110)
    plt.close(fig)


def run_gallery(out_dir, *, types=None, currents=None, progress=True):
    """Simulate every neuron type; write plots and ``rates.txt``; return the table."""
    from tqdm import tqdm

    types = gallery_types() if types is None else types
    currents = np.linspace(-0.5, 4.0, 91) if currents is None else currents
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results, rasters = [], {}
    for label, neuron_type in tqdm(types.items(), desc="neuron types", disable=not progress):
        results.append(simulate_tuning(label, neuron_type, currents))
        rasters[label] = simulate_raster(neuron_type)
    table = rates_table(results)
    (out_dir / "rates.txt").write_text(table + "\n")
    plot_gallery(results, rasters, out_dir)
    return table
