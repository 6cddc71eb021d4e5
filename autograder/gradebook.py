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

nbgrader creates a gradebook's tables first and stamps its schema revision after, by running the
`alembic` command; when that command is not on PATH the creation stops in between and leaves a
half-made gradebook (tables, no `alembic_version`), which nbgrader then uses silently until
`nbgrader db upgrade` fails on it. `diagnose` tells such a gradebook apart and `repair` mends
it (`grade` and `make formgrader` run it first). Every gradebook of ours is opened through
`open_gradebook`, which refuses a half-made one and makes a new one whole in this process.
"""

import os
import shutil
import sys
import warnings
from collections import defaultdict
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from nbgrader.api import Base, Gradebook, MissingEntry
from nbgrader.dbutil import ALEMBIC_DIR
from nbgrader.preprocessors import ComputeChecksums, OverwriteCells, SaveCells
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.exc import DatabaseError, OperationalError, SAWarning
from sqlalchemy.pool import NullPool

from autograder.notebook import cell_source, nbgrader_meta


class GradebookError(RuntimeError):
    """A gradebook that cannot be used or mended as it is; the message says what was found and what to do."""


def alembic_on_path():
    """nbgrader runs the `alembic` command by name when it creates a gradebook: put the folder of this
    Python (the venv's, which holds alembic) on PATH, so that it is found whether or not the virtual
    environment is activated."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


@cache
def schema_revision():
    """The alembic revision of the schema this nbgrader creates: the stamp of a whole gradebook."""
    return ScriptDirectory(ALEMBIC_DIR).get_current_head()


@dataclass(frozen=True)
class Health:
    """What `diagnose` found. state: "ok"; "new" (no file or no tables yet: nbgrader makes them when
    first used); "unstamped" (every table, no revision: stamp it); "incomplete" or "unreadable" (move it
    aside); "other revision" (made by another nbgrader: `nbgrader db upgrade`)."""

    state: str
    found: str  # what was found, as a phrase
    manual_scores: int | None = None  # manual scores it holds (None: unknown)


def _sqlite_file(url):
    """The file of a SQLite gradebook URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _name(url):
    path = _sqlite_file(url)
    return str(path) if path is not None else make_url(url).render_as_string(hide_password=True)


def diagnose(url):
    """The Health of the gradebook at `url`, read without changing it."""
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        return Health("new", "no gradebook yet (nbgrader makes it when first used)")
    if path is not None and path.stat().st_size == 0:
        return Health("new", "an empty file (nbgrader makes its tables when first used)")
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            schema = inspect(conn)
            tables = set(schema.get_table_names())
            if not tables:
                return Health("new", "a database without tables (nbgrader makes them when first used)")
            missing = []
            for table in Base.metadata.sorted_tables:
                if table.name not in tables:
                    missing.append(table.name)
                else:
                    have = {c["name"] for c in schema.get_columns(table.name)}
                    missing += [f"{table.name}.{c}" for c in table.columns.keys() if c not in have]
            revision = MigrationContext.configure(conn).get_current_revision() \
                if "alembic_version" in tables else None
            if "grade" not in tables:
                manual = 0
            elif "grade.manual_score" in missing:
                manual = None
            else:
                manual = conn.execute(text("SELECT count(*) FROM grade WHERE manual_score IS NOT NULL")).scalar()
    except OperationalError as err:
        raise GradebookError(f"{_name(url)}: cannot be opened ({err.orig}): check the path and its permissions") \
            from err
    except DatabaseError as err:
        return Health("unreadable", f"not a database nbgrader can read ({err.orig})")
    finally:
        engine.dispose()
    if revision is not None and revision != schema_revision():
        return Health("other revision", f"made by another nbgrader (schema revision {revision}, "
                                        f"this nbgrader's is {schema_revision()})", manual)
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        return Health("incomplete", f"nbgrader's schema incomplete (missing {shown})", manual)
    if revision is None:
        return Health("unstamped", "half-made: nbgrader's tables without their alembic_version "
                                   "(its creation stopped before alembic stamped it)", manual)
    return Health("ok", f"whole (schema revision {revision})", manual)


def _stamp(url, create=False):
    """Record the schema revision in a gradebook whose tables are complete (as `alembic stamp head`);
    create: make the tables first, as nbgrader's Gradebook does for a new gradebook, but without the
    `alembic` command it runs for the revision (a subprocess that takes seconds)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            if create:
                Base.metadata.create_all(conn)
            MigrationContext.configure(conn).stamp(ScriptDirectory(ALEMBIC_DIR), schema_revision())
    finally:
        engine.dispose()


def _backup_path(path):
    """A name beside `path` that holds nothing yet: gradebook.db.broken, then .broken.1, .broken.2..."""
    candidate, n = path.with_name(path.name + ".broken"), 0
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.broken.{n}")
    return candidate


def _manual_kept(count, backup):
    """What became of the manual scores of a gradebook moved aside (count None: they could not be read)."""
    if count == 0:
        return "it held no manual scores"
    held = f"{count} manual score{'s' if count > 1 else ''} in it" if count else "its manual scores (unreadable)"
    return f"{held} NOT carried over: {backup.name} keeps them; enter them again in formgrader"


def repair(url):
    """Mend the gradebook at `url` when it needs it -> one line saying what was found and what was done,
    or None when there is nothing to mend (whole, or not made yet: nbgrader makes it when first used).
    A half-made one is stamped, nothing else changes. One that nbgrader cannot use is moved aside, never
    deleted, so that a new one is made, into which `grade` records the automatic scores again; the line
    says whether it held manual scores, which the new one does not have."""
    health = diagnose(url)
    if health.state in ("ok", "new"):
        return None
    name = _name(url)
    if health.state == "other revision":
        raise GradebookError(f"{name}: {health.found}: upgrade it with `nbgrader db upgrade` from the course "
                             "folder, or use the nbgrader version that made it")
    if health.state == "unstamped":
        _stamp(url)
        return f"{name}: {health.found}; stamped it at revision {schema_revision()}, nothing else changed"
    path = _sqlite_file(url)
    if path is None:
        raise GradebookError(f"{name}: {health.found}: move it aside (or drop its tables), then grade again")
    backup = _backup_path(path)
    path.rename(backup)
    return (f"{name}: {health.found}; moved it to {backup.name}, so that `grade` records the automatic scores "
            f"in a new one; {_manual_kept(health.manual_scores, backup)}")


@contextmanager
def open_gradebook(url):
    """nbgrader's Gradebook at `url` (made whole when there is none yet), refusing a half-made or broken
    one, which nbgrader itself would use silently."""
    health = diagnose(url)
    if health.state == "new":
        _stamp(url, create=True)
    elif health.state != "ok":
        path = _sqlite_file(url)
        raise GradebookError(f"{_name(url)}: {health.found}: run `python -m autograder gradebook --repair "
                             f"{path if path is not None else url}`")
    with closing(Gradebook(url)) as gb:
        yield gb


def _url_of(where):
    """A gradebook URL from a URL or a file path (relative paths from the current folder)."""
    return where if "://" in where else f"sqlite:///{Path(where).resolve()}"


def add_arguments(parser):
    """The options of `python -m autograder gradebook`."""
    parser.add_argument("gradebook", nargs="?", default="gradebook.db",
                        help="its file or database URL (default: gradebook.db)")
    parser.add_argument("--repair", action="store_true",
                        help="mend it: stamp a half-made one, or move an unusable one aside (kept as .broken)")


def command(args):
    """`python -m autograder gradebook`: say in one line whether the gradebook is whole (exit 0) or what is
    wrong with it (exit 1); with --repair, mend it and say what was done (exit 2 when it cannot be)."""
    url = _url_of(args.gradebook)
    try:
        if args.repair:
            print(repair(url) or f"{_name(url)}: {diagnose(url).found}; nothing to do")
            return 0
        health = diagnose(url)
    except GradebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if health.state in ("ok", "new"):
        print(f"{_name(url)}: {health.found}")
        return 0
    print(f"{_name(url)}: {health.found}: run `python -m autograder gradebook --repair {args.gradebook}`")
    return 1


def save_assignment(gradebook_url, assignment):
    """Create or refresh the assignment, its notebook and its cells in the gradebook."""
    with open_gradebook(gradebook_url) as gb:
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
    with open_gradebook(gradebook_url) as gb, warnings.catch_warnings():
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
    with open_gradebook(gradebook_url) as gb:
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
