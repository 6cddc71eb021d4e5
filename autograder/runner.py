"""Run an assignment's hidden pytest cases, in this process, against one submission.

The student's code runs in a sandboxed worker; the hidden tests call it through a `Proxy` and
compare what comes back with the reference answers (the solution cells of `solutions/`, run
here) and with the catalog's known mistakes, to name the one a wrong answer matches. Nothing the
student's code does can reach this process, so it cannot change how the tests judge.
"""

import gc
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pytest

from autograder import catalog
from autograder.notebook import extract_solutions, read_notebook
from autograder.sandbox.box import Proxy, Sandbox
from autograder.sandbox.messages import SandboxError, StudentError, Unavailable
from autograder.sandbox.policy import Limits
from autograder.testing import Mismatch

OUTPUT_CHARS = 1500
MARKER = "graded(function, points): a hidden test of `function`, worth `points`"


@dataclass
class TestResult:
    """One hidden test's outcome."""

    name: str  # "<function>: <what the test checks>"
    function: str
    score: float
    max_score: float
    output: str  # "passed", or what went wrong, for the student
    hint: str | None = None  # the known mistake the result matches


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


class Implementation:
    """Functions defined by running cells in a fresh namespace here (trusted code: the course's own).

    `_reload()` runs the cells again, so that each run of a test starts from what a fresh kernel
    would define, as the student's sandbox does.
    """

    def __init__(self, label, cells):
        self._label, self._code = label, [compile(src, f"<{label}:{name}>", "exec") for name, src in cells]
        self._namespace = {}
        self._reload()

    def _reload(self):
        self._namespace = {"__name__": f"reference_{self._label}"}
        for code in self._code:
            exec(code, self._namespace)  # trusted: solutions/ and the catalog

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._namespace[name]
        except KeyError:
            raise AttributeError(f"{self._label} defines no {name}") from None


@dataclass(frozen=True)
class KnownMistake:
    """A catalog mistake ready to replay: its hint and the reference with the mistake's cell on top."""

    hint: str
    impl: Implementation


@cache
def reference_cells(assignment):
    """The setup and solution cells of the source notebook: [(name, source)]."""
    sources, notes = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    if notes:
        raise RuntimeError(f"the source notebook of {assignment.id} is incomplete: {notes}")
    return (*assignment.setup, *((fn, sources[fn].code) for fn in assignment.functions))


def reference(assignment):
    """The reference answers, run here."""
    return Implementation(assignment.id, reference_cells(assignment))


@cache
def known_mistakes(assignment):
    """{function: [KnownMistake]} from the assignment's catalog, in catalog order."""
    out = {}
    for i, mistake in enumerate(catalog.mistakes(assignment.id)):
        cells = [*reference_cells(assignment), (f"mistake {i + 1} of {mistake.function}", mistake.source)]
        out.setdefault(mistake.function, []).append(KnownMistake(mistake.hint, Implementation(assignment.id, cells)))
    return out


def hidden_tests(assignment_id):
    """The hidden test file of an assignment."""
    path = catalog.folder(assignment_id) / "test_hidden.py"
    if not path.exists():
        raise FileNotFoundError(f"no hidden tests for {assignment_id}: expected {path}")
    return path


@contextmanager
def loaded(assignment, sources, notes, *, limits=None, isolation="auto"):
    """A submission's cells loaded in a sandbox -> (student, notes): a function that makes a fresh
    Proxy (so each grading starts with every loaded function callable and a full time budget), and
    the notes the feedback shows. `sources` is {function: Solution}."""
    limits = limits or Limits()
    cells, seen = list(assignment.setup), set()
    for fn in assignment.functions:
        if fn in sources and sources[fn].code not in seen:
            seen.add(sources[fn].code)
            cells.append((fn, sources[fn].code))
    outcome_notes = [notes[fn] for fn in assignment.functions if fn in notes]
    with Sandbox(cells, limits=limits, isolation=isolation) as box:
        setup_errors = {n: box.load_errors[n] for n, _ in assignment.setup if n in box.load_errors}
        if setup_errors:
            raise RuntimeError(f"the course's own setup cell failed in the sandbox: {setup_errors}")
        defined = box.defined()
        unavailable = {}
        for fn in assignment.functions:
            if fn not in sources:
                unavailable[fn] = notes[fn]
            elif fn not in defined and fn in box.load_errors:
                unavailable[fn] = f"the cell of {fn} did not run: {box.load_errors[fn]}"
            elif fn not in defined:
                unavailable[fn] = f"the cell of {fn} ran but defines no function {fn}()"
        outcome_notes += [r for fn, r in unavailable.items() if fn in sources]
        yield (lambda: Proxy(box, unavailable, budget_seconds=limits.wall_seconds * 4)), outcome_notes


def grade_sources(assignment, sources, notes, *, seed, limits=None, isolation="auto"):
    """Grade a submission given as `{function: Solution}` (plus extraction notes) -> Outcome."""
    with loaded(assignment, sources, notes, limits=limits, isolation=isolation) as (student, outcome_notes):
        return Outcome(run_hidden_tests(assignment, student(), seed), outcome_notes)


def grade_unavailable(assignment, reason, *, seed):
    """Every hidden test of the assignment scored 0 with the same reason (an ungradable file)."""
    student = Proxy(None, dict.fromkeys(assignment.functions, reason))
    return Outcome(run_hidden_tests(assignment, student, seed), [reason])


# pytest's own plugins that grading does not use: left out, as setting them up at every session (and the two
# full garbage collections that end a session, for unraisable exceptions) took a fifth of a second a submission.
UNUSED_PLUGINS = ("terminal", "cacheprovider", "debugging", "doctest", "faulthandler", "junitxml", "legacypath",
                  "logging", "monkeypatch", "pastebin", "recwarn", "reports", "setuponly", "setupplan", "stepwise",
                  "subtests", "threadexception", "tmpdir", "unittest", "unraisableexception")


def _pytest_args(assignment_id, *extra):
    """pytest's arguments to run (or, with `extra`, collect) the hidden tests: no plugin of the environment
    (nbval, hypothesis's, ...) and none of UNUSED_PLUGINS, so hidden tests use the grading plugin's fixtures."""
    unused = [arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")]
    return [str(hidden_tests(assignment_id)), "--disable-plugin-autoload", *unused, "--assert=plain",
            "--import-mode=importlib", f"--rootdir={catalog.HIDDEN_DIR}", "-c", str(catalog.HIDDEN_DIR / "pytest.ini"),
            *extra]


def run_hidden_tests(assignment, student, seed):
    """Run the hidden tests with `student` -> list of TestResult, in the order they ran."""
    plugin = _GradingPlugin(assignment, student, seed)
    code = pytest.main(_pytest_args(assignment.id), plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not plugin.results or plugin.errors:
        raise RuntimeError(f"the hidden tests of {assignment.id} did not run (pytest exit {code}): {plugin.errors}")
    if gc.get_freeze_count() == 0:
        # After the process's first grading, what it has loaded (modules, pytest, the catalog) stays:
        # frozen, the garbage collector's full collections scan only what later gradings make.
        gc.collect()
        gc.freeze()
    return plugin.results


@cache
def declared_points(assignment):
    """{function: points} the hidden tests give each graded function (collected, not run).

    Raises ValueError naming the test when a `graded` marker is malformed or names no graded function.
    """
    plugin = _CollectPlugin(assignment)
    code = pytest.main(_pytest_args(assignment.id, "--collect-only"), plugins=[plugin])
    if plugin.errors or code != pytest.ExitCode.OK:
        raise ValueError(f"the hidden tests of {assignment.id} cannot be collected: "
                         + "; ".join(plugin.errors or [f"pytest exit {code}"]))
    return dict(plugin.points)


def check_points(assignment):
    """Raise ValueError naming each function whose announced points differ from its hidden tests'."""
    declared = declared_points(assignment)
    wrong = [f"{fn}: the notebook's check_{fn} says {assignment.points.get(fn, 0):g}, "
             f"the hidden tests give {declared.get(fn, 0):g}"
             for fn in assignment.functions if abs(assignment.points.get(fn, 0) - declared.get(fn, 0)) > 1e-9]
    if wrong:
        raise ValueError(f"points of {assignment.id} disagree: " + "; ".join(wrong))


def marker_of(item, functions):
    """(function, points) of a hidden test's `graded` marker; ValueError when it is malformed."""
    markers = list(item.iter_markers("graded"))
    where = f"hidden test {item.nodeid}"
    if len(markers) != 1:
        raise ValueError(f"{where} needs exactly one @pytest.mark.graded(function, points), has {len(markers)}")
    marker = markers[0]
    args, kwargs = list(marker.args), dict(marker.kwargs)
    names = ["function", "points"]
    if len(args) > 2 or set(kwargs) - set(names) or any(n in kwargs for n in names[:len(args)]):
        raise ValueError(f"{where}: graded takes (function, points), got args {args} and keywords {sorted(kwargs)}")
    values = dict(zip(names, args)) | kwargs
    function, points = values.get("function"), values.get("points")
    if function not in functions:
        raise ValueError(f"{where}: graded({function!r}, ...) names no graded function of the notebook "
                         f"({', '.join(functions)})")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        raise ValueError(f"{where}: graded({function!r}, points={points!r}) needs a positive number of points")
    return function, float(points)


def title_of(item, function):
    """'<function>: <first line of the test's docstring>'."""
    doc = (getattr(item, "obj", None).__doc__ or item.name).strip().splitlines()[0]
    return f"{function}: {doc}"


class _HiddenTestsPlugin:
    """What every run of the hidden tests needs: the `graded` marker known, collection errors kept."""

    errors: list

    def pytest_configure(self, config):
        config.addinivalue_line("markers", MARKER)

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(str(report.longrepr))


class _CollectPlugin(_HiddenTestsPlugin):
    """Adds up the points of each graded function, without running a test."""

    def __init__(self, assignment):
        self._functions = assignment.functions
        self.points, self.errors = {}, []

    def pytest_collection_modifyitems(self, items):
        for item in items:
            try:
                fn, points = marker_of(item, self._functions)
            except ValueError as err:
                self.errors.append(str(err))
                continue
            self.points[fn] = self.points.get(fn, 0.0) + points


class _GradingPlugin(_HiddenTestsPlugin):
    """Gives the hidden tests their fixtures and turns each test's outcome into a TestResult."""

    def __init__(self, assignment, student, seed):
        self._assignment, self._student, self._seed = assignment, student, seed
        self._reference = reference(assignment)
        self.results, self.errors = [], []

    @pytest.fixture
    def student(self):
        self._student._reload()  # no test sees globals left by another
        return self._student

    @pytest.fixture
    def reference(self):
        self._reference._reload()
        return self._reference

    @pytest.fixture
    def mistakes(self):
        return known_mistakes(self._assignment)

    @pytest.fixture
    def rng(self, request):
        """Random draws of one test: the submission's seed, mixed with the test's id."""
        return np.random.default_rng([self._seed, zlib.crc32(request.node.nodeid.encode())])

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker_of(item, self._assignment.functions)  # a malformed marker stops grading, loudly

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.when == "call" or (report.when == "setup" and report.failed):
            fn, points = marker_of(item, self._assignment.functions)
            passed = report.passed
            hint = getattr(call.excinfo.value, "hint", None) if call.excinfo else None
            self.results.append(TestResult(title_of(item, fn), fn, points if passed else 0.0, points,
                                           "passed" if passed else feedback_message(call.excinfo), hint))
        return report


def feedback_message(excinfo):
    """One failure, told to the student without showing the hidden test's code."""
    err = excinfo.value
    if isinstance(err, StudentError):
        text = f"your code raised {err.exc_type}: {err.message}"
        if err.exc_type == "NotImplementedError":
            text = "not written yet (the function still raises NotImplementedError)"
        elif err.traceback:
            text += f"\n{_student_terms(err.traceback)}"
    elif isinstance(err, SandboxError):
        text = err.reason
    elif isinstance(err, (Unavailable, AssertionError, Mismatch)):
        text = str(err) or "the result is wrong"
    else:
        text = f"the result could not be checked: {type(err).__name__}: {err}"
    return text if len(text) <= OUTPUT_CHARS else text[:OUTPUT_CHARS] + " [...]"


def _student_terms(traceback):
    """The worker's traceback lines ('File "<cell adam>", line 5, in adam') in a student's words."""
    return re.sub(r'File "<cell ([^>]*)>", line (\d+), in (\S+)', r"in \3 (line \2 of the cell of \1)", traceback)
