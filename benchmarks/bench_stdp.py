"""STDP benchmark: one Diehl & Cook training presentation in nengo, NengoDL and Brian2.

One presentation is 350 ms of Poisson input (784 inputs, pixel / 4 Hz) with STDP on,
then 150 ms of rest, in the network of :mod:`nengo_snnext.networks.diehl_cook`
(400 excitatory + 400 inhibitory conductance LIF neurons, dt = 0.5 ms, exponential
integration) and in the same network written for Brian2 2.9
(``brian2_diehl_cook.py``; numpy and cython code-generation targets).

Every measurement runs in its own process (Brian2 lives in a separate virtualenv:
``python3.11 -m venv /tmp/brian2-venv && /tmp/brian2-venv/bin/pip install
brian2==2.9.0 cython``): build, one untimed warm-up presentation (NengoDL graph
construction, Brian2 code generation and compilation), then the timed presentation.
Backends are interleaved over ``--repeats`` rounds and medians reported as ratios to
``nengo.Simulator``, so that load from other processes affects all alike. A second
table gives how the cost of ``nengo.Simulator`` (and of Brian2 numpy) grows with the
layer size, on a shorter presentation.

Run (a few minutes without NengoDL; about 20 with it, on 2 loaded CPU cores)::

    python benchmarks/bench_stdp.py --output benchmarks/stdp_results.md
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON", "/tmp/brian2-venv/bin/python")


def nengo_worker(backend, n_exc, t_present, t_rest, repeats, seed):
    """Time presentations in ``nengo.Simulator`` or ``nengo_dl.Simulator``; print JSON."""
    import warnings

    import nengo
    from threadpoolctl import threadpool_limits

    from nengo_snnext.networks import diehl_cook

    rng = np.random.RandomState(seed)
    image = rng.uniform(0, 255, 784) * (rng.uniform(size=784) < 0.3)
    t0 = time.perf_counter()
    net = diehl_cook.build(n_exc, 784, seed=seed)
    with net:
        probe = nengo.Probe(net.exc.neurons)
    if backend == "nengo":
        limits = threadpool_limits(limits=1, user_api="blas")
        sim = nengo.Simulator(net, dt=diehl_cook.DT, progress_bar=False)
    else:
        import nengo_dl

        import nengo_snnext  # noqa: F401  (registers the builders)

        limits = threadpool_limits(limits=None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sim = nengo_dl.Simulator(net, dt=diehl_cook.DT, progress_bar=False)
    build = time.perf_counter() - t0

    def present():
        net.input.set_image(image, 2.0)
        sim.run(t_present)
        net.input.set_image(None, 0)
        if t_rest > 0:
            sim.run(t_rest)

    with limits, sim:
        t0 = time.perf_counter()
        present()
        warmup = time.perf_counter() - t0
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            present()
            times.append(time.perf_counter() - t0)
        spikes = int(np.count_nonzero(sim.data[probe]))
    print(json.dumps({"backend": backend, "n_exc": n_exc, "build_s": build, "warmup_s": warmup,
                      "run_s": times, "exc_spikes": spikes}))


def measure(backend, n_exc, t_present, t_rest, seed):
    """Run one measurement in a fresh process; returns its JSON record."""
    common = ["--n-exc", str(n_exc), "--t-present", str(t_present), "--t-rest", str(t_rest),
              "--seed", str(seed)]
    if backend.startswith("brian2-"):
        cmd = [BRIAN2_PYTHON, os.path.join(HERE, "brian2_diehl_cook.py"),
               "--target", backend.split("-", 1)[1], *common]
    else:
        cmd = [sys.executable, __file__, "--worker", backend, *common]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_run(records):
    return float(np.median([r["run_s"][0] for r in records]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--worker", choices=["nengo", "nengo_dl"])
    parser.add_argument("--n-exc", type=int, default=400)
    parser.add_argument("--t-present", type=float, default=0.35)
    parser.add_argument("--t-rest", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", default="nengo,nengo_dl,brian2-numpy,brian2-cython")
    parser.add_argument("--sizes", default="100,400,1600,6400")
    parser.add_argument("--scaling-backends", default="nengo,brian2-numpy")
    parser.add_argument("--scaling-t", type=float, default=0.05)
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.worker:
        return nengo_worker(args.worker, args.n_exc, args.t_present, args.t_rest, 1, args.seed)

    backends = args.backends.split(",")
    records = {b: [] for b in backends}
    load_before = os.getloadavg()[0]
    for rep in range(args.repeats):
        for backend in backends:
            rec = measure(backend, args.n_exc, args.t_present, args.t_rest, args.seed + rep)
            records[backend].append(rec)
            print(rep, backend, f"{rec['run_s'][0]:.2f} s", rec["exc_spikes"], "spikes",
                  flush=True)
    base = median_run(records["nengo"]) if "nengo" in records else None
    lines = [
        "# STDP benchmark: one Diehl & Cook training presentation",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores "
        "shared with other engineers' jobs (loaded: timings are noisy; ratios come from "
        "interleaved runs; 1-minute load average "
        f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} after the presentations). "
        f"Python {platform.python_version()}. Command: `python benchmarks/bench_stdp.py "
        f"{' '.join(sys.argv[1:])}`.",
        "",
        f"## One presentation ({args.t_present * 1000:.0f} ms + {args.t_rest * 1000:.0f} ms "
        f"rest, 784 inputs, {args.n_exc} + {args.n_exc} neurons, dt = 0.5 ms), "
        f"median of {args.repeats}",
        "",
        "| simulator | presentation (s) | ratio to nengo.Simulator | median of the rounds' "
        "ratios | build (s) | warm-up presentation (s) |",
        "|---|---|---|---|---|---|",
    ]
    for backend, recs in records.items():
        t = median_run(recs)
        ratio = f"{t / base:.2f}" if base else "-"
        rounds = "-" if not base else "{:.2f}".format(np.median(
            [r["run_s"][0] / n["run_s"][0] for r, n in zip(recs, records["nengo"])]
        ))
        lines.append(
            f"| {backend} | {t:.2f} | {ratio} | {rounds} "
            f"| {np.median([r['build_s'] for r in recs]):.2f} "
            f"| {np.median([r['warmup_s'] for r in recs]):.2f} |"
        )
    sizes = [int(s) for s in args.sizes.split(",") if s]
    scaling = args.scaling_backends.split(",")
    lines += [] if not sizes else [
        "",
        f"## Cost against layer size ({args.scaling_t * 1000:.0f} ms presentation, no rest; "
        "seconds, one run each)",
        "",
        "| excitatory neurons | " + " | ".join(scaling) + " |",
        "|---|" + "---|" * len(scaling),
    ]
    for n in sizes:
        row = []
        for backend in scaling:
            if backend.startswith("brian2") and n > 1600:
                row.append("not run (all-but-self I->E: 41M synapses)")
                continue
            rec = measure(backend, n, args.scaling_t, 0.0, args.seed)
            row.append(f"{rec['run_s'][0]:.2f}")
            print("scaling", n, backend, row[-1], flush=True)
        lines.append(f"| {n} | " + " | ".join(row) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
