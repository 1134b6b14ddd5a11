"""The demo's data: images ``(n, rows, cols, 1)`` in [0, 1] from local files only."""

from dataclasses import dataclass

import numpy as np

DATASETS = ("digits", "fashion-mnist")


@dataclass
class ImageData:
    """A train/test split of labelled images."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def image_shape(self):
        return self.x_train.shape[1:]

    @property
    def n_classes(self):
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def load(name, directory=None):
    """``"digits"`` (scikit-learn's 8x8, always present) or ``"fashion-mnist"`` (idx files).

    Fashion-MNIST is searched in ``directory`` and the places
    :func:`nengo_snnext.data.load_fashion_mnist` names; a missing file raises its
    :class:`~nengo_snnext.data.DatasetNotFoundError`, which says where to put it.
    """
    from nengo_snnext.data import load_digits, load_fashion_mnist

    if name == "digits":
        (x_train, y_train), (x_test, y_test) = load_digits()
        x_train, x_test = (x.reshape(-1, 8, 8, 1) for x in (x_train, x_test))
    elif name == "fashion-mnist":
        x_train, y_train = load_fashion_mnist("train", directory=directory)
        x_test, y_test = load_fashion_mnist("test", directory=directory)
        x_train, x_test = (x.reshape(-1, 28, 28, 1).astype(np.float32) / 255.0
                           for x in (x_train, x_test))
    else:
        raise ValueError(f"unknown dataset {name!r}; choose from {DATASETS}")
    return ImageData(name, x_train.astype(np.float32), y_train.astype(np.int64),
                     x_test.astype(np.float32), y_test.astype(np.int64))


def network_config(name, quick=False):
    """Widths of :func:`nengo_snnext.networks.klif_cnn.build` for a dataset on a 2-core CPU."""
    if quick:
        return dict(channels=8, hidden=64)
    if name == "digits":
        return dict(channels=16, hidden=128)
    return dict(channels=32, hidden=256)


def with_time(x, steps):
    """Each image repeated over ``steps`` time steps: ``(n, ...) -> (n, steps, ...)``."""
    return np.repeat(np.asarray(x)[:, None], steps, axis=1)
