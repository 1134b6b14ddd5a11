"""Neural-oscillation defence against adversarial examples (Jiang 2022, ch. 3), at CPU scale.

A small VGG-style spiking CNN on Fashion-MNIST (28 x 28 grey images in
``[0, 1]``), presented for ``n_steps`` steps as a static input:
``Conv(8) + BN -> AvgPool -> spikes -> Conv(16) + BN -> spikes -> AvgPool ->
Dropout -> Dense(64) -> spikes -> Dense(10) -> mean over time`` (no biases
before spikes, BN after convolutions, average pooling, dropout before the
dense layers: the thesis' VGG recipe, with far fewer layers and channels).
Three copies:

- ``"LIF"`` (benchmark): the thesis' lambda-form LIF (eq. 3.1, ``lambda = 0.5``);
- ``"NO"``: neural-oscillation neurons (eqs. 3.10-3.13, ``U[-0.2, 0.8]`` noise);
- ``"ALT"``: the NO network's weights with alternative neurons whose ``c, d``
  are fitted by teacher-student (eq. 3.15).

All trained with surrogate BPTT (arctan, ``alpha = 3``; cross-entropy on the
mean output). :func:`reproduce` fills the scenario table (Table 3.2 scenarios
x clean/FGSM/PGD-5/BIM-5/MIM-5 at ``eps = 8/255``) on 1000 test images and
adds the adaptive attacks: EOT and BPDA on the deployed NO network, the Square
attack, and Carlini et al.'s sanity checks. Reproduce with
``snnext reproduce oscillation_vgg`` (about half an hour on 2 CPU cores).
"""

import json
import time
from functools import partial

import numpy as np
import tensorflow as tf

import nengo_snnext.keras as nk
from nengo_snnext.attacks import (
    accuracy,
    alternative_network,
    carlini_checks,
    fit_alternative,
    pgd,
    scenario_table,
    square,
    surrogate_model,
)
from nengo_snnext.data import load_fashion_mnist
from nengo_snnext.data.cifar10 import load_cifar10

NAME = "oscillation_vgg"
TITLE = ("Neural-oscillation adversarial defence (Jiang ch. 3, Tables 3.2-3.7) on a small "
         "VGG-style spiking CNN: scenarios 1-5 x FGSM/PGD-5/BIM-5/MIM-5, plus EOT, BPDA, "
         "Square and Carlini sanity checks")

# Jiang Tables 3.3-3.7, VGG-16/CIFAR-10 (B = LIF benchmark, O = the defence), percent
_THESIS = {
    "B": {"clean": 88.6, "FGSM": 14.2, "PGD-5": 3.0, "BIM-5": 1.9, "MIM-5": 2.8},
    "1": {"clean": 88.59, "FGSM": 30.9, "PGD-5": 14.7, "BIM-5": 14.3, "MIM-5": 14.9},
    "2": {"clean": 87.38, "FGSM": 52.2, "PGD-5": 28.1, "BIM-5": 31.6, "MIM-5": 30.8},
    "3": {"clean": 88.59, "FGSM": 40.1, "PGD-5": 40.8, "BIM-5": 36.2, "MIM-5": 26.7},
    "4": {"clean": 88.59, "FGSM": 56.5, "PGD-5": 45.0, "BIM-5": 41.4, "MIM-5": 35.4},
    "5": {"clean": 87.38, "FGSM": 28.4, "PGD-5": 12.1, "BIM-5": 12.5, "MIM-5": 13.0},
}
THESIS_TABLE = _THESIS  # {scenario: {attack: percent}}, for format_table's reference
SEED_FIGURES = {
    "source": "Jiang (2022) Tables 3.3-3.7, VGG-16 on CIFAR-10, eps = 8/255 (percent / 100)",
    **{f"scenario {s} {a}": v / 100 for s, row in _THESIS.items() for a, v in row.items()},
}

N_STEPS = 4  # the thesis uses T = 8; 4 keeps the CPU run short
NEURONS = ("LIF", "NO", "ALT")


@tf.keras.utils.register_keras_serializable(package="nengo_snnext")
class RepeatSteps(tf.keras.layers.Layer):
    """Present a static input for ``n_steps`` steps: ``(batch, ...) -> (batch, n_steps, ...)``."""

    def __init__(self, n_steps, **kwargs):
        super().__init__(**kwargs)
        if int(n_steps) < 1:
            raise ValueError(f"n_steps must be at least 1, got {n_steps}")
        self.n_steps = int(n_steps)

    def call(self, inputs):
        return tf.repeat(inputs[:, None], self.n_steps, axis=1)

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        return input_shape[:1].concatenate([self.n_steps]).concatenate(input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "n_steps": self.n_steps}


def spiking_layer(neuron, name, c=0.0, d=0.0):
    """One spiking layer of the given kind; spikes of height 1, surrogate training."""
    kw = dict(amplitude=0.001, training="surrogate", surrogate_alpha=3.0, unroll=True, name=name)
    if neuron == "LIF":
        return nk.DiscreteLIF(input_scaling="none", **kw)  # eq. 3.1, lambda = 1 - dt/tau = 0.5
    if neuron == "NO":
        return nk.NeuralOscillation(**kw)
    if neuron == "ALT":
        return nk.AltNeuralOscillation(c=c, d=d, **kw)
    raise ValueError(f"neuron must be one of {NEURONS}, got {neuron!r}")


def build(neuron="NO", *, n_steps=N_STEPS, c=0.0, d=0.0, channels=(8, 16), hidden=64,
          dropout=0.2, n_classes=10, input_shape=(28, 28, 1)):
    """The spiking CNN with ``neuron`` in {"LIF", "NO", "ALT"} (``c, d`` for ALT).

    Input: images ``(batch, H, W, C)`` in ``[0, 1]``; output: logits (the mean
    over ``n_steps`` of the readout).
    """
    layers = tf.keras.layers
    images = tf.keras.Input(input_shape, name="image")
    x = layers.Conv2D(channels[0], 3, padding="same", use_bias=False, name="conv1")(images)
    x = layers.BatchNormalization(momentum=0.9, name="bn1")(x)
    x = layers.AveragePooling2D(name="pool1")(x)
    x = RepeatSteps(n_steps, name="steps")(x)
    x = spiking_layer(neuron, "spikes1", c, d)(x)
    x = layers.Conv2D(channels[1], 3, padding="same", use_bias=False, name="conv2")(x)
    x = layers.BatchNormalization(momentum=0.9, name="bn2")(x)
    x = spiking_layer(neuron, "spikes2", c, d)(x)
    x = layers.TimeDistributed(layers.AveragePooling2D(), name="pool2")(x)
    x = layers.Reshape((n_steps, -1), name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(hidden, use_bias=False, name="fc1")(x)
    x = spiking_layer(neuron, "spikes3", c, d)(x)
    x = layers.Dense(n_classes, name="readout")(x)
    logits = nk.TimeMean(name="time_mean")(x)
    return tf.keras.Model(images, logits, name=f"vgg_{neuron.lower()}")


def train(model, x, y, *, epochs=2, batch_size=32, learning_rate=2e-3, progress=True):
    """Surrogate BPTT with Adam and cosine decay, cross-entropy on the mean output."""
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = tf.keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(tf.keras.optimizers.Adam(schedule),
                  tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=2 if progress else 0)
    return model


DATASETS = ("fashion-mnist", "cifar10")


def load_data(data_dir, n_train, n_test, seed, dataset="fashion-mnist"):
    """Images in [0, 1], ``(n, 28, 28, 1)`` (Fashion-MNIST) or ``(n, 32, 32, 3)``
    (CIFAR-10, the thesis' data set, from the user's files); random subsets."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose from {DATASETS}")
    rng = np.random.RandomState(seed)
    sets = []
    for subset, n in (("train", n_train), ("test", n_test)):
        if dataset == "cifar10":
            images, labels = load_cifar10(subset, directory=data_dir)
        else:
            images, labels = load_fashion_mnist(subset, directory=data_dir)
            images = images[..., None]
        index = rng.choice(len(images), size=min(n, len(images)), replace=False)
        sets.append((images[index].astype(np.float32) / 255, labels[index].astype(np.int64)))
    return sets


def adaptive_rows(networks, x, y, *, eps, steps, samples, queries, batch_size, progress):
    """Adaptive attacks on the deployed NO network (inference always NO; LIF for reference)."""
    no, alt, lif = networks["NO"], networks["ALT"], networks["LIF"]
    bpda = surrogate_model(no)
    attacks = {
        f"PGD-{steps} crafted on ALT (scenario 4, more steps)":
            (alt, partial(pgd, steps=steps)),
        f"PGD-{steps} white-box on NO": (no, partial(pgd, steps=steps)),
        f"EOT-PGD-{steps} on NO ({samples} draws)":
            (no, partial(pgd, steps=steps, samples=samples)),
        f"BPDA+EOT-PGD-{steps} on NO (sigmoid surrogate, {samples} draws)":
            (bpda, partial(pgd, steps=steps, samples=samples)),
        f"Square ({queries} queries) on NO": (no, partial(square, queries=queries)),
    }
    rows = {}
    for name, (crafter, attack) in attacks.items():
        t0 = time.time()
        adversarial = attack(crafter, x, y, eps=eps, batch_size=batch_size, progress=progress)
        rows[name] = {"accuracy": accuracy(no, adversarial, y),
                      "minutes": round((time.time() - t0) / 60, 2)}
        if progress:
            print(f"{name}: {100 * rows[name]['accuracy']:.1f} %")
    strongest = min(r["accuracy"] for r in rows.values())
    rows.update(benchmark_rows(lif, x, y, eps=eps, steps=steps, queries=queries,
                               batch_size=batch_size, progress=progress))
    return rows, strongest


def benchmark_rows(lif, x, y, *, eps, steps, queries, batch_size, progress):
    """The same adaptive attacks on the LIF benchmark (is its own accuracy masked?)."""
    attacks = {
        f"PGD-{steps} white-box on LIF benchmark": (lif, partial(pgd, steps=steps)),
        f"BPDA-PGD-{steps} on LIF benchmark (sigmoid surrogate)":
            (surrogate_model(lif), partial(pgd, steps=steps)),
        f"Square ({queries} queries) on LIF benchmark": (lif, partial(square, queries=queries)),
    }
    rows = {}
    for name, (crafter, attack) in attacks.items():
        t0 = time.time()
        adversarial = attack(crafter, x, y, eps=eps, batch_size=batch_size, progress=progress)
        rows[name] = {"accuracy": accuracy(lif, adversarial, y),
                      "minutes": round((time.time() - t0) / 60, 2)}
    return rows


def reproduce(quick=False, data_dir=None, seed=0, progress=True, out=None, *, n_train=None,
              n_test=None, epochs=None, eps=8 / 255, adaptive_steps=None, eot_samples=None,
              queries=None, dataset="fashion-mnist"):
    """Train LIF and NO, fit ALT, and evaluate every scenario and adaptive attack.

    Full run: 20000 training images, 2 epochs per network, 3 teacher-student
    epochs on 2000 images, 1000 test images, PGD-20 / EOT with 4 draws /
    Square with 300 queries. ``quick``: 600 training images, 1 epoch, 40 test
    images, 2-step adaptive attacks and 10 queries (a smoke test of the whole
    pipeline, not a result). ``dataset="cifar10"`` runs on CIFAR-10 from the user's
    files (:func:`nengo_snnext.data.cifar10.load_cifar10`, 32 x 32 x 3 input).

    Returns ``{"rows", "seconds", "config", "table", "checks", "teacher_student"}``;
    ``rows`` are ``"scenario S ATTACK"`` and the adaptive attacks, each
    ``{"accuracy": fraction}``.
    """
    start = time.time()
    n_train = n_train or (600 if quick else 20000)
    n_test = n_test or (40 if quick else 1000)
    epochs = epochs or (1 if quick else 2)
    steps = adaptive_steps or (2 if quick else 20)
    samples = eot_samples or (2 if quick else 4)
    queries = queries or (10 if quick else 300)
    tf.keras.utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_data(data_dir, n_train, n_test, seed, dataset)

    timings = {}
    networks = {}
    for neuron in ("LIF", "NO"):
        t0 = time.time()
        networks[neuron] = train(build(neuron, input_shape=x_train.shape[1:]), x_train, y_train,
                                 epochs=epochs,
                                 progress=progress)
        timings[f"train {neuron}"] = round((time.time() - t0) / 60, 2)
    t0 = time.time()
    fit = fit_alternative(networks["NO"], x_train[:min(len(x_train), 2000)],
                          epochs=1 if quick else 3, learning_rate=0.02, seed=seed,
                          progress=progress)
    networks["ALT"] = alternative_network(networks["NO"], fit.c, fit.d)
    timings["teacher-student"] = round((time.time() - t0) / 60, 2)
    if progress:
        print(f"teacher-student: c = {fit.c:.4f}, d = {fit.d:.4f}, H* = "
              f"{fit.effective_threshold:.3f} (teacher median {fit.median_threshold:.3f})")

    t0 = time.time()
    table = scenario_table(networks, x_test, y_test, eps=eps, progress=progress)
    timings["scenarios"] = round((time.time() - t0) / 60, 2)
    rows = {f"scenario {s} {a}": {"accuracy": v} for s, row in table.items()
            for a, v in row.items()}

    t0 = time.time()
    adaptive, strongest = adaptive_rows(
        networks, x_test, y_test, eps=eps, steps=steps, samples=samples, queries=queries,
        batch_size=100, progress=progress)
    rows.update(adaptive)
    strongest = min([strongest] + [table[s][a] for s in ("1", "3", "4") for a in table[s]])
    rows["NO: robust accuracy under the strongest attack"] = {"accuracy": strongest}
    timings["adaptive"] = round((time.time() - t0) / 60, 2)

    t0 = time.time()
    checks = carlini_checks(networks["NO"], x_test, y_test, eps, short=1 if quick else 5,
                            long=steps, unbounded_steps=steps, queries=queries)
    timings["carlini checks"] = round((time.time() - t0) / 60, 2)
    result = {
        "rows": rows,
        "seconds": time.time() - start,
        "config": dict(quick=quick, dataset=dataset, n_train=n_train, n_test=n_test,
                       epochs=epochs, eps=eps,
                       n_steps=N_STEPS, adaptive_steps=steps, eot_samples=samples,
                       queries=queries, seed=seed, minutes=timings),
        "table": table,
        "checks": checks,
        "teacher_student": fit._asdict(),
    }
    if out is not None:
        with open(out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return result
