"""Are the course's schedules right? Checked against torch.optim.lr_scheduler, the outside oracle.

Each torch scheduler drives a dummy optimizer, `SGD([zeros(1)], lr=base_lr)`; the rate of step t
is `param_groups[0]["lr"]` after t calls of `optimizer.step(); scheduler.step()` (the optimizer
first, as torch expects). Every step's rate is compared with the reference's, called once per
step with an int and once with the whole array of steps, to 1e-12 (torch computes most rates
recursively, a factor per step, so it drifts from the closed forms by a few ulps per step).

- step_decay: StepLR(step_size, gamma). exponential_decay: ExponentialLR(gamma).
- cosine_decay: CosineAnnealingLR(T_max=total_steps, eta_min=min_lr), compared over its first
  half period only, steps 0 to total_steps: beyond it torch's cosine climbs back up, where the
  contract keeps min_lr (that part is checked against the contract's formula instead).
- linear_decay: LinearLR(start_factor=1, end_factor=end_lr / base_lr, total_iters=total_steps),
  flat after total_iters as the contract; checked to twice total_steps.
- inverse_sqrt_decay: LambdaLR with the factor sqrt(warmup_steps / max(step, warmup_steps)).
- warmup_cosine: SequentialLR of LinearLR(start_factor=EPS, end_factor=1, total_iters=warmup) and
  CosineAnnealingLR(T_max=total_steps - warmup, eta_min=min_lr) switching at step warmup. torch
  refuses start_factor 0, so its warm-up starts at base_lr * EPS instead of 0 and its factor at
  step t is EPS + (1 - EPS) * t / warmup: that differs from the contract's t / warmup by at most
  base_lr * EPS = 1e-14 * base_lr, far below the tolerance. Compared from step 0 to total_steps.

The schedules have no gradients (they are functions of an integer step): the oracle compares
values only, and there is no backward pass to check with cs231n_utils.gradient_check.
Every `check_*` takes the reference and returns the largest absolute difference it saw.
Test-only: imports torch.
"""

import warnings
from functools import partial

import numpy as np
import torch
from torch.optim import lr_scheduler

TOL = 1e-12
EPS = 1e-14  # torch's LinearLR needs start_factor > 0: the warm-up starts at base_lr * EPS


def _torch_rates(make_scheduler, base_lr, num_steps):
    """The rates of steps 0 .. num_steps - 1 that `make_scheduler(optimizer)` gives in torch."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning from torch means the driving is wrong: fail loudly
        scheduler = make_scheduler(optimizer)
        out = []
        for _ in range(num_steps):
            out.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
    return np.array(out)


def _compare(name, schedule, args, theirs, steps):
    """Largest |ours - theirs| over `steps`, ours from single int steps and from one array; assert it."""
    one_by_one = np.array([float(schedule(int(s), *args)) for s in steps])
    as_array = np.asarray(schedule(np.asarray(steps), *args), dtype=np.float64)
    assert as_array.shape == (len(steps),), f"{name} of an array of steps has shape {as_array.shape}"
    diff = float(max(np.max(np.abs(one_by_one - theirs)), np.max(np.abs(as_array - theirs))))
    assert diff < TOL, f"{name}{args} departs from torch.optim.lr_scheduler by {diff:.3g}"
    return diff


def _inverse_sqrt_factor(step, warmup):
    return (warmup / max(step, warmup)) ** 0.5


CASES = [(0.37, 7, 0.3), (1.0, 1, 0.5), (0.05, 30, 0.1)]


def check_step_decay(reference):
    """step_decay equals StepLR over 150 steps."""
    return max(_compare("step_decay", reference.step_decay, (lr, size, gamma),
                        _torch_rates(partial(lr_scheduler.StepLR, step_size=size, gamma=gamma), lr, 150),
                        np.arange(150))
               for lr, size, gamma in CASES)


def check_exponential_decay(reference):
    """exponential_decay equals ExponentialLR over 200 steps."""
    return max(_compare("exponential_decay", reference.exponential_decay, (lr, gamma),
                        _torch_rates(partial(lr_scheduler.ExponentialLR, gamma=gamma), lr, 200), np.arange(200))
               for lr, gamma in ((0.37, 0.97), (1.0, 0.5), (0.05, 0.999)))


def check_cosine_decay(reference):
    """cosine_decay equals CosineAnnealingLR over its first half period, and stays at min_lr after it."""
    diffs = []
    for lr, total, min_lr in ((0.37, 100, 0.02), (1.0, 7, 0.0), (0.05, 250, 0.01)):
        theirs = _torch_rates(partial(lr_scheduler.CosineAnnealingLR, T_max=total, eta_min=min_lr), lr, total + 1)
        diffs.append(_compare("cosine_decay", reference.cosine_decay, (lr, total, min_lr), theirs,
                              np.arange(total + 1)))
        after = np.arange(total + 1, 3 * total)
        diffs.append(_compare("cosine_decay after total_steps", reference.cosine_decay, (lr, total, min_lr),
                              np.full(len(after), min_lr), after))
    return max(diffs)


def check_linear_decay(reference):
    """linear_decay equals LinearLR(start_factor=1, end_factor=end_lr / base_lr) to twice total_steps."""
    diffs = []
    for lr, total, end_lr in ((0.37, 100, 0.02), (1.0, 7, 0.0), (0.05, 250, 0.05)):
        linear = partial(lr_scheduler.LinearLR, start_factor=1.0, end_factor=end_lr / lr, total_iters=total)
        theirs = _torch_rates(linear, lr, 2 * total)
        diffs.append(_compare("linear_decay", reference.linear_decay, (lr, total, end_lr), theirs,
                              np.arange(2 * total)))
    return max(diffs)


def check_inverse_sqrt_decay(reference):
    """inverse_sqrt_decay equals LambdaLR with the factor sqrt(warmup / max(step, warmup)) over 300 steps."""
    diffs = []
    for lr, warmup in ((0.37, 9), (1.0, 1), (0.05, 40)):
        factor = partial(_inverse_sqrt_factor, warmup=warmup)
        theirs = _torch_rates(partial(lr_scheduler.LambdaLR, lr_lambda=factor), lr, 300)
        diffs.append(_compare("inverse_sqrt_decay", reference.inverse_sqrt_decay, (lr, warmup), theirs,
                              np.arange(300)))
    return max(diffs)


def check_warmup_cosine(reference):
    """warmup_cosine equals SequentialLR(LinearLR warm-up, CosineAnnealingLR) from step 0 to total_steps."""
    diffs = []
    for lr, warmup, total, min_lr in ((0.37, 9, 100, 0.02), (1.0, 1, 8, 0.0), (0.05, 40, 250, 0.01)):
        def make(o, warmup=warmup, total=total, min_lr=min_lr):
            return lr_scheduler.SequentialLR(o, [lr_scheduler.LinearLR(o, EPS, 1.0, warmup),
                                                 lr_scheduler.CosineAnnealingLR(o, total - warmup, min_lr)],
                                             milestones=[warmup])
        theirs = _torch_rates(make, lr, total + 1)
        diffs.append(_compare("warmup_cosine", reference.warmup_cosine, (lr, warmup, total, min_lr), theirs,
                              np.arange(total + 1)))
    return max(diffs)
