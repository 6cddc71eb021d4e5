"""A student's visible checks, all at once: `python -m autograder.check NOTEBOOK`.

Runs the notebook's setup, solution and visible check cells (not the experiments), in order, in the
sandbox's worker, and says per graded function: passed, failed (with the message) or not yet done.
The course it checks against is the release, `assignments/<id>/<notebook>.ipynb` (its graded
functions, points and locked cells), so this module and what it imports (`notebook`, `catalog`,
`sandbox/`) are all the student bundle needs of the grader: no hidden tests, no solutions, no
nbgrader. `python -m autograder check NOTEBOOK` is the same command.
"""

import argparse
import sys
from pathlib import Path

from autograder import notebook
from autograder.sandbox.box import Sandbox
from autograder.sandbox.policy import resolve_isolation


def course_assignments(release_dir=notebook.RELEASE_DIR):
    """The assignments as released to students: one per folder of `release_dir` holding a notebook."""
    folders = sorted(p for p in Path(release_dir).iterdir() if p.is_dir() and any(p.glob("*.ipynb")))
    return [notebook.load_assignment(p.name, root=release_dir) for p in folders]


def assignment_of(nb):
    """The released assignment whose graded functions the notebook's cells are (None when it matches none)."""
    ids = {notebook.nbgrader_meta(c).get("grade_id") for c in nb["cells"]}
    overlap = [(len(ids & set(a.functions)), a) for a in course_assignments()]
    count, best = max(overlap, key=lambda pair: pair[0], default=(0, None))
    return best if count else None


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


def run(path):
    """Check the notebook at `path`, print a line per graded function and a total; return the exit
    code: 0 when every check passed, 1 when one did not, 2 when the notebook cannot be read."""
    try:
        nb = notebook.read_notebook(path)
    except notebook.NotebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    assignment = assignment_of(nb)
    cells, checks = check_cells(nb, assignment)
    _, notes = notebook.extract_solutions(nb, assignment.functions) if assignment else ({}, {})
    verdicts = {"passed": 0, "failed": 0, "not yet done": 0}
    # Bubblewrap where it works, as in grading; elsewhere a plain process, without the grader's
    # warning: the code is the student's own, on their own machine.
    with Sandbox(cells, isolation=resolve_isolation("auto")) as box:
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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.check", description=__doc__.split("\n")[0])
    parser.add_argument("notebook", type=Path, help="an assignment's notebook (assignments/<id>/<notebook>.ipynb)")
    return run(parser.parse_args(argv).notebook)


if __name__ == "__main__":
    sys.exit(main())
