"""Are the course's answers to 05_batch_normalization right? Checked against PyTorch, the outside oracle.

Forward passes are compared with torch.nn.functional.batch_norm / layer_norm and backward passes
with autograd's gradients of sum(out * dout) (dx, dgamma, dbeta), in float64, on fixed-seed inputs.
Both backward passes of batch norm are also gradient-checked with the course's own checker.
Every `check_*` takes the reference and returns the largest absolute difference it saw.
Test-only: imports torch.

Running averages: PyTorch weights the NEW batch statistic by its `momentum` argument (ours
weights the OLD running value: PyTorch's momentum is 1 - ours) and averages the UNBIASED batch
variance (divided by N - 1), where ours averages the biased one (divided by N). The running-average
check converts explicitly: it reads the unbiased variance PyTorch used off its update and rescales
it by (N - 1) / N.
"""

import numpy as np
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import eval_numerical_gradient_array

TOL = 1e-10
# Centred differences (h = 1e-5) on these inputs (column standard deviations of order 1) agree with
# the exact gradient to about 1e-9; the bound leaves a margin.
NUMERICAL_TOL = 1e-7


def _problems():
    """(x, gamma, beta, dout, eps) cases: several shapes, a non-default eps, large means and scales."""
    cases = []
    for seed, (N, D, eps) in enumerate([(4, 3, 1e-5), (7, 5, 1e-3), (16, 2, 0.1), (2, 6, 1e-5)]):
        rng = np.random.default_rng(seed)
        x = rng.normal(loc=rng.uniform(-5, 5, size=D), scale=rng.uniform(0.2, 4.0, size=D), size=(N, D))
        cases.append((x, rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D)), eps))
    return cases


def _leaves(*arrays):
    return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]


def _torch_norm(norm, x, gamma, beta, dout, eps):
    """(out, dx, dgamma, dbeta) of torch's batch norm (training) or layer norm, with autograd."""
    xt, gt, bt = _leaves(x, gamma, beta)
    if norm == "batch":
        out = F.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
    else:
        out = F.layer_norm(xt, (x.shape[1],), gt, bt, eps=eps)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    return [t.detach().numpy() for t in (out, xt.grad, gt.grad, bt.grad)]


def _largest_difference(what, ours, theirs):
    diff = max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(ours, theirs))
    assert diff <= TOL, f"{what}: differs from PyTorch by {diff:.3g}"
    return diff


def _check_norm(reference, norm, backward):
    worst = 0.0
    forward = getattr(reference, f"{norm}norm_forward")
    for x, gamma, beta, dout, eps in _problems():
        param = {"mode": "train", "eps": eps} if norm == "batch" else {"eps": eps}
        out, cache = forward(x.copy(), gamma.copy(), beta.copy(), param)
        grads = getattr(reference, backward)(dout.copy(), cache)
        worst = max(worst, _largest_difference(f"{backward} on x of shape {x.shape}, eps {eps}",
                                               [out, *grads], _torch_norm(norm, x, gamma, beta, dout, eps)))
    return worst


def check_batchnorm_train_mode_and_backward(reference):
    return _check_norm(reference, "batch", "batchnorm_backward")


def check_batchnorm_backward_alt(reference):
    return _check_norm(reference, "batch", "batchnorm_backward_alt")


def check_layernorm(reference):
    return _check_norm(reference, "layer", "layernorm_backward")


def check_batchnorm_running_averages(reference):
    """Five train-mode calls, then a test-mode call, next to PyTorch with its conventions converted."""
    worst = 0.0
    rng = np.random.default_rng(7)
    N, D, momentum, eps = 6, 4, 0.8, 1e-3
    torch_momentum = 1 - momentum  # PyTorch weights the new batch statistic by its momentum
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    bn_param = {"mode": "train", "eps": eps, "momentum": momentum,
                "running_mean": rng.normal(size=D), "running_var": rng.uniform(0.5, 2.0, size=D)}
    ours_mean, ours_var = bn_param["running_mean"].copy(), bn_param["running_var"].copy()
    torch_mean = torch.tensor(bn_param["running_mean"])
    torch_var = torch.tensor(bn_param["running_var"])
    for _ in range(5):
        x = rng.normal(loc=2.0, scale=3.0, size=(N, D))
        reference.batchnorm_forward(x, gamma, beta, bn_param)
        old_var = torch_var.numpy().copy()
        F.batch_norm(torch.tensor(x), torch_mean, torch_var, torch.tensor(gamma), torch.tensor(beta),
                     training=True, momentum=torch_momentum, eps=eps)
        # PyTorch: new = (1 - m) * old + m * unbiased, so unbiased = (new - (1 - m) * old) / m.
        unbiased = (torch_var.numpy() - (1 - torch_momentum) * old_var) / torch_momentum
        ours_var = momentum * ours_var + (1 - momentum) * unbiased * (N - 1) / N
        ours_mean = torch_mean.numpy().copy()  # the mean needs no conversion beyond the momentum
        worst = max(worst, _largest_difference("running averages after a train-mode call",
                                               [bn_param["running_mean"], bn_param["running_var"]],
                                               [ours_mean, ours_var]))
    # Test mode: PyTorch with our running averages, in evaluation mode.
    x = rng.normal(size=(N, D))
    test_param = dict(bn_param, mode="test")
    out, _ = reference.batchnorm_forward(x, gamma, beta, test_param)
    out_t = F.batch_norm(torch.tensor(x), torch.tensor(bn_param["running_mean"]),
                         torch.tensor(bn_param["running_var"]), torch.tensor(gamma), torch.tensor(beta),
                         training=False, eps=eps).numpy()
    worst = max(worst, _largest_difference("test mode", [out], [out_t]))
    assert np.array_equal(test_param["running_mean"], bn_param["running_mean"]), "test mode changed running_mean"
    assert np.array_equal(test_param["running_var"], bn_param["running_var"]), "test mode changed running_var"
    return worst


def check_gradients_numerically(reference):
    """Every backward pass against centred differences of its forward (the course's gradient checker)."""
    worst = 0.0
    rng = np.random.default_rng(11)
    N, D = 5, 4
    x = rng.normal(loc=1.0, scale=2.0, size=(N, D))
    gamma, beta, dout = rng.normal(size=D), rng.normal(size=D), rng.normal(size=(N, D))
    for forward, backward, param in (("batchnorm_forward", "batchnorm_backward", {"mode": "train", "eps": 1e-3}),
                                     ("batchnorm_forward", "batchnorm_backward_alt", {"mode": "train"}),
                                     ("layernorm_forward", "layernorm_backward", {"eps": 1e-3})):
        fwd = getattr(reference, forward)
        _, cache = fwd(x.copy(), gamma.copy(), beta.copy(), dict(param))
        grads = getattr(reference, backward)(dout.copy(), cache)
        inputs = (x, gamma, beta)
        for k, (name, analytic) in enumerate(zip(("dx", "dgamma", "dbeta"), grads)):
            def out_of(value, k=k, fwd=fwd, param=param, inputs=inputs):
                args = list(inputs)
                args[k] = value
                return fwd(*args, dict(param))[0]

            numerical = eval_numerical_gradient_array(out_of, inputs[k].copy(), dout)
            diff = float(np.max(np.abs(analytic - numerical)))
            assert diff <= NUMERICAL_TOL, f"{backward}: {name} differs from the numerical gradient by {diff:.3g}"
            worst = max(worst, diff)
    return worst
