"""Tests for cs231n_utils.layers against torch.nn.functional with autograd, and gradient checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    rel_error,
)
from cs231n_utils.layers import (
    affine_backward,
    affine_forward,
    affine_param_backward,
    affine_relu_backward,
    affine_relu_forward,
    float_dtype,
    relu_backward,
    relu_forward,
    softmax_loss,
)

TOL = 1e-12


@pytest.fixture
def rng():
    return np.random.default_rng(7)


def leaf(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def assert_close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=TOL, atol=TOL)


class TestAffine:
    def test_matches_torch_linear(self, rng):
        x, w, b = rng.normal(size=(4, 2, 3, 2)), rng.normal(size=(12, 5)), rng.normal(size=5)
        dout = rng.normal(size=(4, 5))
        out, cache = affine_forward(x, w, b)
        dx, dw, db = affine_backward(dout, cache)

        xt, wt, bt = leaf(x), leaf(w), leaf(b)
        out_t = F.linear(xt.reshape(4, -1), wt.T, bt)
        out_t.backward(torch.tensor(dout))
        assert out.shape == (4, 5)
        assert_close(out, out_t)
        assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
        assert_close(dx, xt.grad)
        assert_close(dw, wt.grad)
        assert_close(db, bt.grad)

    def test_gradient_check(self, rng):
        x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
        dout = rng.normal(size=(3, 2))
        dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
        assert rel_error(dx, eval_numerical_gradient_array(
            lambda v: affine_forward(v, w, b)[0], x, dout)) < 1e-8
        assert rel_error(dw, eval_numerical_gradient_array(
            lambda v: affine_forward(x, v, b)[0], w, dout)) < 1e-8
        assert rel_error(db, eval_numerical_gradient_array(
            lambda v: affine_forward(x, w, v)[0], b, dout)) < 1e-8


    def test_param_backward_is_affine_backward_without_dx(self, rng):
        """Are the (dw, db) of affine_param_backward those of affine_backward, bit for bit?"""
        x, w, b = rng.normal(size=(4, 3, 2)), rng.normal(size=(6, 5)), rng.normal(size=5)
        dout = rng.normal(size=(4, 5))
        cache = affine_forward(x, w, b)[1]
        _, dw, db = affine_backward(dout, cache)
        param_grads = affine_param_backward(dout, cache)
        assert len(param_grads) == 2
        np.testing.assert_array_equal(param_grads[0], dw)
        np.testing.assert_array_equal(param_grads[1], db)


class TestFloatDtype:
    @pytest.mark.parametrize("dtype", [np.float32, "float64", np.dtype(np.float16)])
    def test_floating_types_are_accepted(self, dtype):
        assert float_dtype(dtype) == np.dtype(dtype)

    @pytest.mark.parametrize("dtype", [np.int64, "banana", bool])
    def test_other_types_are_refused_naming_the_choices(self, dtype):
        with pytest.raises(ValueError, match="np.float32 or np.float64"):
            float_dtype(dtype)


class TestRelu:
    def test_matches_torch_relu(self, rng):
        x = rng.normal(size=(3, 4, 5))
        dout = rng.normal(size=x.shape)
        out, cache = relu_forward(x)
        dx = relu_backward(dout, cache)
        xt = leaf(x)
        out_t = F.relu(xt)
        out_t.backward(torch.tensor(dout))
        assert_close(out, out_t)
        assert_close(dx, xt.grad)
        assert (out >= 0).all() and (dx[x < 0] == 0).all()

    def test_gradient_check(self, rng):
        x = rng.normal(size=(6, 3))
        dout = rng.normal(size=x.shape)
        dx = relu_backward(dout, relu_forward(x)[1])
        num = eval_numerical_gradient_array(lambda v: relu_forward(v)[0], x, dout)
        assert rel_error(dx, num) < 1e-8


class TestAffineRelu:
    def test_matches_torch(self, rng):
        x, w, b = rng.normal(size=(5, 2, 4)), rng.normal(size=(8, 6)), rng.normal(size=6)
        dout = rng.normal(size=(5, 6))
        out, cache = affine_relu_forward(x, w, b)
        dx, dw, db = affine_relu_backward(dout, cache)
        xt, wt, bt = leaf(x), leaf(w), leaf(b)
        out_t = F.relu(F.linear(xt.reshape(5, -1), wt.T, bt))
        out_t.backward(torch.tensor(dout))
        assert_close(out, out_t)
        assert_close(dx, xt.grad)
        assert_close(dw, wt.grad)
        assert_close(db, bt.grad)


class TestSoftmaxLoss:
    def test_matches_torch_cross_entropy(self, rng):
        x = rng.normal(size=(9, 5)) * 3
        y = rng.integers(0, 5, size=9)
        loss, dx = softmax_loss(x, y)
        xt = leaf(x)
        loss_t = F.cross_entropy(xt, torch.tensor(y))
        loss_t.backward()
        assert isinstance(loss, float)
        assert loss == pytest.approx(loss_t.item(), rel=TOL, abs=TOL)
        assert_close(dx, xt.grad)

    def test_stable_for_huge_scores(self, rng):
        x = rng.normal(size=(4, 3)) + np.array([1e4, -1e4, 5e3])
        y = np.array([0, 1, 2, 0])
        loss, dx = softmax_loss(x, y)
        xt = leaf(x)
        F.cross_entropy(xt, torch.tensor(y)).backward()
        assert np.isfinite(loss) and np.isfinite(dx).all()
        assert loss == pytest.approx(F.cross_entropy(torch.tensor(x), torch.tensor(y)).item(),
                                     rel=TOL)
        assert_close(dx, xt.grad)

    def test_uniform_scores_give_log_c(self):
        loss, _ = softmax_loss(np.zeros((3, 10)), np.array([1, 2, 3]))
        assert loss == pytest.approx(np.log(10), rel=TOL)

    def test_gradient_check(self, rng):
        x = rng.normal(size=(6, 4))
        y = rng.integers(0, 4, size=6)
        _, dx = softmax_loss(x, y)
        num = eval_numerical_gradient(lambda v: softmax_loss(v, y)[0], x)
        assert rel_error(dx, num) < 1e-7
