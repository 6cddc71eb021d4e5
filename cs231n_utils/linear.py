"""A linear classifier to train with the Solver: scores = X @ W, with the loss function you give it.

The model computes scores and keeps the weights; what it minimizes (a softmax loss, with or
without a penalty on W) is a function passed in, so the notebooks train their own losses with it.
"""

import numpy as np


class LinearClassifier:
    """scores = X.reshape(N, D) @ W, trained on the loss of `loss_fn`.

    Parameters live in self.params: W (D, C). There is no bias (with mean-subtracted inputs a
    linear classifier does well without one; append a column of ones to X to get one).
    """

    def __init__(self, input_dim, num_classes, loss_fn, *, weight_scale=1e-3, seed=0):
        """input_dim D, num_classes C: positive ints.

        loss_fn: function loss_fn(W, X, y) -> (loss, dW) with W (D, C), X (N, D), y (N,) int
            labels, loss a number and dW of the shape of W.
        weight_scale: standard deviation of the normal initial weights, drawn with
            np.random.default_rng(seed).
        """
        for name, value in (("input_dim", input_dim), ("num_classes", num_classes)):
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if not callable(loss_fn):
            raise ValueError(f"loss_fn must be a function loss_fn(W, X, y) -> (loss, dW), got {loss_fn!r}")
        self.loss_fn = loss_fn
        rng = np.random.default_rng(seed)
        self.params = {"W": rng.normal(0.0, weight_scale, (int(input_dim), int(num_classes)))}

    def loss(self, X, y=None):
        """Scores, or the loss and gradient, for a minibatch.

        X: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D.
        y: int labels of shape (N,), or None.
        Returns scores of shape (N, C) when y is None, else (loss, {"W": dW}).
        """
        W = self.params["W"]
        X = np.asarray(X).reshape(len(X), -1)
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features per sample but W expects {W.shape[0]}")
        if y is None:
            return X @ W
        loss, dW = self.loss_fn(W, X, y)
        if np.shape(dW) != W.shape:
            raise ValueError(f"loss_fn returned dW of shape {np.shape(dW)}; it must have the shape of W, {W.shape}")
        return float(loss), {"W": dW}
