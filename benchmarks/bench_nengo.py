"""nengo.Simulator benchmark: step cost of every type relative to ``nengo.LIF``, and scaling.

1. Ratios: one network per type, ``--neurons`` neurons (default 10,000) in one
   1-D ensemble driven by a 1 Hz sine, its spikes summed by a fixed transform
   into a filtered node and probed (no decoder solve). All simulators are built
   first, then ``--steps`` steps (default 1,000) run per type, round-robin,
   ``--repeats`` times; the table gives the median time per step and its ratio
   to ``nengo.LIF`` (wall and CPU time of the process). The "shared equation"
   rows run MIF/MIF2 with the equation every backend shares (what Nengo core
   ran before the event-driven step) in the same run.
2. Scaling (``--scaling``): cost per step and peak memory of LIF, KLIF and MIF
   for 10^3 to 10^5 neurons and 10 to 1,000 steps, in ``nengo.Simulator`` and
   (``--dl``) ``nengo_dl.Simulator``; ``--million`` adds 10^6 neurons (10 and 100
   steps) and 10^4 steps (10^3 and 10^4 neurons). Each configuration runs in its
   own process, so the peak resident memory above that process's baseline
   (after the imports) is the memory of the build and the run. Results go to a
   JSON file that ``docs/plot_performance.py`` plots.

Run (ratios: about 3 minutes; with ``--scaling --dl`` about 10 more on 2 cores)::

    python benchmarks/bench_nengo.py --output benchmarks/results.md

Before and after a change: this script with another tree's package first on the
path (``git worktree add /tmp/before REV``), alternating with the current tree::

    for i in 1 2 3; do
      PYTHONPATH=/tmp/before python benchmarks/bench_nengo.py --types MIF MIF2
      python benchmarks/bench_nengo.py --types MIF MIF2
    done
    python benchmarks/bench_nengo.py --skip-ratios --scaling --dl --json benchmarks/scaling.json
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

import nengo
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import interleaved_medians, machine, write_section  # noqa: E402

import nengo_snnext  # noqa: E402
from nengo_snnext import (  # noqa: E402
    KLIF,
    MIF,
    MIF2,
    AltNeuralOscillation,
    DiscreteLIF,
    NeuralOscillation,
    NoisyLIF,
)
from nengo_snnext.backends.reference.mif import numba_enabled  # noqa: E402
from nengo_snnext.neurons._base import SpikingNeuronType  # noqa: E402


class SharedEquationMIF(MIF):
    """MIF stepped by the shared ``hybrid_step`` (Nengo core before the event-driven step)."""

    numpy_equation = SpikingNeuronType.numpy_equation


class SharedEquationMIF2(MIF2):
    """MIF2 stepped by the shared ``hybrid_step``."""

    numpy_equation = SpikingNeuronType.numpy_equation


def ratio_types():
    return {
        "nengo.LIF": nengo.LIF(),
        "DiscreteLIF": DiscreteLIF(),
        "KLIF": KLIF(),
        "NeuralOscillation": NeuralOscillation(),
        "AltNeuralOscillation": AltNeuralOscillation(c=-0.1441, d=-0.1762),
        "NoisyLIF (temporal)": NoisyLIF(),
        "NoisyLIF (single step)": NoisyLIF(temporal=False),
        "MIF": MIF(),
        "MIF2": MIF2(),
        "MIF, shared equation (before)": SharedEquationMIF(),
        "MIF2, shared equation (before)": SharedEquationMIF2(),
    }


SCALING_TYPES = {"LIF": lambda: nengo.LIF(), "KLIF": lambda: KLIF(), "MIF": lambda: MIF()}


def network(neuron_type, n_neurons, seed=0):
    """A sine-driven 1-D ensemble whose summed spikes are filtered and probed."""
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        ens = nengo.Ensemble(n_neurons, 1, neuron_type=neuron_type)
        nengo.Connection(stim, ens, synapse=None)
        out = nengo.Node(size_in=1)
        nengo.Connection(ens.neurons, out, transform=np.full((1, n_neurons), 1.0 / n_neurons),
                         synapse=0.01)
        net.probe = nengo.Probe(out)
    return net


def build(simulator, net):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if simulator == "nengo":
            return nengo.Simulator(net, progress_bar=False)
        import nengo_dl

        return nengo_dl.Simulator(net, progress_bar=False)


def ratios(args, report):
    types = ratio_types()
    if args.types:
        unknown = set(args.types) - set(types)
        if unknown:
            raise SystemExit(f"unknown --types {sorted(unknown)}; choose from {list(types)}")
        types = {name: t for name, t in types.items()
                 if name == "nengo.LIF" or name in args.types}
    sims = {}
    for name, neuron_type in types.items():
        print(f"building {name}", flush=True)
        sims[name] = build("nengo", network(neuron_type, args.neurons))
    jobs = {name: (lambda sim=sim: sim.run_steps(args.steps)) for name, sim in sims.items()}
    medians = interleaved_medians(jobs, args.repeats)
    lif_wall, lif_cpu = medians["nengo.LIF"]
    report(f"### nengo.Simulator: {args.neurons} neurons, {args.steps} steps per run")
    report()
    report("Network: `benchmarks/bench_nengo.py` (1-D ensemble, default tuning, sine input, "
           "summed spikes filtered and probed).")
    report()
    report("| neuron type | ms / step (wall) | vs nengo.LIF (wall) | ms / step (CPU) "
           "| vs nengo.LIF (CPU) |")
    report("|---|---|---|---|---|")
    for name, (wall, cpu) in medians.items():
        report(f"| {name} | {1e3 * wall / args.steps:.3f} | {wall / lif_wall:.2f}x | "
               f"{1e3 * cpu / args.steps:.3f} | {cpu / lif_cpu:.2f}x |")
    report()
    for sim in sims.values():
        sim.close()
    return medians


def scaling_grid(args):
    neurons = [1000, 10000, 100000]
    steps = [10, 100, 1000]
    grid = [(n, steps) for n in neurons]
    if args.million:
        grid = [(n, s + ([10000] if n <= 10000 else [])) for n, s in grid]
        grid.append((1000000, [10, 100]))
    return grid


def run_config(simulator, type_name, n_neurons, steps):
    """Time and memory of one configuration (called in a fresh process)."""
    if simulator == "dl":
        import nengo_dl  # noqa: F401  (imports TensorFlow before the baseline)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    sim = build(simulator, network(SCALING_TYPES[type_name](), n_neurons))
    build_s = time.perf_counter() - start
    sim.run_steps(10)  # warm-up (NengoDL: graph tracing)
    per_step = {}
    for n_steps in steps:
        start = time.perf_counter()
        sim.run_steps(n_steps)
        per_step[n_steps] = (time.perf_counter() - start) / n_steps
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sim.close()
    return dict(simulator=simulator, type=type_name, neurons=n_neurons, build_s=build_s,
                per_step=per_step, memory_mb=(peak - base) / 1024.0)


def scaling(args, report):
    simulators = ["nengo"] + (["dl"] if args.dl else [])
    results = []
    for simulator in simulators:
        for n_neurons, steps in scaling_grid(args):
            for type_name in SCALING_TYPES:
                print(f"{simulator} {type_name} {n_neurons}", flush=True)
                out = subprocess.run(
                    [sys.executable, __file__, "--config",
                     json.dumps([simulator, type_name, n_neurons, steps])],
                    check=True, capture_output=True, text=True,
                )
                results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    report("### Scaling: time per step (ms) and peak memory above baseline (MB)")
    report()
    report("Each configuration in a fresh process; per-step time of one `run_steps(n)` call "
           "after a 10-step warm-up.")
    report()
    report("| simulator | type | neurons | build (s) | " + " | ".join(
        f"{s} steps" for s in sorted({s for _, st in scaling_grid(args) for s in st})
    ) + " | memory (MB) |")
    all_steps = sorted({s for _, st in scaling_grid(args) for s in st})
    report("|---|---|---|---|" + "---|" * len(all_steps) + "---|")
    for r in results:
        cells = [f"{1e3 * r['per_step'][str(s)]:.3f}" if str(s) in r["per_step"] else ""
                 for s in all_steps]
        report(f"| {r['simulator']} | {r['type']} | {r['neurons']} | {r['build_s']:.1f} | "
               + " | ".join(cells) + f" | {r['memory_mb']:.0f} |")
    report()
    return results


def numba_note(part):
    """Where a ratio run used the numba kernel: the venv that has it."""
    if part is not ratios or not numba_enabled():
        return ""
    import numba

    versions = f"numba {numba.__version__}, numpy {np.__version__}"
    return f" in a venv with the `[numba]` extra ({versions})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--neurons", type=int, default=10000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--types", nargs="+", default=None,
                        help="only these rows of the ratio table (nengo.LIF always runs)")
    parser.add_argument("--skip-ratios", action="store_true")
    parser.add_argument("--scaling", action="store_true", help="cost and memory vs size")
    parser.add_argument("--dl", action="store_true", help="scaling in nengo_dl.Simulator too")
    parser.add_argument("--million", action="store_true",
                        help="scaling up to 10^6 neurons and 10^4 steps (slow)")
    parser.add_argument("--output", default=None, help="update this section of a Markdown file")
    parser.add_argument("--json", default=None, help="write the scaling results here")
    parser.add_argument("--config", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.config:  # one scaling configuration, in this (fresh) process
        simulator, type_name, n_neurons, steps = json.loads(args.config)
        print(json.dumps(run_config(simulator, type_name, n_neurons, steps)))
        return

    command = "python benchmarks/bench_nengo.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    parts = []
    if not args.skip_ratios:
        # the MIF/MIF2 kernel that runs (numba when installed) names its own section
        numba = numba_enabled()
        parts.append((
            "bench_nengo_ratios" + ("_numba" if numba else ""),
            "nengo.Simulator: step cost vs nengo.LIF" + (" (with numba)" if numba else ""),
            ratios,
        ))
    if args.scaling:
        parts.append(("bench_nengo_scaling", "Scaling to 10^6 neurons", scaling))
    for section, title, part in parts:
        lines = []

        def report(line=""):
            print(line, flush=True)
            lines.append(line)

        results = part(args, report)
        report(machine(f", nengo-snnext {nengo_snnext.__version__}"))
        if part is scaling and args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
        if args.output:
            text = (f"## {title}\n\nProduced{numba_note(part)} by `{command}` "
                    f"({time.strftime('%Y-%m-%d')}); median of {args.repeats} interleaved "
                    "runs.\n\n" + "\n".join(lines))
            write_section(args.output, section, text)


if __name__ == "__main__":
    main()
