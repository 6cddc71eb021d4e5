"""Do the hidden tests judge right, on every assignment? Its catalog, graded through the real path.

For every assignment: the reference earns full marks; every known mistake loses points on its
own function and no other and is named in the feedback (its hint, said once); every correct
alternative earns full marks; and no submission's score per function depends on the seed
(`prove.SEEDS`, five of them). `autograder.prove` grades each assignment once; the tests read it.
"""

from functools import cache

import pytest

from autograder import prove
from autograder.notebook import list_assignments, load_assignment

ASSIGNMENTS = list_assignments()


@cache
def proof(assignment_id):
    return prove.prove(assignment_id)


def entry_cases(kind):
    return [pytest.param(a, i, id=f"{a}:{e.function}:{e.label[:50]}")
            for a in ASSIGNMENTS for i, e in enumerate(prove.entries(a)) if e.kind == kind]


def verdict(assignment_id, index):
    entry = prove.entries(assignment_id)[index]
    (found,) = [v for v in proof(assignment_id)[0] if v.entry == entry]
    return found


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_reference_earns_full_marks_under_every_seed(assignment_id):
    _, reference = proof(assignment_id)
    assert set(reference) == set(prove.SEEDS)
    assert all(scores == load_assignment(assignment_id).points for scores in reference.values()), reference


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_no_score_depends_on_the_seed(assignment_id):
    """Every submission of the catalog gets the same score per function under five seeds."""
    verdicts, _ = proof(assignment_id)
    varying = [(v.entry.function, v.entry.label, v.scores) for v in verdicts if not v.consistent]
    assert len(prove.SEEDS) >= 5 and not varying


@pytest.mark.parametrize("assignment_id, index", entry_cases("mistake"))
def test_a_mistake_loses_points_on_its_function_only_and_is_named(assignment_id, index):
    v = verdict(assignment_id, index)
    assert v.caught, f"full marks for a mistake: {v.scores}"
    assert v.others_full, "the mistake cost points on other functions"
    if v.entry.hint is not None:
        assert v.named, f"the feedback shows {sorted(v.hints) or 'no hint'}, not this mistake's"


@pytest.mark.parametrize("assignment_id, index", entry_cases("alternative"))
def test_a_correct_alternative_earns_full_marks(assignment_id, index):
    v = verdict(assignment_id, index)
    assert all(score == v.full for score in v.scores.values()) and v.others_full, v.scores


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_catalog_covers_every_function(assignment_id):
    """At least three mistakes and two alternatives per graded function, and at least 90% named."""
    entries = prove.entries(assignment_id)
    for fn in load_assignment(assignment_id).functions:
        assert sum(e.kind == "mistake" and e.function == fn for e in entries) >= 3, fn
        assert sum(e.kind == "alternative" and e.function == fn for e in entries) >= 2, fn
    mistakes = [e for e in entries if e.kind == "mistake"]
    assert sum(e.hint is not None for e in mistakes) >= 0.9 * len(mistakes)
