"""Tests for cs231n_utils.solver.Solver: training, config threading, schedules, errors."""

import time

import numpy as np
import pytest

from cs231n_utils.models import TwoLayerNet
from cs231n_utils.solver import Solver

HIDDEN = 7  # differs from every other dimension, so a parameter is known by its shape


def sgd(w, dw, config=None):
    """Plain SGD with the course's update-rule contract."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


@pytest.fixture
def small_data(digits_data):
    """200 training and 50 validation digits."""
    return {
        "X_train": digits_data["X_train"][:200], "y_train": digits_data["y_train"][:200],
        "X_val": digits_data["X_val"][:50], "y_val": digits_data["y_val"][:50],
    }


def small_model(seed=0):
    return TwoLayerNet(64, HIDDEN, 10, weight_scale=0.05, seed=seed)


def make_solver(data, rule=sgd, **kwargs):
    options = {"optim_config": {"learning_rate": 0.05}, "batch_size": 50, "num_epochs": 2,
               "progress": False}
    options.update(kwargs)
    return Solver(small_model(), data, rule, **options)


class TestTraining:
    def test_learns_digits_above_80_percent(self, digits_data):
        start = time.perf_counter()
        model = TwoLayerNet(64, 50, 10, weight_scale=1e-2, seed=0)
        solver = Solver(model, digits_data, sgd, optim_config={"learning_rate": 0.05},
                        batch_size=50, num_epochs=5, progress=False).train()
        assert time.perf_counter() - start < 2.0
        assert solver.best_val_acc > 0.8
        val_acc = solver.check_accuracy(digits_data["X_val"], digits_data["y_val"])
        assert val_acc == solver.best_val_acc
        assert solver.loss_history[-1] < solver.loss_history[0] / 3

    def test_history_lengths_and_best_params_restored(self, small_data):
        solver = make_solver(small_data, num_epochs=3)
        assert solver.train() is solver
        assert len(solver.loss_history) == 3 * (200 // 50)
        assert len(solver.train_acc_history) == len(solver.val_acc_history) == 3 + 1
        assert solver.best_val_acc == max(solver.val_acc_history)
        assert solver.epoch == 3
        for name, value in solver.best_params.items():
            np.testing.assert_array_equal(solver.model.params[name], value)

    def test_best_params_are_kept_even_when_later_epochs_are_worse(self, small_data):
        """With a rule that ruins the weights after the first epoch, is epoch 1 restored?"""
        calls = []

        def ruin_later(w, dw, config):
            calls.append(1)
            next_w, config = sgd(w, dw, config)
            return (next_w * 0.0 if len(calls) > 4 * 4 else next_w), config

        solver = make_solver(small_data, ruin_later, num_epochs=3)
        solver.train()
        best_epoch = int(np.argmax(solver.val_acc_history))
        assert best_epoch <= 1
        assert solver.model.params["W1"].any()

    def test_batch_larger_than_the_training_set(self, small_data):
        solver = make_solver(small_data, batch_size=1000, num_epochs=3).train()
        assert len(solver.loss_history) == 3

    def test_check_accuracy_agrees_with_argmax_of_scores(self, small_data):
        solver = make_solver(small_data)
        X, y = small_data["X_train"], small_data["y_train"]
        expected = np.mean(np.argmax(solver.model.loss(X), axis=1) == y)
        assert solver.check_accuracy(X, y, batch_size=7) == expected
        subset = solver.check_accuracy(X, y, num_samples=30)
        assert subset * 30 == pytest.approx(round(subset * 30))
        assert subset == solver.check_accuracy(X, y, num_samples=30)

    def test_accuracy_subset_is_drawn_and_copied_once(self, small_data):
        """Is the training subset of the accuracy checks the one check_accuracy draws, and is it taken
        from X_train once, not at every epoch (X_train is otherwise read once per minibatch)?"""
        reads = []

        class CountingArray(np.ndarray):
            def __getitem__(self, key):
                if isinstance(key, np.ndarray):
                    reads.append(len(key))
                return np.asarray(self).__getitem__(key)

        data = dict(small_data, X_train=small_data["X_train"].view(CountingArray))
        solver = make_solver(data, num_epochs=3, num_train_samples=100)
        expected_first = solver.check_accuracy(small_data["X_train"], small_data["y_train"], num_samples=100)
        reads.clear()
        solver.train()
        assert reads == [50] * len(solver.loss_history)
        assert solver.train_acc_history[0] == expected_first

    def test_progress_bar_on_stderr(self, small_data, capsys):
        make_solver(small_data, progress=True, num_epochs=1).train()
        err = capsys.readouterr().err
        assert "train" in err and "loss=" in err
        make_solver(small_data, progress=False, num_epochs=1).train()
        assert capsys.readouterr().err == ""


class TestDeterminism:
    def test_same_seed_same_histories(self, small_data):
        a = make_solver(small_data, seed=3).train()
        b = make_solver(small_data, seed=3).train()
        assert a.loss_history == b.loss_history
        assert a.train_acc_history == b.train_acc_history
        assert a.val_acc_history == b.val_acc_history
        for name in a.model.params:
            np.testing.assert_array_equal(a.model.params[name], b.model.params[name])

    def test_different_seed_different_minibatches(self, small_data):
        a = make_solver(small_data, seed=3).train()
        b = make_solver(small_data, seed=4).train()
        assert a.loss_history != b.loss_history


class TestConfigThreading:
    def test_each_parameter_counts_its_own_calls(self, small_data):
        seen = {}

        def counting(w, dw, config):
            config["calls"] = config.get("calls", 0) + 1
            config["nested"]["calls"] += 1
            seen.setdefault(w.shape, []).append((config["calls"], config["nested"]["calls"]))
            return sgd(w, dw, config)

        optim_config = {"learning_rate": 0.01, "nested": {"calls": 0}}
        solver = make_solver(small_data, counting, optim_config=optim_config).train()
        steps = len(solver.loss_history)
        assert len(seen) == 4
        for calls in seen.values():
            assert calls == [(i, i) for i in range(1, steps + 1)]
        configs = list(solver.optim_configs.values())
        assert len({id(c) for c in configs}) == 4
        assert len({id(c["nested"]) for c in configs}) == 4
        assert optim_config == {"learning_rate": 0.01, "nested": {"calls": 0}}

    def test_the_returned_config_is_the_one_passed_next(self, small_data):
        """A rule that returns a fresh dict each time must still see its own state."""
        seen = []

        def fresh(w, dw, config):
            count = config.get("calls", 0) + 1
            if w.shape == (64, HIDDEN):
                seen.append(count)
            return w - 0.01 * dw, dict(config, calls=count)

        solver = make_solver(small_data, fresh).train()
        assert seen == list(range(1, len(solver.loss_history) + 1))
        assert solver.optim_configs["W1"]["calls"] == len(seen)


class TestSchedule:
    def test_schedule_sets_the_learning_rate_of_every_step(self, small_data):
        seen = {}

        def schedule(step):
            return 0.1 * 0.5 ** step

        def recording(w, dw, config):
            seen.setdefault(w.shape, []).append(config["learning_rate"])
            return sgd(w, dw, config)

        solver = make_solver(small_data, recording, lr_schedule=schedule).train()
        expected = [schedule(t) for t in range(len(solver.loss_history))]
        assert solver.lr_history == expected
        for rates in seen.values():
            assert rates == expected

    def test_steps_keep_counting_when_training_continues(self, small_data):
        steps = []
        solver = make_solver(small_data, lr_schedule=lambda t: steps.append(t) or 0.01,
                             num_epochs=1)
        solver.train()
        solver.train()
        assert steps == list(range(8))

    def test_without_schedule_lr_history_is_the_rules_learning_rate(self, small_data):
        solver = make_solver(small_data, optim_config=None).train()
        assert solver.lr_history == [1e-2] * len(solver.loss_history)


class TestNonFiniteLoss:
    def test_nan_stops_training_naming_the_iteration_and_cause(self, small_data):
        calls = []

        def explode(w, dw, config):
            calls.append(1)
            # the updates of iteration 3 make every parameter NaN: iteration 4's loss is NaN
            return (w * np.nan if len(calls) > 3 * 4 else w - 0.01 * dw), config

        solver = make_solver(small_data, explode)
        with pytest.raises(FloatingPointError, match="iteration 4") as info:
            solver.train()
        assert "learning rate" in str(info.value)
        assert len(solver.loss_history) == 5 and np.isnan(solver.loss_history[-1])
        assert all(np.isfinite(v).all() for v in solver.model.params.values())

    def test_infinite_loss(self, small_data):
        class Infinite:
            def __init__(self):
                self.params = {"W": np.zeros((64, 10))}

            def loss(self, X, y=None):
                scores = X @ self.params["W"]
                return scores if y is None else (np.inf, {"W": np.zeros((64, 10))})

        with pytest.raises(FloatingPointError, match="iteration 0"):
            Solver(Infinite(), small_data, sgd, progress=False).train()


class TestArguments:
    def test_unknown_option_is_a_type_error(self, small_data):
        with pytest.raises(TypeError):
            Solver(small_model(), small_data, sgd, learning_rate=1e-3)
        with pytest.raises(TypeError):
            Solver(small_model(), small_data, sgd, {"learning_rate": 1e-3})

    @pytest.mark.parametrize("change, message", [
        (lambda d: d.pop("y_val"), "y_val"),
        (lambda d: d.pop("X_train"), "X_train"),
        (lambda d: d.update(y_train=d["y_train"][:-1]), "y_train has 199"),
        (lambda d: d.update(X_val=d["X_val"][:0], y_val=d["y_val"][:0]), "X_val is empty"),
    ])
    def test_bad_data(self, small_data, change, message):
        data = dict(small_data)
        change(data)
        with pytest.raises(ValueError, match=message):
            Solver(small_model(), data, sgd)

    def test_data_must_be_a_dict(self, small_data):
        with pytest.raises(ValueError, match="dict"):
            Solver(small_model(), list(small_data.values()), sgd)

    @pytest.mark.parametrize("kwargs, message", [
        ({"batch_size": 0}, "batch_size"),
        ({"num_epochs": -1}, "num_epochs"),
        ({"num_epochs": 2.0}, "num_epochs"),
        ({"num_train_samples": 0}, "num_train_samples"),
        ({"num_val_samples": -3}, "num_val_samples"),
        ({"lr_schedule": 0.1}, "lr_schedule"),
        ({"optim_config": 0.1}, "optim_config"),
    ])
    def test_bad_options(self, small_data, kwargs, message):
        with pytest.raises(ValueError, match=message):
            Solver(small_model(), small_data, sgd, **kwargs)

    def test_update_rule_must_be_callable(self, small_data):
        with pytest.raises(ValueError, match="update_rule"):
            Solver(small_model(), small_data, "sgd")

    def test_model_needs_params_and_loss(self, small_data):
        with pytest.raises(TypeError, match="params"):
            Solver(object(), small_data, sgd)

    def test_rule_returning_only_w(self, small_data):
        solver = make_solver(small_data, lambda w, dw, config: w - dw)
        with pytest.raises(TypeError, match=r"\(next_w, config\)"):
            solver.train()

    def test_rule_returning_no_config(self, small_data):
        solver = make_solver(small_data, lambda w, dw, config: (w - dw, None))
        with pytest.raises(TypeError, match="config"):
            solver.train()
