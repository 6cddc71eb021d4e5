"""Hidden tests of 04_learning_rate_schedules: each schedule, one property per test.

A schedule is a pure function of the step. Per schedule (2 points): the formula, against the
reference at single int steps inside the schedule's range with every hyperparameter given
(1 point); an int array of steps, which must give an array of that shape holding the student's
OWN single-step rates (0.5: a schedule written with math.*, int(), min, max or an if on the step
fails this test only, and is named by the error it raises); and two properties of the student's own
function (0.25 each): the default hyperparameter (the same rates as when it is given), a rate
held or flat where the contract says so, the factor per step, the peak of the warm-up.

Hyperparameters are drawn from the run's seed (`rng`) away from their defaults, from ranges in
which every draw exercises the same properties (step_size and warmup_steps >= 2, so that a step
before the first drop or the end of the warm-up exists; min_lr and end_lr between 5% and 30% of
base_lr; gamma of exponential decay in [0.8, 0.99], away from 0.5 and from 1). The steps tested
are the schedule's landmarks (0, the steps just before and after each change of regime,
total_steps) plus random ones within each regime, so what a test covers never depends on the draw.
Steps beyond total_steps are tested for cosine_decay and linear_decay (flat after, the contract)
and not for warmup_cosine, where the contract does not say.

The arrays of steps are the test's explicit examples (`autograder.edges`), run first: int64 arrays
of shapes (6,) and (2, 3) holding steps from every regime (0 and beyond total_steps included), a
batch of one (1,), an int32 array, a 0-d array and a NumPy int scalar (as iterating over an array
gives). Hypothesis adds int32 or int64 arrays of 0 to 2 dimensions with steps within the same
range, seeded from the submission's seed.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder import edges
from autograder.catalog import module
from autograder.sandbox.messages import StudentError
from autograder.testing import Mismatch, as_array, close, explain, fresh, judge

SCHEDULES = ["step_decay", "exponential_decay", "cosine_decay", "linear_decay", "inverse_sqrt_decay",
             "warmup_cosine"]
# Positional parameters after `step`, as the contract names them (each test passes them in this order).
PARAMETERS = {
    "step_decay": ("base_lr", "step_size", "gamma"),
    "exponential_decay": ("base_lr", "gamma"),
    "cosine_decay": ("base_lr", "total_steps", "min_lr"),
    "linear_decay": ("base_lr", "total_steps", "end_lr"),
    "inverse_sqrt_decay": ("base_lr", "warmup_steps"),
    "warmup_cosine": ("base_lr", "warmup_steps", "total_steps", "min_lr"),
}
# Formulations written otherwise (np.exp of a log, cos**2 of the half angle, np.interp) agree to
# ~1e-14 relative; every catalog mistake is off by more than 1e-3 of base_lr at some tested step.
RTOL, ATOL = 1e-10, 1e-12
CATALOG = module("04_learning_rate_schedules", "mistakes")


def graded(points, functions=SCHEDULES):
    return [pytest.param(fn, marks=pytest.mark.graded(fn, points=points), id=fn) for fn in functions]


def hyperparameters(fn, rng):
    """The positional arguments after `step`, every one given and none at its default."""
    base_lr = float(rng.uniform(0.05, 1.0))
    if fn == "step_decay":
        return base_lr, int(rng.integers(2, 10)), float(rng.uniform(0.2, 0.8))
    if fn == "exponential_decay":
        return base_lr, float(rng.uniform(0.8, 0.99))
    if fn in ("cosine_decay", "linear_decay"):
        return base_lr, int(rng.integers(10, 201)), base_lr * float(rng.uniform(0.05, 0.3))
    if fn == "inverse_sqrt_decay":
        return base_lr, int(rng.integers(2, 41))
    warmup = int(rng.integers(2, 21))
    return base_lr, warmup, warmup + int(rng.integers(10, 151)), base_lr * float(rng.uniform(0.05, 0.3))


def shown(fn, args):
    """The arguments as the student reads them: 'base_lr=0.4213, step_size=5, gamma=0.3'."""
    return ", ".join(f"{name}={value}" if isinstance(value, int) else f"{name}={value:.4g}"
                     for name, value in zip(PARAMETERS[fn], args))


def between(rng, low, high, size=1):
    """`size` random ints in [low, high] (inclusive), as Python ints."""
    return [int(v) for v in rng.integers(low, high + 1, size=size)]


def landmark_steps(fn, args, rng):
    """Single steps inside the schedule's range: its landmarks, plus random ones in each regime."""
    if fn == "step_decay":
        size = args[1]
        return [0, 1, size - 1, size, size + 1, 2 * size - 1, 2 * size, *between(rng, 3 * size, 4 * size - 1)]
    if fn == "exponential_decay":
        return [0, 1, 2, 5, *between(rng, 10, 40), *between(rng, 50, 120)]
    if fn in ("cosine_decay", "linear_decay"):
        total = args[1]
        return [0, 1, total // 4, total // 2, 3 * total // 4, *between(rng, 2, total - 2), total - 1, total]
    if fn == "inverse_sqrt_decay":  # from step 1: step 0 is the property test's (a division by zero there
        warmup = args[1]            # is a mistake of the formula, named here first)
        return [1, warmup // 2, warmup - 1, warmup, warmup + 1, 2 * warmup, *between(rng, 3 * warmup, 8 * warmup),
                25 * warmup]
    warmup, total = args[1], args[2]
    return [0, 1, warmup // 2, warmup - 1, warmup, warmup + 1, *between(rng, warmup + 2, total - 2),
            (warmup + total) // 2, total - 1, total]


def step_regimes(fn, args):
    """(landmark steps from every regime of the schedule, the largest step an array holds)."""
    if fn == "step_decay":
        return [0, args[1] - 1, args[1], 3 * args[1] + 1], 4 * args[1]
    if fn == "exponential_decay":
        return [0, 1, 7, 30], 60
    if fn in ("cosine_decay", "linear_decay"):
        return [0, args[1] // 3, args[1], 2 * args[1] + 3], 2 * args[1] + 3
    if fn == "inverse_sqrt_decay":
        return [1, args[1] - 1, args[1], 4 * args[1]], 10 * args[1]
    return [0, args[1] - 1, args[1], args[2]], args[2]


def array_steps(fn, args, rng, shape):
    """An int64 array of `shape` (6 entries) with steps from every regime of the schedule."""
    fixed, high = step_regimes(fn, args)
    steps = np.array(fixed + between(rng, 1, high, size=2), dtype=np.int64)
    return rng.permutation(steps).reshape(shape)


def step_arrays(fn, args, rng):
    """The steps test_array_of_steps must cover, each as a 1-tuple: int64 arrays of shapes (6,) and (2, 3)
    with steps from every regime; a batch of one, (1,); an int32 array; a 0-d array; a NumPy int scalar."""
    last = step_regimes(fn, args)[0][-1]
    return [(array_steps(fn, args, rng, (6,)),), (array_steps(fn, args, rng, (2, 3)),),
            (np.array([last], dtype=np.int64),), (array_steps(fn, args, rng, (6,)).astype(np.int32),),
            (np.array(last, dtype=np.int64),), (np.int64(last),)]


def drawn_step_arrays(fn, args):
    """Hypothesis' int32 or int64 arrays of 0 to 2 dimensions (sides 1 to 3), steps within the schedule's range."""
    high = step_regimes(fn, args)[1]
    low = 1 if fn == "inverse_sqrt_decay" else 0
    return st.sampled_from([np.int32, np.int64]).flatmap(
        lambda dtype: edges.arrays(edges.shapes(min_dims=0, max_dims=2, max_side=3), st.integers(low, high),
                                   dtype=dtype))


def rates(impl, fn, steps, args):
    """{"step s": rate} of impl at single int steps."""
    schedule = getattr(impl, fn)
    return {f"step {s}": schedule(s, *args) for s in steps}


def values(rates_by_step):
    return np.array([float(np.asarray(v, dtype=np.float64)) for v in rates_by_step.values()])


def check_own(fn, student, mistakes, run, holds, complaint):
    """Assert `holds(run(student))`; otherwise Mismatch with `complaint(result)` and the matching mistake."""
    got = run(fresh(student))
    if holds(got):
        return
    raise Mismatch(complaint(got), explain(fn, got, run, mistakes, RTOL, ATOL))


def numbers(result, what):
    """The rates of a {label: rate} result as floats, or AssertionError saying which is not a number."""
    for label, value in result.items():
        as_array(value, f"the rate at {label} ({what})", ())
    return values(result)


# --- every schedule ----------------------------------------------------------------------------


@pytest.mark.parametrize("fn", graded(1.0))
def test_formula(fn, student, reference, mistakes, rng):
    """gives the contract's rate at single int steps, with every hyperparameter given"""
    args = hyperparameters(fn, rng)
    steps = landmark_steps(fn, args, rng)
    judge(fn, lambda impl: rates(impl, fn, steps, args), student, reference, mistakes,
          situation=f"with {shown(fn, args)}, at steps {steps}", rtol=RTOL, atol=ATOL)


def array_hint(error):
    """The catalog's hint for an error raised on an array of steps, or None when it is not one of those."""
    if error.exc_type == "TypeError" and "converted to Python scalars" in error.message:
        return CATALOG.MATH_ON_ARRAY
    if error.exc_type == "ValueError" and "truth value of an array" in error.message:
        return CATALOG.IF_ON_ARRAY
    return None


@pytest.mark.parametrize("fn", graded(0.5))
def test_array_of_steps(fn, student, rng):
    """takes a NumPy array of int steps (any shape, int32 or int64) and returns its rates, of the same shape"""
    args = hyperparameters(fn, rng)
    schedule = getattr(fresh(student), fn)
    single = {}  # step -> the student's rate at that single int step (a schedule is a pure function of it)

    def one_at_a_time(steps):
        for s in steps.ravel().tolist():
            if s not in single:
                single[s] = float(np.asarray(schedule(int(s), *args), dtype=np.float64))
        return np.array([single[s] for s in steps.ravel().tolist()]).reshape(steps.shape)

    def same_rates(steps):
        kind = (f"a NumPy {type(steps).__name__} scalar, {steps}" if np.ndim(steps) == 0 and
                not isinstance(steps, np.ndarray) else
                f"an {steps.dtype} array of shape {steps.shape}, {steps.tolist()}")
        situation = f"with step {kind}, and {shown(fn, args)}"
        try:
            got = schedule(steps.copy(), *args)
        except StudentError as err:
            hint = array_hint(err)
            if hint is None:
                raise
            raise Mismatch(f"{situation}: your code raised {err.exc_type}: {err.message}", hint) from None
        got = as_array(got, f"the result {situation}", np.shape(steps))
        expected = one_at_a_time(np.asarray(steps))
        if not close(got, expected, RTOL, ATOL):
            raise Mismatch(f"{situation}: the rates differ from the rates your function gives for the same steps "
                           f"one at a time, {expected.tolist()}; got {got.tolist()}")

    edges.holds(same_rates, drawn_step_arrays(fn, args), examples=step_arrays(fn, args, rng), rng=rng)


@pytest.mark.parametrize("fn", graded(0.25, ["step_decay", "cosine_decay", "linear_decay", "warmup_cosine"]))
def test_default(fn, student, mistakes, rng):
    """called without its last argument, uses the contract's default (gamma 0.1, min_lr 0.0, end_lr 0.0)"""
    args = hyperparameters(fn, rng)
    default = 0.1 if fn == "step_decay" else 0.0
    name = PARAMETERS[fn][-1]
    steps = landmark_steps(fn, args, rng)

    def run(impl):
        return {"omitted": rates(impl, fn, steps, args[:-1]), "given": rates(impl, fn, steps, (*args[:-1], default))}

    check_own(fn, student, mistakes, run,
              lambda got: close(numbers(got["omitted"], f"{name} omitted"), numbers(got["given"], f"{name}={default}"),
                                RTOL, ATOL),
              lambda got: f"with {shown(fn, args[:-1])} and {name} omitted, at steps {steps}: the rates "
                          f"{values(got['omitted']).tolist()} differ from those with {name}={default}, "
                          f"{values(got['given']).tolist()}")


# --- properties of one schedule ----------------------------------------------------------------


@pytest.mark.graded("step_decay", points=0.25)
def test_step_decay_first_level(student, mistakes, rng):
    """holds base_lr for the first step_size steps, 0 to step_size - 1"""
    args = hyperparameters("step_decay", rng)
    steps = list(range(args[1]))
    check_own("step_decay", student, mistakes, lambda impl: rates(impl, "step_decay", steps, args),
              lambda got: close(numbers(got, "step_decay"), np.full(len(steps), args[0]), RTOL, ATOL),
              lambda got: f"with {shown('step_decay', args)}: the rates at steps {steps} are "
                          f"{values(got).tolist()}, not all base_lr (the first drop is at step step_size)")


@pytest.mark.graded("exponential_decay", points=0.25)
def test_exponential_decay_starts_at_base_lr(student, mistakes, rng):
    """is base_lr at step 0"""
    args = hyperparameters("exponential_decay", rng)
    check_own("exponential_decay", student, mistakes, lambda impl: rates(impl, "exponential_decay", [0], args),
              lambda got: close(numbers(got, "exponential_decay"), [args[0]], RTOL, ATOL),
              lambda got: f"with {shown('exponential_decay', args)}: the rate at step 0 is {values(got)[0]!r}, "
                          "not base_lr")


@pytest.mark.graded("exponential_decay", points=0.25)
def test_exponential_decay_factor_per_step(student, mistakes, rng):
    """multiplies the rate by gamma from each step to the next"""
    args = hyperparameters("exponential_decay", rng)
    starts = [0, 1, 4, *between(rng, 5, 20)]
    steps = sorted({s for t in starts for s in (t, t + 1)})

    def holds(got):
        lr = dict(zip(steps, numbers(got, "exponential_decay")))
        return close([lr[t + 1] for t in starts], [args[1] * lr[t] for t in starts], RTOL, ATOL)

    check_own("exponential_decay", student, mistakes, lambda impl: rates(impl, "exponential_decay", steps, args),
              holds, lambda got: f"with {shown('exponential_decay', args)}: from step t to t + 1 (t in {starts}) "
                                 f"the rate is not multiplied by gamma; the rates at steps {steps} are "
                                 f"{values(got).tolist()}")


def after_total(args, rng):
    total = args[1]
    return [total, total + 1, *between(rng, total + 2, 2 * total), 2 * total, 3 * total + 7]


@pytest.mark.parametrize("fn", graded(0.25, ["cosine_decay", "linear_decay"]))
def test_flat_after_total_steps(fn, student, mistakes, rng):
    """stays at its value of step total_steps for every later step"""
    args = hyperparameters(fn, rng)
    steps = after_total(args, rng)

    def holds(got):
        lr = numbers(got, fn)
        return close(lr, np.full(len(lr), lr[0]), RTOL, ATOL)

    check_own(fn, student, mistakes, lambda impl: rates(impl, fn, steps, args), holds,
              lambda got: f"with {shown(fn, args)}: the rates at steps {steps} are {values(got).tolist()}; after "
                          "total_steps they must stay at the rate of step total_steps (clamp the step)")


@pytest.mark.graded("inverse_sqrt_decay", points=0.25)
def test_inverse_sqrt_decay_constant_before_warmup(student, mistakes, rng):
    """is base_lr at every step from 0 to warmup_steps"""
    args = hyperparameters("inverse_sqrt_decay", rng)
    steps = [0, 1, args[1] // 2, args[1] - 1, args[1]]
    check_own("inverse_sqrt_decay", student, mistakes, lambda impl: rates(impl, "inverse_sqrt_decay", steps, args),
              lambda got: close(numbers(got, "inverse_sqrt_decay"), np.full(len(steps), args[0]), RTOL, ATOL),
              lambda got: f"with {shown('inverse_sqrt_decay', args)}: the rates at steps {steps} are "
                          f"{values(got).tolist()}, not all base_lr")


@pytest.mark.graded("inverse_sqrt_decay", points=0.25)
def test_inverse_sqrt_decay_falls_as_inverse_sqrt(student, mistakes, rng):
    """after warmup_steps, falls as 1 / sqrt(step): four times the step, half the rate"""
    args = hyperparameters("inverse_sqrt_decay", rng)
    starts = [args[1], *between(rng, args[1] + 1, 3 * args[1]), 5 * args[1]]
    steps = sorted({s for t in starts for s in (t, 4 * t)})

    def holds(got):
        lr = dict(zip(steps, numbers(got, "inverse_sqrt_decay")))
        return close([lr[4 * t] for t in starts], [lr[t] / 2 for t in starts], RTOL, ATOL)

    check_own("inverse_sqrt_decay", student, mistakes, lambda impl: rates(impl, "inverse_sqrt_decay", steps, args),
              holds, lambda got: f"with {shown('inverse_sqrt_decay', args)}: from step t to 4t (t in {starts}) the "
                                 f"rate does not halve; the rates at steps {steps} are {values(got).tolist()}")


@pytest.mark.graded("warmup_cosine", points=0.25)
def test_warmup_cosine_peak(student, mistakes, rng):
    """rises until step warmup_steps and is base_lr exactly there, where the cosine starts"""
    args = hyperparameters("warmup_cosine", rng)
    base_lr, warmup = args[0], args[1]
    steps = [warmup - 1, warmup]

    def holds(got):
        before, peak = numbers(got, "warmup_cosine")
        # one warm-up step below base_lr is base_lr / warmup_steps; half of that is a safe margin
        return close(peak, base_lr, RTOL, ATOL) and before <= base_lr * (1 - 0.5 / warmup)

    check_own("warmup_cosine", student, mistakes, lambda impl: rates(impl, "warmup_cosine", steps, args), holds,
              lambda got: f"with {shown('warmup_cosine', args)}: the rates at steps {steps} are "
                          f"{values(got).tolist()}; the warm-up must still be below base_lr at step "
                          "warmup_steps - 1 and the rate must be base_lr at step warmup_steps")
