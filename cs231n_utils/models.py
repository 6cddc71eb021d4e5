"""A two-layer fully connected network to train with the Solver."""

import numpy as np

from cs231n_utils.layers import (
    affine_backward,
    affine_forward,
    affine_param_backward,
    affine_relu_forward,
    float_dtype,
    relu_backward,
    softmax_loss,
)


class TwoLayerNet:
    """affine - relu - affine - softmax, with L2 regularization of the weights.

    Parameters live in self.params: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,), of dtype self.dtype.
    """

    def __init__(self, input_dim, hidden_dim, num_classes, *, weight_scale=1e-2, reg=0.0,
                 seed=0, dtype=np.float64):
        """input_dim D, hidden_dim H, num_classes C: positive ints.

        weight_scale: standard deviation of the normal initial weights (biases start at 0),
            drawn with np.random.default_rng(seed) (in float64, then rounded to dtype).
        reg: L2 strength; the loss adds 0.5 * reg * sum(W**2) for W1 and W2.
        dtype: floating dtype of the parameters, gradients and scores; inputs are cast to it.
            float64 for gradient checks, float32 for faster training.
        """
        for name, value in (("input_dim", input_dim), ("hidden_dim", hidden_dim),
                            ("num_classes", num_classes)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        self.dtype = float_dtype(dtype)
        rng = np.random.default_rng(seed)
        self.reg = reg
        self.params = {
            "W1": rng.normal(0.0, weight_scale, (input_dim, hidden_dim)).astype(self.dtype),
            "b1": np.zeros(hidden_dim, dtype=self.dtype),
            "W2": rng.normal(0.0, weight_scale, (hidden_dim, num_classes)).astype(self.dtype),
            "b2": np.zeros(num_classes, dtype=self.dtype),
        }

    def loss(self, X, y=None):
        """Scores, or the loss and gradients, for a minibatch.

        X: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D.
        y: int labels of shape (N,), or None.
        Returns scores of shape (N, C) when y is None, else (loss, grads) with grads a
        dict of arrays shaped like self.params.
        """
        p = self.params
        X = np.asarray(X, dtype=self.dtype)
        hidden, (fc_cache, relu_cache) = affine_relu_forward(X, p["W1"], p["b1"])
        scores, scores_cache = affine_forward(hidden, p["W2"], p["b2"])
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, scores_cache)
        # the input is data: its gradient is not needed, so only the parameters' are computed
        grads["W1"], grads["b1"] = affine_param_backward(relu_backward(dhidden, relu_cache), fc_cache)
        if self.reg:
            loss += 0.5 * self.reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
            grads["W1"] += self.reg * p["W1"]
            grads["W2"] += self.reg * p["W2"]
        return float(loss), grads
