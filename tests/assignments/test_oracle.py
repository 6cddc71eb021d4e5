"""Are the course's answers right? Each assignment's reference against PyTorch, the outside oracle.

The reference is the source notebook's solution cells, run exactly as the grader runs them (no
second copy of any answer). Each assignment's `oracle.py` holds `check_*` functions that compare
it with PyTorch and return the largest difference they saw.
"""

import pytest

from autograder import catalog
from autograder.notebook import list_assignments, load_assignment
from autograder.runner import reference

CHECKS = [pytest.param(a, name, id=f"{a}:{name}") for a in list_assignments()
          for name in sorted(dir(catalog.module(a, "oracle") or object)) if name.startswith("check_")]


def test_every_assignment_has_an_oracle():
    assert {a for a, _ in (p.values for p in CHECKS)} == set(list_assignments())


@pytest.mark.parametrize("assignment_id, name", CHECKS)
def test_reference_agrees_with_pytorch(assignment_id, name, record_property):
    difference = getattr(catalog.module(assignment_id, "oracle"), name)(reference(load_assignment(assignment_id)))
    assert isinstance(difference, float), f"{name} must return the largest difference it saw"
    record_property("largest_difference", difference)
