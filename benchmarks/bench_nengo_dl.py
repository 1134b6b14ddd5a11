"""NengoDL benchmark: our TF builders vs built-in ``nengo.LIF`` and vs NengoDL's Python fallback.

All figures are ratios measured in one run, on the same network and machine:

1. inference: time of ``sim.predict`` (spiking, ``--steps`` steps) per neuron type,
   relative to the built-in ``nengo.LIF`` (goal <= 1.5x) and to the Python
   fallback for the same type (goal: faster);
2. training: time per epoch of ``sim.fit`` with rate training (``n_steps = 1``)
   and surrogate training (BPTT over ``--train-steps`` steps) relative to the
   built-in LIF with the same ``n_steps``;
3. what the fallback cannot do: spiking test accuracy on digits after the same
   rate training with our builders and with the fallback (no gradient through
   the neurons: only the output layer learns).

The network is the recipe of :mod:`nengo_snnext.backends.dl.recipe` on
scikit-learn digits: 64 -> Dense(--hidden, default 128) -> neurons -> Dense(10),
minibatch 32, 333 Hz at x = 1.
Timings are medians over ``--repeats`` runs, interleaved across types so that
load from other processes affects all of them alike.

Run (about 15 minutes on 2 CPU cores)::

    python benchmarks/bench_nengo_dl.py --output benchmarks/results.md

Each combination of ``--parts`` updates its own section of the report.
"""

import argparse
import functools
import os
import platform
import sys
import time
import warnings

import nengo
import numpy as np

import nengo_snnext
import nengo_dl
import tensorflow as tf
from nengo_snnext import KLIF, MIF, MIF2, DiscreteLIF
from nengo_snnext.backends.dl import EquationBuilder
from nengo_snnext.backends.dl._registry import python_fallback, register_neuron_builder
from nengo_snnext.backends.dl.ops import TF_OPS
from nengo_snnext.backends.dl.recipe import (
    accuracy,
    fit_classifier,
    mean_logits_crossentropy,
    spiking_classifier,
)
from nengo_snnext.data import load_digits
from nengo_snnext.equations.mif import (
    SHORT_STEP_SEGMENTS,
    _Phase,
    _segment,
    hybrid_step,
    is_short_step,
    mif_step,
)
from nengo_snnext.equations.mif2 import mif2_rate, mif2_step
from nengo_snnext.neurons.noisy_lif import NoisyLIF
from nengo_snnext.neurons.oscillation import AltNeuralOscillation, NeuralOscillation

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _report import interleaved_medians as _interleaved_medians  # noqa: E402
from _report import write_section  # noqa: E402

RATE_HZ = 333.0
MINIBATCH = 32


def segment_hybrid_step(xp, dt, J, u, x, ref, x2, **params):
    """``hybrid_step`` as before its single-phase stages: a short step is four
    :func:`~nengo_snnext.equations.mif._segment` calls, each evaluating every phase."""
    short = is_short_step(dt, tau_on=params["tau_on"], u_reset=params["u_reset"],
                          tau_ref=params["tau_ref"], memristive=params["memristive"])
    if not short:
        return hybrid_step(xp, dt, J, u, x, ref, x2, **params)
    zero = 0.0 * u
    s = _Phase(u=u, x=x, ref=ref, x2=x2, r=dt + zero, count=zero, spiked=zero > 1.0)
    for _ in range(SHORT_STEP_SEGMENTS):
        s = _segment(xp, J, s, None, **params)
    return s


class SegmentMIF(MIF):
    """MIF with the XLA-compiled four-segment step (before the phase stages)."""

    equation = staticmethod(functools.partial(mif_step, hybrid=segment_hybrid_step))


class SegmentMIF2(MIF2):
    """MIF2 with the XLA-compiled four-segment step (before the phase stages)."""

    equation = staticmethod(functools.partial(mif2_step, hybrid=segment_hybrid_step))


class StepByStepMIF(SegmentMIF):
    """MIF as before issue 12: NengoDL runs its (four-segment) step op by op (no XLA)."""

    jit_step = False


class BisectionMIF2(SegmentMIF2):
    """MIF2 as before issue 12: no XLA (four-segment step), and rate training on the
    50-step bisection."""

    jit_step = False
    training_rate_equation = staticmethod(mif2_rate)

    def training_rate_params(self, dt=None, n_neurons=None):
        return self.rate_params(dt, n_neurons)


class SplitStepBuilder(EquationBuilder):
    """The builder as before the fifth pass of issue 12: the step compiled by a plain
    ``tf.function(jit_compile=True)``, so XLA splits its kernels over the threads."""

    def spiking_step(self, J, state, extra, step_params, scale):
        @functools.partial(tf.function, jit_compile=True)
        def step(J, state):
            spikes, new_state = self.equation(
                TF_OPS, self.dt_value, J, self.state_class(*state), **extra, **step_params
            )
            return spikes * scale, new_state

        return step(J, tuple(state))


class SplitMIF(MIF):
    """MIF with the XLA step split over the threads (before the fifth pass)."""


class SplitMIF2(MIF2):
    """MIF2 with the XLA step split over the threads (before the fifth pass)."""


register_neuron_builder(SplitMIF, SplitMIF2)(SplitStepBuilder)


TYPES = {
    "nengo.LIF (built-in)": nengo.LIF(amplitude=0.01),
    "DiscreteLIF": DiscreteLIF(amplitude=0.01),
    "KLIF": KLIF(amplitude=0.01),
    "KLIF* k=2": KLIF(k=2.0, scale_reset=True, amplitude=0.01),
    "MIF": MIF(amplitude=0.01),
    "MIF2": MIF2(amplitude=0.01),
    "MIF segments": SegmentMIF(amplitude=0.01),
    "MIF2 segments": SegmentMIF2(amplitude=0.01),
    "MIF before": StepByStepMIF(amplitude=0.01),
    "MIF2 before": BisectionMIF2(amplitude=0.01),
    "MIF split": SplitMIF(amplitude=0.01),
    "MIF2 split": SplitMIF2(amplitude=0.01),
    "NeuralOscillation": NeuralOscillation(amplitude=0.01),
    "AltNeuralOscillation": AltNeuralOscillation(c=-0.1441, d=-0.1762, amplitude=0.01),
    "NoisyLIF": NoisyLIF(amplitude=0.01),
}
OURS = [name for name in TYPES if "built-in" not in name]
# types that declare surrogate training support
SURROGATE = [name for name in OURS if TYPES[name].surrogate is not None]
# "before" rows: the same types as before issue 12, measured in the same run
# the accuracy comparison with the fallback (MIF: the thesis' 77.76 % case)
ACCURACY = ["DiscreteLIF", "KLIF", "MIF"]


def build(neuron_type, hidden, *, fallback=False, mode="rate"):
    net = spiking_classifier(neuron_type, 64, 10, (hidden,), rate=RATE_HZ, seed=0)
    with net:
        nengo_snnext.configure_training(mode)
    classes = (type(neuron_type),) if fallback else ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with python_fallback(*classes):
            sim = nengo_dl.Simulator(net, minibatch_size=MINIBATCH, progress_bar=False, seed=0)
    return net, sim


def interleaved_medians(jobs, repeats):
    """``{name: median wall seconds}`` and ``{name: median CPU seconds}`` of ``jobs``.

    Round-robin after a warm-up (:func:`_report.interleaved_medians`); the CPU
    time of the process (all TensorFlow threads) is less sensitive than the wall
    clock to other jobs on a shared machine.
    """
    medians = _interleaved_medians(jobs, repeats)
    return ({name: m[0] for name, m in medians.items()},
            {name: m[1] for name, m in medians.items()})


def predict_job(sim, net, x, n_steps):
    data = {net.inp: np.tile(x[:, None, :], (1, n_steps, 1))}
    return lambda: sim.predict(data, verbose=0)


def fit_job(sim, net, x, y, n_steps):
    n = len(x) // MINIBATCH * MINIBATCH
    data_x = {net.inp: np.tile(x[:n, None, :], (1, n_steps, 1))}
    data_y = {net.out_p: np.tile(y[:n, None, None], (1, n_steps, 1))}
    return lambda: sim.fit(data_x, data_y, epochs=1, verbose=0)


def compile_for_fit(sim, net):
    """Compile as :func:`fit_classifier` does (same optimizer and loss)."""
    sim.compile(
        optimizer=tf.optimizers.Adam(0.003), loss={net.out_p: mean_logits_crossentropy}
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=30, help="inference steps")
    parser.add_argument("--train-steps", type=int, default=8, help="BPTT steps (surrogate)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=20, help="epochs of the accuracy part")
    parser.add_argument("--hidden", type=int, default=128, help="hidden neurons")
    parser.add_argument("--output", default=None,
                        help="update the NengoDL section of this Markdown report")
    parser.add_argument("--parts", default="inference,training,accuracy",
                        help="comma-separated parts to run")
    parser.add_argument("--no-fallback", action="store_true",
                        help="skip the rows of NengoDL's Python fallback")
    parser.add_argument("--types", default=None,
                        help="comma-separated neuron types (default: all; the built-in LIF "
                             "always runs)")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    ours = OURS if args.types is None else [t for t in args.types.split(",") if t in OURS]

    (x_train, y_train), (x_test, y_test) = load_digits()
    x_infer = x_test[: len(x_test) // MINIBATCH * MINIBATCH]
    lines = []

    def report(line=""):
        print(line, flush=True)
        lines.append(line)

    # ------------------------------------------------------------ inference
    if "inference" in parts:
        inference(args, ours, x_infer, report)
    if "training" in parts:
        training(args, ours, x_train, y_train, report)
    if "accuracy" in parts:
        accuracies(args, [name for name in ACCURACY if name in ours], x_train, y_train, x_test,
                   y_test, report)
    report(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU "
           f"cores (load average {os.getloadavg()[0]:.1f} at the end; shared with other "
           f"jobs), Python {platform.python_version()}, TensorFlow {tf.__version__}, "
           f"nengo {nengo.__version__}, nengo-dl {nengo_dl.__version__}; "
           f"median of {args.repeats} interleaved runs.")

    if args.output:
        command = "python benchmarks/bench_nengo_dl.py " + " ".join(
            argv if argv is not None else sys.argv[1:])
        text = (f"## NengoDL\n\nProduced by `{command}` ({time.strftime('%Y-%m-%d')}).\n\n"
                + "\n".join(lines))
        write_section(args.output, "bench_nengo_dl_" + "_".join(sorted(parts)), text)


def inference(args, ours, x_infer, report):
    sims = {}
    for name, neuron_type in TYPES.items():
        if name in ours or "built-in" in name:
            sims[name] = build(neuron_type, args.hidden)
    for name in [] if args.no_fallback else ours:
        sims[name + " [fallback]"] = build(TYPES[name], args.hidden, fallback=True)
    jobs = {name: predict_job(sim, net, x_infer, args.steps) for name, (net, sim) in sims.items()}
    infer, infer_cpu = interleaved_medians(jobs, args.repeats)
    lif, lif_cpu = infer["nengo.LIF (built-in)"], infer_cpu["nengo.LIF (built-in)"]
    report(f"Network: 64 -> Dense({args.hidden}) -> neurons -> Dense(10) "
           f"(`nengo_snnext.backends.dl.recipe`), {RATE_HZ:g} Hz at x = 1, amplitude 0.01.")
    report()
    report(f"### Inference: `sim.predict`, {len(x_infer)} digits x {args.steps} steps, "
           f"minibatch {MINIBATCH}")
    report()
    report("| neuron type | time (s) | vs built-in LIF | vs built-in LIF (CPU) | fallback (s) "
           "| fallback vs LIF | ours vs fallback |")
    report("|---|---|---|---|---|---|---|")
    report(f"| nengo.LIF (built-in) | {lif:.3f} | 1.00x | 1.00x | | | |")
    for name in ours:
        mine, fb = infer[name], infer.get(name + " [fallback]")
        fallback = f"{fb:.3f} | {fb / lif:.2f}x | {mine / fb:.2f}x" if fb else "| |"
        report(f"| {name} | {mine:.3f} | {mine / lif:.2f}x | {infer_cpu[name] / lif_cpu:.2f}x "
               f"| {fallback} |")
    report()
    for _, sim in sims.values():
        sim.close()



def training(args, ours, x_train, y_train, report):
    T = args.train_steps
    cases = {
        "nengo.LIF (built-in), n_steps=1": (TYPES["nengo.LIF (built-in)"], "rate", 1, False),
        f"nengo.LIF (built-in), n_steps={T}": (TYPES["nengo.LIF (built-in)"], "rate", T, False),
    }
    for name in ours:
        cases[f"{name} rate, n_steps=1"] = (TYPES[name], "rate", 1, False)
        if name in SURROGATE:
            cases[f"{name} surrogate, n_steps={T}"] = (TYPES[name], "surrogate", T, False)
        if name in ACCURACY and not args.no_fallback:
            cases[f"{name} fallback, n_steps=1"] = (TYPES[name], "rate", 1, True)
    built, jobs = {}, {}
    for name, (neuron_type, mode, n_steps, fallback) in cases.items():
        net, sim = build(neuron_type, args.hidden, fallback=fallback, mode=mode)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile_for_fit(sim, net)
        built[name] = sim
        # an "epoch" is the training set 4 times (5632 digits): long enough to time
        jobs[name] = fit_job(sim, net, np.tile(x_train, (4, 1)), np.tile(y_train, 4), n_steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fallback: "gradients do not exist" from Keras
        epoch, epoch_cpu = interleaved_medians(jobs, args.repeats)
    lif1 = "nengo.LIF (built-in), n_steps=1"
    lifT = f"nengo.LIF (built-in), n_steps={args.train_steps}"
    report(f"### Training: one epoch of `sim.fit` on {4 * len(x_train) // MINIBATCH * MINIBATCH} "
           f"digits (the training set 4 times), minibatch {MINIBATCH}")
    report()
    report("| case | s / epoch | vs LIF same n_steps | vs LIF same n_steps (CPU) "
           "| vs LIF n_steps=1 |")
    report("|---|---|---|---|---|")
    for name, t in epoch.items():
        same = lifT if name.endswith(f"n_steps={args.train_steps}") else lif1
        report(f"| {name} | {t:.3f} | {t / epoch[same]:.2f}x | "
               f"{epoch_cpu[name] / epoch_cpu[same]:.2f}x | {t / epoch[lif1]:.2f}x |")
    report()
    for sim in built.values():
        sim.close()



def accuracies(args, names, x_train, y_train, x_test, y_test, report):
    report(f"### Accuracy on digits after the same rate training ({args.epochs} epochs, "
           f"spiking test over {args.steps} steps, {len(x_test)} test digits)")
    report()
    report("| neuron type | our builder | NengoDL fallback |")
    report("|---|---|---|")
    for name in ["nengo.LIF (built-in)"] + names:
        row = []
        for fallback in ([False] if "built-in" in name else [False, True]):
            net, sim = build(TYPES[name], args.hidden, fallback=fallback)
            with sim, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit_classifier(sim, net, x_train, y_train, n_steps=1, epochs=args.epochs)
                row.append(accuracy(sim, net, x_test, y_test, n_steps=args.steps))
        cells = " | ".join(f"{a:.3f}" for a in row) + (" | (n/a)" if len(row) == 1 else "")
        report(f"| {name} | {cells} |")
    report()


if __name__ == "__main__":
    main()
