"""Helpers every assignment's hidden tests share: run an answer fresh, compare, explain a mismatch.

A hidden test receives three kinds of implementation of the same graded functions, all with
one interface (`impl.adam(w, dw, config)`): `student` (the submission, called in its sandbox),
`reference` (the solution cells of `solutions/`) and, through `mistakes`, the catalog's known
wrong answers. A test writes what it does once, as `run(impl) -> result`, and `judge` runs it
on each: the student's result is compared with the reference's, and when it differs, the
known mistake that gives exactly the student's result is named.

    def test_defaults(student, reference, mistakes, rng):
        w, dw = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
        judge("sgd", lambda impl: impl.sgd(w.copy(), dw.copy())[0], student, reference, mistakes,
              situation="with config=None")

`run` gets a freshly loaded implementation each time (`fresh`), so module globals left by an
earlier run never leak into the next one: a test judges one property, not the order of calls.
"""

import numpy as np

from cs231n_utils.checks import describe_difference

RTOL, ATOL = 1e-10, 1e-12  # float64 answers written otherwise agree to ~1e-15; float32 is 1e-7 off


class Mismatch(AssertionError):
    """A wrong result: `str()` says where and how much, `hint` names the known mistake (or None)."""

    def __init__(self, message, hint=None):
        super().__init__(message)
        self.hint = hint


def fresh(impl):
    """`impl` with its cells loaded anew (module globals reset), ready for an independent run."""
    impl._reload()
    return impl


class Functions:
    """Plain functions with an implementation's interface, e.g. another accepted formulation.

    They keep no state of their own between runs, so there is nothing to reload.
    """

    def __init__(self, **functions):
        self.__dict__.update(functions)

    def _reload(self):
        pass


def leaves(result, label=""):
    """[(label, value)] of the numbers and arrays in a nested result (dicts, lists, tuples)."""
    if isinstance(result, dict):
        return [leaf for key, value in result.items() for leaf in leaves(value, f"{label}{key}" if not label
                                                                          else f"{label}, {key}")]
    if isinstance(result, (list, tuple)):
        return [leaf for i, value in enumerate(result) for leaf in leaves(value, f"{label}[{i}]")]
    return [(label, result)]


def close(got, want, rtol=RTOL, atol=ATOL):
    """Whether two leaves agree: same shape, values within tolerance (NaN equals NaN)."""
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    want = np.asarray(want, dtype=np.float64)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True))


def same(got, want, rtol=RTOL, atol=ATOL):
    """Whether two nested results agree leaf by leaf."""
    a, b = leaves(got), leaves(want)
    return len(a) == len(b) and all(close(x, y, rtol, atol) for (_, x), (_, y) in zip(a, b))


def first_difference(got, want, rtol=RTOL, atol=ATOL):
    """'label: how it differs' for the first leaf where `got` and `want` disagree."""
    a, b = leaves(got), leaves(want)
    if len(a) != len(b):
        return f"{len(a)} values where {len(b)} were expected"
    for (label, x), (_, y) in zip(a, b):
        if not close(x, y, rtol, atol):
            try:
                x = np.asarray(x, dtype=np.float64)
            except (TypeError, ValueError):
                return f"{label}: got {type(x).__name__}, expected numbers".lstrip(": ")
            return f"{label}: {describe_difference(x, y)}".lstrip(": ")
    return "no difference"


def explain(function, got, run, mistakes, rtol=RTOL, atol=ATOL):
    """The hint of the first known mistake of `function` whose `run` gives `got`, or None."""
    for mistake in mistakes.get(function, ()):
        try:
            with np.errstate(all="ignore"):
                theirs = run(fresh(mistake.impl))
        except Exception:  # a mistake that cannot run this test is not the one seen
            continue
        if same(got, theirs, rtol, atol):
            return mistake.hint
    return None


def judge(function, run, student, reference, mistakes, *, situation, accepted=(), rtol=RTOL, atol=ATOL):
    """Assert that `run(student)` equals `run(reference)` (or `run` of an accepted implementation).

    situation: what the test did, as the student reads it ("with config=None, 8 calls").
    accepted: other correct implementations (objects with the same functions) whose result also
        counts as right, where the contract allows more than one answer.
    Raises Mismatch naming where the result differs and, when one matches, the known mistake.
    """
    got = run(fresh(student))
    wants = [run(fresh(reference))] + [run(fresh(impl)) for impl in accepted]
    if any(same(got, want, rtol, atol) for want in wants):
        return
    hint = explain(function, got, run, mistakes, rtol, atol)
    raise Mismatch(f"{situation}: {first_difference(got, wants[0], rtol, atol)}", hint)


def as_array(value, what, shape=None):
    """`value` as a float64 array, or AssertionError saying what it should have been."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} must be an array of numbers; got {type(value).__name__}") from None
    if shape is not None and array.shape != tuple(shape):
        raise AssertionError(f"{what} has shape {array.shape}; expected {tuple(shape)}")
    return array


def pair(result, what, names=("out", "cache")):
    """A returned tuple of len(names), or AssertionError naming what was expected."""
    if not (isinstance(result, tuple) and len(result) == len(names)):
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise AssertionError(f"{what} must return a tuple ({', '.join(names)}); got {got}")
    return result
