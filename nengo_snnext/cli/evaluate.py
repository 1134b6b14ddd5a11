"""``snnext evaluate``: a converted classifier on nengo, nengo_dl and the Loihi emulator.

Converts a Keras model (``--model``, or the digits CNN of ``docs/loihi.md``
trained here in a few seconds) with its ReLUs swapped for a spiking type,
evaluates it on each backend with the same protocol (each test image shown
for ``--n-steps`` steps; the class is the argmax of the output averaged from
step ``n_steps // 5``), and for ``loihi`` prints the placement report and the
per-layer fidelity diagnostics and writes their plot.
"""

import json
import sys
import time
from pathlib import Path

BACKENDS = ("nengo", "nengo_dl", "loihi")


def digits_cnn(*, epochs=20, seed=0):
    """docs/loihi.md's CNN, trained on the digits: Conv2D(16, 3) -> Conv2D(32, 3, /2) -> 64 -> 10."""
    import tensorflow as tf  # noqa: PLC0415

    from nengo_snnext.data import load_digits  # noqa: PLC0415

    (x_train, y_train), _ = load_digits()
    tf.random.set_seed(seed)
    model = tf.keras.Sequential([
        tf.keras.Input((8, 8, 1)),
        tf.keras.layers.Conv2D(16, 3, activation="relu"),
        tf.keras.layers.Conv2D(32, 3, strides=2, activation="relu"),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(10),
    ])
    model.compile(tf.keras.optimizers.Adam(0.003),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x_train.reshape(-1, 8, 8, 1), y_train, epochs=epochs, batch_size=32, verbose=0)
    return model


def neuron_type_from(text):
    """``"KLIF(k=1.5)"`` -> the neuron type (names of nengo_snnext and nengo only)."""
    import nengo  # noqa: PLC0415

    import nengo_snnext  # noqa: PLC0415

    names = {name: getattr(nengo_snnext, name) for name in nengo_snnext.__all__}
    names.update(LIF=nengo.LIF, SpikingRectifiedLinear=nengo.SpikingRectifiedLinear)
    expression = text if "(" in text else f"{text}()"
    try:
        return eval(expression, {"__builtins__": {}}, names)  # noqa: S307  (restricted names)
    except Exception as error:  # noqa: BLE001
        sys.exit(f"--neuron-type {text!r}: {error}; e.g. KLIF, 'KLIF(k=1.5)', DiscreteLIF")


def nengo_dl_accuracy(converter, x, y, *, n_steps, skip_steps, minibatch_size=50):
    """Accuracy in nengo_dl.Simulator, each image its own minibatch entry (state reset)."""
    import nengo_dl  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    from nengo_snnext.loihi.evaluate import keras_io  # noqa: PLC0415

    node, probe = keras_io(converter)
    n = len(x)
    minibatch_size = min(minibatch_size, n)
    rows = np.arange(n + (-n) % minibatch_size) % n  # whole minibatches (repeating images)
    data = np.repeat(x[rows].reshape(len(rows), 1, -1), n_steps, axis=1)
    start = time.perf_counter()
    with nengo_dl.Simulator(converter.net, minibatch_size=minibatch_size,
                            progress_bar=False) as sim:
        out = sim.predict({node: data}, verbose=0)[probe][:n]
    seconds = time.perf_counter() - start
    return float(np.mean(out[:, skip_steps:].mean(axis=1).argmax(-1) == y)), seconds


def evaluate(*, backends, model=None, neuron_type="KLIF", n_images=None, n_steps=50,
             synapse=0.005, fidelity_images=20, out=None, progress=True):
    """Accuracy per backend, the placement report and the diagnostics (a dict)."""
    import numpy as np  # noqa: PLC0415

    import nengo_snnext.keras as nk  # noqa: PLC0415
    from nengo_snnext.data import load_digits  # noqa: PLC0415
    from nengo_snnext.loihi import evaluate_converted, layer_fidelity  # noqa: PLC0415
    from nengo_snnext.loihi.evaluate import keras_io  # noqa: PLC0415

    (x_train, _), (x_test, y_test) = load_digits()
    x_test, y_test = x_test[:n_images], y_test[:n_images]
    model = digits_cnn() if model is None else model
    shape = (-1, *model.input_shape[1:])
    keras_accuracy = float(np.mean(
        model.predict(x_test.reshape(shape), verbose=0).argmax(-1) == y_test))
    converter = nk.convert(model, neuron_type=neuron_type_from(neuron_type),
                           calibration_data=x_train[:200].reshape(shape), synapse=synapse)
    skip_steps = n_steps // 5
    result = {"keras": keras_accuracy, "n_images": len(x_test), "n_steps": n_steps,
              "neuron_type": neuron_type}
    if "nengo_dl" in backends:
        result["nengo_dl"], result["nengo_dl_seconds"] = nengo_dl_accuracy(
            converter, x_test, y_test, n_steps=n_steps, skip_steps=skip_steps)
    if "nengo" in backends or "loihi" in backends:
        loihi = evaluate_converted(converter, x_test, y_test, n_steps=n_steps,
                                   skip_steps=skip_steps, reference="nengo" in backends,
                                   progress=progress)
        if "nengo" in backends:
            result["nengo"], result["nengo_seconds"] = (loihi["nengo_accuracy"],
                                                        loihi["nengo_seconds"])
        if "loihi" in backends:
            result["loihi"], result["loihi_seconds"] = loihi["accuracy"], loihi["seconds"]
            result["placement"] = loihi["report"]
            node, _ = keras_io(converter)
            result["fidelity"] = layer_fidelity(
                converter.net, node=node, x=x_test[:fidelity_images], n_steps=n_steps,
                progress=progress)
            if out is not None:
                Path(out).mkdir(parents=True, exist_ok=True)
                result["fidelity"].plot(Path(out) / "loihi_fidelity.png")
    return result


def run(args):
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown or not backends:
        sys.exit(f"--backends {args.backends!r}: choose from {','.join(BACKENDS)}")
    model = None
    if args.model:
        import tensorflow as tf  # noqa: PLC0415

        model = tf.keras.models.load_model(args.model)
    result = evaluate(backends=backends, model=model, neuron_type=args.neuron_type,
                      n_images=args.n_images, n_steps=args.n_steps,
                      fidelity_images=args.fidelity_images, out=args.out,
                      progress=not args.quiet)
    if args.json:
        serial = {k: v for k, v in result.items() if k not in ("placement", "fidelity")}
        if "placement" in result:
            serial["placement"] = result["placement"].as_dict()
            serial["fidelity"] = result["fidelity"].as_dict()
        print(json.dumps(serial, indent=1, default=float))
        return
    print(f"{result['neuron_type']}, {result['n_images']} test images x {result['n_steps']} "
          f"steps")
    print(f"{'backend':10s} {'accuracy':>9s} {'seconds':>8s}")
    print(f"{'keras':10s} {100 * result['keras']:8.1f}%")
    for backend in backends:
        print(f"{backend:10s} {100 * result[backend]:8.1f}% {result[backend + '_seconds']:8.1f}")
    if "loihi" in result:
        print("\nplacement on Loihi\n" + result["placement"].summary())
        print("\nper-layer fidelity (emulator vs nengo.Simulator)\n" + result["fidelity"].summary())
        print(f"\nwrote {Path(args.out) / 'loihi_fidelity.png'}")


def add_parser(sub):
    p = sub.add_parser(
        "evaluate",
        help="evaluate a converted classifier on nengo, nengo_dl and the Loihi emulator, with "
             "per-layer fidelity diagnostics",
    )
    p.add_argument("--backends", default="nengo,nengo_dl,loihi",
                   help="comma-separated, from nengo,nengo_dl,loihi (default: %(default)s)")
    p.add_argument("--model", help="a saved Keras model taking (8, 8, 1) digits (default: train "
                                   "the docs/loihi.md CNN, about 10 s)")
    p.add_argument("--neuron-type", default="KLIF",
                   help="the spiking type replacing ReLU, e.g. 'KLIF(k=1.5)' (default: %(default)s)")
    p.add_argument("--n-images", type=int, default=None, help="test images (default: all 359)")
    p.add_argument("--n-steps", type=int, default=50, help="steps per image (default: %(default)s)")
    p.add_argument("--fidelity-images", type=int, default=20,
                   help="images for the per-layer diagnostics (default: %(default)s)")
    p.add_argument("--out", default="snnext-evaluate", help="plot directory (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)
