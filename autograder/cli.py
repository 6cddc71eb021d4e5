"""The autograder's command line (the contract is in API.md).

    python -m autograder grade SUBMITTED [--out OUT] [--jobs N] [--timeout SECONDS]
    python -m autograder demo [--out OUT]       grade the bundled sample class
    python -m autograder release                regenerate assignments/ from solutions/
    python -m autograder check NOTEBOOK         run a notebook's visible checks at once (for students)
"""

import argparse
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from autograder import batch, gradebook, notebook, release, report
from autograder.sandbox import Sandbox, isolation_status

SAMPLES = Path(__file__).resolve().parent / "samples" / "submitted"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade nbgrader's submitted/ layout")
    grade.add_argument("submitted", type=Path, help="SUBMITTED/<student id>/<assignment id>/<notebook>.ipynb")
    _grading_options(grade, default_out=Path("out"))
    demo = commands.add_parser("demo", help="grade the bundled sample class")
    _grading_options(demo, default_out=Path("demo-out"))
    commands.add_parser("release", help="regenerate assignments/ from solutions/ with nbgrader")
    check = commands.add_parser("check", help="run a notebook's visible checks at once")
    check.add_argument("notebook", type=Path)
    args = parser.parse_args(argv)
    if args.command == "release":
        release.main()
        return 0
    if args.command == "check":
        return check_command(args.notebook)
    if args.command == "demo":
        args.submitted = args.out / "submitted"
        shutil.rmtree(args.submitted, ignore_errors=True)
        shutil.copytree(SAMPLES, args.submitted)
    return grade_command(args)


def _grading_options(cmd, default_out):
    cmd.add_argument("--out", type=Path, default=default_out, help=f"where results go (default: {default_out})")
    cmd.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: all cores)")
    cmd.add_argument("--timeout", type=float, default=30.0,
                     help="seconds a submission's code may run for one call, or to load (default: 30)")
    cmd.add_argument("--force", action="store_true", help="regrade submissions whose results are up to date")
    cmd.add_argument("--seed", type=int, default=None, help="seed of the hidden tests' draws (default: random)")
    cmd.add_argument("--gradebook", default=None,
                     help="nbgrader gradebook URL (default: sqlite:///<folder holding SUBMITTED>/gradebook.db)")
    cmd.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto",
                     help="OS isolation of student code (default: bubblewrap when it works)")
    cmd.add_argument("--no-progress", action="store_true", help="no progress bar")


def grade_command(args):
    if not args.submitted.is_dir():
        print(f"error: {args.submitted} is not a folder (expected SUBMITTED/<student>/<assignment>/<notebook>.ipynb)",
              file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    print(f"isolation: {isolation_status(args.isolation)}")
    results, regraded = batch.grade_class(args.submitted, args.out, jobs=args.jobs, timeout=args.timeout,
                                          force=args.force, seed=args.seed, isolation=args.isolation,
                                          progress=not args.no_progress)
    batch.write_atomic(args.out / "grades.csv", report.grades_csv(results))
    url = args.gradebook or f"sqlite:///{args.submitted.resolve().parent / 'gradebook.db'}"
    by_assignment = defaultdict(list)
    for r in results:
        by_assignment[r["extra_data"]["assignment_id"]].append(r)
    known = set(notebook.list_assignments())
    for assignment_id, group in by_assignment.items():
        if assignment_id in known:
            gradebook.record(url, notebook.load_assignment(assignment_id), group, args.submitted)
    print(report.class_table(results))
    print(f"\n{len(results)} submissions ({regraded} graded now, {len(results) - regraded} up to date)")
    print(f"results and feedback pages: {args.out}/<student>/<assignment>/results.json, feedback.html")
    print(f"class grades: {args.out / 'grades.csv'}; gradebook: {url}")
    return 0


def check_command(path):
    """Run the notebook's setup, solution and visible check cells (not the experiments), in order."""
    try:
        nb = notebook.read_notebook(path)
    except notebook.NotebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    cells, checks = [], []
    for i, cell in enumerate(nb["cells"]):
        meta = notebook.nbgrader_meta(cell)
        if cell.get("cell_type") != "code" or not meta:
            continue
        name = meta.get("grade_id") or f"cell {i + 1}"
        cells.append((name, notebook.cell_source(cell)))
        if meta.get("grade"):
            checks.append(name)
    with Sandbox(cells) as box:
        failed = {name: box.load_errors[name] for name in checks if name in box.load_errors}
        for name in checks:
            print(f"{'FAIL' if name in failed else 'ok  '}  {name}" + (f": {failed[name]}" if name in failed else ""))
    print(f"{len(checks) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
