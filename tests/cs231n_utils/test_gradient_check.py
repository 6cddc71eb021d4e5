"""Tests for cs231n_utils.gradient_check against closed forms and torch autograd."""

import numpy as np
import pytest
import torch

from cs231n_utils.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)


@pytest.fixture
def rng():
    return np.random.default_rng(231)


class TestRelError:
    def test_values(self):
        assert rel_error(1.0, 1.0) == 0.0
        assert rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2, rel=1e-12)
        assert rel_error(np.array([[3.0, -1.0]]), np.array([[3.0, 1.0]])) == 1.0
        assert isinstance(rel_error(np.ones(2), np.ones(2)), float)

    def test_zeros_give_zero_not_nan(self):
        assert rel_error(np.zeros(3), np.zeros(3)) == 0.0

    def test_tiny_values_are_measured_against_the_floor(self):
        assert rel_error(1e-10, 3e-10) == pytest.approx(2e-10 / 1e-8)

    def test_shape_mismatch_is_an_error(self):
        with pytest.raises(ValueError, match=r"\(3,\) and \(3, 1\)"):
            rel_error(np.ones(3), np.ones((3, 1)))


class TestEvalNumericalGradient:
    def test_cubic_against_closed_form(self, rng):
        x = rng.normal(size=(3, 4))
        grad = eval_numerical_gradient(lambda v: np.sum(v ** 3), x)
        assert rel_error(grad, 3 * x ** 2) < 1e-8

    def test_log_sum_exp_against_torch_autograd(self, rng):
        A = rng.normal(size=(5, 3))
        x = rng.normal(size=(2, 5))

        def f(v):
            return np.log(np.sum(np.exp(np.tanh(v) @ A)))

        xt = torch.tensor(x, requires_grad=True)
        torch.logsumexp((torch.tanh(xt) @ torch.tensor(A)).reshape(-1), 0).backward()
        grad = eval_numerical_gradient(f, x)
        assert rel_error(grad, xt.grad.numpy()) < 1e-8

    def test_x_is_restored_exactly(self, rng):
        x = rng.normal(size=(4, 3))
        before = x.copy()
        eval_numerical_gradient(lambda v: np.sum(np.sin(v)), x)
        assert np.array_equal(x, before)

    def test_x_is_restored_when_f_raises(self, rng):
        x = rng.normal(size=5)
        before = x.copy()
        calls = []

        def f(v):
            calls.append(1)
            if len(calls) == 4:
                raise ArithmeticError("boom")
            return float(v.sum())

        with pytest.raises(ArithmeticError):
            eval_numerical_gradient(f, x)
        assert np.array_equal(x, before)

    def test_verbose_prints_each_coordinate(self, capsys):
        eval_numerical_gradient(lambda v: float(np.sum(v)), np.zeros(3), verbose=True)
        assert len(capsys.readouterr().out.strip().splitlines()) == 3

    def test_quiet_by_default(self, capsys):
        eval_numerical_gradient(lambda v: float(np.sum(v)), np.zeros(3))
        assert capsys.readouterr().out == ""


class TestEvalNumericalGradientArray:
    def test_against_torch_autograd(self, rng):
        A = rng.normal(size=(4, 6))
        x = rng.normal(size=(3, 4))
        df = rng.normal(size=(3, 6))
        before = x.copy()
        grad = eval_numerical_gradient_array(lambda v: np.tanh(v @ A) * v.sum(), x, df)

        xt = torch.tensor(x, requires_grad=True)
        (torch.tanh(xt @ torch.tensor(A)) * xt.sum()).backward(torch.tensor(df))
        assert grad.shape == x.shape
        assert rel_error(grad, xt.grad.numpy()) < 1e-8
        assert np.array_equal(x, before)

    def test_elementwise_closed_form(self, rng):
        x = rng.normal(size=(2, 3, 2))
        df = rng.normal(size=x.shape)
        grad = eval_numerical_gradient_array(np.exp, x, df)
        assert rel_error(grad, np.exp(x) * df) < 1e-8

    def test_f_returning_a_view_of_x_is_handled(self, rng):
        """f(x) may return x itself; its value must be taken before x changes again."""
        x = rng.normal(size=4)
        df = rng.normal(size=4)
        grad = eval_numerical_gradient_array(lambda v: v, x, df)
        assert rel_error(grad, df) < 1e-8


class TestGradCheckSparse:
    def _problem(self, rng):
        W = rng.normal(size=(6, 4))
        A = rng.normal(size=(6, 4))

        def f(w):
            return float(np.sum(np.cos(w) * A))

        return W, f, -np.sin(W) * A

    def test_correct_gradient_gives_small_errors(self, rng):
        W, f, grad = self._problem(rng)
        before = W.copy()
        errors = grad_check_sparse(f, W, grad, num_checks=7)
        assert isinstance(errors, list) and len(errors) == 7
        assert max(errors) < 1e-7
        assert np.array_equal(W, before)

    def test_wrong_gradient_gives_large_errors(self, rng):
        W, f, grad = self._problem(rng)
        errors = grad_check_sparse(f, W, 2 * grad, num_checks=5)
        # |g - 2g| / (|g| + |2g|) = 1/3 wherever g != 0
        assert errors == pytest.approx([1 / 3] * 5, rel=1e-6)

    def test_same_seed_checks_the_same_coordinates(self, rng):
        W, f, grad = self._problem(rng)
        wrong = grad + rng.normal(size=grad.shape)
        a = grad_check_sparse(f, W, wrong, num_checks=6, seed=4)
        b = grad_check_sparse(f, W, wrong, num_checks=6, seed=4)
        c = grad_check_sparse(f, W, wrong, num_checks=6, seed=5)
        assert a == b and a != c

    def test_verbose_prints_like_cs231n(self, rng, capsys):
        W, f, grad = self._problem(rng)
        grad_check_sparse(f, W, grad, num_checks=3, verbose=True)
        lines = capsys.readouterr().out.strip().splitlines()
        assert len(lines) == 3
        assert all(line.startswith("numerical:") and "relative error:" in line for line in lines)

    def test_gradient_of_the_wrong_shape(self, rng):
        W, f, grad = self._problem(rng)
        with pytest.raises(ValueError, match="shape"):
            grad_check_sparse(f, W, grad.T)
