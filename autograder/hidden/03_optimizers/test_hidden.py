"""Hidden tests of 03_optimizers: each update rule, one property per test.

A rule is called several times with its returned config threaded through, as a training loop
does. The formula (given hyperparameters, defaults, a partial config, a learning rate changed
between calls, edge gradients) is judged against the reference's weights and carries 2.5 of a
rule's 3 points;
two properties are judged against the student's own rule: state kept in config (two parameters
updated in turn give what each gives alone) and the gradient left untouched. Any formulation
that gives the same weights earns full marks, whatever it keeps in its state (the contract).
A wrong answer is named by the catalog mistake that gives the same weights; a wrong default is
named by its behaviour instead (right with every hyperparameter spelled out, wrong with one left
out), since real students' wrong defaults take many values.

What a test covers never depends on the draw: the random values only pick shapes, weights and
gradients from ranges where every draw exercises the same property. Weights stay away from zero
(so relative tolerances mean something); every gradient mixes small entries (|dw| < 1e-2,
where epsilon's place in the formula shows even at its default 1e-8) with large ones; every array
holds at least 12 numbers (so float32 rounding shows); epsilon, when given, is large.

Edge gradients, with every hyperparameter given and epsilon at 1e-8: all zeros (an adaptive
rule's cache stays 0, where only epsilon keeps the step finite), about half the entries 0 two
calls running, tiny ones (far below epsilon), huge ones (up to 1e150, whose squares still fit in
float64), a single weight, a 0-d w (any shape is allowed), and float32 w and dw (as the Solver
trains in float32), judged at float32's precision (FLOAT32_RTOL). Those are the explicit examples
(`autograder.edges`), run first; hypothesis adds sequences of 2 to 5 gradients of these kinds,
seeded from the submission's seed.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

from autograder import edges
from autograder.catalog import module
from autograder.sandbox.messages import StudentError
from autograder.testing import Functions, Mismatch, fresh, judge, same

RULES = ["sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw"]
DEFAULTS = {
    "sgd": {"learning_rate": 1e-2},
    "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "nesterov_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
    "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
    "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
    "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    "adamw": {"learning_rate": 1e-3, "weight_decay": 1e-2, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
# Formulations written otherwise agree to ~1e-15; float32 arithmetic is ~1e-7 off; epsilon in the
# wrong place moves a step with |dw| < 1e-2 by more than 1e-5 of itself.
RTOL, ATOL = 1e-9, 1e-12
FLOAT32_RTOL, FLOAT32_ATOL = 1e-4, 1e-6  # float32 input: a rule computing in float32 or float64 agrees to ~1e-6
NUM_CALLS = 8
SHAPES = [(12,), (4, 5), (3, 2, 4), (2, 3, 2, 2), (5, 3)]
CATALOG = module("03_optimizers", "mistakes")


def graded(points):
    return [pytest.param(rule, marks=pytest.mark.graded(rule, points=points), id=rule) for rule in RULES]


def away_from_zero(rng, shape, low, high):
    """Values of random sign and magnitude in [low, high]: relative tolerances stay meaningful."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def gradient(rng, shape):
    """Entries of alternating size: even ones (flat order) in [1e-3, 1e-2], odd ones in [0.3, 2]."""
    small = np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0
    return np.where(small, away_from_zero(rng, shape, 1e-3, 1e-2), away_from_zero(rng, shape, 0.3, 2.0))


def problem(rng, num_calls=NUM_CALLS):
    """Initial weights and a sequence of gradients of one of SHAPES."""
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    return away_from_zero(rng, shape, 0.5, 2.0), [gradient(rng, shape) for _ in range(num_calls)]


def hyperparameters(rule, rng):
    """Every hyperparameter of `rule`, none at its default, so that ignoring config shows."""
    hp = {"learning_rate": float(rng.uniform(5e-3, 5e-2))}
    if "momentum" in DEFAULTS[rule]:
        hp["momentum"] = float(rng.uniform(0.5, 0.8))
    if rule == "rmsprop":
        hp["decay_rate"] = float(rng.uniform(0.8, 0.95))
    if "beta1" in DEFAULTS[rule]:
        hp["beta1"] = float(rng.uniform(0.7, 0.85))
        hp["beta2"] = float(rng.uniform(0.9, 0.98))
    if rule == "adamw":
        hp["weight_decay"] = float(rng.uniform(0.5, 2.0))
    if "epsilon" in DEFAULTS[rule]:
        hp["epsilon"] = float(10.0 ** rng.uniform(-4, -2.5))  # large enough that where it goes shows
    return hp


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


def trajectory(impl, rule, w0, grads, config, lr_changes=None):
    """{"weights after call k": w_k}, threading the config, from a freshly loaded `impl`.

    lr_changes: {call index: learning rate} set in the config before that call, as a schedule does.
    """
    rule_fn = getattr(fresh(impl), rule)
    w, out, config = w0.copy(), {}, None if config is None else dict(config)
    for i, dw in enumerate(grads):
        if lr_changes and i in lr_changes:
            config["learning_rate"] = lr_changes[i]
        w, config = call(rule_fn, w, dw.copy(), config)
        out[f"weights after call {i + 1}"] = w.copy()
    return out


def check(rule, run, student, reference, mistakes, situation, accepted=(), rtol=RTOL, atol=ATOL):
    judge(rule, run, student, reference, mistakes, situation=situation, accepted=accepted, rtol=rtol, atol=atol)


def wrong_default(rule, student, reference, w0, grads, given):
    """The hint for a wrong default, or None: the student's rule follows the reference with every
    hyperparameter of `given` spelled out, and departs from it when one of them is left out.

    Named by behaviour, so any wrong value is named (real students wrote 0.1, 1e-3 and 1e-5 as
    AdaGrad's default learning rate, 1e-6 as an epsilon), not only the catalog's own.
    """
    def same_as_reference(config):
        return same(trajectory(student, rule, w0, grads, config), trajectory(reference, rule, w0, grads, config),
                    RTOL, ATOL)

    try:
        if not same_as_reference(given):
            return None
        missing = [key for key in given if not same_as_reference({k: v for k, v in given.items() if k != key})]
    except (StudentError, AssertionError):  # a rule that fails on these configs: its own message says enough
        return None
    return CATALOG.wrong_default_hint(rule, missing[0]) if missing else None


def check_defaults(rule, run, student, reference, mistakes, situation, w0, grads, given):
    """check(), naming a wrong default by its behaviour when no catalog mistake gives the student's weights."""
    try:
        check(rule, run, student, reference, mistakes, situation)
    except Mismatch as mismatch:
        if mismatch.hint is None:
            mismatch.hint = wrong_default(rule, student, reference, w0, grads, given)
        raise


@pytest.mark.parametrize("rule", graded(0.75))
def test_hyperparameters(rule, student, reference, mistakes, rng):
    """follows the update formula with every hyperparameter given in config"""
    w0, grads = problem(rng)
    config = hyperparameters(rule, rng)
    check(rule, lambda impl: trajectory(impl, rule, w0, grads, config), student, reference, mistakes,
          f"with w of shape {w0.shape} and {shown(config)}, over {NUM_CALLS} calls")


# Gradients at the edges, one kind per call: all zeros (an adaptive rule's cache or moments stay 0,
# where only epsilon keeps the step finite), about half the entries exactly 0 and the others as
# usual, tiny (|dw| in [1e-12, 1e-10], far below epsilon), huge (|dw| in [1e100, 1e150]: dw**2 stays
# below the largest float64, 1.8e308), or as usual.
GRADIENT_KINDS = {"zero": "all 0", "sparse": "about half of it 0", "tiny": "|dw| in [1e-12, 1e-10]",
                  "huge": "|dw| in [1e100, 1e150]", "usual": "as usual"}
EDGE_EPSILON = 1e-8  # the default, given: tiny gradients are then far below it


def edge_gradient(rng, shape, kind):
    """A gradient of one of GRADIENT_KINDS."""
    if kind == "zero":
        return np.zeros(shape)
    if kind == "tiny":
        return np.asarray(away_from_zero(rng, shape, 1e-12, 1e-10))  # an array, for shape () too
    if kind == "huge":
        return np.asarray(away_from_zero(rng, shape, 1e100, 1e150))
    dw = gradient(rng, shape)
    if kind == "sparse":
        dw[rng.permutation(np.resize([True, False], dw.size)).reshape(shape)] = 0.0
    return dw


def edge_problem(rng, shape, kinds):
    """(w0, [dw per call], kinds) with gradients of the given kinds, and w0 of `shape` as usual."""
    w0 = np.asarray(away_from_zero(rng, shape, 0.5, 2.0))  # a 0-d array for shape (), not a NumPy scalar
    return w0, [edge_gradient(rng, shape, kind) for kind in kinds], tuple(kinds)


def edge_problems(rng):
    """The edges test_edge_gradients must cover, each as a 1-tuple: zero and sparse gradients (entries 0 in
    two calls running), huge and tiny ones, a single weight, a 0-d array (any shape is allowed), and
    float32 w and dw."""
    shape = SHAPES[int(rng.integers(len(SHAPES)))]
    w0, grads, kinds = edge_problem(rng, shape, ("usual", "sparse", "usual"))
    single = (w0.astype(np.float32), [dw.astype(np.float32) for dw in grads], kinds)
    return [(edge_problem(rng, shape, kinds),) for kinds in (("sparse", "zero", "sparse", "usual"),
                                                               ("huge", "huge", "usual"), ("tiny", "tiny", "tiny"))] + [
        (edge_problem(rng, (1,), ("zero", "usual", "zero", "huge")),), (edge_problem(rng, (), ("usual", "zero")),),
        (single,)]


def drawn_edge_problems():
    """Hypothesis' problems: a shape of SHAPES, (1,) or (), and 2 to 5 calls of any kinds, from a drawn seed."""
    return st.builds(lambda seed, shape, kinds: edge_problem(np.random.default_rng(seed), shape, kinds),
                     edges.seeds(), st.sampled_from([*SHAPES, (1,), ()]),
                     st.lists(st.sampled_from(list(GRADIENT_KINDS)), min_size=2, max_size=5))


@pytest.mark.parametrize("rule", graded(0.25))
def test_edge_gradients(rule, student, reference, mistakes, rng):
    """follows the update formula on edge gradients: zeros, some entries 0, tiny and huge ones, one weight, float32"""
    config = {**hyperparameters(rule, rng), "epsilon": EDGE_EPSILON} if "epsilon" in DEFAULTS[rule] \
        else hyperparameters(rule, rng)

    def right_on_edges(problem):
        w0, grads, kinds = problem
        calls = "; ".join(f"call {i + 1}: {GRADIENT_KINDS[kind]}" for i, kind in enumerate(kinds))
        single = w0.dtype == np.float32
        check(rule, lambda impl: trajectory(impl, rule, w0, grads, config), student, reference, mistakes,
              f"with {'float32 ' if single else ''}w of shape {w0.shape} and {shown(config)}, "
              f"over {len(grads)} calls with the{' float32' if single else ''} gradient ({calls})",
              rtol=FLOAT32_RTOL if single else RTOL, atol=FLOAT32_ATOL if single else ATOL)

    edges.holds(right_on_edges, drawn_edge_problems(), examples=edge_problems(rng), rng=rng)


@pytest.mark.parametrize("rule", graded(0.5))
def test_defaults(rule, student, reference, mistakes, rng):
    """with config=None, uses the default hyperparameters"""
    w0, grads = problem(rng)
    check_defaults(rule, lambda impl: trajectory(impl, rule, w0, grads, None), student, reference, mistakes,
                   f"with config=None (defaults {shown(DEFAULTS[rule])[7:]}), over {NUM_CALLS} calls",
                   w0, grads, DEFAULTS[rule])


@pytest.mark.parametrize("rule", graded(0.5))
def test_partial_config(rule, student, reference, mistakes, rng):
    """takes the default of each hyperparameter missing from config, one missing at a time"""
    w0, grads = problem(rng)
    full = hyperparameters(rule, rng)
    configs = {key: {k: v for k, v in full.items() if k != key} for key in full}

    def run(impl):
        return {f"with {key!r} missing, {step}": w for key, config in configs.items()
                for step, w in trajectory(impl, rule, w0, grads, config).items()}

    check_defaults(rule, run, student, reference, mistakes,
                   f"with w of shape {w0.shape}, {shown(full)} less one hyperparameter at a time", w0, grads, full)


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
    return Functions(**{rule: rule_fn})


@pytest.mark.parametrize("rule", graded(0.5))
def test_learning_rate_change(rule, student, reference, mistakes, rng):
    """reads learning_rate from config at every call, as a learning-rate schedule changes it"""
    w0, grads = problem(rng)
    config = hyperparameters(rule, rng)
    lr = config["learning_rate"]
    lr_changes = {3: lr * rng.uniform(0.1, 0.5), 6: lr * rng.uniform(0.01, 0.1)}
    accepted = [pytorch_buffer_form(rule)] if "momentum" in DEFAULTS[rule] else []
    changes = " and ".join(f"to {lr:.4g} before call {i + 1}" for i, lr in lr_changes.items())
    check(rule, lambda impl: trajectory(impl, rule, w0, grads, config, lr_changes), student, reference, mistakes,
          f"with {shown(config)} and its learning_rate changed {changes}", accepted)


@pytest.mark.parametrize("rule", graded(0.25))
def test_state_in_config(rule, student, rng):
    """keeps all its state in config: two parameters updated in turn move as each does alone"""
    first = problem(rng, num_calls=5)
    second = away_from_zero(rng, first[0].shape, 0.5, 2.0), [gradient(rng, first[0].shape) for _ in range(5)]
    configs = hyperparameters(rule, rng), hyperparameters(rule, rng)
    alone = [trajectory(student, rule, w0, grads, config) for (w0, grads), config in zip((first, second), configs)]
    rule_fn = getattr(fresh(student), rule)
    ws, cs, together = [first[0].copy(), second[0].copy()], [dict(c) for c in configs], [{}, {}]
    for i in range(5):
        for k, (_, grads) in enumerate((first, second)):
            ws[k], cs[k] = call(rule_fn, ws[k], grads[i].copy(), cs[k])
            together[k][f"weights after call {i + 1}"] = ws[k].copy()
    for k, which in enumerate(("first", "second")):
        if not same(together[k], alone[k], RTOL, ATOL):
            raise Mismatch(f"with two parameters of shape {first[0].shape}, each with its own config and "
                           f"updated in turn, the {which} one moved differently than when it is "
                           "updated alone: the two calls share some state outside config", CATALOG.STATE_OUTSIDE_CONFIG)


@pytest.mark.parametrize("rule", graded(0.25))
def test_gradient_untouched(rule, student, rng):
    """leaves its argument dw unchanged, since the caller may still need the gradient"""
    w0, grads = problem(rng, num_calls=3)
    rule_fn, w, config = getattr(fresh(student), rule), w0.copy(), hyperparameters(rule, rng)
    for i, dw in enumerate(grads):
        passed = dw.copy()
        w, config = call(rule_fn, w, passed, config)
        if not np.array_equal(passed, dw):
            raise Mismatch(f"call {i + 1} changed its argument dw in place", CATALOG.GRADIENT_CHANGED)
