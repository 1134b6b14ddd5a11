"""Fashion-MNIST accuracy against training time: NengoDL's tutorial, SpikingJelly and ours.

Issue 10's side-by-side run. Three recipes train on the same 60,000 Fashion-MNIST
images on this machine, one after the other, each in a fresh process with the
same thread count, for the same training time, and are tested spiking at the
same points of their training time (tests are not training time; each test's own
duration is reported):

(a) ``tutorial``: NengoDL's spiking-MNIST tutorial recipe with ``nengo.LIF``
    (:mod:`nengo_snnext.networks.nengo_dl_tutorial`: rate training in NengoDL,
    30-step spiking test in ``nengo_dl.Simulator``). Its 30-step test is slow,
    so it is tested on the first ``--tutorial-test`` test images (default 2,000)
    and at fewer points (``--tutorial-points``).
(b) ``spikingjelly``: SpikingJelly's ``KLIFNode`` on the thesis' network
    (``spikingjelly_klif.py --curve``: T = 4, Adam 1e-3, MSE, batch 64, the
    recipe the issue measured), tested on all 10,000 test images.
(c) ``ours``: ``snnext demo --dataset fashion-mnist``'s network and schedule
    (:func:`nengo_snnext.demo.train.fit_schedule` with
    :meth:`~nengo_snnext.demo.train.Schedule.for_dataset` and a time budget of
    the last point), tested spiking (T = 4) on all 10,000 test images.

A point is recorded at the first batch (chunk, for the tutorial) that ends at or
after each point's training seconds. Our schedule anneals its learning rate over
the whole budget, so its earlier points are mid-schedule values, not what a
shorter budget would give; ``--ours-budgets`` trains ours once per point instead,
with that point as the time budget (what ``snnext demo --dataset fashion-mnist
--time-budget T`` gives a user with T seconds). Writes a Markdown table, the JSON of
the curves and a plot::

    /tmp/venv/bin/python benchmarks/bench_fashion_curve.py \\
        --torch-python /tmp/sj-venv/bin/python --output benchmarks/fashion_curve.md \\
        --plot docs/images/fashion_curve.png

Needs the Fashion-MNIST idx files (``/usr/share/datasets/fashion-mnist`` from
Debian's ``dataset-fashion-mnist``, or ``--data-dir``) and, for (b), a Python
with torch and spikingjelly (``--torch-python``; skipped with ``--skip``).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import cpu_model  # noqa: E402
from bench_keras import run_worker  # noqa: E402

HERE = Path(__file__).resolve().parent
RECIPES = ("tutorial", "spikingjelly", "ours")
LABELS = {
    "tutorial": "(a) NengoDL tutorial recipe, nengo.LIF",
    "spikingjelly": "(b) SpikingJelly KLIFNode",
    "ours": "(c) nengo-snnext KLIF (snnext demo)",
}
GOAL = 0.90


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["tutorial", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--points", type=float, nargs="+", default=[75, 150, 300, 450, 600],
                        help="seconds of training at which every recipe is tested")
    parser.add_argument("--tutorial-points", type=float, nargs="+", default=[150, 300, 600])
    parser.add_argument("--tutorial-test", type=int, default=2000,
                        help="test images of the tutorial's 30-step test")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", help="folder of the Fashion-MNIST idx files")
    parser.add_argument("--torch-python", default="/tmp/sj-venv/bin/python",
                        help="Python of a venv with torch and spikingjelly")
    parser.add_argument("--skip", nargs="*", default=[], choices=RECIPES)
    parser.add_argument("--reuse", help="JSON of an earlier run: the --skip recipes take "
                        "their curves from it (the report says so)")
    parser.add_argument("--ours-budgets", action="store_true",
                        help="ours: one run per point with that point as its time budget "
                        "(snnext demo --time-budget T), not checkpoints of one run")
    parser.add_argument("--output", help="write the Markdown table here")
    parser.add_argument("--json", help="write the curves here (default: next to --output)")
    parser.add_argument("--plot", help="write the accuracy-vs-time plot here")
    return parser.parse_args(argv)


# --- workers (one fresh process each) ------------------------------------------


def ours_worker(args):
    from nengo_snnext.demo import datasets

    data = datasets.load("fashion-mnist", directory=args.data_dir)
    config = datasets.network_config("fashion-mnist")
    points = sorted(args.points)
    if not args.ours_budgets:  # one run, budget = the last point, tested on the way
        curve, log, schedule = _ours_run(args, data, config, points)
    else:  # one run per point, each with that point as its budget
        curve = []
        for point in points:
            run_curve, log, schedule = _ours_run(args, data, config, [point])
            curve += run_curve
    return dict(curve=curve, log=log, schedule=schedule.as_dict(), network=config,
                test_images=len(data.x_test), budgets=bool(args.ours_budgets))


def _ours_run(args, data, config, points):
    """Train with ``points[-1]`` seconds of budget; test at each point and at the end."""
    from nengo_snnext.demo.train import (
        Schedule,
        averaged_weights,
        fit_schedule,
        spiking_accuracy,
    )
    from nengo_snnext.networks import klif_cnn

    schedule = Schedule.for_dataset("fashion-mnist", time_budget=points[-1])
    make = klif_cnn.maker(data.image_shape, schedule, seed=args.seed, **config)
    curve, examples = [], {"n": 0}

    def test(model, seconds):
        if model.input.shape[1] != schedule.steps:  # the rate phase's one-step model
            spiking = make(schedule.steps, "surrogate")
            with averaged_weights(model):
                spiking.set_weights(model.get_weights())
            model = spiking
        start = time.perf_counter()
        with averaged_weights(model):  # the weights fit_schedule would return now
            accuracy = spiking_accuracy(model, data.x_test, data.y_test)
        curve.append(dict(train_seconds=seconds, examples=examples["n"], accuracy=accuracy,
                          test_seconds=time.perf_counter() - start, budget=points[-1]))
        print(f"ours {seconds:6.1f} s: {accuracy:.4f}", file=sys.stderr, flush=True)

    def checkpoint(model, seconds):
        batch = schedule.rate_batch if model.input.shape[1] == 1 else schedule.batch
        examples["n"] += batch
        if len(curve) < len(points) - 1 and seconds >= points[len(curve)]:
            test(model, seconds)

    model, log = fit_schedule(make, data, schedule, seed=args.seed, progress=False,
                              checkpoints=checkpoint)
    test(model, log["rate_seconds"] + log["surrogate_seconds"])  # the end of the budget
    return curve, log, schedule


def tutorial_worker(args):
    from nengo_snnext.networks import nengo_dl_tutorial

    result = nengo_dl_tutorial.reproduce(
        data_dir=args.data_dir, seed=args.seed, progress=False, n_train=60000,
        n_test=args.tutorial_test, curve_points=args.tutorial_points)
    return dict(curve=result["curve"], config=result["config"],
                test_images=result["config"]["n_test"])


def worker_command(args, recipe, data_path):
    if recipe == "spikingjelly":
        return [args.torch_python, str(HERE / "spikingjelly_klif.py"), "--data", str(data_path),
                "--threads", str(args.threads), "--seed", str(args.seed),
                "--curve", *map(str, args.points)]
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", recipe,
               "--seed", str(args.seed), "--points", *map(str, args.points),
               "--tutorial-points", *map(str, args.tutorial_points),
               "--tutorial-test", str(args.tutorial_test)]
    command += ["--ours-budgets"] if args.ours_budgets else []
    return command + (["--data-dir", args.data_dir] if args.data_dir else [])


# --- report ---------------------------------------------------------------------


def label(recipe, result):
    """The recipe's name in the report; ours says whether its points are separate runs."""
    if result.get("budgets"):
        return LABELS[recipe] + ", one run per time budget"
    return LABELS[recipe]


def first_reaching(curve, goal=GOAL):
    return next((p["train_seconds"] for p in curve if p["accuracy"] >= goal), None)


def load_after(result):
    """The 1-minute load average after a recipe (``load_after`` in older JSON)."""
    return result["load"][1] if "load" in result else result["load_after"]


def make_report(args, results):
    reused = [r for r, res in results.items() if res.get("reused")]
    reused_note = ["Not re-measured in this run: " + ", ".join(
        f"{LABELS[r]} (from `{results[r]['reused']}`, an earlier run of this script; "
        f"its date and machine are that file's)" for r in reused) + ".", ""] if reused else []
    lines = [
        "# Fashion-MNIST: accuracy against training time, side by side",
        "",
        f"Produced by `python benchmarks/bench_fashion_curve.py "
        f"{' '.join(sys.argv[1:])}` on {time.strftime('%Y-%m-%d')}.",
        "",
        f"Machine: {cpu_model()}, {os.cpu_count()} CPU cores, {args.threads} threads "
        f"per recipe, one recipe at a time; load average after each recipe: "
        + ", ".join(f"{r} {load_after(res):.1f}" for r, res in results.items()) + ".",
        "",
        *reused_note,
        "Training seconds exclude the tests (each test's time is in its own column). "
        "Test images: " + ", ".join(f"{label(r, res)}: {res['test_images']}"
                                    for r, res in results.items()) + ".",
        "",
        "| recipe | training s | examples seen | spiking test accuracy | test s |",
        "|---|---|---|---|---|",
    ]
    for recipe, result in results.items():
        for point in result["curve"]:
            lines.append(f"| {label(recipe, result)} | {point['train_seconds']:.0f} | "
                         f"{point['examples']} | {100 * point['accuracy']:.2f} % | "
                         f"{point['test_seconds']:.0f} |")
    lines += ["", f"First point at or above {100 * GOAL:.0f} %:"]
    for recipe, result in results.items():
        seconds = first_reaching(result["curve"])
        lines.append(f"- {label(recipe, result)}: "
                     + ("not reached" if seconds is None else f"{seconds:.0f} s of training"))
    return "\n".join(lines) + "\n"


def plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4))
    for recipe, result in results.items():
        curve = result["curve"]
        reused = " - not rerun: an earlier run's curve" if result.get("reused") else ""
        ax.plot([p["train_seconds"] for p in curve], [100 * p["accuracy"] for p in curve],
                "o--" if reused else "o-", alpha=0.5 if reused else 1.0,
                label=f"{label(recipe, result)} ({result['test_images']} test images){reused}")
    ax.axhline(100 * GOAL, color="gray", ls=":", lw=1)
    ax.set_xlabel("training wall time (s), tests excluded")
    ax.set_ylabel("spiking test accuracy (%)")
    ax.set_title("Fashion-MNIST on a 2-core CPU")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def driver(args):
    import numpy as np

    from nengo_snnext.data import load_fashion_mnist

    results = {}
    earlier = json.loads(Path(args.reuse).read_text()) if args.reuse else {}
    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp) / "data.npz"
        sets = {}
        for subset in ("train", "test"):
            images, labels = load_fashion_mnist(subset, directory=args.data_dir)
            sets[f"x_{subset}"] = (images.reshape(-1, 28, 28, 1) / 255.0).astype(np.float32)
            sets[f"y_{subset}"] = labels.astype(np.int64)
        np.savez(data_path, **sets)
        for recipe in RECIPES:
            if recipe in args.skip:
                if recipe in earlier:
                    results[recipe] = dict(earlier[recipe], reused=args.reuse)
                continue
            print(f"{LABELS[recipe]} ...", flush=True)
            results[recipe] = run_worker(worker_command(args, recipe, data_path), args.threads,
                                         show_stderr=True)
            for point in results[recipe]["curve"]:
                print(f"  {point['train_seconds']:6.0f} s: {100 * point['accuracy']:.2f} %",
                      flush=True)
    report = make_report(args, results)
    print(report)
    if args.output:
        Path(args.output).write_text(report)
    json_path = args.json or (str(Path(args.output).with_suffix(".json")) if args.output else None)
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2, default=float))
    if args.plot:
        plot(results, args.plot)
    return results


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker = {"ours": ours_worker, "tutorial": tutorial_worker}[args.worker]
        print(json.dumps(worker(args), default=float))
    else:
        driver(args)


if __name__ == "__main__":
    main()
