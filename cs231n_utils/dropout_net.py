"""A fully connected network that trains with dropout functions handed to it.

The network holds no dropout of its own: it calls the `dropout_forward` and `dropout_backward`
it is given (in the dropout notebook, the student's), with the CS231n interface
`dropout_forward(x, {"p": keep probability, "mode": "train" or "test", "seed": int})`.
Each training pass gives every dropout layer a new seed drawn from the network's own
generator, so a run is reproducible whatever random generator the dropout functions use, and
still draws a new mask at every pass.
"""

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


class DropoutNet:
    """{affine - relu - dropout} x L - affine - softmax, with L2 regularization of the weights.

    Parameters live in self.params: W1, b1, ..., W{L+1}, b{L+1}; Wk of shape
    (dims[k-1], dims[k]) with dims = (input_dim, *hidden_dims, num_classes), of dtype self.dtype.
    """

    def __init__(self, input_dim, hidden_dims, num_classes, *, keep_prob=1.0, dropout_forward=None,
                 dropout_backward=None, weight_scale=1e-2, reg=0.0, seed=0, dtype=np.float64):
        """input_dim D, num_classes C: positive ints; hidden_dims: a non-empty sequence of positive ints.

        keep_prob: p, the probability of keeping a hidden unit, in (0, 1]; 1.0 means no dropout
            (the dropout functions are then never called and may be None).
        dropout_forward, dropout_backward: functions with the CS231n dropout interface;
            required when keep_prob < 1.
        weight_scale: standard deviation of the normal initial weights (biases start at 0), drawn
            in float64 and rounded to dtype.
        reg: L2 strength; the loss adds 0.5 * reg * sum(W**2) over the weight matrices.
        seed: seeds the initial weights (np.random.default_rng(seed)) and, separately, the
            sequence of dropout seeds.
        dtype: floating dtype of the parameters, gradients and scores; inputs are cast to it.
            float64 for gradient checks, float32 for faster training.
        """
        dims = [input_dim, *hidden_dims, num_classes]
        if len(dims) < 3:
            raise ValueError("hidden_dims must hold at least one layer size, got an empty sequence")
        for value in dims:
            if isinstance(value, bool) or int(value) != value or value < 1:
                raise ValueError(f"input_dim, hidden_dims and num_classes must be positive ints, got {value!r}")
        if not 0.0 < keep_prob <= 1.0:
            raise ValueError(f"keep_prob is the probability of keeping a unit, in (0, 1]; got {keep_prob!r}")
        if keep_prob < 1.0 and not (callable(dropout_forward) and callable(dropout_backward)):
            raise ValueError("keep_prob < 1 needs dropout_forward and dropout_backward (your functions)")
        self.dtype = float_dtype(dtype)
        self.keep_prob = float(keep_prob)
        self.dropout_forward, self.dropout_backward = dropout_forward, dropout_backward
        self.reg = reg
        self.num_hidden = len(hidden_dims)
        rng = np.random.default_rng(seed)
        self.params = {}
        for k, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:]), start=1):
            self.params[f"W{k}"] = rng.normal(0.0, weight_scale, (int(fan_in), int(fan_out))).astype(self.dtype)
            self.params[f"b{k}"] = np.zeros(int(fan_out), dtype=self.dtype)
        self._seeds = np.random.default_rng([seed, 1])  # the dropout seeds, one per layer and pass

    @property
    def uses_dropout(self):
        return self.keep_prob < 1.0

    def scores(self, X, mode="test"):
        """Class scores (N, C) of a forward pass in `mode` ("train" draws dropout masks, "test" does not)."""
        return self._forward(X, mode)[0]

    def _forward(self, X, mode):
        if mode not in ("train", "test"):
            raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
        h, caches = np.asarray(X, dtype=self.dtype).reshape(X.shape[0], -1), []
        for k in range(1, self.num_hidden + 1):
            a, fc_cache = affine_forward(h, self.params[f"W{k}"], self.params[f"b{k}"])
            h, relu_cache = relu_forward(a)
            drop_cache = None
            if self.uses_dropout:
                param = {"p": self.keep_prob, "mode": mode}
                if mode == "train":
                    param["seed"] = int(self._seeds.integers(2**31))
                h, drop_cache = self.dropout_forward(h, param)
            caches.append((fc_cache, relu_cache, drop_cache))
        last = self.num_hidden + 1
        scores, fc_cache = affine_forward(h, self.params[f"W{last}"], self.params[f"b{last}"])
        return scores, caches, fc_cache

    def loss(self, X, y=None):
        """Scores in test mode when y is None; else the loss and gradients of a training pass.

        X: array of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = input_dim.
        y: int labels of shape (N,), or None.
        Returns scores of shape (N, C) when y is None, else (loss, grads) with grads a dict of
        arrays shaped like self.params.
        """
        if y is None:
            return self.scores(X, "test")
        scores, caches, fc_cache = self._forward(X, "train")
        loss, dscores = softmax_loss(scores, y)
        grads = {}
        last = self.num_hidden + 1
        dh, grads[f"W{last}"], grads[f"b{last}"] = affine_backward(dscores, fc_cache)
        for k in range(self.num_hidden, 0, -1):
            fc_cache, relu_cache, drop_cache = caches[k - 1]
            if self.uses_dropout:
                dh = self.dropout_backward(dh, drop_cache)
            da = relu_backward(dh, relu_cache)
            if k > 1:
                dh, grads[f"W{k}"], grads[f"b{k}"] = affine_backward(da, fc_cache)
            else:  # the input is data: its gradient is not needed
                grads["W1"], grads["b1"] = affine_param_backward(da, fc_cache)
        if self.reg:
            weights = [self.params[f"W{k}"] for k in range(1, last + 1)]
            loss += 0.5 * self.reg * sum(np.sum(W * W) for W in weights)
            for k in range(1, last + 1):
                grads[f"W{k}"] += self.reg * self.params[f"W{k}"]
        return float(loss), grads
