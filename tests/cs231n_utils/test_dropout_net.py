"""Tests for cs231n_utils.dropout_net.DropoutNet: PyTorch agreement, how it calls the dropout functions.

The network must hold no dropout of its own, so the tests hand it stand-ins: functions that
multiply by masks the test chose (and record how they were called). With the same masks built
into a PyTorch graph, the losses, scores and gradients must agree.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_utils.dropout_net import DropoutNet
from cs231n_utils.gradient_check import eval_numerical_gradient, rel_error
from cs231n_utils.solver import Solver

N, D, C = 6, 5, 4
HIDDEN = (7, 8)


class FixedMasks:
    """Stand-in dropout functions: the k-th call of a training pass multiplies by masks[k]."""

    def __init__(self, masks):
        self.masks, self.params, self._next = masks, [], 0

    def forward(self, x, dropout_param):
        self.params.append(dict(dropout_param))
        if dropout_param["mode"] == "test":
            return x, None
        mask = self.masks[self._next % len(self.masks)]
        self._next += 1
        return x * mask, mask

    def backward(self, dout, cache):
        return dout * cache


@pytest.fixture
def batch():
    rng = np.random.default_rng(3)
    return rng.normal(size=(N, D)), rng.integers(0, C, size=N)


def masks_for(keep_prob, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.random((N, h)) < keep_prob) / keep_prob for h in HIDDEN]


def make(keep_prob=0.5, masks=None, reg=0.0, seed=1):
    stand_in = FixedMasks(masks if masks is not None else masks_for(keep_prob))
    model = DropoutNet(D, HIDDEN, C, keep_prob=keep_prob, dropout_forward=stand_in.forward,
                       dropout_backward=stand_in.backward, weight_scale=0.5, reg=reg, seed=seed)
    for k in range(1, len(HIDDEN) + 2):  # nonzero biases, so that their gradients are tested too
        model.params[f"b{k}"] = np.linspace(-0.3, 0.3, model.params[f"b{k}"].size)
    return model, stand_in


def torch_loss(model, X, y, masks, reg):
    """The same network in PyTorch, with the given masks after each hidden ReLU (None: no dropout)."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    h = torch.tensor(X)
    for k in range(1, len(HIDDEN) + 1):
        h = F.relu(h @ t[f"W{k}"] + t[f"b{k}"])
        if masks is not None:
            h = h * torch.tensor(masks[k - 1])
    last = len(HIDDEN) + 1
    scores = h @ t[f"W{last}"] + t[f"b{last}"]
    penalty = 0.5 * reg * sum((t[f"W{k}"] ** 2).sum() for k in range(1, last + 1))
    loss = F.cross_entropy(scores, torch.tensor(y)) + penalty
    loss.backward()
    return scores, loss, t


class TestInit:
    def test_shapes_and_zero_biases(self):
        model = DropoutNet(D, HIDDEN, C)
        assert {k: v.shape for k, v in model.params.items()} == {
            "W1": (D, 7), "b1": (7,), "W2": (7, 8), "b2": (8,), "W3": (8, C), "b3": (C,)}
        assert not any(model.params[f"b{k}"].any() for k in (1, 2, 3))

    def test_weights_are_normal_draws_from_the_seed(self):
        model = DropoutNet(D, [7], C, weight_scale=0.3, seed=42)
        rng = np.random.default_rng(42)
        np.testing.assert_array_equal(model.params["W1"], rng.normal(0, 0.3, (D, 7)))
        np.testing.assert_array_equal(model.params["W2"], rng.normal(0, 0.3, (7, C)))

    @pytest.mark.parametrize("keep_prob", [0.0, -0.5, 1.5])
    def test_keep_prob_out_of_range(self, keep_prob):
        with pytest.raises(ValueError, match="probability of keeping"):
            DropoutNet(D, HIDDEN, C, keep_prob=keep_prob, dropout_forward=abs, dropout_backward=abs)

    def test_dropout_needs_both_functions(self):
        with pytest.raises(ValueError, match="needs dropout_forward and dropout_backward"):
            DropoutNet(D, HIDDEN, C, keep_prob=0.5, dropout_forward=lambda x, p: (x, None))

    @pytest.mark.parametrize("dims", [(0, HIDDEN, C), (D, (), C), (D, (7, -1), C), (D, HIDDEN, 2.5)])
    def test_bad_dimensions(self, dims):
        with pytest.raises(ValueError):
            DropoutNet(*dims)


class TestAgainstPyTorch:
    @pytest.mark.parametrize("reg", [0.0, 0.3])
    def test_training_pass_with_the_same_masks(self, batch, reg):
        X, y = batch
        masks = masks_for(0.5)
        model, _ = make(0.5, masks, reg=reg)
        loss, grads = model.loss(X, y)
        _, loss_t, t = torch_loss(model, X, y, masks, reg)
        assert loss == pytest.approx(loss_t.item(), rel=1e-12)
        assert set(grads) == set(model.params)
        for name, value in grads.items():
            np.testing.assert_allclose(value, t[name].grad.numpy(), rtol=1e-12, atol=1e-12)

    def test_test_mode_has_no_masks(self, batch):
        X, y = batch
        model, _ = make(0.5)
        scores_t, _, _ = torch_loss(model, X, y, None, 0.0)
        np.testing.assert_allclose(model.loss(X), scores_t.detach().numpy(), rtol=1e-12)

    def test_without_dropout(self, batch):
        X, y = batch
        model = DropoutNet(D, HIDDEN, C, weight_scale=0.5, reg=0.2, seed=4)
        loss, grads = model.loss(X, y)
        _, loss_t, t = torch_loss(model, X, y, None, 0.2)
        assert loss == pytest.approx(loss_t.item(), rel=1e-12)
        for name, value in grads.items():
            np.testing.assert_allclose(value, t[name].grad.numpy(), rtol=1e-12, atol=1e-12)

    def test_numerical_gradient(self, batch):
        X, y = batch
        model, stand_in = make(0.5, masks_for(0.5), reg=0.1)
        _, grads = model.loss(X, y)
        for name in ("W1", "b2", "W3"):
            def f(_, name=name):
                stand_in._next = 0  # the same masks at every evaluation
                return model.loss(X, y)[0]
            stand_in._next = 0
            numerical = eval_numerical_gradient(f, model.params[name])
            assert rel_error(numerical, grads[name]) < 1e-7


class TestDropoutCalls:
    def test_train_passes_get_new_seeds_test_passes_none(self, batch):
        X, y = batch
        model, stand_in = make(0.25)
        model.loss(X, y)
        model.loss(X, y)
        model.loss(X)
        train, test = stand_in.params[:4], stand_in.params[4:]
        assert all(p["p"] == 0.25 and p["mode"] == "train" for p in train)
        assert len({p["seed"] for p in train}) == 4  # one per layer and pass
        assert all(isinstance(p["seed"], int) for p in train)
        assert test == [{"p": 0.25, "mode": "test"}] * 2

    def test_seeds_follow_the_model_seed(self, batch):
        X, y = batch
        seeds = []
        for _ in range(2):
            model, stand_in = make(0.5, seed=9)
            model.loss(X, y)
            seeds.append([p["seed"] for p in stand_in.params])
        assert seeds[0] == seeds[1]

    def test_no_calls_without_dropout(self, batch):
        X, y = batch
        model = DropoutNet(D, HIDDEN, C, dropout_forward=pytest.fail, dropout_backward=pytest.fail)
        model.loss(X, y)
        model.loss(X)

    def test_scores_in_train_mode_use_masks(self, batch):
        X, _ = batch
        model, stand_in = make(0.5)
        model.scores(X, mode="train")
        assert [p["mode"] for p in stand_in.params] == ["train", "train"]
        with pytest.raises(ValueError, match="mode"):
            model.scores(X, mode="eval")

    def test_trains_with_the_solver(self, digits_data):
        stand_in = FixedMasks([1.0])  # no units dropped: the masks broadcast
        model = DropoutNet(64, [32], 10, keep_prob=0.5, dropout_forward=stand_in.forward,
                           dropout_backward=stand_in.backward, weight_scale=0.05, seed=0)
        X = digits_data["X_train"] / digits_data["X_train"].std()
        data = {"X_train": X[:200], "y_train": digits_data["y_train"][:200],
                "X_val": digits_data["X_val"] / digits_data["X_train"].std(), "y_val": digits_data["y_val"]}

        def sgd(w, dw, config):
            return w - 0.1 * dw, config

        solver = Solver(model, data, sgd, num_epochs=5, batch_size=50, progress=False).train()
        assert solver.best_val_acc > 0.5


class TestDtype:
    def test_float32_all_the_way_from_float64_data(self, batch, agrees_in_float32):
        """With dtype float32, float64 data and float32 masks, are the parameters, scores and gradients
        float32, and the loss and gradients those of float64 to float32's precision?"""
        X, y = batch
        masks = masks_for(0.5)
        wide, _ = make(0.5, masks, reg=0.1)
        stand_in = FixedMasks([mask.astype(np.float32) for mask in masks])
        narrow = DropoutNet(D, HIDDEN, C, keep_prob=0.5, dropout_forward=stand_in.forward,
                            dropout_backward=stand_in.backward, weight_scale=0.5, reg=0.1, seed=1,
                            dtype=np.float32)
        narrow.params.update({k: v.astype(np.float32) for k, v in wide.params.items() if k.startswith("b")})
        assert all(value.dtype == np.float32 for value in narrow.params.values())
        assert narrow.loss(X).dtype == np.float32
        grads32 = agrees_in_float32(narrow, wide, X, y)
        for name, value in grads32.items():
            assert value.dtype == np.float32, name

    def test_non_floating_dtype_is_refused(self):
        with pytest.raises(ValueError, match="dtype must be a floating type"):
            DropoutNet(D, HIDDEN, C, dtype="int16")
