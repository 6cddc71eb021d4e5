"""Hidden tests of 03_optimizers: each update rule is judged on the weights it produces.

A rule is called several times with its returned config threaded through, as a training loop
does, and the sequence of weights is compared with the reference's. Any formulation that gives
the same sequence earns full marks, whatever it keeps in its state (API.md). Shapes, values and
hyperparameters are drawn from the run's seed (`rng`), so no answer can be hard-coded.

Every test checks the weights, each in its own situation (defaults, hyperparameters, a partial
config, two parameters, a learning-rate schedule, the caller's gradient), so a wrong formula
loses all of a rule's 3 points and a slip in handling config or arguments loses only its part.
"""

import numpy as np
import pytest

from autograder.hints import explain_mismatch

RULES = ["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw"]
POINTS = 0.5  # six tests per rule: 3 points, as the notebook's check cells say
RTOL, ATOL = 1e-10, 1e-12  # other formulations agree to ~1e-15; float32 or a real mistake is far off
NUM_CALLS = 8
GRADED_RULES = [pytest.param(rule, marks=pytest.mark.graded(rule, points=POINTS), id=rule) for rule in RULES]


def random_hyperparameters(rule, rng):
    """Every hyperparameter of `rule`, none at its default, so that ignoring config shows."""
    hp = {"learning_rate": float(rng.uniform(2e-3, 5e-2))}
    if rule in ("sgd_momentum", "nesterov_momentum"):
        hp["momentum"] = float(rng.uniform(0.5, 0.85))
    if rule == "rmsprop":
        hp["decay_rate"] = float(rng.uniform(0.8, 0.95))
    if rule in ("adam", "adamw"):
        hp["beta1"] = float(rng.uniform(0.7, 0.85))
        hp["beta2"] = float(rng.uniform(0.9, 0.99))
    if rule == "adamw":
        hp["weight_decay"] = float(rng.uniform(0.05, 0.2))
    if rule in ("adagrad", "rmsprop", "adam", "adamw"):
        hp["epsilon"] = float(10.0 ** rng.uniform(-5, -3))  # large enough that where it goes shows
    return hp


def random_shape(rng):
    """1 to 4 dimensions of 1 to 5 each: a bias, a weight matrix, a convolution's filters."""
    return tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 5)))


def random_problem(rng, shape=None, num_calls=NUM_CALLS):
    """Initial weights and a sequence of gradients, of a random shape unless given."""
    shape = shape or random_shape(rng)
    scale = rng.uniform(0.1, 3.0)
    return rng.normal(size=shape), [rng.normal(scale=scale, size=shape) for _ in range(num_calls)]


def shown(config):
    """A config as the student reads it in feedback."""
    if config is None:
        return "config=None"
    return "config {" + ", ".join(f"{k!r}: {v:.4g}" for k, v in config.items()) + "}"


def call(rule_fn, w, dw, config):
    """One call of the rule -> (next_w as a float64 array, config), or AssertionError saying what is wrong."""
    result = rule_fn(w, dw, config)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise AssertionError(f"must return a pair (next_w, config); got {type(result).__name__}")
    next_w, config = result
    if not isinstance(config, dict):
        raise AssertionError(f"the config returned must be the dict of hyperparameters and state, not "
                             f"{type(config).__name__}: the next call needs its state")
    try:
        next_w = np.asarray(next_w, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"next_w must be an array of numbers; got {type(next_w).__name__}") from None
    if next_w.shape != np.shape(w):
        raise AssertionError(f"next_w has shape {next_w.shape}; it must keep the shape of w, {np.shape(w)}")
    return next_w, config


def trajectory(rule_fn, w0, grads, config, lr_changes=None, dw_watched=False):
    """Weights after each call of `rule_fn`, threading the config it returns.

    lr_changes: {call index: learning rate} set in the config before that call, as a schedule does.
    dw_watched: raise AssertionError when a call changes its dw argument.
    """
    w, weights, config = w0.copy(), [], None if config is None else dict(config)
    for i, dw in enumerate(grads):
        if lr_changes and i in lr_changes:
            config["learning_rate"] = lr_changes[i]
        passed = dw.copy()
        w, config = call(rule_fn, w, passed, config)
        if dw_watched and not np.array_equal(passed, dw):
            raise AssertionError(f"call {i + 1} changed its argument dw in place (dw *= ..., dw /= ... or the like): "
                                 "the caller still needs its gradient, so compute with new arrays instead")
        weights.append(w.copy())
    return weights


def interleaved(rule_fn, first, second):
    """Two parameters, each with its own (w0, grads, config), updated in turn: [a1, b1, a2, b2, ...]."""
    ws = [first[0].copy(), second[0].copy()]
    configs = [dict(first[2]), dict(second[2])]
    weights = []
    for dws in zip(first[1], second[1]):
        for k in (0, 1):
            ws[k], configs[k] = call(rule_fn, ws[k], dws[k].copy(), configs[k])
            weights.append(ws[k].copy())
    return weights


def check(rule, student_fn, replay, accepted, situation):
    """Assert that the student's weights in `replay` equal one of the `accepted` sequences.

    situation: what the test did, told to the student in the feedback ("with config=None").
    """
    got = replay(student_fn)
    if any(all(np.allclose(g, a, rtol=RTOL, atol=ATOL) for g, a in zip(got, want)) for want in accepted):
        return
    want = accepted[0]
    step = next(i for i, (g, a) in enumerate(zip(got, want)) if not np.allclose(g, a, rtol=RTOL, atol=ATOL))
    if not np.all(np.isfinite(got[step])):
        what = "contain NaN or inf (a division by zero?)"
    else:
        what = f"differ from the expected ones by up to {float(np.max(np.abs(got[step] - want[step]))):.3g}"
    hint = explain_mismatch(rule, got, replay)
    raise AssertionError(f"{situation}: after call {step + 1} of {len(want)} the weights {what}"
                         + (f". {hint}" if hint else ""))


def pytorch_buffer_form(rule):
    """Momentum as torch.optim.SGD keeps it: buf = mu*buf + dw, then w - lr*buf (Nesterov: w - lr*(dw + mu*buf)).

    With a constant learning rate it gives the reference's weights; under a schedule it scales
    the whole velocity by the new rate, where the reference scales only the new gradient. Both
    follow the change from the next call on, so both are right.
    """
    def rule_fn(w, dw, config):
        lr, mu = config["learning_rate"], config["momentum"]
        buf = mu * config.get("buf", 0.0) + dw
        step = dw + mu * buf if rule == "nesterov_momentum" else buf
        return w - lr * step, {**config, "buf": buf}
    return rule_fn


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_defaults(rule, student, reference, rng):
    """with config=None, follows the default hyperparameters over 8 calls"""
    w0, grads = random_problem(rng)

    def replay(fn):
        return trajectory(fn, w0, grads, None)

    check(rule, getattr(student, rule), replay, [replay(getattr(reference, rule))], "with config=None")


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_hyperparameters(rule, student, reference, rng):
    """reads every hyperparameter from config (random values, arrays of 1 to 4 dimensions)"""
    w0, grads = random_problem(rng)
    config = random_hyperparameters(rule, rng)

    def replay(fn):
        return trajectory(fn, w0, grads, config)

    check(rule, getattr(student, rule), replay, [replay(getattr(reference, rule))],
          f"with w of shape {w0.shape} and {shown(config)}")


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_partial_config(rule, student, reference, rng):
    """with only some hyperparameters in config (sgd: an empty dict), takes the defaults for the others"""
    w0, grads = random_problem(rng)
    full = random_hyperparameters(rule, rng)
    size = int(rng.integers(1, len(full))) if len(full) > 1 else 0
    config = {str(k): full[k] for k in sorted(rng.choice(sorted(full), size=size, replace=False))}

    def replay(fn):
        return trajectory(fn, w0, grads, config)

    check(rule, getattr(student, rule), replay, [replay(getattr(reference, rule))],
          f"with {shown(config)} (the other hyperparameters at their defaults)")


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_separate_states(rule, student, reference, rng):
    """keeps all its state in config: two parameters updated in turn, each with its own config, do not interfere"""
    first = (*random_problem(rng, num_calls=6), random_hyperparameters(rule, rng))
    second = (*random_problem(rng, num_calls=6), random_hyperparameters(rule, rng))

    def replay(fn):
        return interleaved(fn, first, second)

    check(rule, getattr(student, rule), replay, [replay(getattr(reference, rule))],
          f"with two parameters, of shapes {first[0].shape} and {second[0].shape}, each with its own config, "
          "updated in turn (calls 1, 3, 5... update the first): keep all state in config, none in global variables")


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_learning_rate_change(rule, student, reference, rng):
    """follows a learning_rate changed in config between calls, as a learning-rate schedule does"""
    w0, grads = random_problem(rng)
    config = random_hyperparameters(rule, rng)
    lr = config["learning_rate"]
    lr_changes = {3: lr * rng.uniform(0.1, 0.5), 6: lr * rng.uniform(0.01, 0.1)}

    def replay(fn):
        return trajectory(fn, w0, grads, config, lr_changes)

    accepted = [replay(getattr(reference, rule))]
    if rule in ("sgd_momentum", "nesterov_momentum"):
        accepted.append(replay(pytorch_buffer_form(rule)))
    changes = " and ".join(f"to {lr:.4g} before call {i + 1}" for i, lr in lr_changes.items())
    check(rule, getattr(student, rule), replay, accepted,
          f"with {shown(config)} and its learning_rate changed {changes} (read it from config at every call)")


@pytest.mark.parametrize("rule", GRADED_RULES)
def test_gradient_untouched(rule, student, reference, rng):
    """leaves its argument dw unchanged, since the caller may still need the gradient"""
    w0, grads = random_problem(rng)
    config = random_hyperparameters(rule, rng)

    def replay(fn):
        return trajectory(fn, w0, grads, config, dw_watched=True)

    check(rule, getattr(student, rule), replay, [replay(getattr(reference, rule))],
          f"with w of shape {w0.shape} and {shown(config)}")
