"""Given layers (not graded): forward/backward pairs with the CS231n (out, cache) convention.

Each *_forward returns (out, cache); the matching *_backward takes (dout, cache) and
returns the gradients with respect to the forward's inputs.
"""

import numpy as np


def float_dtype(dtype):
    """Return np.dtype(dtype) when it is a floating type, the dtype a network computes in.

    float64 (the models' default) keeps gradient checks exact to about 1e-10; float32 halves
    the memory traffic and about doubles the speed of the matrix products in training.
    """
    try:
        result = np.dtype(dtype)
    except TypeError:
        result = None
    if result is None or not np.issubdtype(result, np.floating):
        raise ValueError(f"dtype must be a floating type such as np.float32 or np.float64, got {dtype!r}")
    return result


def affine_forward(x, w, b):
    """Fully connected layer: out = x.reshape(N, D) @ w + b.

    x: array of shape (N, d_1, ..., d_k) with D = d_1 * ... * d_k.
    w: array of shape (D, M).  b: array of shape (M,).
    Returns (out, cache): out of shape (N, M), cache = (x, w, b).
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of affine_forward.

    dout: upstream gradient of shape (N, M).  cache: from affine_forward.
    Returns (dx, dw, db) of the shapes of x, w and b.
    """
    x, w, _ = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw, db = affine_param_backward(dout, cache)
    return dx, dw, db


def affine_param_backward(dout, cache):
    """The parameter gradients of affine_backward alone, without dx.

    For a network's first layer, whose input is the data: its dx would be a matrix product as
    large as the forward pass, computed and thrown away.
    dout: upstream gradient of shape (N, M).  cache: from affine_forward.
    Returns (dw, db) of the shapes of w and b.
    """
    x = cache[0]
    return x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)


def relu_forward(x):
    """Rectified linear unit: out = max(0, x) elementwise.

    x: array of any shape.
    Returns (out, cache): out of the shape of x, cache = x.
    """
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    """Backward pass of relu_forward: dx = dout where x > 0, else 0.

    dout: upstream gradient of the shape of x.  cache: x.
    """
    return dout * (cache > 0)


def affine_relu_forward(x, w, b):
    """An affine layer followed by a ReLU.

    Shapes as affine_forward.  Returns (out, cache) with out of shape (N, M).
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass of affine_relu_forward.  Returns (dx, dw, db)."""
    fc_cache, relu_cache = cache
    return affine_backward(relu_backward(dout, relu_cache), fc_cache)


def softmax_loss(x, y):
    """Mean softmax cross-entropy loss, computed stably (scores shifted by their row max).

    x: scores, array of shape (N, C).
    y: labels, int array of shape (N,) with 0 <= y[i] < C.
    Returns (loss, dx): loss a float, dx of shape (N, C).
    """
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N)
    loss = float(-log_probs[rows, y].mean())
    dx = np.exp(log_probs)
    dx[rows, y] -= 1
    dx /= N
    return loss, dx
