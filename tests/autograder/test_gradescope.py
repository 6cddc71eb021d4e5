"""Does the Gradescope zip grade a notebook, inside Gradescope's layout, exactly as the local grader does?

Each run unpacks the zip into a temporary root laid out as Gradescope's /autograder (source/,
submission/, submission_metadata.json, results/) and runs its run_autograder as a subprocess with
this venv's python on PATH, as Gradescope runs it (setup.sh's installs are not run here).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from autograder import batch, catalog, cli, gradescope
from autograder.notebook import REPO_ROOT, list_assignments, load_assignment
from autograder.sandbox.policy import WORKER_FILES, Limits

SEED = 7  # not the default course seed: the zip must carry it
SAMPLES = REPO_ROOT / "autograder" / "samples" / "submitted"
EXPECTED = {(s.student, a): s.expected for a in list_assignments() for s in catalog.samples(a)}


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    """The zips of 03_optimizers and 01_regularization, built with the command line."""
    folder = tmp_path_factory.mktemp("zips")
    built = {}
    for assignment in ("03_optimizers", "01_regularization"):
        built[assignment] = folder / f"{assignment}.zip"
        argv = ["gradescope", "--assignment", assignment, "--out", str(built[assignment]), "--seed", str(SEED)]
        assert cli.main(argv) == 0
    return built


@pytest.fixture(scope="module")
def gradescope_root():
    """Make Gradescope's layout in a fresh folder: (zip, {name: bytes} handed in, metadata) -> root.

    Under the system's temporary folder, open to all like Gradescope's /autograder (pytest's own
    temporary folders are closed to other users, whom the test of closed folders plays).
    """
    roots = []
    assert os.stat(tempfile.gettempdir()).st_mode & 0o001, (
        f"{tempfile.gettempdir()} is closed to other users (mode {os.stat(tempfile.gettempdir()).st_mode & 0o7777:o}): "
        "the test of closed folders needs it open, as a system's temporary folder is (1777)")

    def make(zip_path, handed_in, metadata):
        root = Path(tempfile.mkdtemp(prefix="gradescope-root-"))
        roots.append(root)
        root.chmod(0o755)
        with zipfile.ZipFile(zip_path) as archive:  # as unzip does: the modes stored in the zip
            for info in archive.infolist():
                path = root / "source" / info.filename
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(info))
                path.chmod((info.external_attr >> 16) & 0o777)
        shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")  # as Gradescope's image build
        (root / "submission").mkdir()
        for name, data in handed_in.items():
            (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "submission" / name).write_bytes(data)
        if metadata is not None:
            (root / "submission_metadata.json").write_text(json.dumps(metadata))
        return root

    yield make
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)


def start_autograder(root):
    """Start root/run_autograder as Gradescope does (as root, from root, this venv's python on PATH)."""
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(root),
           "AUTOGRADER_ROOT": str(root), "LANG": "C.UTF-8"}
    return subprocess.Popen([str(root / "run_autograder")], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def finish(process, root):
    """Wait for a run -> (exit code, its output, results.json)."""
    output, _ = process.communicate(timeout=180)
    return process.returncode, output, json.loads((root / "results" / "results.json").read_text())


def run_autograder(root):
    return finish(start_autograder(root), root)


def metadata_of(*user_ids):
    return {"id": 555001, "submission_method": "upload",
            "users": [{"id": i, "email": f"{i}@example.org", "name": f"Student {i}"} for i in user_ids]}


def per_function(result):
    scores = defaultdict(float)
    for test in result["tests"]:
        scores[test["extra_data"]["function"]] += test["score"]
    return dict(scores)


def hidden_code_lines(assignment):
    text = (REPO_ROOT / "autograder" / "hidden" / assignment / "test_hidden.py").read_text()
    return [line.strip() for line in text.splitlines()
            if line.strip().startswith(("def ", "assert ", "raise ", "check(", "judge(", "return "))]


STUDENTS = {  # sample student: (assignment, the Gradescope user ids of the submission)
    "alice": ("03_optimizers", [1001]),  # correct
    "carol": ("03_optimizers", [2002, 1003]),  # Adam without bias correction; a group of two
    "grace": ("03_optimizers", [1007]),  # a truncated file
    "kim": ("01_regularization", [1011]),  # another assignment, with mistakes
}


@pytest.fixture(scope="module")
def graded(zips, gradescope_root):
    """Each sample student graded on Gradescope (the runs at once) and locally by `batch.grade_submission`
    with the student id the run takes: {student: (root, exit code, output, result, local result)}."""
    started = {}
    for student, (assignment, ids) in STUDENTS.items():
        (path,) = (SAMPLES / student / assignment).glob("*.ipynb")
        root = gradescope_root(zips[assignment], {path.name: path.read_bytes()}, metadata_of(*ids))
        started[student] = (root, path, start_autograder(root))
    graded = {}
    for student, (root, path, process) in started.items():
        assignment, ids = STUDENTS[student]
        sub = batch.Submission(str(min(ids)), assignment, path.parent, path)
        local = batch.grade_submission(sub, course_seed=SEED, limits=Limits(wall_seconds=30.0, cpu_seconds=60),
                                       isolation="auto")
        graded[student] = (root, *finish(process, root), local)
    return graded


@pytest.mark.parametrize("student", STUDENTS)
def test_gradescope_gives_the_local_graders_tests_and_scores(graded, student):
    """The same tests, scores, feedback, seed and fingerprint as `batch.grade_submission` with the same ids."""
    assignment, ids = STUDENTS[student]
    _, code, output, result, local = graded[student]
    assert code == 0, output
    assert result["tests"] == local["tests"]  # name, score, max_score, status, output, tags, visibility, hint
    assert (result["score"], result["output"]) == (local["score"], local["output"])
    extra = {k: v for k, v in result["extra_data"].items() if k != "gradescope"}
    assert extra == local["extra_data"]  # student id, seed, fingerprint of the grader's files, isolation
    assert extra["seed"] == batch.submission_seed(SEED, str(min(ids)), assignment)
    assert per_function(result) == EXPECTED[(student, assignment)]  # the points worked out by hand
    assert isinstance(result["execution_time"], float)
    for test in result["tests"]:  # Gradescope's schema, per test
        assert set(test) >= {"name", "score", "max_score", "status", "output", "tags", "visibility"}
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
    shown = result["output"] + "".join(t["output"] for t in result["tests"])
    for line in hidden_code_lines(assignment):
        assert line not in shown


def test_a_group_submission_takes_its_draws_from_its_first_student_id(graded):
    _, _, _, result, _ = graded["carol"]
    assert result["extra_data"]["student_id"] == "1003"
    assert result["extra_data"]["gradescope"] == {"submission_id": 555001, "student_ids": ["1003", "2002"]}


def test_the_zip_holds_what_gradescope_runs_and_nothing_more(zips):
    with zipfile.ZipFile(zips["03_optimizers"]) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        config = json.loads(archive.read("gradescope.json"))
        requirements = archive.read("requirements.txt").decode()
        for script in ("setup.sh", "run_autograder"):
            assert modes[script] == 0o755, f"{script} must be executable at the zip's root"
            syntax = subprocess.run(["bash", "-n"], input=archive.read(script), capture_output=True)
            assert syntax.returncode == 0, syntax.stderr.decode()
    names = set(modes)
    assert {"setup.sh", "run_autograder", "requirements.txt", "gradescope.json",
            "solutions/03_optimizers/optimizers.ipynb", "autograder/hidden/03_optimizers/test_hidden.py",
            "autograder/hidden/03_optimizers/mistakes.py", "autograder/hidden/pytest.ini",
            "autograder/gradescope.py", "autograder/sandbox/worker.py", "cs231n_utils/checks.py"} <= names
    assert not [n for n in names if n.startswith(("autograder/samples/", "assignments/", "tests/"))]
    assert {n.split("/")[2] for n in names if n.startswith("autograder/hidden/") and n.count("/") == 3} \
        == {"03_optimizers"}, "no other assignment's hidden tests"
    assert {n.split("/")[1] for n in names if n.startswith("solutions/")} == {"03_optimizers"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert {str(p.relative_to(REPO_ROOT)) for p in batch.grader_files("03_optimizers")} <= names, \
        "every file a result depends on, so that the fingerprints agree"
    assert names - {"setup.sh", "run_autograder", "requirements.txt", "gradescope.json"} == \
        {str(p.relative_to(REPO_ROOT)) for p in gradescope.shipped_files("03_optimizers")}
    assert config == {"assignment_id": "03_optimizers", "notebook": "optimizers.ipynb", "course_seed": SEED,
                      "timeout": 30.0, "isolation": "auto"}
    assert requirements == (REPO_ROOT / "requirements.txt").read_text()
    pins = [line for line in requirements.splitlines() if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)


def test_the_same_course_gives_the_same_zip_byte_for_byte(zips, tmp_path):
    again = tmp_path / "again.zip"
    gradescope.build("03_optimizers", again, course_seed=SEED)
    assert again.read_bytes() == zips["03_optimizers"].read_bytes()
    other = gradescope.bundle("03_optimizers", course_seed=3, timeout=10.0, isolation="bwrap")
    assert json.loads(other["gradescope.json"][0]) == {"assignment_id": "03_optimizers", "notebook": "optimizers.ipynb",
                                                       "course_seed": 3, "timeout": 10.0, "isolation": "bwrap"}


def test_the_command_line_refuses_an_unknown_assignment(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["gradescope", "--assignment", "07_nothing", "--out", str(tmp_path / "a.zip")])
    assert stop.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert not (tmp_path / "a.zip").exists()


def test_an_unprivileged_user_finds_the_course_closed_and_the_workers_files_open(graded):
    """Without bubblewrap the worker runs as uid 65534 in the same file system: after a run, that
    user can read what the worker imports, and none of the hidden tests, the reference, the grader,
    its config, the student's metadata or the results, nor write a result of its own."""
    assert os.geteuid() == 0, "the grader runs as root on Gradescope, and so must this test to switch users"
    root, _, _, result, _ = graded["alice"]
    assert result["score"] == 21

    def as_nobody(command):
        return subprocess.run(["/bin/sh", "-c", command], user=65534, group=65534, capture_output=True).returncode

    source = root / "source"
    for readable in ["cs231n_utils/checks.py", "cs231n_utils/layers.py", *WORKER_FILES]:
        assert as_nobody(f"cat '{source / readable}' > /dev/null") == 0, readable
    for closed in [source / "autograder/hidden/03_optimizers/test_hidden.py", source / "autograder/hidden/pytest.ini",
                   source / "solutions/03_optimizers/optimizers.ipynb", source / "autograder/runner.py",
                   source / "gradescope.json", source / "requirements.txt", root / "submission_metadata.json",
                   root / "submission/optimizers.ipynb", root / "results/results.json"]:
        assert as_nobody(f"cat '{closed}' > /dev/null") != 0, closed
    for folder in (root, source, source / "autograder"):
        assert as_nobody(f"ls '{folder}'") != 0, f"{folder} cannot be listed"
    assert as_nobody(f"echo '{{}}' > '{root / 'results/forged.json'}'") != 0
    assert not (root / "results/forged.json").exists()


def test_a_submission_without_the_notebook_gets_every_test_at_zero_and_the_reason(zips, gradescope_root):
    root = gradescope_root(zips["03_optimizers"], {"notes.txt": b"see attached", "a.ipynb": b"{}",
                                                   "b/c.ipynb": b"{}"}, metadata_of(1001))
    code, _, result = run_autograder(root)
    assert code == 0
    assert result["score"] == 0
    assert result["output"] == ("2 notebooks were handed in (a.ipynb, b/c.ipynb), none named optimizers.ipynb: "
                                "upload optimizers.ipynb alone")
    assert sum(t["max_score"] for t in result["tests"]) == sum(load_assignment("03_optimizers").points.values())
    assert all(t["score"] == 0 and "upload optimizers.ipynb alone" in t["output"] for t in result["tests"])


def test_the_notebook_is_found_inside_a_folder_and_under_another_name(tmp_path):
    assert gradescope.find_notebook(tmp_path, "optimizers.ipynb") == (None, "no notebook was handed in: "
                                                                            "upload optimizers.ipynb")
    (tmp_path / "hw" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "hw" / ".ipynb_checkpoints" / "optimizers-checkpoint.ipynb").write_text("{}")
    (tmp_path / "hw" / "optimizers (1).ipynb").write_text("{}")
    assert gradescope.find_notebook(tmp_path, "optimizers.ipynb") == (tmp_path / "hw" / "optimizers (1).ipynb", None)
    (tmp_path / "hw" / "optimizers.ipynb").write_text("{}")
    assert gradescope.find_notebook(tmp_path, "optimizers.ipynb") == (tmp_path / "hw" / "optimizers.ipynb", None)


@pytest.mark.parametrize("metadata, reason", [
    (None, "the submission's metadata (submission_metadata.json) cannot be read"),
    ({"id": 1, "users": []}, "the submission's metadata (submission_metadata.json) names no student"),
])
def test_without_a_student_id_the_result_is_zero_with_the_reason(zips, gradescope_root, metadata, reason):
    path = SAMPLES / "alice" / "03_optimizers" / "optimizers.ipynb"
    root = gradescope_root(zips["03_optimizers"], {path.name: path.read_bytes()}, metadata)
    code, _, result = run_autograder(root)
    assert code == 0
    assert result["score"] == 0 and result["tests"] == [] and reason in result["output"]


def test_a_grader_that_cannot_start_still_writes_a_result(zips, gradescope_root):
    """run_autograder writes the result itself when Python cannot even import the grader."""
    path = SAMPLES / "alice" / "03_optimizers" / "optimizers.ipynb"
    root = gradescope_root(zips["03_optimizers"], {path.name: path.read_bytes()}, metadata_of(1001))
    (root / "source" / "autograder" / "batch.py").write_text("def grade_submission(:\n")  # a file cut off
    code, _, result = run_autograder(root)
    assert code == 0
    assert result == {"score": 0.0, "tests": [], "execution_time": 0,
                      "output": "The autograder stopped before grading (exit 1), so this submission got 0: "
                                "please tell the course staff."}


def test_a_module_missing_from_the_zip_is_not_taken_from_an_installed_copy(zips, gradescope_root):
    """This venv has the course installed (editable, from the repository): a module deleted from the
    unpacked zip is then found there, and the grader refuses to grade with it."""
    path = SAMPLES / "alice" / "03_optimizers" / "optimizers.ipynb"
    root = gradescope_root(zips["03_optimizers"], {path.name: path.read_bytes()}, metadata_of(1001))
    (root / "source" / "autograder" / "gradescope.py").unlink()
    code, _, result = run_autograder(root)
    assert code == 0
    assert result["score"] == 0 and result["tests"] == []
    assert "the grader runs code from outside the unpacked zip" in result["output"]
    assert "autograder.gradescope" in result["output"]
