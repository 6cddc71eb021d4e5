"""Is the course's answer to 06_dropout right? Checked against torch.nn.functional.dropout, the outside oracle.

PyTorch's `p` is the probability of DROPPING a unit, ours of KEEPING it: every comparison calls
torch with `p_torch = 1 - p`. The masks come from different generators, so they are compared
through what does not depend on the draw: the scale of the kept units (torch's 1 / (1 - p_torch)
is our 1 / p), the kept fraction and the mean output (statistically, on 200,000 units: the bands
below are over 10 standard deviations wide), the identity in evaluation mode, and the backward
pass (autograd through torch's dropout is dout times torch's mask; our backward, given that mask,
gives the same). Every `check_*` takes the reference, raises AssertionError on a mismatch and
returns the largest absolute difference it saw among the quantities that must agree exactly (the
statistical ones are asserted within their bands). Test-only: imports torch.
"""

import numpy as np
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import eval_numerical_gradient_array

TOL = 1e-10
KEEP = (0.2, 0.5, 0.8)
SHAPE = (500, 400)  # 200,000 units: the kept fraction's standard deviation is at most 1.2e-3
FRACTION_BAND = 0.015  # > 12 standard deviations
MEAN_BAND = 0.05  # the mean output of x in [1, 2]: its standard deviation is at most 0.0068 (p = 0.2)


def _positive_input(seed):
    return np.random.default_rng(seed).uniform(1.0, 2.0, size=SHAPE)


def _torch_dropout(x, p, seed, requires_grad=False):
    """(x as a tensor, torch's output) with our keep probability p, i.e. torch's p = 1 - p."""
    torch.manual_seed(seed)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=requires_grad)
    return xt, F.dropout(xt, p=1.0 - p, training=True)


def check_train_mode_statistics(reference):
    """Kept units scaled by 1/p as torch's by 1/(1 - p_torch); kept fraction and mean as torch's."""
    largest = 0.0
    for i, p in enumerate(KEEP):
        x = _positive_input(i)
        ours, _ = reference.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": 100 + i})
        _, theirs = _torch_dropout(x, p, 100 + i)
        theirs = theirs.detach().numpy()
        for name, out in (("reference", ours), ("torch", theirs)):
            kept = out != 0
            scale_error = float(np.max(np.abs(out[kept] / x[kept] - 1.0 / p)))
            assert scale_error < TOL, f"{name} with keep probability {p}: kept units are not x / p ({scale_error:.3g})"
            largest = max(largest, scale_error)
        fraction = (np.mean(ours != 0), np.mean(theirs != 0))
        assert abs(fraction[0] - p) < FRACTION_BAND and abs(fraction[1] - p) < FRACTION_BAND, (
            f"keep probability {p}: kept fractions {fraction[0]:.4f} (reference) and {fraction[1]:.4f} (torch)")
        means = (ours.mean(), theirs.mean(), x.mean())
        assert abs(means[0] - means[2]) < MEAN_BAND and abs(means[1] - means[2]) < MEAN_BAND, (
            f"keep probability {p}: mean outputs {means[0]:.4f} (reference) and {means[1]:.4f} (torch), "
            f"mean input {means[2]:.4f}")
    return largest


def check_test_mode(reference):
    """Test mode is torch's evaluation mode: the identity."""
    largest = 0.0
    for i, p in enumerate(KEEP):
        x = np.random.default_rng(10 + i).normal(size=(7, 9))
        ours, _ = reference.dropout_forward(x.copy(), {"p": p, "mode": "test"})
        theirs = F.dropout(torch.tensor(x), p=1.0 - p, training=False).numpy()
        difference = float(np.max(np.abs(ours - theirs)))
        assert difference < TOL, f"test mode with keep probability {p} differs from torch's by {difference:.3g}"
        largest = max(largest, difference)
    return largest


def check_backward_against_autograd(reference):
    """Autograd through torch's dropout is dout * torch's mask; our backward, given that mask, agrees.

    Also autograd through our own forward pass (x times our mask, built in torch) gives our dx.
    """
    largest = 0.0
    for i, p in enumerate(KEEP):
        rng = np.random.default_rng(20 + i)
        x = rng.choice([-1.0, 1.0], size=(40, 30)) * rng.uniform(0.5, 2.0, size=(40, 30))
        dout = rng.normal(size=x.shape)

        xt, out_t = _torch_dropout(x, p, 200 + i, requires_grad=True)
        out_t.backward(torch.tensor(dout))
        torch_mask = out_t.detach().numpy() / x
        param = {"p": p, "mode": "train"}
        ours = reference.dropout_backward(dout.copy(), (param, torch_mask))
        a = float(np.max(np.abs(ours - xt.grad.numpy())))

        out, cache = reference.dropout_forward(x.copy(), {"p": p, "mode": "train", "seed": 300 + i})
        xt = torch.tensor(x, requires_grad=True)
        (xt * torch.tensor(out / x)).backward(torch.tensor(dout))
        b = float(np.max(np.abs(reference.dropout_backward(dout.copy(), cache) - xt.grad.numpy())))
        assert max(a, b) < TOL, f"keep probability {p}: backward differs from autograd by {max(a, b):.3g}"
        largest = max(largest, a, b)
    return largest


def check_backward_numerical_gradient(reference):
    """The backward pass against centred differences of the forward pass with a fixed seed.

    With a seed the forward pass is one linear map of x, so the differences are exact up to
    rounding (about 1e-16 / 1e-5 = 1e-11 relative): 1e-9 is a safe bound.
    """
    largest = 0.0
    for i, p in enumerate(KEEP):
        rng = np.random.default_rng(30 + i)
        x, dout = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
        param = {"p": p, "mode": "train", "seed": 400 + i}
        _, cache = reference.dropout_forward(x.copy(), param)
        numerical = eval_numerical_gradient_array(lambda xx, param=param: reference.dropout_forward(xx, param)[0],
                                                  x, dout)
        difference = float(np.max(np.abs(reference.dropout_backward(dout.copy(), cache) - numerical)))
        assert difference < 1e-9, f"keep probability {p}: backward and numerical gradient differ by {difference:.3g}"
        largest = max(largest, difference)
    return largest
