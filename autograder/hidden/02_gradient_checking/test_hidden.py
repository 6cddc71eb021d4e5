"""Hidden tests of 02_gradient_checking: four activation layers and the multiclass SVM loss.

Forward passes are judged on their outputs against the reference; a leaky ReLU or ELU that
mishandles alpha (a wrong default, a fixed slope) is named by its behaviour, whatever its
numbers. A backward pass is judged twice: as the gradient of the student's OWN forward pass
(numerically, by centred differences, as the notebook teaches), and against the reference's dx
wherever the student's forward gives the reference's out. Where the student's forward is
wrong, the backward is accepted when it is the exact gradient of that forward, or the right
gradient anyway, or right when handed a correct forward's cache: one mistake costs the points
of the function it is in, once. For the same reason backward passes get alpha spelled out (at
its default where the test is about the formula), so that a forward without the right default
does not cost its backward pass too.

Sigmoid and tanh are also judged at extreme inputs, forward and backward: |x| from 750 (where
exp(|x|) overflows float64) up to 1e300, exactly 0 and -0.0, and +-710, just past the overflow.
There the out must stay finite and right (warnings cost nothing), and dx must be dout times the
slope, about 0 (a derivative written with exp(-x) gives inf / inf there). The formula tests of
svm_loss cover a batch of one sample (N = 1) besides N in 3..5.

Inputs are drawn from the run's seed (`rng`), away from the kinks (|x| >= 0.1 for the
activations, margins at least 0.1 from 0 for the hinge loss) except in the one test about a
kink, which puts exact ties there on purpose. Every draw has both signs (and both active and
inactive margins, one of them below 1), so what a test covers never depends on the seed. The
edges a test must cover are its explicit examples (`autograder.edges`), run first; hypothesis
only adds draws of the same kind (extreme inputs of 1 or 2 dimensions, problems of 1 to 5
samples), seeded from the submission's seed.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder import edges
from autograder.catalog import module
from autograder.sandbox.messages import StudentError
from autograder.testing import Mismatch, as_array, close, explain, fresh, judge, pair
from cs231n_utils.checks import describe_difference
from cs231n_utils.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array

# Numerical gradients use centred differences with H = 1e-5 on |x| <= 4 and |dout| <= 2. The
# truncation error is at most H**2 / 6 * max|f'''| * |dout| <= 1e-10 * 2 / 6 * 2 < 1e-10 (|f'''| <= 2
# for tanh, 1/8 for sigmoid, alpha * e^x <= 1 for ELU, 0 for the piecewise linear ones); the
# round-off is about 2 * eps * |f| * |dout| / (2 * H) <= 2e-16 * 4 * 2 / 1e-5 < 2e-10. So a right
# backward agrees to well under 1e-9; the tolerance leaves a factor 100, and every catalog mistake
# is off by more than 1e-2.
H = 1e-5
GRAD_RTOL, GRAD_ATOL = 1e-6, 1e-7

SHAPES = [(12,), (3, 4), (4, 3), (2, 3, 2)]  # at most 12 entries: two forward calls per entry
ALPHA_RANGE = {"leaky_relu": (0.05, 0.5), "elu": (0.3, 0.8)}  # away from the defaults 0.01 and 1.0
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0}
CATALOG = module("02_gradient_checking", "mistakes")


def graded(function, points, *values):
    return pytest.param(*values, marks=pytest.mark.graded(function, points=points), id=values[0])


def signed(rng, shape, low, high):
    """Values with |v| in [low, high] and random signs, at least one of each sign."""
    size = int(np.prod(shape))
    signs = rng.choice([-1.0, 1.0], size=size)
    signs[:2] = 1.0, -1.0
    rng.shuffle(signs)
    return (signs * rng.uniform(low, high, size=size)).reshape(shape)


def shape_of(rng):
    return SHAPES[int(rng.integers(len(SHAPES)))]


def shown(kwargs):
    return "" if not kwargs else " and " + ", ".join(f"{k}={v:.3g}" for k, v in kwargs.items())


def forward(impl, act, x, kwargs):
    """(out as a float64 array of the shape of x, cache) from impl's forward pass on a copy of x."""
    result = pair(getattr(impl, f"{act}_forward")(x.copy(), **kwargs), f"{act}_forward")
    return as_array(result[0], f"the out returned by {act}_forward", x.shape), result[1]


def backward(impl, act, dout, cache):
    return as_array(getattr(impl, f"{act}_backward")(dout.copy(), cache), f"the dx returned by {act}_backward",
                    dout.shape)


def forward_backward(impl, act, x, dout, kwargs):
    """(out, dx) of impl: its forward pass on x, then its backward pass with that forward's cache."""
    out, cache = forward(impl, act, x, kwargs)
    return out, backward(impl, act, dout, cache)


def own_gradient(impl, act, x, dout, kwargs):
    """The gradient of sum(forward(x) * dout) by centred differences, calling impl's own forward."""
    return eval_numerical_gradient_array(lambda v: forward(impl, act, v, kwargs)[0], x.copy(), dout, h=H)


def right_with_a_correct_cache(student, reference, act, x, dout, kwargs, ref_dx):
    """Whether the student's backward gives the reference's dx when handed the reference forward's cache.

    Tried only when the student's forward is wrong (so its own cache cannot give the right dx):
    a backward written for another cache layout may fail here, which is no fault of the backward.
    """
    _, ref_cache = forward(fresh(reference), act, x, kwargs)
    try:
        dx = getattr(fresh(student), f"{act}_backward")(dout.copy(), ref_cache)
    except StudentError:  # our cache, not the student's layout: nothing to learn from it
        return False
    try:
        return close(np.asarray(dx, dtype=np.float64), ref_dx)
    except (TypeError, ValueError):
        return False


def forgiven(student, reference, act, x, dout, kwargs, dx, ref_dx, numerical=None):
    """Whether dx is acceptable from a backward whose own forward is wrong on x.

    Yes when dx is the right gradient anyway, or the exact gradient of the student's own forward,
    or when the backward gives the right gradient from a correct forward's cache.
    """
    if close(dx, ref_dx):
        return True
    if numerical is None:
        numerical = own_gradient(fresh(student), act, x, dout, kwargs)
    return (close(dx, numerical, GRAD_RTOL, GRAD_ATOL)
            or right_with_a_correct_cache(student, reference, act, x, dout, kwargs, ref_dx))


def judge_backward(act, student, reference, mistakes, x, dout, kwargs, situation):
    """dx against the reference's where the student's forward is right; else forgiven() decides."""
    ref_out, ref_dx = forward_backward(fresh(reference), act, x, dout, kwargs)
    out, dx = forward_backward(fresh(student), act, x, dout, kwargs)
    if close(out, ref_out):
        judge(f"{act}_backward", lambda impl: {"dx": forward_backward(impl, act, x, dout, kwargs)[1]},
              student, reference, mistakes, situation=situation)
    elif not forgiven(student, reference, act, x, dout, kwargs, dx, ref_dx):
        raise AssertionError(
            f"{situation}: your {act}_forward gives other values than expected here, and dx is not the gradient "
            f"of your own forward either ({describe_difference(dx, own_gradient(fresh(student), act, x, dout, kwargs))}"
            f" against the numerical gradient): fix {act}_forward first, then its backward pass")


def default_alpha(act):
    """The keyword arguments that spell out the default alpha (none for sigmoid and tanh).

    Backward passes are judged with alpha given, so that a forward without the right default
    (a mistake of the forward, judged there) does not cost its backward pass too.
    """
    return {"alpha": DEFAULT_ALPHA[act]} if act in DEFAULT_ALPHA else {}


def alpha_mistake(act, student, reference, x, with_defaults):
    """The hint for a forward that mishandles alpha, named by behaviour whatever its numbers, or None.

    with_defaults: the failing call used the default alpha. Then a forward that is right with
    alpha=default spelled out has a wrong default (real ones: 1e-3, 0.05, 0.5; ELU 0.1). A leaky
    ReLU giving one result for two alphas has a fixed slope (real ones: 0.001, 0.2).
    """
    if act not in DEFAULT_ALPHA:
        return None
    try:
        if with_defaults and close(forward(fresh(student), act, x, default_alpha(act))[0],
                                   forward(fresh(reference), act, x, {})[0]):
            return CATALOG.WRONG_DEFAULT_ALPHA[act]
        low, high = (forward(fresh(student), act, x, {"alpha": a})[0] for a in ALPHA_RANGE[act])
    except (StudentError, AssertionError):  # a forward that fails here: its own message says enough
        return None
    return CATALOG.LEAKY_ALPHA_IGNORED if act == "leaky_relu" and close(low, high) else None


def judge_forward(act, student, reference, mistakes, x, kwargs, situation):
    """judge() on the forward's out; where it names no mistake, or only a mishandled alpha (a fixed
    slope of 0.001 and a default of 0.001 give the same out with the default), behaviour decides."""
    try:
        judge(f"{act}_forward", lambda impl: {"out": forward(impl, act, x, kwargs)[0]}, student, reference, mistakes,
              situation=situation)
    except Mismatch as mismatch:
        alpha_hints = (None, CATALOG.WRONG_DEFAULT_ALPHA.get(act), CATALOG.LEAKY_ALPHA_IGNORED)
        if mismatch.hint in alpha_hints:
            mismatch.hint = alpha_mistake(act, student, reference, x, not kwargs) or mismatch.hint
        raise


# --- forward passes ----------------------------------------------------------------------------

FORWARD_RANGES = {"sigmoid": (0.1, 8.0), "tanh": (0.1, 4.0), "leaky_relu": (0.1, 5.0), "elu": (0.1, 5.0)}


@pytest.mark.parametrize("act", [graded("sigmoid_forward", 0.75, "sigmoid"), graded("tanh_forward", 0.75, "tanh"),
                                 graded("leaky_relu_forward", 0.5, "leaky_relu"), graded("elu_forward", 0.5, "elu")])
def test_forward_values(act, student, reference, mistakes, rng):
    """out equals the formula on random inputs of both signs (default arguments)"""
    low, high = FORWARD_RANGES[act]
    x = signed(rng, shape_of(rng), low, high)
    judge_forward(act, student, reference, mistakes, x, {}, f"with x of shape {x.shape}, |x| between {low} and {high}")


# |x| where exp(|x|) overflows float64 (beyond 709.8), up to 1e300.
EXTREME = (750.0, 1e300)


def extreme_inputs(rng):
    """The edges of the extreme-input tests: |x| in [750, 1000] with both signs; 0, -0.0, +-710 (just past
    exp's overflow) and +-1e300; a column of two."""
    return [signed(rng, (6,), 750.0, 1000.0), rng.permutation([0.0, -0.0, 710.0, -710.0, 1e300, -1e300]),
            signed(rng, (2, 1), 750.0, 1000.0)]


def drawn_extremes():
    """Hypothesis' inputs of 1 or 2 dimensions (sides 1 to 4) with |x| in EXTREME, or 0."""
    return edges.arrays(edges.shapes(max_side=4), edges.magnitudes(*EXTREME, zeros=True))


def shown_values(x):
    return np.array2string(x.ravel(), precision=1, threshold=8)


@pytest.mark.parametrize("act", [graded("sigmoid_forward", 0.25, "sigmoid"), graded("tanh_forward", 0.25, "tanh")])
def test_forward_large_inputs(act, student, reference, mistakes, rng):
    """stays finite and right for |x| from the hundreds up to 1e300, and at 0 (warnings cost nothing)"""

    def finite_and_right(x):
        judge(f"{act}_forward", lambda impl: {"out": forward(impl, act, x, {})[0]}, student, reference, mistakes,
              situation=f"with x = {shown_values(x)} (exp(|x|) overflows to inf beyond 709.8)")

    edges.holds(finite_and_right, drawn_extremes(), examples=[(x,) for x in extreme_inputs(rng)], rng=rng)


@pytest.mark.parametrize("act", [graded("leaky_relu_forward", 0.5, "leaky_relu"), graded("elu_forward", 0.5, "elu")])
def test_forward_alpha(act, student, reference, mistakes, rng):
    """uses the alpha it is given"""
    kwargs = {"alpha": float(rng.uniform(*ALPHA_RANGE[act]))}
    x = signed(rng, shape_of(rng), 0.1, 5.0)
    judge_forward(act, student, reference, mistakes, x, kwargs, f"with x of shape {x.shape}{shown(kwargs)}")


# --- backward passes ---------------------------------------------------------------------------

@pytest.mark.parametrize("act", [graded("sigmoid_backward", 0.75, "sigmoid"), graded("tanh_backward", 0.75, "tanh"),
                                 graded("leaky_relu_backward", 0.75, "leaky_relu"),
                                 graded("elu_backward", 0.75, "elu")])
def test_backward_values(act, student, reference, mistakes, rng):
    """dx equals dout times the derivative, on random inputs of both signs (alpha at its default value)"""
    x = signed(rng, (3, 4), 0.1, 4.0)
    dout = signed(rng, (3, 4), 0.2, 2.0)
    kwargs = default_alpha(act)
    judge_backward(act, student, reference, mistakes, x, dout, kwargs,
                   f"after {act}_forward(x{shown(kwargs).replace(' and ', ', ')}) with x of shape {x.shape}, "
                   "|x| between 0.1 and 4, and a random dout")


@pytest.mark.parametrize("act", [graded("sigmoid_backward", 0.25, "sigmoid"), graded("tanh_backward", 0.25, "tanh")])
def test_backward_large_inputs(act, student, reference, mistakes, rng):
    """dx stays finite and right for |x| from the hundreds up to 1e300 (the slope is about 0 there), and at 0"""

    def finite_and_right(x, dout_seed):
        dout_rng = np.random.default_rng(dout_seed)
        dout = dout_rng.choice([-1.0, 1.0], size=x.shape) * dout_rng.uniform(0.2, 2.0, size=x.shape)
        judge_backward(act, student, reference, mistakes, x, dout, {},
                       f"after {act}_forward(x) with x = {shown_values(x)} (exp(|x|) overflows to inf beyond "
                       "709.8), and a random dout")

    edges.holds(finite_and_right, drawn_extremes(), edges.seeds(),
                examples=[(x, edges.seed_of(rng)) for x in extreme_inputs(rng)], rng=rng)


@pytest.mark.parametrize("act", [graded("leaky_relu_backward", 0.25, "leaky_relu"),
                                 graded("elu_backward", 0.25, "elu")])
def test_backward_alpha(act, student, reference, mistakes, rng):
    """uses the alpha of the forward pass (kept in the cache)"""
    kwargs = {"alpha": float(rng.uniform(*ALPHA_RANGE[act]))}
    x = signed(rng, (3, 4), 0.1, 4.0)
    dout = signed(rng, (3, 4), 0.2, 2.0)
    judge_backward(act, student, reference, mistakes, x, dout, kwargs,
                   f"after {act}_forward(x{shown(kwargs).replace(' and ', ', ')}) with x of shape {x.shape}")


@pytest.mark.parametrize("act", [graded("sigmoid_backward", 0.5, "sigmoid"), graded("tanh_backward", 0.5, "tanh"),
                                 graded("leaky_relu_backward", 0.5, "leaky_relu"),
                                 graded("elu_backward", 0.5, "elu")])
def test_backward_is_gradient_of_own_forward(act, student, reference, mistakes, rng):
    """dx is the gradient of your own forward pass (checked numerically, inputs of 1 to 3 dimensions)"""
    x = signed(rng, shape_of(rng), 0.1, 4.0)
    dout = signed(rng, x.shape, 0.2, 2.0)
    kwargs = default_alpha(act)
    out, dx = forward_backward(fresh(student), act, x, dout, kwargs)
    numerical = own_gradient(fresh(student), act, x, dout, kwargs)
    if close(dx, numerical, GRAD_RTOL, GRAD_ATOL):
        return
    ref_out, ref_dx = forward_backward(fresh(reference), act, x, dout, kwargs)
    if not close(out, ref_out) and forgiven(student, reference, act, x, dout, kwargs, dx, ref_dx, numerical):
        return
    hint = explain(f"{act}_backward", {"dx": dx},
                   lambda impl: {"dx": forward_backward(impl, act, x, dout, kwargs)[1]}, mistakes)
    raise Mismatch(f"with x of shape {x.shape}, |x| between 0.1 and 4: dx differs from the numerical gradient of "
                   f"sum({act}_forward(x) * dout) (centred differences, h = {H:g}): "
                   f"{describe_difference(dx, numerical)}", hint)


# --- svm_loss ----------------------------------------------------------------------------------

def hinge_problem(rng, n=None):
    """(scores, y): n samples (drawn in 3..5 when None), C in 3..4 classes, every margin at least 0.1 away from 0.

    In every row the first wrong class has a margin in (0.1, 0.9) (active, and below 1, so that
    a margin of 0 instead of 1 changes the result), the second a margin below -0.1 (inactive),
    the others either.
    """
    n, c = n or int(rng.integers(3, 6)), int(rng.integers(3, 5))
    y = rng.integers(c, size=n)
    margins = signed(rng, (n, c), 0.1, 2.0)
    for i in range(n):
        wrong = [j for j in range(c) if j != y[i]]
        margins[i, wrong[0]] = rng.uniform(0.1, 0.9)
        margins[i, wrong[1]] = -rng.uniform(0.1, 2.0)
    correct = rng.normal(scale=2.0, size=(n, 1))
    scores = correct + margins - 1.0
    scores[np.arange(n), y] = correct[:, 0]
    return scores, y


def svm(impl, scores, y):
    """(loss, dscores) of impl on copies of its arguments, checked for form."""
    loss, dscores = pair(impl.svm_loss(scores.copy(), y.copy()), "svm_loss", ("loss", "dscores"))
    return (as_array(loss, "the loss returned by svm_loss", ()),
            as_array(dscores, "the dscores returned by svm_loss", scores.shape))


def situation(scores):
    return f"with scores of shape {scores.shape} (N = {scores.shape[0]} samples), no margin within 0.1 of 0"


def hinge_problems(rng):
    """The problems the formula tests must cover, each as a 1-tuple: N in 3..5 samples, and N = 1."""
    return [(hinge_problem(rng),), (hinge_problem(rng, n=1),)]


def drawn_hinge_problems():
    """Hypothesis' problems of 1 to 5 samples, from a drawn seed."""
    return st.builds(lambda seed, n: hinge_problem(np.random.default_rng(seed), n), edges.seeds(), st.integers(1, 5))


@pytest.mark.graded("svm_loss", points=1.0)
def test_svm_loss_value(student, reference, mistakes, rng):
    """the loss is the mean over samples of the hinge terms of the wrong classes, a batch of one sample included"""

    def right_loss(problem):
        scores, y = problem
        judge("svm_loss", lambda impl: {"loss": svm(impl, scores, y)[0]}, student, reference, mistakes,
              situation=situation(scores))

    edges.holds(right_loss, drawn_hinge_problems(), examples=hinge_problems(rng), rng=rng)


@pytest.mark.graded("svm_loss", points=1.0)
def test_svm_loss_dscores(student, reference, mistakes, rng):
    """dscores is the gradient of the mean hinge loss, a batch of one sample included"""

    def right_dscores(problem):
        scores, y = problem
        judge("svm_loss", lambda impl: {"dscores": svm(impl, scores, y)[1]}, student, reference, mistakes,
              situation=situation(scores))

    edges.holds(right_dscores, drawn_hinge_problems(), examples=hinge_problems(rng), rng=rng)


@pytest.mark.graded("svm_loss", points=0.5)
def test_svm_loss_dscores_is_gradient_of_own_loss(student, reference, mistakes, rng):
    """dscores is the gradient of your own loss (checked numerically)"""
    scores, y = hinge_problem(rng)
    _, dscores = svm(fresh(student), scores, y)
    numerical = eval_numerical_gradient(lambda s: float(svm(student, s, y)[0]), scores.copy(), h=H)
    if close(dscores, numerical, GRAD_RTOL, GRAD_ATOL) or close(dscores, svm(fresh(reference), scores, y)[1]):
        return
    hint = explain("svm_loss", {"dscores": dscores}, lambda impl: {"dscores": svm(impl, scores, y)[1]}, mistakes)
    raise Mismatch(f"{situation(scores)}: dscores differs from the numerical gradient of your loss "
                   f"(centred differences, h = {H:g}): {describe_difference(dscores, numerical)}", hint)


@pytest.mark.graded("svm_loss", points=0.25)
def test_svm_loss_tie_does_not_count(student, reference, mistakes, rng):
    """a margin of exactly 0 does not count"""
    n, c = int(rng.integers(3, 6)), int(rng.integers(3, 5))
    y = rng.integers(c, size=n)
    correct = rng.integers(-3, 4, size=n).astype(np.float64)
    margins = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(n, c))  # integers: exact, and 1 or more from 0
    tied = np.zeros((n, c), dtype=bool)
    for i in range(n):
        tied[i, [j for j in range(c) if j != y[i]][0]] = True
    margins[tied] = 0.0
    scores = correct[:, None] + margins - 1.0  # every value an integer, so each margin is exact
    scores[np.arange(n), y] = correct
    lowered = scores - 0.25 * tied  # the same scores with every tied margin clearly negative

    def run(impl):
        return {"dscores at the ties minus dscores with those margins at -0.25":
                svm(impl, scores, y)[1] - svm(impl, lowered, y)[1]}

    judge("svm_loss", run, student, reference, mistakes,
          situation=f"with integer scores of shape {scores.shape} where one wrong class per sample has a margin "
                    "of exactly 0 (s_j = s_y - 1), compared with the same scores with those margins at -0.25: "
                    "a margin of exactly 0 counts as inactive, so dscores must not change")


@pytest.mark.graded("svm_loss", points=0.25)
def test_svm_loss_leaves_scores_unchanged(student, reference, mistakes, rng):
    """leaves its argument scores unchanged"""
    scores, y = hinge_problem(rng)

    def run(impl):
        passed = scores.copy()
        impl.svm_loss(passed, y.copy())
        return {"scores after the call": passed}

    judge("svm_loss", run, student, reference, mistakes,
          situation=f"{situation(scores)}: svm_loss must leave the caller's scores as they were "
                    "(compute with new arrays)")
