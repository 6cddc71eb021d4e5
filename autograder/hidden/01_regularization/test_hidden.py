"""Hidden tests of 01_regularization: three penalties and the regularized softmax loss.

A penalty is judged on four properties, one test each: its loss against the formula (most of its
points), its dW, its dW at zero weights and W left unchanged. dW is accepted when it is the
formula's gradient OR the exact gradient of the student's own loss (by centred differences,
exact up to round-off for these piecewise quadratic losses): a wrong loss whose dW is its
gradient loses the loss's points only, as a right dW next to a wrong loss keeps its own. At zero
weights (every other entry 0, all of W 0 with some -0.0, a single weight 0; hypothesis adds
weights with zeros in random places) dW must be the subgradient 0 of |W| (L1, elastic net) and
2 * reg * 0 = 0 (L2: a gradient through np.linalg.norm divides 0 by 0 there). An elastic net built
from the student's own l2_penalty and l1_penalty is accepted as it is, W changed the way those
two change it included: their mistakes cost there, once.

regularized_softmax_loss is judged in parts, so that one mistake costs once: the data part at
reg = 0 (its loss against the reference; its dW against the reference or the numerical gradient
of the student's own loss), then, for each penalty name, what the penalty adds (the loss and dW
at reg minus those at reg = 0), which must be the named penalty, either the formula's or the one
the student's own penalty functions give (a student who calls a wrong l2_penalty loses its
points there, not twice). Two more tests: the softmax stays exact for scores shifted by up to
1000 per row (against the student's own unshifted result), and an unknown name raises ValueError
naming the allowed ones. The data tests and the shifted scores cover a batch of N in [5, 8]
samples and a batch of one (N = 1); hypothesis adds batches of 1 to 8.

What a test covers never depends on the draw. Weights have magnitudes in [0.2, 0.9] with both
signs present (away from the kink of |w|, and |w| > w**2 everywhere, so a sum of squares and a
sum of absolute values always differ); reg lies in [0.1, 0.6] (away from 1, where a missing reg
would go unseen) and beta in [1.5, 3] (away from 0.5 and 1, where beta's place would not show).
The edges a test must cover are its explicit examples (`autograder.edges`), run first; hypothesis
only adds draws of the same kind, seeded from the submission's seed.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder import edges
from autograder.catalog import module
from autograder.sandbox.messages import StudentError, Unavailable
from autograder.testing import Mismatch, as_array, explain, first_difference, fresh, pair, same
from cs231n_utils.gradient_check import eval_numerical_gradient

ASSIGNMENT = "01_regularization"
CATALOG = module(ASSIGNMENT, "mistakes")
PENALTIES = ("l1_penalty", "l2_penalty", "elastic_net_penalty")
BY_NAME = {"l1": "l1_penalty", "l2": "l2_penalty", "elastic_net": "elastic_net_penalty"}
RTOL, ATOL = 1e-10, 1e-12  # formulations written otherwise agree to ~1e-15
# Numerical gradients: centred differences with H = 1e-5. A penalty is piecewise quadratic and
# |W| >= 0.2 > H, so its difference is exact up to round-off, about 1e-16 * |loss| / H < 1e-9.
# The softmax loss has third derivatives below ~|x|**3 < 1e2 here, so the truncation error
# H**2 / 6 * 1e2 stays below 2e-9. The tolerance leaves a factor 50; every catalog mistake of a
# gradient is off by a factor of 2, N >= 5 or 1 / reg >= 1.6.
H = 1e-5
GRAD_RTOL, GRAD_ATOL = 1e-6, 1e-7
# Scores shifted by up to 1000 carry a round-off of about 1000 * 1e-16 * D < 1e-12 into the loss
# and dW of a stable softmax; an unstable one overflows to inf or NaN.
SHIFT = 1000.0
SHIFT_RTOL, SHIFT_ATOL = 1e-8, 1e-9
UNKNOWN_NAMES = ("l3", "ridge")


def graded(points):
    """Parametrize over the penalties, each test worth points[function]."""
    return [pytest.param(fn, marks=pytest.mark.graded(fn, points=p), id=fn) for fn, p in points.items()]


# --- inputs ------------------------------------------------------------------------------------

def weights(rng, shape):
    """Magnitudes in [0.2, 0.9], half of them (rounded down) negative, in random places."""
    signs = rng.permutation(np.resize([1.0, -1.0], int(np.prod(shape)))).reshape(shape)
    return signs * rng.uniform(0.2, 0.9, size=shape)


def matrix_shape(rng):
    return int(rng.integers(2, 6)), int(rng.integers(2, 6))


def strengths(rng):
    return float(rng.uniform(0.1, 0.6)), float(rng.uniform(1.5, 3.0))


def classification(rng, N=None):
    """(W, X, y): N samples (drawn in [5, 8] when None) of D in [3, 5] features, C in [3, 5] classes."""
    N, D, C = N or int(rng.integers(5, 9)), int(rng.integers(3, 6)), int(rng.integers(3, 6))
    return weights(rng, (D, C)), rng.normal(size=(N, D)), rng.integers(0, C, size=N)


def batches(rng, make=classification):
    """The batches a data test must cover, each as a 1-tuple of make(rng, N): N in [5, 8], and N = 1."""
    return [(make(rng),), (make(rng, N=1),)]


def drawn_batches(make=classification):
    """Hypothesis' batches of 1 to 8 samples: make(...) from a drawn seed."""
    return st.builds(lambda seed, N: make(np.random.default_rng(seed), N=N), edges.seeds(), st.integers(1, 8))


def shown(W, reg=None, beta=None, function=None):
    """The arguments of a call as the student reads them in feedback."""
    text = f"with W of shape {W.shape}"
    if reg is not None:
        text += f", reg={reg:.4g}"
    if beta is not None and function in (None, "elastic_net_penalty"):
        text += f", beta={beta:.4g}"
    return text


# --- calling an implementation -----------------------------------------------------------------

def result(value, what, shape):
    """{"loss", "dW"} from a returned (loss, dW), or AssertionError saying what is wrong."""
    loss, dW = pair(value, what, ("loss", "dW"))
    return {"loss": as_array(loss, f"the loss returned by {what}", ()),
            "dW": as_array(dW, f"the dW returned by {what}", shape)}


def penalty(impl, function, W, reg, beta):
    """{"loss", "dW"} of impl's penalty, called on a copy of W."""
    args = (reg, beta) if function == "elastic_net_penalty" else (reg,)
    return result(getattr(impl, function)(W.copy(), *args), function, W.shape)


def softmax(impl, W, X, y, reg, **options):
    """{"loss", "dW"} of impl's regularized_softmax_loss, called on copies."""
    value = impl.regularized_softmax_loss(W.copy(), X.copy(), y.copy(), reg, **options)
    return result(value, "regularized_softmax_loss", W.shape)


def numerical_gradient(loss_of, W):
    """Centred differences of the scalar loss_of(W) at W."""
    return eval_numerical_gradient(lambda W_: float(loss_of(W_)), W.copy(), h=H)


def own(call):
    """The result of a call to another of the student's functions, or None when it cannot answer."""
    try:
        return call()
    except (StudentError, Unavailable, AssertionError):
        return None


def composed(student, function, W, reg, beta):
    """The elastic net as the student's own l2_penalty(W, beta * reg) + l1_penalty(W, reg), or None.

    A student who builds elastic_net_penalty from the two (a correct way to write it) gets their
    mistakes there, not again here. None for the other penalties, or when the two cannot answer.
    """
    if function != "elastic_net_penalty":
        return None
    squares = own(lambda: penalty(student, "l2_penalty", W, beta * reg, None))
    absolutes = own(lambda: penalty(student, "l1_penalty", W, reg, None))
    if squares is None or absolutes is None:
        return None
    return {key: squares[key] + absolutes[key] for key in ("loss", "dW")}


def check_part(function, part, run, student, reference, mistakes, situation, accepted=()):
    """Assert that run(student)[part] equals run(reference)[part] or one of `accepted`.

    The known mistake is looked up on the whole of run's result, so it is named only when the
    student's answer matches it in every part.
    """
    got = run(fresh(student))
    want = run(fresh(reference))[part]
    if any(same(got[part], w, RTOL, ATOL) for w in (want, *accepted)):
        return
    hint = explain(function, got, run, mistakes, RTOL, ATOL)
    raise Mismatch(f"{situation}: {part} is off: {first_difference(got[part], want, RTOL, ATOL)}", hint)


# --- the penalties -----------------------------------------------------------------------------

@pytest.mark.parametrize("function", graded(dict.fromkeys(PENALTIES, 1.0)))
def test_penalty_loss(function, student, reference, mistakes, rng):
    """the loss follows the penalty's formula, on a random W and reg"""
    W, (reg, beta) = weights(rng, matrix_shape(rng)), strengths(rng)
    theirs = composed(fresh(student), function, W, reg, beta)
    check_part(function, "loss", lambda impl: penalty(impl, function, W, reg, beta), student, reference,
               mistakes, shown(W, reg, beta, function), accepted=[theirs["loss"]] if theirs else [])


@pytest.mark.parametrize("function", graded(dict.fromkeys(PENALTIES, 0.5)))
def test_penalty_gradient(function, student, reference, mistakes, rng):
    """dW is the gradient of the loss, on a random W away from 0"""
    W, (reg, beta) = weights(rng, matrix_shape(rng)), strengths(rng)

    def run(impl):
        return penalty(impl, function, W, reg, beta)

    got, want = run(fresh(student)), run(fresh(reference))
    theirs = composed(fresh(student), function, W, reg, beta)
    if any(same(got["dW"], w, RTOL, ATOL) for w in (want["dW"], *([theirs["dW"]] if theirs else []))):
        return
    loaded = fresh(student)
    numerical = numerical_gradient(lambda W_: penalty(loaded, function, W_, reg, beta)["loss"], W)
    if same(got["dW"], numerical, GRAD_RTOL, GRAD_ATOL):
        return  # the exact gradient of the student's own (wrong) loss: that loss costs its own test
    hint = explain(function, got, run, mistakes, RTOL, ATOL)
    raise Mismatch(f"{shown(W, reg, beta, function)}: dW is neither the formula's gradient nor the gradient of "
                   f"your own loss (checked by centred differences); against the formula's: "
                   f"{first_difference(got['dW'], want['dW'], RTOL, ATOL)}", hint)


def zero_weights_cases(rng):
    """The edges of test_zero_weights, as (W, reg, beta): every other entry 0 (in flat order), all of
    W 0 (some of it -0.0), and a single weight, 0."""
    shape = matrix_shape(rng)
    W = weights(rng, shape)
    W[np.arange(W.size).reshape(shape) % 2 == 0] = 0.0
    signed_zeros = np.where(rng.permutation(np.resize([True, False], W.size)).reshape(shape), -0.0, 0.0)
    return [(W, *strengths(rng)), (signed_zeros, *strengths(rng)), (np.zeros((1, 1)), *strengths(rng))]


@pytest.mark.parametrize("function", graded(dict.fromkeys(PENALTIES, 0.25)))
def test_zero_weights(function, student, reference, mistakes, rng):
    """dW is right where W is exactly 0 (0 from |W|, as np.sign gives, and from W**2), all of W 0 included"""

    def right_at_zero(W, reg, beta):
        zero = W == 0

        def run(impl):
            out = penalty(impl, function, W, reg, beta)
            return {**out, "dW where W == 0": out["dW"][zero]}

        theirs = composed(fresh(student), function, W, reg, beta)
        check_part(function, "dW where W == 0", run, student, reference, mistakes,
                   f"{shown(W, reg, beta, function)}, {int(zero.sum())} of its {W.size} entries exactly 0",
                   accepted=[theirs["dW"][zero]] if theirs else [])

    weights_with_zeros = edges.arrays(edges.shapes(min_dims=2, max_dims=2), edges.magnitudes(0.2, 0.9, zeros=True))
    edges.holds(right_at_zero, weights_with_zeros, st.floats(0.1, 0.6), st.floats(1.5, 3.0),
                examples=zero_weights_cases(rng), rng=rng)


def composition_changes_w_so(student, function, W, reg, beta, changed):
    """Whether the student's own l2_penalty(W, beta * reg) and l1_penalty(W, reg), called in turn on
    one array (in either order), leave it as `changed`: an elastic net built from those two changes
    W because one of them does, and that mistake is counted there."""
    if function != "elastic_net_penalty":
        return False
    for order in (("l2_penalty", "l1_penalty"), ("l1_penalty", "l2_penalty")):
        passed = W.copy()
        calls = [own(lambda part=part, passed=passed: getattr(student, part)(
                     passed, beta * reg if part == "l2_penalty" else reg)) for part in order]
        if all(c is not None for c in calls) and np.array_equal(passed, changed):
            return True
    return False


@pytest.mark.parametrize("function", graded(dict.fromkeys(PENALTIES, 0.25)))
def test_w_unchanged(function, student, rng):
    """leaves its argument W unchanged"""
    W, (reg, beta) = weights(rng, matrix_shape(rng)), strengths(rng)
    passed = W.copy()
    args = (reg, beta) if function == "elastic_net_penalty" else (reg,)
    getattr(fresh(student), function)(passed, *args)
    if not np.array_equal(passed, W) and not composition_changes_w_so(fresh(student), function, W, reg, beta, passed):
        raise Mismatch(f"{shown(W, reg, beta, function)}: after the call W holds other values "
                       f"({first_difference(passed, W, 0.0, 0.0)})", CATALOG.W_CHANGED)


# --- regularized_softmax_loss ------------------------------------------------------------------

RSL = "regularized_softmax_loss"


def shown_problem(W, X, reg, name=None, beta=None):
    text = f"with X of shape {X.shape}, W of shape {W.shape}, reg={reg:.4g}"
    if name is not None:
        text += f", penalty={name!r}"
    if name == "elastic_net":
        text += f", beta={beta:.4g}"
    return text


@pytest.mark.graded(RSL, points=1.0)
def test_data_loss(student, reference, mistakes, rng):
    """with reg=0, the loss is the mean softmax cross-entropy of X @ W, a batch of one sample included"""

    def right_loss(problem):
        W, X, y = problem
        check_part(RSL, "loss", lambda impl: softmax(impl, W, X, y, 0.0), student, reference, mistakes,
                   shown_problem(W, X, 0.0))

    edges.holds(right_loss, drawn_batches(), examples=batches(rng), rng=rng)


@pytest.mark.graded(RSL, points=1.0)
def test_data_gradient(student, reference, mistakes, rng):
    """with reg=0, dW is the gradient of the loss, a batch of one sample included"""

    def right_gradient(problem):
        W, X, y = problem

        def run(impl):
            return softmax(impl, W, X, y, 0.0)

        got, want = run(fresh(student)), run(fresh(reference))
        if same(got["dW"], want["dW"], RTOL, ATOL):
            return
        loaded = fresh(student)
        numerical = numerical_gradient(lambda W_: softmax(loaded, W_, X, y, 0.0)["loss"], W)
        if same(got["dW"], numerical, GRAD_RTOL, GRAD_ATOL):
            return  # the exact gradient of the student's own data loss: a wrong loss costs its own test
        hint = explain(RSL, got, run, mistakes, RTOL, ATOL)
        raise Mismatch(f"{shown_problem(W, X, 0.0)}: dW is neither X.T @ dscores of the mean softmax loss nor the "
                       f"gradient of your own loss (checked by centred differences); against the former: "
                       f"{first_difference(got['dW'], want['dW'], RTOL, ATOL)}", hint)

    edges.holds(right_gradient, drawn_batches(), examples=batches(rng), rng=rng)


def own_penalties(student, name, W, reg, beta):
    """What the student's own penalty functions give for `name`: each a correct way to be wrong once."""
    if name == "elastic_net":
        calls = [lambda: penalty(student, "elastic_net_penalty", W, reg, beta),
                 lambda: {k: a + b for (k, a), b in zip(penalty(student, "l2_penalty", W, beta * reg, None).items(),
                                                        penalty(student, "l1_penalty", W, reg, None).values())}]
    else:
        calls = [lambda: penalty(student, BY_NAME[name], W, reg, beta)]
    return [out for out in map(own, calls) if out is not None]


def check_penalty_added(name, student, reference, mistakes, rng):
    W, X, y = classification(rng)
    reg, beta = strengths(rng)

    def run(impl):
        with_penalty = softmax(impl, W, X, y, reg, penalty=name, beta=beta)
        without = softmax(impl, W, X, y, 0.0, penalty=name, beta=beta)
        return {"the loss it adds": with_penalty["loss"] - without["loss"],
                "the dW it adds": with_penalty["dW"] - without["dW"]}

    got, want = run(fresh(student)), run(fresh(reference))
    if same(got, want, RTOL, ATOL):
        return
    theirs = own_penalties(fresh(student), name, W, reg, beta)
    if any(same(got, {"the loss it adds": p["loss"], "the dW it adds": p["dW"]}, RTOL, ATOL) for p in theirs):
        return  # the student's own penalty function, added right: a wrong penalty costs its own tests
    hint = explain(RSL, got, run, mistakes, RTOL, ATOL)
    raise Mismatch(f"{shown_problem(W, X, reg, name, beta)}, compared with reg=0: "
                   f"{first_difference(got, want, RTOL, ATOL)}", hint)


@pytest.mark.graded(RSL, points=0.5)
def test_l1_added(student, reference, mistakes, rng):
    """with penalty='l1', adds reg * sum|W| to the loss and reg * sign(W) to dW"""
    check_penalty_added("l1", student, reference, mistakes, rng)


@pytest.mark.graded(RSL, points=0.5)
def test_l2_added(student, reference, mistakes, rng):
    """with penalty='l2', adds reg * sum(W**2) to the loss and 2 * reg * W to dW"""
    check_penalty_added("l2", student, reference, mistakes, rng)


@pytest.mark.graded(RSL, points=0.5)
def test_elastic_net_added(student, reference, mistakes, rng):
    """with penalty='elastic_net', adds the elastic net with the given beta"""
    check_penalty_added("elastic_net", student, reference, mistakes, rng)


def shifted_classification(rng, N=None):
    """(W, X, y, shifted): a classification problem, and W shifted so that each row of the scores moves
    by a constant, the largest of size exactly SHIFT."""
    W, X, y = classification(rng, N)
    u = rng.normal(size=W.shape[0])
    u *= SHIFT / np.abs(X @ u).max()  # X @ u: one shift per row, the largest of size exactly SHIFT
    return W, X, y, W + u[:, None]  # the same u in every column: row i of the scores moves by (X @ u)[i]


@pytest.mark.graded(RSL, points=0.25)
def test_large_scores(student, mistakes, rng):
    """stays exact when the scores of a row are shifted by up to 1000 (a stable softmax), a batch of one included"""

    def stable(problem):
        W, X, y, shifted = problem

        def run(impl):
            return softmax(impl, shifted, X, y, 0.0)

        loaded = fresh(student)
        got, plain = run(loaded), softmax(loaded, W, X, y, 0.0)
        situation = (f"with X of shape {X.shape} and W of shape {W.shape} shifted so that each row of the scores "
                     f"moves by a constant (up to {SHIFT:g}), which changes neither the softmax nor its loss, reg=0")
        if all(np.all(np.isfinite(v)) for v in got.values()) and same(got, plain, SHIFT_RTOL, SHIFT_ATOL):
            return
        hint = explain(RSL, got, run, mistakes, RTOL, ATOL)
        difference = first_difference(got, plain, SHIFT_RTOL, SHIFT_ATOL)
        raise Mismatch(f"{situation}: compared with the unshifted scores, {difference}", hint)

    edges.holds(stable, drawn_batches(shifted_classification), examples=batches(rng, shifted_classification), rng=rng)


def attempt(impl, W, X, y, name):
    """(result, None) when impl returns for penalty=name, (None, (exception type, message)) when it raises."""
    try:
        return softmax(impl, W, X, y, 0.1, penalty=name), None
    except StudentError as err:  # raised in the sandbox
        return None, (err.exc_type, err.message)
    except ValueError as err:  # an implementation run here (the reference, the catalog)
        return None, ("ValueError", str(err))


@pytest.mark.graded(RSL, points=0.25)
def test_unknown_penalty(student, mistakes, rng):
    """an unknown penalty name raises ValueError naming 'l1', 'l2' and 'elastic_net'"""
    W, X, y = classification(rng)
    allowed = ("l1", "l2", "elastic_net")
    for name in UNKNOWN_NAMES:
        got, error = attempt(fresh(student), W, X, y, name)
        if error is None:
            hint = explain(RSL, got, lambda impl, name=name: softmax(impl, W, X, y, 0.1, penalty=name), mistakes,
                           RTOL, ATOL)
            raise Mismatch(f"with penalty={name!r}: returned a loss instead of raising ValueError (the allowed "
                           f"names are 'l1', 'l2' and 'elastic_net')", hint)
        exc_type, message = error
        if exc_type != "ValueError":
            raise AssertionError(f"with penalty={name!r}: raised {exc_type} ({message}); raise ValueError, "
                                 "naming the allowed penalties 'l1', 'l2' and 'elastic_net'")
        missing = [n for n in allowed if n not in message]
        if missing:
            raise AssertionError(f"with penalty={name!r}: the ValueError says {message!r}; name the allowed "
                                 f"penalties in it ({', '.join(repr(n) for n in missing)} missing)")
