"""Are the course's answers to 03_optimizers right? Checked against torch.optim, the outside oracle.

Each rule runs 25 steps with its config threaded through, next to the matching torch.optim
optimizer fed the same gradients (float64, `foreach=False`), once with hyperparameters given and
once with the defaults. Every `check_*` takes the reference and returns the largest relative
difference it saw. Test-only: imports torch.
"""

import numpy as np
import torch

STEPS = 25
TOL = 1e-12

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
# The contract's defaults are torch's (AdamW's weight decay: 1e-2 in both).
DEFAULTS = {
    "sgd": lambda p: torch.optim.SGD(p, lr=1e-2, foreach=False),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, foreach=False),
    "nesterov_momentum": lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, nesterov=True, foreach=False),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=1e-2, eps=1e-8, initial_accumulator_value=0, foreach=False),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=1e-2, alpha=0.99, eps=1e-8, foreach=False),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=False),
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, foreach=False),
}


def _torch_trajectory(make_optimizer, w0, grads):
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([w])
    out = []
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(w.detach().numpy().copy())
    return out


def _our_trajectory(rule, w0, grads, config):
    w, out = w0.copy(), []
    for g in grads:
        w, config = rule(w, g, config)
        out.append(w.copy())
    return out


def _problem(seed, shape):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), [rng.normal(size=shape) for _ in range(STEPS)]


def _largest_relative_difference(ours, theirs):
    return max(float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) for a, b in zip(ours, theirs))


def _compare(rule, ours, theirs, what):
    diff = _largest_relative_difference(ours, theirs)
    assert diff < TOL, f"{rule} {what} departs from torch.optim by {diff:.3g} over {STEPS} steps"
    return diff


def check_rules_with_hyperparameters(reference):
    """Every rule with every hyperparameter given equals its torch.optim optimizer step by step."""
    w0, grads = _problem(1, (4, 3))
    return max(_compare(rule, _our_trajectory(getattr(reference, rule), w0, grads, dict(config)),
                        _torch_trajectory(make, w0, grads), "with hyperparameters")
               for rule, (config, make) in CASES.items())


def check_rules_with_defaults(reference):
    """config=None takes the contract's defaults, which are torch's."""
    w0, grads = _problem(2, (7,))
    return max(_compare(rule, _our_trajectory(getattr(reference, rule), w0, grads, None),
                        _torch_trajectory(make, w0, grads), "with its defaults")
               for rule, make in DEFAULTS.items())
