"""MNIST from local IDX files in a directory you have (no download at run time).

MNIST uses the same four file names and format as Fashion-MNIST
(``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-...``, each
optionally gzipped). Searched, in order: the ``directory`` argument, its ``mnist``
sub-directory, and ``$NENGO_SNNEXT_DATA/mnist``.
"""

import os
from pathlib import Path

from nengo_snnext.data.fashion_mnist import load_idx_pair


def search_directories(directory=None):
    """The directories searched for the MNIST files, in order."""
    dirs = []
    if directory is not None:
        dirs += [Path(directory), Path(directory) / "mnist"]
    if os.environ.get("NENGO_SNNEXT_DATA"):
        dirs.append(Path(os.environ["NENGO_SNNEXT_DATA"]) / "mnist")
    return dirs


def load_mnist(subset="train", directory=None):
    """MNIST images and labels.

    Parameters
    ----------
    subset : {"train", "test"}
        60000 training or 10000 test examples.
    directory : str or Path, optional
        Where the idx files are (or its ``mnist`` sub-directory).

    Returns
    -------
    images : uint8 array, shape (n, 28, 28)
    labels : uint8 array, shape (n,)

    Raises
    ------
    DatasetNotFoundError
        If the files are not in any searched directory (the message lists them).
    """
    return load_idx_pair(
        subset,
        search_directories(directory),
        dataset="MNIST",
        install_hint=(
            "nengo_snnext does not download data. Put the four MNIST idx files "
            "(from http://yann.lecun.com/exdb/mnist/ or a mirror) in a directory and "
            "pass it as `directory=` (or `data_dir=`), or in $NENGO_SNNEXT_DATA/mnist."
        ),
    )
