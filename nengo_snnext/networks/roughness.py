"""Jiang ch. 6: tactile roughness (8 surfaces) learned without labels by the Diehl & Cook network.

PVDF recordings of sliding over 8 nickel surfaces (Ra 0.4-50 um) are split 7/3
per class, the 7 training slides augmented to 337 recombinations per class (2696
in all), rendered as 28x28 images and learned by the STDP network of
:mod:`nengo_snnext.networks.diehl_cook` (400 + 400 neurons in the thesis); neurons
are labelled on the training images and the 24 test slides classified by the
highest mean class response (:mod:`nengo_snnext.data.tactile`).

The recordings are not public: ``reproduce()`` reads the thesis' IDX files from
``data_dir``; ``reproduce(quick=True)`` runs on generated signals in the
recordings' layout (so its accuracy says nothing about the thesis figure).
"""

import time

import numpy as np

from nengo_snnext.data.tactile import load_tactile, make_dataset, synthetic_recordings
from nengo_snnext.networks import diehl_cook

NAME = "roughness"
TITLE = "Jiang ch. 6 tactile roughness: Diehl & Cook STDP network on augmented PVDF recordings"
SEED_FIGURES = {
    "source": "Jiang PhD thesis ch. 6 (section 6.3, Table 6.1); 24 test slides",
    "PVDF1, 400 neurons, 15 epochs": 20 / 24,
    "PVDF2, 400 neurons": 13 / 24,
    "PVDF1, 100 neurons (best)": 0.667,
    "PVDF1, 1600 neurons (best)": 0.75,
    "PVDF1, 400 neurons, epochs 11-15 pooled (Table 6.1)": 0.75,
}
N_CLASSES = 8


def build(n_exc=400, **kwargs):
    """The Diehl & Cook network with 784 inputs (:func:`.diehl_cook.build`)."""
    return diehl_cook.build(n_exc, 784, **kwargs)


def reproduce(quick=False, data_dir=None, seed=0, progress=True, out=None, *, n_exc=None,
              epochs=None):
    """Train on the augmented training images, label on them, test on the 24 slides.

    Full: the thesis' IDX files from ``data_dir``, 400 neurons, 1 epoch of 2696
    presentations (the thesis trains up to 15). ``quick``: generated recordings,
    10 neurons, 16 training images (2 per class), 100 ms presentations at dt = 1 ms.
    """
    start = time.time()
    if quick:
        (x_tr, y_tr), (x_te, y_te) = make_dataset(synthetic_recordings(seed=seed), seed=seed)
        pick = np.concatenate([np.flatnonzero(y_tr == c)[:: 337 // 2][:2] for c in range(8)])
        x_tr, y_tr = x_tr[pick], y_tr[pick]
        n_exc, epochs = n_exc or 10, epochs or 1
        timing = dict(t_present=0.1, t_rest=0.03, dt=0.001)
        source = "generated signals"
    else:
        x_tr, y_tr = load_tactile("train", data_dir)
        x_te, y_te = load_tactile("test", data_dir)
        n_exc, epochs = n_exc or 400, epochs or 1
        timing = dict(t_present=0.35, t_rest=0.15, dt=diehl_cook.DT)
        source = "PVDF recordings"
    x_tr = x_tr.reshape(len(x_tr), -1).astype(float)
    x_te = x_te.reshape(len(x_te), -1).astype(float)
    rng = np.random.RandomState(seed)
    order = np.concatenate([rng.permutation(len(x_tr)) for _ in range(epochs)])
    net = build(n_exc, seed=seed, dt=timing["dt"])
    weights, theta = diehl_cook.train(net, x_tr[order], seed=seed, progress=progress, **timing)
    t_train = time.time() - start
    accuracy = diehl_cook.evaluate(
        weights, theta, (x_tr, y_tr), (x_te, y_te.astype(int)), n_classes=N_CLASSES,
        seed=seed, progress=progress, **timing,
    )
    if out is not None:
        np.savez(out, weights=weights, theta=theta)
    label = f"{source}, {n_exc} neurons, {epochs} epoch(s) of {len(x_tr)}"
    return {
        "rows": {label: {"accuracy": accuracy, "train_minutes": round(t_train / 60, 2),
                         "n_test": len(x_te)}},
        "seconds": time.time() - start,
        "config": dict(n_exc=n_exc, epochs=epochs, seed=seed, quick=quick, **timing),
    }
