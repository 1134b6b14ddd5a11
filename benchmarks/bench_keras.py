"""Keras benchmark: the thesis' Fashion-MNIST KLIF network, ours vs SpikingJelly (and NengoDL).

The network of the thesis' chapter 2 (Table 2.1, "coding layers" and voting
decoder, section 2.3 of ``shared/spec/jiang-phd-thesis.md``), scaled to a
2-core CPU:

    encoder: 3 x (Conv 3x3, C channels, no bias + BatchNorm) summed, once per image
    -> repeat over T steps -> KLIF -> Conv 3x3 (C) + BN -> KLIF -> AvgPool 2
    -> Dense(H) + BN -> KLIF -> Dense(100) + BN -> KLIF
    -> voting: mean of the 10 outputs of each class, mean over T
    MSE to the one-hot label, Adam; no bias, no dropout; PyTorch's default
    initialisation (uniform, bound 1 / sqrt(fan_in)) in every implementation

(thesis: C = 128, H = 2048, T = 8, max pooling, BN after the convolutions only;
here by default C = 32, H = 256, T = 4, average pooling as in its later
chapters, and BN after the dense layers too: without it the scaled network is
silent from the first dense layer on at initialisation and does not learn;
BN uses PyTorch's defaults in both frameworks), trained with surrogate
gradients through time (arctan, alpha = 2) and one trainable ``k`` per KLIF
layer, in up to five implementations measured side by side in one run:

- ours: ``nengo_snnext.keras.KLIF(training="surrogate")`` in a Keras model,
  with its defaults (a time axis of T <= 16 steps is unrolled and the neuron
  step XLA-compiled, ``unroll=None, jit_compile=None``);
- ours as a loop (``--loop``): ``unroll=False, jit_compile=False``, a
  ``tf.while_loop`` over the steps with the uncompiled step (the defaults before
  2026-11-30, and what a time axis of unknown length gets);
- reference (``--relu``): the same Keras network with ``Activation("relu")``
  in place of KLIF, TensorFlow's time for the convolutions, BN and dense
  layers alone;
- SpikingJelly: ``spikingjelly.activation_based.neuron.KLIFNode`` (multi-step)
  in PyTorch on the CPU (``spikingjelly_klif.py``, run in its own venv);
- NengoDL (``--nengo-dl``): the same network as a Nengo model of
  ``nengo_snnext.KLIF`` ensembles and convolution transforms, trained in
  ``nengo_dl.Simulator`` with ``nengo_snnext.configure_training("surrogate")``.

Every implementation runs in a fresh subprocess per repetition, in turn
(the order alternates between repetitions), with the same data subset, batch,
optimiser, T and thread count (``--threads``, default 2: TensorFlow's intra-
and inter-op pools, ``torch.set_num_threads``, ``OMP_NUM_THREADS``). A worker
trains two warm-up batches (graph tracing, allocation) and ``--epochs`` timed
epochs, then times inference (``predict`` / ``no_grad`` forward) on the test
subset, three passes after a warm-up pass; it records the wall time of every
batch and the process CPU time (all threads) per batch. The tables give the
median and the fastest batch over all repetitions, the median CPU time, and
the ratios ours / other (goal: ours <= 1.0x). On a machine shared with other
work the median carries its load; the fastest batch and the CPU time are the
figures least affected by it.

Run (about 20 minutes on 2 CPU cores)::

    /tmp/venv/bin/python benchmarks/bench_keras.py --torch-python /tmp/sj-venv/bin/python \\
        --loop --relu --nengo-dl --output benchmarks/keras_results.md

The data are Fashion-MNIST (``nengo_snnext.data.load_fashion_mnist``; Debian
package ``dataset-fashion-mnist``), or scikit-learn's 8x8 digits with
``--dataset digits`` (or when Fashion-MNIST is not installed).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
N_CLASSES = 10
WARMUP_BATCHES = 2  # untimed training batches before the timed epochs (as spikingjelly_klif.py)
INFERENCE_PASSES = 3  # timed passes over the test images, after one warm-up pass
# the layer options of the "keras_loop" variant (--loop): a tf.while_loop over the
# steps and the uncompiled neuron step
LOOP = dict(unroll=False, jit_compile=False)
# "keras_unrolled" (--unrolled): unrolled over the steps, the step not XLA-compiled
UNROLLED = dict(unroll=True, jit_compile=False)
VARIANT_OPTIONS = {"keras_loop": LOOP, "keras_unrolled": UNROLLED}
VOTES = 10  # output neurons per class (thesis: 100FC-AP10)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=["keras", "keras_loop", "keras_unrolled", "keras_relu", "nengo_dl"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--dataset", choices=["fashion_mnist", "digits"], default="fashion_mnist")
    parser.add_argument("--n-train", type=int, default=1024)
    parser.add_argument("--n-test", type=int, default=512)
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--steps", type=int, default=4, help="T")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per repetition")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--torch-python", default="/tmp/sj-venv/bin/python",
                        help="Python of a venv with torch and spikingjelly")
    parser.add_argument("--nengo-dl", action="store_true", help="also time NengoDL")
    parser.add_argument("--unrolled", action="store_true",
                        help="also time our layers with unroll=True, jit_compile=False")
    parser.add_argument("--loop", action="store_true",
                        help="also time our layers with unroll=False, jit_compile=False")
    parser.add_argument("--relu", action="store_true",
                        help="also time the Keras network with ReLU for KLIF (TensorFlow's floor)")
    parser.add_argument("--output", help="write the results table (markdown) here")
    return parser.parse_args(argv)


# --- data ---------------------------------------------------------------------


def load_data(dataset, n_train, n_test, seed=0):
    """Images ``(n, rows, cols, 1)`` in [0, 1] and labels; a seeded subset."""
    import numpy as np

    from nengo_snnext.data import DatasetNotFoundError, load_digits, load_fashion_mnist

    if dataset == "fashion_mnist":
        try:
            x_train, y_train = load_fashion_mnist("train")
            x_test, y_test = load_fashion_mnist("test")
        except DatasetNotFoundError as error:
            print(f"{error}\nfalling back to scikit-learn digits", file=sys.stderr)
            dataset = "digits"
    if dataset == "digits":
        (x_train, y_train), (x_test, y_test) = load_digits()
        x_train, x_test = x_train.reshape(-1, 8, 8), x_test.reshape(-1, 8, 8)
    scale = 255.0 if x_train.dtype == np.uint8 else max(float(x_train.max()), 1.0)
    rng = np.random.RandomState(seed)
    train = rng.permutation(len(x_train))[:n_train]
    test = rng.permutation(len(x_test))[:n_test]

    def prepare(x):
        return (x.astype(np.float32) / scale)[..., None]

    return dataset, dict(
        x_train=prepare(x_train[train]), y_train=y_train[train].astype(np.int64),
        x_test=prepare(x_test[test]), y_test=y_test[test].astype(np.int64),
    )


# --- the Keras network ----------------------------------------------------------


def torch_init():
    """PyTorch's default weights of ``Conv2d``/``Linear``: uniform, bound ``1 / sqrt(fan_in)``."""
    import tensorflow as tf

    return tf.keras.initializers.VarianceScaling(1 / 3, "fan_in", "uniform")


def build_klif_model(image_shape, *, channels=32, hidden=256, steps=4, neurons="klif",
                     time_input=False, seed=0, klif_options=None):
    """The thesis' KLIF network in Keras (see the module docstring).

    ``time_input=False``: input ``(batch, rows, cols, 1)``, encoded once and
    repeated over ``steps`` (the benchmark). ``time_input=True``: input
    ``(batch, time, rows, cols, 1)`` with any number of steps, encoded at every
    step (the same layers and weights; the form ``keras_spiking.ModelEnergy``
    reads). ``neurons="relu"`` puts ``Activation("relu")`` where KLIF is (the
    ANN of the same shape). ``klif_options``: more arguments of the KLIF layers
    (e.g. ``unroll=True``). Output: ``(batch, 10)`` vote rates.
    """
    import tensorflow as tf

    import nengo_snnext.keras as nk

    tf.random.set_seed(seed)
    layers = tf.keras.layers
    rows, cols = image_shape

    def spiking(name):
        if neurons == "relu":
            return layers.Activation("relu", name=name)
        # amplitude = dt: a spike is 1.0, as SpikingJelly's
        return nk.KLIF(amplitude=0.001, training="surrogate", name=name, **(klif_options or {}))

    if time_input:
        inp = tf.keras.Input((None, rows, cols, 1), name="image_steps")
        x = inp
    else:
        inp = tf.keras.Input((rows, cols, 1), name="image")
        x = inp
    def bn(name):  # PyTorch's BatchNorm defaults (momentum 0.1, eps 1e-5), as SpikingJelly's
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)

    def conv(name):
        return layers.Conv2D(channels, 3, padding="same", use_bias=False,
                             kernel_initializer=torch_init(), name=name)

    def dense(units, name):
        return layers.Dense(units, use_bias=False, kernel_initializer=torch_init(), name=name)

    branches = [
        bn(f"encoder_bn{i}")(conv(f"encoder{i}")(x))
        for i in range(3)
    ]
    x = layers.Add(name="encoded")(branches)
    if not time_input:
        x = layers.Lambda(lambda e: tf.repeat(e[:, None], steps, axis=1), name="repeat")(x)
    x = spiking("klif1")(x)
    x = conv("conv")(x)
    x = bn("conv_bn")(x)
    x = spiking("klif2")(x)
    x = layers.TimeDistributed(layers.AveragePooling2D(2), name="pool")(x)
    x = layers.Reshape((-1, channels * (rows // 2) * (cols // 2)), name="flatten")(x)
    x = dense(hidden, "fc")(x)
    x = bn("fc_bn")(x)
    x = spiking("klif3")(x)
    x = dense(N_CLASSES * VOTES, "votes")(x)
    x = bn("votes_bn")(x)
    x = spiking("klif4")(x)
    x = layers.GlobalAveragePooling1D(name="mean_over_time")(x)  # (batch, 100)
    x = layers.Reshape((N_CLASSES, VOTES), name="per_class")(x)
    out = layers.GlobalAveragePooling1D(data_format="channels_first", name="vote")(x)
    return tf.keras.Model(inp, out, name=f"thesis_{neurons}")


def keras_worker(args):
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import nengo_snnext.keras  # noqa: F401

    data = np.load(args.data)
    x_train, y_train, x_test, y_test = (data[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    n = len(x_train) // args.batch * args.batch  # drop the remainder, as the torch worker
    x_train, y_train = x_train[:n], y_train[:n]
    options = VARIANT_OPTIONS.get(args.worker, {})
    neurons = "relu" if args.worker == "keras_relu" else "klif"
    model = build_klif_model(x_train.shape[1:3], channels=args.channels, hidden=args.hidden,
                             steps=args.steps, seed=args.seed, neurons=neurons,
                             klif_options=options)
    model.compile(tf.keras.optimizers.Adam(args.lr), tf.keras.losses.MeanSquaredError())
    BatchTimer = batch_timer_class()
    one_hot = np.eye(N_CLASSES, dtype=np.float32)[y_train]
    warm = WARMUP_BATCHES * args.batch  # tracing and allocation, not timed
    start = time.perf_counter()
    model.fit(x_train[:warm], one_hot[:warm], batch_size=args.batch, epochs=1, verbose=0)
    warmup_s = time.perf_counter() - start
    timer = BatchTimer()
    for _ in range(args.epochs):
        timer.start_epoch()
        model.fit(x_train, one_hot, batch_size=args.batch, epochs=1, shuffle=True,
                  callbacks=[timer], verbose=0)
        timer.end_epoch("train")
    model.predict(x_test, batch_size=args.batch, verbose=0)  # warm-up (tracing)
    for _ in range(INFERENCE_PASSES):
        timer.start_epoch()
        out = model.predict(x_test, batch_size=args.batch, callbacks=[timer], verbose=0)
        timer.end_epoch("infer")
    accuracy = float(np.mean(out.argmax(axis=1) == y_test))
    ks = [float(layer.parameter_value("k")) for layer in model.layers
          if hasattr(layer, "parameter_value")]
    print(json.dumps(dict(
        framework=args.worker, warmup_s=warmup_s, **timer.results(), accuracy=accuracy, k=ks,
        threads=args.threads, versions=versions(),
    )))


def batch_timer_class():
    import tensorflow as tf

    class BatchTimer(tf.keras.callbacks.Callback):
        """Per-batch wall times of ``fit``/``predict`` and the process CPU time per batch.

        A callback with batch hooks makes Keras wait for every step, so a step's
        time is its computation (as the PyTorch loop's).
        """

        def __init__(self):
            super().__init__()
            self.batch_s = {"train": [], "infer": []}
            self.cpu_s = {"train": [], "infer": []}
            self.times = []

        def start_epoch(self):
            self.times, self.cpu = [], time.process_time()

        def end_epoch(self, kind):
            self.batch_s[kind] += self.times
            self.cpu_s[kind].append((time.process_time() - self.cpu) / max(len(self.times), 1))

        def begin(self, batch, logs=None):
            self.start = time.perf_counter()

        def end(self, batch, logs=None):
            self.times.append(time.perf_counter() - self.start)

        on_train_batch_begin = on_predict_batch_begin = begin
        on_train_batch_end = on_predict_batch_end = end

        def results(self):
            return dict(train_batch_s=self.batch_s["train"], train_cpu_s=self.cpu_s["train"],
                        infer_batch_s=self.batch_s["infer"], infer_cpu_s=self.cpu_s["infer"])

    return BatchTimer


# --- the NengoDL network --------------------------------------------------------


def nengo_dl_worker(args):
    """The same network as a Nengo model, trained in ``nengo_dl.Simulator`` (surrogate BPTT).

    Convolutions and dense layers are ``nengo.Connection`` transforms onto the
    neurons of ``nengo_snnext.KLIF`` ensembles (gain 1, bias 0); Nengo has no
    batch normalisation, so each BN is a ``nengo_dl.Layer`` (a TensorNode
    running ``tf.keras.layers.BatchNormalization``, statistics per step),
    average pooling a ``nengo_dl.Layer`` of ``AveragePooling2D``, voting a
    fixed transform. Differences from the Keras
    model: the encoder runs at every step (Nengo has no "once per image"
    stage) and ``k`` is a fixed neuron parameter (NengoDL trains weights only).
    """
    import warnings

    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import nengo
    import nengo_dl

    import nengo_snnext

    data = np.load(args.data)
    x_train, y_train, x_test, y_test = (data[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    n = len(x_train) // args.batch * args.batch
    x_train, y_train = x_train[:n], y_train[:n]
    n_test = len(x_test) // args.batch * args.batch  # NengoDL: whole minibatches
    x_test, y_test = x_test[:n_test], y_test[:n_test]
    rows, cols = x_train.shape[1:3]
    C, H, T = args.channels, args.hidden, args.steps
    klif = nengo_snnext.KLIF(amplitude=0.001)  # a spike is 1.0, as in the Keras model
    tf.random.set_seed(args.seed)

    def torch_init(fan_in):  # PyTorch's default, as in the Keras and torch models
        return nengo.dists.Uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in))

    def conv(c_in):
        return nengo.Convolution(C, (rows, cols, c_in), kernel_size=(3, 3), padding="same",
                                 init=torch_init(9 * c_in))

    def bn(pre, size):
        layer = tf.keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
        return nengo_dl.Layer(layer)(pre, shape_in=(size,))

    def klif_neurons(size):
        ens = nengo.Ensemble(size, 1, neuron_type=klif, gain=nengo.dists.Choice([1.0]),
                             bias=nengo.dists.Choice([0.0]))
        net.config[ens].trainable = False  # no bias
        return ens.neurons

    def dense(pre, size_in, size_out):
        node = nengo.Node(size_in=size_out)
        nengo.Connection(pre, node, synapse=None, transform=torch_init(size_in).sample(
            size_out, size_in, rng=np.random.RandomState(args.seed)))
        return node

    n_map = rows * cols * C
    with nengo.Network(seed=args.seed) as net:
        nengo_dl.configure_settings(trainable=None, stateful=False)
        nengo_snnext.configure_training("surrogate")
        inp = nengo.Node(np.zeros(rows * cols))
        s1 = klif_neurons(n_map)
        for _ in range(3):  # encoder: three conv + BN branches, summed at the neurons
            branch = nengo.Node(size_in=n_map)
            nengo.Connection(inp, branch, transform=conv(1), synapse=None)
            nengo.Connection(bn(branch, n_map), s1, synapse=None)
        conv_out = nengo.Node(size_in=n_map)
        nengo.Connection(s1, conv_out, transform=conv(C), synapse=None)
        s2 = klif_neurons(n_map)
        nengo.Connection(bn(conv_out, n_map), s2, synapse=None)
        # (a grouped-convolution transform has no CPU gradient in TensorFlow)
        pooled = nengo_dl.Layer(tf.keras.layers.AveragePooling2D(2))(
            s2, shape_in=(rows, cols, C))
        s3 = klif_neurons(H)
        nengo.Connection(bn(dense(pooled, pooled.size_out, H), H), s3, synapse=None)
        s4 = klif_neurons(N_CLASSES * VOTES)
        nengo.Connection(bn(dense(s3, H, N_CLASSES * VOTES), N_CLASSES * VOTES), s4,
                         synapse=None)
        votes = nengo.Node(size_in=N_CLASSES)
        vote = nengo.Connection(s4, votes, synapse=None, transform=np.kron(
            np.eye(N_CLASSES), np.full((1, VOTES), 1.0 / VOTES)))
        net.config[vote].trainable = False
        probe = nengo.Probe(votes)

    def steps(x):
        return np.repeat(x.reshape(len(x), 1, -1), T, axis=1)

    def mean_mse(y_true, y_pred):  # MSE of the mean over T (the target repeats over T)
        return tf.reduce_mean(tf.square(y_true[:, 0] - tf.reduce_mean(y_pred, axis=1)))

    one_hot = np.repeat(np.eye(N_CLASSES, dtype=np.float32)[y_train][:, None], T, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        sim = nengo_dl.Simulator(net, minibatch_size=args.batch, progress_bar=False,
                                 seed=args.seed)
        build_s = time.perf_counter() - start
    BatchTimer = batch_timer_class()
    timer = BatchTimer()
    with sim:
        sim.compile(tf.keras.optimizers.Adam(args.lr), loss={probe: mean_mse})
        warm = WARMUP_BATCHES * args.batch
        start = time.perf_counter()
        sim.fit({inp: steps(x_train[:warm])}, {probe: one_hot[:warm]}, epochs=1, verbose=0)
        warmup_s = time.perf_counter() - start
        for epoch in range(args.epochs):
            order = np.random.RandomState(args.seed + epoch).permutation(n)
            x, y = steps(x_train[order]), one_hot[order]
            timer.start_epoch()
            sim.fit({inp: x}, {probe: y}, epochs=1, verbose=0, shuffle=False, callbacks=[timer])
            timer.end_epoch("train")
        x = steps(x_test)
        sim.predict({inp: x}, verbose=0)  # warm-up
        for _ in range(INFERENCE_PASSES):
            timer.start_epoch()
            out = sim.predict({inp: x}, verbose=0, callbacks=[timer])[probe]
            timer.end_epoch("infer")
        accuracy = float(np.mean(out.mean(axis=1).argmax(1) == y_test))
    print(json.dumps(dict(
        framework="nengo_dl", warmup_s=warmup_s, build_s=build_s, **timer.results(),
        accuracy=accuracy, k=[klif.k] * 4, threads=args.threads, versions=versions(),
    )))


def versions():
    from importlib import metadata

    out = {}
    for name in ("tensorflow", "nengo", "nengo-dl", "nengo-snnext", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "?"
    return out


# --- the driver -------------------------------------------------------------------


def worker_command(args, framework, data_path):
    common = [
        "--data", str(data_path), "--channels", str(args.channels), "--hidden", str(args.hidden),
        "--steps", str(args.steps), "--batch", str(args.batch), "--lr", str(args.lr),
        "--epochs", str(args.epochs), "--threads", str(args.threads), "--seed", str(args.seed),
    ]
    if framework == "spikingjelly":
        return [args.torch_python, str(HERE / "spikingjelly_klif.py"), *common]
    return [sys.executable, str(Path(__file__).resolve()), "--worker", framework, *common]


def run_worker(command, threads, show_stderr=False):
    """Run a worker; its last stdout line is its JSON result. ``show_stderr``: let the
    worker's stderr (progress lines) through instead of keeping it for an error."""
    load = os.getloadavg()[0]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONWARNINGS="ignore")
    start = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=None if show_stderr else subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed (exit {proc.returncode}):\n"
                           f"{(proc.stderr or '(stderr above)')[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    result["load"] = (load, os.getloadavg()[0])  # 1-minute load average before, after
    return result


def driver(args):
    frameworks = (["keras"] + (["keras_loop"] if args.loop else [])
                  + (["keras_unrolled"] if args.unrolled else [])
                  + (["keras_relu"] if args.relu else []) + ["spikingjelly"]
                  + (["nengo_dl"] if args.nengo_dl else []))
    dataset, data = load_data(args.dataset, args.n_train, args.n_test, args.seed)
    import numpy as np

    results = {f: [] for f in frameworks}
    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp) / "data.npz"
        np.savez(data_path, **data)
        for rep in range(args.repeats):
            order = frameworks if rep % 2 == 0 else frameworks[::-1]
            for framework in order:
                result = run_worker(worker_command(args, framework, data_path), args.threads)
                results[framework].append(result)
                med = {key: statistics.median(result[key]) for key in (
                    "train_batch_s", "train_cpu_s", "infer_batch_s", "infer_cpu_s")}
                print(f"rep {rep} {framework:14s} train {med['train_batch_s']:6.3f} s/batch "
                      f"(CPU {med['train_cpu_s']:6.3f})  inference {med['infer_batch_s']:6.3f} "
                      f"s/batch (CPU {med['infer_cpu_s']:6.3f})  accuracy "
                      f"{result['accuracy']:.3f}  k {' '.join(f'{k:.3f}' for k in result['k'])}",
                      flush=True)
    report = make_report(args, dataset, data, results)
    print(report)
    if args.output:
        Path(args.output).write_text(report)


def summarise(runs, kind):
    """Median and fastest per-batch wall time (pooled over repetitions), median CPU per batch."""
    wall = [t for r in runs for t in r[f"{kind}_batch_s"]]
    cpu = [c for r in runs for c in r[f"{kind}_cpu_s"]]
    return statistics.median(wall), min(wall), statistics.median(cpu), len(wall)


LABELS = {
    "keras": "ours: `nengo_snnext.keras.KLIF` in Keras",
    "keras_loop": "ours as a loop, `unroll=False, jit_compile=False`",
    "keras_unrolled": "ours unrolled, step not compiled, `unroll=True, jit_compile=False`",
    "keras_relu": "reference: the Keras network with ReLU for KLIF",
    "spikingjelly": "SpikingJelly `KLIFNode` (PyTorch)",
    "nengo_dl": "ours in `nengo_dl.Simulator`",
}


def make_report(args, dataset, data, results):
    rows, cols = data["x_train"].shape[1:3]
    n_batches = len(data["x_train"]) // args.batch
    lines = [
        "# Keras benchmark: the thesis' Fashion-MNIST KLIF network",
        "",
        f"Produced by `python benchmarks/bench_keras.py {' '.join(sys.argv[1:])}` "
        f"({time.strftime('%Y-%m-%d')}).",
        "",
        f"Network (thesis ch. 2, scaled): encoder 3 x ({args.channels}C3 + BN) summed, "
        f"KLIF, {args.channels}C3 + BN, KLIF, AP2, {args.hidden}FC + BN, KLIF, 100FC + BN, "
        f"KLIF, voting (AP10), mean over T; T = {args.steps}, batch {args.batch}, "
        f"Adam {args.lr:g}, MSE, surrogate arctan (alpha = 2), trainable k per layer "
        f"(not in NengoDL). Data: {dataset} {rows}x{cols}, {n_batches * args.batch} "
        f"training and {len(data['x_test'])} test images. Threads: {args.threads} per "
        f"framework.",
        "",
    ]
    for kind, title in (("train", "Training (forward, BPTT, Adam step)"),
                        ("infer", "Inference (spiking forward pass)")):
        ours = summarise(results["keras"], kind)
        lines += [
            f"### {title}: seconds per batch of {args.batch} images x {args.steps} steps",
            "",
            "| implementation | median | fastest | CPU | ours / it: median | fastest | CPU |",
            "|---|---|---|---|---|---|---|",
        ]
        for framework, runs in results.items():
            median, fastest, cpu, _ = summarise(runs, kind)
            ratios = ["", "", ""] if framework == "keras" else [
                f"{ours[0] / median:.2f}x", f"{ours[1] / fastest:.2f}x", f"{ours[2] / cpu:.2f}x"]
            lines.append(f"| {LABELS[framework]} | {median:.3f} | {fastest:.3f} | {cpu:.3f} | "
                         + " | ".join(ratios) + " |")
        lines.append("")
    n_train = summarise(results["keras"], "train")[3]
    lines += [
        f"Median and fastest: wall time of one batch, over all timed batches of "
        f"{args.repeats} repetitions ({n_train} training batches: {args.epochs} epoch(s) of "
        f"{n_batches} after {WARMUP_BATCHES} warm-up batches; inference: {INFERENCE_PASSES} "
        f"passes over the test images after a warm-up pass). CPU: process CPU time (all "
        f"threads) per batch, median over epochs / passes. Every repetition runs each "
        f"implementation in a fresh process, in turn (order alternating).",
        "",
        "| implementation | test accuracy | learned k (4 layers) | load average during its runs |",
        "|---|---|---|---|",
    ]
    for framework, runs in results.items():
        accuracy = statistics.median(r["accuracy"] for r in runs)
        ks = " ".join(f"{k:.3f}" for k in runs[-1]["k"]) or "(none)"
        loads = [x for r in runs for x in r["load"]]
        lines.append(f"| {LABELS[framework]} | {accuracy:.3f} | {ks} | "
                     f"{min(loads):.1f} - {max(loads):.1f} |")
    ver = results["keras"][0]["versions"]
    sj = results["spikingjelly"][0]["versions"]
    lines += [
        "",
        f"Accuracy after {args.epochs} epoch(s) on the subset (a check that they learn, "
        f"not a result). Load average: the machine's 1-minute load average before and "
        f"after each run of the implementation ({os.cpu_count()} cores; our worker adds "
        f"up to {args.threads}).",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPU cores "
        f"({cpu_model()}), {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}; TensorFlow {ver['tensorflow']}, nengo {ver['nengo']}, "
        f"nengo-dl {ver['nengo-dl']}, numpy {ver['numpy']}; PyTorch {sj['torch']}, "
        f"SpikingJelly {sj['spikingjelly']} (separate venv).",
        "",
    ]
    return "\n".join(lines)


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or "unknown CPU"


def main(argv=None):
    args = parse_args(argv)
    if args.worker in ("keras", "keras_loop", "keras_unrolled", "keras_relu"):
        keras_worker(args)
    elif args.worker == "nengo_dl":
        nengo_dl_worker(args)
    else:
        driver(args)


if __name__ == "__main__":
    main()
