"""Visible checks for the notebooks: messages that say where and by how much an answer is off.

A check cell asserts with `check_close`, so a failure names the function, the largest absolute
and relative difference and where it is, instead of printing two arrays that look equal at
printed precision. `require` stops a cell in one line when a function it needs still has its
stub (nbgrader's `raise NotImplementedError()`). The hidden tests describe differences with the
same `describe_difference`, so the notebook and the feedback speak alike.
"""

import inspect

import numpy as np

STUB_MARK = "raise NotImplementedError"


class NotWrittenYet(Exception):
    """A function the cell needs still has its stub. Shown as one line in Jupyter."""

    def _render_traceback_(self):  # IPython's hook: the message, without a traceback
        return [f"{type(self).__name__}: {self}"]


def written(fn):
    """Whether `fn` has been written: its source no longer holds the release's stub."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return True  # no source to read (a lambda typed at a prompt, a builtin): assume written
    return not any(line.strip().startswith(STUB_MARK) for line in source.splitlines())


def require(*functions):
    """Raise NotWrittenYet naming the first of `functions` that still has its stub."""
    for fn in functions:
        if not written(fn):
            raise NotWrittenYet(f"write {fn.__name__} above first: it still raises NotImplementedError "
                                "(replace the stub where it says YOUR CODE HERE, run its cell, then this one)")


def _where(index, shape):
    return "" if shape == () else f" at index {tuple(int(i) for i in index)}"


def describe_difference(got, expected):
    """One line on how `got` differs from `expected` (arrays or numbers of the same shape).

    Names the largest absolute and the largest relative difference and where each is, with
    both values there in full precision; says so when `got` holds NaN or inf.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        i = np.unravel_index(np.argmax(bad), got.shape)
        return f"{int(bad.sum())} value(s) are NaN or inf, the first{_where(i, got.shape)} (a division by zero?)"
    with np.errstate(all="ignore"):
        absolute = np.abs(got - expected)
        relative = absolute / np.maximum(1e-8, np.abs(got) + np.abs(expected))
    absolute = np.where(np.isnan(absolute), 0.0, absolute)
    relative = np.where(np.isnan(relative), 0.0, relative)
    i = np.unravel_index(np.argmax(absolute), got.shape)
    j = np.unravel_index(np.argmax(relative), got.shape)
    text = (f"largest absolute difference {absolute[i]:.3g}{_where(i, got.shape)} "
            f"(got {float(got[i])!r}, expected {float(expected[i])!r})")
    if j != i:
        text += f"; largest relative difference {relative[j]:.3g}{_where(j, got.shape)} " \
                f"(got {float(got[j])!r}, expected {float(expected[j])!r})"
    else:
        text += f", relative {relative[i]:.3g}"
    return text


def check_close(name, got, expected, tol, hint=""):
    """Assert that `got` equals `expected` to relative error `tol`, or say where and by how much not.

    name: what is checked, as the student reads it ("adam, second step").
    hint: what a failure usually means, appended to the message.
    """
    expected = np.asarray(expected, dtype=np.float64)
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{name}: got {type(got).__name__}, expected an array of numbers. {hint}") from None
    if array.shape != expected.shape:
        raise AssertionError(f"{name}: got shape {array.shape}, expected {expected.shape}. {hint}".rstrip())
    with np.errstate(all="ignore"):
        error = np.abs(array - expected) / np.maximum(1e-8, np.abs(array) + np.abs(expected))
    if not np.all(np.isfinite(array)) or not np.all(error <= tol):
        raise AssertionError(f"{name}: {describe_difference(array, expected)}; "
                             f"tolerance {tol:g} (relative). {hint}".rstrip())
