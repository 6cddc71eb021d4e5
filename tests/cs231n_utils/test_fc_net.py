"""Tests for cs231n_utils.fc_net.FullyConnectedNet: PyTorch agreement with and without a
normalization (PyTorch's own batch norm, plugged in as the norm pair), modes, gradient checks."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cs231n_utils.fc_net import FullyConnectedNet
from cs231n_utils.gradient_check import eval_numerical_gradient, rel_error

N, D, C = 6, 5, 3
HIDDEN = [7, 4]
EPS = 1e-5


@pytest.fixture
def batch():
    rng = np.random.default_rng(21)
    return rng.normal(size=(N, D)), rng.integers(0, C, size=N)


class TorchBatchNorm:
    """PyTorch's batch norm behind the course's norm interface, recording the modes it sees."""

    def __init__(self):
        self.modes = []

    def forward(self, x, gamma, beta, param):
        self.modes.append(param["mode"])
        leaves = [torch.tensor(a, requires_grad=True) for a in (x, gamma, beta)]
        out = F.batch_norm(leaves[0], None, None, leaves[1], leaves[2], training=True, eps=param["eps"])
        param["calls"] = param.get("calls", 0) + 1  # state the network must keep per layer
        return out.detach().numpy(), (leaves, out)

    @staticmethod
    def backward(dout, cache):
        leaves, out = cache
        return tuple(g.numpy() for g in torch.autograd.grad(out, leaves, torch.tensor(dout)))


def identity_norm_forward(x, gamma, beta, param):
    """A stand-in normalization that only scales and shifts: out = gamma * x + beta."""
    return gamma * x + beta, (x, gamma)


def identity_norm_backward(dout, cache):
    x, gamma = cache
    return dout * gamma, (dout * x).sum(axis=0), dout.sum(axis=0)


def torch_network(params, X, y, reg, batch_norm):
    """The same network built from torch operations; returns (scores, loss, leaves)."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    h = torch.tensor(X)
    L = len(HIDDEN) + 1
    for i in range(1, L):
        h = F.linear(h, t[f"W{i}"].T, t[f"b{i}"])
        if batch_norm:
            h = F.batch_norm(h, None, None, t[f"gamma{i}"], t[f"beta{i}"], training=True, eps=EPS)
        h = F.relu(h)
    scores = F.linear(h, t[f"W{L}"].T, t[f"b{L}"])
    loss = F.cross_entropy(scores, torch.tensor(y))
    loss = loss + 0.5 * reg * sum((t[f"W{i}"] ** 2).sum() for i in range(1, L + 1))
    loss.backward()
    return scores.detach().numpy(), loss.item(), t


class TestInit:
    def test_shapes_without_norm(self):
        model = FullyConnectedNet(HIDDEN, D, C)
        shapes = {k: v.shape for k, v in model.params.items()}
        assert shapes == {"W1": (D, 7), "b1": (7,), "W2": (7, 4), "b2": (4,), "W3": (4, C), "b3": (C,)}
        assert model.norm_params == []

    def test_norm_adds_gamma_ones_and_beta_zeros(self):
        model = FullyConnectedNet(HIDDEN, D, C, norm_forward=identity_norm_forward,
                                  norm_backward=identity_norm_backward, norm_param={"eps": 1e-3})
        for i, width in enumerate(HIDDEN, start=1):
            np.testing.assert_array_equal(model.params[f"gamma{i}"], np.ones(width))
            np.testing.assert_array_equal(model.params[f"beta{i}"], np.zeros(width))
        assert "gamma3" not in model.params
        assert model.norm_params == [{"eps": 1e-3}, {"eps": 1e-3}]
        assert model.norm_params[0] is not model.norm_params[1]

    def test_weights_are_normal_draws_from_the_seed(self):
        model = FullyConnectedNet(HIDDEN, D, C, weight_scale=0.3, seed=4)
        rng = np.random.default_rng(4)
        for name, shape in (("W1", (D, 7)), ("W2", (7, 4)), ("W3", (4, C))):
            np.testing.assert_array_equal(model.params[name], rng.normal(0, 0.3, shape))

    @pytest.mark.parametrize("hidden", [[], [3, 0], [2.5]])
    def test_bad_hidden_dims(self, hidden):
        with pytest.raises(ValueError):
            FullyConnectedNet(hidden, D, C)

    def test_needs_both_norm_functions(self):
        with pytest.raises(ValueError, match="both"):
            FullyConnectedNet(HIDDEN, D, C, norm_forward=identity_norm_forward)


class TestLoss:
    @pytest.mark.parametrize("reg", [0.0, 0.3])
    def test_matches_pytorch_without_norm(self, batch, reg):
        X, y = batch
        model = FullyConnectedNet(HIDDEN, D, C, weight_scale=0.5, reg=reg, seed=2)
        loss, grads = model.loss(X, y)
        scores, loss_t, t = torch_network(model.params, X, y, reg, batch_norm=False)
        np.testing.assert_allclose(model.loss(X), scores, rtol=1e-12, atol=1e-14)
        assert loss == pytest.approx(loss_t, rel=1e-12)
        assert set(grads) == set(model.params)
        for name, value in grads.items():
            np.testing.assert_allclose(value, t[name].grad.numpy(), rtol=1e-10, atol=1e-12)

    def test_matches_pytorch_with_torch_batch_norm_plugged_in(self, batch):
        X, y = batch
        bn = TorchBatchNorm()
        model = FullyConnectedNet(HIDDEN, D, C, weight_scale=0.5, reg=0.1, seed=3, norm_forward=bn.forward,
                                  norm_backward=bn.backward, norm_param={"eps": EPS})
        rng = np.random.default_rng(5)
        for i, width in enumerate(HIDDEN, start=1):  # away from their initial values
            model.params[f"gamma{i}"] = rng.uniform(0.5, 1.5, width)
            model.params[f"beta{i}"] = rng.normal(size=width)
        loss, grads = model.loss(X, y)
        _, loss_t, t = torch_network(model.params, X, y, 0.1, batch_norm=True)
        assert loss == pytest.approx(loss_t, rel=1e-12)
        assert set(grads) == set(model.params)
        for name, value in grads.items():
            np.testing.assert_allclose(value, t[name].grad.numpy(), rtol=1e-9, atol=1e-12)

    def test_mode_is_train_with_labels_and_test_without(self, batch):
        X, y = batch
        bn = TorchBatchNorm()
        model = FullyConnectedNet(HIDDEN, D, C, norm_forward=bn.forward, norm_backward=bn.backward,
                                  norm_param={"eps": EPS})
        model.loss(X, y)
        model.loss(X)
        assert bn.modes == ["train", "train", "test", "test"]

    def test_each_layer_keeps_its_norm_param_between_calls(self, batch):
        X, y = batch
        bn = TorchBatchNorm()
        model = FullyConnectedNet(HIDDEN, D, C, norm_forward=bn.forward, norm_backward=bn.backward,
                                  norm_param={"eps": EPS})
        for _ in range(3):
            model.loss(X, y)
        assert [p["calls"] for p in model.norm_params] == [3, 3]

    @pytest.mark.parametrize("with_norm", [False, True])
    def test_full_gradient_check(self, batch, with_norm):
        X, y = batch
        norm = dict(norm_forward=identity_norm_forward, norm_backward=identity_norm_backward) if with_norm else {}
        model = FullyConnectedNet(HIDDEN, D, C, weight_scale=0.5, reg=0.2, seed=8, **norm)
        if with_norm:
            model.params["gamma1"] = np.linspace(0.5, 1.5, HIDDEN[0])
            model.params["beta2"] = np.linspace(-0.3, 0.3, HIDDEN[1])
        _, grads = model.loss(X, y)
        for name in model.params:
            numerical = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name])
            assert rel_error(grads[name], numerical) < 1e-6, name


class TestDtype:
    @pytest.mark.parametrize("with_norm", [False, True])
    def test_float32_all_the_way_from_float64_data(self, batch, with_norm, agrees_in_float32):
        """With dtype float32 and float64 data, are the parameters, scores and gradients float32, and
        the loss and gradients those of float64 to float32's precision?"""
        X, y = batch
        norm = dict(norm_forward=identity_norm_forward, norm_backward=identity_norm_backward) if with_norm else {}
        wide = FullyConnectedNet(HIDDEN, D, C, weight_scale=0.5, reg=0.2, seed=8, **norm)
        narrow = FullyConnectedNet(HIDDEN, D, C, weight_scale=0.5, reg=0.2, seed=8, dtype=np.float32, **norm)
        assert wide.dtype == np.float64 and narrow.dtype == np.float32
        assert all(value.dtype == np.float32 for value in narrow.params.values())
        assert narrow.loss(X).dtype == np.float32
        grads32 = agrees_in_float32(narrow, wide, X, y)
        for name, value in grads32.items():
            assert value.dtype == np.float32, name

    def test_non_floating_dtype_is_refused(self):
        with pytest.raises(ValueError, match="dtype must be a floating type"):
            FullyConnectedNet(HIDDEN, D, C, dtype=np.int64)
