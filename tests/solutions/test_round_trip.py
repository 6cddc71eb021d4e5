"""Does the release work for a student? Run it with the answers pasted in, and as handed out."""

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograder.notebook import (
    REPO_ROOT,
    extract_solutions,
    list_assignments,
    load_assignment,
    nbgrader_meta,
    read_notebook,
)

ASSIGNMENTS = list_assignments()


def release_notebook(assignment_id):
    assignment = load_assignment(assignment_id)
    return assignment, REPO_ROOT / "assignments" / assignment_id / assignment.notebook


def execute(nb, folder):
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_with_reference_answers_runs_top_to_bottom(assignment_id):
    """Every visible check passes when the solution cells hold the reference answers."""
    assignment, path = release_notebook(assignment_id)
    answers, missing = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    assert not missing
    nb = nbformat.read(path, as_version=4)
    pasted = 0
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if cell.cell_type == "code" and grade_id in answers:
            cell.source, pasted = answers[grade_id].code, pasted + 1
    assert pasted == len(assignment.functions)
    execute(nb, path.parent)  # raises CellExecutionError, naming the cell, on any failure


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_as_handed_out_stops_at_the_first_stub(assignment_id):
    """Run All on the blank release stops at the first function's check, with one line naming that function."""
    assignment, path = release_notebook(assignment_id)
    nb = nbformat.read(path, as_version=4)
    with pytest.raises(CellExecutionError) as err:
        execute(nb, path.parent)
    assert err.value.ename == "NotWrittenYet"
    assert err.value.evalue.startswith(f"write {assignment.functions[0]} above first")
    first_stub = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("solution") and c.cell_type == "code")
    ran = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")]
    assert ran and max(ran) <= first_stub + 2, "the blank release ran past the first graded function's check"
