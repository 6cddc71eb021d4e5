"""Plots for comparing optimizers: paths on a 2-D surface, training curves, learning-rate curves.

Every function draws on a new Figure (or on the Axes you pass) and returns the Figure; none
calls plt.show(), so notebooks display the figure and scripts can save it.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_surface", "plot_paths", "plot_histories", "plot_schedule", "smooth"]


def _check_named(items, what):
    """Raise ValueError unless items is a non-empty dict keyed by names."""
    if not isinstance(items, dict) or not items:
        raise ValueError(f"{what} must be a non-empty dict of name -> values, got {items!r:.80}")


def _new_axes(ax, figsize):
    """Return (fig, ax): the given Axes and its Figure, or a new single-Axes Figure."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def plot_surface(problem, *, ax=None, extent=None, num_levels=18, resolution=200, title=None):
    """Draw the contours of a 2-D loss surface and mark its minima with stars.

    problem: a surface with loss(w) for w of shape (..., 2), and optionally `extent`,
        `minima` (shape (K, 2)) and `name`.
    extent: (xmin, xmax, ymin, ymax), or None to use problem.extent.
    num_levels: number of contour lines, spaced geometrically above the lowest loss in the
        window so that the flat region around a minimum gets as many lines as the walls.
    Returns the Figure.
    """
    extent = getattr(problem, "extent", None) if extent is None else extent
    if extent is None or len(extent) != 4:
        raise ValueError(
            f"plot_surface needs extent=(xmin, xmax, ymin, ymax) when the problem has none, "
            f"got {extent!r}"
        )
    fig, ax = _new_axes(ax, (6, 4.5))
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    xs, ys = np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    z = np.asarray(problem.loss(grid), dtype=np.float64)
    low, high = float(np.min(z)), float(np.max(z))
    span = max(high - low, 1e-12)
    levels = low + np.geomspace(span * 1e-3, span, num_levels)
    # grey lines keep the colored paths drawn on top easy to tell apart
    ax.contour(xs, ys, z, levels=levels, colors="0.55", linewidths=0.7,
               negative_linestyles="solid")
    minima = getattr(problem, "minima", None)
    if minima is not None and len(minima):
        minima = np.asarray(minima).reshape(-1, 2)
        ax.plot(minima[:, 0], minima[:, 1], "*", color="gold", markeredgecolor="black",
                markersize=14, linestyle="none", zorder=5)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_title(getattr(problem, "name", "") if title is None else title)
    return fig


def plot_paths(problem, paths, *, ax=None, extent=None, title=None, colors=None,
               markevery=None):
    """Draw the paths of several update rules on the contours of one surface.

    problem: a surface (see plot_surface).
    paths: dict of name -> array of shape (T, 2), the points a rule visited (e.g. from
        cs231n_utils.surfaces.optimize_path). Points that left the window are clipped away.
    colors: dict of name -> matplotlib color, to keep one color per rule across several
        plots; names it lacks (or all, when None) take the next color of the cycle.
    markevery: draw a dot on every markevery-th point (None picks about 25 dots a path).
    Returns the Figure, with one labelled line per path and a legend.
    """
    _check_named(paths, "paths")
    colors = {} if colors is None else colors
    arrays = {}
    for name, path in paths.items():
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] < 1:
            raise ValueError(
                f"path {name!r} must have shape (T, 2) with T >= 1, got shape {path.shape}"
            )
        # a diverged run holds inf; NaN makes matplotlib leave a gap instead of failing
        arrays[name] = np.where(np.isfinite(path), path, np.nan)
    fig = plot_surface(problem, ax=ax, extent=extent, title=title)
    ax = fig.axes[0] if ax is None else ax
    for name, path in arrays.items():
        every = markevery if markevery is not None else max(1, len(path) // 25)
        style = {"color": colors[name]} if name in colors else {}
        (line,) = ax.plot(path[:, 0], path[:, 1], "-o", markersize=2.5, linewidth=1.2,
                          markevery=every, label=name, **style)
        ax.plot(path[0, 0], path[0, 1], "s", color=line.get_color(), markersize=6)
    ax.legend(loc="best", fontsize="small")
    return fig


def smooth(values, smoothing=0.9):
    """Exponential moving average with bias correction, the curve TensorBoard draws.

    values: array of shape (T,). smoothing: float in [0, 1), the weight of the past.
    Returns an array of shape (T,); its first value equals values[0].
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"smooth expects a 1-D array, got shape {values.shape}")
    if not 0.0 <= smoothing < 1.0:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing}")
    out = np.empty_like(values)
    avg = 0.0
    for t, v in enumerate(values):
        avg = smoothing * avg + (1.0 - smoothing) * v
        out[t] = avg / (1.0 - smoothing ** (t + 1))
    return out


def _history(solver, name):
    """Return (loss, train_acc, val_acc) arrays of a trained Solver, checked for shape."""
    try:
        loss = np.asarray(solver.loss_history, dtype=np.float64)
        train = np.asarray(solver.train_acc_history, dtype=np.float64)
        val = np.asarray(solver.val_acc_history, dtype=np.float64)
    except AttributeError as err:
        raise ValueError(
            f"histories[{name!r}] must be a trained Solver (with loss_history, "
            f"train_acc_history and val_acc_history): {err}"
        ) from err
    if loss.ndim != 1 or loss.size == 0:
        raise ValueError(f"histories[{name!r}] has no loss history; call .train() first")
    if train.ndim != 1 or train.shape != val.shape:
        raise ValueError(
            f"histories[{name!r}] has {train.shape} train and {val.shape} validation "
            f"accuracies; they must be 1-D and of the same length (one per epoch)"
        )
    return loss, train, val


def plot_histories(histories, *, smoothing=0.9, title=None):
    """Compare training runs: loss per iteration and train/validation accuracy per epoch.

    histories: dict of name -> trained Solver (anything with loss_history, train_acc_history
        and val_acc_history).
    smoothing: weight of the past in the moving average drawn over the raw loss (see smooth).
    Returns a Figure with three Axes: the loss (raw values faint, smoothed solid; log scale
    when every loss is positive), the training accuracy and the validation accuracy. Each has
    one labelled line per run; accuracies are drawn against the epoch, 0 being before training.
    """
    _check_named(histories, "histories")
    runs = {name: _history(solver, name) for name, solver in histories.items()}
    fig, (ax_loss, ax_train, ax_val) = plt.subplots(1, 3, figsize=(15, 4))
    for name, (loss, train, val) in runs.items():
        (line,) = ax_loss.plot(smooth(loss, smoothing), linewidth=1.5, label=name)
        color = line.get_color()
        ax_loss.plot(loss, color=color, alpha=0.25, linewidth=0.8)
        epochs = np.arange(len(train))
        ax_train.plot(epochs, train, "-o", color=color, markersize=3, label=name)
        ax_val.plot(epochs, val, "-o", color=color, markersize=3, label=name)
    finite = np.concatenate([loss[np.isfinite(loss)] for loss, _, _ in runs.values()])
    if finite.size and np.all(finite > 0):
        ax_loss.set_yscale("log")
    ax_loss.set(title="Training loss (faint: raw, solid: smoothed)", xlabel="iteration",
                ylabel="loss")
    ax_train.set(title="Training accuracy", xlabel="epoch", ylabel="accuracy")
    ax_val.set(title="Validation accuracy", xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_train, ax_val):
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    if title is not None:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_schedule(schedules, *, ax=None, log_scale=False, title="Learning-rate schedules",
                  xlabel="iteration"):
    """Draw learning-rate curves, one labelled line per schedule.

    schedules: dict of name -> array of shape (T,), the learning rate at steps 0 .. T-1
        (lengths may differ).
    log_scale: draw the learning rate on a log axis (schedules that decay by factors).
    Returns the Figure.
    """
    _check_named(schedules, "schedules")
    curves = {}
    for name, lrs in schedules.items():
        lrs = np.asarray(lrs, dtype=np.float64)
        if lrs.ndim != 1 or lrs.size == 0:
            raise ValueError(
                f"schedule {name!r} must be a non-empty 1-D array of learning rates, "
                f"got shape {lrs.shape}"
            )
        curves[name] = lrs
    fig, ax = _new_axes(ax, (7, 4))
    for name, lrs in curves.items():
        ax.plot(np.arange(len(lrs)), lrs, linewidth=1.5, label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel="learning rate")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return fig
