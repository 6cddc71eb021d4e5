"""The student bundle: a zip of what students receive (`python -m autograder bundle`, `make student-bundle`).

Everything sits in one folder, `cs231n-training/`:

    assignments/       the release, as nbgrader generated it from solutions/
    cs231n_utils/      the tools the notebooks import
    autograder/        only the check command (`python -m autograder.check NOTEBOOK`): check.py and
                       the grader's modules it imports, which read notebooks and run cells in the sandbox
    requirements.txt   the pins of the repository's requirements.txt that the student's packages
                       (STUDENT_NEEDS) pull in, computed from the metadata of exactly those installs
    README.md, pyproject.toml, install.sh, jupyter-config/   from student/: how to work; the bundle
                       as a package; its install into .venv; the JupyterLab settings it installs there
                       (nbgrader's pages that need an exchange or are instructors' off, Validate on)

Nothing of solutions/, autograder/hidden/ or the sample class goes in, and the build stops when a
file would carry nbgrader's solution or hidden-test markers. The same course gives the same zip,
byte for byte.
"""

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder import gradescope, notebook
from autograder.sandbox.policy import WORKER_FILES

REPO = notebook.REPO_ROOT
FOLDER = "cs231n-training"  # the zip's one top-level folder: unzipping makes it
DEFAULT_OUT = Path("dist") / "student-bundle.zip"
EXECUTABLES = ("install.sh",)  # of the files in student/
# What a student's environment needs, and why; requirements.txt pins these and all they pull in.
STUDENT_NEEDS = {
    "numpy": "the notebooks, cs231n_utils and the check's worker",
    "scipy": "a notebook's comparison with scipy.optimize",
    "matplotlib": "the notebooks' plots",
    "scikit-learn": "the digits data set",
    "tqdm": "the Solver's progress bar",
    "ipykernel": "the notebooks' kernel",
    "jupyterlab": "to open and run the notebooks",
    "nbgrader": "the Validate button",
    "setuptools": "install.sh's editable install of the bundle",
}
# Lines that only the instructors' files hold: in a release, nbgrader has replaced them.
ANSWER_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def check_modules(root=REPO):
    """The grader's files the check command runs: autograder/check.py, every module of the package it
    imports (recursively), their packages' __init__.py, and the sandbox worker's own files."""
    names, todo = set(), ["autograder.check"]
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        path = _module_file(root, name)
        if path is None:
            raise ValueError(f"the check command imports {name}, which is not a module under {root}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and _in_package(node.module):
                todo += [f"{node.module}.{a.name}" if _module_file(root, f"{node.module}.{a.name}") else node.module
                         for a in node.names]
            elif isinstance(node, ast.Import):
                todo += [a.name for a in node.names if _in_package(a.name)]
    files = {_module_file(root, n).relative_to(root).as_posix() for n in names} | set(WORKER_FILES)
    for name in list(files):
        files |= {f"{parent.as_posix()}/__init__.py" for parent in Path(name).parents if parent.parts}
    return sorted(files)


def _in_package(module):
    return module is not None and module.split(".")[0] == "autograder"


def _module_file(root, name):
    """The file of module `name` under `root` (None when there is no such module)."""
    base = Path(root, *name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def pins(text):
    """{canonical name: the line that pins it} of a pip requirements file of `name==version` lines."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            found[canonicalize_name(Requirement(line).name)] = line
    return found


def student_requirements(requirements_text, needs=tuple(STUDENT_NEEDS)):
    """The lines of `requirements_text` (the course's pins) that `needs` and all they pull in require,
    in the file's order, under a header saying where they come from.

    The dependencies are those the installed distributions declare, on this platform, extras
    included; each must be installed at exactly its pinned version (`make install`), else ValueError.
    """
    pinned = pins(requirements_text)
    wanted, todo = set(), [(name, "") for name in needs]
    while todo:
        name, extra = todo.pop()
        key = canonicalize_name(name)
        if (key, extra) in wanted:
            continue
        if key not in pinned:
            raise ValueError(f"{name} is needed by the student's packages but requirements.txt does not pin it: "
                             "add it there (pip freeze of the course's venv)")
        try:
            installed = metadata.version(key)
        except metadata.PackageNotFoundError:
            installed = None
        if installed is None or installed not in Requirement(pinned[key]).specifier:
            found = f"{name} {installed} is" if installed else f"{name} is not"
            raise ValueError(f"requirements.txt pins {pinned[key]} but {found} installed here, so what it pulls in "
                             "is unknown: run `make install` first")
        wanted.add((key, extra))
        for text in metadata.requires(key) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                todo += [(req.name, ""), *((req.name, e) for e in req.extras)]
    keep = {key for key, _ in wanted}
    header = ("# The course's pins (its requirements.txt) that students install (install.sh): these packages and\n"
              f"# all they pull in: {', '.join(needs)}.\n"
              "# Made by `python -m autograder bundle` on Linux; on another system pip adds what it needs there.\n")
    return header + "".join(f"{line}\n" for key, line in pinned.items() if key in keep)


def shipped_files(root=REPO, assignments=None):
    """{name in the zip: (bytes, mode)}: the release (of `assignments` only, when given: a course
    hands out its notebooks week by week, and a later one may give away an earlier one's answer as
    given code), cs231n_utils, the check command, the student's files and requirements. Raises
    ValueError when one would carry an answer or a hidden test, or an assignment id is unknown."""
    root = Path(root)
    released = sorted(p.name for p in (root / "assignments").iterdir() if p.is_dir())
    unknown = sorted(set(assignments or ()) - set(released))
    if unknown:
        raise ValueError(f"no released assignment {', '.join(unknown)}; the release has {', '.join(released)}")
    course = [p for folder in ("assignments", "cs231n_utils") for p in sorted((root / folder).rglob("*"))
              if p.is_file() and not any(part.startswith((".", "__pycache__")) for part in p.relative_to(root).parts)
              and (not assignments or folder != "assignments" or p.relative_to(root).parts[1] in assignments)]
    files = {p.relative_to(root).as_posix(): (p.read_bytes(), 0o644) for p in course}
    files |= {name: ((root / name).read_bytes(), 0o644) for name in check_modules(root)}
    student = [p for p in sorted((root / "student").rglob("*")) if p.is_file()]
    files |= {p.relative_to(root / "student").as_posix(): (p.read_bytes(), 0o755 if p.name in EXECUTABLES else 0o644)
              for p in student}
    files["requirements.txt"] = (student_requirements((root / "requirements.txt").read_text()).encode(), 0o644)
    for name, (data, _) in files.items():
        marker = next((m for m in ANSWER_MARKERS if m.encode() in data), None)
        if marker:
            raise ValueError(f"{name} holds {marker!r}, so it would give away answers or hidden tests: "
                             "regenerate the release (`make release`) and keep such lines out of shipped files")
    return {f"{FOLDER}/{name}": entry for name, entry in files.items()}


def build(out=DEFAULT_OUT, root=REPO, assignments=None):
    """Write the student bundle (of `assignments` only, when given) to `out` -> {name in the zip: (bytes, mode)}."""
    files = shipped_files(root, assignments)
    gradescope.write_zip(files, out)
    return files


def add_arguments(parser):
    """The options of `python -m autograder bundle`."""
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the zip to write (default: {DEFAULT_OUT})")
    parser.add_argument("--assignments", nargs="+", metavar="ID",
                        help="release only these assignments (default: all); the check command and "
                             "cs231n_utils come whole")


def command(args):
    """`python -m autograder bundle`: build the zip and say what is in it."""
    try:
        files = build(args.out, assignments=args.assignments)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    notebooks = sum(name.endswith(".ipynb") for name in files)
    requirements = files[f"{FOLDER}/requirements.txt"][0].decode()
    count, of = len(pins(requirements)), len(pins((REPO / "requirements.txt").read_text()))
    print(f"{args.out}: {len(files)} files, {args.out.stat().st_size / 1024:.0f} KiB: {notebooks} notebooks, "
          f"cs231n_utils, the check command, {count} of the course's {of} pinned requirements")
    print(f"Students unzip it and run {FOLDER}/install.sh; its README.md says the rest.")
    return 0
