"""Is assignments/ exactly what nbgrader generates from solutions/, and fit to hand out?"""

import json

import pytest

from autograder import release
from autograder.notebook import REPO_ROOT, cell_source, list_assignments, nbgrader_meta

ASSIGNMENTS = list_assignments()


def test_every_assignment_has_a_release():
    released = sorted(p.name for p in (REPO_ROOT / "assignments").iterdir() if p.is_dir())
    assert released == ASSIGNMENTS, "assignments/ and solutions/ list different assignments: run `make release`"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_is_what_solutions_generate(assignment_id, tmp_path):
    """The drift check: a hand edit of assignments/, or a forgotten `make release`, fails here."""
    fresh = release.generate(assignment_id, release_dir=tmp_path)
    committed = REPO_ROOT / "assignments" / assignment_id
    names = sorted(p.name for p in fresh.iterdir())
    assert names == sorted(p.name for p in committed.iterdir())
    for name in names:
        assert (committed / name).read_bytes() == (fresh / name).read_bytes(), \
            f"assignments/{assignment_id}/{name} differs from what solutions/ generates: run `make release`"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_release_carries_no_answers_and_no_outputs(assignment_id):
    for path in (REPO_ROOT / "assignments" / assignment_id).glob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        nb = json.loads(text)
        for cell in nb["cells"]:
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
            meta = nbgrader_meta(cell)
            if meta.get("solution") and cell["cell_type"] == "code":
                assert "raise NotImplementedError()" in cell_source(cell)
            if meta.get("solution") and cell["cell_type"] == "markdown":
                assert cell_source(cell) == "YOUR ANSWER HERE"
