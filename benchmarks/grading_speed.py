"""Time to grade a class of 03_optimizers submissions: this autograder vs nbgrader's own autograde.

    python benchmarks/grading_speed.py [--students 50] [--jobs 2]

Both graders get the same submissions, in the same run, on the same machine: copies of the
sample class's non-hostile students (correct, blank, typical mistakes, PyTorch-style answers).
Hostile and looping samples are left out because nbgrader's autograde runs student code in its
own kernel without limits (a fork bomb or `os.killpg` would take the benchmark down with it).
nbgrader executes every cell of the notebook, experiments included; ours runs only what the
graded functions need, in a sandbox, then the hidden tests. The script prints a Markdown report
and writes it to benchmarks/results.md.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import runner
from autograder.notebook import REPO_ROOT, extract_solutions, load_assignment, read_notebook
from autograder.samples import build
from autograder.sandbox.box import Proxy, Sandbox
from autograder.sandbox.policy import Limits, isolation_status

ASSIGNMENT = "03_optimizers"
KINDS = ("alice", "bob", "carol", "dave", "erin", "frank")


def make_course(root, students):
    """A course folder: nbgrader config, the source notebooks, and `students` submissions."""
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root)
    shutil.copytree(REPO_ROOT / "solutions", root / "solutions")
    samples = build.build(root / "samples", assignments=[ASSIGNMENT])
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        shutil.copytree(samples / kind / ASSIGNMENT, root / "submitted" / f"{kind}{i:02d}" / ASSIGNMENT)


def timed(cmd, cwd):
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def phases(repeats=5):
    """Where one submission's time goes in our grader (median over `repeats`)."""
    assignment = load_assignment(ASSIGNMENT)
    sources, notes = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    cells = [*assignment.setup, *((fn, solution.code) for fn, solution in sources.items())]
    starts, tests = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with Sandbox(cells, limits=Limits()) as box:
            box.defined()
            t1 = time.perf_counter()
            runner.run_hidden_tests(assignment, Proxy(box, {}, 60), seed=0)
            t2 = time.perf_counter()
        starts.append(t1 - t0)
        tests.append(t2 - t1)
    return statistics.median(starts), statistics.median(tests)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    env_python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        make_course(course, args.students)
        ours = timed([env_python, "-m", "autograder", "grade", "submitted", "--out", "out", "--jobs", str(args.jobs),
                      "--seed", "0", "--no-progress"], course)
        scores = [json.loads(p.read_text())["score"] for p in (course / "out").glob("*/*/results.json")]
        timed([env_python, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN"], course)
        theirs = timed([env_python, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force", "--log-level=WARN"], course)
        graded = len(list((course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb")))
    start, tests = phases()
    n = args.students
    report = f"""## Grading {n} submissions of {ASSIGNMENT}

Machine: {os.cpu_count()} cores, Python {platform.python_version()}; isolation: {isolation_status()}

| grader | class wall time | seconds per submission |
|---|---|---|
| nbgrader autograde (one kernel per notebook, every cell) | {theirs:.1f} s | {theirs / n:.2f} |
| this autograder (`--jobs {args.jobs}`) | {ours:.1f} s | {ours / n:.3f} |
| **ratio** | **{theirs / ours:.1f}x faster** | |

Per core: nbgrader's autograde grades one notebook at a time (one core busy); ours used
{args.jobs} jobs, i.e. {ours * args.jobs / n:.2f} core-seconds a submission,
{theirs / (ours * args.jobs):.1f}x fewer than nbgrader's.

nbgrader autograded {graded} of {n} notebooks; ours wrote {len(scores)} results.

Where one submission's time goes in ours (median of 5, one core): sandboxed worker start-up and
loading the cells {start:.3f} s, the hidden tests (pytest in the grader, each call a round trip
to the worker) {tests:.3f} s; the rest is process start-up of the grading command (once per
class), writing results and the gradebook.
"""
    print(report)
    (REPO_ROOT / "benchmarks" / "results.md").write_text(report)


if __name__ == "__main__":
    main()
