"""Grade a whole class: find the submissions, grade each in its own job, write results atomically.

A submission's `results.json` is written last and only whole (a temporary file renamed into
place), together with the fingerprint of what produced it; a re-run skips every submission whose
fingerprint still matches, so a run killed at any moment resumes without losing or redoing work.
"""

import functools
import hashlib
import json
import multiprocessing
import os
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder import catalog, notebook, report, runner
from autograder.sandbox.policy import Limits, isolation_status

PACKAGE = Path(__file__).resolve().parent
# Modules that read results or build other things: a change to them cannot change a submission's
# results.json or feedback page, so it leaves earlier results up to date.
NOT_IN_RESULTS = ("class_report.py", "catalog_table.py", "prove.py", "release.py", "gradescope.py", "check.py",
                  "bundle.py", "export.py")
COURSE_SEED = 0  # the default course seed; `grade --seed` sets another


def submission_seed(course_seed, student, assignment_id):
    """The seed of one submission's draws: fixed by the course seed and the submission's ids, so a
    regrade of the same file draws the same values, and two students draw different ones."""
    digest = hashlib.sha256(f"{course_seed}/{student}/{assignment_id}".encode()).digest()
    return int.from_bytes(digest[:4], "little")


@dataclass(frozen=True)
class Submission:
    """`SUBMITTED/<student>/<assignment>/`, and the notebook handed in there (None if none)."""

    student: str
    assignment_id: str
    folder: Path
    path: Path | None


def find_submissions(submitted):
    """Every `<student>/<assignment>/` folder under `submitted`, in a stable order."""
    subs = []
    for folder in sorted(Path(submitted).glob("*/*/")):
        if folder.name.startswith(".") or folder.parent.name.startswith("."):
            continue
        notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        subs.append(Submission(folder.parent.name, folder.name, folder, _pick_notebook(folder.name, notebooks)))
    return subs


def _pick_notebook(assignment_id, notebooks):
    try:
        expected = notebook.load_assignment(assignment_id).notebook
    except (ValueError, FileNotFoundError):
        expected = None
    named = [p for p in notebooks if p.name == expected]
    return named[0] if named else (notebooks[0] if len(notebooks) == 1 else None)


def grader_files(assignment_id):
    """Every file a result can depend on besides the submission: the grader's code (all of it), the
    shared package the tests import, and the assignment's source notebook and folder."""
    files = [p for p in PACKAGE.rglob("*.py") if not {"hidden", "samples"} & set(p.relative_to(PACKAGE).parts)
             and p.name not in NOT_IN_RESULTS]
    files += list((PACKAGE.parent / "cs231n_utils").rglob("*.py"))
    if assignment_id in notebook.list_assignments():
        files += [notebook.load_assignment(assignment_id).source_path, *catalog.folder(assignment_id).glob("*.py"),
                  catalog.HIDDEN_DIR / "pytest.ini"]
    return sorted(files)


@functools.cache
def _code_digest(assignment_id):
    h = hashlib.sha256()
    for p in grader_files(assignment_id):
        h.update(str(p.relative_to(PACKAGE.parent)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(sub, seed):
    """What a result depends on: the submission, its seed, and every file of the grader and the assignment."""
    h = hashlib.sha256(f"{seed}\0{_code_digest(sub.assignment_id)}\0".encode())
    if sub.path:
        h.update(sub.path.name.encode() + b"\0" + sub.path.read_bytes())
    return h.hexdigest()


def grade_submission(sub, *, course_seed, limits, isolation):
    """Grade one submission -> results.json dict (Gradescope's format). Never raises."""
    seed = submission_seed(course_seed, sub.student, sub.assignment_id)
    start = time.monotonic()
    try:
        outcome = _outcome(sub, seed=seed, limits=limits, isolation=isolation)
    except Exception:  # a bug of the grader's own must not stop the class: say so loudly
        outcome = runner.Outcome([], ["internal grader error, please tell the course staff: "
                                      + traceback.format_exc(limit=3)])
    return result_of(sub, outcome, seed=seed, seconds=time.monotonic() - start, isolation=isolation)


def result_of(sub, outcome, *, seed, seconds, isolation):
    """The results.json dict (Gradescope's format) of one graded submission.

    Each test keeps its graded function (`tags` and `extra_data.function`) and the known mistake
    it matched (`extra_data.hint`); a function's hint is written into the output of its first
    failed test only, so that a student reads it once.
    """
    told, tests = set(), []
    for t in outcome.tests:
        output = t.output
        if t.hint and t.function not in told and t.score < t.max_score:
            told.add(t.function)
            output += f"\nKnown mistake: {t.hint}"
        tests.append({"name": t.name, "score": t.score, "max_score": t.max_score,
                      "status": "passed" if t.score >= t.max_score else "failed", "output": output,
                      "tags": [t.function], "visibility": "visible",
                      "extra_data": {"function": t.function, "hint": t.hint}})
    return {
        "score": sum(t["score"] for t in tests),
        "tests": tests,
        "output": "\n".join(outcome.notes),
        "execution_time": round(seconds, 3),
        "extra_data": {"student_id": sub.student, "assignment_id": sub.assignment_id, "max_score": outcome.max_score,
                       "notebook": sub.path.name if sub.path else None, "seed": seed,
                       "fingerprint": fingerprint(sub, seed), "isolation": isolation_status(isolation)},
    }


def _outcome(sub, *, seed, limits, isolation):
    if sub.assignment_id not in notebook.list_assignments():
        return runner.Outcome([], [f"unknown assignment folder {sub.assignment_id!r}: expected one of "
                                   f"{', '.join(notebook.list_assignments())}"])
    assignment = notebook.load_assignment(sub.assignment_id)
    if sub.path is None:
        reason = f"no notebook handed in: expected {assignment.notebook} in {sub.student}/{sub.assignment_id}/"
        return runner.grade_unavailable(assignment, reason, seed=seed)
    try:
        nb = notebook.read_notebook(sub.path)
    except notebook.NotebookError as err:
        return runner.grade_unavailable(assignment, str(err), seed=seed)
    sources, notes = notebook.extract_solutions(nb, assignment.functions)
    outcome = runner.grade_sources(assignment, sources, notes, seed=seed, limits=limits, isolation=isolation)
    if sub.path.name != assignment.notebook:
        outcome.notes.insert(0, f"graded {sub.path.name}; the notebook should be named {assignment.notebook}")
    return outcome


def result_dir(out, sub):
    return Path(out) / sub.student / sub.assignment_id


def write_atomic(path, text):
    """Write `text` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def grade_and_write(sub, out, course_seed, limits, isolation):
    """Grade one submission and write its feedback page, then its results.json (last)."""
    result = grade_submission(sub, course_seed=course_seed, limits=limits, isolation=isolation)
    write_results(out, sub, result)
    return result


def write_results(out, sub, result):
    """The feedback page, then results.json: a results.json on disk means the submission is done."""
    folder = result_dir(out, sub)
    for stale in folder.glob(".*.tmp"):  # left by a run killed mid-write
        stale.unlink(missing_ok=True)
    write_atomic(folder / "feedback.html", report.feedback_html(result))
    write_atomic(folder / "results.json", json.dumps(result, indent=1))


def previous_result(out, sub, course_seed):
    """The stored result if it is whole and still matches the submission, its seed and the grader, else None."""
    seed = submission_seed(course_seed, sub.student, sub.assignment_id)
    try:
        result = json.loads((result_dir(out, sub) / "results.json").read_text())
        return result if result["extra_data"]["fingerprint"] == fingerprint(sub, seed) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_assignments(subs):
    """Stop, naming the function, when an assignment's announced points differ from its hidden tests'."""
    for assignment_id in sorted({s.assignment_id for s in subs} & set(notebook.list_assignments())):
        runner.check_points(notebook.load_assignment(assignment_id))


def grade_class(submitted, out, *, jobs=None, timeout=30.0, force=False, seed=COURSE_SEED, isolation="auto",
                progress=True, scheduler=None):
    """Grade every submission under `submitted` into `out` -> (results, number regraded).

    seed: the course seed; each submission's own seed derives from it and the submission's ids.
    scheduler: a Dask scheduler's address, to grade on that cluster instead (`dask_backend`; `jobs` unused).
    """
    limits = Limits(wall_seconds=timeout, cpu_seconds=max(int(timeout * 2), 1))
    subs = find_submissions(submitted)
    check_assignments(subs)
    results, todo = {}, []
    for sub in subs:
        previous = None if force else previous_result(out, sub, seed)
        if previous is None:
            todo.append(sub)
        else:
            results[sub] = previous
    bar = tqdm(total=len(subs), initial=len(subs) - len(todo), desc="grading", unit="submission",
               disable=not progress)
    jobs = jobs or os.cpu_count() or 1
    if scheduler:
        from autograder import dask_backend  # only a cluster run needs Dask
        dask_backend.grade_on_cluster(todo, out, address=scheduler, course_seed=seed, limits=limits,
                                      isolation=isolation, results=results, bar=bar)
    elif jobs == 1:
        for sub in todo:
            results[sub] = grade_and_write(sub, out, seed, limits, isolation)
            bar.update()
    else:
        _grade_in_pool(todo, out, seed, limits, isolation, jobs, results, bar)
    bar.close()
    return [results[s] for s in subs], len(todo)


def _grade_in_pool(todo, out, seed, limits, isolation, jobs, results, bar):
    pending = list(todo)
    while pending:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("forkserver")) as pool:
            futures = {pool.submit(grade_and_write, sub, out, seed, limits, isolation): sub for sub in pending}
            try:
                for future in as_completed(futures):
                    results[futures[future]] = future.result()
                    bar.update()
            except BrokenProcessPool:
                pass  # a pool process died (it runs no student code, so: out of memory?); retry the rest
        retry = [s for s in pending if s not in results]
        if len(retry) == len(pending):  # no progress: one at a time, to find the job that dies
            for sub in retry:
                results[sub] = _grade_alone(sub, out, seed, limits, isolation)
                bar.update()
            return
        pending = retry


def _grade_alone(sub, out, seed, limits, isolation):
    """Grade one submission in a process of its own; if that process dies, the submission gets 0."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
        try:
            return pool.submit(grade_and_write, sub, out, seed, limits, isolation).result()
        except BrokenProcessPool:
            pass
    reason = ("grading this submission killed the grading process (does it kill or signal other processes?); "
              "run without --isolation none to grade it safely")
    known = sub.assignment_id in notebook.list_assignments()
    own_seed = submission_seed(seed, sub.student, sub.assignment_id)
    outcome = runner.grade_unavailable(notebook.load_assignment(sub.assignment_id), reason, seed=own_seed) \
        if known else runner.Outcome([], [reason])
    result = result_of(sub, outcome, seed=own_seed, seconds=0.0, isolation=isolation)
    write_results(out, sub, result)
    return result
