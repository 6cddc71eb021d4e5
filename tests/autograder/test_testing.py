"""Do the hidden tests' shared helpers compare, describe and name mistakes as they promise?"""

import numpy as np
import pytest

from autograder.testing import Functions, Mismatch, first_difference, judge, leaves, same


class Counter:
    """An implementation whose module global counts calls, reset by _reload (as the sandbox does)."""

    def __init__(self, step):
        self.step, self.calls, self.reloads = step, 0, 0

    def _reload(self):
        self.calls, self.reloads = 0, self.reloads + 1

    def f(self, x):
        self.calls += 1
        return x * self.step + self.calls


class Known:
    def __init__(self, hint, impl):
        self.hint, self.impl = hint, impl


def test_leaves_label_nested_results():
    found = leaves({"loss": 1.0, "grads": [np.zeros(2), (3, 4)]})
    assert [label for label, _ in found] == ["loss", "grads[0]", "grads[1][0]", "grads[1][1]"]
    assert found[1][1].shape == (2,) and found[3][1] == 4


def test_same_compares_shapes_values_and_nan():
    assert same({"a": [1.0, np.nan]}, {"a": [1.0 + 1e-13, np.nan]})
    assert not same([np.zeros(3)], [np.zeros((3, 1))])
    assert not same([1.0], [1.0, 2.0])
    assert not same(["text"], [1.0])


def test_first_difference_names_the_leaf_and_where():
    text = first_difference({"loss": 1.0, "dW": np.array([[1.0, 2.0]])}, {"loss": 1.0, "dW": np.array([[1.0, 2.5]])})
    assert text.startswith("dW: largest absolute difference 0.5 at index (0, 1) (got 2.0, expected 2.5)")


def test_judge_runs_each_implementation_fresh_and_names_the_matching_mistake():
    student, reference = Counter(3), Counter(2)
    mistakes = {"f": [Known("doubled the wrong way", Counter(5)), Known("tripled", Counter(3))]}
    with pytest.raises(Mismatch) as err:
        judge("f", lambda impl: [impl.f(1.0), impl.f(2.0)], student, reference, mistakes, situation="with x = 1, 2")
    assert err.value.hint == "tripled"
    assert str(err.value).startswith("with x = 1, 2: [0]: largest absolute difference 1")
    assert student.reloads >= 1 and reference.reloads >= 1


def test_judge_accepts_another_correct_formulation_and_passes_the_reference():
    judge("f", lambda impl: impl.f(1.0), Counter(2), Counter(2), {}, situation="same")
    other = Functions(f=lambda x: x * 7)
    judge("f", lambda impl: impl.f(1.0), other, Counter(2), {}, situation="accepted",
          accepted=[Functions(f=lambda x: 7.0)])
    with pytest.raises(Mismatch) as err:
        judge("f", lambda impl: impl.f(1.0), other, Counter(2), {}, situation="no match")
    assert err.value.hint is None
