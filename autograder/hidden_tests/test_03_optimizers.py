"""Hidden tests of 03_optimizers: each update rule is judged on the weights it produces.

A rule is called several times with its returned config threaded through, as a training loop
does, and the sequence of weights is compared with the reference's. Any formulation that gives
the same sequence earns full marks, whatever it keeps in its state (API.md). Shapes, values and
hyperparameters are drawn from the run's seed (`rng`), so no answer can be hard-coded.
"""

import numpy as np
import pytest

from autograder.hints import explain_mismatch

RULES = ["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw"]
RTOL = 1e-8  # alternative formulations agree to ~1e-15; a real mistake is off by far more
NUM_CALLS = 8
GRADED_RULES = [pytest.param(rule, marks=pytest.mark.graded(rule, points=1), id=rule) for rule in RULES]


def random_hyperparameters(rule, rng):
    """Hyperparameters other than the defaults, so that a rule ignoring its config fails."""
    hp = {"learning_rate": float(rng.uniform(1e-3, 5e-2))}
    if rule in ("sgd_momentum", "nesterov_momentum"):
        hp["momentum"] = float(rng.uniform(0.5, 0.95))
    if rule in ("adagrad", "rmsprop", "adam", "adamw"):
        hp["epsilon"] = float(10.0 ** rng.uniform(-8, -4))
    if rule == "rmsprop":
        hp["decay_rate"] = float(rng.uniform(0.8, 0.99))
    if rule in ("adam", "adamw"):
        hp["beta1"] = float(rng.uniform(0.7, 0.95))
        hp["beta2"] = float(rng.uniform(0.9, 0.9999))
    if rule == "adamw":
        hp["weight_decay"] = float(rng.uniform(1e-3, 1e-1))
    return hp


def random_problem(rng, shape=None, num_calls=NUM_CALLS):
    """Initial weights and a sequence of gradients of a random shape."""
    shape = shape or tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4)))
    w0 = rng.normal(size=shape)
    grads = [rng.normal(scale=rng.uniform(0.1, 3.0), size=shape) for _ in range(num_calls)]
    return w0, grads


def trajectory(rule_fn, w0, grads, config):
    """Weights after each call of `rule_fn`, threading the config it returns."""
    w, weights = w0.copy(), []
    for dw in grads:
        result = rule_fn(w, dw.copy(), config)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise AssertionError(f"must return a pair (next_w, config); got {type(result).__name__}")
        w, config = result
        if config is None or not isinstance(config, dict):
            raise AssertionError("the config returned must be the dict of hyperparameters and state, not "
                                 f"{type(config).__name__}: the next call needs its state")
        w = np.asarray(w, dtype=np.float64)
        if w.shape != w0.shape:
            raise AssertionError(f"next_w has shape {w.shape}; it must keep the shape of w, {w0.shape}")
        weights.append(w.copy())
    return weights


def check_same_trajectory(rule, student, reference, w0, grads, config):
    """Assert that the student's weights match the reference's after every call."""
    want = trajectory(getattr(reference, rule), w0, grads, None if config is None else dict(config))
    got = trajectory(getattr(student, rule), w0, grads, None if config is None else dict(config))
    for step, (g, r) in enumerate(zip(got, want), start=1):
        if not np.all(np.isfinite(g)):
            raise AssertionError(f"after call {step} the weights contain NaN or inf")
        if not np.allclose(g, r, rtol=RTOL, atol=1e-12):
            worst = float(np.max(np.abs(g - r)))
            hint = explain_mismatch(rule, got, w0, grads, config)
            raise AssertionError(
                f"after call {step} of {len(grads)} the weights differ from the expected ones by up to "
                f"{worst:.3g}" + (f". {hint}" if hint else ""))


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_defaults(rule, student, reference, rng):
    """with config=None, uses the contract's default hyperparameters over 8 calls"""
    check_same_trajectory(rule, student, reference, *random_problem(rng), None)


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_hyperparameters(rule, student, reference, rng):
    """with random hyperparameters in config, matches the expected weights over 8 calls"""
    check_same_trajectory(rule, student, reference, *random_problem(rng), random_hyperparameters(rule, rng))


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_any_shape(rule, student, reference, rng):
    """works for a 4-D array of weights, as for a convolution's filters"""
    w0, grads = random_problem(rng, shape=(2, 3, 2, 2), num_calls=4)
    check_same_trajectory(rule, student, reference, w0, grads, random_hyperparameters(rule, rng))

