"""Small 2-D loss surfaces for watching optimizers move, and a loop that records their paths.

Each surface has `loss(w)` and `grad(w)` for w of shape (..., 2): a single point of shape (2,)
or a whole grid of shape (H, W, 2) at once (for contour plots). Each also carries `extent`
(xmin, xmax, ymin, ymax), a window that shows its interesting region, and `minima`, an array
of shape (K, 2) of its minimizers, so that plots can frame the surface and mark the goal.

These are tools for experiments: they know nothing about any particular update rule.
"""

import copy

import numpy as np

__all__ = [
    "IllConditionedQuadratic",
    "Saddle",
    "Rosenbrock",
    "NoisyGradient",
    "optimize_path",
]


def _points(w):
    """Return w as a float64 array of shape (..., 2), or say why it is not one."""
    w = np.asarray(w, dtype=np.float64)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(
            f"expected points of shape (..., 2) (a 2-D weight vector or a grid of them), "
            f"got shape {w.shape}"
        )
    return w


class IllConditionedQuadratic:
    """f(w) = 0.5 * (w - center)^T H (w - center), a bowl whose curvatures differ by a chosen factor.

    H has eigenvalues `max_curvature` and `max_curvature / condition_number`; its steep axis
    starts along the second coordinate and is turned counter-clockwise by `angle` radians. The
    condition number is what makes plain gradient descent slow: a learning rate small enough for
    the steep direction (below 2 / max_curvature) crawls along the flat one.

    condition_number: float >= 1, ratio of the largest to the smallest curvature.
    max_curvature: float > 0, the largest eigenvalue of H.
    angle: float, rotation of the axes in radians (0 keeps them along the coordinates).
    center: array of shape (2,) or None (the origin), the minimizer.
    """

    name = "ill-conditioned quadratic"

    def __init__(self, condition_number=50.0, *, max_curvature=1.0, angle=0.0, center=None):
        if not condition_number >= 1.0:
            raise ValueError(f"condition_number must be >= 1, got {condition_number}")
        if not max_curvature > 0.0:
            raise ValueError(f"max_curvature must be > 0, got {max_curvature}")
        self.center = np.zeros(2) if center is None else _points(center).reshape(2).copy()
        c, s = np.cos(angle), np.sin(angle)
        rotation = np.array([[c, -s], [s, c]])
        curvatures = np.array([max_curvature / condition_number, max_curvature])
        self.hessian = rotation @ np.diag(curvatures) @ rotation.T
        self.minima = self.center[None, :].copy()
        self.extent = (self.center[0] - 5.0, self.center[0] + 5.0,
                       self.center[1] - 2.5, self.center[1] + 2.5)

    @property
    def condition_number(self):
        """Ratio of the largest to the smallest eigenvalue of the Hessian."""
        eig = np.linalg.eigvalsh(self.hessian)
        return float(eig[-1] / eig[0])

    def loss(self, w):
        """w: array of shape (..., 2). Returns the loss, an array of shape (...)."""
        d = _points(w) - self.center
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.hessian, d)

    def grad(self, w):
        """w: array of shape (..., 2). Returns the gradient H (w - center), shape (..., 2)."""
        return (_points(w) - self.center) @ self.hessian.T


class Saddle:
    """f(x, y) = 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2: a saddle at the origin between two minima.

    Along x it is a bowl; along y it curves down at the origin (curvature -1) and back up to two
    minima at (0, -1) and (0, +1), where f = -0.25. A start with y close to 0 sees almost no
    gradient along y, so plain gradient descent lingers near the saddle before it escapes.
    """

    name = "saddle point"

    def __init__(self):
        self.minima = np.array([[0.0, -1.0], [0.0, 1.0]])
        self.extent = (-2.5, 2.5, -1.6, 1.6)

    def loss(self, w):
        """w: array of shape (..., 2). Returns the loss, an array of shape (...)."""
        w = _points(w)
        x, y = w[..., 0], w[..., 1]
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def grad(self, w):
        """w: array of shape (..., 2). Returns the gradient, shape (..., 2)."""
        w = _points(w)
        x, y = w[..., 0], w[..., 1]
        return np.stack([x, y**3 - y], axis=-1)


class Rosenbrock:
    """f(x, y) = (a - x)**2 + b * (y - x**2)**2: a curved, narrow valley with its minimum at (a, a**2).

    The valley floor is almost flat while its walls are steep, so first-order methods creep
    along the curve; a classic test for second-order methods such as L-BFGS.
    """

    name = "Rosenbrock"

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = float(a), float(b)
        self.minima = np.array([[self.a, self.a**2]])
        self.extent = (self.a - 3.0, self.a + 1.0, -1.0, self.a**2 + 2.0)

    def loss(self, w):
        """w: array of shape (..., 2). Returns the loss, an array of shape (...)."""
        w = _points(w)
        x, y = w[..., 0], w[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def grad(self, w):
        """w: array of shape (..., 2). Returns the gradient, shape (..., 2)."""
        w = _points(w)
        x, y = w[..., 0], w[..., 1]
        dx = -2.0 * (self.a - x) - 4.0 * self.b * x * (y - x**2)
        dy = 2.0 * self.b * (y - x**2)
        return np.stack([dx, dy], axis=-1)


class NoisyGradient:
    """Another surface whose gradient comes with Gaussian noise, like a minibatch gradient.

    The loss is the exact loss of `problem`; `grad(w)` returns the exact gradient plus
    `noise_std` times standard normal noise drawn from `rng`. The noise does not shrink near the
    minimum, which is why a constant learning rate keeps a stochastic method jittering there.

    problem: a surface with `loss(w)` and `grad(w)`.
    noise_std: float >= 0, the standard deviation of each gradient coordinate's noise.
    rng: np.random.Generator, the source of the noise (seed it for reproducible paths).
    """

    def __init__(self, problem, noise_std, rng):
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                f"rng must be a numpy Generator such as np.random.default_rng(0), "
                f"got {type(rng).__name__}"
            )
        if not noise_std >= 0.0:
            raise ValueError(f"noise_std must be >= 0, got {noise_std}")
        self.problem = problem
        self.noise_std = float(noise_std)
        self.rng = rng
        self.name = f"{getattr(problem, 'name', 'surface')} with noisy gradients"
        self.minima = getattr(problem, "minima", None)
        self.extent = getattr(problem, "extent", None)

    def loss(self, w):
        """w: array of shape (..., 2). Returns the exact loss of the wrapped surface."""
        return self.problem.loss(w)

    def grad(self, w):
        """w: array of shape (..., 2). Returns the exact gradient plus fresh noise, shape (..., 2)."""
        g = np.asarray(self.problem.grad(w), dtype=np.float64)
        return g + self.noise_std * self.rng.standard_normal(g.shape)


def optimize_path(rule, problem, w0, num_steps, config=None):
    """Run an update rule on a surface and record every point it visits.

    Calls `w, config = rule(w, problem.grad(w), config)` num_steps times, threading the
    returned config into the next call as a solver does. The config you pass in is deep-copied
    first, so one dict of hyperparameters can start several runs.

    rule: a function rule(w, dw, config) -> (next_w, config).
    problem: a surface with grad(w) for w of shape (2,).
    w0: array of shape (2,), the starting point.
    num_steps: int >= 0, the number of updates.
    config: dict or None (an empty dict), hyperparameters and optimizer state.

    Returns a tuple (path, config): path of shape (num_steps + 1, 2) whose first row is w0,
    and the config after the last step.
    """
    w = _points(w0)
    if w.shape != (2,):
        raise ValueError(f"w0 must have shape (2,), got {w.shape}")
    if int(num_steps) != num_steps or num_steps < 0:
        raise ValueError(f"num_steps must be an integer >= 0, got {num_steps}")
    config = {} if config is None else copy.deepcopy(config)
    path = np.empty((int(num_steps) + 1, 2))
    path[0] = w
    w = w.copy()
    for step in range(1, int(num_steps) + 1):
        dw = np.asarray(problem.grad(w), dtype=np.float64)
        # hand the rule copies so that an in-place update cannot rewrite the recorded path
        next_w, config = rule(w.copy(), dw.copy(), config)
        next_w = np.asarray(next_w, dtype=np.float64)
        if next_w.shape != (2,):
            raise ValueError(
                f"the update rule returned weights of shape {next_w.shape} at step {step}; "
                f"it must return (next_w, config) with next_w of the same shape (2,) as w"
            )
        if not isinstance(config, dict):
            raise ValueError(
                f"the update rule returned a {type(config).__name__} as its config at step "
                f"{step}; it must return (next_w, config) with config a dict"
            )
        path[step] = next_w
        w = next_w
    return path, config
