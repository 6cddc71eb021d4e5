"""Does grading a class give every submission the marks it honestly earned, and keep them safe?

The bundled sample class (autograder/samples/) holds a correct student, the blank release,
typical mistakes, PyTorch-style correct answers, a broken file and a hostile submission; its
expected points per function were worked out by hand (samples/build.py).
"""

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from contextlib import closing

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config

from autograder import batch, catalog, cli
from autograder.notebook import REPO_ROOT, list_assignments, load_assignment
from autograder.samples import build
from autograder.sandbox.policy import Limits

SEED = 1234


SAMPLES = {(s.student, a): s for a in list_assignments() for s in catalog.samples(a)}
OPTIMIZERS = {s.student: s for s in catalog.samples("03_optimizers")}


def per_function(result):
    scores = defaultdict(float)
    for test in result["tests"]:
        scores[test["extra_data"]["function"]] += test["score"]
    return dict(scores)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """The sample class graded once with two jobs: (course folder, out folder, console output)."""
    course = tmp_path_factory.mktemp("course")
    build.build(course / "submitted")
    out = course / "out"
    argv = ["grade", str(course / "submitted"), "--out", str(out), "--jobs", "2", "--timeout", "5",
            "--seed", str(SEED), "--no-progress"]
    started = time.monotonic()
    code = cli.main(argv)
    return course, out, code, time.monotonic() - started


def results_of(out, assignment="03_optimizers"):
    return {p.parent.parent.name: json.loads(p.read_text()) for p in out.glob(f"*/{assignment}/results.json")}


def all_results(out):
    return {(p.parent.parent.name, p.parent.name): json.loads(p.read_text()) for p in out.glob("*/*/results.json")}


def test_committed_samples_are_what_the_builder_makes(tmp_path):
    fresh = build.build(tmp_path / "submitted")
    committed = sorted(p.relative_to(build.SUBMITTED) for p in build.SUBMITTED.rglob("*.ipynb"))
    assert committed == sorted(p.relative_to(fresh) for p in fresh.rglob("*.ipynb"))
    for rel in committed:
        assert (build.SUBMITTED / rel).read_bytes() == (fresh / rel).read_bytes(), \
            f"samples/submitted/{rel} is stale: run python -m autograder.samples.build"


def test_every_sample_gets_exactly_its_expected_points(graded_class):
    course, out, code, _ = graded_class
    assert code == 0
    results = all_results(out)
    assert sorted(results) == sorted(SAMPLES)
    for key, sample in SAMPLES.items():
        assert per_function(results[key]) == sample.expected, f"{key} ({sample.story})"


def test_results_follow_gradescope_format(graded_class):
    _, out, _, _ = graded_class
    for (student, assignment), result in all_results(out).items():
        assert result["score"] == sum(t["score"] for t in result["tests"])
        assert result["extra_data"]["seed"] == batch.submission_seed(SEED, student, assignment)
        for t in result["tests"]:
            assert set(t) == {"name", "score", "max_score", "status", "output", "tags", "visibility", "extra_data"}
            fn = t["extra_data"]["function"]
            assert t["tags"] == [fn] and t["name"].startswith(f"{fn}: ")
            assert 0 <= t["score"] <= t["max_score"] and t["status"] == ("passed" if t["score"] == t["max_score"]
                                                                            else "failed")


@pytest.mark.parametrize("student, function, reason", [
    ("bob", "adam", "not written yet"),
    ("carol", "adam", "bias correction"),
    ("grace", "sgd", "not valid notebook JSON"),
    ("ivan", "adagrad", "stopped after 5 s"),
    ("judy", "rmsprop", "SyntaxError"),
    ("judy", "adam", "was the cell deleted"),
    ("heidi", "adamw", "exited"),
    ("heidi", "adam", "signal 11"),
])
def test_failures_say_why(graded_class, student, function, reason):
    _, out, _, _ = graded_class
    outputs = [t["output"] for t in results_of(out)[student]["tests"] if t["extra_data"]["function"] == function]
    assert outputs and any(reason in o for o in outputs), outputs


def test_renamed_notebook_is_graded_with_a_note(graded_class):
    _, out, _, _ = graded_class
    assert "should be named optimizers.ipynb" in results_of(out)["judy"]["output"]


def test_hostile_submission_forged_nothing(graded_class):
    course, out, _, _ = graded_class
    rows = list(csv.DictReader((out / "grades.csv").open()))
    optimizers = {r["student_id"]: float(r["auto_score"]) for r in rows if r["assignment_id"] == "03_optimizers"}
    assert optimizers["heidi"] == 3
    assert not (course / "submitted" / "heidi" / "03_optimizers" / "results.json").exists()
    assert sorted(p.name for p in (out / "heidi" / "03_optimizers").iterdir()) == ["feedback.html", "results.json"]


def test_grades_csv_has_one_row_a_submission_with_automatic_and_manual_points(graded_class):
    _, out, _, _ = graded_class
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [(r["student_id"], r["assignment_id"]) for r in rows] == sorted(SAMPLES)
    for r in rows:
        sample = SAMPLES[r["student_id"], r["assignment_id"]]
        assignment = batch.notebook.load_assignment(r["assignment_id"])
        assert float(r["auto_score"]) == sum(sample.expected.values())
        assert float(r["auto_max_score"]) == sum(assignment.points.values())
        assert float(r["manual_max_score"]) == sum(assignment.manual_points.values())
        assert float(r["max_score"]) == assignment.max_points
        # no manual grade yet: the score is the automatic one; released answers are already graded 0
        assert float(r["score"]) == float(r["auto_score"])
        assert r["manual_status"] == ("to grade" if sample.answers and sample.cells not in (None, "broken")
                                      else "graded")


def test_feedback_page_shows_tests_not_hidden_code(graded_class):
    _, out, _, _ = graded_class
    page = (out / "carol" / "03_optimizers" / "feedback.html").read_text()
    assert "18.5 / 21" in page and "0.5 / 3" in page
    assert page.count("Known mistake: Adam without bias correction") == 1, "the mistake is named once"
    hidden = (REPO_ROOT / "autograder" / "hidden" / "03_optimizers" / "test_hidden.py").read_text()
    for line in hidden.splitlines():
        if line.strip().startswith(("def ", "assert ", "raise ", "check(", "judge(")):
            assert line.strip() not in page


def test_gradebook_holds_the_scores(graded_class):
    course, out, _, _ = graded_class
    with closing(Gradebook(f"sqlite:///{course / 'gradebook.db'}")) as gb:
        assert sorted(s.id for s in gb.students) == sorted({student for student, _ in SAMPLES})
        for student, sample in OPTIMIZERS.items():
            for fn, points in sample.expected.items():
                grade = gb.find_grade(f"check_{fn}", "optimizers", "03_optimizers", student)
                assert grade.auto_score == points and grade.max_score == 3
            submission = gb.find_submission("03_optimizers", student)
            assert submission.code_score == sum(sample.expected.values())
            answered = gb.find_grade("inline_question_1", "optimizers", "03_optimizers", student)
            left_blank = not sample.answers or sample.cells in (None, "broken")
            assert (answered.needs_manual_grade, answered.auto_score) == ((False, 0.0) if left_blank else (True, None))
    exported = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(course / "export.csv")],
                              cwd=course, capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    rows = {r["student_id"]: r for r in csv.DictReader((course / "export.csv").open())
            if r["assignment"] == "03_optimizers"}
    assert float(rows["carol"]["raw_score"]) == 18.5


def test_rerun_skips_what_is_up_to_date_and_regrades_what_changed(graded_class, capsys):
    course, out, _, _ = graded_class
    argv = ["grade", str(course / "submitted"), "--out", str(out), "--jobs", "1", "--timeout", "5",
            "--seed", str(SEED), "--no-progress"]
    capsys.readouterr()
    assert cli.main(argv) == 0
    assert f"(0 graded now, {len(SAMPLES)} up to date)" in capsys.readouterr().out
    alice = course / "submitted" / "alice" / "03_optimizers" / "optimizers.ipynb"
    alice.write_text(alice.read_text().replace("return", "return", 1) + " ")
    assert cli.main(argv) == 0
    assert "(1 graded now," in capsys.readouterr().out
    assert per_function(results_of(out)["alice"]) == OPTIMIZERS["alice"].expected


def test_parallel_and_serial_give_the_same_scores(graded_class, tmp_path, capsys):
    course, out, _, _ = graded_class
    sub = tmp_path / "submitted"
    for student in ("carol", "frank", "grace"):
        (sub / student).mkdir(parents=True)
        os.symlink(course / "submitted" / student / "03_optimizers", sub / student / "03_optimizers")
    assert cli.main(["grade", str(sub), "--out", str(tmp_path / "o"), "--jobs", "1", "--seed", str(SEED),
                     "--no-progress"]) == 0
    serial, parallel = results_of(tmp_path / "o"), results_of(out)
    for student in serial:
        assert [t["score"] for t in serial[student]["tests"]] == [t["score"] for t in parallel[student]["tests"]]
    capsys.readouterr()
    assert cli.main(["grade", str(sub), "--out", str(tmp_path / "o"), "--force", "--no-progress"]) == 0
    assert "(3 graded now, 0 up to date)" in capsys.readouterr().out, "--force regrades what is up to date"


def test_a_run_killed_halfway_resumes_with_nothing_lost(tmp_path):
    """SIGKILL the grader mid-class; the second run completes it and every result is whole."""
    sub = tmp_path / "submitted"
    build.build(tmp_path / "samples")
    for i in range(8):
        (sub / f"s{i}").mkdir(parents=True)
        os.symlink(tmp_path / "samples" / "alice" / "03_optimizers", sub / f"s{i}" / "03_optimizers")
    cmd = [sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(tmp_path / "out"), "--jobs", "2",
           "--seed", str(SEED), "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(list((tmp_path / "out").glob("*/*/results.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((tmp_path / "out").glob("*/*/results.json")))
    assert 3 <= done_before < 8, "the kill came too late to test resuming"
    rerun = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert "up to date)" in rerun.stdout and f"{done_before} up to date" in rerun.stdout
    results = results_of(tmp_path / "out")
    assert len(results) == 8 and all(per_function(r) == OPTIMIZERS['alice'].expected for r in results.values())
    assert not list((tmp_path / "out").rglob("*.tmp"))
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    assert len(rows) == 8 and all(float(r["score"]) == 21.0 for r in rows)


def test_a_submission_that_kills_its_grading_process_gets_zero_and_the_rest_are_graded(tmp_path):
    """Without OS isolation the worker can kill its parent, a pool process; the class still completes."""
    sub = tmp_path / "submitted"
    build.build(tmp_path / "samples")
    for student in ("alice", "frank"):
        (sub / student).mkdir(parents=True)
        os.symlink(tmp_path / "samples" / student / "03_optimizers", sub / student / "03_optimizers")
    mallory = sub / "mallory" / "03_optimizers"
    mallory.mkdir(parents=True)
    nb = (tmp_path / "samples" / "alice" / "03_optimizers" / "optimizers.ipynb").read_text()
    kill = "import os, signal\\nos.kill(os.getppid(), signal.SIGKILL)\\n"
    (mallory / "optimizers.ipynb").write_text(nb.replace('"def sgd(', f'"{kill}def sgd(', 1))
    assert cli.main(["grade", str(sub), "--out", str(tmp_path / "out"), "--jobs", "2", "--isolation", "none",
                     "--seed", str(SEED), "--no-progress"]) == 0
    results = results_of(tmp_path / "out")
    assert per_function(results["alice"]) == per_function(results["frank"]) == OPTIMIZERS['alice'].expected
    assert results["mallory"]["score"] == 0
    assert "killed the grading process" in results["mallory"]["output"]


def test_formgrader_sees_each_readable_submission_autograded(graded_class):
    """nbgrader's own API (what formgrader shows) finds the scores and the notebooks to grade by hand."""
    course, _, _, _ = graded_class
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.source_directory = str(REPO_ROOT / "solutions")
    api = NbGraderAPI(config=config)
    submissions = {s["student"]: s for s in api.get_submissions("03_optimizers")}
    assert sorted(submissions) == sorted(OPTIMIZERS)
    for student, sample in OPTIMIZERS.items():
        readable = sample.cells != "broken"
        assert submissions[student]["autograded"] == readable, student
        if readable:
            assert submissions[student]["code_score"] == sum(sample.expected.values())
            # the inline questions wait for a person, unless every answer was left as released
            assert submissions[student]["needs_manual_grade"] == (sample.answers and sample.cells is not None)
    restored = nbformat.read(course / "autograded" / "carol" / "03_optimizers" / "optimizers.ipynb", as_version=4)
    check = [c for c in restored.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "check_adam"]
    assert "assert True" not in check[0].source, "locked cells are restored from the gradebook"


@pytest.mark.parametrize("files, reason", [
    ({"optimizers.ipynb": ""}, "is empty (0 bytes)"),
    ({"optimizers.ipynb": '{"cells": "not a list", "nbformat": 4}'}, "not a Jupyter notebook"),
    ({"optimizers.ipynb": '{"cells": [], "nbformat": 3}'}, "notebook format 3"),
    ({}, "no notebook handed in: expected optimizers.ipynb"),
    ({"a.ipynb": "{}", "b.ipynb": "{}"}, "no notebook handed in: expected optimizers.ipynb"),
])
def test_unreadable_submissions_score_zero_on_every_test_with_the_reason(tmp_path, files, reason):
    folder = tmp_path / "submitted" / "zoe" / "03_optimizers"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    (sub,) = batch.find_submissions(tmp_path / "submitted")
    result = batch.grade_submission(sub, course_seed=SEED, limits=Limits(), isolation="auto")
    assert result["score"] == 0 and result["extra_data"]["max_score"] == 21.0
    per_function = defaultdict(float)
    for test in result["tests"]:
        per_function[test["extra_data"]["function"]] += test["max_score"]
    assert per_function == load_assignment("03_optimizers").points  # every hidden test, each scored 0
    assert all(reason in t["output"] and t["score"] == 0 for t in result["tests"])
    assert reason in result["output"]


def test_formgrader_page_shows_a_submission_for_grading_by_hand(graded_class):
    """The real formgrader (a Jupyter server with nbgrader's extension) renders carol's notebook."""
    course, _, _, _ = graded_class
    with closing(Gradebook(f"sqlite:///{course / 'gradebook.db'}")) as gb:
        notebook_id = gb.find_submission_notebook("optimizers", "03_optimizers", "carol").id
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--IdentityProvider.token=t0ken", f"--ServerApp.root_dir={course}", "--allow-root"],
        cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/formgrader/submissions/{notebook_id}/?token=t0ken"
        deadline, page = time.monotonic() + 60, None
        while page is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    page = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert page is not None, "formgrader did not answer"
        assert 'id="check_adam"' in page, "the grade cell of adam is missing from the grading page"
        assert "carol's answer" in page, "the inline answers are missing from the grading page"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
