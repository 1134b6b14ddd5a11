"""Energy estimates (keras-spiking's ModelEnergy): the thesis' KLIF network vs the same with ReLU.

Trains, on the same Fashion-MNIST subset, the scaled chapter-2 network of
``bench_keras.py`` (``build_klif_model``) twice: with our KLIF layers
(surrogate BPTT over T steps, trainable ``k``) and with ``Activation("relu")``
in their place (an ANN, one step). Then estimates the energy per inference
(T steps of 1 ms) on keras-spiking's devices:

- KLIF: ``nengo_snnext.keras.energy.ModelEnergy`` (counts the measured
  spikes: each connection's synops are the spikes of the layer feeding it
  times their fan-out; average pooling folded into the next layer);
- ReLU: ``keras_spiking.ModelEnergy`` as is (keras-spiking's own handling:
  on spiking devices it assumes the ANN converted to spiking neurons whose
  rates in Hz equal the ReLU outputs).

The encoder's input (pixels in [0, 1]) is read by keras-spiking as rates in
Hz in both models. Batch normalisation and pooling have no statistics of
their own (folded into the neighbouring weights at inference; keras-spiking
warns about them, silenced here). Run (about 2 minutes on 2 CPU cores)::

    /tmp/venv/bin/python benchmarks/energy_keras.py --output benchmarks/energy_results.md
"""

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DEVICES = ("cpu", "gpu", "loihi", "spinnaker", "spinnaker2")
CONNECTIONS = ("encoder0", "encoder1", "encoder2", "conv", "fc", "votes")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["fashion_mnist", "digits"], default="fashion_mnist")
    parser.add_argument("--n-train", type=int, default=1024)
    parser.add_argument("--n-example", type=int, default=256, help="test images for the rates")
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--steps", type=int, default=4, help="T")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", help="write the tables (markdown) here")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras_spiking

    from bench_keras import N_CLASSES, build_klif_model, load_data
    from nengo_snnext.keras import energy

    warnings.filterwarnings("ignore", message="Cannot compute stats for layer of type "
                            "'(BatchNormalization|AveragePooling2D)'")
    dataset, data = load_data(args.dataset, args.n_train, args.n_example, args.seed)
    image_shape = data["x_train"].shape[1:3]
    one_hot = np.eye(N_CLASSES, dtype=np.float32)[data["y_train"]]
    example = np.repeat(data["x_test"][:, None], args.steps, axis=1)  # (n, T, rows, cols, 1)
    shape = dict(channels=args.channels, hidden=args.hidden, seed=args.seed)

    results = {}
    for neurons in ("klif", "relu"):
        start = time.perf_counter()
        steps = args.steps if neurons == "klif" else 1  # the ANN: one step
        trained = build_klif_model(image_shape, steps=steps, neurons=neurons, **shape)
        trained.compile(tf.keras.optimizers.Adam(args.lr), tf.keras.losses.MeanSquaredError())
        trained.fit(data["x_train"], one_hot, batch_size=args.batch, epochs=args.epochs,
                    shuffle=True, verbose=0)
        # the same layers and weights on (batch, time, ...) input, as ModelEnergy reads models
        model = build_klif_model(image_shape, steps=args.steps, neurons=neurons,
                                 time_input=True, **shape)
        for layer in model.layers:
            if layer.weights:
                layer.set_weights(trained.get_layer(layer.name).get_weights())
        votes = model.predict(example, batch_size=args.batch, verbose=0)
        accuracy = float(np.mean(votes.argmax(axis=1) == data["y_test"]))
        if neurons == "klif":
            me = energy.ModelEnergy(model, example_data=example)
        else:
            me = keras_spiking.ModelEnergy(model, example_data=example)
        results[neurons] = dict(model=model, me=me, accuracy=accuracy,
                                seconds=time.perf_counter() - start)
        print(me.summary_string(
            columns=("name", "connections", "neurons", "rate", *(f"energy {d}" for d in DEVICES)),
            timesteps_per_inference=args.steps, dt=0.001, line_length=160), flush=True)
        print(f"{neurons}: accuracy {accuracy:.3f} ({time.perf_counter() - start:.0f} s)\n")
    report = make_report(args, dataset, results)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


def make_report(args, dataset, results):
    import keras_spiking
    import tensorflow as tf

    T, dt = args.steps, 0.001
    klif, relu = results["klif"], results["relu"]
    devices = keras_spiking.ModelEnergy.devices
    lines = [
        "# Energy estimates: the thesis' KLIF network vs the same network with ReLU",
        "",
        f"Produced by `python benchmarks/energy_keras.py {' '.join(sys.argv[1:])}` "
        f"({time.strftime('%Y-%m-%d')}).",
        "",
        f"Network: `bench_keras.py` (thesis ch. 2, scaled: {args.channels} channels, "
        f"{args.hidden}-unit FC, voting), trained {args.epochs} epochs on {args.n_train} "
        f"{dataset} images (KLIF: surrogate BPTT, T = {T}; ReLU: one step). Energy per "
        f"inference of T = {T} steps of {dt * 1e3:g} ms, rates from {args.n_example} test "
        f"images (keras-spiking {keras_spiking.__version__}).",
        "",
        "| device | KLIF (J / inference) | ReLU (J / inference) | KLIF / ReLU |",
        "|---|---|---|---|",
    ]
    for device in DEVICES:
        e_klif = klif["me"].total_energy(device, timesteps_per_inference=T, dt=dt)
        e_relu = relu["me"].total_energy(device, timesteps_per_inference=T, dt=dt)
        kind = "spiking" if devices[device]["spiking"] else "non-spiking: every synapse, one step"
        lines.append(f"| {device} ({kind}) | {e_klif:.3g} | {e_relu:.3g} | {e_klif / e_relu:.3g} |")
    relu_rates = [relu["me"].layer_rates[relu["model"].get_layer(n)] for n in CONNECTIONS[3:]]
    lines += [
        "",
        f"keras-spiking reads the ReLU network's activations as firing rates in Hz: its mean "
        f"ReLU outputs ({min(relu_rates):.2g}-{max(relu_rates):.2g}) become "
        f"{min(relu_rates):.2g}-{max(relu_rates):.2g} Hz, under "
        f"{max(relu_rates) * dt * T:.1g} spikes per neuron in the {T} steps of an inference, "
        f"so its spiking-device figures are those of a converted network that fires that "
        f"little, not of a spiking network as accurate as the ReLU one; the KLIF figures "
        f"count the spikes the trained KLIF network fires. The non-spiking devices count "
        f"every synapse once (the ANN), the same for both networks. The encoder's input is "
        f"the image in both (pixels in [0, 1] read as Hz).",
        "",
        f"Test accuracy on the {args.n_example} images: KLIF {klif['accuracy']:.3f}, "
        f"ReLU {relu['accuracy']:.3f}.",
        "",
        "Per connection layer: connections, the rate of its input (KLIF: measured spikes "
        "per neuron and second; ReLU: the mean ReLU output read as Hz, keras-spiking's "
        "reading) and synaptic operations per inference (connections x rate x dt x T):",
        "",
        "| layer | connections | KLIF input rate (Hz) | KLIF synops | ReLU input rate (Hz) "
        "| ReLU synops |",
        "|---|---|---|---|---|---|",
    ]
    for name in CONNECTIONS:
        cells = []
        for result in (klif, relu):
            layer = result["model"].get_layer(name)
            conn = result["me"].layer_stats[layer]["connections"]
            rate = result["me"].layer_rates[layer]
            cells.append((conn, rate, conn * rate * dt * T))
        lines.append(f"| {name} | {cells[0][0]} | {cells[0][1]:.3g} | {cells[0][2]:.3g} "
                     f"| {cells[1][1]:.3g} | {cells[1][2]:.3g} |")
    spiking = [l for l in klif["model"].layers if l.name.startswith("klif")]
    lines += [
        "",
        "KLIF layers: neurons, measured spike rate (Hz) and learned k: "
        + "; ".join(
            f"{l.name} {klif['me'].layer_stats[l]['neurons']}, "
            f"{spike_rate(klif['model'], l, klif['me'].example_data):.3g} Hz, "
            f"k = {float(l.parameter_value('k')):.3f}"
            for l in spiking),
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores; Python "
        f"{platform.python_version()}, TensorFlow {tf.__version__}.",
        "",
    ]
    return "\n".join(lines)


def spike_rate(model, layer, example):
    """Mean spikes per neuron and second of one of our layers over ``example``."""
    import numpy as np
    import tensorflow as tf

    out = tf.keras.Model(model.inputs, layer.output).predict(example, verbose=0)
    return float(np.mean(out)) / layer.neuron_type.amplitude


if __name__ == "__main__":
    main()
