"""Grade a class on an existing Dask cluster (`grade --scheduler ADDRESS`): one task per submission.

Each task carries the submission's notebook (its name and bytes), so a worker needs this
repository and its venv (at the same path, with bubblewrap) but not the class's files; the worker
grades it in its sandbox with `batch.grade_submission`, exactly as a local run does. The client
writes each result as it arrives (`batch.write_results`, atomic), so a run stopped at any moment
resumes like a local one. A task whose worker dies is run again on another worker by the
scheduler; one that has killed more workers than the scheduler allows
(`distributed.scheduler.allowed-failures`, 3 by default) is run once more alone, and if it kills
them again it gets a result of 0 that says why, as a local run does for a submission that kills
its grading process.
"""

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from autograder import batch, notebook, runner

RETRIES = 2  # reruns of a task that raised (a worker's own trouble: a full disk, say); grading itself never raises
CONNECT_SECONDS = 10  # to reach the scheduler: a wrong address fails fast
KILLED_REASON = ("grading this submission killed the Dask worker that ran it, on {tries} workers "
                 "(does it kill or signal other processes?); run without --isolation none to grade it safely")


class ClusterError(ValueError):
    """The cluster cannot grade (unreachable, or running other code): a ValueError, so that the command
    line prints it as one line; the results already written stay, and a re-run grades the rest."""


@dataclass(frozen=True)
class Parcel:
    """What a task takes to a worker: the submission's ids and its notebook (None when none was handed in)."""

    student: str
    assignment_id: str
    notebook_name: str | None
    notebook_bytes: bytes | None


def grade_parcel(parcel, *, course_seed, limits, isolation):
    """On a worker: lay the notebook out as `<student>/<assignment>/<notebook>` in a temporary folder
    and grade it with `batch.grade_submission` -> the results.json dict (never raises for a student's code)."""
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        folder = Path(tmp) / parcel.student / parcel.assignment_id
        folder.mkdir(parents=True)
        path = None
        if parcel.notebook_name is not None:
            path = folder / parcel.notebook_name
            path.write_bytes(parcel.notebook_bytes)
        sub = batch.Submission(parcel.student, parcel.assignment_id, folder, path)
        return batch.grade_submission(sub, course_seed=course_seed, limits=limits, isolation=isolation)


def grade_on_cluster(todo, out, *, address, course_seed, limits, isolation, results, bar, task=grade_parcel):
    """Grade `todo` on the Dask cluster whose scheduler is at `address`; write and collect each result.

    A task that killed workers may only have shared one with the submission that did: such tasks are
    run again one at a time, and only a submission that kills workers on its own gets 0.
    task: the function each task runs, `task(parcel, course_seed=, limits=, isolation=)`. Always
    `grade_parcel` in use; a test passes `grade_parcel` wrapped to make a worker exit for one
    student, to prove that such a submission is reported as failed while the rest are graded.
    """
    from distributed import Client  # imported here: local grading does not need Dask

    if not todo:
        return
    try:
        client = Client(address, set_as_default=False, timeout=CONNECT_SECONDS)
    except OSError as err:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    options = {"course_seed": course_seed, "limits": limits, "isolation": isolation}
    failed = []
    with client:
        _check_workers(client, {sub.assignment_id for sub in todo})
        futures = {}
        for sub in todo:
            parcel = _parcel(sub)
            if parcel is None:  # unreadable here: grade it here, as a local run would
                results[sub] = batch.grade_and_write(sub, out, course_seed, limits, isolation)
                bar.update()
            else:
                futures[_submit(client, task, sub, parcel, options)] = sub
        suspects = _collect(client, futures, out, course_seed, results, bar, failed)
        for sub, _ in suspects:  # alone now: if the workers die again, this submission is what kills them
            alone = {_submit(client, task, sub, _parcel(sub), options): sub}
            for culprit, tries in _collect(client, alone, out, course_seed, results, bar, failed):
                results[culprit] = _killed(culprit, course_seed, isolation, tries)
                batch.write_results(out, culprit, results[culprit])
                bar.update()
    if failed:
        raise ClusterError("the cluster could not grade these submissions (nothing written for them; "
                           "run again to grade them): " + "; ".join(failed))


def _submit(client, task, sub, parcel, options):
    key = f"grade-{sub.student}-{sub.assignment_id}-{uuid.uuid4().hex[:8]}"  # unique: pure=False, never cached
    return client.submit(task, parcel, **options, key=key, pure=False, retries=RETRIES)


def _collect(client, futures, out, course_seed, results, bar, failed):
    """Write each result as its task completes -> [(submission, tries)] of the tasks that killed their workers.

    A task that raised is the cluster's trouble, not the student's: it goes to `failed` and nothing is
    written for it, so the next run grades it again.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    killed = []
    for future in as_completed(futures, loop=client.loop):
        sub = futures[future]
        try:
            result = future.result()
        except KilledWorker as err:
            killed.append((sub, err.allowed_failures + 1))
            continue
        except Exception as err:  # whatever a worker raised: reported below, never a student's grade
            failed.append(f"{sub.student}/{sub.assignment_id}: {type(err).__name__}: {err}")
            continue
        if not _same_grader(sub, course_seed, result):
            failed.append(f"{sub.student}/{sub.assignment_id}: graded by a Dask worker whose grader or course "
                          "files differ from this checkout's")
            continue
        batch.write_results(out, sub, result)
        results[sub] = result
        bar.update()
    return killed


def _parcel(sub):
    if sub.path is None:
        return Parcel(sub.student, sub.assignment_id, None, None)
    try:
        return Parcel(sub.student, sub.assignment_id, sub.path.name, sub.path.read_bytes())
    except OSError:
        return None


def _code_digests(assignment_ids):
    return {a: batch._code_digest(a) for a in sorted(assignment_ids)}


def _check_workers(client, assignment_ids):
    """Stop before grading when a worker's grader or course files differ from this checkout's:
    its scores could differ from a local run's, and its results would never count as up to date."""
    here = _code_digests(assignment_ids)
    differ = sorted(w for w, theirs in client.run(_code_digests, assignment_ids).items() if theirs != here)
    if differ:
        raise ClusterError(f"Dask workers {', '.join(differ)} run a different grader or course files than this "
                           "checkout: put the same commit of the repository at the same path on every worker")


def _same_grader(sub, course_seed, result):
    """Whether the result's fingerprint is this checkout's: a worker that joined after `_check_workers`
    may still run other code, and its result must not be written."""
    seed = batch.submission_seed(course_seed, sub.student, sub.assignment_id)
    return result["extra_data"]["fingerprint"] == batch.fingerprint(sub, seed)


def _killed(sub, course_seed, isolation, tries):
    """The result (0 points, with the reason) of a submission whose grading killed every worker that tried it."""
    reason = KILLED_REASON.format(tries=tries)
    seed = batch.submission_seed(course_seed, sub.student, sub.assignment_id)
    outcome = runner.grade_unavailable(notebook.load_assignment(sub.assignment_id), reason, seed=seed) \
        if sub.assignment_id in notebook.list_assignments() else runner.Outcome([], [reason])
    return batch.result_of(sub, outcome, seed=seed, seconds=0.0, isolation=isolation)
