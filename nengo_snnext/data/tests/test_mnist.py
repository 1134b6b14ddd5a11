"""MNIST loader on small fixture files in the real IDX format."""

import numpy as np
import pytest

from nengo_snnext.data import DatasetNotFoundError, load_mnist, write_idx


def write_set(directory, rng, n_train=5, n_test=3, suffix=""):
    data = {}
    for subset, n, prefix in (("train", n_train, "train"), ("test", n_test, "t10k")):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        labels = rng.randint(0, 10, size=n).astype(np.uint8)
        write_idx(directory / f"{prefix}-images-idx3-ubyte{suffix}", images)
        write_idx(directory / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
        data[subset] = images, labels
    return data


@pytest.mark.parametrize("sub", ["", "mnist"])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_load_mnist(sub, suffix, tmp_path, rng):
    directory = tmp_path / sub
    directory.mkdir(exist_ok=True)
    data = write_set(directory, rng, suffix=suffix)
    for subset in ("train", "test"):
        images, labels = load_mnist(subset, directory=tmp_path)
        assert np.array_equal(images, data[subset][0])
        assert np.array_equal(labels, data[subset][1])


def test_load_mnist_environment(tmp_path, rng, monkeypatch):
    (tmp_path / "mnist").mkdir()
    data = write_set(tmp_path / "mnist", rng)
    monkeypatch.setenv("NENGO_SNNEXT_DATA", str(tmp_path))
    images, labels = load_mnist("test")
    assert np.array_equal(labels, data["test"][1])


def test_load_mnist_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("NENGO_SNNEXT_DATA", raising=False)
    with pytest.raises(DatasetNotFoundError, match="MNIST file.*t10k-images.*Searched") as e:
        load_mnist("test", directory=tmp_path)
    assert str(tmp_path) in str(e.value) and "data_dir" in str(e.value)
    with pytest.raises(ValueError, match="subset"):
        load_mnist("valid", directory=tmp_path)


def test_load_mnist_mismatch(tmp_path, rng):
    write_set(tmp_path, rng)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(7, np.uint8))
    with pytest.raises(ValueError, match="do not match"):
        load_mnist("test", directory=tmp_path)
