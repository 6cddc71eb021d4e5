"""Do the notebooks' visible checks accept every answer the hidden tests accept?

Every correct alternative of an assignment's catalog is put into its solution cell, and the
notebook's setup, solution and visible check cells run as `python -m autograder check` runs
them: the check of that function must pass. (A visible check that rejects a right answer sends
a student hunting for a mistake that is not there.)
"""

import copy

import pytest

from autograder import prove
from autograder.check import check_cells
from autograder.notebook import list_assignments, load_assignment, nbgrader_meta, read_notebook
from autograder.sandbox.box import Sandbox

CASES = [pytest.param(a, i, id=f"{a}:{i}") for a in list_assignments()
         for i, _ in enumerate(prove.plan(load_assignment(a),
                                          [e for e in prove.entries(a) if e.kind == "alternative"]))]


@pytest.mark.parametrize("assignment_id, index", CASES)
def test_visible_checks_pass_every_correct_alternative(assignment_id, index):
    assignment = load_assignment(assignment_id)
    alternatives = [e for e in prove.entries(assignment_id) if e.kind == "alternative"]
    chosen = prove.plan(assignment, alternatives)[index]
    nb = copy.deepcopy(read_notebook(assignment.source_path))
    for cell in nb["cells"]:
        fn = nbgrader_meta(cell).get("grade_id")
        if cell.get("cell_type") == "code" and fn in chosen:
            cell["source"] = chosen[fn].source
    cells, checks = check_cells(nb, assignment)
    with Sandbox(cells) as box:
        failed = {fn: box.load_errors[f"check_{fn}"] for fn in chosen if f"check_{fn}" in box.load_errors}
        broken = {fn: box.load_errors[fn] for fn in chosen if fn in box.load_errors}
    assert not broken, broken
    assert not failed, {fn: (chosen[fn].label, error) for fn, error in failed.items()}
