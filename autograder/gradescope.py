"""Gradescope's autograder: build the zip of one assignment, and grade one submission inside it.

Build (`python -m autograder gradescope --assignment ID --out autograder.zip`): a zip with
`setup.sh` and `run_autograder` at its root, beside the grader's package, `cs231n_utils`, the
assignment's source notebook (which holds the reference) and its folder of hidden tests: every
file a local result depends on (`batch.grader_files`), so fingerprints agree. Also the pinned
`requirements.txt` and `gradescope.json` (assignment, course seed, time limit, isolation).
Nothing of another assignment and no sample student goes in.

Run (`run_autograder` starts `python -m autograder.gradescope` in the unpacked zip), in
Gradescope's layout under $AUTOGRADER_ROOT (default /autograder): `source/` (the unpacked zip),
`submission/` (the student's files), `submission_metadata.json` (the student's id, which seeds the
draws as `batch.submission_seed` does locally) and `results/results.json`. The notebook is graded
by `batch.grade_submission`, the local grader's own function, so the tests, scores, feedback and
fingerprint are those a local `grade --seed <course seed>` gives the same notebook under the same
student id. Every run writes a results.json, with score 0 and the reason when grading failed.
"""

import argparse
import json
import os
import stat
import sys
import time
import traceback
import zipfile
from pathlib import Path

from autograder import batch, notebook, runner
from autograder.sandbox.policy import WORKER_FILES, Limits, isolation_status

REPO = notebook.REPO_ROOT
ROOT_VARIABLE = "AUTOGRADER_ROOT"  # where Gradescope's layout is; tests point it at a temporary folder
DEFAULT_ROOT = "/autograder"
CONFIG = "gradescope.json"
REQUIREMENTS = "requirements.txt"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # every entry's date: the same course gives the same zip, byte for byte

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04 base):
# the Python the course pins, bubblewrap to isolate student code, the pinned packages in a venv.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if ! apt-get install -y -q python3.11 python3.11-venv; then
  echo "error: the course needs Python 3.11 (python3.11, python3.11-venv), which this image's" >&2
  echo "       package lists lack: choose Gradescope's Ubuntu 22.04 base image" >&2
  exit 1
fi
# Without bubblewrap the grader still runs student code as uid 65534 under resource limits.
apt-get install -y -q bubblewrap || echo "warning: bubblewrap is not available: limits and uid 65534 only"
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \\
  -r "$SOURCE/requirements.txt"
chmod 0755 "$SOURCE/run_autograder"
cd "$SOURCE" && "$ROOT/venv/bin/python" -c "import autograder.gradescope"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, as root: grade the notebook in submission/ with the
# course's hidden tests and write results/results.json (see autograder/gradescope.py).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"
PYTHON="$ROOT/venv/bin/python"  # made by setup.sh; else the python3 on PATH
[ -x "$PYTHON" ] || PYTHON="$(command -v python3 || echo python3)"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
export AUTOGRADER_ROOT="$ROOT" PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1  # no cache files in source/
cd "$ROOT/source" && "$PYTHON" -m autograder.gradescope
status=$?
if [ ! -s "$RESULTS" ]; then  # the grader could not even start: still a result, and the reason
  printf '{"score": 0.0, "tests": [], "execution_time": 0, "output": "%s"}\\n' \\
    "The autograder stopped before grading (exit $status), so this submission got 0: please tell the course staff." \\
    > "$RESULTS"
fi
exit 0
"""


class LayoutError(Exception):
    """Gradescope's layout is not as expected; `str(err)` is the reason the student reads."""


# ---------------------------------------------------------------- build


def shipped_files(assignment_id):
    """The course's files in the zip: every file a local result depends on (`batch.grader_files`, so
    that a result's fingerprint is the same on Gradescope), and the rest of the grader's package
    (this module among them), without other assignments' hidden folders or the sample class."""
    package = REPO / "autograder"
    code = [p for p in package.rglob("*.py") if not {"hidden", "samples"} & set(p.relative_to(package).parts)]
    return sorted({*code, *batch.grader_files(assignment_id)})


def bundle(assignment_id, *, course_seed=batch.COURSE_SEED, timeout=30.0, isolation="auto"):
    """{name in the zip: (bytes, mode)}: what Gradescope needs to grade `assignment_id`."""
    if assignment_id not in notebook.list_assignments():
        known = ", ".join(notebook.list_assignments())
        raise ValueError(f"unknown assignment {assignment_id!r}: expected one of {known}")
    assignment = notebook.load_assignment(assignment_id)
    runner.check_points(assignment)  # a course whose points disagree is not shipped
    files = {p.relative_to(REPO).as_posix(): (p.read_bytes(), 0o644) for p in shipped_files(assignment_id)}
    config = {"assignment_id": assignment_id, "notebook": assignment.notebook, "course_seed": course_seed,
              "timeout": timeout, "isolation": isolation}
    files[CONFIG] = (json.dumps(config, indent=1).encode() + b"\n", 0o644)
    files[REQUIREMENTS] = ((REPO / REQUIREMENTS).read_bytes(), 0o644)
    files["setup.sh"] = (SETUP_SH.encode(), 0o755)
    files["run_autograder"] = (RUN_AUTOGRADER.encode(), 0o755)
    return files


def write_zip(files, out):
    """Write `files` ({name: (bytes, mode)}) to the zip `out`, whole or not at all; the same files
    give the same bytes (fixed dates, sorted names), so a stale upload is easy to spot."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            data, mode = files[name]
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # Unix: unzip restores the modes (run_autograder executable)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    os.replace(tmp, out)
    return out


def build(assignment_id, out, **config):
    """Build the Gradescope zip of `assignment_id` at `out` -> number of files in it."""
    files = bundle(assignment_id, **config)
    write_zip(files, out)
    return len(files)


def add_arguments(parser):
    """The options of `python -m autograder gradescope`."""
    parser.add_argument("--assignment", required=True, choices=notebook.list_assignments(),
                        help="the assignment to grade (a Gradescope assignment takes one zip)")
    parser.add_argument("--out", type=Path, default=None, help="the zip to write (default: autograder-<ID>.zip)")
    parser.add_argument("--seed", type=int, default=batch.COURSE_SEED,
                        help=f"the course seed, as for grade (default: {batch.COURSE_SEED})")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds a submission's code may run for one call, or to load (default: 30)")
    parser.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto",
                        help="OS isolation of student code on Gradescope (default: bubblewrap when it works)")


def command(args):
    """`python -m autograder gradescope`: build the zip and say how to use it."""
    out = args.out or Path(f"autograder-{args.assignment}.zip")
    if args.timeout <= 0:
        print("error: --timeout must be positive", file=sys.stderr)
        return 2
    try:
        count = build(args.assignment, out, course_seed=args.seed, timeout=args.timeout, isolation=args.isolation)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{out}: {count} files, {out.stat().st_size / 1024:.0f} KiB, for {args.assignment} "
          f"(course seed {args.seed}, timeout {args.timeout:g} s, isolation {args.isolation})")
    print("On Gradescope: a programming assignment, Configure Autograder, base image Ubuntu 22.04, upload this zip.")
    return 0


# ---------------------------------------------------------------- run, inside Gradescope's layout


def close_folders(root, source=REPO):
    """Close the course's files to student code, leaving open only what its worker imports.

    A grader run as root without bubblewrap starts its worker as uid 65534 in the same file system,
    where the worker may traverse `root` and `source` and read the venv, `cs231n_utils` and its own
    files, and nothing else (no hidden tests, no solutions, no grader code, no submission, metadata
    or results).
    """
    for path in [source, *source.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & 0o700)
    for name in WORKER_FILES:
        path = source / name
        for folder in path.relative_to(source).parents:
            (source / folder).chmod(0o711)
        path.chmod(0o644)
    utils = source / "cs231n_utils"
    for path in [utils, *utils.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    root.chmod(0o711)  # traversable, so the worker reaches the venv (setup.sh puts it in root/venv), not listable
    results = root / "results"
    results.mkdir(exist_ok=True)
    for path in [results, root / "submission", root / "submission_metadata.json"]:
        if path.exists():
            path.chmod(0o700 if path.is_dir() else 0o600)


def student_ids(metadata_path):
    """The ids of the students of a submission (sorted: a group's seed comes from the first)."""
    try:
        metadata = json.loads(Path(metadata_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise LayoutError(f"the submission's metadata ({Path(metadata_path).name}) cannot be read: {err}") from None
    users = metadata.get("users") if isinstance(metadata, dict) else None
    ids = sorted({str(u["id"]) for u in users or [] if isinstance(u, dict) and str(u.get("id", "")).strip()})
    if not ids:
        raise LayoutError(f"the submission's metadata ({Path(metadata_path).name}) names no student (users[].id)")
    return ids, metadata.get("id")


def find_notebook(folder, expected):
    """(the notebook to grade, None) or (None, why there is none) among the files handed in.

    The one named `expected` (the shallowest, if a zip nests it), else the only notebook there is.
    """
    found = sorted(p for p in Path(folder).rglob("*.ipynb")
                   if not any(part.startswith(".") for part in p.relative_to(folder).parts))
    named = sorted((p for p in found if p.name == expected), key=lambda p: (len(p.parts), str(p)))
    if named:
        return named[0], None
    if len(found) == 1:
        return found[0], None
    if not found:
        return None, f"no notebook was handed in: upload {expected}"
    names = ", ".join(p.relative_to(folder).as_posix() for p in found)
    return None, f"{len(found)} notebooks were handed in ({names}), none named {expected}: upload {expected} alone"


def read_config(source=REPO):
    """The zip's gradescope.json, checked."""
    try:
        config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
        assignment_id, seed, timeout = config["assignment_id"], int(config["course_seed"]), float(config["timeout"])
        isolation = config["isolation"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise LayoutError(f"the autograder's {CONFIG} is missing or malformed ({err!r}): rebuild the zip") from None
    return assignment_id, seed, timeout, isolation


def check_origin(source):
    """Raise LayoutError unless every module of the course in use was loaded from `source`, the
    unpacked zip (an installed copy of the course elsewhere must not grade in its place)."""
    foreign = sorted(name for name, module in list(sys.modules.items())
                     if name.partition(".")[0] in ("autograder", "cs231n_utils") and getattr(module, "__file__", None)
                     and not Path(module.__file__).resolve().is_relative_to(source))
    if not Path(__file__).resolve().is_relative_to(source):  # run as __main__, so not in the list above
        foreign.insert(0, "autograder.gradescope")
    if foreign or REPO.resolve() != source:
        raise LayoutError(f"the grader runs code from outside the unpacked zip in {source}: "
                          f"{', '.join(foreign) or REPO}")


def grade(root):
    """Grade the submission under `root` (Gradescope's layout) -> its results.json dict."""
    started = time.monotonic()
    source = (root / "source").resolve()
    check_origin(source)
    close_folders(root, source)
    assignment_id, course_seed, timeout, isolation = read_config(source)
    print(f"isolation: {isolation_status(isolation)}", flush=True)
    ids, submission_id = student_ids(root / "submission_metadata.json")
    assignment = notebook.load_assignment(assignment_id)
    path, reason = find_notebook(root / "submission", assignment.notebook)
    sub = batch.Submission(ids[0], assignment_id, root / "submission", path)
    limits = Limits(wall_seconds=timeout, cpu_seconds=max(int(timeout * 2), 1))  # as batch.grade_class sets them
    if path is None:
        seed = batch.submission_seed(course_seed, sub.student, assignment_id)
        outcome = runner.grade_unavailable(assignment, reason, seed=seed)
        result = batch.result_of(sub, outcome, seed=seed, seconds=time.monotonic() - started, isolation=isolation)
    else:
        result = batch.grade_submission(sub, course_seed=course_seed, limits=limits, isolation=isolation)
    check_origin(source)  # the hidden tests import more of the course while they run
    result["extra_data"]["gradescope"] = {"submission_id": submission_id, "student_ids": ids}
    return result


def failed(reason, seconds):
    """The results.json of a submission that could not be graded at all: 0 points, and why."""
    return {"score": 0.0, "tests": [], "execution_time": round(seconds, 3),
            "output": f"This submission could not be graded, so it got 0 for now: {reason}. "
                      "Please tell the course staff."}


def run(root):
    """Grade the submission under `root` and write `root/results/results.json`, whatever happens."""
    root = Path(root)
    started = time.monotonic()
    try:
        result = grade(root)
    except LayoutError as err:
        print(f"error: {err}", flush=True)
        result = failed(str(err), time.monotonic() - started)
    except Exception:  # the grader's own bug: the student gets a result saying so, the staff the traceback
        traceback.print_exc(file=sys.stdout)
        result = failed("the autograder failed (an internal error)", time.monotonic() - started)
    batch.write_atomic(root / "results" / "results.json", json.dumps(result, indent=1))
    max_score = result.get("extra_data", {}).get("max_score")
    print(f"score {result['score']:g}" + (f" / {max_score:g}" if max_score is not None else "")
          + f" in {result['execution_time']:g} s", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope",
                                     description=f"Grade one submission in Gradescope's layout under ${ROOT_VARIABLE} "
                                                 f"(default {DEFAULT_ROOT}); run by run_autograder.")
    parser.parse_args()
    run(Path(os.environ.get(ROOT_VARIABLE) or DEFAULT_ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
