"""Does the student bundle hold what students receive and nothing of the answers, the same bytes at
every build, and does it install as its README says and run the check command there?"""

import ast
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from autograder import bundle, catalog, cli
from autograder.notebook import RELEASE_DIR, REPO_ROOT, cell_source, load_assignment, read_notebook
from autograder.sandbox.worker import strip_magics

TOP = bundle.FOLDER
# The issue's spec: nbgrader's pages that need a course exchange or are the instructors' are off
# (with the menu that opens them); the Validate button stays.
PLUGINS_OFF = {f"@jupyter/nbgrader:{name}" for name in
               ("assignment-list", "course-list", "formgrader", "create-assignment", "menu")}
PLUGIN_ON = "@jupyter/nbgrader:validate-assignment"
SERVER = {f"nbgrader.server_extensions.{name}": state for name, state in
          [("assignment_list", "disabled"), ("course_list", "disabled"), ("formgrader", "disabled"),
           ("validate_assignment", "enabled")]}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist") / "student-bundle.zip"
    bundle.build(out)
    return out


def entries(zip_path):
    """{name below the bundle's folder: bytes}."""
    with zipfile.ZipFile(zip_path) as archive:
        return {info.filename.removeprefix(f"{TOP}/"): archive.read(info) for info in archive.infolist()}


def texts(zip_path):
    """{name: the text a reader finds there}: a notebook's cell sources, any other file as text."""
    out = {}
    for name, data in entries(zip_path).items():
        if name.endswith(".ipynb"):
            nb = json.loads(data)
            out[name] = "\n".join(cell_source(c) for c in nb["cells"])
        else:
            out[name] = data.decode("utf-8", errors="replace")
    return out


def requirement_lines(zip_path):
    lines = entries(zip_path)["requirements.txt"].decode().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_the_bundle_holds_the_release_the_tools_and_the_check_command_only(built):
    names = set(entries(built))
    assert {n.split("/")[0] for n in names} == {"assignments", "cs231n_utils", "autograder", "jupyter-config",
                                               "README.md", "install.sh", "pyproject.toml", "requirements.txt"}
    release = {p.relative_to(REPO_ROOT).as_posix(): p.read_bytes() for p in RELEASE_DIR.glob("*/*.ipynb")}
    assert release and all(entries(built)[name] == data for name, data in release.items())
    assert {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "cs231n_utils").glob("*.py")} <= names
    grader = {n for n in names if n.startswith("autograder/")}
    assert grader == set(bundle.check_modules())
    with zipfile.ZipFile(built) as archive:
        mode = archive.getinfo(f"{TOP}/install.sh").external_attr >> 16
    assert mode & stat.S_IXUSR, "install.sh must unzip executable"


def test_the_check_command_ships_without_the_instructors_modules():
    """What the bundle takes of the grader: the check, the notebook reader and the sandbox, not the
    grading, the gradebook, the hidden tests or the command line that reaches them."""
    shipped = set(bundle.check_modules())
    assert {"autograder/check.py", "autograder/notebook.py", "autograder/sandbox/box.py",
            "autograder/sandbox/worker.py", "autograder/sandbox/wire.py"} <= shipped
    instructors = {f"autograder/{name}.py" for name in
                   ("cli", "__main__", "batch", "runner", "testing", "gradebook", "gradescope", "prove", "release",
                    "report", "bundle", "class_report", "catalog_table", "dask_backend")}
    assert not shipped & instructors
    assert not any("/hidden/" in name or "/samples/" in name for name in shipped)


def solution_only_lines():
    """Lines of the reference answers (between nbgrader's solution markers in solutions/) that no
    release notebook holds (some notebooks give an earlier one's rule as code): what must never
    reach a student."""
    released = "\n".join(cell_source(c) for p in RELEASE_DIR.glob("*/*.ipynb") for c in read_notebook(p)["cells"])
    lines, inside = set(), False
    for source in sorted((REPO_ROOT / "solutions").glob("*/*.ipynb")):
        for cell in read_notebook(source)["cells"]:
            for line in cell_source(cell).splitlines():
                if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
                    inside = "BEGIN" in line
                elif inside and len(line.strip()) >= 20 and line.strip() not in released:
                    lines.add(line.strip())
    return lines


def test_no_reference_answer_or_hidden_test_reaches_the_bundle(built):
    answers = solution_only_lines()
    hidden = {line.strip() for p in catalog.HIDDEN_DIR.glob("*/test_hidden.py")
              for line in p.read_text().splitlines() if line.strip().startswith("def test_")}
    hints = {m.hint[:60] for a in catalog.assignment_ids() for m in catalog.mistakes(a)}
    assert len(answers) > 50 and len(hidden) > 50 and len(hints) > 50  # enough to mean something
    found = {(name, line) for name, text in texts(built).items() for line in answers | hidden | hints if line in text}
    assert not found, sorted(found)[:5]


def course_copy(dest):
    """The files a bundle is built from, copied to `dest` (with the times of the copy)."""
    for folder in ("assignments", "cs231n_utils", "student"):
        shutil.copytree(REPO_ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    shutil.copytree(REPO_ROOT / "autograder", dest / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__", "hidden", "samples"))
    shutil.copy(REPO_ROOT / "requirements.txt", dest / "requirements.txt")
    return dest


def test_the_build_refuses_a_release_that_holds_an_answer(tmp_path):
    """A release generated without nbgrader's clearing (the answer between its markers) is not shipped."""
    root = course_copy(tmp_path / "course")
    target = root / "assignments" / "06_dropout" / "dropout.ipynb"
    target.write_text(target.read_text().replace("# YOUR CODE HERE", "### BEGIN SOLUTION", 1))
    with pytest.raises(ValueError, match="dropout.ipynb holds 'BEGIN SOLUTION'"):
        bundle.build(tmp_path / "bundle.zip", root=root)
    assert not (tmp_path / "bundle.zip").exists()


def test_two_builds_give_the_same_bytes(built, tmp_path):
    """A build from a copy of the course made at another time, in another folder, is the same zip."""
    root = course_copy(tmp_path / "elsewhere")
    later = time.time() + 86400
    for path in root.rglob("*"):
        os.utime(path, (later, later))
    again = bundle.build(tmp_path / "again.zip", root=root)
    assert (tmp_path / "again.zip").read_bytes() == built.read_bytes()
    assert len(again) == len(entries(built))


def test_students_install_a_closed_part_of_the_course_pins(built):
    """Every pin is the course's own line; the student's packages are there with all they need on this
    platform (extras followed), and the instructors' tools are not."""
    lines = requirement_lines(built)
    assert set(lines) <= set((REPO_ROOT / "requirements.txt").read_text().splitlines())
    names = {canonicalize_name(Requirement(line).name) for line in lines}
    assert {canonicalize_name(n) for n in bundle.STUDENT_NEEDS} <= names
    assert not names & {"dask", "distributed", "pytest", "nbval", "coverage"}
    todo, seen = [(name, "") for name in names], set()
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        for text in metadata.requires(name) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": extra}):
                assert canonicalize_name(req.name) in names, f"{name} needs {req.name}, which students do not install"
                todo += [(canonicalize_name(req.name), e) for e in req.extras]


def test_the_requirements_are_not_guessed_from_an_environment_unlike_the_pins():
    """Dependencies are read from the installed packages, so these must be the pinned ones, and each pinned."""
    with pytest.raises(ValueError, match=r"pins numpy==1\.0 but numpy .* is installed here.*make install"):
        bundle.student_requirements("numpy==1.0\n", needs=("numpy",))
    with pytest.raises(ValueError, match="requirements.txt does not pin it"):
        bundle.student_requirements((REPO_ROOT / "requirements.txt").read_text(), needs=("torch",))


def test_the_student_requirements_provide_every_import_of_the_bundle(built):
    """Each module the shipped code and the notebooks import is the standard library's, the bundle's
    own, or installed by a distribution of the bundle's requirements.txt."""
    imported = set()
    for name, data in entries(built).items():
        if name.endswith(".py"):
            sources = [data.decode()]
        elif name.endswith(".ipynb"):
            sources = [cell_source(c) for c in json.loads(data)["cells"] if c.get("cell_type") == "code"]
        else:
            continue
        for source in sources:
            for node in ast.walk(ast.parse(strip_magics(source))):
                if isinstance(node, ast.Import):
                    imported |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    imported.add(node.module.split(".")[0])
    outside = imported - set(sys.stdlib_module_names) - {"autograder", "cs231n_utils"}
    assert {"numpy", "matplotlib", "sklearn", "scipy"} <= outside
    names = {canonicalize_name(Requirement(line).name) for line in requirement_lines(built)}
    providers = metadata.packages_distributions()
    missing = {m for m in outside if not {canonicalize_name(d) for d in providers.get(m, [])} & names}
    assert not missing


def test_the_bundle_command_writes_the_zip(tmp_path, capsys):
    out = tmp_path / "dist" / "student-bundle.zip"
    assert cli.main(["bundle", "--out", str(out)]) == 0
    assert zipfile.is_zipfile(out)
    assert "6 notebooks" in capsys.readouterr().out


def test_a_bundle_of_some_assignments_releases_only_those(tmp_path, capsys):
    """A course hands out its notebooks week by week: later ones, whose given code may hold an
    earlier one's answer (04 gives a momentum rule), stay out of an earlier week's bundle."""
    out = tmp_path / "week1.zip"
    assert cli.main(["bundle", "--out", str(out), "--assignments", "01_regularization", "03_optimizers"]) == 0
    folders = {name.split("/")[1] for name in entries(out) if name.startswith("assignments/")}
    assert folders == {"01_regularization", "03_optimizers"}
    assert "cs231n_utils/solver.py" in entries(out)
    assert "2 notebooks" in capsys.readouterr().out


def test_an_unknown_assignment_is_named_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "bundle.zip"
    assert cli.main(["bundle", "--out", str(out), "--assignments", "07_attention"]) == 2
    assert "no released assignment 07_attention" in capsys.readouterr().err
    assert not out.exists()


# ---------------------------------------------------------------- installed, as a student does


def unzip(zip_path, dest):
    """Unpack as unzip does: files with the modes the zip records."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            path = Path(archive.extract(info, dest))
            path.chmod((info.external_attr >> 16) & 0o777 or 0o644)
    return Path(dest) / TOP


def preinstall(venv, distributions):
    """Make `venv` as `python -m venv` does, and put into it the files of `distributions` (and pip) as
    pip installed them in this test's own environment from the same pins: the packages' code hard
    linked (copied where linking is not possible), their data and configuration files copied, their
    console scripts pointed at the new interpreter. So install.sh's pip finds every requirement
    satisfied without a download, and the rest of install.sh, and all after it, run unchanged."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    prefix, shebang = Path(sys.prefix), f"#!{Path(sys.prefix) / 'bin' / 'python'}\n".encode()
    for name in [*distributions, "pip"]:
        dist = metadata.distribution(name)
        for file in dist.files:
            source = Path(os.path.normpath(dist.locate_file(file)))
            target = venv / source.relative_to(prefix)
            if not source.is_file() or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            data = source.read_bytes() if source.parent == prefix / "bin" else b""
            if data.startswith(shebang):
                target.write_bytes(f"#!{venv / 'bin' / 'python'}\n".encode() + data[len(shebang):])
                target.chmod(0o755)
            elif source.is_relative_to(prefix / "lib"):
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)
            else:
                shutil.copy2(source, target)


def run(argv, cwd, env):
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, ANSI.sub("", done.stdout + done.stderr)


def test_the_unpacked_bundle_installs_and_checks_a_blank_notebook(built, tmp_path):
    """Unzipped in a fresh folder, the bundle's own install.sh sets up its .venv (pip may not download:
    the pinned packages are in place, see `preinstall`); from there, away from the bundle's folder,
    the check command says of the blank notebook that every graded function is not yet done,
    cs231n_utils and the check come from the bundle, and Jupyter lists nbgrader's exchange and
    instructor parts off and Validate on."""
    folder = unzip(built, tmp_path / "unpacked")
    venv = folder / ".venv"
    preinstall(venv, [Requirement(line).name for line in requirement_lines(built)])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("JUPYTER")}
    env |= {"PIP_NO_INDEX": "1", "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config"),
            "JUPYTER_DATA_DIR": str(tmp_path / "user-data")}  # the user's own Jupyter settings play no part
    code, out = run([str(folder / "install.sh")], tmp_path, env)
    assert code == 0, out
    listings = [subprocess.Popen([venv / "bin" / "jupyter", *command, "list"], cwd=tmp_path, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for command in (["labextension"], ["server", "extension"])]  # meanwhile, on the other core
    try:
        notebook = folder / "assignments" / "03_optimizers" / "optimizers.ipynb"
        code, out = run([venv / "bin" / "python", "-m", "autograder.check", notebook], tmp_path, env)
        functions = load_assignment("03_optimizers", root=RELEASE_DIR).functions
        assert code == 1, out
        not_done = [line.split()[3].rstrip(":") for line in out.splitlines() if line.startswith("not yet done")]
        assert not_done == list(functions), out
        assert f"0 passed, 0 failed, {len(functions)} not yet done" in out
        code, out = run([venv / "bin" / "python", "-c", "import autograder.check, cs231n_utils.checks as c; "
                         "print(autograder.check.__file__); print(c.__file__)"], tmp_path, env)
        assert code == 0 and all(Path(line).is_relative_to(folder) for line in out.split()), out
        lab_out, server_out = (ANSI.sub("", p.communicate(timeout=300)[0]) for p in listings)
    finally:
        for p in listings:
            p.kill()
            p.wait()
    assert [p.returncode for p in listings] == [0, 0], lab_out + server_out
    assert re.search(r"@jupyter/nbgrader v[\d.]+ enabled OK", lab_out), lab_out
    disabled = set(lab_out.partition("Disabled extensions:")[2].split())
    assert disabled == PLUGINS_OFF, lab_out
    labextension = venv / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader"
    static = "".join(p.read_text() for p in (labextension / "static").glob("*.js"))
    assert all(f'"{plugin}"' in static for plugin in PLUGINS_OFF | {PLUGIN_ON})  # real plugin ids, not typos
    states = dict(re.findall(r"^\s+(nbgrader\.server_extensions\.\w+) (enabled|disabled)$", server_out, re.M))
    assert states == SERVER, server_out
    assert all(re.search(rf"^\s+{re.escape(name)}\s+OK$", server_out, re.M) for name in SERVER), server_out
