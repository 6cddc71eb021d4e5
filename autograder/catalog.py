"""What one assignment's folder holds, as data: known mistakes, correct alternatives, sample students.

Everything specific to an assignment lives in `autograder/hidden/<assignment id>/`:

    test_hidden.py     the hidden pytest cases (never shipped to students)
    mistakes.py        MISTAKES: list[Mistake], each a wrong answer and the hint that names it
    alternatives.py    ALTERNATIVES: list[Alternative], correct answers written otherwise
    samples.py         SAMPLES: list[Sample], the students of the bundled sample class
    oracle.py          checks of the reference against PyTorch (test-only: imports torch)

The engine finds assignments by these folders and knows none of them by name.
"""

import importlib.util
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

HIDDEN_DIR = Path(__file__).resolve().parent / "hidden"


@dataclass(frozen=True)
class Mistake:
    """A realistic wrong answer to one graded function, written as a student writes it.

    function: the graded function it gets wrong.
    hint: the sentence the feedback shows when a submission behaves exactly like it
        ("Adam without bias correction: divide m by 1 - beta1**t ..."); it names the mistake and
        says what to do.
    source: a code cell defining `function` (it runs after the reference's cells, so it may call
        the reference's other functions, as a student's cell calls their own).
    named: whether the hidden tests must name it. A mistake whose effect depends on the data it
        meets (float32 rounding, say) is caught but cannot be told apart reliably: False.
    needs: other graded functions the cell calls; where those are right, so is the grading.
    count: how many real implementations showed it (0: written from experience).
    """

    function: str
    hint: str
    source: str
    named: bool = True
    needs: tuple[str, ...] = ()
    count: int = 0


@dataclass(frozen=True)
class Alternative:
    """A correct answer written otherwise than the reference: it must earn full marks."""

    function: str
    description: str
    source: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sample:
    """A student of the bundled sample class, for one assignment.

    student: the student id (the same id may hand in several assignments).
    story: what the sample shows, one line.
    cells: {grade_id: source} replacing the reference answers in the release; None hands in the
        release as it is (blank); "broken" hands in a truncated file. A source of "DELETE" removes
        the cell.
    expected: {function: points} the student must get, worked out by hand.
    filename: the notebook's file name when the student renamed it.
    answers: whether the inline questions are answered (False leaves them as released).
    """

    student: str
    story: str
    cells: dict | str | None
    expected: dict = field(default_factory=dict)
    filename: str | None = None
    answers: bool = True


def assignment_ids():
    """Ids of the assignments that have a folder of hidden tests, in teaching order."""
    return sorted(p.parent.name for p in HIDDEN_DIR.glob("*/test_hidden.py"))


def folder(assignment_id):
    return HIDDEN_DIR / assignment_id


@cache
def module(assignment_id, name):
    """`autograder/hidden/<assignment_id>/<name>.py`, imported (None when it does not exist)."""
    path = folder(assignment_id) / f"{name}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"autograder.hidden.a{assignment_id}.{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def mistakes(assignment_id):
    mod = module(assignment_id, "mistakes")
    return list(getattr(mod, "MISTAKES", [])) if mod else []


def alternatives(assignment_id):
    mod = module(assignment_id, "alternatives")
    return list(getattr(mod, "ALTERNATIVES", [])) if mod else []


def samples(assignment_id):
    mod = module(assignment_id, "samples")
    return list(getattr(mod, "SAMPLES", [])) if mod else []


def mistake_source(assignment_id, function, hint_start):
    """The cell of the catalog mistake of `function` whose hint starts with `hint_start` (for samples)."""
    (found,) = [m.source for m in mistakes(assignment_id) if m.function == function and m.hint.startswith(hint_start)]
    return found


def alternative_source(assignment_id, function, description_start):
    """The cell of the catalog alternative of `function` whose description starts so (for samples)."""
    (found,) = [a.source for a in alternatives(assignment_id)
                if a.function == function and a.description.startswith(description_start)]
    return found
