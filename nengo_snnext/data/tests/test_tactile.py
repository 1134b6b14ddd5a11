"""Tactile data of Jiang ch. 6: augmentation counts, images, IDX files (generated signals)."""

import numpy as np
import pytest

from nengo_snnext.data import DatasetNotFoundError
from nengo_snnext.data.tactile import (
    augment_class,
    load_tactile,
    make_dataset,
    signal_to_image,
    split_recordings,
    synthetic_recordings,
    write_tactile,
)


def test_augmentation_counts_337_per_class():
    slides = np.arange(7 * 8, dtype=float).reshape(7, 8)  # 7 slides, 4 pieces of 2 samples
    new = augment_class(slides)
    assert new.shape == (337, 8)  # 4**4 + 3**4
    pieces = new.reshape(337, 4, 2)
    # piece k of every new sample is piece k of one slide, from one group only
    source = (pieces[:, :, 0] - 2 * np.arange(4)) / 8  # slide index of each piece
    assert np.all(source == np.round(source))
    first, second = source[:256], source[256:]
    assert np.all(first <= 3) and np.all(second >= 4)
    assert len({tuple(r) for r in source}) == 337  # all combinations, no repeats


def test_dataset_2696_and_24():
    recordings = synthetic_recordings(length=1000, seed=1)
    assert recordings.shape == (8, 10, 1000)
    train, test = split_recordings(recordings, seed=1)
    assert train.shape == (8, 7, 1000) and test.shape == (8, 3, 1000)
    # the split is a partition of each class's slides
    for c in range(8):
        both = np.concatenate([train[c], test[c]])
        assert sorted(map(tuple, both)) == sorted(map(tuple, recordings[c]))
    (x_tr, y_tr), (x_te, y_te) = make_dataset(recordings, seed=1)
    assert x_tr.shape == (2696, 28, 28) and x_te.shape == (24, 28, 28)
    assert np.array_equal(np.bincount(y_tr), [337] * 8) and np.array_equal(np.bincount(y_te), [3] * 8)
    assert x_tr.dtype == np.uint8 and x_tr.max() == 255


def test_signal_to_image_envelope():
    signal = np.r_[np.zeros(784), np.ones(784) * -2.0]  # silent then loud, 2 samples per bin
    image = signal_to_image(signal)
    assert image.shape == (28, 28)
    assert np.all(image.ravel()[:392] == 0) and np.all(image.ravel()[392:] == 255)


def test_idx_round_trip_and_missing(tmp_path):
    (x_tr, y_tr), (x_te, y_te) = make_dataset(synthetic_recordings(length=800), seed=0)
    write_tactile(tmp_path, (x_tr, y_tr), (x_te, y_te))
    images, labels = load_tactile("train", tmp_path)
    assert np.array_equal(images, x_tr) and np.array_equal(labels, y_tr)
    images, labels = load_tactile("test", tmp_path)
    assert np.array_equal(images, x_te) and np.array_equal(labels, y_te)
    with pytest.raises(DatasetNotFoundError, match="not public"):
        load_tactile("train", tmp_path / "missing")
