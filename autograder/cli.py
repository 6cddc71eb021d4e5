"""The autograder's command line (the contract is in docs/API.md).

    python -m autograder grade SUBMITTED [--out OUT] [--jobs N] [--timeout SECONDS] [--seed N]
                                         [--scheduler ADDRESS]   (a Dask cluster instead of local cores)
    python -m autograder demo [--out OUT]       grade the bundled sample class, then write its class report
    python -m autograder report OUT             the class report: OUT/class_report.html and .csv
    python -m autograder catalog [--markdown]   per graded function: known mistakes, named, alternatives
    python -m autograder release                regenerate assignments/ from solutions/
    python -m autograder check NOTEBOOK         run a notebook's visible checks at once (for students)
    python -m autograder prove ASSIGNMENT       grade the assignment's catalog of mistakes and alternatives
    python -m autograder gradescope --assignment ID [--out ZIP]   Gradescope's autograder zip of one assignment
"""

import argparse
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from autograder import batch, catalog_table, class_report, gradebook, gradescope, notebook, prove, release, report
from autograder.sandbox.box import Sandbox
from autograder.sandbox.policy import isolation_status

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
    proof = commands.add_parser("prove", help="grade an assignment's catalog of mistakes and alternatives")
    proof.add_argument("assignment", choices=notebook.list_assignments())
    proof.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default: 2)")
    class_page = commands.add_parser("report", help="the class report: full marks and known mistakes, per function")
    class_page.add_argument("out", type=Path, help="grade's output folder (OUT/<student>/<assignment>/results.json)")
    table = commands.add_parser("catalog", help="per graded function: known mistakes, how many named, alternatives")
    table.add_argument("--markdown", action="store_true", help="a Markdown table of the counts")
    gradescope.add_arguments(commands.add_parser("gradescope", help="build an assignment's Gradescope autograder zip"))
    args = parser.parse_args(argv)
    if args.command == "gradescope":
        return gradescope.command(args)
    if args.command == "report":
        return class_report.main(args.out)
    if args.command == "catalog":
        return catalog_table.main(args.markdown)
    if args.command == "release":
        return release.main()
    if args.command == "prove":
        verdicts, reference = prove.prove(args.assignment, jobs=args.jobs)
        print(prove.summary(args.assignment, verdicts, reference))
        return 0 if all(v.ok for v in verdicts) else 1
    if args.command == "check":
        return check_command(args.notebook)
    if args.command == "demo":
        args.submitted = args.out / "submitted"
        shutil.rmtree(args.submitted, ignore_errors=True)
        shutil.copytree(SAMPLES, args.submitted)
        return grade_command(args) or class_report.main(args.out)  # graded: then the class report
    return grade_command(args)


def _grading_options(cmd, default_out):
    cmd.add_argument("--out", type=Path, default=default_out, help=f"where results go (default: {default_out})")
    cmd.add_argument("--jobs", type=int, default=None, help="submissions graded at once (default: all cores)")
    cmd.add_argument("--timeout", type=float, default=30.0,
                     help="seconds a submission's code may run for one call, or to load (default: 30)")
    cmd.add_argument("--force", action="store_true", help="regrade submissions whose results are up to date")
    cmd.add_argument("--seed", type=int, default=batch.COURSE_SEED,
                     help=f"the course seed; each submission's seed derives from it and the submission's ids "
                          f"(default: {batch.COURSE_SEED})")
    cmd.add_argument("--gradebook", default=None,
                     help="nbgrader gradebook URL (default: sqlite:///<folder holding SUBMITTED>/gradebook.db)")
    cmd.add_argument("--isolation", choices=["auto", "bwrap", "none"], default="auto",
                     help="OS isolation of student code (default: bubblewrap when it works)")
    cmd.add_argument("--no-progress", action="store_true", help="no progress bar")
    cmd.add_argument("--scheduler", metavar="ADDRESS", default=None,
                     help="grade on the Dask cluster of this scheduler (e.g. tcp://host:8786); "
                          "each worker needs this repository and its venv at the same path")


def grade_command(args):
    if not args.submitted.is_dir():
        print(f"error: {args.submitted} is not a folder (expected SUBMITTED/<student>/<assignment>/<notebook>.ipynb)",
              file=sys.stderr)
        return 2
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    print(f"isolation: {isolation_status(args.isolation)}")
    try:
        results, regraded = batch.grade_class(args.submitted, args.out, jobs=args.jobs, timeout=args.timeout,
                                              force=args.force, seed=args.seed, isolation=args.isolation,
                                              progress=not args.no_progress, scheduler=args.scheduler)
    except ValueError as err:  # the course itself is inconsistent (points, markers): nothing was graded
        print(f"error: {err}", file=sys.stderr)
        return 2
    url = args.gradebook or f"sqlite:///{args.submitted.resolve().parent / 'gradebook.db'}"
    by_assignment = defaultdict(list)
    for r in results:
        by_assignment[r["extra_data"]["assignment_id"]].append(r)
    manual = {}
    for assignment_id, group in by_assignment.items():
        if assignment_id in notebook.list_assignments():
            assignment = notebook.load_assignment(assignment_id)
            gradebook.record(url, assignment, group, args.submitted)
            manual |= gradebook.manual_scores(url, assignment, [r["extra_data"]["student_id"] for r in group])
    batch.write_atomic(args.out / "grades.csv", report.grades_csv(results, manual))
    print(report.class_table(results, {a: notebook.load_assignment(a).functions for a in by_assignment
                                        if a in notebook.list_assignments()}))
    print(f"\n{len(results)} submissions ({regraded} graded now, {len(results) - regraded} up to date); "
          f"course seed {args.seed}")
    print(f"results and feedback pages: {args.out}/<student>/<assignment>/results.json, feedback.html")
    print(f"class grades (automatic and manual points): {args.out / 'grades.csv'}; gradebook: {url}")
    return 0


def check_cells(nb, assignment):
    """The cells `check` runs, in order: setup, solutions (as the notebook defines them), visible checks.

    A function defined again in a later cell is run from there, just before its check, in place of
    its stub. Returns (cells, checks): cells as [(name, source)]; checks as {check cell: function}.
    """
    sources, _ = notebook.extract_solutions(nb, assignment.functions) if assignment else ({}, {})
    moved = {fn: s.code for fn, s in sources.items() if not s.own_cell}
    locked = {}  # the course's own locked cells, so that an edited check still checks
    if assignment and assignment.release_path.exists():
        locked = {notebook.nbgrader_meta(c).get("grade_id"): notebook.cell_source(c)
                  for c in notebook.read_notebook(assignment.release_path)["cells"]
                  if notebook.nbgrader_meta(c).get("locked")}
    cells, checks = [], {}
    for i, cell in enumerate(nb["cells"]):
        meta = notebook.nbgrader_meta(cell)
        name = meta.get("grade_id") or f"cell {i + 1}"
        if cell.get("cell_type") != "code" or not meta or name in moved:
            continue
        if meta.get("grade"):
            fn = name.removeprefix("check_")
            checks[name] = fn
            if fn in moved:
                cells.append((fn, moved[fn]))
        cells.append((name, locked.get(name, notebook.cell_source(cell))))
    return cells, checks


def _assignment_of(nb):
    """The assignment whose graded functions the notebook's cells are (None when it matches none)."""
    ids = {notebook.nbgrader_meta(c).get("grade_id") for c in nb["cells"]}
    overlap = {a: len(ids & set(notebook.load_assignment(a).functions)) for a in notebook.list_assignments()}
    best = max(overlap, key=overlap.get, default=None)
    return notebook.load_assignment(best) if best and overlap[best] else None


def check_command(path):
    """Run the notebook's setup, solution and visible check cells (not the experiments), in order, and
    say per graded function: passed, failed (with the message) or not yet attempted."""
    try:
        nb = notebook.read_notebook(path)
    except notebook.NotebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    assignment = _assignment_of(nb)
    cells, checks = check_cells(nb, assignment)
    _, notes = notebook.extract_solutions(nb, assignment.functions) if assignment else ({}, {})
    verdicts = {"passed": 0, "failed": 0, "not yet done": 0}
    with Sandbox(cells) as box:
        for check, fn in checks.items():
            error = box.load_errors.get(fn) or box.load_errors.get(check)
            if error is not None and fn in notes and "(was the cell deleted?)" in notes[fn]:
                verdict, text = "failed", f": {notes[fn]}"
            elif error is None:
                verdict, text = "passed", ""
            elif "NotImplementedError" in error or "NotWrittenYet" in error:
                verdict, text = "not yet done", ": still the stub; write it where it says YOUR CODE HERE"
            else:
                where = "its cell does not run" if fn in box.load_errors else "its check fails"
                verdict, text = "failed", f": {where}: {error}"
            verdicts[verdict] += 1
            print(f"{verdict.upper() if verdict == 'failed' else verdict:12} {fn}{text}")
    print(", ".join(f"{n} {v}" for v, n in verdicts.items()))
    return 0 if verdicts["passed"] == len(checks) else 1
