"""Are the course's answers to 02_gradient_checking right? Checked against PyTorch, the outside oracle.

Each activation's forward pass is compared with torch's (torch.sigmoid, torch.tanh,
F.leaky_relu, F.elu) and its backward pass with autograd's gradient of sum(f(x) * dout), in
float64, on fixed-seed inputs that include 0, large |x| (where exp overflows) and a
non-default alpha. svm_loss is compared with F.multi_margin_loss(p=1, margin=1), which also
divides by the number of classes C: its loss and gradient times C are ours. Every `check_*`
takes the reference and returns the largest absolute difference it saw. Test-only: imports torch.
"""

import numpy as np
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array

TOL = 1e-10
# Numerical gradients (centred, h = 1e-5) of smooth functions on |x| <= 3 agree to about 1e-10;
# the bound leaves a margin of 100.
NUMERICAL_TOL = 1e-8


def _inputs(seed):
    rng = np.random.default_rng(seed)
    edge = np.array([-800.0, -50.0, -1e-8, 0.0, 1e-8, 50.0, 800.0])
    return [rng.normal(scale=3.0, size=(4, 5)), rng.normal(size=(2, 3, 4)), edge]


def _torch(fn, x, dout):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = fn(xt)
    (out * torch.tensor(dout, dtype=torch.float64)).sum().backward()
    return out.detach().numpy(), xt.grad.numpy()


def _compare(reference, name, kwargs, torch_fn):
    worst = 0.0
    for seed in range(3):
        for x in _inputs(seed):
            dout = np.random.default_rng(seed + 10).normal(size=x.shape)
            out, cache = getattr(reference, f"{name}_forward")(x.copy(), **kwargs)
            dx = getattr(reference, f"{name}_backward")(dout.copy(), cache)
            out_t, dx_t = _torch(torch_fn, x, dout)
            diff = max(float(np.max(np.abs(out - out_t))), float(np.max(np.abs(dx - dx_t))))
            assert diff <= TOL, f"{name}{kwargs}: differs from PyTorch by {diff:.3g} on x of shape {x.shape}"
            worst = max(worst, diff)
    return worst


def check_sigmoid(reference):
    return _compare(reference, "sigmoid", {}, torch.sigmoid)


def check_tanh(reference):
    return _compare(reference, "tanh", {}, torch.tanh)


def check_leaky_relu(reference):
    return max(_compare(reference, "leaky_relu", {}, lambda x: F.leaky_relu(x, 0.01)),
               _compare(reference, "leaky_relu", {"alpha": 0.3}, lambda x: F.leaky_relu(x, 0.3)))


def check_elu(reference):
    return max(_compare(reference, "elu", {}, lambda x: F.elu(x, 1.0)),
               _compare(reference, "elu", {"alpha": 0.4}, lambda x: F.elu(x, 0.4)))


def _svm_cases():
    cases = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        n, c = 5 + seed, 3 + seed
        cases.append((rng.normal(scale=2.0, size=(n, c)), rng.integers(c, size=n)))
    # ties: integer scores with margins of exactly 0 (they count as inactive, as in PyTorch)
    cases.append((np.array([[1.0, 0.0, 2.0], [3.0, 2.0, 2.0], [0.0, 0.0, 0.0]]), np.array([2, 0, 1])))
    return cases


def check_svm_loss(reference):
    worst = 0.0
    for scores, y in _svm_cases():
        c = scores.shape[1]
        loss, dscores = reference.svm_loss(scores.copy(), y.copy())
        st = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
        loss_t = F.multi_margin_loss(st, torch.tensor(y), p=1, margin=1.0, reduction="mean") * c
        loss_t.backward()
        diff = max(abs(float(loss) - loss_t.item()), float(np.max(np.abs(dscores - st.grad.numpy()))))
        assert diff <= TOL, f"svm_loss differs from PyTorch by {diff:.3g} on scores of shape {scores.shape}"
        worst = max(worst, diff)
    return worst


def check_numerical_gradients(reference):
    """Every backward pass against the numerical gradient of its own forward (inputs away from kinks)."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for name, kwargs in [("sigmoid", {}), ("tanh", {}), ("leaky_relu", {}), ("leaky_relu", {"alpha": 0.2}),
                         ("elu", {}), ("elu", {"alpha": 0.5})]:
        x = rng.choice([-1.0, 1.0], size=(3, 4)) * rng.uniform(0.1, 3.0, size=(3, 4))
        dout = rng.normal(size=(3, 4))
        forward = getattr(reference, f"{name}_forward")
        dx = getattr(reference, f"{name}_backward")(dout.copy(), forward(x.copy(), **kwargs)[1])
        numerical = eval_numerical_gradient_array(lambda v, f=forward, k=kwargs: f(v.copy(), **k)[0], x, dout)
        diff = float(np.max(np.abs(dx - numerical)))
        assert diff <= NUMERICAL_TOL, f"{name}_backward{kwargs} differs from the numerical gradient by {diff:.3g}"
        worst = max(worst, diff)
    scores, y = rng.normal(scale=2.0, size=(6, 4)), rng.integers(4, size=6)
    _, dscores = reference.svm_loss(scores.copy(), y)
    numerical = eval_numerical_gradient(lambda s: reference.svm_loss(s.copy(), y)[0], scores)
    diff = float(np.max(np.abs(dscores - numerical)))
    assert diff <= NUMERICAL_TOL, f"svm_loss's dscores differs from the numerical gradient by {diff:.3g}"
    return max(worst, diff)
