"""The training loop: minibatch updates with a student's update rule (after CS231n's Solver).

The model is anything with a dict `params` of arrays and a method `loss(X, y=None)` that
returns scores (N, C) when y is None, else (loss, grads) with grads keyed like params.
"""

import copy
import math
import sys
from collections.abc import Mapping, MutableMapping

import numpy as np
import tqdm

_DATA_KEYS = ("X_train", "y_train", "X_val", "y_val")


def _check_positive(name, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int"
                         f"{' or None' if allow_none else ''}, got {value!r}")
    return int(value)


class Solver:
    """Train a model with minibatch gradient descent and keep its best parameters.

    History, filled by train():
    - loss_history: the minibatch loss of every iteration.
    - lr_history: the learning rate of every iteration: lr_schedule(step) when a schedule is
      given, else the "learning_rate" the rule left in the first parameter's config
      (NaN if it keeps none).
    - train_acc_history, val_acc_history: one entry before training, then one at the end of
      every epoch (so num_epochs + 1 entries). Training accuracy is measured on a fixed
      subsample of num_train_samples; validation accuracy on num_val_samples (all if None);
      both subsamples are drawn and copied once, when the solver is made.
    - best_val_acc, best_params: the best of those checks; after training (and when training
      stops on a non-finite loss) the model gets its best parameters back.
    Each epoch visits the training set in a new random order, drawn with
    np.random.default_rng(seed), so two solvers with the same seed train identically.
    """

    def __init__(self, model, data, update_rule, *, optim_config=None, lr_schedule=None,
                 batch_size=100, num_epochs=10, num_train_samples=1000,
                 num_val_samples=None, progress=True, seed=0):
        """Set up training; train() does the work.

        model: object with `params` (dict of arrays) and `loss(X, y=None)`.
        data: dict with X_train (N, ...), y_train (N,), X_val (N_val, ...), y_val (N_val,).
        update_rule: function rule(w, dw, config) -> (next_w, config), e.g. your sgd.
        optim_config: hyperparameters for the rule; each parameter gets its own deep copy,
            and the config a rule returns is passed to it at the next step.
        lr_schedule: optional function lr_schedule(step) -> learning rate, step counting
            iterations from 0; sets config["learning_rate"] before every update.
        batch_size, num_epochs: positive ints.
        num_train_samples, num_val_samples: how many samples accuracy checks use
            (None: all).
        progress: show a progress bar on stderr.
        seed: seeds the minibatch order and the accuracy subsamples.
        """
        has_params = isinstance(getattr(model, "params", None), MutableMapping)
        if not (has_params and callable(getattr(model, "loss", None))):
            raise TypeError("model must have a dict `params` and a method `loss(X, y=None)`, "
                            f"got {type(model).__name__}")
        if not isinstance(data, Mapping):
            raise ValueError(f"data must be a dict with keys {_DATA_KEYS}, "
                             f"got {type(data).__name__}")
        missing = [key for key in _DATA_KEYS if key not in data]
        if missing:
            raise ValueError(f"data is missing {missing}; it needs {_DATA_KEYS} "
                             "(get_data() returns such a dict)")
        for split in ("train", "val"):
            X, y = data[f"X_{split}"], data[f"y_{split}"]
            if len(X) != len(y):
                raise ValueError(f"X_{split} has {len(X)} samples but y_{split} has {len(y)}")
            if len(X) == 0:
                raise ValueError(f"X_{split} is empty; the solver needs at least one sample")
        if not callable(update_rule):
            raise ValueError("update_rule must be a function rule(w, dw, config) -> "
                             f"(next_w, config), such as your sgd; got {update_rule!r}")
        if lr_schedule is not None and not callable(lr_schedule):
            raise ValueError("lr_schedule must be a function step -> learning rate or None, "
                             f"got {lr_schedule!r}")
        if optim_config is not None and not isinstance(optim_config, Mapping):
            raise ValueError(f"optim_config must be a dict or None, got {optim_config!r}")

        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        self.update_rule = update_rule
        self.lr_schedule = lr_schedule
        self.batch_size = _check_positive("batch_size", batch_size)
        self.num_epochs = _check_positive("num_epochs", num_epochs)
        self.num_train_samples = _check_positive("num_train_samples", num_train_samples,
                                                 allow_none=True)
        self.num_val_samples = _check_positive("num_val_samples", num_val_samples,
                                               allow_none=True)
        self.progress = progress
        self.seed = seed

        base_config = dict(optim_config) if optim_config is not None else {}
        self.optim_configs = {name: copy.deepcopy(base_config) for name in model.params}
        self.epoch = 0
        self.iteration = 0
        self.best_val_acc = -1.0
        self.best_params = {}
        self.loss_history = []
        self.lr_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self._rng = np.random.default_rng(seed)
        self._train_check = self._subsample(self.X_train, self.y_train, self.num_train_samples)
        self._val_check = self._subsample(self.X_val, self.y_val, self.num_val_samples)

    def _step(self, t, batch):
        """One update of every parameter on the minibatch of indices batch."""
        loss, grads = self.model.loss(self.X_train[batch], self.y_train[batch])
        self.loss_history.append(float(loss))
        if not math.isfinite(loss):
            self._restore_best()
            raise FloatingPointError(
                f"the loss became {loss} at iteration {t} (epoch {self.epoch}); training "
                "stopped. The usual cause is a learning rate that is too large: try one 10x "
                "smaller. The model has its best parameters so far back.")

        if self.lr_schedule is not None:
            lr = float(self.lr_schedule(t))
            for config in self.optim_configs.values():
                config["learning_rate"] = lr
        for name, w in self.model.params.items():
            result = self.update_rule(w, grads[name], self.optim_configs[name])
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError(f"update_rule must return (next_w, config), got {result!r}")
            next_w, config = result
            if not isinstance(config, MutableMapping):
                raise TypeError("update_rule must return (next_w, config) with config a dict "
                                f"holding its state; got config={config!r}")
            if np.shape(next_w) != np.shape(w):
                raise ValueError(f"update_rule returned next_w of shape {np.shape(next_w)} "
                                 f"for {name} of shape {np.shape(w)}")
            self.model.params[name] = next_w
            self.optim_configs[name] = config
        if self.lr_schedule is None:
            first = next(iter(self.optim_configs.values()), {})
            self.lr_history.append(float(first.get("learning_rate", math.nan)))
        else:
            self.lr_history.append(lr)
        return loss

    def _check_epoch(self):
        """Record training and validation accuracy; keep the best parameters."""
        train_acc = self.check_accuracy(*self._train_check)
        val_acc = self.check_accuracy(*self._val_check)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: np.array(v, copy=True) for k, v in self.model.params.items()}
        return val_acc

    def _restore_best(self):
        for name, value in self.best_params.items():
            self.model.params[name] = np.array(value, copy=True)

    def train(self):
        """Run num_epochs epochs of minibatch updates, then restore the best parameters.

        An epoch is max(N_train // batch_size, 1) iterations. Calling train() again
        continues: histories grow, and the step given to lr_schedule keeps counting.
        Returns self.
        Raises FloatingPointError when the loss becomes NaN or infinite.
        """
        num_train = len(self.X_train)
        per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * per_epoch
        val_acc = self._check_epoch()
        with tqdm.tqdm(total=num_iterations, file=sys.stderr, disable=not self.progress,
                       desc="train", unit="it") as bar:
            for _ in range(self.num_epochs):
                order = self._rng.permutation(num_train)
                for i in range(per_epoch):
                    batch = order[i * self.batch_size:(i + 1) * self.batch_size]
                    loss = self._step(self.iteration, batch)
                    self.iteration += 1
                    bar.set_postfix(loss=f"{loss:.4f}", val_acc=f"{val_acc:.3f}",
                                    refresh=False)
                    bar.update()
                self.epoch += 1
                val_acc = self._check_epoch()
        self._restore_best()
        return self

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of samples the model classifies correctly.

        X: array of shape (N, ...); y: int labels of shape (N,).
        num_samples: use a fixed random subset of this size (drawn with the solver's seed)
            when N is larger; None uses all.
        batch_size: samples per forward pass.
        Returns a float in [0, 1].
        """
        if len(X) == 0:
            raise ValueError("check_accuracy needs at least one sample, got an empty X")
        X, y = self._subsample(X, y, num_samples)
        N = len(X)
        predictions = []
        for start in range(0, N, batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            predictions.append(np.argmax(scores, axis=1))
        y_pred = np.concatenate(predictions)
        return float(np.mean(y_pred == y))

    def _subsample(self, X, y, num_samples):
        """(X, y), or a random subset of num_samples of them (the same for a given seed and N)."""
        N = len(X)
        if num_samples is None or N <= num_samples:
            return X, y
        subset = np.random.default_rng(self.seed).choice(N, num_samples, replace=False)
        return X[subset], y[subset]
