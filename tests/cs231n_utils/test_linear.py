"""Tests for cs231n_utils.linear.LinearClassifier: scores, the loss it passes through, training."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_utils.linear import LinearClassifier
from cs231n_utils.solver import Solver

N, D, C = 6, 12, 4


def torch_softmax(W, X, y):
    """Mean softmax cross-entropy of X @ W and its gradient, by PyTorch autograd (a test loss_fn)."""
    Wt = torch.tensor(W, requires_grad=True)
    loss = F.cross_entropy(torch.tensor(X) @ Wt, torch.tensor(y))
    loss.backward()
    return loss.item(), Wt.grad.numpy()


def sgd(w, dw, config):
    return w - config.get("learning_rate", 1e-2) * dw, config


@pytest.fixture
def batch():
    rng = np.random.default_rng(3)
    return rng.normal(size=(N, 3, 4)), rng.integers(0, C, size=N)


def test_weights_are_normal_draws_from_the_seed():
    model = LinearClassifier(D, C, torch_softmax, weight_scale=0.2, seed=5)
    np.testing.assert_array_equal(model.params["W"], np.random.default_rng(5).normal(0, 0.2, (D, C)))
    assert list(model.params) == ["W"]


def test_scores_are_x_times_w_as_in_torch(batch):
    X, _ = batch
    model = LinearClassifier(D, C, torch_softmax, weight_scale=1.0)
    expected = (torch.tensor(X).reshape(N, -1) @ torch.tensor(model.params["W"])).numpy()
    np.testing.assert_allclose(model.loss(X), expected, rtol=1e-12, atol=1e-12)


def test_loss_and_gradient_come_from_loss_fn(batch):
    X, y = batch
    seen = {}

    def loss_fn(W, X2, y2):
        seen.update(W=W, X=X2, y=y2)
        return np.float64(1.5), np.full(W.shape, 2.0)

    model = LinearClassifier(D, C, loss_fn)
    loss, grads = model.loss(X, y)
    assert loss == 1.5 and isinstance(loss, float)
    np.testing.assert_array_equal(grads["W"], np.full((D, C), 2.0))
    assert seen["W"] is model.params["W"] and seen["X"].shape == (N, D) and seen["y"] is y


def test_softmax_through_the_model_matches_torch(batch):
    X, y = batch
    model = LinearClassifier(D, C, torch_softmax, weight_scale=0.5)
    loss, grads = model.loss(X, y)
    Wt = torch.tensor(model.params["W"], requires_grad=True)
    expected = F.cross_entropy(torch.tensor(X).reshape(N, -1) @ Wt, torch.tensor(y))
    expected.backward()
    assert abs(loss - expected.item()) < 1e-12
    np.testing.assert_allclose(grads["W"], Wt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_trains_with_the_solver(digits_data):
    model = LinearClassifier(64, 10, torch_softmax)
    solver = Solver(model, digits_data, sgd, optim_config={"learning_rate": 1e-2}, num_epochs=3,
                    progress=False).train()
    assert solver.val_acc_history[0] < 0.5 < solver.best_val_acc


@pytest.mark.parametrize("dims", [(0, C), (D, -1), (D, 2.5), (True, C)])
def test_bad_dimensions(dims):
    with pytest.raises(ValueError, match="positive int"):
        LinearClassifier(*dims, torch_softmax)


def test_loss_fn_must_be_callable():
    with pytest.raises(ValueError, match="loss_fn"):
        LinearClassifier(D, C, "softmax")


def test_wrong_feature_count_is_an_error(batch):
    X, _ = batch
    with pytest.raises(ValueError, match="W expects 13"):
        LinearClassifier(13, C, torch_softmax).loss(X)


def test_wrong_gradient_shape_is_an_error(batch):
    X, y = batch
    model = LinearClassifier(D, C, lambda W, X, y: (0.0, W.T))
    with pytest.raises(ValueError, match="shape of W"):
        model.loss(X, y)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        LinearClassifier(D, C, torch_softmax, 1e-3)
