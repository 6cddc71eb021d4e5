"""Numerical gradients by centred differences, to check analytic backward passes.

The functions perturb x in place (so f may close over x) and always restore it exactly.
"""

import numpy as np


def rel_error(x, y):
    """Return max(|x - y| / max(1e-8, |x| + |y|)), the worst relative error, as a float.

    x, y: arrays (or numbers) of the same shape.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(
            f"rel_error needs arrays of the same shape, got {x.shape} and {y.shape}; "
            "a mismatch usually means a missing reshape or a wrong axis in a sum")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _centred_difference(f, x, ix, h):
    """Return (f(x + h e_ix), f(x - h e_ix)), restoring x[ix] afterwards."""
    old = x[ix]
    try:
        x[ix] = old + h
        plus = np.copy(f(x))
        x[ix] = old - h
        minus = np.copy(f(x))
    finally:
        x[ix] = old
    return plus, minus


def eval_numerical_gradient(f, x, verbose=False, h=1e-5):
    """Numerical gradient of a scalar function f at x.

    f: function of one argument returning a number.
    x: float array of any shape; modified in place during the evaluation and restored.
    Returns an array of the shape of x with df/dx.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        plus, minus = _centred_difference(f, x, ix, h)
        grad[ix] = (plus - minus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) at x, for an array-valued f.

    f: function of one argument returning an array of the shape of df.
    x: float array of any shape; modified in place during the evaluation and restored.
    df: upstream gradient, array of the shape of f(x).
    Returns an array of the shape of x.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for ix in np.ndindex(x.shape):
        plus, minus = _centred_difference(f, x, ix, h)
        grad[ix] = np.sum((plus - minus) * df) / (2 * h)
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=0, verbose=False):
    """Compare analytic_grad with the numerical gradient of scalar f at random coordinates.

    f: function of one argument returning a number.
    x: float array; modified in place during the check and restored.
    analytic_grad: array of the shape of x.
    num_checks: how many coordinates to check, drawn with np.random.default_rng(seed).
    Returns the list of relative errors, one per check; verbose prints each as CS231n does.
    """
    analytic_grad = np.asarray(analytic_grad)
    if analytic_grad.shape != x.shape:
        raise ValueError(
            f"analytic_grad has shape {analytic_grad.shape} but x has shape {x.shape}; "
            "the gradient must have the shape of the variable")
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        plus, minus = _centred_difference(f, x, ix, h)
        numerical = float((plus - minus) / (2 * h))
        analytic = float(analytic_grad[ix])
        error = abs(numerical - analytic) / max(1e-8, abs(numerical) + abs(analytic))
        errors.append(error)
        if verbose:
            print(f"numerical: {numerical:f} analytic: {analytic:f}, relative error: {error:e}")
    return errors
