"""Are the course's answers to 01_regularization right? Checked against PyTorch, the outside oracle.

Each penalty and the regularized softmax loss are written again in torch (float64, CPU), and
their values and autograd gradients compared with the reference's on a few fixed-seed inputs.
The weights include exact zeros: torch's autograd of abs gives 0 there, the subgradient the
contract uses (dW = reg * sign(W)). The softmax is also compared on scores of up to about a
thousand, where an unstable softmax overflows. Then every gradient is checked numerically with
the course's own gradient checker. Every `check_*` takes the reference and returns the largest absolute
difference it saw. Test-only: imports torch.
"""

from functools import partial

import numpy as np
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import eval_numerical_gradient

TOL = 1e-10
NUMERICAL_TOL = 1e-7  # centred differences with h = 1e-5 on these inputs agree to about 1e-9
SEEDS = (0, 1, 2)
NAMES = {"l1": "l1_penalty", "l2": "l2_penalty", "elastic_net": "elastic_net_penalty"}


def _torch_penalty(name, W, *, reg, beta):
    if name == "l1":
        return reg * W.abs().sum()
    if name == "l2":
        return reg * (W * W).sum()
    return reg * (beta * W * W + W.abs()).sum()


def _weights(rng, shape, zeros=True):
    """Normal weights; with zeros, every third entry (flat order) exactly 0."""
    W = rng.normal(size=shape)
    if zeros:
        W.ravel()[::3] = 0.0
    return W


def _torch_value_and_grad(fn, W):
    Wt = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    value = fn(Wt)
    value.backward()
    return value.item(), Wt.grad.numpy()


def _difference(what, ours, theirs, tol=TOL):
    """The largest absolute difference between (loss, dW) pairs; AssertionError beyond tol."""
    loss, dW = ours
    diff = max(abs(float(loss) - theirs[0]), float(np.max(np.abs(np.asarray(dW) - theirs[1]))))
    if not diff <= tol:
        raise AssertionError(f"{what}: differs from PyTorch by {diff:.3g} (tolerance {tol:g})")
    return diff


def _check_penalty(reference, name):
    worst = 0.0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        W, reg, beta = _weights(rng, (4, 5)), float(rng.uniform(0.1, 2.0)), float(rng.uniform(0.1, 3.0))
        args = (reg, beta) if name == "elastic_net" else (reg,)
        ours = getattr(reference, NAMES[name])(W.copy(), *args)
        theirs = _torch_value_and_grad(partial(_torch_penalty, name, reg=reg, beta=beta), W)
        worst = max(worst, _difference(f"{NAMES[name]} (seed {seed})", ours, theirs))
    return worst


def check_l1_penalty(reference):
    return _check_penalty(reference, "l1")


def check_l2_penalty(reference):
    return _check_penalty(reference, "l2")


def check_elastic_net_penalty(reference):
    return _check_penalty(reference, "elastic_net")


def _torch_softmax_loss(W, *, X, y, reg, name, beta):
    return F.cross_entropy(torch.tensor(X) @ W, torch.tensor(y)) + _torch_penalty(name, W, reg=reg, beta=beta)


def check_regularized_softmax_loss(reference):
    """Every penalty, every seed, with ordinary scores and with scores of up to about a thousand."""
    worst = 0.0
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        N, D, C = 7, 5, 4
        X, y = rng.normal(size=(N, D)), rng.integers(0, C, size=N)
        reg, beta = float(rng.uniform(0.1, 2.0)), float(rng.uniform(0.1, 3.0))
        # ordinary scores with each penalty; then scores of up to about a thousand (reg = 0, so
        # that the penalty of such weights does not dwarf the softmax)
        cases = [(_weights(rng, (D, C)), reg, name) for name in NAMES] + [(_weights(rng, (D, C)) * 300.0, 0.0, "l2")]
        for W, r, name in cases:
            ours = reference.regularized_softmax_loss(W.copy(), X.copy(), y.copy(), r, penalty=name, beta=beta)
            theirs = _torch_value_and_grad(partial(_torch_softmax_loss, X=X, y=y, reg=r, name=name, beta=beta), W)
            worst = max(worst, _difference(f"regularized_softmax_loss, penalty {name!r}, reg {r:g}, seed {seed}",
                                           ours, theirs))
    return worst


def check_numerical_gradients(reference):
    """dW of every function against centred differences of its own loss (weights away from 0)."""
    worst = 0.0
    rng = np.random.default_rng(7)
    W = rng.uniform(0.1, 1.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3))
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    cases = {
        "l1_penalty": lambda W_: reference.l1_penalty(W_, 0.7),
        "l2_penalty": lambda W_: reference.l2_penalty(W_, 0.7),
        "elastic_net_penalty": lambda W_: reference.elastic_net_penalty(W_, 0.7, 1.3),
        **{f"regularized_softmax_loss, {name}": (lambda W_, name=name: reference.regularized_softmax_loss(
            W_, X, y, 0.7, penalty=name, beta=1.3)) for name in NAMES},
    }
    for what, fn in cases.items():
        dW = fn(W.copy())[1]
        numerical = eval_numerical_gradient(lambda W_, fn=fn: float(fn(W_)[0]), W.copy())
        diff = float(np.max(np.abs(dW - numerical)))
        if not diff <= NUMERICAL_TOL:
            raise AssertionError(f"{what}: dW differs from the numerical gradient by {diff:.3g}")
        worst = max(worst, diff)
    return worst
