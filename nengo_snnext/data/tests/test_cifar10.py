"""CIFAR-10 loader on fixture batches written in the real (pickled) format."""

import pickle

import numpy as np
import pytest

from nengo_snnext.data import DatasetNotFoundError
from nengo_snnext.data.cifar10 import FILES, FOLDER, load_cifar10


def write_batches(folder, rng, n=4):
    folder.mkdir(parents=True)
    truth = {}
    for subset, names in FILES.items():
        images, labels = [], []
        for name in names:
            image = rng.randint(0, 256, size=(n, 32, 32, 3)).astype(np.uint8)
            label = rng.randint(0, 10, size=n)
            data = image.transpose(0, 3, 1, 2).reshape(n, 3072)  # channel-first rows
            with open(folder / name, "wb") as f:
                pickle.dump({b"data": data, b"labels": label.tolist()}, f)
            images.append(image)
            labels.append(label)
        truth[subset] = (np.concatenate(images), np.concatenate(labels))
    return truth


def test_loads_real_format_batches(tmp_path, rng):
    truth = write_batches(tmp_path / FOLDER, rng)
    for subset in ("train", "test"):
        images, labels = load_cifar10(subset, directory=tmp_path)  # finds the folder inside
        assert images.shape == (20 if subset == "train" else 4, 32, 32, 3)
        assert images.dtype == np.uint8 and labels.dtype == np.uint8
        assert np.array_equal(images, truth[subset][0])
        assert np.array_equal(labels, truth[subset][1])


def test_missing_files_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DatasetNotFoundError, match="cifar-10-python.tar.gz.*extract"):
        load_cifar10("test", directory=tmp_path / "nowhere")
    with pytest.raises(ValueError, match="subset"):
        load_cifar10("validation")
