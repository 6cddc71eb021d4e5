"""Hidden tests of 05_batch_normalization: batch norm (forward, two backward passes) and layer norm.

Forward passes are judged on what they return and on what they leave in bn_param, against the
reference: the train-mode output, each running average, the test-mode output, running averages
left alone in test mode. Defaults are judged against the student's own forward (the call with
bn_param = {"mode": "train"} must equal the call with the defaults spelled out), so a wrong
formula costs its own tests and not this one. Each forward pass also has a test of edge inputs:
batch norm in train mode with the smallest batch (N = 2) and with constant features (variance 0,
where only eps keeps the output finite), and in test mode with a single sample; layer norm with a
single sample and with constant samples. Those are the explicit examples (`autograder.edges`),
run first; hypothesis adds batches of these kinds, seeded from the submission's seed.

A backward pass is judged on dx, dgamma and dbeta separately, each twice: as the gradient of
the student's OWN forward pass (numerically, by centred differences, calling the forward with a
fresh copy of bn_param each time so the running averages do not drift), and against the
reference's values wherever the student's forward gives the reference's out. Where the student's
forward is wrong, a gradient is accepted when it is the right one anyway, the exact gradient of
that forward, right when the backward is handed a correct forward's cache, or (dx of batch norm)
the batch-norm gradient formula for the normalization the student's forward actually applied,
read off its output: one mistake costs the points of the function it is in, once.

The contract accepts running averages, dgamma and dbeta of shape (1, D) as well as (D,): they are
compared as (D,). (The engine cannot attach a note to a passing test, so the notebook's check
cells are where a student reads that (D,) is expected.)

What a test covers never depends on the draw. Inputs are built with exactly the drawn per-column
(per-row for layer norm) means and standard deviations, so every variance is where the test needs
it: between 1 and 9 for the formula tests (eps drawn in [1e-3, 1e-2], so its place in the formula
and a variance divided by N - 1 both show by far more than the tolerance; sqrt(v + eps) and
sqrt(v) + eps coincide only near v = 1/4), between 1e-6 and 1e-5 for the default-eps tests (where
eps = 1e-5 changes the output by tens of percent). Every gamma has |gamma| in [0.5, 2], momenta lie
in [0.6, 0.95] (far from 1/2, where momentum and 1 - momentum would agree), and running averages
always differ from the batch statistics by at least 0.5. Train mode always has N >= 4, but in the
edge tests (N >= 2, as the contract requires), whose constant features are multiples of 1/8, so
that x - mean is exactly 0 there.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder import edges
from autograder.sandbox.messages import StudentError, Unavailable
from autograder.testing import Mismatch, as_array, close, explain, fresh, judge, pair
from cs231n_utils.checks import describe_difference
from cs231n_utils.gradient_check import eval_numerical_gradient_array

# Numerical gradients: centred differences with H = 1e-5, on inputs whose columns (rows for layer
# norm) have standard deviations >= 0.5, |gamma| <= 2 and |dout| <= 4. The truncation error
# H**2 / 6 * |f'''| and the round-off, about 1e-16 * sum|out * dout| / H, are each below 1e-9;
# measured over 400 draws, a right backward agrees to under 5e-10. GRAD_ATOL leaves a factor 200,
# and every catalog mistake is off by more than 1e-2 in those draws.
H = 1e-5
GRAD_RTOL, GRAD_ATOL = 1e-6, 1e-7
FORWARD = {"batchnorm_backward": "batchnorm_forward", "batchnorm_backward_alt": "batchnorm_forward",
           "layernorm_backward": "layernorm_forward"}
GRADIENTS = ("dx", "dgamma", "dbeta")
# Points of each gradient's two tests (numerical, reference): 4 + 3 + 2, as the check cells say.
POINTS = {"batchnorm_backward": {"dx": 1.0, "dgamma": 0.5, "dbeta": 0.5},
          "batchnorm_backward_alt": {"dx": 1.0, "dgamma": 0.25, "dbeta": 0.25},
          "layernorm_backward": {"dx": 0.5, "dgamma": 0.25, "dbeta": 0.25}}


def graded(wrt):
    return [pytest.param(bwd, marks=pytest.mark.graded(bwd, points=points[wrt]), id=bwd)
            for bwd, points in POINTS.items()]


# --- inputs ------------------------------------------------------------------------------------

def signed(rng, size, low, high):
    """Values of random sign with magnitudes in [low, high]."""
    return rng.choice([-1.0, 1.0], size=size) * rng.uniform(low, high, size=size)


def columns(rng, N, D, std_range, mean_range):
    """An (N, D) array whose columns have exactly the drawn means (|mean| in mean_range) and
    biased standard deviations (in std_range)."""
    z = rng.normal(size=(N, D))
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    return signed(rng, D, *mean_range) + z * rng.uniform(*std_range, size=D)


def rows(rng, N, D, std_range, mean_range):
    """An (N, D) array whose rows have exactly the drawn means and biased standard deviations."""
    return columns(rng, D, N, std_range, mean_range).T.copy()


def affine(rng, D):
    """gamma with |gamma| in [0.5, 2] (so xhat = (out - beta) / gamma is well defined) and beta."""
    return signed(rng, D, 0.5, 2.0), rng.normal(size=D)


def train_param(rng, D):
    return {"mode": "train", "eps": float(rng.uniform(1e-3, 1e-2)), "momentum": float(rng.uniform(0.6, 0.95)),
            "running_mean": rng.normal(size=D), "running_var": rng.uniform(0.5, 2.0, size=D)}


def copied(param):
    """A copy of bn_param whose arrays are copies too: an answer that updates them in place
    must not change the test's own."""
    return {k: np.array(v, dtype=np.float64) if isinstance(v, np.ndarray) else v for k, v in param.items()}


def shown(param):
    """bn_param as the student reads it in feedback (arrays by shape)."""
    parts = [f"{k!r}: array of shape {v.shape}" if isinstance(v, np.ndarray)
             else f"{k!r}: {v!r}" if isinstance(v, str) else f"{k!r}: {v:.4g}" for k, v in param.items()]
    return "{" + ", ".join(parts) + "}"


# --- calling an implementation -----------------------------------------------------------------

def forward(impl, fwd, x, gamma, beta, param):
    """(out as an (N, D) float64 array, cache) of impl's forward pass on copies of x, gamma, beta.

    param is passed as it is: the caller decides whether its changes are kept.
    """
    result = pair(getattr(impl, fwd)(x.copy(), gamma.copy(), beta.copy(), param), fwd)
    return as_array(result[0], f"the out returned by {fwd}", x.shape), result[1]


def vector(value, what, D):
    """A returned statistic or gradient as a float64 array; (1, D) is read as (D,) (the contract)."""
    array = as_array(value, what)
    return array.reshape(D) if array.shape == (1, D) else array


def running(param, key, D):
    """bn_param[key] after a call, as a (D,) array; AssertionError when it is not there."""
    if key not in param:
        raise AssertionError(f"after the call, bn_param has no {key!r}: store the running average in "
                             f"bn_param[{key!r}] (it starts as zeros of shape (D,) when missing)")
    return vector(param[key], f"bn_param[{key!r}]", D).copy()


def gradients(impl, bwd, dout, cache, D):
    """{"dx", "dgamma", "dbeta"} of impl's backward pass with `cache`."""
    dx, dgamma, dbeta = pair(getattr(impl, bwd)(dout.copy(), cache), bwd, GRADIENTS)
    return {"dx": as_array(dx, f"the dx returned by {bwd}", dout.shape),
            "dgamma": vector(dgamma, f"the dgamma returned by {bwd}", D),
            "dbeta": vector(dbeta, f"the dbeta returned by {bwd}", D)}


# --- batchnorm_forward -------------------------------------------------------------------------

def sizes(rng):
    return int(rng.integers(4, 9)), int(rng.integers(2, 7))


def train_or_test_output(impl, x, gamma, beta, param):
    return forward(impl, "batchnorm_forward", x, gamma, beta, copied(param))[0]


@pytest.mark.graded("batchnorm_forward", points=0.75)
def test_train_output(student, reference, mistakes, rng):
    """in train mode, normalizes each feature with the batch mean and biased variance, then scales and shifts"""
    N, D = sizes(rng)
    x, (gamma, beta), param = columns(rng, N, D, (1.0, 3.0), (0.0, 2.0)), affine(rng, D), train_param(rng, D)
    judge("batchnorm_forward", lambda impl: {"out": train_or_test_output(impl, x, gamma, beta, param)},
          student, reference, mistakes, situation=f"in train mode, x of shape {x.shape}, bn_param {shown(param)}")


def constant_features(rng, x, count, axis):
    """x with `count` random features (axis 0: columns) or samples (axis 1: rows) made constant, each a
    multiple of 1/8 (exact: their mean is the value itself, so x - mean is exactly 0 there)."""
    x = x.copy()
    chosen = rng.permutation(x.shape[1 - axis])[:count]
    values = rng.integers(-16, 17, size=count) / 8
    if axis == 0:
        x[:, chosen] = values
    else:
        x[chosen, :] = values[:, None]
    return x


def edge_batch(rng, N, D, constant, mode):
    """(x, gamma, beta, bn_param) for a batch of N samples of D features, `constant` of them constant."""
    gamma, beta = affine(rng, D)
    if mode == "train":
        x = constant_features(rng, columns(rng, N, D, (1.0, 3.0), (0.0, 2.0)), constant, axis=0)
        return x, gamma, beta, train_param(rng, D)
    x = constant_features(rng, signed(rng, (N, D), 0.5, 3.0), constant, axis=0)
    param = {"mode": "test", "eps": float(rng.uniform(1e-3, 1e-2)), "momentum": float(rng.uniform(0.6, 0.95)),
             "running_mean": signed(rng, D, 0.0, 2.0), "running_var": rng.uniform(0.5, 2.0, size=D)}
    return x, gamma, beta, param


def edge_batches(rng):
    """The edges test_edge_batches must cover, each as a 1-tuple: train mode with the smallest batch (N = 2)
    and a constant feature, and with half the features constant; test mode with a single sample."""
    D = int(rng.integers(2, 7))
    return [(edge_batch(rng, 2, D, 1, "train"),), (edge_batch(rng, int(rng.integers(4, 9)), D, D // 2, "train"),),
            (edge_batch(rng, 1, D, 0, "test"),)]


def drawn_edge_batch(seed, mode, N, D, constant):
    """edge_batch from a drawn seed, with N >= 2 in train mode (the contract) and at most D constant features."""
    return edge_batch(np.random.default_rng(seed), N if mode == "test" else max(N, 2), D, min(constant, D), mode)


@pytest.mark.graded("batchnorm_forward", points=0.25)
def test_edge_batches(student, reference, mistakes, rng):
    """is right on edge batches: N = 2 and constant features (variance 0) in train mode, N = 1 in test mode"""

    def right(batch):
        x, gamma, beta, param = batch
        constant = int(np.sum(np.ptp(x, axis=0) == 0))
        judge("batchnorm_forward", lambda impl: {"out": train_or_test_output(impl, x, gamma, beta, param)},
              student, reference, mistakes,
              situation=f"in {param['mode']} mode, x of shape {x.shape} with {constant} constant feature(s), "
                        f"bn_param {shown(param)}")

    drawn = st.builds(drawn_edge_batch, edges.seeds(), st.sampled_from(["train", "test"]), st.integers(1, 8),
                      st.integers(1, 6), st.integers(0, 6))
    edges.holds(right, drawn, examples=edge_batches(rng), rng=rng)


def running_averages(impl, key, batches, gamma, beta, param):
    """{after call k: bn_param[key]} over train-mode calls threading one bn_param, as training does."""
    param, D = copied(param), len(gamma)
    out = {}
    for k, x in enumerate(batches):
        forward(impl, "batchnorm_forward", x, gamma, beta, param)
        out[f"{key} after call {k + 1}"] = running(param, key, D)
    return out


@pytest.mark.graded("batchnorm_forward", points=0.5)
def test_running_mean(student, reference, mistakes, rng):
    """in train mode, stores running_mean = momentum * running_mean + (1 - momentum) * batch mean in bn_param"""
    check_running_average("running_mean", student, reference, mistakes, rng)


@pytest.mark.graded("batchnorm_forward", points=0.5)
def test_running_var(student, reference, mistakes, rng):
    """in train mode, stores running_var = momentum * running_var + (1 - momentum) * batch variance in bn_param"""
    check_running_average("running_var", student, reference, mistakes, rng)


def check_running_average(key, student, reference, mistakes, rng):
    N, D = sizes(rng)
    gamma, beta = affine(rng, D)
    param = train_param(rng, D)
    # Three batches whose statistics are at least 0.5 away from the running averages they meet.
    batches = [columns(rng, N, D, (1.5, 3.0), (1.0, 3.0)) for _ in range(3)]
    param["running_mean"] = signed(rng, D, 0.0, 0.4)
    param["running_var"] = rng.uniform(0.2, 0.8, size=D)
    judge("batchnorm_forward", lambda impl: running_averages(impl, key, batches, gamma, beta, param),
          student, reference, mistakes,
          situation=f"over 3 train-mode calls threading one bn_param {shown(param)}, x of shape {(N, D)}")


def inputs_for_test_mode(rng):
    N, D = sizes(rng)
    x = columns(rng, N, D, (1.0, 3.0), (0.0, 2.0))
    gamma, beta = affine(rng, D)
    param = {"mode": "test", "eps": float(rng.uniform(1e-3, 1e-2)), "momentum": float(rng.uniform(0.6, 0.95)),
             "running_mean": x.mean(axis=0) + signed(rng, D, 0.5, 1.5),
             "running_var": x.var(axis=0) * rng.uniform(1.5, 3.0, size=D)}
    return x, gamma, beta, param


@pytest.mark.graded("batchnorm_forward", points=1.0)
def test_test_output(student, reference, mistakes, rng):
    """in test mode, normalizes with the running averages: gamma * (x - running_mean) / sqrt(running_var + eps)"""
    x, gamma, beta, param = inputs_for_test_mode(rng)
    judge("batchnorm_forward", lambda impl: {"out": train_or_test_output(impl, x, gamma, beta, param)},
          student, reference, mistakes, situation=f"in test mode, x of shape {x.shape}, bn_param {shown(param)}")


@pytest.mark.graded("batchnorm_forward", points=0.5)
def test_test_mode_keeps_running_averages(student, reference, mistakes, rng):
    """in test mode, leaves running_mean and running_var unchanged"""
    x, gamma, beta, param = inputs_for_test_mode(rng)
    D = len(gamma)

    def run(impl):
        kept = copied(param)
        forward(impl, "batchnorm_forward", x, gamma, beta, kept)
        return {key: running(kept, key, D) for key in ("running_mean", "running_var")}

    judge("batchnorm_forward", run, student, reference, mistakes,
          situation=f"after a test-mode call with x of shape {x.shape}, bn_param {shown(param)}")


@pytest.mark.graded("batchnorm_forward", points=0.5)
def test_defaults(student, mistakes, rng):
    """with bn_param = {'mode': 'train'}, uses eps 1e-5, momentum 0.9 and running averages starting at zeros"""
    N, D = sizes(rng)
    # Variances between 1e-6 and 1e-5, so that eps = 1e-5 visibly changes the output.
    x = columns(rng, N, D, (1e-3, 3e-3), (1e-3, 5e-3))
    gamma, beta = affine(rng, D)
    explicit = {"mode": "train", "eps": 1e-5, "momentum": 0.9, "running_mean": np.zeros(D), "running_var": np.zeros(D)}

    def run(impl, param):
        param = copied(param)
        result = {"out": forward(impl, "batchnorm_forward", x, gamma, beta, param)[0]}
        result.update({key: vector(param[key], f"bn_param[{key!r}]", D) for key in ("running_mean", "running_var")
                       if key in param})
        return result

    spelled_out = run(fresh(student), explicit)
    implicit = run(fresh(student), {"mode": "train"})
    # The running averages count here only when the student stores them at all (their own tests judge that).
    stored = [key for key in ("running_mean", "running_var")
              if key in spelled_out and not close(spelled_out[key], np.zeros(D))]
    for key in ["out", *stored]:
        if key not in implicit:
            problem = (f"bn_param has no {key!r} after the call: when running averages are missing, start them "
                       "at zeros of shape (D,), update them and store them")
        elif not close(implicit[key], spelled_out[key]):
            problem = f"{key}: {describe_difference(implicit[key], spelled_out[key])}"
        else:
            continue
        hint = explain("batchnorm_forward", implicit, lambda impl: run(impl, {"mode": "train"}), mistakes)
        raise Mismatch(f"with x of shape {x.shape} (variances near eps) and bn_param {{'mode': 'train'}} only, "
                       f"compared with your own result when bn_param spells out the defaults {shown(explicit)}: "
                       f"{problem}", hint)


# --- layernorm_forward -------------------------------------------------------------------------

@pytest.mark.graded("layernorm_forward", points=1.25)
def test_layernorm_output(student, reference, mistakes, rng):
    """normalizes each sample over its features with its mean and biased variance, then scales and shifts"""
    N, D = int(rng.integers(2, 7)), int(rng.integers(3, 9))
    x, (gamma, beta) = rows(rng, N, D, (1.0, 3.0), (0.0, 2.0)), affine(rng, D)
    param = {"eps": float(rng.uniform(1e-3, 1e-2))}
    judge("layernorm_forward", lambda impl: {"out": forward(impl, "layernorm_forward", x, gamma, beta, dict(param))[0]},
          student, reference, mistakes, situation=f"x of shape {x.shape}, ln_param {shown(param)}")


def edge_samples(rng, N, D, constant):
    """(x, gamma, beta, ln_param): N samples of D features, `constant` samples constant."""
    x = constant_features(rng, rows(rng, N, D, (1.0, 3.0), (0.0, 2.0)), constant, axis=1)
    return (x, *affine(rng, D), {"eps": float(rng.uniform(1e-3, 1e-2))})


@pytest.mark.graded("layernorm_forward", points=0.25)
def test_layernorm_edge_samples(student, reference, mistakes, rng):
    """is right for a single sample (N = 1) and for constant samples (variance 0, where eps keeps it finite)"""

    def right(problem):
        x, gamma, beta, param = problem
        constant = int(np.sum(np.ptp(x, axis=1) == 0))
        judge("layernorm_forward",
              lambda impl: {"out": forward(impl, "layernorm_forward", x, gamma, beta, dict(param))[0]},
              student, reference, mistakes,
              situation=f"x of shape {x.shape} with {constant} constant sample(s), ln_param {shown(param)}")

    D = int(rng.integers(3, 9))
    examples = [(edge_samples(rng, 1, D, 0),), (edge_samples(rng, int(rng.integers(2, 7)), D, 1),)]
    drawn = st.builds(lambda seed, N, D, constant: edge_samples(np.random.default_rng(seed), N, D, min(constant, N)),
                      edges.seeds(), st.integers(1, 6), st.integers(2, 8), st.integers(0, 6))
    edges.holds(right, drawn, examples=examples, rng=rng)


@pytest.mark.graded("layernorm_forward", points=0.5)
def test_layernorm_default_eps(student, mistakes, rng):
    """with an empty ln_param, uses eps = 1e-5"""
    N, D = int(rng.integers(2, 7)), int(rng.integers(3, 9))
    x, (gamma, beta) = rows(rng, N, D, (1e-3, 3e-3), (1e-3, 5e-3)), affine(rng, D)

    def run(impl, param):
        return {"out": forward(impl, "layernorm_forward", x, gamma, beta, dict(param))[0]}

    spelled_out, implicit = run(fresh(student), {"eps": 1e-5}), run(fresh(student), {})
    if not close(implicit["out"], spelled_out["out"]):
        hint = explain("layernorm_forward", implicit, lambda impl: run(impl, {}), mistakes)
        difference = describe_difference(implicit["out"], spelled_out["out"])
        raise Mismatch(f"with x of shape {x.shape} (variances near eps) and ln_param {{}}, compared with your own "
                       f"result for ln_param {{'eps': 1e-05}}: {difference}", hint)


# --- backward passes ---------------------------------------------------------------------------

def backward_problem(rng, fwd):
    """x, gamma, beta, dout and the forward's param for one backward test (train mode for batch norm)."""
    N, D = int(rng.integers(4, 8)), int(rng.integers(2, 6))
    gamma, beta = affine(rng, D)
    if fwd == "batchnorm_forward":
        x, param = columns(rng, N, D, (0.5, 2.0), (0.0, 2.0)), train_param(rng, D)
    else:
        D = max(D, 3)
        gamma, beta = affine(rng, D)
        x, param = rows(rng, N, D, (0.5, 2.0), (0.0, 2.0)), {"eps": float(rng.uniform(1e-3, 1e-2))}
    # dout's column means (row means for layer norm) are at least 0.2 away from 0, so the path
    # through the mean always carries a gradient.
    axis = 0 if fwd == "batchnorm_forward" else 1
    dout = rng.uniform(-1.5, 1.5, size=(N, D))
    means = signed(rng, dout.shape[1 - axis], 0.2, 1.0)
    dout = dout - dout.mean(axis=axis, keepdims=True) + np.expand_dims(means, axis)
    return x, gamma, beta, dout, param


def forward_backward(impl, bwd, problem):
    """(out, {"dx", "dgamma", "dbeta"}) of impl: its forward pass, then its backward with that cache.

    A forward pass that fails is reported as such: the backward is judged with its cache.
    """
    x, gamma, beta, dout, param = problem
    fwd = FORWARD[bwd]
    try:
        out, cache = forward(impl, fwd, x, gamma, beta, copied(param))
    except (StudentError, Unavailable) as err:
        what = ("is not written yet" if getattr(err, "exc_type", "") == "NotImplementedError"
                else f"failed ({err})")
        raise AssertionError(f"your {fwd} {what}, and {bwd} is judged with the cache of your {fwd}: "
                             f"make {fwd} work first") from None
    return out, gradients(impl, bwd, dout, cache, x.shape[1])


def own_gradient(impl, bwd, problem, wrt):
    """The gradient of sum(out * dout) with respect to x, gamma or beta, by centred differences on
    impl's own forward, each call with a fresh copy of the param (running averages do not drift)."""
    x, gamma, beta, dout, param = problem
    inputs = {"dx": x, "dgamma": gamma, "dbeta": beta}

    def out_of(value):
        args = {**inputs, wrt: value}
        return forward(impl, FORWARD[bwd], args["dx"], args["dgamma"], args["dbeta"], copied(param))[0]

    return eval_numerical_gradient_array(out_of, inputs[wrt].copy(), dout, h=H)


def batchnorm_gradient_for(problem, out):
    """dx of the batch-norm formula for the normalization a forward applied, read off its out.

    xhat = (out - beta) / gamma, and each column's sigma from xhat = (x - mean) / sigma (least
    squares); None when out is not of that form. A forward that divides by a wrong sigma (the
    variance over N - 1, eps outside the square root) with a backward that is right for its own
    cached statistics gives exactly this dx.
    """
    x, gamma, beta, dout, _ = problem
    xhat = (out - beta) / gamma
    xmu = x - x.mean(axis=0)
    sigma = (xmu * xhat).sum(axis=0) / (xhat * xhat).sum(axis=0)
    if not np.allclose(sigma * xhat, xmu, rtol=1e-8, atol=1e-10):
        return None
    N = x.shape[0]
    return gamma / (N * sigma) * (N * dout - dout.sum(axis=0) - xhat * (dout * xhat).sum(axis=0))


def reference_cache(reference, bwd, problem):
    x, gamma, beta, _, param = problem
    return forward(fresh(reference), FORWARD[bwd], x, gamma, beta, copied(param))[1]


def with_a_correct_cache(student, reference, bwd, problem):
    """The student's gradients when their backward is handed the reference forward's cache, or None.

    Tried only when the student's forward is wrong: a backward written for another cache layout may
    fail here, which is no fault of the backward.
    """
    x, _, _, dout, _ = problem
    cache = reference_cache(reference, bwd, problem)
    try:
        return gradients(fresh(student), bwd, dout, cache, x.shape[1])
    except (StudentError, AssertionError):  # our cache, not the student's layout: nothing to learn
        return None


def forgiven(student, reference, bwd, problem, wrt, out, got, ref_value, numerical):
    """Whether a gradient is acceptable from a backward whose own forward is wrong on this input.

    Yes when it is the right gradient anyway, the exact gradient of the student's own forward, the
    batch-norm gradient for the normalization that forward applied (dx of batch norm), or right
    when the backward is handed a correct forward's cache.
    """
    if close(got, ref_value) or close(got, numerical, GRAD_RTOL, GRAD_ATOL):
        return True
    if wrt == "dx" and FORWARD[bwd] == "batchnorm_forward":
        own_formula = batchnorm_gradient_for(problem, out)
        if own_formula is not None and close(got, own_formula, 1e-8, 1e-10):
            return True
    grads = with_a_correct_cache(student, reference, bwd, problem)
    return grads is not None and close(grads[wrt], ref_value)


def known_mistake(student, reference, mistakes, bwd, problem, wrt, grads, forward_right):
    """The hint of the catalog mistake the student's backward matches, or None.

    With a right forward, the backward's own result is compared; with a wrong one, the backward's
    result when handed the reference forward's cache (where it accepts that cache).
    """
    x, _, _, dout, _ = problem
    if forward_right:
        return explain(bwd, {wrt: grads[wrt]},
                       lambda impl: {wrt: forward_backward(impl, bwd, problem)[1][wrt]}, mistakes)
    theirs = with_a_correct_cache(student, reference, bwd, problem)
    if theirs is None:
        return None
    cache = reference_cache(reference, bwd, problem)
    return explain(bwd, {wrt: theirs[wrt]},
                   lambda impl: {wrt: gradients(impl, bwd, dout, cache, x.shape[1])[wrt]}, mistakes)


def situation(bwd, problem):
    x, _, _, _, param = problem
    name = "bn_param" if FORWARD[bwd] == "batchnorm_forward" else "ln_param"
    return f"x of shape {x.shape}, {name} {shown(param)}"


def check_numerically(bwd, wrt, student, reference, mistakes, rng):
    """The gradient `wrt` of the student's backward against the numerical gradient of their forward."""
    fwd, problem = FORWARD[bwd], backward_problem(rng, FORWARD[bwd])
    out, grads = forward_backward(student, bwd, problem)
    numerical = own_gradient(student, bwd, problem, wrt)
    if close(grads[wrt], numerical, GRAD_RTOL, GRAD_ATOL):
        return
    ref_out, ref_grads = forward_backward(fresh(reference), bwd, problem)
    forward_right = close(out, ref_out)
    if not forward_right and forgiven(student, reference, bwd, problem, wrt, out, grads[wrt], ref_grads[wrt],
                                      numerical):
        return
    hint = known_mistake(student, reference, mistakes, bwd, problem, wrt, grads, forward_right)
    note = "" if forward_right else f" (your {fwd} is wrong here too: see its tests, and fix it first)"
    raise Mismatch(f"{situation(bwd, problem)}: {wrt} is not the gradient of your own {fwd}{note}: "
                   f"{describe_difference(grads[wrt], numerical)} against centred differences", hint)


def check_against_reference(bwd, wrt, student, reference, mistakes, rng):
    """The gradient `wrt` against the reference's where the student's forward is right; else forgiven() decides."""
    fwd, problem = FORWARD[bwd], backward_problem(rng, FORWARD[bwd])
    ref_out, ref_grads = forward_backward(fresh(reference), bwd, problem)
    out, grads = forward_backward(fresh(student), bwd, problem)
    if close(out, ref_out):
        judge(bwd, lambda impl: {wrt: forward_backward(impl, bwd, problem)[1][wrt]}, student, reference, mistakes,
              situation=f"with the cache of a train-mode forward pass, {situation(bwd, problem)}")
        return
    numerical = own_gradient(fresh(student), bwd, problem, wrt)
    if not forgiven(student, reference, bwd, problem, wrt, out, grads[wrt], ref_grads[wrt], numerical):
        raise Mismatch(
            f"{situation(bwd, problem)}: your {fwd} gives other values than expected here, and {wrt} is neither "
            f"the right gradient nor the gradient of your own forward ({describe_difference(grads[wrt], numerical)} "
            f"against centred differences): fix {fwd} first, then this backward pass",
            known_mistake(student, reference, mistakes, bwd, problem, wrt, grads, False))


@pytest.mark.parametrize("bwd", graded("dx"))
def test_dx_is_gradient_of_own_forward(bwd, student, reference, mistakes, rng):
    """dx is the gradient of your own forward pass with respect to x (checked numerically)"""
    check_numerically(bwd, "dx", student, reference, mistakes, rng)


@pytest.mark.parametrize("bwd", graded("dx"))
def test_dx_values(bwd, student, reference, mistakes, rng):
    """dx equals the expected gradient (to 1e-10) wherever your forward pass is right"""
    check_against_reference(bwd, "dx", student, reference, mistakes, rng)


@pytest.mark.parametrize("bwd", graded("dgamma"))
def test_dgamma_is_gradient_of_own_forward(bwd, student, reference, mistakes, rng):
    """dgamma is the gradient of your own forward pass with respect to gamma, of shape (D,) (checked numerically)"""
    check_numerically(bwd, "dgamma", student, reference, mistakes, rng)


@pytest.mark.parametrize("bwd", graded("dgamma"))
def test_dgamma_values(bwd, student, reference, mistakes, rng):
    """dgamma equals the expected gradient (to 1e-10) wherever your forward pass is right"""
    check_against_reference(bwd, "dgamma", student, reference, mistakes, rng)


@pytest.mark.parametrize("bwd", graded("dbeta"))
def test_dbeta_is_gradient_of_own_forward(bwd, student, reference, mistakes, rng):
    """dbeta is the gradient of your own forward pass with respect to beta, of shape (D,) (checked numerically)"""
    check_numerically(bwd, "dbeta", student, reference, mistakes, rng)


@pytest.mark.parametrize("bwd", graded("dbeta"))
def test_dbeta_values(bwd, student, reference, mistakes, rng):
    """dbeta equals the expected gradient (to 1e-10) wherever your forward pass is right"""
    check_against_reference(bwd, "dbeta", student, reference, mistakes, rng)
