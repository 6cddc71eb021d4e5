"""Record automatic scores in nbgrader's gradebook, where formgrader and `nbgrader export` read them.

The assignment's cells are saved with nbgrader's own preprocessors, exactly as
`nbgrader generate_assignment` saves them. Each function's automatic score goes to its visible
check cell (`check_<function>`, whose points equal the hidden tests' points for that function);
the inline questions stay open for grading by hand in formgrader, except answers left as released,
which score 0 at once and are marked graded (as nbgrader's autograde does), so an instructor
reads only real answers. Formgrader reads each submission from
`autograded/<student>/<assignment>/`: the submitted notebook with its locked cells restored from
the gradebook (nbgrader's own OverwriteCells), as `nbgrader autograde` leaves it, but not
executed.
"""

import os
import shutil
import sys
import warnings
from collections import defaultdict
from contextlib import closing
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ComputeChecksums, OverwriteCells, SaveCells
from sqlalchemy.exc import SAWarning

from autograder.notebook import cell_source, nbgrader_meta


def _alembic_on_path():
    """nbgrader runs the `alembic` command when it creates a gradebook: find it beside this Python."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def save_assignment(gradebook_url, assignment):
    """Create or refresh the assignment, its notebook and its cells in the gradebook."""
    _alembic_on_path()
    with closing(Gradebook(gradebook_url)) as gb:
        gb.update_or_create_assignment(assignment.id)
        try:
            if gb.find_notebook(assignment.source_path.stem, assignment.id).submissions:
                return  # nbgrader refuses to rewrite a notebook that has submissions: keep it
        except MissingEntry:
            pass
    nb = nbformat.read(assignment.source_path, as_version=4)
    resources = {"nbgrader": {"db_url": gradebook_url, "assignment": assignment.id,
                              "notebook": assignment.source_path.stem}}
    nb, resources = ComputeChecksums().preprocess(nb, resources)
    SaveCells().preprocess(nb, resources)


def record(gradebook_url, assignment, results, submitted):
    """Store each result's automatic scores; `results` are results.json dicts of this assignment,
    graded from `submitted/<student>/<assignment>/` (nbgrader's layout, beside `autograded/`)."""
    save_assignment(gradebook_url, assignment)
    notebook = assignment.source_path.stem
    with closing(Gradebook(gradebook_url)) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)  # raised inside nbgrader's own add_submission
        for result in results:
            student = result["extra_data"]["student_id"]
            folder = Path(submitted) / student / assignment.id
            stamp = folder / "timestamp.txt"  # written by `nbgrader collect`; formgrader compares it
            timestamp = stamp.read_text().strip() if stamp.is_file() else None
            gb.update_or_create_student(student)
            try:
                gb.find_submission(assignment.id, student)
                gb.update_or_create_submission(assignment.id, student, timestamp=timestamp)
            except MissingEntry:
                gb.add_submission(assignment.id, student, timestamp=timestamp)
            per_function = defaultdict(float)
            for test in result["tests"]:
                per_function[test["extra_data"]["function"]] += test["score"]
            for fn in assignment.functions:
                grade = gb.find_grade(f"check_{fn}", notebook, assignment.id, student)
                grade.auto_score = per_function[fn]
                grade.needs_manual_grade = False
            unanswered = _unanswered(assignment, folder / result["extra_data"]["notebook"]) \
                if result["extra_data"]["notebook"] else set(assignment.manual_points)
            for question in assignment.manual_points:
                grade = gb.find_grade(question, notebook, assignment.id, student)
                if question in unanswered:
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
                elif grade.manual_score is None:
                    grade.auto_score, grade.needs_manual_grade = None, True
        gb.db.commit()
    for result in results:
        name = result["extra_data"]["notebook"]
        if name is not None:
            _write_autograded(gradebook_url, assignment, Path(submitted), result["extra_data"]["student_id"], name)


def _unanswered(assignment, path):
    """The inline questions whose answer cell is missing or still as released ("YOUR ANSWER HERE")."""
    released = {nbgrader_meta(c).get("grade_id"): cell_source(c) for c in nbformat.read(
        assignment.release_path, as_version=4).cells}
    try:
        cells = {nbgrader_meta(c).get("grade_id"): (cell_source(c) or "").strip()
                 for c in nbformat.read(path, as_version=4).cells}
    except Exception:  # unreadable: nothing was answered
        return set(assignment.manual_points)
    return {q for q in assignment.manual_points if cells.get(q, "") in ("", (released.get(q) or "").strip())}


def manual_scores(gradebook_url, assignment, students):
    """{(student, assignment id): (score, max_score, status)} of the inline questions, from the gradebook.

    status: "graded" when every answer has a score, "to grade" when some wait for a person.
    """
    out = {}
    notebook = assignment.source_path.stem
    with closing(Gradebook(gradebook_url)) as gb:
        for student in students:
            score, pending = 0.0, False
            for question in assignment.manual_points:
                try:
                    grade = gb.find_grade(question, notebook, assignment.id, student)
                except MissingEntry:
                    pending = True
                    continue
                pending |= bool(grade.needs_manual_grade)
                score += grade.score or 0.0
            out[student, assignment.id] = (score, sum(assignment.manual_points.values()),
                                           "to grade" if pending else "graded")
    return out


def _write_autograded(gradebook_url, assignment, submitted, student, name):
    """The notebook formgrader shows for manual grading, when the submission is a readable notebook."""
    source = submitted / student / assignment.id / name
    try:
        nb = nbformat.read(source, as_version=4)
        resources = {"nbgrader": {"db_url": gradebook_url, "assignment": assignment.id,
                                  "notebook": assignment.source_path.stem, "student": student}}
        nb, _ = OverwriteCells().preprocess(nb, resources)
    except Exception:  # a broken notebook has its score (0, with the reason); nothing to grade by hand
        return
    target = submitted.parent / "autograded" / student / assignment.id
    target.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target / assignment.notebook)
    if (source.parent / "timestamp.txt").is_file():
        shutil.copy(source.parent / "timestamp.txt", target / "timestamp.txt")
