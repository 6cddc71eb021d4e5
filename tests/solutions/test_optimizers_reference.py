"""Are the course's answers to 03_optimizers right? Checked against torch.optim, the outside oracle.

The answers are the solution cells of the source notebook, extracted exactly as the grader
extracts them (no second copy). Each rule is run for many steps with its config threaded
through, next to the matching torch.optim optimizer fed the same gradients.
"""

import numpy as np
import pytest
import torch

from autograder.runner import reference

STEPS = 25
TOL = 1e-12


def torch_trajectory(make_optimizer, w0, grads):
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w])
    out = []
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(w.detach().numpy().copy())
    return out


def our_trajectory(rule, w0, grads, config):
    w, out = w0.copy(), []
    for g in grads:
        w, config = rule(w, g, config)
        out.append(w.copy())
    return out


CASES = {
    "sgd": ({"learning_rate": 0.05}, lambda p: torch.optim.SGD(p, lr=0.05, foreach=False)),
    "sgd_momentum": ({"learning_rate": 0.05, "momentum": 0.8},
                     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, foreach=False)),
    "nesterov_momentum": ({"learning_rate": 0.05, "momentum": 0.8},
                          lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True, foreach=False)),
    "adagrad": ({"learning_rate": 0.1, "epsilon": 1e-6},
                lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-6, initial_accumulator_value=0, foreach=False)),
    "rmsprop": ({"learning_rate": 0.01, "decay_rate": 0.95, "epsilon": 1e-6},
                lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.95, eps=1e-6, foreach=False)),
    "adam": ({"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7},
             lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7, foreach=False)),
    "adamw": ({"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7, "weight_decay": 0.05},
              lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.05, foreach=False)),
}
DEFAULTS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=1e-2, foreach=False),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, foreach=False),
    "nesterov_momentum": lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True, foreach=False),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=1e-2, eps=1e-8, initial_accumulator_value=0, foreach=False),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=1e-2, alpha=0.99, eps=1e-8, foreach=False),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=False),
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, foreach=False),
}


def problem(seed, shape=(4, 3)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), [rng.normal(size=shape) for _ in range(STEPS)]


def max_rel_diff(ours, theirs):
    return max(float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) for a, b in zip(ours, theirs))


@pytest.mark.parametrize("rule", CASES)
def test_matches_torch_with_hyperparameters(rule):
    config, make = CASES[rule]
    w0, grads = problem(1)
    diff = max_rel_diff(our_trajectory(getattr(reference("03_optimizers"), rule), w0, grads, dict(config)),
                        torch_trajectory(make, w0, grads))
    assert diff < TOL, f"{rule} departs from torch.optim by {diff:.3g} over {STEPS} steps"


@pytest.mark.parametrize("rule", DEFAULTS)
def test_defaults_match_torch(rule):
    """config=None takes the contract's defaults, which are torch's (AdamW's weight decay aside: 1e-2 both)."""
    w0, grads = problem(2, shape=(7,))
    diff = max_rel_diff(our_trajectory(getattr(reference("03_optimizers"), rule), w0, grads, None),
                        torch_trajectory(DEFAULTS[rule], w0, grads))
    assert diff < TOL, f"{rule} with default hyperparameters departs from torch.optim by {diff:.3g}"


@pytest.mark.parametrize("rule", CASES)
def test_state_is_threaded_through_config(rule):
    """The rule keeps its state in the config it returns, not in globals: two interleaved runs agree with one."""
    ref = getattr(reference("03_optimizers"), rule)
    w0, grads = problem(3)
    alone = our_trajectory(ref, w0, grads, dict(CASES[rule][0]))
    wa, wb, ca, cb = w0.copy(), w0.copy(), dict(CASES[rule][0]), dict(CASES[rule][0])
    for g in grads:
        wa, ca = ref(wa, g, ca)
        wb, cb = ref(wb, -g, cb)
    np.testing.assert_array_equal(wa, alone[-1])
