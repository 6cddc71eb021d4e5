"""Build the bundled sample class: every assignment's release, filled in as its sample students do.

    python -m autograder.samples.build     # rewrites autograder/samples/submitted/

Each student starts from the release and the reference answers, then changes what the student
got wrong (their own code, as students write it); the samples are listed in each assignment's
folder (`autograder/hidden/<id>/samples.py`) with the points each must earn, and the tests
check that grading the class gives exactly those.
"""

import shutil
from pathlib import Path

import nbformat

from autograder import catalog
from autograder.notebook import extract_solutions, list_assignments, load_assignment, nbgrader_meta, read_notebook

SUBMITTED = Path(__file__).resolve().parent / "submitted"


def notebook_of(sample, assignment, reference):
    """The notebook a sample student hands in (nbformat), or None for a cut-off file."""
    nb = nbformat.read(assignment.release_path, as_version=4)
    if sample.cells is None:
        return nb
    answers = {**reference, **sample.cells}
    cells = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id")
        change = answers.get(grade_id) if cell.cell_type == "code" else None
        if change == "DELETE":
            continue
        if isinstance(change, dict):  # left as released, the answer written in a new cell below it
            cells += [cell, nbformat.v4.new_code_cell(change["after"], id=f"{grade_id}-again")]
            continue
        if change is not None:
            cell.source = change
        elif cell.cell_type == "markdown" and meta.get("solution") and sample.answers:
            cell.source = f"{sample.student}'s answer to this question."
        cells.append(cell)
    nb.cells = cells
    return nb


def build(out=SUBMITTED, assignments=None):
    """Write every sample student's notebook under `out/<student>/<assignment>/` (of `assignments`: all)."""
    for assignment_id in assignments or list_assignments():
        for folder in Path(out).glob(f"*/{assignment_id}"):
            shutil.rmtree(folder)
    for assignment_id in assignments or list_assignments():
        assignment = load_assignment(assignment_id)
        sources, _ = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
        reference = {fn: solution.code for fn, solution in sources.items()}
        for sample in catalog.samples(assignment_id):
            path = Path(out) / sample.student / assignment_id / (sample.filename or assignment.notebook)
            path.parent.mkdir(parents=True, exist_ok=True)
            if sample.cells == "broken":
                release = assignment.release_path.read_bytes()
                path.write_bytes(release[: len(release) // 2])
            else:
                nbformat.write(notebook_of(sample, assignment, reference), path)
    return out


if __name__ == "__main__":
    import sys

    print(f"wrote {build(assignments=sys.argv[1:] or None)}")
