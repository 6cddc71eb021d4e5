"""The autograder's command line (the contract is in docs/API.md).

    python -m autograder grade SUBMITTED [--out OUT] [--jobs N] [--timeout SECONDS] [--seed N]
                                         [--scheduler ADDRESS]   (a Dask cluster instead of local cores)
    python -m autograder demo [--out OUT]       grade the bundled sample class, then write its class report
    python -m autograder report OUT             the class report: OUT/class_report.html and .csv
    python -m autograder catalog [--markdown]   per graded function: known mistakes, named, alternatives
    python -m autograder release                regenerate assignments/ from solutions/
    python -m autograder check NOTEBOOK         run a notebook's visible checks at once (for students:
                                                python -m autograder.check NOTEBOOK, autograder/check.py)
    python -m autograder bundle [--out ZIP]     the student bundle (default: dist/student-bundle.zip)
    python -m autograder prove ASSIGNMENT       grade the assignment's catalog of mistakes and alternatives
    python -m autograder gradescope --assignment ID [--out ZIP]   Gradescope's autograder zip of one assignment
    python -m autograder gradebook [PATH] [--repair]   is nbgrader's gradebook whole? mend a half-made one
"""

import argparse
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from autograder import (
    batch,
    bundle,
    catalog_table,
    check,
    class_report,
    gradebook,
    gradescope,
    notebook,
    prove,
    release,
    report,
)
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
    visible = commands.add_parser("check", help="run a notebook's visible checks at once (autograder/check.py)")
    visible.add_argument("notebook", type=Path)
    proof = commands.add_parser("prove", help="grade an assignment's catalog of mistakes and alternatives")
    proof.add_argument("assignment", choices=notebook.list_assignments())
    proof.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default: 2)")
    class_page = commands.add_parser("report", help="the class report: full marks and known mistakes, per function")
    class_page.add_argument("out", type=Path, help="grade's output folder (OUT/<student>/<assignment>/results.json)")
    table = commands.add_parser("catalog", help="per graded function: known mistakes, how many named, alternatives")
    table.add_argument("--markdown", action="store_true", help="a Markdown table of the counts")
    gradescope.add_arguments(commands.add_parser("gradescope", help="build an assignment's Gradescope autograder zip"))
    bundle.add_arguments(commands.add_parser("bundle", help="build the zip students receive"))
    gradebook.add_arguments(commands.add_parser("gradebook", help="is the gradebook whole? mend a half-made one"))
    args = parser.parse_args(argv)
    if args.command == "gradescope":
        return gradescope.command(args)
    if args.command == "bundle":
        return bundle.command(args)
    if args.command == "gradebook":
        return gradebook.command(args)
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
        return check.run(args.notebook)
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
    try:
        mended = gradebook.repair(url)  # a half-made or broken gradebook is mended before use, and said so
    except gradebook.GradebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if mended:
        print(mended)
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
