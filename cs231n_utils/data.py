"""Data sets for the notebooks: CIFAR-10 when it is on disk, else scikit-learn's digits.

CIFAR-10 is read from the official "python version" files; the digits ship inside
scikit-learn, so every notebook runs offline without a download.
"""

import operator
import os
import pickle
from pathlib import Path

import numpy as np

CIFAR10_ENV = "CS231N_CIFAR10_DIR"
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
CIFAR10_TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_FILE = "test_batch"
CIFAR10_FILES = CIFAR10_TRAIN_FILES + (CIFAR10_TEST_FILE,)

DATASETS = ("auto", "cifar10", "digits")
_SPLIT_DEFAULTS = {
    "cifar10": (49000, 1000, 1000),
    "digits": (1197, 300, 300),
}

_HOW_TO_GET = (
    f"To get CIFAR-10, download {CIFAR10_URL}, unpack it, and point the environment "
    f"variable {CIFAR10_ENV} at the folder cifar-10-batches-py it contains "
    "(or use dataset='digits', which needs no download)."
)


class DatasetError(RuntimeError):
    """A data file is missing, truncated or not in the expected format."""


def cifar10_dir():
    """Return the CIFAR-10 folder: $CS231N_CIFAR10_DIR, else datasets/cifar-10-batches-py.

    The default lies under the repository root (the parent of the cs231n_utils package).
    """
    env = os.environ.get(CIFAR10_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "datasets" / "cifar-10-batches-py"


def cifar10_available(root=None):
    """Return True when all six CIFAR-10 files are in root (default: cifar10_dir())."""
    folder = Path(root) if root is not None else cifar10_dir()
    return all((folder / name).is_file() for name in CIFAR10_FILES)


def _bad_file(path, problem):
    return DatasetError(f"CIFAR-10 file {path}: {problem}. {_HOW_TO_GET}")


def _entry(batch, name, path):
    """Look up name in a batch dict whose keys are bytes (Python 2 pickle) or str."""
    for key in (name.encode("ascii"), name):
        if key in batch:
            return batch[key]
    raise _bad_file(path, f"no {name!r} entry (keys: {sorted(map(repr, batch))})")


def load_cifar10_batch(path):
    """Load one CIFAR-10 batch file (the official python-version pickle).

    path: a file such as data_batch_1 or test_batch.
    Returns (X, y): X uint8 array of shape (N, 3, 32, 32), channels first as stored;
    y int64 array of shape (N,) with labels 0..9.
    Raises DatasetError when the file is missing, truncated or malformed.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
    except FileNotFoundError:
        raise _bad_file(path, "not found") from None
    except OSError as exc:
        raise _bad_file(path, f"cannot be read ({exc})") from exc
    except Exception as exc:  # a corrupt pickle can raise almost any error type
        raise _bad_file(path, f"not a readable pickle ({type(exc).__name__}: {exc})") from exc
    if not isinstance(batch, dict):
        raise _bad_file(path, f"holds a {type(batch).__name__}, expected a dict")

    data = np.asarray(_entry(batch, "data", path))
    labels = np.asarray(_entry(batch, "labels", path))
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise _bad_file(path, f"data has shape {data.shape}, expected (N, 3072)")
    pixels_ok = data.dtype == np.uint8 or (
        np.issubdtype(data.dtype, np.integer)
        and data.min(initial=0) >= 0 and data.max(initial=0) <= 255)
    if not pixels_ok:
        raise _bad_file(path, f"data has dtype {data.dtype}, expected uint8 pixels")
    if labels.ndim != 1 or labels.shape[0] != data.shape[0]:
        raise _bad_file(
            path, f"{labels.size} labels for {data.shape[0]} images (they must match)")
    if labels.size and (not np.issubdtype(labels.dtype, np.integer)
                        or labels.min() < 0 or labels.max() > 9):
        raise _bad_file(path, "labels must be integers in 0..9")

    X = data.astype(np.uint8).reshape(-1, 3, 32, 32)
    y = labels.astype(np.int64)
    return X, y


def load_cifar10(root=None):
    """Load all of CIFAR-10 from root (default: cifar10_dir()).

    Returns (X_train, y_train, X_test, y_test): data_batch_1..5 concatenated in order
    (X_train uint8 of shape (50000, 3, 32, 32) for the real files) and test_batch.
    """
    folder = Path(root) if root is not None else cifar10_dir()
    if not folder.is_dir():
        raise DatasetError(f"CIFAR-10 folder {folder} does not exist. {_HOW_TO_GET}")
    parts = [load_cifar10_batch(folder / name) for name in CIFAR10_TRAIN_FILES]
    X_train = np.concatenate([X for X, _ in parts])
    y_train = np.concatenate([y for _, y in parts])
    X_test, y_test = load_cifar10_batch(folder / CIFAR10_TEST_FILE)
    return X_train, y_train, X_test, y_test


def load_digits():
    """Load scikit-learn's bundled 8x8 handwritten digits (no download).

    Returns (X, y): X float64 of shape (1797, 1, 8, 8) with pixel values 0..16,
    y int64 of shape (1797,) with labels 0..9.
    """
    from sklearn.datasets import load_digits as sklearn_load_digits

    digits = sklearn_load_digits()
    X = np.asarray(digits.data, dtype=np.float64).reshape(-1, 1, 8, 8)
    y = np.asarray(digits.target, dtype=np.int64)
    return X, y


def _split_sizes(name, num_training, num_validation, num_test):
    sizes = []
    for label, value, default in zip(("num_training", "num_validation", "num_test"),
                                     (num_training, num_validation, num_test),
                                     _SPLIT_DEFAULTS[name], strict=True):
        value = default if value is None else operator.index(value)
        if value < 0 or (label == "num_training" and value == 0):
            raise ValueError(f"{label} must be positive, got {value}")
        sizes.append(value)
    return sizes


def get_data(dataset="auto", *, num_training=None, num_validation=None, num_test=None,
             subtract_mean=True, flatten=True, seed=0, root=None):
    """Load a data set and split it into train, validation and test sets (as CS231n).

    dataset: "cifar10", "digits", or "auto" (CIFAR-10 when its files are on disk, else digits).
    num_training, num_validation, num_test: split sizes; None takes the default
        (CIFAR-10: 49000/1000/1000, validation taken from the end of the training files;
        digits: 1197/300/300 after a shuffle with np.random.default_rng(seed)).
    subtract_mean: subtract the mean image of the TRAINING split from all three splits.
    flatten: X arrays of shape (N, D) if True, else (N, C, H, W); always float64.
    root: CIFAR-10 folder (default: cifar10_dir()).
    Returns a dict with X_train, y_train, X_val, y_val, X_test, y_test and "dataset",
    the name of the data set used.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if dataset == "auto":
        dataset = "cifar10" if cifar10_available(root) else "digits"
    n_train, n_val, n_test = _split_sizes(dataset, num_training, num_validation, num_test)

    if dataset == "cifar10":
        X_pool, y_pool, X_test_all, y_test_all = load_cifar10(root)
        if n_train + n_val > len(X_pool) or n_test > len(X_test_all):
            raise ValueError(
                f"asked for {n_train} training + {n_val} validation samples of "
                f"{len(X_pool)} and {n_test} test samples of {len(X_test_all)} in CIFAR-10")
        X_train, y_train = X_pool[:n_train], y_pool[:n_train]
        X_val = X_pool[n_train:n_train + n_val]
        y_val = y_pool[n_train:n_train + n_val]
        X_test, y_test = X_test_all[:n_test], y_test_all[:n_test]
    else:
        X_all, y_all = load_digits()
        if n_train + n_val + n_test > len(X_all):
            raise ValueError(
                f"asked for {n_train} + {n_val} + {n_test} = {n_train + n_val + n_test} "
                f"samples but digits has only {len(X_all)}")
        order = np.random.default_rng(seed).permutation(len(X_all))
        train_idx = order[:n_train]
        val_idx = order[n_train:n_train + n_val]
        test_idx = order[n_train + n_val:n_train + n_val + n_test]
        X_train, y_train = X_all[train_idx], y_all[train_idx]
        X_val, y_val = X_all[val_idx], y_all[val_idx]
        X_test, y_test = X_all[test_idx], y_all[test_idx]

    X_train, X_val, X_test = (X.astype(np.float64) for X in (X_train, X_val, X_test))
    if subtract_mean:
        mean_image = X_train.mean(axis=0)
        for X in (X_train, X_val, X_test):
            X -= mean_image  # in place: the float copies of CIFAR-10 are large
    if flatten:
        X_train, X_val, X_test = (X.reshape(len(X), -1) for X in (X_train, X_val, X_test))
    return {
        "X_train": X_train, "y_train": y_train.astype(np.int64),
        "X_val": X_val, "y_val": y_val.astype(np.int64),
        "X_test": X_test, "y_test": y_test.astype(np.int64),
        "dataset": dataset,
    }
