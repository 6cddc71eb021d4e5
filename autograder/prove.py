"""Prove an assignment's hidden tests against its catalog, through the real grading path.

Every known mistake must lose points on its own function and on no other, and be named in the
feedback (its hint); every correct alternative must earn full marks; and every submission must
get the same score per function under every seed. Submissions are packed: each holds at most one
catalog entry per function (the reference answers fill the rest), so a few sandboxes grade the
whole catalog, and a leak of one function's mistake into another's score shows.

    python -m autograder prove 03_optimizers
"""

import multiprocessing
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache

from autograder import catalog, runner
from autograder.notebook import Solution, extract_solutions, load_assignment, read_notebook

SEEDS = (11, 2024, 31337, 4, 977)


@dataclass(frozen=True)
class Entry:
    """One catalog entry handed in: a mistake (with its hint) or a correct alternative."""

    kind: str  # "mistake" or "alternative"
    function: str
    label: str
    source: str
    needs: tuple[str, ...] = ()
    hint: str | None = None  # the hint the feedback must show (None: not required)


@dataclass
class Verdict:
    """What grading one entry under every seed showed."""

    entry: Entry
    scores: dict = field(default_factory=dict)  # seed -> its function's score
    others_full: bool = True  # every other function kept full marks, under every seed
    hints: set = field(default_factory=set)  # hints shown for its function
    full: float = 0.0

    @property
    def caught(self):
        return all(score < self.full for score in self.scores.values())

    @property
    def consistent(self):
        return len(set(self.scores.values())) == 1

    @property
    def named(self):
        return self.entry.hint is not None and self.hints == {self.entry.hint}

    @property
    def ok(self):
        if self.entry.kind == "alternative":
            return self.consistent and all(s == self.full for s in self.scores.values()) and self.others_full
        named = self.named or self.entry.hint is None
        return self.caught and self.consistent and self.others_full and named


def entries(assignment_id):
    """Every mistake and alternative of the assignment's catalog, as entries to hand in."""
    out = [Entry("mistake", m.function, m.hint, m.source, m.needs, m.hint if m.named else None)
           for m in catalog.mistakes(assignment_id)]
    out += [Entry("alternative", a.function, a.description, a.source, a.needs)
            for a in catalog.alternatives(assignment_id)]
    return out


def plan(assignment, items):
    """Pack entries into submissions: [{function: Entry}], one entry per function at most, and no
    entry that calls a function whose answer in the same submission is a mistake."""
    todo = {fn: [e for e in items if e.function == fn] for fn in assignment.functions}
    submissions = []
    while any(todo.values()):
        chosen = {}
        for fn in sorted(todo, key=lambda f: -len(todo[f])):
            wrong = {f for f, e in chosen.items() if e.kind == "mistake"}
            pick = next((e for e in todo[fn] if not set(e.needs) & wrong
                         and not (e.kind == "mistake" and any(fn in c.needs for c in chosen.values()))), None)
            if pick:
                chosen[fn] = pick
                todo[fn].remove(pick)
        submissions.append(chosen)
    return submissions


@cache
def _reference_sources(assignment):
    sources, notes = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    assert not notes, notes
    return sources


def _sources(assignment, changes):
    sources = dict(_reference_sources(assignment))
    for fn, code in changes.items():
        sources[fn] = Solution(code, 0, True)
    return sources


def grade(assignment_id, changes, seed):
    """Grade the reference answers with `changes` ({function: cell}) through the real path -> Outcome."""
    assignment = load_assignment(assignment_id)
    return runner.grade_sources(assignment, _sources(assignment, changes), {}, seed=seed)


def _grade_job(job):
    """Grade one submission under each seed, loaded once (each seed gets a fresh proxy, as a new
    submission would) -> per seed, [(function, score, max_score, hint)]."""
    assignment_id, changes, seeds = job
    assignment = load_assignment(assignment_id)
    with runner.loaded(assignment, _sources(assignment, changes), {}) as (student, _):
        outcomes = [runner.run_hidden_tests(assignment, student(), seed) for seed in seeds]
    return [[(t.function, t.score, t.max_score, t.hint) for t in tests] for tests in outcomes]


def prove(assignment_id, seeds=SEEDS, jobs=2):
    """Grade the whole catalog under every seed -> (list of Verdict, reference scores per seed)."""
    assignment = load_assignment(assignment_id)
    submissions = [{}] + plan(assignment, entries(assignment_id))
    work = [(assignment_id, {fn: e.source for fn, e in sub.items()}, tuple(seeds)) for sub in submissions]
    if jobs > 1:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("forkserver")) as pool:
            graded = [tests for per_seed in pool.map(_grade_job, work) for tests in per_seed]
    else:
        graded = [tests for job in work for tests in _grade_job(job)]
    full = assignment.points
    verdicts, reference = [], {}
    for i, sub in enumerate(submissions):
        per_seed = graded[i * len(seeds):(i + 1) * len(seeds)]
        for seed, tests in zip(seeds, per_seed):
            scores, hints = defaultdict(float), defaultdict(set)
            for fn, score, _, hint in tests:
                scores[fn] += score
                if hint:
                    hints[fn].add(hint)
            if not sub:
                reference[seed] = dict(scores)
            for fn, entry in sub.items():
                verdict = next((v for v in verdicts if v.entry is entry), None)
                if verdict is None:
                    verdict = Verdict(entry, full=full[fn])
                    verdicts.append(verdict)
                verdict.scores[seed] = scores[fn]
                verdict.hints |= hints[fn]
                verdict.others_full &= all(scores[f] == full[f] for f in assignment.functions
                                           if f not in sub or sub[f].kind == "alternative")
    return verdicts, reference


def summary(assignment_id, verdicts, reference):
    """The proof as a person reads it: a line an entry, then the totals."""
    full = load_assignment(assignment_id).points
    lines = []
    for seed, scores in reference.items():
        if scores != full:
            lines.append(f"REFERENCE LOSES POINTS under seed {seed}: {scores}")
    for v in verdicts:
        status = "ok  " if v.ok else "FAIL"
        score = "/".join(f"{s:g}" for s in dict.fromkeys(v.scores.values()))
        named = "" if v.entry.kind == "alternative" else (
            " named" if v.named else " (not required to be named)" if v.entry.hint is None else
            f" NOT NAMED (shown: {sorted(v.hints) or 'no hint'})")
        leak = "" if v.others_full else " LEAKS into other functions"
        varies = "" if v.consistent else " SCORE VARIES WITH THE SEED"
        lines.append(f"{status} {v.entry.kind:11} {v.entry.function}: {score}/{v.full:g}{named}{leak}{varies}"
                     f" - {v.entry.label[:90]}")
    mistakes = [v for v in verdicts if v.entry.kind == "mistake"]
    alternatives = [v for v in verdicts if v.entry.kind == "alternative"]
    must_name = [v for v in mistakes if v.entry.hint is not None]
    lines.append(f"{assignment_id}: {len(mistakes)} mistakes, {sum(v.caught for v in mistakes)} caught, "
                 f"{sum(v.named for v in mistakes)} named ({len(must_name)} must be); "
                 f"{len(alternatives)} alternatives, {sum(v.ok for v in alternatives)} with full marks; "
                 f"{len(reference)} seeds, {sum(not v.consistent for v in verdicts)} entries whose score varies")
    return "\n".join(lines)
