"""Do the plotting helpers draw what they promise (axes, lines, labels) and refuse bad input?"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from cs231n_utils.plots import (  # noqa: E402
    plot_histories,
    plot_paths,
    plot_schedule,
    plot_surface,
    smooth,
)
from cs231n_utils.surfaces import IllConditionedQuadratic, Saddle  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_labels(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def labelled_lines(ax):
    return {line.get_label(): line for line in ax.get_lines()
            if not line.get_label().startswith("_")}


class FakeSolver:
    """The attributes plot_histories reads from a trained Solver."""

    def __init__(self, loss_history, train_acc_history, val_acc_history):
        self.loss_history = loss_history
        self.train_acc_history = train_acc_history
        self.val_acc_history = val_acc_history


def test_plot_paths_draws_each_path_on_the_contours():
    """One labelled line per path through exactly its points, contours, and the minima."""
    problem = Saddle()
    paths = {"sgd": np.array([[-2.0, 0.1], [-1.0, 0.2], [0.0, 0.9]]),
             "adam": np.array([[-2.0, 0.1], [-1.9, 0.2]])}
    fig = plot_paths(problem, paths, title="two rules")
    assert isinstance(fig, plt.Figure)
    (ax,) = fig.axes
    assert ax.get_title() == "two rules"
    assert legend_labels(ax) == ["sgd", "adam"]
    lines = labelled_lines(ax)
    for name, path in paths.items():
        np.testing.assert_array_equal(np.column_stack(lines[name].get_data()), path)
    assert ax.collections, "the surface's contours must be drawn"
    stars = [line for line in ax.get_lines() if line.get_marker() == "*"]
    np.testing.assert_array_equal(np.column_stack(stars[0].get_data()), problem.minima)
    assert ax.get_xlim() == problem.extent[:2] and ax.get_ylim() == problem.extent[2:]


def test_plot_paths_draws_on_a_given_axes_and_survives_divergence():
    """With ax given, draw there; an inf from a diverged run becomes a gap (NaN)."""
    fig, axes = plt.subplots(1, 2)
    out = plot_paths(IllConditionedQuadratic(10.0), {"diverged": [[1.0, 1.0], [np.inf, -np.inf]]},
                     ax=axes[1])
    assert out is fig
    assert not axes[0].get_lines()
    x, _ = labelled_lines(axes[1])["diverged"].get_data()
    assert np.isnan(x[1])


def test_plot_paths_keeps_the_colors_it_is_given():
    """A name found in colors gets that color; the others take the cycle's."""
    fig = plot_paths(Saddle(), {"a": [[0.0, 0.1]], "b": [[0.0, 0.2]]}, colors={"b": "red"})
    lines = labelled_lines(fig.axes[0])
    assert lines["b"].get_color() == "red"
    assert lines["a"].get_color() != "red"


@pytest.mark.parametrize("paths", [
    {},
    {"bad": np.zeros((4, 3))},
    {"bad": np.zeros(2)},
    {"bad": np.zeros((0, 2))},
])
def test_plot_paths_rejects_bad_paths(paths):
    with pytest.raises(ValueError):
        plot_paths(Saddle(), paths)


def test_plot_surface_needs_an_extent():
    class Bowl:
        def loss(self, w):
            return (np.asarray(w) ** 2).sum(axis=-1)

    with pytest.raises(ValueError, match="extent"):
        plot_surface(Bowl())
    fig = plot_surface(Bowl(), extent=(-1, 1, -2, 2))
    assert fig.axes[0].get_ylim() == (-2.0, 2.0)


def test_smooth_is_a_bias_corrected_moving_average():
    """Matches the formula written out with torch, and starts at the first value."""
    values = np.array([4.0, 2.0, 3.0, 1.0, 0.5])
    beta = 0.8
    t = torch.tensor(values, dtype=torch.float64)
    avg, expected = torch.zeros((), dtype=torch.float64), []
    for i in range(len(t)):
        avg = beta * avg + (1 - beta) * t[i]
        expected.append(avg / (1 - beta ** (i + 1)))
    np.testing.assert_allclose(smooth(values, beta), torch.stack(expected).numpy(), rtol=1e-14)
    assert smooth(values, 0.0).tolist() == values.tolist()
    with pytest.raises(ValueError):
        smooth(values, 1.0)


def test_plot_histories_has_loss_and_accuracy_axes_with_one_line_per_run():
    runs = {
        "sgd": FakeSolver([2.3, 2.1, 1.9, 1.8], [0.1, 0.3, 0.4], [0.1, 0.25, 0.35]),
        "adam": FakeSolver([2.3, 1.5, 1.0, 0.8], [0.1, 0.6, 0.8], [0.1, 0.5, 0.6]),
    }
    fig = plot_histories(runs, smoothing=0.5)
    loss_ax, train_ax, val_ax = fig.axes
    assert [ax.get_xlabel() for ax in fig.axes] == ["iteration", "epoch", "epoch"]
    assert "loss" in loss_ax.get_title().lower()
    assert "training" in train_ax.get_title().lower()
    assert "validation" in val_ax.get_title().lower()
    assert loss_ax.get_yscale() == "log"
    for ax in fig.axes:
        assert legend_labels(ax) == ["sgd", "adam"]
    # raw loss drawn faintly next to the smoothed one
    assert len(loss_ax.get_lines()) == 4
    np.testing.assert_allclose(labelled_lines(loss_ax)["adam"].get_ydata(),
                               smooth(runs["adam"].loss_history, 0.5))
    np.testing.assert_array_equal(labelled_lines(val_ax)["sgd"].get_ydata(), [0.1, 0.25, 0.35])
    np.testing.assert_array_equal(labelled_lines(train_ax)["adam"].get_xdata(), [0, 1, 2])


def test_plot_histories_uses_a_linear_axis_for_non_positive_losses():
    fig = plot_histories({"hinge": FakeSolver([1.0, 0.0, 0.0], [0.5], [0.5])})
    assert fig.axes[0].get_yscale() == "linear"


@pytest.mark.parametrize("histories, message", [
    ({}, "non-empty"),
    ({"x": FakeSolver([], [0.1], [0.1])}, "train"),
    ({"x": FakeSolver([2.0, 1.0], [0.1, 0.2], [0.1])}, "same length"),
    ({"x": object()}, "trained Solver"),
])
def test_plot_histories_rejects_bad_histories(histories, message):
    with pytest.raises(ValueError, match=message):
        plot_histories(histories)


def test_plot_schedule_draws_one_labelled_curve_per_schedule():
    schedules = {"step": 0.1 * 0.5 ** (np.arange(30) // 10), "constant": np.full(20, 0.1)}
    fig = plot_schedule(schedules, log_scale=True)
    (ax,) = fig.axes
    assert legend_labels(ax) == ["step", "constant"]
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "learning rate"
    lines = labelled_lines(ax)
    np.testing.assert_array_equal(lines["step"].get_ydata(), schedules["step"])
    np.testing.assert_array_equal(lines["constant"].get_xdata(), np.arange(20))


@pytest.mark.parametrize("schedules", [{}, {"x": np.zeros((3, 2))}, {"x": []}, [0.1, 0.2]])
def test_plot_schedule_rejects_bad_schedules(schedules):
    with pytest.raises(ValueError):
        plot_schedule(schedules)
