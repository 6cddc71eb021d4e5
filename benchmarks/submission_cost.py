"""The cost of grading one submission, against its floor: the sandbox's start-up, in the same run.

    python benchmarks/submission_cost.py [--repeats 5] [--assignments ID ...] [--out benchmarks/results.md]

For each assignment, the reference answers (the solution cells of `solutions/`) are graded as a
submission, in this process, after one warm-up grading (a grading process grades many
submissions, so imports and the catalog are loaded already). One grading is split into:

- start-up: spawning the sandboxed worker and loading the setup and solution cells in it;
- round trips: the hidden tests' calls into the worker (how many, and the time they took);
- resets: loading the student's cells afresh before a test (how many, and their time);
- pytest session: configuring pytest and collecting the hidden tests (timed alone, collect-only);
- in the grader: the rest of the hidden tests, i.e. the reference and the catalog's mistakes
  (run in the grader's process), the test code itself and pytest's work per test;
- whole: start-up and hidden tests; the target is a whole submission within 3x the start-up.

Every figure is a median over the repeats (so the parts need not add up exactly to the whole).
The report is Markdown, printed and written into its section of --out.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import sections

from autograder import catalog, runner
from autograder.notebook import load_assignment
from autograder.sandbox.box import Proxy, Sandbox
from autograder.sandbox.policy import Limits, isolation_status

SECTION = "submission_cost"
COLUMNS = ("tests", "start", "calls", "call_s", "resets", "reset_s", "session", "grader", "whole")


def grade_once(assignment, seed):
    """Grade the reference answers once, as a submission -> {column: value} (see COLUMNS)."""
    limits = Limits()
    started = time.perf_counter()
    with Sandbox(runner.reference_cells(assignment), limits=limits) as box:
        box.defined()
        loaded = time.perf_counter()
        results = runner.run_hidden_tests(assignment, Proxy(box, {}, limits.wall_seconds * 4), seed)
        done = time.perf_counter()
        spent = {op: tuple(tally) for op, tally in box.spent.items()}
    lost = [t.name for t in results if t.score < t.max_score]
    if lost or box.load_errors:
        raise RuntimeError(f"the reference answers of {assignment.id} lost points: {lost or box.load_errors}")
    session = time.perf_counter()
    runner.declared_points.__wrapped__(assignment)  # a pytest session that only collects
    session = time.perf_counter() - session
    calls, call_s = spent.get("call", (0, 0.0))
    resets, reset_s = spent.get("reset", (0, 0.0))
    tests = done - loaded
    return {"tests": len(results), "start": loaded - started, "calls": calls, "call_s": call_s, "resets": resets,
            "reset_s": reset_s, "session": session, "grader": tests - call_s - reset_s - session,
            "whole": done - started}


def measure(assignment_id, repeats):
    """Medians of `repeats` gradings (after a warm-up) -> {column: value}."""
    assignment = load_assignment(assignment_id)
    grade_once(assignment, seed=0)
    runs = [grade_once(assignment, seed) for seed in range(repeats)]
    return {column: statistics.median(run[column] for run in runs) for column in COLUMNS}


def report(rows, repeats, load):
    """The Markdown report of {assignment: medians}; `load`: the load average when the run started."""
    ms = 1000
    lines = [
        "## The cost of one submission against the sandbox's start-up",
        "",
        f"Machine: {os.cpu_count()} cores (load average {load:.1f} when the run started), "
        f"Python {platform.python_version()}; isolation: {isolation_status()}",
        "",
        f"The reference answers graded as a submission, median of {repeats} (after a warm-up), one core; "
        "times in ms. `python benchmarks/submission_cost.py` reproduces it.",
        "",
        "| assignment | hidden tests | start-up | round trips | in round trips | resets | in resets "
        "| pytest session | in the grader | whole | whole / start-up |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    total = {column: sum(r[column] for r in rows.values()) for column in COLUMNS}
    for label, r in [*rows.items(), ("**all**", total)]:
        cells = [f"{r['tests']:.0f}", f"{r['start'] * ms:.0f}", f"{r['calls']:.0f}", f"{r['call_s'] * ms:.0f}",
                 f"{r['resets']:.0f}", f"{r['reset_s'] * ms:.0f}", f"{r['session'] * ms:.0f}",
                 f"{r['grader'] * ms:.0f}", f"{r['whole'] * ms:.0f}", f"{r['whole'] / r['start']:.1f}x"]
        lines.append(f"| {label} | {' | '.join(cells)} |")
    lines += ["", "Start-up: spawning the sandboxed worker and loading the setup and solution cells. Round trips: "
              "the hidden tests' calls into the worker. Resets: loading the cells afresh before a test. "
              "Pytest session: configuring pytest and collecting the hidden tests. In the grader: the rest "
              "(the reference and the known mistakes run in the grader, the test code, pytest per test)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="gradings per assignment (the median is reported)")
    parser.add_argument("--assignments", nargs="*", default=None, help="assignment ids (default: every one)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results.md",
                        help="the Markdown file whose section this report replaces")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows = {a: measure(a, args.repeats) for a in args.assignments or catalog.assignment_ids()}
    text = report(rows, args.repeats, load)
    print(text)
    sections.write_section(args.out, SECTION, text)


if __name__ == "__main__":
    sys.exit(main())
