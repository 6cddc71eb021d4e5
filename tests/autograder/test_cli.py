"""Does the command line say clearly what went wrong, and run students' visible checks?"""

from autograder import check, cli
from autograder.notebook import REPO_ROOT

RELEASE = REPO_ROOT / "assignments" / "03_optimizers" / "optimizers.ipynb"


def test_check_is_the_student_check_command(capsys):
    """`python -m autograder check` gives what `python -m autograder.check` gives (tests/autograder/test_check.py)."""
    assert cli.main(["check", str(RELEASE)]) == 1
    out = capsys.readouterr().out
    assert check.main([str(RELEASE)]) == 1
    assert out == capsys.readouterr().out and "0 passed, 0 failed, 7 not yet done" in out


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
