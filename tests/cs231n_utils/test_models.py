"""Tests for cs231n_utils.models.TwoLayerNet: gradients, PyTorch agreement, determinism."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import eval_numerical_gradient, rel_error
from cs231n_utils.layers import affine_backward, affine_forward, affine_relu_backward, affine_relu_forward, softmax_loss
from cs231n_utils.models import TwoLayerNet
from cs231n_utils.solver import Solver

N, D, H, C = 5, 6, 7, 4


@pytest.fixture
def batch():
    rng = np.random.default_rng(11)
    return rng.normal(size=(N, 2, 3)), rng.integers(0, C, size=N)


class TestInit:
    def test_shapes_and_zero_biases(self):
        model = TwoLayerNet(D, H, C)
        shapes = {k: v.shape for k, v in model.params.items()}
        assert shapes == {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}
        assert not model.params["b1"].any() and not model.params["b2"].any()

    def test_weights_are_normal_draws_from_the_seed(self):
        model = TwoLayerNet(D, H, C, weight_scale=0.3, seed=42)
        rng = np.random.default_rng(42)
        np.testing.assert_array_equal(model.params["W1"], rng.normal(0, 0.3, (D, H)))
        np.testing.assert_array_equal(model.params["W2"], rng.normal(0, 0.3, (H, C)))

    def test_deterministic_for_a_seed(self):
        a, b = TwoLayerNet(D, H, C, seed=1), TwoLayerNet(D, H, C, seed=1)
        c = TwoLayerNet(D, H, C, seed=2)
        for name in a.params:
            np.testing.assert_array_equal(a.params[name], b.params[name])
        assert not np.array_equal(a.params["W1"], c.params["W1"])

    def test_options_are_keyword_only(self):
        with pytest.raises(TypeError):
            TwoLayerNet(D, H, C, 1e-3)

    @pytest.mark.parametrize("dims", [(0, H, C), (D, -1, C), (D, H, 2.5)])
    def test_bad_dimensions(self, dims):
        with pytest.raises(ValueError, match="positive int"):
            TwoLayerNet(*dims)


class TestLoss:
    def test_scores_without_labels(self, batch):
        X, _ = batch
        scores = TwoLayerNet(D, H, C, weight_scale=0.5).loss(X)
        assert scores.shape == (N, C)

    def test_matches_pytorch(self, batch):
        X, y = batch
        reg = 0.7
        model = TwoLayerNet(D, H, C, weight_scale=0.5, reg=reg, seed=3)
        model.params["b1"] = np.linspace(-0.5, 0.5, H)
        model.params["b2"] = np.linspace(0.2, -0.2, C)
        loss, grads = model.loss(X, y)

        t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
        hidden = F.relu(F.linear(torch.tensor(X.reshape(N, -1)), t["W1"].T, t["b1"]))
        scores = F.linear(hidden, t["W2"].T, t["b2"])
        penalty = 0.5 * reg * ((t["W1"] ** 2).sum() + (t["W2"] ** 2).sum())
        loss_t = F.cross_entropy(scores, torch.tensor(y)) + penalty
        loss_t.backward()

        np.testing.assert_allclose(model.loss(X), scores.detach().numpy(), rtol=1e-12)
        assert loss == pytest.approx(loss_t.item(), rel=1e-12)
        assert set(grads) == set(model.params)
        for name, value in grads.items():
            np.testing.assert_allclose(value, t[name].grad.numpy(), rtol=1e-12, atol=1e-12)

    @pytest.mark.parametrize("reg", [0.0, 0.5])
    def test_full_gradient_check(self, batch, reg):
        X, y = batch
        model = TwoLayerNet(D, H, C, weight_scale=0.5, reg=reg, seed=5)
        _, grads = model.loss(X, y)
        for name in model.params:
            numerical = eval_numerical_gradient(lambda _: model.loss(X, y)[0],
                                                model.params[name])
            assert rel_error(grads[name], numerical) < 1e-6, name

    def test_regularization_adds_half_reg_times_squared_weights(self, batch):
        X, y = batch
        plain = TwoLayerNet(D, H, C, weight_scale=0.5, seed=9)
        regd = TwoLayerNet(D, H, C, weight_scale=0.5, reg=2.0, seed=9)
        W1, W2 = plain.params["W1"], plain.params["W2"]
        expected = 0.5 * 2.0 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
        assert regd.loss(X, y)[0] - plain.loss(X, y)[0] == pytest.approx(expected, rel=1e-12)

    def test_gradients_equal_the_full_backward_pass(self, batch):
        """Without the input's gradient and at reg 0, are the loss and every gradient those of the
        full backward pass through the course's layers, bit for bit?"""
        X, y = batch
        model = TwoLayerNet(D, H, C, weight_scale=0.5, seed=4)
        model.params["b1"] = np.linspace(-0.5, 0.5, H)
        loss, grads = model.loss(X, y)

        p = model.params
        hidden, hidden_cache = affine_relu_forward(X, p["W1"], p["b1"])
        scores, scores_cache = affine_forward(hidden, p["W2"], p["b2"])
        full_loss, dscores = softmax_loss(scores, y)
        dhidden, dW2, db2 = affine_backward(dscores, scores_cache)
        _, dW1, db1 = affine_relu_backward(dhidden, hidden_cache)
        assert loss == full_loss
        for name, expected in {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}.items():
            np.testing.assert_array_equal(grads[name], expected, err_msg=name)


class TestDtype:
    def test_float64_by_default(self, batch):
        X, y = batch
        model = TwoLayerNet(D, H, C)
        assert model.dtype == np.float64
        assert all(value.dtype == np.float64 for value in model.params.values())
        assert all(value.dtype == np.float64 for value in model.loss(X, y)[1].values())

    def test_float32_all_the_way_from_float64_data(self, batch):
        """With dtype float32 and float64 data, are the parameters, scores and gradients float32?"""
        X, y = batch
        model = TwoLayerNet(D, H, C, weight_scale=0.5, reg=0.1, seed=3, dtype=np.float32)
        assert all(value.dtype == np.float32 for value in model.params.values())
        assert model.loss(X).dtype == np.float32
        loss, grads = model.loss(X, y)
        assert isinstance(loss, float)
        assert all(value.dtype == np.float32 for value in grads.values())

    def test_float32_agrees_with_float64_to_its_precision(self, batch, agrees_in_float32):
        """The same seed draws the same weights, rounded: do loss and gradients agree to ~1e-6?"""
        X, y = batch
        wide = TwoLayerNet(D, H, C, weight_scale=0.5, reg=0.1, seed=3)
        narrow = TwoLayerNet(D, H, C, weight_scale=0.5, reg=0.1, seed=3, dtype="float32")
        for name, value in wide.params.items():
            np.testing.assert_array_equal(narrow.params[name], value.astype(np.float32))
        agrees_in_float32(narrow, wide, X, y)

    def test_solver_training_stays_float32(self, digits_data):
        """Does a float32 model trained by the Solver on float64 data keep float32 parameters?"""
        model = TwoLayerNet(64, 20, 10, weight_scale=1e-2, seed=0, dtype=np.float32)

        def sgd(w, dw, config):
            return w - 0.05 * dw, config

        solver = Solver(model, digits_data, sgd, batch_size=50, num_epochs=2, progress=False).train()
        assert solver.best_val_acc > 0.5
        for params in (model.params, solver.best_params):
            assert all(value.dtype == np.float32 for value in params.values())

    @pytest.mark.parametrize("dtype", [np.int32, "int8"])
    def test_non_floating_dtype_is_refused(self, dtype):
        with pytest.raises(ValueError, match="dtype must be a floating type"):
            TwoLayerNet(D, H, C, dtype=dtype)
