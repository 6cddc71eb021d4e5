"""Do the hidden tests of 03_optimizers judge right: every mistake loses marks, every right answer keeps them?

Each case is a submission graded through the real path (`runner.grade_sources`, the sandbox,
the hidden tests), with fixed seeds. A submission holds one variant per rule and the reference
answers for the rules without one, so one sandbox grades seven variants at a time, and a
variant must move the score of its own rule only.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import pytest

from autograder import hints, runner
from autograder.notebook import extract_solutions, load_assignment, read_notebook
from autograder.samples import alternatives

ASSIGNMENT = "03_optimizers"
RULES = ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw")
SEEDS = (7, 2024)
FULL = 3.0


@dataclass(frozen=True)
class Variant:
    """A student's answer to one rule: `source` is its cell; `hint` the feedback must name, if any."""

    rule: str
    label: str
    source: str
    hint: str | None = None
    needs: tuple[str, ...] = ()  # rules this cell calls: graded where those are right


T_OFF_BY_ONE = next(d for d in hints.MISTAKES["adamw"] if d.startswith("t off by one"))

# --- realistic mistakes beyond the ones hints.MISTAKES knows by name -----------------------

OTHER_MISTAKES = [
    Variant("sgd", "returns config=None when called without one", '''def sgd(w, dw, config=None):
    lr = config["learning_rate"] if config else 1e-2
    return w - lr * dw, config
'''),
    Variant("sgd", "returns the update instead of the new weights", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return -config["learning_rate"] * dw, config
'''),
    Variant("sgd", "reads the learning rate once and keeps it under its own key", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("lr", config.get("learning_rate", 1e-2))
    return w - config["lr"] * dw, config
'''),
    Variant("sgd", "multiplies dw in place", '''def sgd(w, dw, config=None):
    config = {} if config is None else config
    dw *= config.setdefault("learning_rate", 1e-2)
    return w - dw, config
'''),
    Variant("sgd_momentum", "keeps the velocity in a module global", '''velocity = None

def sgd_momentum(w, dw, config=None):
    global velocity
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if velocity is None:
        velocity = np.zeros_like(w)
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    return w + velocity, config
'''),
    Variant("sgd_momentum", "replaces a partial config by the defaults", '''def sgd_momentum(w, dw, config=None):
    config = config or {"learning_rate": 1e-2, "momentum": 0.9}
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config
'''),
    Variant("nesterov_momentum", "returns next_w alone, without the config",
            '''def nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v_prev = config.get("velocity", np.zeros_like(w))
    config["velocity"] = mu * v_prev - lr * dw
    return w - mu * v_prev + (1 + mu) * config["velocity"]
'''),
    Variant("nesterov_momentum", "velocity starts at the first gradient", '''def nesterov_momentum(w, dw, config=None):
    config = {} if config is None else config
    lr, mu = config.setdefault("learning_rate", 1e-2), config.setdefault("momentum", 0.9)
    v_prev = config.get("velocity", -lr * dw)
    v = mu * v_prev - lr * dw
    config["velocity"] = v
    return w - mu * v_prev + (1 + mu) * v, config
'''),
    Variant("adagrad", "divides dw in place", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    config["cache"] = config.get("cache", np.zeros_like(w)) + dw**2
    dw /= np.sqrt(config["cache"]) + config["epsilon"]
    return w - config["learning_rate"] * dw, config
'''),
    Variant("adagrad", "forgets to store the cache", '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w)) + dw**2
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config
'''),
    Variant("rmsprop", "computes in float32", '''def rmsprop(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    w, dw = w.astype(np.float32), dw.astype(np.float32)
    d = np.float32(config["decay_rate"])
    cache = d * config.get("cache", np.zeros_like(w)) + (1 - d) * dw**2
    config["cache"] = cache
    return w - np.float32(config["learning_rate"]) * dw / (np.sqrt(cache) + np.float32(config["epsilon"])), config
'''),
    Variant("adam", "counts t in a module global", '''steps_taken = 0

def adam(w, dw, config=None):
    global steps_taken
    config = {} if config is None else config
    lr, eps = config.setdefault("learning_rate", 1e-3), config.setdefault("epsilon", 1e-8)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    steps_taken += 1
    config["m"] = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    config["v"] = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    m_hat, v_hat = config["m"] / (1 - b1**steps_taken), config["v"] / (1 - b2**steps_taken)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), config
'''),
    Variant("adamw", "t starts at 1, written its own way", '''def adamw(w, dw, config=None):
    config = {} if config is None else config
    lr, wd = config.setdefault("learning_rate", 1e-3), config.setdefault("weight_decay", 1e-2)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    t = config.get("t", 1) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    config.update(t=t, m=m, v=v)
    return w * (1 - lr * wd) - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), config
''', hint=T_OFF_BY_ONE),
    Variant("adamw", "decays the weights after the Adam step instead of before", '''def adamw(w, dw, config=None):
    config = {} if config is None else config
    lr, wd = config.setdefault("learning_rate", 1e-3), config.setdefault("weight_decay", 1e-2)
    b1, b2 = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    t = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    config.update(t=t, m=m, v=v)
    stepped = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return stepped * (1 - lr * wd), config
'''),
]

MISTAKES = [Variant(rule, description, source, hint=description)
            for rule, known in hints.MISTAKES.items() for description, source in known.items()] + OTHER_MISTAKES

# --- correct answers written otherwise than the reference -----------------------------------

ALTERNATIVES = [Variant(rule, description, source, needs=alternatives.NEEDS.get(description, ()))
                for rule, known in alternatives.ALTERNATIVES.items() for description, source in known.items()]

# The notebook's visible examples pasted in, as a student who copies the expected output does.
HARD_CODED = {rule: f'''def {rule}(w, dw, config=None):
    answers = {{(1.0, -2.0, 0.5): [0.9, -1.9, 0.4], (1.0, -2.0, 0.5, 3.0): [0.95, -2.1, 0.7, 2.975]}}
    config = {{}} if config is None else config
    return np.reshape(answers.get(tuple(np.ravel(w)), np.ravel(w)), np.shape(w)), config
''' for rule in RULES}


SEED_SENSITIVE = ("epsilon inside the square root", "computes in float32")  # how far off depends on the draws
MAX_WRONG = 4  # mistakes per submission: the other three or more rules show that nothing leaks


def mistake_cases():
    """(variant, seed): each mistake with one seed (alternating), the seed-sensitive ones with both."""
    out = []
    for i, variant in enumerate(MISTAKES):
        sensitive = any(text in variant.label for text in SEED_SENSITIVE)
        out += [(variant, seed) for seed in (SEEDS if sensitive else SEEDS[i % 2:i % 2 + 1])]
    return out


def plan():
    """Submissions to grade: [(seed, {rule: Variant}, set of rules whose variant is a mistake)].

    Each holds up to MAX_WRONG mistakes, of the rules with the most left to grade, and fills the
    other rules with correct alternatives (each graded with both seeds) or the reference.
    """
    rounds = []
    for seed in SEEDS:
        wrong = [v for v, s in mistake_cases() if s == seed]
        right = list(ALTERNATIVES)
        while wrong or right:
            chosen = {}
            for rule in sorted(RULES, key=lambda r: -sum(v.rule == r for v in wrong)):
                pick = next((v for v in wrong if v.rule == rule), None)
                if pick and len(chosen) < MAX_WRONG:
                    chosen[rule] = pick
                    wrong.remove(pick)
            mistaken = set(chosen)
            for rule in RULES:
                pick = next((v for v in right if v.rule == rule and not mistaken & set(v.needs)), None)
                if rule not in chosen and pick:
                    chosen[rule] = pick
                    right.remove(pick)
            rounds.append((seed, chosen, mistaken))
    return rounds


PLAN = plan()


@cache
def reference_sources():
    assignment = load_assignment(ASSIGNMENT)
    sources, notes = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    assert not notes, notes
    return sources


@cache
def graded(index):
    """The Outcome of submission `index` of PLAN (graded once, shared by its cases)."""
    seed, chosen, _ = PLAN[index]
    return grade(tuple((rule, v.source) for rule, v in chosen.items()), seed)


@cache
def grade(changes, seed):
    """Grade the reference answers with `changes` ((rule, cell) pairs) through the real path."""
    return runner.grade_sources(ASSIGNMENT, {**reference_sources(), **dict(changes)}, {}, seed=seed)


def per_rule(outcome):
    scores = defaultdict(float)
    for test in outcome.tests:
        scores[test.function] += test.score
    return dict(scores)


def cases(mistakes):
    return [pytest.param(i, rule, id=f"{v.rule}: {v.label[:60]} (seed {seed})")
            for i, (seed, chosen, mistaken) in enumerate(PLAN) for rule, v in chosen.items()
            if (rule in mistaken) == mistakes]


@pytest.mark.parametrize("seed", SEEDS)
def test_reference_answers_earn_full_marks(seed):
    outcome = grade((), seed)
    assert (outcome.score, outcome.max_score) == (21.0, 21.0), [t for t in outcome.tests if t.score < t.max_score]
    assert all(t.output == "passed" for t in outcome.tests)


@pytest.mark.parametrize("index, rule", cases(mistakes=True))
def test_a_mistake_loses_points_on_its_rule_and_no_other(index, rule):
    _, chosen, mistaken = PLAN[index]
    variant, scores = chosen[rule], per_rule(graded(index))
    assert scores[rule] < FULL, f"{variant.label}: full marks"
    assert {r: scores[r] for r in RULES if r not in mistaken} == {r: FULL for r in RULES if r not in mistaken}
    failed = [t for t in graded(index).tests if t.function == rule and t.score < t.max_score]
    assert all(t.output and t.output != "passed" and "Traceback" not in t.output for t in failed)
    if variant.hint:
        assert any(f"This looks like {variant.hint}." in t.output for t in failed), [t.output for t in failed]
    others = [d for d in hints.MISTAKES.get(rule, {}) if d != variant.hint]
    named_wrongly = [(d, t.output) for t in failed for d in others if d in t.output]
    assert not named_wrongly, f"{variant.label}: the feedback names another mistake: {named_wrongly}"


@pytest.mark.parametrize("index, rule", cases(mistakes=False))
def test_a_correct_formulation_earns_full_marks(index, rule):
    failed = [t for t in graded(index).tests if t.function == rule and t.score < t.max_score]
    assert not failed, failed


def test_hard_coded_visible_answers_earn_nothing():
    outcome = grade(tuple(HARD_CODED.items()), SEEDS[1])
    assert (outcome.score, outcome.max_score) == (0.0, 21.0)


def test_names_and_points_follow_the_contract():
    outcome = grade((), SEEDS[0])
    points = defaultdict(float)
    for test in outcome.tests:
        assert test.function in RULES and test.name.startswith(f"{test.function}: "), test.name
        points[test.function] += test.max_score
    assert dict(points) == dict.fromkeys(RULES, FULL) == load_assignment(ASSIGNMENT).points


def test_the_plan_grades_every_variant_and_every_rule():
    planned = [(v, seed) for seed, chosen, _ in PLAN for v in chosen.values()]
    assert sorted(map(id, (v for v, _ in planned))) == sorted(
        map(id, [v for v, _ in mistake_cases()] + [v for v in ALTERNATIVES for _ in SEEDS]))
    assert {v.rule for v in MISTAKES} == {v.rule for v in ALTERNATIVES} == set(RULES)
    assert all(len(mistaken) <= MAX_WRONG for _, _, mistaken in PLAN)
