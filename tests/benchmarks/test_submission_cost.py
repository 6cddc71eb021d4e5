"""Does benchmarks/submission_cost.py grade a submission, and write its section of a results file
without touching the others? (A real run: one assignment, one grading after the warm-up. No timed
assertion: times depend on the machine and its load.)"""

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "submission_cost.py"
OTHER = "<!-- begin other -->\nanother benchmark's numbers\n<!-- end other -->\n"


def rows(section):
    """The table's data rows, as lists of cells."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def test_a_run_reports_each_phase_of_one_grading(tmp_path):
    """One grading of 06_dropout's reference answers: a row of numbers for it and for all, the whole
    at least its start-up, and another benchmark's section of the file kept as it was."""
    out = tmp_path / "results.md"
    out.write_text(f"# Results\n\n{OTHER}")
    subprocess.run([sys.executable, str(SCRIPT), "--repeats", "1", "--assignments", "06_dropout", "--out", str(out)],
                   cwd=REPO, check=True, capture_output=True, text=True)
    text = out.read_text()
    assert text.startswith(f"# Results\n\n{OTHER}")
    section = re.search(r"<!-- begin submission_cost -->\n(.*)<!-- end submission_cost -->\n", text, re.DOTALL)
    assert section and "## The cost of one submission" in section.group(1)
    table = rows(section.group(1))
    assert [row[0] for row in table] == ["06_dropout", "**all**"]
    assert table[0][1:] == table[1][1:]  # one assignment: it is all
    tests, start, calls, *_, whole, ratio = table[0][1:]
    assert int(tests) > 0 and int(calls) > 0
    assert int(whole) >= int(start) > 0
    assert float(ratio.rstrip("x")) >= 1.0
