"""Run an assignment's hidden pytest cases, in this process, against one submission.

The student's code runs in a sandboxed worker (`autograder.sandbox`); the hidden tests call it
through `StudentProxy` and compare what comes back with the reference answers, which are the
solution cells of `solutions/` run here. Nothing the student's code does can reach the tests'
process, so it cannot change how they judge.
"""

import time
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from autograder.notebook import extract_solutions, load_assignment, read_notebook
from autograder.sandbox import Limits, Sandbox, SandboxError, StudentError

HIDDEN_DIR = Path(__file__).resolve().parent / "hidden_tests"
OUTPUT_CHARS = 1500


@dataclass
class TestResult:
    """One hidden test's outcome, as it goes into Gradescope's `tests` list."""

    name: str
    function: str
    score: float
    max_score: float
    output: str


@dataclass
class Outcome:
    """What grading one submission produced."""

    tests: list[TestResult]
    notes: list[str] = field(default_factory=list)

    @property
    def score(self):
        return sum(t.score for t in self.tests)

    @property
    def max_score(self):
        return sum(t.max_score for t in self.tests)


class Unavailable(Exception):
    """A graded function that cannot be called; the message says why, for the student."""


class StudentProxy:
    """`student.adam(w, dw, config)` as the hidden tests see it: a call into the sandbox.

    Functions that failed to load, or crashed or timed out in an earlier call, raise `Unavailable`
    with the reason. The whole submission shares one time budget, so a slow answer cannot hold
    up a class.
    """

    def __init__(self, box, unavailable, budget_seconds):
        self._box, self._unavailable = box, dict(unavailable)
        self._deadline = time.monotonic() + budget_seconds
        self._budget = budget_seconds

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args, **kwargs):
            if name in self._unavailable:
                raise Unavailable(self._unavailable[name])
            if time.monotonic() > self._deadline:
                raise Unavailable(f"the submission used up its total time budget of {self._budget:.0f} s")
            try:
                return self._box.call(name, *args, **kwargs)
            except SandboxError as err:
                # Crashed or ran out of time: the next test of this function would only do it again.
                self._unavailable[name] = f"{name} was not called again after an earlier call failed: {err.reason}"
                raise

        call.__name__ = name
        return call


@cache
def reference(assignment_id):
    """The reference answers: the source notebook's setup and solution cells, run here."""
    assignment = load_assignment(assignment_id)
    sources, notes = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    if notes:
        raise RuntimeError(f"the source notebook of {assignment_id} is incomplete: {notes}")
    namespace = {"__name__": f"reference_{assignment_id}"}
    for name, src in [*assignment.setup, *sources.items()]:
        exec(compile(src, f"<{assignment_id}:{name}>", "exec"), namespace)  # trusted: solutions/
    return SimpleNamespace(**{fn: namespace[fn] for fn in assignment.functions})


def hidden_tests(assignment_id):
    """The hidden test file of an assignment."""
    path = HIDDEN_DIR / f"test_{assignment_id}.py"
    if not path.exists():
        raise FileNotFoundError(f"no hidden tests for {assignment_id}: expected {path}")
    return path


def grade_sources(assignment_id, sources, notes, *, seed, limits=None, isolation="auto"):
    """Grade a submission given as `{function: code}` (plus extraction notes) -> Outcome."""
    assignment = load_assignment(assignment_id)
    limits = limits or Limits()
    cells = [*assignment.setup, *((fn, sources[fn]) for fn in assignment.functions if fn in sources)]
    outcome_notes = list(notes.values())
    with Sandbox(cells, limits=limits, isolation=isolation) as box:
        setup_errors = {n: box.load_errors[n] for n, _ in assignment.setup if n in box.load_errors}
        if setup_errors:
            raise RuntimeError(f"the course's own setup cell failed in the sandbox: {setup_errors}")
        defined = box.defined()
        unavailable = {}
        for fn in assignment.functions:
            if fn not in sources:
                unavailable[fn] = notes[fn]
            elif fn in box.load_errors:
                unavailable[fn] = f"the cell of {fn} did not run: {box.load_errors[fn]}"
            elif fn not in defined:
                unavailable[fn] = f"the solution cell of {fn} ran but defines no function {fn}()"
        outcome_notes += [r for fn, r in unavailable.items() if fn in sources]
        student = StudentProxy(box, unavailable, budget_seconds=limits.wall_seconds * 4)
        tests = run_hidden_tests(assignment_id, student, seed)
    return Outcome(tests, outcome_notes)


def grade_unavailable(assignment_id, reason, *, seed):
    """Every hidden test of the assignment scored 0 with the same reason (an ungradable file)."""
    assignment = load_assignment(assignment_id)
    student = StudentProxy(None, {fn: reason for fn in assignment.functions}, budget_seconds=0)
    return Outcome(run_hidden_tests(assignment_id, student, seed), [reason])


def run_hidden_tests(assignment_id, student, seed):
    """Run the hidden tests with `student` and the reference -> list of TestResult."""
    plugin = _GradingPlugin(student, reference(assignment_id), seed)
    args = [str(hidden_tests(assignment_id)), "-p", "no:terminal", "--assert=plain", "-p", "no:cacheprovider",
            "-p", "no:nbval", "--import-mode=importlib", f"--rootdir={HIDDEN_DIR}",
            "-c", str(HIDDEN_DIR / "pytest.ini")]
    code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not plugin.results:
        raise RuntimeError(f"the hidden tests of {assignment_id} did not run (pytest exit {code}): {plugin.errors}")
    return plugin.results


class _GradingPlugin:
    """Gives the hidden tests their fixtures and turns each test's outcome into a TestResult."""

    def __init__(self, student, ref, seed):
        self._student, self._reference, self._seed = student, ref, seed
        self.results, self.errors = [], []

    @pytest.fixture
    def student(self):
        return self._student

    @pytest.fixture
    def reference(self):
        return self._reference

    @pytest.fixture
    def rng(self, request):
        """Random draws of one test: the run's seed, mixed with the test's id."""
        return np.random.default_rng([self._seed, zlib.crc32(request.node.nodeid.encode())])

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "graded(function, points): a hidden test and what it is worth")

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(str(report.longrepr))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        marker = item.get_closest_marker("graded")
        if marker is None:
            raise RuntimeError(f"hidden test {item.name} has no @pytest.mark.graded(function, points)")
        if report.when == "call" or (report.when == "setup" and report.failed):
            fn, points = marker.args[0], float(marker.kwargs.get("points", 1))
            doc = (item.obj.__doc__ or item.name).strip().splitlines()[0]
            passed = report.passed
            self.results.append(TestResult(f"{fn}: {doc}", fn, points if passed else 0.0, points,
                                           "passed" if passed else feedback_message(call.excinfo)))
        return report


def feedback_message(excinfo):
    """One failure, told to the student without showing the hidden test's code."""
    err = excinfo.value
    if isinstance(err, StudentError):
        text = f"your code raised {err.exc_type}: {err.message}"
        if err.exc_type == "NotImplementedError":
            text = "not implemented yet (the function still raises NotImplementedError)"
        elif err.traceback:
            text += f"\n{err.traceback}"
    elif isinstance(err, SandboxError):
        text = err.reason
    elif isinstance(err, (Unavailable, AssertionError)):
        text = str(err) or "the result is wrong"
    else:
        text = f"the result could not be checked: {type(err).__name__}: {err}"
    return text if len(text) <= OUTPUT_CHARS else text[:OUTPUT_CHARS] + " [...]"
