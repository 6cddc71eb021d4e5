"""Tests for cs231n_utils.data: CIFAR-10 files in the real format, digits, get_data splits."""

import pickle
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

import cs231n_utils
from cs231n_utils.data import (
    CIFAR10_ENV,
    CIFAR10_URL,
    DatasetError,
    cifar10_available,
    cifar10_dir,
    get_data,
    load_cifar10,
    load_cifar10_batch,
    load_digits,
)

TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]


def as_images(data):
    """Independent decoding of the format: 1024 red, then green, then blue, row-major 32x32."""
    data = np.asarray(data)
    images = np.empty((len(data), 3, 32, 32), dtype=np.uint8)
    for n, row in enumerate(data):
        for c in range(3):
            for h in range(32):
                images[n, c, h, :] = row[c * 1024 + h * 32:c * 1024 + (h + 1) * 32]
    return images


class TestLoadBatch:
    def test_a_known_pixel_lands_at_its_channel_row_and_column(self, tmp_path, batch_writer):
        """Does the value stored at offset c*1024 + h*32 + w come back at X[n, c, h, w]?"""
        data = np.zeros((4, 3072), dtype=np.uint8)
        data[2, 2 * 1024 + 5 * 32 + 7] = 200  # blue, row 5, column 7 of image 2
        data[1, 0 * 1024 + 31 * 32 + 0] = 17  # red, last row, first column of image 1
        batch_writer(tmp_path / "b", data, [0, 1, 2, 3])
        X, y = load_cifar10_batch(tmp_path / "b")
        assert X.shape == (4, 3, 32, 32) and X.dtype == np.uint8
        assert X[2, 2, 5, 7] == 200 and X[1, 0, 31, 0] == 17
        assert X.sum() == 217
        assert y.dtype == np.int64 and y.tolist() == [0, 1, 2, 3]

    def test_random_images_match_an_independent_decoding(self, cifar_root):
        root, contents = cifar_root
        data, labels = contents["data_batch_3"]
        X, y = load_cifar10_batch(root / "data_batch_3")
        np.testing.assert_array_equal(X, as_images(data))
        np.testing.assert_array_equal(y, labels)

    def test_str_keys_are_accepted(self, tmp_path, batch_writer):
        data = np.arange(2 * 3072, dtype=np.int64).reshape(2, 3072) % 256
        batch_writer(tmp_path / "b", data.astype(np.uint8), [9, 0], str_keys=True)
        X, y = load_cifar10_batch(str(tmp_path / "b"))
        np.testing.assert_array_equal(X, as_images(data))
        assert y.tolist() == [9, 0]

    @pytest.mark.parametrize("n", [0, 1, 37])
    def test_any_number_of_rows(self, tmp_path, batch_writer, n):
        data = np.full((n, 3072), 3, dtype=np.uint8)
        batch_writer(tmp_path / "b", data, [n % 10] * n)
        X, y = load_cifar10_batch(tmp_path / "b")
        assert X.shape == (n, 3, 32, 32) and y.shape == (n,)


def _corrupt_cases():
    good = np.zeros((3, 3072), dtype=np.uint8)

    def pickled(obj):
        return pickle.dumps(obj, protocol=2)

    whole = pickled({b"data": good, b"labels": [1, 2, 3]})
    return {
        "empty file": b"",
        "truncated": whole[: len(whole) // 2],
        "not a pickle": b"this is a text file, not a pickle\n",
        "random bytes": np.random.default_rng(0).bytes(500),
        "a list": pickled([good, [1, 2, 3]]),
        "no data key": pickled({b"labels": [1, 2, 3]}),
        "no labels key": pickled({b"data": good}),
        "wrong width": pickled({b"data": np.zeros((3, 3071), np.uint8), b"labels": [1, 2, 3]}),
        "one-dimensional data": pickled({b"data": np.zeros(3072, np.uint8), b"labels": [1]}),
        "label 10": pickled({b"data": good, b"labels": [1, 10, 3]}),
        "label -1": pickled({b"data": good, b"labels": [1, -1, 3]}),
        "float labels": pickled({b"data": good, b"labels": [1.5, 2.0, 3.0]}),
        "too few labels": pickled({b"data": good, b"labels": [1, 2]}),
        "too many labels": pickled({b"data": good, b"labels": [1, 2, 3, 4]}),
        "float pixels": pickled({b"data": good.astype(np.float64) + 0.5, b"labels": [1, 2, 3]}),
        "pixels above 255": pickled({b"data": good.astype(np.int64) + 300,
                                     b"labels": [1, 2, 3]}),
    }


CORRUPT = _corrupt_cases()


class TestCorruptFiles:
    @pytest.mark.parametrize("case", sorted(CORRUPT))
    def test_gives_dataset_error_naming_the_file_and_the_remedy(self, tmp_path, case):
        path = tmp_path / "data_batch_1"
        path.write_bytes(CORRUPT[case])
        with pytest.raises(DatasetError) as info:
            load_cifar10_batch(path)
        message = str(info.value)
        assert str(path) in message
        assert CIFAR10_URL in message and CIFAR10_ENV in message

    def test_missing_file(self, tmp_path):
        with pytest.raises(DatasetError, match="not found") as info:
            load_cifar10_batch(tmp_path / "test_batch")
        assert str(tmp_path / "test_batch") in str(info.value)

    def test_dataset_error_is_a_runtime_error(self):
        assert issubclass(DatasetError, RuntimeError)

    def test_load_cifar10_names_the_missing_file(self, cifar_root):
        root, _ = cifar_root
        (root / "data_batch_4").unlink()
        with pytest.raises(DatasetError) as info:
            load_cifar10(root)
        assert str(root / "data_batch_4") in str(info.value)

    def test_load_cifar10_names_a_missing_folder(self, tmp_path):
        with pytest.raises(DatasetError, match="does not exist"):
            load_cifar10(tmp_path / "nowhere")


class TestLocation:
    def test_default_folder_is_under_the_repository_root(self, monkeypatch):
        monkeypatch.delenv(CIFAR10_ENV, raising=False)
        repo_root = Path(cs231n_utils.__file__).resolve().parent.parent
        assert cifar10_dir() == repo_root / "datasets" / "cifar-10-batches-py"

    def test_environment_variable_wins(self, monkeypatch, cifar_root):
        root, contents = cifar_root
        monkeypatch.setenv(CIFAR10_ENV, str(root))
        assert Path(cifar10_dir()) == root
        assert cifar10_available()
        X_train, y_train, X_test, y_test = load_cifar10()
        assert y_test.tolist() == contents["test_batch"][1]
        assert get_data(num_training=30, num_validation=5, num_test=5)["dataset"] == "cifar10"

    def test_explicit_root_wins_over_the_environment(self, monkeypatch, tmp_path, cifar_root):
        root, _ = cifar_root
        monkeypatch.setenv(CIFAR10_ENV, str(tmp_path / "empty"))
        assert not cifar10_available()
        assert cifar10_available(root)
        assert load_cifar10(root)[0].shape == (50, 3, 32, 32)

    def test_available_needs_all_six_files(self, cifar_root):
        root, _ = cifar_root
        assert cifar10_available(root)
        (root / "test_batch").unlink()
        assert not cifar10_available(root)

    def test_auto_falls_back_to_digits(self, monkeypatch, tmp_path):
        monkeypatch.setenv(CIFAR10_ENV, str(tmp_path))
        data = get_data("auto", num_training=10, num_validation=5, num_test=5)
        assert data["dataset"] == "digits" and data["X_train"].shape == (10, 64)


class TestLoadCifar10:
    def test_training_files_are_concatenated_in_order(self, cifar_root):
        root, contents = cifar_root
        X_train, y_train, X_test, y_test = load_cifar10(root)
        assert X_train.shape == (50, 3, 32, 32) and X_test.shape == (10, 3, 32, 32)
        expected_y = sum((contents[name][1] for name in TRAIN_FILES), [])
        assert y_train.tolist() == expected_y
        for k, name in enumerate(TRAIN_FILES):
            np.testing.assert_array_equal(X_train[10 * k:10 * (k + 1)],
                                          as_images(contents[name][0]))
        np.testing.assert_array_equal(X_test, as_images(contents["test_batch"][0]))


class TestGetDataCifar10:
    def test_shapes_splits_and_mean_subtraction(self, cifar_root):
        root, contents = cifar_root
        data = get_data("cifar10", root=root, num_training=32, num_validation=8, num_test=6)
        raw_train = np.concatenate([contents[name][0] for name in TRAIN_FILES])
        raw_train = raw_train.astype(np.float64)
        raw_test = contents["test_batch"][0].astype(np.float64)
        labels = sum((contents[name][1] for name in TRAIN_FILES), [])
        mean = raw_train[:32].mean(axis=0)

        assert data["dataset"] == "cifar10"
        assert data["X_train"].shape == (32, 3072) and data["X_train"].dtype == np.float64
        assert data["X_val"].shape == (8, 3072) and data["X_test"].shape == (6, 3072)
        # validation comes from the end of the training pool, right after the training split
        np.testing.assert_allclose(data["X_train"], raw_train[:32] - mean, atol=1e-12)
        np.testing.assert_allclose(data["X_val"], raw_train[32:40] - mean, atol=1e-12)
        np.testing.assert_allclose(data["X_test"], raw_test[:6] - mean, atol=1e-12)
        assert data["y_train"].tolist() == labels[:32]
        assert data["y_val"].tolist() == labels[32:40]
        assert data["y_test"].tolist() == contents["test_batch"][1][:6]
        assert data["y_train"].dtype == np.int64

    def test_unflattened_without_mean_subtraction(self, cifar_root):
        root, contents = cifar_root
        data = get_data("cifar10", root=root, num_training=10, num_validation=10,
                        num_test=10, subtract_mean=False, flatten=False)
        assert data["X_train"].shape == (10, 3, 32, 32) and data["X_val"].dtype == np.float64
        np.testing.assert_array_equal(data["X_val"], as_images(contents["data_batch_2"][0]))

    def test_defaults_ask_for_more_than_the_small_files_hold(self, cifar_root):
        root, _ = cifar_root
        with pytest.raises(ValueError, match="49000"):
            get_data("cifar10", root=root)
        with pytest.raises(ValueError, match="50"):
            get_data("cifar10", root=root, num_training=45, num_validation=6, num_test=1)
        with pytest.raises(ValueError, match="11 test"):
            get_data("cifar10", root=root, num_training=5, num_validation=5, num_test=11)

    def test_cifar10_requested_but_missing_is_a_dataset_error(self, tmp_path):
        with pytest.raises(DatasetError, match="CS231N_CIFAR10_DIR"):
            get_data("cifar10", root=tmp_path)


class TestDigits:
    def test_load_digits_matches_scikit_learn(self):
        X, y = load_digits()
        reference = sklearn.datasets.load_digits()
        assert X.shape == (1797, 1, 8, 8) and X.dtype == np.float64 and y.dtype == np.int64
        np.testing.assert_array_equal(X[:, 0], reference.images)
        np.testing.assert_array_equal(y, reference.target)

    def test_default_split_sizes(self, digits_data):
        assert digits_data["dataset"] == "digits"
        for split, n in (("train", 1197), ("val", 300), ("test", 300)):
            assert digits_data[f"X_{split}"].shape == (n, 64)
            assert digits_data[f"y_{split}"].shape == (n,)

    def test_splits_are_a_partition_of_the_data_set(self):
        """Do train, val and test together hold every sample exactly once?"""
        data = get_data("digits", subtract_mean=False, seed=3)
        rows = np.concatenate([
            np.column_stack([data[f"X_{s}"], data[f"y_{s}"]]) for s in ("train", "val", "test")
        ])
        X, y = load_digits()
        reference = np.column_stack([X.reshape(len(X), -1), y])
        assert len(rows) == len(reference)
        np.testing.assert_array_equal(np.unique(rows, axis=0, return_counts=True)[1],
                                      np.unique(reference, axis=0, return_counts=True)[1])
        np.testing.assert_array_equal(np.unique(rows, axis=0), np.unique(reference, axis=0))

    def test_deterministic_for_a_seed(self):
        a = get_data("digits", seed=5, num_training=100, num_validation=50, num_test=50)
        b = get_data("digits", seed=5, num_training=100, num_validation=50, num_test=50)
        c = get_data("digits", seed=6, num_training=100, num_validation=50, num_test=50)
        for key in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
            np.testing.assert_array_equal(a[key], b[key])
        assert not np.array_equal(a["y_train"], c["y_train"])

    def test_mean_comes_from_the_training_split_only(self):
        raw = get_data("digits", subtract_mean=False, flatten=False)
        centred = get_data("digits", flatten=False)
        mean = raw["X_train"].mean(axis=0)
        assert centred["X_train"].shape == (1197, 1, 8, 8)
        for split in ("train", "val", "test"):
            np.testing.assert_allclose(centred[f"X_{split}"], raw[f"X_{split}"] - mean,
                                       atol=1e-12)
        np.testing.assert_allclose(centred["X_train"].mean(axis=0), 0, atol=1e-12)
        # the validation split was not centred on its own mean
        assert np.abs(centred["X_val"].mean(axis=0)).max() > 1e-3

    def test_too_many_samples(self):
        with pytest.raises(ValueError, match="1797"):
            get_data("digits", num_training=1500)


class TestArguments:
    def test_unknown_dataset_names_the_choices(self):
        with pytest.raises(ValueError, match="cifar10.*digits"):
            get_data("mnist")

    @pytest.mark.parametrize("kwargs", [{"num_training": 0}, {"num_validation": -1},
                                        {"num_test": -5}])
    def test_negative_or_empty_sizes(self, kwargs):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            get_data("digits", **kwargs)

    def test_options_are_keyword_only(self):
        with pytest.raises(TypeError):
            get_data("digits", 100)
