"""Do the 2-D test surfaces have the losses, gradients and curvature they promise, and does
optimize_path thread an update rule's config the way a solver does?"""

import numpy as np
import pytest
import torch

from cs231n_utils.surfaces import (
    IllConditionedQuadratic,
    NoisyGradient,
    Rosenbrock,
    Saddle,
    optimize_path,
)

TOL = 1e-12


def torch_loss(problem, w):
    """The surface's loss written independently in torch, for autograd."""
    x, y = w[..., 0], w[..., 1]
    if isinstance(problem, IllConditionedQuadratic):
        d = w - torch.as_tensor(problem.center)
        return 0.5 * torch.einsum("...i,ij,...j->...", d, torch.as_tensor(problem.hessian), d)
    if isinstance(problem, Saddle):
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2
    if isinstance(problem, Rosenbrock):
        return (problem.a - x) ** 2 + problem.b * (y - x**2) ** 2
    raise TypeError(type(problem))


SURFACES = [
    IllConditionedQuadratic(50.0),
    IllConditionedQuadratic(7.0, max_curvature=3.0, angle=0.6, center=[1.0, -2.0]),
    Saddle(),
    Rosenbrock(),
    Rosenbrock(a=-0.5, b=10.0),
]


@pytest.mark.parametrize("problem", SURFACES, ids=lambda p: p.name)
def test_loss_and_grad_match_torch_autograd_on_a_grid(problem):
    """Are loss and grad right, point by point and vectorised over a (H, W, 2) grid?"""
    rng = np.random.default_rng(0)
    grid = rng.uniform(-2.0, 2.0, size=(4, 5, 2))
    w = torch.tensor(grid, dtype=torch.float64, requires_grad=True)
    expected = torch_loss(problem, w)
    expected.sum().backward()
    np.testing.assert_allclose(problem.loss(grid), expected.detach().numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(problem.grad(grid), w.grad.numpy(), rtol=TOL, atol=1e-10)
    single = grid[1, 2]
    assert problem.grad(single).shape == (2,)
    assert np.ndim(problem.loss(single)) == 0
    np.testing.assert_allclose(problem.grad(single), w.grad.numpy()[1, 2], rtol=TOL, atol=1e-10)


@pytest.mark.parametrize("problem", SURFACES, ids=lambda p: p.name)
def test_gradient_vanishes_at_the_stated_minima(problem):
    """Are the advertised minima stationary points with the lowest loss nearby?"""
    for w_star in problem.minima:
        np.testing.assert_allclose(problem.grad(w_star), 0.0, atol=1e-12)
        around = w_star + np.random.default_rng(1).normal(scale=1e-2, size=(20, 2))
        assert np.all(problem.loss(around) > problem.loss(w_star))


@pytest.mark.parametrize("kappa, curvature, angle", [(1.0, 1.0, 0.0), (50.0, 1.0, 0.0),
                                                     (1000.0, 4.0, 0.3), (12.5, 0.2, -1.1)])
def test_quadratic_has_the_requested_condition_number(kappa, curvature, angle):
    """Does the Hessian (by torch autograd) have eigenvalues max_curvature and max/kappa?"""
    problem = IllConditionedQuadratic(kappa, max_curvature=curvature, angle=angle)
    point = torch.tensor([0.3, -0.7], dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(lambda w: torch_loss(problem, w), point).numpy()
    eig = np.linalg.eigvalsh(hessian)
    np.testing.assert_allclose(eig, [curvature / kappa, curvature], rtol=1e-12)
    np.testing.assert_allclose(problem.hessian, hessian, rtol=1e-12, atol=1e-15)
    assert problem.condition_number == pytest.approx(kappa, rel=1e-9)


def test_quadratic_steep_axis_turns_with_the_angle():
    """Is the steep direction the second coordinate at angle 0, turned by the angle after?"""
    steep = np.linalg.eigh(IllConditionedQuadratic(10.0).hessian)[1][:, -1]
    assert abs(steep @ [0.0, 1.0]) == pytest.approx(1.0)
    turned = np.linalg.eigh(IllConditionedQuadratic(10.0, angle=np.pi / 6).hessian)[1][:, -1]
    assert abs(turned @ [-np.sin(np.pi / 6), np.cos(np.pi / 6)]) == pytest.approx(1.0)


def test_saddle_curves_down_at_the_origin():
    """Is the origin a saddle: a stationary point with one negative curvature?"""
    hessian = torch.autograd.functional.hessian(
        lambda w: torch_loss(Saddle(), w), torch.zeros(2, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [-1.0, 1.0], atol=1e-15)
    np.testing.assert_allclose(Saddle().grad(np.zeros(2)), 0.0)


@pytest.mark.parametrize("bad", [IllConditionedQuadratic, Saddle, Rosenbrock])
def test_points_of_the_wrong_shape_are_rejected(bad):
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        bad().grad(np.zeros(3))


def test_quadratic_rejects_a_condition_number_below_one():
    with pytest.raises(ValueError, match="condition_number"):
        IllConditionedQuadratic(0.5)


def test_noisy_gradient_adds_seeded_noise_of_the_stated_size():
    """Is the noise zero-mean with the stated spread, and repeatable from the same seed?"""
    base = IllConditionedQuadratic(10.0)
    w = np.array([1.0, -0.5])
    noisy = NoisyGradient(base, 0.3, np.random.default_rng(5))
    draws = np.array([noisy.grad(w) for _ in range(20000)]) - base.grad(w)
    assert np.abs(draws.mean(axis=0)).max() < 4 * 0.3 / np.sqrt(20000)
    np.testing.assert_allclose(draws.std(axis=0), 0.3, rtol=0.03)
    again = NoisyGradient(base, 0.3, np.random.default_rng(5))
    np.testing.assert_array_equal(again.grad(w) - base.grad(w), draws[0])
    assert noisy.loss(w) == base.loss(w)
    np.testing.assert_array_equal(noisy.minima, base.minima)


def test_noisy_gradient_wants_a_generator():
    with pytest.raises(ValueError, match="default_rng"):
        NoisyGradient(Saddle(), 0.1, 0)


def counting_rule(w, dw, config=None):
    """Gradient descent that counts its calls and remembers the gradients it saw."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 0.1)
    config["calls"] = config.get("calls", 0) + 1
    config.setdefault("seen", []).append(dw.copy())
    return w - config["learning_rate"] * dw, config


def test_optimize_path_threads_the_config_through_every_call():
    """Does each call get the config the previous one returned, and the path start at w0?"""
    problem = Saddle()
    w0 = np.array([1.5, 0.2])
    start = {"learning_rate": 0.05}
    path, config = optimize_path(counting_rule, problem, w0, 7, start)
    assert path.shape == (8, 2)
    np.testing.assert_array_equal(path[0], w0)
    assert config["calls"] == 7
    assert len(config["seen"]) == 7
    for t in range(7):
        np.testing.assert_array_equal(config["seen"][t], problem.grad(path[t]))
        np.testing.assert_allclose(path[t + 1], path[t] - 0.05 * problem.grad(path[t]))
    assert start == {"learning_rate": 0.05}, "the caller's config must not be changed"


def test_optimize_path_gradient_descent_matches_the_closed_form():
    """On a quadratic, gradient descent gives w_t = (I - lr H)^t w0 exactly."""
    problem = IllConditionedQuadratic(20.0, angle=0.4)
    w0 = np.array([-3.0, 1.0])
    path, config = optimize_path(counting_rule, problem, w0, 30, {"learning_rate": 0.5})
    step = np.eye(2) - 0.5 * problem.hessian
    expected = np.array([np.linalg.matrix_power(step, t) @ w0 for t in range(31)])
    np.testing.assert_allclose(path, expected, rtol=1e-10, atol=1e-14)
    assert config["learning_rate"] == 0.5


def test_optimize_path_is_safe_from_in_place_rules_and_empty_configs():
    """A rule that updates w in place must not rewrite the recorded path; None means {}."""
    def in_place(w, dw, config=None):
        config = {} if config is None else config
        w -= 0.1 * dw
        return w, config

    path, config = optimize_path(in_place, Saddle(), np.array([1.0, 0.5]), 3)
    assert config == {}
    assert len({tuple(p) for p in path}) == 4, "every recorded point must stay distinct"


def test_optimize_path_with_zero_steps_returns_the_start():
    path, config = optimize_path(counting_rule, Saddle(), [0.5, 0.5], 0)
    np.testing.assert_array_equal(path, [[0.5, 0.5]])
    assert config == {}


@pytest.mark.parametrize("rule, message", [
    (lambda w, dw, config: (np.zeros(3), config), "shape"),
    (lambda w, dw, config: (w, None), "config a dict"),
])
def test_optimize_path_names_a_broken_rule(rule, message):
    with pytest.raises(ValueError, match=message):
        optimize_path(rule, Saddle(), np.ones(2), 2)


def test_optimize_path_rejects_a_bad_start():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        optimize_path(counting_rule, Saddle(), np.ones((2, 2)), 2)
    with pytest.raises(ValueError, match="num_steps"):
        optimize_path(counting_rule, Saddle(), np.ones(2), -1)
