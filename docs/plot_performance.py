"""Plot the scaling benchmark for ``docs/performance.md``.

Reads the JSON written by
``python benchmarks/bench_nengo.py --skip-ratios --scaling --dl --json benchmarks/scaling.json``
and writes ``docs/images/performance_scaling.png``: time per step against the
number of neurons (longest run of each configuration), time per step against the
number of steps (10^4 neurons), and peak memory against the number of neurons.
"""

import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
STYLES = {"nengo": "-", "dl": "--"}
COLOURS = {"LIF": "C0", "KLIF": "C1", "MIF": "C3"}
LABELS = {"nengo": "nengo.Simulator", "dl": "nengo_dl.Simulator"}


def plot(results, out):
    fig, (ax_n, ax_s, ax_m) = plt.subplots(1, 3, figsize=(13, 4))
    keys = sorted({(r["simulator"], r["type"]) for r in results})
    for simulator, type_name in keys:
        rows = sorted((r for r in results if (r["simulator"], r["type"]) == (simulator, type_name)),
                      key=lambda r: r["neurons"])
        style = dict(ls=STYLES[simulator], color=COLOURS[type_name], marker="o",
                     label=f"{type_name}, {LABELS[simulator]}")
        longest = [r["per_step"][max(r["per_step"], key=int)] for r in rows]
        ax_n.loglog([r["neurons"] for r in rows], [1e3 * t for t in longest], **style)
        ax_m.loglog([r["neurons"] for r in rows], [max(r["memory_mb"], 0.1) for r in rows],
                    **style)
        mid = [r for r in rows if r["neurons"] == 10000]
        if mid:
            steps = sorted(mid[0]["per_step"], key=int)
            ax_s.loglog([int(s) for s in steps], [1e3 * mid[0]["per_step"][s] for s in steps],
                        **style)
    neurons = sorted({r["neurons"] for r in results})
    ax_n.loglog(neurons, [1e-4 * n for n in neurons], "k:", lw=1, label="linear")
    ax_n.set(xlabel="neurons", ylabel="ms per step", title="cost per step (longest run)")
    ax_s.set(xlabel="steps per run_steps call", ylabel="ms per step",
             title="10^4 neurons: per-call overhead")
    ax_m.set(xlabel="neurons", ylabel="MB", title="peak memory above baseline")
    ax_n.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", default=os.path.join(HERE, "..", "benchmarks", "scaling.json"))
    parser.add_argument("--out", default=os.path.join(HERE, "images", "performance_scaling.png"))
    args = parser.parse_args(argv)
    with open(args.json) as f:
        plot(json.load(f), args.out)


if __name__ == "__main__":
    main()
