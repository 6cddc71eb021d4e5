"""Does `python -m autograder.check` run a notebook's visible checks and say per function how it stands?"""

from autograder import check
from autograder.notebook import RELEASE_DIR, REPO_ROOT, load_assignment, nbgrader_meta, read_notebook

SOLUTION = REPO_ROOT / "solutions" / "03_optimizers" / "optimizers.ipynb"
RELEASE = RELEASE_DIR / "03_optimizers" / "optimizers.ipynb"
SAMPLES = REPO_ROOT / "autograder" / "samples" / "submitted"


def test_check_passes_the_reference_answers(capsys):
    assert check.main([str(SOLUTION)]) == 0
    out = capsys.readouterr().out
    assert "7 passed, 0 failed, 0 not yet done" in out and "passed       adam\n" in out


def test_check_says_which_functions_are_not_written_yet(capsys):
    assert check.main([str(RELEASE)]) == 1
    out = capsys.readouterr().out
    assert "0 passed, 0 failed, 7 not yet done" in out and "not yet done sgd: still the stub" in out


def test_check_reports_a_syntax_error_as_the_functions_own(capsys):
    """judy's rmsprop does not parse: the check names rmsprop, the error and its line, not a NameError later."""
    assert check.main([str(SAMPLES / "judy" / "03_optimizers" / "optimizers (1).ipynb")]) == 1
    out = capsys.readouterr().out
    assert "FAILED       rmsprop: its cell does not run: SyntaxError: expected ':' (line 1 of the cell)" in out
    assert "adam: no solution cell for adam" in out and "NameError" not in out


def test_check_runs_the_course_checks_not_an_edited_copy(capsys):
    """carol replaced her check of adam by `assert True`: the check still catches her missing bias correction."""
    assert check.main([str(SAMPLES / "carol" / "03_optimizers" / "optimizers.ipynb")]) == 1
    out = capsys.readouterr().out
    assert "FAILED       adam: its check fails: AssertionError: adam, first step: largest absolute difference" in out


def test_check_grades_a_later_definition_as_the_notebook_runs(capsys):
    """erin left adam's stub and wrote adam in a new cell below it: that one is checked, and passes."""
    check.main([str(SAMPLES / "erin" / "03_optimizers" / "optimizers.ipynb")])
    assert "passed       adam\n" in capsys.readouterr().out


def test_check_of_a_corrupt_notebook_says_why(tmp_path, capsys):
    bad = tmp_path / "optimizers.ipynb"
    bad.write_text('{"cells": [')
    assert check.main([str(bad)]) == 2
    assert "not valid notebook JSON" in capsys.readouterr().err


def test_the_course_is_the_release_and_agrees_with_the_sources():
    """The check knows the course from assignments/ alone (all a student has): the same assignments,
    graded functions and points as the nbgrader sources in solutions/."""
    released = check.course_assignments()
    assert [a.id for a in released] == sorted(p.name for p in (REPO_ROOT / "solutions").iterdir() if p.is_dir())
    for a in released:
        source = load_assignment(a.id)
        assert (a.notebook, a.functions, a.points) == (source.notebook, source.functions, source.points)


def test_a_notebook_is_matched_to_its_assignment_by_its_graded_cells():
    """The notebook's file name plays no part: its cells' ids do, and a notebook with no graded cell matches nothing."""
    nb = read_notebook(RELEASE)
    assert check.assignment_of(nb).id == "03_optimizers"
    for cell in nb["cells"]:
        if nbgrader_meta(cell):
            cell["metadata"]["nbgrader"]["grade_id"] = "mine"
    assert check.assignment_of(nb) is None
