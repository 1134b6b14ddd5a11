"""scikit-learn's bundled 8x8 digits (1797 images, always available offline)."""

import numpy as np


def load_digits(test_fraction=0.2, seed=0):
    """Digits scaled to [0, 1], split into train and test sets.

    Parameters
    ----------
    test_fraction : float
        Fraction of the 1797 examples held out for testing.
    seed : int
        Seed of the shuffle before the split.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` are float32 arrays of shape (n, 64) in [0, 1]; ``y`` are int64 labels.
    """
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    x = (data.data / 16.0).astype(np.float32)
    y = data.target.astype(np.int64)
    order = np.random.RandomState(seed).permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])
