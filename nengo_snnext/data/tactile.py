"""Jiang ch. 6 tactile-roughness data: PVDF recordings, augmentation and the IDX image files.

The PVDF recordings (8 nickel surfaces, 10 slides each, two films) are not
public. What the thesis documents is:

- the split: per class 7 training and 3 test slides (:func:`split_recordings`);
- the augmentation: every training slide is cut into 4 equal pieces in time, the
  slides of a class are put in two groups (slides 1-4 and 5-7) and every
  combination that takes time-piece ``k`` from any slide of the group is a new
  sample: ``4**4 + 3**4 = 337`` per class, 2696 in all (:func:`augment_class`);
- each sample becomes a 28x28 grayscale image (the thesis does not say how; ours:
  :func:`signal_to_image`);
- the network reads MNIST-style IDX files ``train-images.idx3-ubyte`` /
  ``train-labels.idx1-ubyte`` (2696) and ``test-images6.idx3-ubyte`` /
  ``test-labels6.idx1-ubyte`` (24) (the App. E code's ``get_labeled_data``):
  :func:`load_tactile` reads them, :func:`write_tactile` writes them.

:func:`synthetic_recordings` generates signals in the recordings' layout (classes
x slides x samples) for tests and the quick reproduction.
"""

import itertools
import os
from pathlib import Path

import numpy as np

from nengo_snnext.data.fashion_mnist import DatasetNotFoundError
from nengo_snnext.data.idx import read_idx, write_idx

#: the App. E code's file names
FILES = {
    "train": ("train-images.idx3-ubyte", "train-labels.idx1-ubyte"),
    "test": ("test-images6.idx3-ubyte", "test-labels6.idx1-ubyte"),
}
#: Jiang's groups of training slides (0-based): slides 1-4 and 5-7
GROUPS = ((0, 1, 2, 3), (4, 5, 6))
N_PIECES = 4


def synthetic_recordings(n_classes=8, n_slides=10, length=2000, *, seed=0):
    """PVDF-like signals ``(n_classes, n_slides, length)`` whose texture depends on the class.

    Each class is a rough surface with its own spatial period: the signal is a
    noisy carrier whose frequency and amplitude grow with the class index, plus
    slide-to-slide jitter in phase, speed and gain (generated, not measured).
    """
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, length, endpoint=False)
    signals = np.empty((n_classes, n_slides, length))
    for c in range(n_classes):
        frequency = 20.0 * (c + 1)
        for s in range(n_slides):
            speed = rng.uniform(0.9, 1.1)
            phase = rng.uniform(0, 2 * np.pi)
            carrier = np.sin(2 * np.pi * frequency * speed * t + phase)
            signals[c, s] = (0.3 + 0.1 * c) * rng.uniform(0.8, 1.2) * carrier + 0.05 * (
                rng.standard_normal(length)
            )
    return signals


def split_recordings(recordings, *, n_train=7, seed=0):
    """Random per-class split of the slides: ``(train, test)`` of shapes ``(C, 7, L)``, ``(C, 3, L)``."""
    recordings = np.asarray(recordings)
    rng = np.random.RandomState(seed)
    train, test = [], []
    for slides in recordings:
        order = rng.permutation(len(slides))
        train.append(slides[order[:n_train]])
        test.append(slides[order[n_train:]])
    return np.array(train), np.array(test)


def augment_class(slides, groups=GROUPS, n_pieces=N_PIECES):
    """All within-group recombinations of equal time pieces (Jiang Fig. 6.5).

    ``slides`` is ``(n_slides, length)``; returns ``(n_new, length')`` with
    ``length' = n_pieces * (length // n_pieces)``: piece ``k`` of a new sample is
    piece ``k`` of any slide of the group, so a group of ``g`` slides gives
    ``g**n_pieces`` samples (337 for Jiang's groups of 4 and 3).
    """
    slides = np.asarray(slides)
    piece = slides.shape[1] // n_pieces
    pieces = slides[:, : piece * n_pieces].reshape(len(slides), n_pieces, piece)
    out = []
    for group in groups:
        for choice in itertools.product(group, repeat=n_pieces):
            out.append(np.concatenate([pieces[s, k] for k, s in enumerate(choice)]))
    return np.array(out)


def signal_to_image(signal, side=28):
    """1-D signals ``(..., length)`` as ``(..., side, side)`` uint8 images (our reading).

    The thesis only says "we represent each sample as a 28x28 grayscale image". Here
    the rectified signal ``|x|`` is averaged in ``side**2`` consecutive time bins of
    (near-)equal length (its envelope, which carries the texture's vibration
    energy, eq. 6.14), scaled so that each image's largest bin is 255, and laid out
    row by row. Needs ``length >= side**2``.
    """
    signal = np.abs(np.asarray(signal, dtype=float))
    n = signal.shape[-1]
    if n < side * side:
        raise ValueError(f"signals of {n} samples are shorter than the {side * side} pixels")
    edges = np.linspace(0, n, side * side + 1).astype(int)
    envelope = np.add.reduceat(signal, edges[:-1], axis=-1) / np.diff(edges)
    top = envelope.max(axis=-1, keepdims=True)
    scaled = np.divide(envelope * 255.0, top, out=np.zeros_like(envelope), where=top > 0)
    return np.round(scaled).astype(np.uint8).reshape(*signal.shape[:-1], side, side)


def make_dataset(recordings, *, seed=0):
    """Split, augment and render: ``((x_train, y_train), (x_test, y_test))`` uint8 images."""
    train, test = split_recordings(recordings, seed=seed)
    augmented = [augment_class(slides) for slides in train]
    x_train = signal_to_image(np.concatenate(augmented))
    y_train = np.concatenate([np.full(len(a), c) for c, a in enumerate(augmented)])
    x_test = signal_to_image(test.reshape(-1, test.shape[-1]))
    y_test = np.repeat(np.arange(len(test)), test.shape[1])
    return (x_train, y_train.astype(np.uint8)), (x_test, y_test.astype(np.uint8))


def write_tactile(directory, train, test):
    """Write the four IDX files of :data:`FILES` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for subset, (x, y) in (("train", train), ("test", test)):
        images, labels = FILES[subset]
        write_idx(directory / images, np.asarray(x, dtype=np.uint8))
        write_idx(directory / labels, np.asarray(y, dtype=np.uint8))


def load_tactile(subset="train", directory=None):
    """Images ``(n, 28, 28)`` and labels of the tactile IDX files (:data:`FILES`).

    Looks in ``directory``, then ``$NENGO_SNNEXT_DATA/tactile``; a missing file
    raises :class:`~nengo_snnext.data.DatasetNotFoundError` saying where to put it.
    """
    if subset not in FILES:
        raise ValueError(f"subset must be one of {sorted(FILES)}, got {subset!r}")
    dirs = [Path(directory)] if directory is not None else []
    if os.environ.get("NENGO_SNNEXT_DATA"):
        dirs.append(Path(os.environ["NENGO_SNNEXT_DATA"]) / "tactile")
    paths = []
    for name in FILES[subset]:
        found = [d / n for d in dirs for n in (name, name + ".gz") if (d / n).exists()]
        if not found:
            searched = "\n".join(f"  {d}" for d in dirs) or "  (no directory given)"
            raise DatasetNotFoundError(
                f"tactile file {name} not found. Searched:\n{searched}\n"
                "The PVDF recordings of Jiang's chapter 6 are not public. Put the four "
                f"IDX files {sum(FILES.values(), ())} in a directory and pass it as "
                "data_dir= (or $NENGO_SNNEXT_DATA/tactile), or render your own "
                "recordings with nengo_snnext.data.tactile.make_dataset and write_tactile."
            )
        paths.append(found[0])
    images, labels = (read_idx(p) for p in paths)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{paths[0]} and {paths[1]} do not match: images {images.shape}, labels "
            f"{labels.shape}"
        )
    return images, labels
