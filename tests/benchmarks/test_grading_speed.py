"""Does benchmarks/grading_speed.py grade the same class with this autograder (one and two jobs)
and with nbgrader's autograde, and write its section of a results file? (Its --smoke run: one
submission of one notebook. No timed assertion: times depend on the machine and its load.)"""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "grading_speed.py"


def test_a_smoke_run_compares_both_graders_and_both_job_counts(tmp_path):
    """A row for 06_dropout and for all, each with a ratio, and the two-jobs ratio of the whole class."""
    out = tmp_path / "results.md"
    subprocess.run([sys.executable, str(SCRIPT), "--smoke", "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True, text=True)
    section = re.fullmatch(r"<!-- begin grading_speed -->\n(.*)<!-- end grading_speed -->\n", out.read_text(),
                           re.DOTALL)
    assert section and "## Grading a class of 1 submissions" in section.group(1)
    lines = [line for line in section.group(1).splitlines() if line.startswith("|")]
    table = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [row[0] for row in table] == ["06_dropout", "**all**"]
    for row in table:
        assert row[1] == "1"
        assert re.fullmatch(r"\*?\*?[0-9.]+x\*?\*?", row[4]), row
    assert re.search(r"`--jobs 1` [0-9.]+ s, `--jobs 2` [0-9.]+ s: \*\*[0-9.]+x\*\*", section.group(1))
