"""Does the command line say clearly what went wrong, and run students' visible checks?"""

from autograder import cli
from autograder.notebook import REPO_ROOT

SOLUTION = REPO_ROOT / "solutions" / "03_optimizers" / "optimizers.ipynb"
RELEASE = REPO_ROOT / "assignments" / "03_optimizers" / "optimizers.ipynb"


def test_check_passes_the_reference_answers(capsys):
    assert cli.main(["check", str(SOLUTION)]) == 0
    out = capsys.readouterr().out
    assert "7 passed, 0 failed" in out and "ok    check_adam" in out


def test_check_reports_each_unanswered_function(capsys):
    assert cli.main(["check", str(RELEASE)]) == 1
    out = capsys.readouterr().out
    assert "0 passed, 7 failed" in out and "FAIL  check_sgd: NotImplementedError" in out


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
