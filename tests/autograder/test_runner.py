"""Does the runner hold the hidden tests to the grading pattern: well-formed markers, points that
agree with the notebook, structured results with the named mistake?"""

import re
import shutil
import sys

import pytest

from autograder import batch, catalog, runner
from autograder.notebook import Solution, extract_solutions, load_assignment, read_notebook

OPTIMIZERS = load_assignment("03_optimizers")


class FakeItem:
    """What `runner.marker_of` reads of a collected pytest item."""

    def __init__(self, *args, **kwargs):
        self.nodeid = "test_hidden.py::test_x"
        self._marks = [pytest.mark.graded(*args, **kwargs).mark]

    def iter_markers(self, name):
        return iter(self._marks if name == "graded" else [])


@pytest.mark.parametrize("args, kwargs", [(("sgd", 2), {}), (("sgd",), {"points": 2}), ((), {"function": "sgd",
                                                                                              "points": 2.0})])
def test_graded_marker_takes_points_by_position_or_keyword(args, kwargs):
    assert runner.marker_of(FakeItem(*args, **kwargs), ("sgd",)) == ("sgd", 2.0)


@pytest.mark.parametrize("args, kwargs, message", [
    (("sgd",), {}, "positive number of points"),
    (("sgd", 0), {}, "positive number of points"),
    (("sgd", True), {}, "positive number of points"),
    (("sgd", "2"), {}, "positive number of points"),
    (("sdg", 2), {}, "names no graded function"),
    (("sgd", 2), {"point": 2}, "takes (function, points)"),
    (("sgd", 2, 3), {}, "takes (function, points)"),
    (("sgd", 2), {"points": 2}, "takes (function, points)"),
])
def test_a_malformed_graded_marker_is_an_error_not_a_default(args, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        runner.marker_of(FakeItem(*args, **kwargs), ("sgd",))


def test_declared_points_equal_the_notebooks_for_every_assignment():
    for assignment_id in catalog.assignment_ids():
        assignment = load_assignment(assignment_id)
        assert runner.declared_points(assignment) == assignment.points, assignment_id
        runner.check_points(assignment)


def test_points_that_disagree_stop_grading_naming_the_function(tmp_path, monkeypatch):
    hidden = tmp_path / "hidden"
    shutil.copytree(catalog.HIDDEN_DIR, hidden)
    test_file = hidden / "03_optimizers" / "test_hidden.py"
    extra = '\n\n@pytest.mark.graded("sgd", 0.5)\ndef test_one_more(student):\n    """one more property"""\n'
    test_file.write_text(test_file.read_text() + extra)
    monkeypatch.setattr(catalog, "HIDDEN_DIR", hidden)
    for name in [n for n in sys.modules if n.startswith("03_optimizers")]:  # pytest's name for the copy too
        monkeypatch.delitem(sys.modules, name)
    runner.declared_points.cache_clear()
    try:
        points = OPTIMIZERS.points["sgd"]
        message = f"sgd: the notebook's check_sgd says {points:g}, the hidden tests give {points + 0.5:g}"
        with pytest.raises(ValueError, match=re.escape(message)):
            runner.check_points(OPTIMIZERS)
    finally:
        runner.declared_points.cache_clear()


def test_hidden_tests_run_without_the_plugins_grading_does_not_use():
    """Is a grading session free of the environment's plugins (nbval, hypothesis's) and of pytest's own
    that grading does not use, such as the one that ends each session with two full garbage collections?"""
    seen = {}

    class Probe:
        def pytest_configure(self, config):
            names = ("nbval", "hypothesispytest", "unraisableexception", "cacheprovider", "python", "capture")
            seen.update({name: config.pluginmanager.has_plugin(name) for name in names})

    pytest.main(runner._pytest_args("06_dropout", "--collect-only"), plugins=[Probe()])
    assert seen == {"nbval": False, "hypothesispytest": False, "unraisableexception": False, "cacheprovider": False,
                    "python": True, "capture": True}


def reference_sources():
    return extract_solutions(read_notebook(OPTIMIZERS.source_path), OPTIMIZERS.functions)[0]


def adam_without_bias_correction():
    (mistake,) = [m for m in catalog.mistakes("03_optimizers") if m.hint.startswith("Adam without bias correction")]
    return mistake


def test_results_keep_their_function_and_the_named_mistake():
    mistake = adam_without_bias_correction()
    sources = {**reference_sources(), "adam": Solution(mistake.source, 0, True)}
    outcome = runner.grade_sources(OPTIMIZERS, sources, {}, seed=5)
    adam = [t for t in outcome.tests if t.function == "adam"]
    assert all(t.name.startswith("adam: ") for t in adam)
    assert sum(t.max_score for t in adam) == OPTIMIZERS.points["adam"]  # every test of adam, and no other
    failed = [t for t in adam if t.score < t.max_score]
    assert failed and all(t.hint == mistake.hint for t in failed)
    assert sum(t.score for t in adam) == 0.5  # state in config and dw untouched: its properties hold


@pytest.mark.parametrize("student, assignment", [("carol", "03_optimizers"), ("olga", "06_dropout")])
def test_a_regrade_reproduces_results_and_feedback_text(tmp_path, student, assignment):
    """The same notebook graded twice with the same course seed: the same results.json, word for word
    (olga's dropout draws without a seed)."""
    folder = tmp_path / "submitted" / student / assignment
    shutil.copytree(catalog.HIDDEN_DIR.parent / "samples" / "submitted" / student / assignment, folder)
    (sub,) = batch.find_submissions(tmp_path / "submitted")
    first, second = (batch.grade_submission(sub, course_seed=9, limits=runner.Limits(), isolation="auto")
                     for _ in range(2))
    for result in (first, second):
        result.pop("execution_time")
    assert first == second
    other = batch.grade_submission(sub, course_seed=10, limits=runner.Limits(), isolation="auto")
    assert other["extra_data"]["seed"] != first["extra_data"]["seed"] and other["score"] == first["score"]


def test_the_fingerprint_covers_every_file_a_result_depends_on():
    files = {str(p.relative_to(batch.PACKAGE.parent)) for p in batch.grader_files("03_optimizers")}
    for name in ("autograder/report.py", "autograder/gradebook.py", "autograder/testing.py", "autograder/runner.py",
                 "autograder/sandbox/worker.py", "cs231n_utils/checks.py",
                 "autograder/hidden/03_optimizers/mistakes.py",
                 "autograder/hidden/03_optimizers/test_hidden.py", "solutions/03_optimizers/optimizers.ipynb"):
        assert name in files, name


def test_every_submission_has_its_own_seed_derived_from_the_course_seed():
    seeds = {batch.submission_seed(0, s, a) for s in ("amy", "bo") for a in ("01_x", "02_y")}
    assert len(seeds) == 4 and batch.submission_seed(0, "amy", "01_x") == batch.submission_seed(0, "amy", "01_x")
    assert batch.submission_seed(1, "amy", "01_x") != batch.submission_seed(0, "amy", "01_x")
