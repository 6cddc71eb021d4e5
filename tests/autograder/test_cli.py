"""Does the command line say clearly what went wrong, and run students' visible checks?"""

from autograder import cli
from autograder.notebook import REPO_ROOT

SOLUTION = REPO_ROOT / "solutions" / "03_optimizers" / "optimizers.ipynb"
RELEASE = REPO_ROOT / "assignments" / "03_optimizers" / "optimizers.ipynb"


SAMPLES = REPO_ROOT / "autograder" / "samples" / "submitted"


def test_check_passes_the_reference_answers(capsys):
    assert cli.main(["check", str(SOLUTION)]) == 0
    out = capsys.readouterr().out
    assert "7 passed, 0 failed, 0 not yet done" in out and "passed       adam\n" in out


def test_check_says_which_functions_are_not_written_yet(capsys):
    assert cli.main(["check", str(RELEASE)]) == 1
    out = capsys.readouterr().out
    assert "0 passed, 0 failed, 7 not yet done" in out and "not yet done sgd: still the stub" in out


def test_check_reports_a_syntax_error_as_the_functions_own(capsys):
    """judy's rmsprop does not parse: the check names rmsprop, the error and its line, not a NameError later."""
    assert cli.main(["check", str(SAMPLES / "judy" / "03_optimizers" / "optimizers (1).ipynb")]) == 1
    out = capsys.readouterr().out
    assert "FAILED       rmsprop: its cell does not run: SyntaxError: expected ':' (line 1 of the cell)" in out
    assert "adam: no solution cell for adam" in out and "NameError" not in out


def test_check_runs_the_course_checks_not_an_edited_copy(capsys):
    """carol replaced her check of adam by `assert True`: the check still catches her missing bias correction."""
    assert cli.main(["check", str(SAMPLES / "carol" / "03_optimizers" / "optimizers.ipynb")]) == 1
    out = capsys.readouterr().out
    assert "FAILED       adam: its check fails: AssertionError: adam, first step: largest absolute difference" in out


def test_check_grades_a_later_definition_as_the_notebook_runs(capsys):
    """erin left adam's stub and wrote adam in a new cell below it: that one is checked, and passes."""
    cli.main(["check", str(SAMPLES / "erin" / "03_optimizers" / "optimizers.ipynb")])
    assert "passed       adam\n" in capsys.readouterr().out


def test_check_of_a_corrupt_notebook_says_why(tmp_path, capsys):
    bad = tmp_path / "optimizers.ipynb"
    bad.write_text('{"cells": [')
    assert cli.main(["check", str(bad)]) == 2
    assert "not valid notebook JSON" in capsys.readouterr().err


def test_grade_needs_a_folder(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_grade_rejects_zero_jobs(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path), "--jobs", "0", "--out", str(tmp_path / "out")]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_unknown_assignment_folder_gets_a_result_with_a_reason(tmp_path, capsys):
    folder = tmp_path / "submitted" / "zoe" / "99_unknown"
    folder.mkdir(parents=True)
    (folder / "x.ipynb").write_text("{}")
    assert cli.main(["grade", str(tmp_path / "submitted"), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    assert "zoe" in (tmp_path / "out" / "grades.csv").read_text()
    assert "unknown assignment folder '99_unknown'" in (tmp_path / "out" / "grades.csv").read_text()
