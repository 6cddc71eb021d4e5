"""Shared fixtures: small CIFAR-10 folders in the real file format, and the digits splits."""

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
