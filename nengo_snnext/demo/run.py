"""``snnext demo``: train a KLIF CNN in Keras, convert it, evaluate it spiking on every backend.

1. Train :func:`nengo_snnext.networks.klif_cnn.build` (coding layer, KLIF layers with
   trainable ``k``, voting decoder) with :func:`~nengo_snnext.demo.train.fit_schedule`:
   an optional rate warm-up, then surrogate BPTT over ``T`` steps (XLA-compiled).
2. Convert it with ``nengo_snnext.convert(model, temporal_model=True)``.
3. Evaluate the spiking network: the Keras model in inference, ``nengo_dl.Simulator``
   (batched, all test images), ``nengo.Simulator`` (one image at a time; all of digits,
   a stated subset of Fashion-MNIST) and the Loihi emulator where supported.
4. Print a table (accuracy, seconds, spikes per image, energy estimate), write plots
   (accuracy vs time steps, a raster, a confusion matrix) and, with ``json_path``,
   ``{"dataset", "backends": {name: {"accuracy", "seconds", ...}}}``.
"""

import json
import time
from pathlib import Path

import numpy as np

BACKENDS = ("keras", "nengo_dl", "nengo", "loihi")
# nengo.Simulator and the Loihi emulator run one image at a time: all of digits, a subset
# of Fashion-MNIST
NENGO_IMAGES = {"digits": None, "fashion-mnist": 500}
ENERGY_DEVICE = "loihi"


def energy_per_image(model, x, steps, device=ENERGY_DEVICE, n_images=200):
    """keras-spiking's energy estimate (J per image on ``device``), or why there is none."""
    from nengo_snnext.backends.extras import missing

    if missing("keras_spiking"):
        return None, 'keras-spiking not installed: pip install "nengo-snnext[energy]"'
    import warnings

    from nengo_snnext.demo.datasets import with_time
    from nengo_snnext.keras import energy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimate = energy.ModelEnergy(model, example_data=with_time(x[:n_images], steps))
        return float(estimate.total_energy(device, timesteps_per_inference=steps)), ""


def format_table(dataset, results, energy, total_seconds):
    """The demo's table: one row per backend."""
    lines = [
        f"{dataset}: spiking test accuracy per backend",
        f"{'backend':<10} {'accuracy':>9} {'images':>7} {'seconds':>8} {'spikes/image':>13} "
        f"{'energy/image (' + ENERGY_DEVICE + ')':>22}",
    ]
    joules, why = energy
    for r in results:
        if not r.supported:
            dashes = f"{'-':>9} {'-':>7} {'-':>8} {'-':>13} {'-':>22}"
            lines.append(f"{r.backend:<10} {dashes}  {r.note}")
            continue
        spikes = "-" if r.spikes_per_image is None else f"{r.spikes_per_image:,.0f}"
        energy_text = "-" if joules is None else f"{joules:.3g} J"
        lines.append(f"{r.backend:<10} {100 * r.accuracy:>8.2f}% {r.n_images:>7} "
                     f"{r.seconds:>8.1f} {spikes:>13} {energy_text:>22}  {r.note}".rstrip())
    lines.append(f"total wall time {total_seconds:.0f} s (training included)")
    if joules is None:
        lines.append(f"energy: {why}")
    else:
        lines.append(f"energy: keras-spiking ModelEnergy ({ENERGY_DEVICE}) from the network's "
                     "spikes (the same spikes on every backend)")
    return "\n".join(lines)


def keras_result(model, x, y, steps):
    """The Keras model in inference (spiking), with per-step outputs from its layers."""
    from nengo_snnext.demo.backends import BackendResult
    from nengo_snnext.demo.train import predict

    start = time.perf_counter()
    out = predict(model, x)
    seconds = time.perf_counter() - start
    # the Keras output is the mean over all steps: only the final step of the curve
    return BackendResult("keras", out[:, None, :], np.asarray(y), seconds,
                         note=f"T = {steps}, inference mode")


def run_demo(dataset="digits", *, quick=False, out="snnext-demo", json_path=None, data_dir=None,
             seed=0, progress=True, backends=BACKENDS, nengo_images="auto", time_budget=None,
             log=print):
    """Train, convert and evaluate; returns the JSON-shaped result dict (see module doc)."""
    from nengo_snnext.demo import backends as evaluate
    from nengo_snnext.demo import datasets, plots
    from nengo_snnext.demo.train import Schedule, fit_schedule
    from nengo_snnext.networks import klif_cnn

    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise ValueError(f"unknown backend(s) {sorted(unknown)}; choose from {list(BACKENDS)}")
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = datasets.load(dataset, directory=data_dir)
    x_test, y_test = data.x_test, data.y_test
    if quick:
        x_test, y_test = x_test[:100], y_test[:100]
    config = datasets.network_config(dataset, quick=quick)
    schedule = Schedule.for_dataset(dataset, quick=quick, time_budget=time_budget)
    log(f"{dataset}: {len(data.x_train)} training and {len(x_test)} test images "
        f"{data.image_shape}; KLIF CNN {config}, T = {schedule.steps}")

    make = klif_cnn.maker(data.image_shape, schedule, seed=seed, **config)
    model, train_log = fit_schedule(make, data, schedule, seed=seed, progress=progress,
                                    label=dataset)
    log(f"trained in {train_log['rate_seconds'] + train_log['surrogate_seconds']:.0f} s "
        f"({train_log['rate_batches']} rate batches, {train_log['surrogate_batches']} "
        f"surrogate batches); learned k: "
        + " ".join(f"{float(layer.parameter_value('k')):.3f}"
                   for layer in evaluate.spiking_layers(model) if layer.trainable_k))

    results = []
    steps = schedule.steps
    if "keras" in backends:
        results.append(keras_result(model, x_test, y_test, steps))
    converter = evaluate.convert(model) if set(backends) - {"keras"} else None
    if "nengo_dl" in backends:
        results.append(evaluate.evaluate_nengo_dl(converter, model, x_test, y_test, steps,
                                                  progress=progress))
    # the one-image-at-a-time simulators: all of digits, a subset of Fashion-MNIST
    n = NENGO_IMAGES.get(dataset) if nengo_images == "auto" else nengo_images
    n = len(x_test) if n is None else min(n, len(x_test))
    subset = f"first {n} test images" if n < len(x_test) else ""
    if "nengo" in backends:
        result = evaluate.evaluate_nengo(converter, model, x_test[:n], y_test[:n], steps,
                                         progress=progress)
        result.note = subset
        results.append(result)
    if "loihi" in backends:
        result = evaluate.evaluate_loihi(converter, model, x_test[:n], y_test[:n], steps,
                                         progress=progress)
        result.note = "; ".join(filter(None, [result.note, subset if result.supported else ""]))
        results.append(result)
    energy = energy_per_image(model, x_test, steps)
    total = time.perf_counter() - start

    dt = evaluate.spiking_layers(model)[0].dt
    plots.accuracy_vs_steps([r for r in results if r.backend != "keras"],
                            out / "accuracy_vs_steps.png", steps, dt=dt)
    reference = next((r for r in results if r.backend == "nengo_dl" and r.supported),
                     next(r for r in results if r.supported))
    plots.confusion_matrix(reference.outputs[:, -1].argmax(-1), reference.labels,
                           out / "confusion_matrix.png", title=f"{dataset}, {reference.backend}")
    raster = next((r.extra["raster"] for r in results if r.extra.get("raster")), None)
    if raster is not None:
        plots.raster(raster, out / "raster.png", label=int(y_test[0]))

    summary = {
        "dataset": dataset,
        "backends": {
            r.backend: (
                {"accuracy": float(r.accuracy), "seconds": round(float(r.seconds), 3),
                 "images": r.n_images,
                 "spikes_per_image": None if r.spikes_per_image is None
                 else round(r.spikes_per_image, 1),
                 "note": r.note}
                if r.supported else {"accuracy": None, "seconds": None, "note": r.note}
            )
            for r in results
        },
        "energy_per_image_J": {ENERGY_DEVICE: energy[0]},
        "total_seconds": round(total, 1),
        "train": {**{k: round(v, 1) if isinstance(v, float) else v for k, v in train_log.items()},
                  "schedule": schedule.as_dict(), "network": config},
        "quick": quick,
        "seed": seed,
    }
    table = format_table(dataset, results, energy, total)
    (out / "results.txt").write_text(table + "\n")
    (out / "results.json").write_text(json.dumps(summary, indent=2))
    if json_path is not None:
        Path(json_path).write_text(json.dumps(summary, indent=2))
    log(table)
    log(f"wrote {out}/accuracy_vs_steps.png, confusion_matrix.png"
        + (", raster.png" if raster is not None else "") + ", results.txt, results.json")
    return summary
