"""Does a property on edge values run its explicit examples first, then draws that depend on the
submission's seed only (not on the modules loaded, not on time), write nothing to disk, and raise
its first failure unchanged?"""

import importlib

import numpy as np
import pytest
from hypothesis import configuration
from hypothesis import strategies as st

from autograder import edges
from autograder.testing import Mismatch


def calls(seed, strategy=None, examples=((-1.0,),), draws=edges.DRAWS):
    """The arguments a recording property is called with, in order."""
    seen = []
    edges.holds(lambda x: seen.append(x), st.floats(0, 1) if strategy is None else strategy, examples=list(examples),
                rng=np.random.default_rng(seed), draws=draws)
    return seen


def test_the_same_seed_draws_the_same_examples():
    assert calls(7) == calls(7)


def test_other_seeds_draw_other_examples():
    drawn = [tuple(calls(seed)[1:]) for seed in range(5)]
    assert len(set(drawn)) == 5


def test_the_explicit_examples_run_first_in_order_then_the_draws():
    examples = [(-3.0,), (-2.0,), (-1.0,)]
    for seed in range(3):
        seen = calls(seed, examples=examples)
        assert seen[:3] == [-3.0, -2.0, -1.0]
        assert 1 <= len(seen) - 3 <= edges.DRAWS and all(0 <= x <= 1 for x in seen[3:])


def test_no_draws_runs_the_examples_only():
    assert calls(1, examples=[(-2.0,), (-1.0,)], draws=0) == [-2.0, -1.0]


def test_a_property_needs_explicit_examples():
    with pytest.raises(ValueError, match="explicit examples"):
        edges.holds(lambda x: None, st.floats(), examples=[], rng=np.random.default_rng(0))


def test_the_first_failure_is_raised_unchanged_with_its_hint():
    """An explicit example that fails stops the run: its Mismatch (and hint) reaches the test as it is."""
    seen = []

    def fails_below_zero(x):
        seen.append(x)
        if x < 0:
            raise Mismatch(f"wrong at {x}", hint="a known mistake")

    with pytest.raises(Mismatch) as raised:
        edges.holds(fails_below_zero, st.floats(0, 1), examples=[(1.0,), (-2.0,), (-3.0,)],
                    rng=np.random.default_rng(0))
    assert (str(raised.value), raised.value.hint, seen) == ("wrong at -2.0", "a known mistake", [1.0, -2.0])


def test_a_failing_draw_is_the_same_at_every_run_and_is_not_shrunk():
    """A draw that fails is reported as drawn (no shrinking: each example costs sandbox calls), with its
    hint, the same failure for the same seed, after at most one replay of it."""
    def failure(seed):
        seen = []

        def fails_above_half(x):
            seen.append(x)
            if x > 0.5:
                raise Mismatch(f"too large: {x!r}", hint="a known mistake")

        with pytest.raises(Mismatch) as raised:
            edges.holds(fails_above_half, st.floats(0.25, 1.0), examples=[(0.0,)], rng=np.random.default_rng(seed),
                        draws=50)
        return str(raised.value), raised.value.hint, len(seen), seen.index(float(str(raised.value).split()[-1]))

    message, hint, count, first = failure(3)
    assert failure(3) == (message, hint, count, first) and hint == "a known mistake"
    assert count <= first + 2  # the failing draw, then at most its replay


def test_the_draws_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    """Hypothesis would mix literals of newly loaded local modules into its draws: here it does not."""
    def drawn():
        return calls(11, strategy=st.floats(100.0, 200.0), draws=200)

    before = drawn()
    module = tmp_path / "edges_constants_module.py"
    module.write_text("".join(f"C{i} = {100 + i + 0.4375!r}\n" for i in range(60)))
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("edges_constants_module")  # left loaded: hypothesis notices new modules by their count
    assert drawn() == before


def test_nothing_is_written_to_disk(tmp_path, monkeypatch):
    """No example database and no cache of the loaded modules' constants: grading leaves no `.hypothesis`
    folder behind."""
    home = tmp_path / "hypothesis-home"
    configuration.set_hypothesis_home_dir(home)
    module = tmp_path / "edges_disk_module.py"
    module.write_text("A = 123.4375\nB = 17\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("edges_disk_module")  # left loaded: hypothesis notices new modules by their count
    try:
        calls(2, strategy=st.floats(0, 200), draws=200)
        with pytest.raises(AssertionError):
            edges.holds(lambda x: _below(x, 0.5), st.floats(0, 1), examples=[(0.0,)], rng=np.random.default_rng(2))
    finally:
        configuration.set_hypothesis_home_dir(None)
    assert not home.exists()


def _below(x, limit):
    if x >= limit:
        raise AssertionError(f"{x} is not below {limit}")


def test_magnitudes_hold_both_signs_within_the_bounds_and_zeros_when_asked():
    values = calls(5, strategy=edges.magnitudes(1e-3, 1e3, zeros=True), examples=[(0.0,)], draws=100)
    assert all(v == 0 or 1e-3 <= abs(v) <= 1e3 for v in values)
    assert {np.sign(v) for v in values} == {-1.0, 0.0, 1.0}
    assert all(1e100 <= abs(v) <= 1e150 for v in calls(5, strategy=edges.magnitudes(1e100, 1e150),
                                                       examples=[(1e100,)], draws=50))


def test_arrays_have_the_dtype_and_shapes_include_sides_of_one():
    arrays = calls(6, strategy=edges.arrays(edges.shapes(max_side=3), st.integers(0, 9), dtype=np.int32),
                   examples=[(np.zeros(1, dtype=np.int32),)], draws=60)
    assert all(a.dtype == np.int32 and 1 <= a.ndim <= 2 and max(a.shape) <= 3 for a in arrays)
    assert any(1 in a.shape for a in arrays[1:]) and any(a.shape != (1,) for a in arrays[1:])
