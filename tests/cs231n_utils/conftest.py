"""Shared fixtures: small CIFAR-10 folders in the real file format, the digits splits, and the
float32-against-float64 comparison of a model."""

import pickle

import numpy as np
import pytest

from cs231n_utils.data import CIFAR10_FILES, get_data

ROWS_PER_FILE = 10


def write_batch(path, data, labels, *, str_keys=False):
    """Write one batch as the official files are: a protocol-2 pickle with bytes keys."""
    keys = ("data", "labels") if str_keys else (b"data", b"labels")
    batch = {keys[0]: data, keys[1]: labels, b"batch_label": b"test batch"}
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=2)


@pytest.fixture
def cifar_root(tmp_path):
    """A folder with the six CIFAR-10 files, ROWS_PER_FILE random images each.

    Returns (root, contents) with contents[name] = (data uint8 (N, 3072), labels list).
    """
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    rng = np.random.default_rng(1234)
    contents = {}
    for name in CIFAR10_FILES:
        data = rng.integers(0, 256, size=(ROWS_PER_FILE, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, size=ROWS_PER_FILE)]
        write_batch(root / name, data, labels)
        contents[name] = (data, labels)
    return root, contents


@pytest.fixture(scope="session")
def digits_data():
    """The default digits splits, flattened and mean-subtracted (loaded once)."""
    return get_data("digits")


@pytest.fixture
def batch_writer():
    """The function write_batch(path, data, labels, *, str_keys=False), for one-off files."""
    return write_batch


@pytest.fixture
def agrees_in_float32():
    """check(narrow, wide, X, y): a float32 model's loss and gradients equal its float64 twin's to
    float32's precision; returns the float32 gradients."""
    def check(narrow, wide, X, y):
        loss64, grads64 = wide.loss(X, y)
        loss32, grads32 = narrow.loss(X, y)
        assert loss32 == pytest.approx(loss64, rel=1e-5)
        for name, value in grads64.items():
            np.testing.assert_allclose(grads32[name], value, rtol=1e-4, atol=1e-6, err_msg=name)
        return grads32
    return check
