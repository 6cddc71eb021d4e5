"""Read a notebook defensively and pull out the cells that grading needs.

The same extraction serves the reference (the nbgrader source in `solutions/`) and every
student's submission, so the course has one copy of each answer: its solution cell.
"""

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"
MAX_NOTEBOOK_BYTES = 20 << 20


class NotebookError(Exception):
    """A notebook that cannot be graded at all; `str(err)` is one line a student understands."""


@dataclass(frozen=True)
class Assignment:
    """One nbgrader assignment as its source notebook defines it."""

    id: str
    notebook: str
    source_path: Path
    setup: tuple[tuple[str, str], ...]
    functions: tuple[str, ...]
    points: dict[str, float] = field(hash=False)
    manual_points: dict[str, float] = field(hash=False)


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
    """Assignment ids in teaching order (their folder names sort that way)."""
    return sorted(p.name for p in Path(root).iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def extract_solutions(nb, functions):
    """Find each graded function's code in a notebook.

    Returns `(sources, notes)`: `sources[fn]` is the code to run for `fn` (its solution cell; if
    that cell lost its nbgrader id, the last top-level `def fn` in any code cell), and `notes[fn]`
    says, in one line, why `fn` is missing or how it was found.
    """
    by_id, defs = {}, {}
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        src = cell_source(cell)
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in functions:
            by_id[grade_id] = src  # a duplicate id: the later cell wins, as when run top to bottom
        for name, segment in _top_level_defs(src):
            defs[name] = segment
    sources, notes = {}, {}
    for fn in functions:
        if fn in by_id:
            sources[fn] = by_id[fn]
        elif fn in defs:
            sources[fn] = defs[fn]
            notes[fn] = (f"the solution cell of {fn} lost its nbgrader id; "
                         f"graded the def {fn}(...) found in another cell")
        else:
            notes[fn] = (f"no solution cell for {fn} and no def {fn}(...) anywhere in the notebook "
                         "(was the cell deleted?)")
    return sources, notes


def _top_level_defs(src):
    src = _comment_out_magics(src)
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError):
        return []
    return [(node.name, ast.get_source_segment(src, node, padded=True)) for node in tree.body
            if isinstance(node, ast.FunctionDef)]


def _comment_out_magics(src):
    """IPython's `%magic` and `!shell` lines, commented out so the rest parses as Python."""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line for line in src.splitlines())
