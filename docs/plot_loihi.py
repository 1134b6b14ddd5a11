"""Plots and numbers for docs/loihi.md: per-type rates on the emulator, and diagnostics.

Run from the repository root: ``python docs/plot_loihi.py``; writes
``docs/images/loihi_rates.png`` and ``docs/images/loihi_fidelity.png`` and prints the
per-type fidelity table and the diagnostics quoted in the page (about 3 minutes on 2
cores).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import nengo_snnext  # noqa: E402
from nengo_snnext import KLIF, MIF, DiscreteLIF, NeuralOscillation  # noqa: E402
from nengo_snnext.loihi import layer_fidelity  # noqa: E402  (imports nengo-loihi)
from nengo_snnext.backends.loihi import fidelity_report  # noqa: E402

OUT = Path(__file__).parent / "images"
DT = 0.001

# (label, neuron type, currents): near threshold up to saturation
TYPES = [
    ("DiscreteLIF", DiscreteLIF(), np.linspace(-1, 4, 101)),
    ("KLIF(k=1.5)", KLIF(k=1.5), np.linspace(-1, 4, 101)),
    ("KLIF(k=2)", KLIF(k=2.0), np.linspace(-1, 4, 101)),
    ("KLIF*(k=3)", KLIF(k=3.0, scale_reset=True), np.linspace(-1, 4, 101)),
    ("MIF(memristive=False)", MIF(memristive=False), np.linspace(-1, 10, 111)),
    ("NeuralOscillation", NeuralOscillation(), np.linspace(-0.6, 1.6, 45)),
]


def type_table():
    rows, reports = [], []
    for label, neuron_type, currents in TYPES:
        report = fidelity_report(neuron_type, currents, dt=DT, sim_time=2.0)
        ref = np.abs(report.emulator - report.reference)
        chip = np.abs(report.emulator - report.chip)
        rows.append(f"| {label} | {ref.mean():.1f} | {ref.max():.1f} | {chip.mean():.2f} | "
                    f"{chip.max():.1f} | {currents[0]:g} to {currents[-1]:g} |")
        reports.append((label, report))
    print("| type | vs nengo mean Hz | vs nengo max Hz | vs chip model mean Hz | "
          "vs chip model max Hz | J |")
    print("\n".join(rows))
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.4))
    for ax, (label, report) in zip(axes.flat, reports):
        ax.plot(report.currents, report.reference, "k", label="nengo.Simulator (rates())")
        ax.plot(report.currents, report.chip, "C0--", label="chip model")
        ax.plot(report.currents, report.emulator, "C3.", ms=4, label="nengo-loihi emulator")
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("J")
    axes[0, 0].set_ylabel("rate (Hz)")
    axes[1, 0].set_ylabel("rate (Hz)")
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "loihi_rates.png", dpi=100)
    plt.close(fig)


def diagnostics():
    import nengo_snnext.keras as nk
    from nengo_snnext.cli.evaluate import digits_cnn
    from nengo_snnext.data import load_digits

    (x_train, _), (x_test, _) = load_digits()
    model = digits_cnn(epochs=20)
    converter = nk.convert(model, neuron_type=nengo_snnext.KLIF(),
                           calibration_data=x_train[:200].reshape(-1, 8, 8, 1), synapse=0.005)
    result = layer_fidelity(converter.net, node=converter.inputs[converter.model.inputs[0]],
                            x=x_test[:20], n_steps=50)
    print(result.summary())
    result.plot(OUT / "loihi_fidelity.png")


if __name__ == "__main__":
    type_table()
    diagnostics()
