"""Does grading on a Dask cluster (`grade --scheduler`) give a local run's results, survive a worker
killed mid-task, and report a submission that kills every worker as failed while grading the rest?

A real `distributed.LocalCluster` (two worker processes under nannies, which restart a dead worker)
grades through the real path; the scheduler allows one worker death per task, so a task that kills
two workers is given up quickly.
"""

import functools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster
from tqdm import tqdm

from autograder import batch, cli, dask_backend
from autograder.sandbox.policy import Limits

SAMPLES = Path(batch.__file__).parent / "samples" / "submitted"
LIMITS = Limits(wall_seconds=30.0, cpu_seconds=60)
SEED = 7

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import this test module


@pytest.fixture(scope="module")
def cluster():
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as local, Client(local, set_as_default=False) as client:
            yield local, client


def _class(tmp_path, picks):
    """A submitted/ folder of sample notebooks: picks is [(student as copied, sample student, assignment)]."""
    submitted = tmp_path / "submitted"
    for student, sample, assignment_id in picks:
        shutil.copytree(SAMPLES / sample / assignment_id, submitted / student / assignment_id)
    return submitted


def _local(sub):
    """The local grader's result for the same submission and course seed (graded once per notebook)."""
    return _graded_locally(sub.student, sub.assignment_id, sub.path.name, sub.path.read_bytes())


@functools.cache
def _graded_locally(student, assignment_id, name, content):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / student / assignment_id
        folder.mkdir(parents=True)
        (folder / name).write_bytes(content)
        sub = batch.Submission(student, assignment_id, folder, folder / name)
        return batch.grade_submission(sub, course_seed=SEED, limits=LIMITS, isolation="auto")


def _written(out, sub):
    return json.loads((batch.result_dir(out, sub) / "results.json").read_text())


def _same(a, b):
    """Equal results, apart from how long grading took."""
    return {**a, "execution_time": None} == {**b, "execution_time": None}


def test_cluster_results_are_the_local_results_and_resume(cluster, tmp_path, capsys):
    local_cluster, _ = cluster
    submitted = _class(tmp_path, [(s, s, "03_optimizers") for s in ("alice", "carol", "grace")]
                       + [("kim", "kim", "01_regularization")])
    out = tmp_path / "out"
    argv = ["grade", str(submitted), "--out", str(out), "--seed", str(SEED), "--timeout", "30", "--no-progress",
            "--gradebook", f"sqlite:///{tmp_path / 'gradebook.db'}", "--scheduler", local_cluster.scheduler_address]
    assert cli.main(argv) == 0
    subs = batch.find_submissions(submitted)
    for sub in subs:
        remote, local = _written(out, sub), _local(sub)
        assert [(t["name"], t["score"]) for t in remote["tests"]] == [(t["name"], t["score"]) for t in local["tests"]]
        assert _same(remote, local)
        assert (batch.result_dir(out, sub) / "feedback.html").is_file()
    assert {r["score"] for r in map(_written, [out] * len(subs), subs)} != {0}
    capsys.readouterr()
    assert cli.main(argv) == 0  # a re-run sends nothing: every result is up to date
    assert "(0 graded now, 4 up to date)" in capsys.readouterr().out


def _slow(parcel, **options):
    """Test only: the real grading path, three seconds late, so that a worker can be killed while it runs."""
    time.sleep(3)
    return dask_backend.grade_parcel(parcel, **options)


def _executing(dask_worker):
    return [str(key) for key, ts in dask_worker.state.tasks.items() if ts.state == "executing"]


def test_a_worker_killed_mid_task_has_its_submission_graded_elsewhere(cluster, tmp_path):
    local_cluster, client = cluster
    submitted = _class(tmp_path, [("alice", "alice", "03_optimizers"), ("kim", "kim", "01_regularization")])
    out, results = tmp_path / "out", {}
    subs = batch.find_submissions(submitted)
    run = threading.Thread(target=dask_backend.grade_on_cluster, args=(subs, out),
                           kwargs={"address": local_cluster.scheduler_address, "course_seed": SEED, "limits": LIMITS,
                                   "isolation": "auto", "results": results, "bar": tqdm(disable=True), "task": _slow})
    run.start()
    deadline, victim = time.monotonic() + 30, None
    while victim is None and time.monotonic() < deadline:
        victim = next((w for w, keys in client.run(_executing).items()
                       if any(k.startswith("grade-alice-") for k in keys)), None)
        time.sleep(0.2)
    assert victim is not None, "alice's submission never started on a worker"
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)  # while the task runs: it sleeps 3 s before grading
    run.join(timeout=40)
    assert not run.is_alive()
    assert pid not in client.run(os.getpid).values()  # that worker is gone: the result came from another
    for sub in subs:
        assert results[sub] == _written(out, sub)
        assert _same(results[sub], _local(sub))


def _exits_for_mallory(parcel, **options):
    """Test only: the real grading path, except that the Dask worker process exits for student mallory."""
    if parcel.student == "mallory":
        os._exit(1)
    return dask_backend.grade_parcel(parcel, **options)


def test_a_submission_that_kills_every_worker_gets_zero_with_the_reason(cluster, tmp_path):
    local_cluster, _ = cluster
    submitted = _class(tmp_path, [("mallory", "alice", "03_optimizers"), ("kim", "kim", "01_regularization")])
    out, results = tmp_path / "out", {}
    subs = batch.find_submissions(submitted)
    dask_backend.grade_on_cluster(subs, out, address=local_cluster.scheduler_address, course_seed=SEED,
                                  limits=LIMITS, isolation="auto", results=results, bar=tqdm(disable=True),
                                  task=_exits_for_mallory)
    for sub in subs:
        written = _written(out, sub)
        assert results[sub] == written
        if sub.student == "mallory":
            assert written["score"] == 0 and written["tests"]
            assert "killed the Dask worker that ran it, on 2 workers" in written["output"]
            assert written["extra_data"]["max_score"] == _local(sub)["extra_data"]["max_score"]
        else:
            assert _same(written, _local(sub))
