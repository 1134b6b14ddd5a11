"""Fashion-MNIST from local IDX files (no download at run time).

Searched, in order: the ``directory`` argument, ``$NENGO_SNNEXT_DATA/fashion-mnist``,
``~/.keras/datasets/fashion-mnist`` (where Keras caches it), ``~/.keras/datasets``
and ``/usr/share/datasets/fashion-mnist`` (the Debian/Ubuntu package
``dataset-fashion-mnist``). Each file may be gzipped (``.gz``) or not.
"""

import os
from pathlib import Path

from nengo_snnext.data.idx import read_idx

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

class DatasetNotFoundError(FileNotFoundError):
    """A data set's files are not on this machine; the message says where to put them."""


def default_directories():
    """Where Keras caches Fashion-MNIST and where the Debian package installs it."""
    keras = Path.home() / ".keras" / "datasets"
    return [keras / "fashion-mnist", keras, Path("/usr/share/datasets/fashion-mnist")]


def search_directories(directory=None):
    """The directories searched for the Fashion-MNIST files, in order."""
    dirs = []
    if directory is not None:
        dirs.append(Path(directory))
    if os.environ.get("NENGO_SNNEXT_DATA"):
        dirs.append(Path(os.environ["NENGO_SNNEXT_DATA"]) / "fashion-mnist")
    return dirs + default_directories()


def _find(name, dirs):
    for d in dirs:
        for candidate in (d / (name + ".gz"), d / name):
            if candidate.is_file():
                return candidate
    return None


def load_fashion_mnist(subset="train", directory=None):
    """Fashion-MNIST images and labels.

    Parameters
    ----------
    subset : {"train", "test"}
        60000 training or 10000 test examples.
    directory : str or Path, optional
        Look here first.

    Returns
    -------
    images : uint8 array, shape (n, 28, 28)
    labels : uint8 array, shape (n,)

    Raises
    ------
    DatasetNotFoundError
        If the files are not in any searched directory; the message lists them
        and how to install the files.
    """
    return load_idx_pair(
        subset,
        search_directories(directory),
        dataset="Fashion-MNIST",
        install_hint=(
            "Install them with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu, "
            "files in /usr/share/datasets/fashion-mnist), or copy the four idx files "
            "from https://github.com/zalandoresearch/fashion-mnist (data/fashion) into "
            "~/.keras/datasets/fashion-mnist or a directory you pass as "
            "`directory=` (or $NENGO_SNNEXT_DATA/fashion-mnist)."
        ),
    )


def load_idx_pair(subset, dirs, *, dataset, install_hint):
    """Images and labels of an (MNIST-style) idx data set's ``subset``, found in ``dirs``.

    Shared by the loaders of data sets that use (Fashion-)MNIST's four file names.
    A missing file raises :class:`DatasetNotFoundError` listing ``dirs`` and
    ``install_hint``; files that do not match raise ``ValueError``.
    """
    if subset not in FILES:
        raise ValueError(f"subset must be one of {sorted(FILES)}, got {subset!r}")
    paths = [_find(name, dirs) for name in FILES[subset]]
    missing = [name for name, path in zip(FILES[subset], paths) if path is None]
    if missing:
        searched = "\n".join(f"  {d}" for d in dirs)
        raise DatasetNotFoundError(
            f"{dataset} file(s) {missing} (optionally .gz) not found. Searched:\n"
            f"{searched}\n{install_hint}"
        )
    images, labels = (read_idx(p) for p in paths)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{paths[0]} and {paths[1]} do not match: images {images.shape}, "
            f"labels {labels.shape}"
        )
    return images, labels
