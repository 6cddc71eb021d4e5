"""Read a notebook defensively and pull out the cells that grading needs.

The same extraction serves the reference (the nbgrader source in `solutions/`) and every
student's submission, so the course has one copy of each answer: its solution cell.
"""

import ast
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder import catalog
from autograder.sandbox.worker import strip_magics as comment_out_magics

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
RELEASE_DIR = REPO_ROOT / "assignments"
MAX_NOTEBOOK_BYTES = 20 << 20


class NotebookError(Exception):
    """A notebook that cannot be graded at all; `str(err)` is one line a student understands."""


@dataclass(frozen=True)
class Assignment:
    """One nbgrader assignment as its source notebook defines it.

    setup: the locked setup cells, [(grade_id, source)]: all that graded functions may rely on.
    functions: the graded functions, in notebook order (their solution cells' grade_ids).
    points: {function: points} of each function's visible check cell (`check_<function>`).
    manual_points: {grade_id: points} of the inline questions, graded by hand.
    """

    id: str
    notebook: str
    source_path: Path
    setup: tuple[tuple[str, str], ...]
    functions: tuple[str, ...]
    points: dict[str, float] = field(hash=False, compare=False)
    manual_points: dict[str, float] = field(hash=False, compare=False)

    @property
    def release_path(self):
        return RELEASE_DIR / self.id / self.notebook

    @property
    def max_points(self):
        """Automatic and manual points together: what the assignment is out of."""
        return sum(self.points.values()) + sum(self.manual_points.values())


def read_notebook(path):
    """Return the notebook at `path` as a dict, or raise NotebookError saying why it is unusable."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise NotebookError(f"cannot read {path.name}: {err.strerror}") from None
    if size == 0:
        raise NotebookError(f"{path.name} is empty (0 bytes): was the notebook saved before hand-in?")
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is {size >> 20} MiB, over the {MAX_NOTEBOOK_BYTES >> 20} MiB limit: "
                            "clear the outputs and hand it in again")
    try:
        text = path.read_bytes().decode("utf-8")
        nb = json.loads(text)
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not a text file, so not a Jupyter notebook") from None
    except json.JSONDecodeError as err:
        raise NotebookError(f"{path.name} is not valid notebook JSON (line {err.lineno}: {err.msg}): "
                            "re-save it from Jupyter") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(f"{path.name} is JSON but not a Jupyter notebook (no list of cells)")
    if nb.get("nbformat") != 4:
        raise NotebookError(f"{path.name} has notebook format {nb.get('nbformat')!r}: "
                            "save it with Jupyter (format 4 or later)")
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or not isinstance(cell_source(cell), str):
            raise NotebookError(f"{path.name}: cell {i + 1} is malformed (no cell type or source): "
                                "re-save the notebook from Jupyter")
    return nb


def cell_source(cell):
    """The cell's text (nbformat allows a string or a list of lines), or None when malformed."""
    src = cell.get("source") if isinstance(cell, dict) else None
    if isinstance(src, list) and all(isinstance(line, str) for line in src):
        return "".join(src)
    return src if isinstance(src, str) else None


def nbgrader_meta(cell):
    """The cell's nbgrader metadata (an empty dict when it has none or it is malformed)."""
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


@cache
def load_assignment(assignment_id, root=SOLUTIONS_DIR):
    """The assignment whose nbgrader source is `root/<assignment_id>/<notebook>.ipynb`."""
    folder = Path(root) / assignment_id
    notebooks = sorted(folder.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(f"expected one notebook in {folder}, found {len(notebooks)}")
    nb = read_notebook(notebooks[0])
    setup, functions, points, manual = [], [], {}, {}
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        grade_id = meta.get("grade_id", "")
        if cell.get("cell_type") == "code" and grade_id.startswith("setup"):
            setup.append((grade_id, cell_source(cell)))
        elif cell.get("cell_type") == "code" and meta.get("solution"):
            functions.append(grade_id)
        elif meta.get("grade") and cell.get("cell_type") == "code":
            points[grade_id.removeprefix("check_")] = float(meta.get("points", 0))
        elif meta.get("grade"):
            manual[grade_id] = float(meta.get("points", 0))
    return Assignment(assignment_id, notebooks[0].name, notebooks[0], tuple(setup), tuple(functions), points, manual)


def list_assignments(root=SOLUTIONS_DIR):
    """Ids of the assignments that have both a source notebook and hidden tests, in teaching order."""
    return [a for a in catalog.assignment_ids() if any((Path(root) / a).glob("*.ipynb"))]


@dataclass(frozen=True)
class Solution:
    """The code graded for one function, and where in the notebook it was found.

    code: what the sandbox runs (the whole solution cell; from another cell, only its imports and
        definitions, so that an experiment in that cell cannot stop the function from loading).
    cell: the cell's number in the notebook, counting from 1.
    own_cell: whether it is the function's own solution cell.
    """

    code: str
    cell: int
    own_cell: bool


def extract_solutions(nb, functions):
    """Find the code of each graded function as running the notebook top to bottom defines it.

    The last code cell that defines `fn` wins: its solution cell (found by nbgrader's grade_id), or
    any later cell with a top-level `def fn` (a student who wrote the answer in a new cell below
    the stub). Locked cells (setup, checks) are not the student's and are skipped.
    Returns `(sources, notes)`: `sources[fn]` is a Solution; `notes[fn]` says, in one line, why
    `fn` is missing or which other cell was graded.
    """
    last, id_lost = {}, set()
    for number, cell in enumerate(nb["cells"], start=1):
        meta = nbgrader_meta(cell)
        if cell.get("cell_type") != "code" or meta.get("locked") or meta.get("grade"):
            continue
        src = cell_source(cell)
        grade_id = meta.get("grade_id")
        defs = _definitions(src)
        for fn in functions:
            if grade_id == fn:
                last[fn] = Solution(src, number, True)
            elif fn in defs:
                last[fn] = Solution(defs[fn], number, False)
                if not any(nbgrader_meta(c).get("grade_id") == fn for c in nb["cells"]):
                    id_lost.add(fn)
    sources, notes = {}, {}
    for fn in functions:
        if fn not in last:
            notes[fn] = (f"no solution cell for {fn} and no def {fn}(...) anywhere in the notebook "
                         "(was the cell deleted?)")
            continue
        sources[fn] = last[fn]
        if fn in id_lost:
            notes[fn] = (f"the solution cell of {fn} lost its nbgrader id; graded the def {fn}(...) "
                         f"found in cell {last[fn].cell}")
        elif not last[fn].own_cell:
            notes[fn] = (f"graded the definition of {fn} in cell {last[fn].cell}, which comes after its solution "
                         "cell and so replaces it when the notebook runs top to bottom")
    return sources, notes


def _definitions(src):
    """{name: code} for each top-level function a cell defines; the code also carries the cell's
    imports and constants, which the function may use."""
    src = comment_out_magics(src)
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError):
        return {}
    context = [ast.get_source_segment(src, node) for node in tree.body
               if isinstance(node, (ast.Import, ast.ImportFrom))
               or (isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
                   and not any(isinstance(n, ast.Call) for n in ast.walk(node.value)))]
    return {node.name: "\n".join([*context, ast.get_source_segment(src, node, padded=True)]) + "\n"
            for node in tree.body if isinstance(node, ast.FunctionDef)}
