"""IDX reader and Fashion-MNIST/digits loaders, on small fixture files in the real format."""

import numpy as np
import pytest

from nengo_snnext.data import (
    DatasetNotFoundError,
    IDXFormatError,
    load_digits,
    load_fashion_mnist,
    read_idx,
    write_idx,
)
from nengo_snnext.data import fashion_mnist

@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(dtype, suffix, tmp_path, rng):
    array = (rng.uniform(-100, 100, size=(3, 4, 5)) % 120).astype(dtype)
    path = tmp_path / ("a-idx3" + suffix)
    write_idx(path, array)
    out = read_idx(path)
    assert out.dtype == np.dtype(dtype) and np.array_equal(out, array)

def test_idx_header_bytes_are_the_mnist_layout(tmp_path):
    # labels file of MNIST: magic 0x00000801, count, then the bytes
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 9]))
    assert read_idx(path).tolist() == [7, 2, 9]
    # images: magic 0x00000803, n, rows, cols (big endian)
    raw = bytes([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 255])
    (tmp_path / "img").write_bytes(raw)
    assert read_idx(tmp_path / "img").tolist() == [[[1, 2], [3, 255]]]

@pytest.mark.parametrize(
    "raw, match",
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "magic"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "data type"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02", "truncated header"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x03\x05\x06", "truncated or corrupt"),
    ],
)
def test_idx_errors(raw, match, tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(raw)
    with pytest.raises(IDXFormatError, match=match):
        read_idx(path)

def make_fashion_fixture(directory, n_train=7, n_test=3, gz=True, rng=None):
    rng = np.random.RandomState(0) if rng is None else rng
    directory.mkdir(parents=True, exist_ok=True)
    data = {}
    for subset, n in (("train", n_train), ("test", n_test)):
        images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
        labels = rng.randint(0, 10, size=n).astype(np.uint8)
        image_name, label_name = fashion_mnist.FILES[subset]
        suffix = ".gz" if gz else ""
        write_idx(directory / (image_name + suffix), images)
        write_idx(directory / (label_name + suffix), labels)
        data[subset] = images, labels
    return data

@pytest.fixture
def no_default_dirs(monkeypatch, tmp_path):
    """Hide the real installation so that only the test's directories are searched."""
    monkeypatch.setattr(fashion_mnist, "default_directories", lambda: [tmp_path / "none"])
    monkeypatch.delenv("NENGO_SNNEXT_DATA", raising=False)

@pytest.mark.parametrize("gz", [True, False])
def test_fashion_mnist_from_user_directory(gz, tmp_path, no_default_dirs):
    data = make_fashion_fixture(tmp_path / "fm", gz=gz)
    for subset in ("train", "test"):
        images, labels = load_fashion_mnist(subset, directory=tmp_path / "fm")
        assert images.shape == (len(labels), 28, 28) and images.dtype == np.uint8
        assert np.array_equal(images, data[subset][0])
        assert np.array_equal(labels, data[subset][1])

def test_fashion_mnist_from_environment_directory(tmp_path, no_default_dirs, monkeypatch):
    data = make_fashion_fixture(tmp_path / "root" / "fashion-mnist")
    monkeypatch.setenv("NENGO_SNNEXT_DATA", str(tmp_path / "root"))
    assert np.array_equal(load_fashion_mnist("test")[1], data["test"][1])

def test_fashion_mnist_missing_says_where_to_put_files(tmp_path, no_default_dirs):
    make_fashion_fixture(tmp_path / "partial")
    (tmp_path / "partial" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError) as info:
        load_fashion_mnist("test", directory=tmp_path / "partial")
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte" in message and "t10k-images" not in message.split("not found")[0]
    assert str(tmp_path / "partial") in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert ".keras/datasets/fashion-mnist" in message
    assert isinstance(info.value, FileNotFoundError)

def test_fashion_mnist_mismatched_files(tmp_path, no_default_dirs):
    make_fashion_fixture(tmp_path / "fm")
    write_idx(tmp_path / "fm" / "train-labels-idx1-ubyte.gz", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="do not match"):
        load_fashion_mnist("train", directory=tmp_path / "fm")

def test_fashion_mnist_bad_subset():
    with pytest.raises(ValueError, match="subset"):
        load_fashion_mnist("validation")

def test_default_directories_include_debian_package_and_keras_cache():
    dirs = [str(d) for d in fashion_mnist.default_directories()]
    assert "/usr/share/datasets/fashion-mnist" in dirs
    assert any(d.endswith(".keras/datasets/fashion-mnist") for d in dirs)

def test_installed_fashion_mnist_if_present():
    """The real files (CI installs the Debian package): sizes and label balance."""
    try:
        images, labels = load_fashion_mnist("test")
    except DatasetNotFoundError as error:
        pytest.skip(str(error))
    assert images.shape == (10000, 28, 28)
    assert np.array_equal(np.bincount(labels), [1000] * 10)

def test_digits_split():
    (x_train, y_train), (x_test, y_test) = load_digits(test_fraction=0.2, seed=0)
    assert x_train.shape == (1438, 64) and x_test.shape == (359, 64)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() == 1
    assert set(y_test) == set(range(10))
    (x2, _), _ = load_digits(seed=0)
    assert np.array_equal(x2, x_train)
