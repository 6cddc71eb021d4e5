"""A fully connected network of any depth, with an optional normalization layer you supply.

The architecture is {affine - [norm] - relu} x (L - 1) - affine - softmax, with L the number
of affine layers. The normalization is not part of this package: pass a pair of functions with
the batch-norm interface of the course,

    norm_forward(x, gamma, beta, norm_param) -> (out, cache)
    norm_backward(dout, cache) -> (dx, dgamma, dbeta)

(for instance your own batchnorm_forward/backward or layernorm_forward/backward), and the
network calls them after every hidden affine layer. Each hidden layer keeps its own
`norm_param` dict, so state such as running averages persists from call to call; its "mode"
is set to "train" when the loss is computed (labels given) and to "test" for scores only.
"""

import copy

import numpy as np

from cs231n_utils.layers import (
    affine_backward,
    affine_forward,
    affine_param_backward,
    float_dtype,
    relu_backward,
    relu_forward,
    softmax_loss,
)


def _positive_int(name, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


class FullyConnectedNet:
    """A deep fully connected classifier with L2 regularization and optional normalization.

    Parameters live in self.params: W1 (D, H1), b1 (H1,), ..., WL (H_{L-1}, C), bL (C,), and,
    with a normalization, gamma1 and beta1 (H1,) ... up to the last hidden layer; all of
    dtype self.dtype.
    self.norm_params[i] is the dict passed to norm_forward for hidden layer i + 1.
    """

    def __init__(self, hidden_dims, input_dim, num_classes, *, weight_scale=1e-2, reg=0.0,
                 norm_forward=None, norm_backward=None, norm_param=None, seed=0, dtype=np.float64):
        """hidden_dims: list of positive ints, the widths of the hidden layers (at least one).

        input_dim D, num_classes C: positive ints.
        weight_scale: standard deviation of the normal initial weights, drawn layer by layer
            with np.random.default_rng(seed) (in float64, then rounded to dtype); biases and
            betas start at 0, gammas at 1.
        reg: L2 strength; the loss adds 0.5 * reg * sum(W**2) over every weight matrix
            (not over gamma and beta).
        norm_forward, norm_backward: the normalization pair described in the module
            docstring, both or neither.
        norm_param: dict of settings copied into every hidden layer's norm_param (e.g.
            {"eps": 1e-5, "momentum": 0.9}); None means {}.
        dtype: floating dtype of the parameters, gradients and scores; inputs are cast to it.
            float64 for gradient checks, float32 for faster training.
        """
        hidden_dims = list(hidden_dims)
        if not hidden_dims:
            raise ValueError("hidden_dims must list at least one hidden layer width")
        dims = [_positive_int("input_dim", input_dim)]
        dims += [_positive_int("each hidden dim", h) for h in hidden_dims]
        dims += [_positive_int("num_classes", num_classes)]
        if (norm_forward is None) != (norm_backward is None):
            raise ValueError("give both norm_forward and norm_backward, or neither")
        if norm_param is not None and not isinstance(norm_param, dict):
            raise ValueError(f"norm_param must be a dict or None, got {norm_param!r}")

        self.dtype = float_dtype(dtype)
        self.reg = reg
        self.num_layers = len(dims) - 1
        self.norm_forward, self.norm_backward = norm_forward, norm_backward
        rng = np.random.default_rng(seed)
        self.params = {}
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = rng.normal(0.0, weight_scale, (dims[i], dims[i + 1])).astype(self.dtype)
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1], dtype=self.dtype)
        self.norm_params = []
        if norm_forward is not None:
            for i, width in enumerate(hidden_dims):
                self.params[f"gamma{i + 1}"] = np.ones(width, dtype=self.dtype)
                self.params[f"beta{i + 1}"] = np.zeros(width, dtype=self.dtype)
            self.norm_params = [copy.deepcopy(norm_param or {}) for _ in hidden_dims]

    def loss(self, X, y=None):
        """Scores, or the loss and gradients, for a minibatch.

        X: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D.
        y: int labels of shape (N,), or None.
        Returns scores of shape (N, C) when y is None (normalization in "test" mode), else
        (loss, grads) with grads a dict of arrays shaped like self.params ("train" mode).
        """
        mode = "test" if y is None else "train"
        for norm_param in self.norm_params:
            norm_param["mode"] = mode
        p, caches = self.params, []
        h = np.asarray(X, dtype=self.dtype)
        for i in range(1, self.num_layers):
            a, fc_cache = affine_forward(h, p[f"W{i}"], p[f"b{i}"])
            norm_cache = None
            if self.norm_forward is not None:
                a, norm_cache = self.norm_forward(a, p[f"gamma{i}"], p[f"beta{i}"], self.norm_params[i - 1])
            h, relu_cache = relu_forward(a)
            caches.append((fc_cache, norm_cache, relu_cache))
        L = self.num_layers
        scores, scores_cache = affine_forward(h, p[f"W{L}"], p[f"b{L}"])
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dscores, scores_cache)
        for i in range(L - 1, 0, -1):
            fc_cache, norm_cache, relu_cache = caches[i - 1]
            da = relu_backward(dh, relu_cache)
            if self.norm_backward is not None:
                da, grads[f"gamma{i}"], grads[f"beta{i}"] = self.norm_backward(da, norm_cache)
            if i > 1:
                dh, grads[f"W{i}"], grads[f"b{i}"] = affine_backward(da, fc_cache)
            else:  # the input is data: its gradient is not needed
                grads["W1"], grads["b1"] = affine_param_backward(da, fc_cache)
        if self.reg:
            for i in range(1, L + 1):
                W = p[f"W{i}"]
                loss += 0.5 * self.reg * np.sum(W ** 2)
                grads[f"W{i}"] = grads[f"W{i}"] + self.reg * W
        return float(loss), grads
