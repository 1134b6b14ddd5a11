"""Data set loaders that read local files only (no downloads at run time).

- :func:`load_digits`: scikit-learn's bundled 8x8 digits.
- :func:`load_fashion_mnist`: Fashion-MNIST IDX files (Debian package
  ``dataset-fashion-mnist``, ``~/.keras/datasets/fashion-mnist`` or a directory
  you give); a clear :class:`DatasetNotFoundError` says where to put them.
- :func:`load_mnist`: MNIST IDX files from a directory you give (or
  ``$NENGO_SNNEXT_DATA/mnist``), found and reported as Fashion-MNIST's are.
- :func:`read_idx` / :func:`write_idx`: the IDX format of (Fashion-)MNIST.
"""

from nengo_snnext.data.digits import load_digits
from nengo_snnext.data.fashion_mnist import DatasetNotFoundError, load_fashion_mnist
from nengo_snnext.data.idx import IDXFormatError, read_idx, write_idx
from nengo_snnext.data.cifar10 import load_cifar10
from nengo_snnext.data.mnist import load_mnist

__all__ = [
    "DatasetNotFoundError",
    "IDXFormatError",
    "load_cifar10",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "read_idx",
    "write_idx",
]
