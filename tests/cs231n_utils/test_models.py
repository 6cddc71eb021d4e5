"""Tests for cs231n_utils.models.TwoLayerNet: gradients, PyTorch agreement, determinism."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_utils.gradient_check import eval_numerical_gradient, rel_error
from cs231n_utils.models import TwoLayerNet

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
