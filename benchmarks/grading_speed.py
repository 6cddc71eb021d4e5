"""Time to grade a class: this autograder against nbgrader's own autograde, over every notebook.

    python benchmarks/grading_speed.py [--per-notebook 6] [--assignments ID ...] [--out benchmarks/results.md]
    python benchmarks/grading_speed.py --smoke   # the whole pipeline on a class of one, for the tests

Both graders get the same submissions, in the same run, on the same machine: per notebook, copies
of its sample students that are safe to run outside a sandbox (the correct one, the ones with
typical mistakes, 03's blank release and PyTorch-style answers). The hostile, looping, cut-off and
renamed samples of 03 are left out: nbgrader's autograde runs student code in its kernel without
limits (a fork bomb or `os.killpg` would stop the benchmark itself) and finds notebooks by name.

Per notebook, each grader grades that notebook's submissions with one command, one at a time:
`nbgrader autograde`, which executes every cell of each notebook (the experiments too) in a fresh
kernel, and `python -m autograder grade --jobs 1`, which runs only the setup and solution cells in
a sandbox, then the hidden tests. Then this autograder grades the whole class again with
`--jobs 1` and with `--jobs 2`. The report (Markdown) is printed and written into its section of
--out.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sections

from autograder import catalog
from autograder.notebook import REPO_ROOT
from autograder.samples import build
from autograder.sandbox.policy import isolation_status

SECTION = "grading_speed"
UNSAFE = ("grace", "heidi", "ivan", "judy")  # 03's cut-off, hostile, looping and renamed samples


def safe_students(samples, assignment_id):
    return sorted(p.parent.name for p in Path(samples).glob(f"*/{assignment_id}") if p.parent.name not in UNSAFE)


def make_courses(root, assignments, per_notebook):
    """Two course folders with the same class: `nbgrader/` (nbgrader's config and the source
    notebooks, for its own autograde) and `ours/`, each with `submitted/<student>/<assignment>/`;
    `ours/by_notebook/<assignment>/submitted/` holds one notebook's part of the class.
    -> {assignment: number of submissions}."""
    samples = build.build(root / "samples", assignments=assignments)
    theirs, ours = root / "nbgrader", root / "ours"
    theirs.mkdir()
    shutil.copy(REPO_ROOT / "nbgrader_config.py", theirs)
    shutil.copytree(REPO_ROOT / "solutions", theirs / "solutions")
    sizes = {}
    for assignment_id in assignments:
        students = safe_students(samples, assignment_id)
        for i in range(per_notebook):
            student = students[i % len(students)]
            for course in (theirs, ours, ours / "by_notebook" / assignment_id):
                shutil.copytree(samples / student / assignment_id,
                                course / "submitted" / f"{student}{i:02d}" / assignment_id)
        sizes[assignment_id] = per_notebook
    return sizes


def timed(command, cwd):
    """Run `command` in `cwd` -> its wall time in seconds; stops the benchmark when it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def ours(folder, jobs):
    """Time this autograder grading `folder/submitted` (from scratch) with `jobs` -> (seconds, results written)."""
    out = Path(folder) / f"out-jobs{jobs}"
    seconds = timed([sys.executable, "-m", "autograder", "grade", "submitted", "--out", out.name, "--jobs", str(jobs),
                     "--seed", "0", "--force", "--no-progress"], folder)
    return seconds, [json.loads(p.read_text()) for p in out.glob("*/*/results.json")]


def nbgrader(course, assignment_id):
    """Time nbgrader's autograde of one assignment in `course` -> (seconds, notebooks autograded)."""
    nbgrader_cli = [sys.executable, "-m", "nbgrader"]
    timed([*nbgrader_cli, "generate_assignment", assignment_id, "--force", "--log-level=WARN"], course)
    seconds = timed([*nbgrader_cli, "autograde", assignment_id, "--force", "--log-level=WARN"], course)
    return seconds, len(list((course / "autograded").glob(f"*/{assignment_id}/*.ipynb")))


def measure(root, assignments, per_notebook):
    """Grade the class both ways -> {"notebooks": {assignment: row}, "jobs": {jobs: seconds}, "n": submissions}."""
    sizes = make_courses(root, assignments, per_notebook)
    jobs, results = {}, {}
    for n in (1, 2):
        jobs[n], results[n] = ours(root / "ours", jobs=n)
    rows = {}
    for assignment_id in assignments:
        if len(assignments) > 1:
            mine, graded = ours(root / "ours" / "by_notebook" / assignment_id, jobs=1)
        else:  # the class is this notebook's: its run with --jobs 1 is the one
            mine, graded = jobs[1], results[1]
        theirs, autograded = nbgrader(root / "nbgrader", assignment_id)
        if len(graded) != sizes[assignment_id] or autograded != sizes[assignment_id]:
            raise RuntimeError(f"{assignment_id}: {sizes[assignment_id]} submissions, but this autograder wrote "
                               f"{len(graded)} results and nbgrader autograded {autograded}")
        rows[assignment_id] = {"n": sizes[assignment_id], "ours": mine, "nbgrader": theirs,
                               "each": sum(r["execution_time"] for r in graded) / len(graded)}
    return {"notebooks": rows, "jobs": jobs, "n": sum(sizes.values())}


def report(measured, load):
    """The Markdown report of `measure`'s numbers; `load`: the load average when the run started."""
    rows, jobs, n = measured["notebooks"], measured["jobs"], measured["n"]
    lines = [
        f"## Grading a class of {n} submissions: this autograder and nbgrader's autograde",
        "",
        f"Machine: {os.cpu_count()} cores (load average {load:.1f} when the run started), "
        f"Python {platform.python_version()}; isolation: {isolation_status()}",
        "",
        "Per notebook, each grader grades the same submissions with one command, one at a time: wall time, "
        "the command's start-up included (for this autograder, the grading alone of one submission is also "
        "shown: its `execution_time`). `python benchmarks/grading_speed.py` reproduces it.",
        "",
        "| notebook | submissions | nbgrader autograde | this autograder (`--jobs 1`) | ratio "
        "| one submission's grading |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for assignment_id, r in rows.items():
        lines.append(f"| {assignment_id} | {r['n']} | {r['nbgrader']:.1f} s ({r['nbgrader'] / r['n']:.2f} s each) "
                     f"| {r['ours']:.1f} s ({r['ours'] / r['n']:.2f} s each) | {r['nbgrader'] / r['ours']:.1f}x "
                     f"| {r['each']:.2f} s |")
    theirs, mine = sum(r["nbgrader"] for r in rows.values()), sum(r["ours"] for r in rows.values())
    each = sum(r["each"] * r["n"] for r in rows.values()) / n
    lines += [
        f"| **all** | {n} | {theirs:.1f} s | {mine:.1f} s | **{theirs / mine:.1f}x** | {each:.2f} s |",
        "",
        f"The whole class in one command of this autograder: `--jobs 1` {jobs[1]:.1f} s, `--jobs 2` {jobs[2]:.1f} s: "
        f"**{jobs[1] / jobs[2]:.2f}x** with two jobs ({jobs[2] / n:.3f} s a submission; nbgrader's autograde, one "
        f"notebook at a time, {theirs / n:.2f} s).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-notebook", type=int, default=6, help="submissions of each notebook")
    parser.add_argument("--assignments", nargs="*", default=None, help="assignment ids (default: every one)")
    parser.add_argument("--smoke", action="store_true",
                        help="one submission of 06_dropout: the whole pipeline, not meaningful numbers")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results.md",
                        help="the Markdown file whose section this report replaces")
    args = parser.parse_args(argv)
    assignments = ["06_dropout"] if args.smoke else args.assignments or catalog.assignment_ids()
    per_notebook = 1 if args.smoke else args.per_notebook
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        text = report(measure(Path(tmp), assignments, per_notebook), load)
    print(text)
    sections.write_section(args.out, SECTION, text)


if __name__ == "__main__":
    sys.exit(main())
