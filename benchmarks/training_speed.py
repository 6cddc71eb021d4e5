"""Training speed of the course's own tools, each against PyTorch measured in the same run.

    python benchmarks/training_speed.py [--smoke] [--repeats 5] [--out benchmarks/training_results.md]

1. Training throughput: the same two-layer network (affine - ReLU - affine - softmax, the same
   initial weights, the same minibatches in the same order, the same per-epoch accuracy checks)
   trained by the course's Solver with its layers and the reference `adam` of 03_optimizers,
   and by PyTorch on the CPU with torch.optim.Adam. Samples per second and their ratio, at a
   digits-sized network (64-100-10, scikit-learn's digits) and a CIFAR-sized one (3072-512-10,
   CIFAR-10 when it is on disk, else random data of its shape), in float32 and float64.
2. Gradient-check cost: the numerical gradient of cs231n_utils.gradient_check against the
   number of parameters, next to its prediction, 2 x parameters x one loss evaluation.
3. Batch-norm backward: the staged reference `batchnorm_backward` of 05_batch_normalization
   against its closed form `batchnorm_backward_alt` and PyTorch's autograd of the same op.

Both libraries get two threads: NumPy's BLAS through threadpoolctl, PyTorch through
torch.set_num_threads (its elementwise kernels may use both; NumPy's run on one). Every time is
the best of `--repeats` runs, the two sides interleaved so that other work on the machine
disturbs both alike. `--smoke` runs everything tiny, in a few seconds, to prove the script works.
The report is Markdown, printed and written to `--out`.
"""

import argparse
import os
import platform
import time
import timeit
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_info, threadpool_limits

from autograder.notebook import load_assignment
from autograder.runner import reference
from cs231n_utils.data import cifar10_available, get_data
from cs231n_utils.gradient_check import eval_numerical_gradient
from cs231n_utils.models import TwoLayerNet
from cs231n_utils.solver import Solver

THREADS = 2
BATCH_SIZE = 100
WEIGHT_SCALE = 1e-2
DEFAULT_OUT = Path(__file__).resolve().parent / "training_results.md"


@dataclass(frozen=True)
class Sizes:
    """How much work each measurement does."""

    digits_epochs: int
    cifar_train: int
    cifar_val: int
    cifar_epochs: int
    check_batch: int
    check_hidden: tuple
    bn_shape: tuple
    bn_calls: int


FULL = Sizes(digits_epochs=100, cifar_train=2000, cifar_val=500, cifar_epochs=3, check_batch=20,
             check_hidden=(4, 8, 16, 32, 64), bn_shape=(1000, 500), bn_calls=20)
SMOKE = Sizes(digits_epochs=2, cifar_train=200, cifar_val=100, cifar_epochs=1, check_batch=5,
              check_hidden=(2, 4), bn_shape=(64, 16), bn_calls=2)


# ----------------------------------------------------------------------------- training

@cache
def _digits():
    return get_data("digits", seed=0)


def digits_data(dtype):
    return "digits", {key: _as(value, dtype) for key, value in _digits().items() if key != "dataset"}


def cifar_sized_data(sizes, dtype):
    """CIFAR-10 when it is on disk, else standard normal data of its shape (labels uniform in 0..9)."""
    if cifar10_available():
        data = get_data("cifar10", num_training=sizes.cifar_train, num_validation=sizes.cifar_val,
                        num_test=1)
        data = {key: value for key, value in data.items() if key != "dataset"}
        data["X_train"], data["X_val"] = data["X_train"] / 64.0, data["X_val"] / 64.0  # pixels to ~unit scale
        source = "CIFAR-10"
    else:
        rng = np.random.default_rng(0)
        data = {"X_train": rng.normal(size=(sizes.cifar_train, 3072)),
                "y_train": rng.integers(0, 10, size=sizes.cifar_train),
                "X_val": rng.normal(size=(sizes.cifar_val, 3072)),
                "y_val": rng.integers(0, 10, size=sizes.cifar_val)}
        source = "random, CIFAR's shape"
    return source, {key: _as(value, dtype) for key, value in data.items()}


def _as(array, dtype):
    return array.astype(dtype) if np.issubdtype(array.dtype, np.floating) else array


@cache
def course_adam():
    """The reference adam: the solution cell of 03_optimizers, run as the grader runs it."""
    return reference(load_assignment("03_optimizers")).adam


def train_course(data, hidden, epochs, dtype):
    """The course's Solver with the reference adam -> (seconds, loss history)."""
    model = TwoLayerNet(data["X_train"].shape[1], hidden, 10, weight_scale=WEIGHT_SCALE, seed=0, dtype=dtype)
    solver = Solver(model, data, course_adam(), batch_size=BATCH_SIZE, num_epochs=epochs, progress=False, seed=0)
    start = time.perf_counter()
    solver.train()
    return time.perf_counter() - start, solver.loss_history


def train_torch(data, hidden, epochs, dtype, num_train_samples=1000, seed=0):
    """PyTorch doing what Solver.train does, step for step -> (seconds, loss history).

    Same initial weights (TwoLayerNet's), same minibatch order (a permutation per epoch from
    np.random.default_rng(seed)), the same accuracy checks before training and after every epoch
    (a fixed subset of num_train_samples training samples, all validation samples, forward passes
    of 100), keeping the best parameters and restoring them at the end.
    """
    X_np = data["X_train"]
    N, D = X_np.shape
    init = TwoLayerNet(D, hidden, 10, weight_scale=WEIGHT_SCALE, seed=0).params
    net = torch.nn.Sequential(torch.nn.Linear(D, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    net = net.to(getattr(torch, np.dtype(dtype).name))
    with torch.no_grad():
        for layer, k in ((net[0], 1), (net[2], 2)):
            layer.weight.copy_(torch.from_numpy(init[f"W{k}"].T.astype(dtype)))
            layer.bias.copy_(torch.from_numpy(init[f"b{k}"].astype(dtype)))
    optimizer = torch.optim.Adam(net.parameters())

    start = time.perf_counter()
    X, y = torch.from_numpy(X_np), torch.from_numpy(data["y_train"])
    subset = torch.from_numpy(np.random.default_rng(seed).choice(N, num_train_samples, replace=False)
                              if N > num_train_samples else np.arange(N))
    checks = ((X[subset], y[subset]), (torch.from_numpy(data["X_val"]), torch.from_numpy(data["y_val"])))
    rng, per_epoch, losses = np.random.default_rng(seed), max(N // BATCH_SIZE, 1), []
    best_acc, best_state = -1.0, None

    def check():
        nonlocal best_acc, best_state
        with torch.no_grad():
            accuracies = [torch.cat([net(Xc[i:i + 100]).argmax(dim=1) for i in range(0, len(Xc), 100)])
                          .eq(yc).double().mean().item() for Xc, yc in checks]
        if accuracies[1] > best_acc:
            best_acc, best_state = accuracies[1], {k: v.clone() for k, v in net.state_dict().items()}

    check()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(N))
        for i in range(per_epoch):
            batch = order[i * BATCH_SIZE:(i + 1) * BATCH_SIZE]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        check()
    net.load_state_dict(best_state)
    return time.perf_counter() - start, losses


def throughput(sizes, repeats):
    """Rows of the throughput table, one per network and dtype."""
    rows = []
    for train in (train_course, train_torch):  # warm-up, untimed: lazy imports and first calls
        train(digits_data(np.float32)[1], 100, 1, np.float32)
    for dtype in (np.float32, np.float64):
        cases = (("64-100-10", *digits_data(dtype), 100, sizes.digits_epochs),
                 ("3072-512-10", *cifar_sized_data(sizes, dtype), 512, sizes.cifar_epochs))
        for network, source, data, hidden, epochs in cases:
            course, ours = [], []
            for _ in range(repeats):  # interleaved: both sides see the same load on the machine
                seconds, course_losses = train_course(data, hidden, epochs, dtype)
                course.append(seconds)
                seconds, torch_losses = train_torch(data, hidden, epochs, dtype)
                ours.append(seconds)
            samples = len(course_losses) * BATCH_SIZE
            rows.append({
                "network": network, "data": source, "dtype": np.dtype(dtype).name,
                "iterations": len(course_losses),
                "course": samples / min(course), "torch": samples / min(ours),
                "loss_gap": max(abs(a - b) for a, b in zip(course_losses, torch_losses)),
            })
    return rows


# ----------------------------------------------------------------------------- gradient check

def gradient_check_cost(sizes, repeats):
    """Rows (parameters, seconds of the numerical gradient, seconds of one loss evaluation), each the
    best of `repeats`."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(sizes.check_batch, 64)), rng.integers(0, 10, size=sizes.check_batch)
    rows = []
    for hidden in sizes.check_hidden:
        model = TwoLayerNet(64, hidden, 10, weight_scale=0.1, seed=0)

        def loss(_, model=model):
            return model.loss(X, y)[0]

        def numerical_gradient(model=model, loss=loss):
            for w in model.params.values():
                eval_numerical_gradient(loss, w)

        one = min(timeit.repeat(lambda loss=loss: loss(None), number=20, repeat=5 * repeats)) / 20
        seconds = min(timeit.repeat(numerical_gradient, number=1, repeat=repeats))
        rows.append({"params": sum(w.size for w in model.params.values()), "seconds": seconds, "loss": one})
    return rows


# ----------------------------------------------------------------------------- batch norm

def batchnorm_backward_speed(sizes, repeats):
    """Rows (backward, best seconds per call of 5 x `repeats`, largest difference of dx from the staged
    reference)."""
    bn = reference(load_assignment("05_batch_normalization"))
    rng = np.random.default_rng(0)
    N, D = sizes.bn_shape
    x, dout = rng.normal(2.0, 3.0, size=(N, D)), rng.normal(size=(N, D))
    gamma, beta = rng.uniform(0.5, 2.0, size=D), rng.normal(size=D)
    _, cache = bn.batchnorm_forward(x, gamma, beta, {"mode": "train"})

    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    out = F.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5)
    dout_t = torch.from_numpy(dout)

    def autograd():
        return [g.numpy() for g in torch.autograd.grad(out, (xt, gt, bt), dout_t, retain_graph=True)]

    candidates = {
        "batchnorm_backward (staged, reference)": lambda: bn.batchnorm_backward(dout, cache),
        "batchnorm_backward_alt (closed form)": lambda: bn.batchnorm_backward_alt(dout, cache),
        "PyTorch autograd of F.batch_norm": autograd,
    }
    seconds = {name: [] for name in candidates}
    for _ in range(5 * repeats):  # interleaved, as in training
        for name, run in candidates.items():
            seconds[name].append(timeit.timeit(run, number=sizes.bn_calls) / sizes.bn_calls)
    staged_dx = candidates["batchnorm_backward (staged, reference)"]()[0]
    return [{"backward": name, "seconds": min(seconds[name]),
             "dx_gap": float(np.max(np.abs(run()[0] - staged_dx)))} for name, run in candidates.items()]


# ----------------------------------------------------------------------------- report

def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def report(args, sizes, load, train_rows, check_rows, bn_rows):
    blas = sorted({f"{i['internal_api']}, {i['num_threads']} threads" for i in threadpool_info()
                   if i["user_api"] == "blas"})
    lines = [
        "# Training speed: the course's tools against PyTorch",
        "",
        f"Written by `python benchmarks/training_speed.py{' --smoke' if args.smoke else ''}`"
        f" (best of {args.repeats}) on {platform.machine()} with {os.cpu_count()} CPUs, load average"
        f" {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (other work on the machine slows"
        " multi-threaded code most): NumPy"
        f" {np.__version__} ({'; '.join(blas) or 'no BLAS found'}), PyTorch {torch.__version__}"
        f" ({torch.get_num_threads()} threads).",
        "",
        "## Training throughput",
        "",
        f"Samples per second of training (batch {BATCH_SIZE}, Adam with its defaults, accuracy checks"
        " every epoch included); the ratio is the course's Solver over PyTorch, above 1 when the"
        " Solver is faster. The loss gap is the largest difference between the two runs' minibatch"
        " losses: they train the same network on the same minibatches.",
        "",
        *table(["network", "data", "dtype", "iterations", "Solver (samples/s)", "PyTorch (samples/s)",
                "ratio", "loss gap"],
               [[r["network"], r["data"], r["dtype"], str(r["iterations"]), f"{r['course']:.0f}",
                 f"{r['torch']:.0f}", f"{r['course'] / r['torch']:.2f}x", f"{r['loss_gap']:.1e}"]
                for r in train_rows]),
        "",
        "## Gradient-check cost",
        "",
        "`eval_numerical_gradient` over every parameter of a TwoLayerNet 64-H-10 (float64, a batch"
        f" of {sizes.check_batch}): two loss evaluations per parameter, so its time is close to"
        " 2 x parameters x one evaluation, linear in the parameters at a fixed cost per evaluation.",
        "",
        *table(["parameters", "numerical gradient (s)", "one loss evaluation (us)", "per parameter (us)",
                "measured / predicted"],
               [[str(r["params"]), f"{r['seconds']:.3f}", f"{r['loss'] * 1e6:.1f}",
                 f"{r['seconds'] / r['params'] * 1e6:.1f}", f"{r['seconds'] / (2 * r['params'] * r['loss']):.2f}"]
                for r in check_rows]),
        "",
        "## Batch-norm backward",
        "",
        f"One backward pass of batch normalization in train mode, x of shape {sizes.bn_shape} (float64);"
        " the speed-up is over the staged reference, the dx gap the largest difference from its dx.",
        "",
        *table(["backward", "ms per call", "speed-up", "dx gap"],
               [[r["backward"], f"{r['seconds'] * 1e3:.3f}", f"{bn_rows[0]['seconds'] / r['seconds']:.2f}x",
                 f"{r['dx_gap']:.1e}"] for r in bn_rows]),
        "",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="everything tiny: proves the script runs")
    parser.add_argument("--repeats", type=int, default=None, help="runs per measurement (default 5, smoke 1)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the Markdown report")
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (1 if args.smoke else 5)
    sizes = SMOKE if args.smoke else FULL
    load, threads = os.getloadavg()[0], torch.get_num_threads()
    torch.set_num_threads(THREADS)
    try:
        with threadpool_limits(limits=THREADS, user_api="blas"):
            text = report(args, sizes, load, throughput(sizes, args.repeats),
                          gradient_check_cost(sizes, args.repeats), batchnorm_backward_speed(sizes, args.repeats))
    finally:
        torch.set_num_threads(threads)  # as it was: main() may run inside another program's process
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
