"""CIFAR-10 from the "python version" batches (``cifar-10-batches-py``), local files only."""

import os
import pickle
from pathlib import Path

import numpy as np

from nengo_snnext.data.fashion_mnist import DatasetNotFoundError

FILES = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
FOLDER = "cifar-10-batches-py"


def search_directories(directory=None):
    """Where the batches are looked for, in order (each also with ``cifar-10-batches-py/``)."""
    bases = [Path(directory)] if directory is not None else []
    if os.environ.get("NENGO_SNNEXT_DATA"):
        bases.append(Path(os.environ["NENGO_SNNEXT_DATA"]))
    bases.append(Path.home() / ".keras" / "datasets")
    return [d for base in bases for d in (base, base / FOLDER)]


def load_cifar10(subset="train", directory=None):
    """CIFAR-10 images ``(n, 32, 32, 3)`` uint8 and labels ``(n,)`` uint8.

    Reads the pickled batches of https://www.cs.toronto.edu/~kriz/cifar.html
    (``data_batch_1`` ... ``data_batch_5``, ``test_batch``: a dict with ``b"data"``,
    ``(10000, 3072)`` uint8 in channel-first order, and ``b"labels"``).

    Raises
    ------
    DatasetNotFoundError
        If the batches are in none of the searched directories; the message lists
        them and where to put the files.
    """
    if subset not in FILES:
        raise ValueError(f"subset must be one of {sorted(FILES)}, got {subset!r}")
    dirs = search_directories(directory)
    found = next((d for d in dirs if all((d / name).is_file() for name in FILES[subset])), None)
    if found is None:
        searched = "\n".join(f"  {d}" for d in dirs)
        raise DatasetNotFoundError(
            f"CIFAR-10 batches {FILES[subset]} not found. Searched:\n{searched}\n"
            f"Download cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html "
            f"and extract it into one of these directories (or pass its path)."
        )
    images, labels = [], []
    for name in FILES[subset]:
        with open(found / name, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        images.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(np.asarray(batch[b"labels"], dtype=np.uint8))
    return np.concatenate(images), np.concatenate(labels)
