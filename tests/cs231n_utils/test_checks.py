"""Do the notebooks' visible-check helpers say where and by how much an answer is off?"""

import numpy as np
import pytest

from cs231n_utils.checks import NotWrittenYet, check_close, describe_difference, require, written


def stub(w, dw):
    # YOUR CODE HERE
    raise NotImplementedError()


def done(w, dw):
    return w - dw


def test_an_answer_that_looks_equal_when_printed_is_told_apart():
    got, expected = np.array([0.9, 1.0]), np.array([0.9 + 2e-9, 1.0])
    with pytest.raises(AssertionError) as err:
        check_close("adagrad, first step", got, expected, 1e-12, "Is epsilon outside the square root?")
    message = str(err.value)
    assert message.startswith("adagrad, first step: largest absolute difference 2e-09 at index (0,)")
    assert "got 0.9, expected 0.900000002" in message and message.endswith("Is epsilon outside the square root?")


def test_nan_and_shape_are_named():
    assert "1 value(s) are NaN or inf, the first at index (1,)" in describe_difference([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(AssertionError, match=r"got shape \(1, 2\), expected \(2,\)"):
        check_close("x", np.ones((1, 2)), np.ones(2), 1e-12)
    check_close("x", np.ones(2), np.ones(2) * (1 + 1e-15), 1e-12)


def test_require_names_the_first_function_still_a_stub():
    assert written(done) and not written(stub)
    require(done)
    with pytest.raises(NotWrittenYet, match="write stub above first"):
        require(done, stub)
    assert NotWrittenYet("x")._render_traceback_() == ["NotWrittenYet: x"]
