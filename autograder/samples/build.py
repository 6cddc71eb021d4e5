"""Build the bundled sample class: the release, filled in as real students do, right and wrong.

    python -m autograder.samples.build     # rewrites autograder/samples/submitted/

Each student starts from the release and the reference answers, then changes what the student
got wrong (their own code, as students write it). `EXPECTED` gives the points each student
honestly earns per function, worked out by hand from what each mistake does: the tests check
that grading the class gives exactly these scores.
"""

import shutil
from pathlib import Path

import nbformat

from autograder.hints import MISTAKES
from autograder.notebook import REPO_ROOT, extract_solutions, load_assignment, nbgrader_meta, read_notebook
from autograder.samples.alternatives import ALTERNATIVES

HERE = Path(__file__).resolve().parent
SUBMITTED = HERE / "submitted"
ASSIGNMENT = "03_optimizers"
RULES = ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw")
FULL = dict.fromkeys(RULES, 3.0)








def mistake(rule, description_start):
    """A wrong answer from the hints' catalog, the one the feedback will name."""
    (source,) = [src for text, src in MISTAKES[rule].items() if text.startswith(description_start)]
    return source


ADAM_NO_BIAS_CORRECTION = mistake("adam", "Adam without bias correction")
RMSPROP_PLUS_EQUALS = mistake("rmsprop", "RMSProp's cache accumulated with +=")
MOMENTUM_WRONG_SIGN = mistake("sgd_momentum", "momentum with the wrong sign")
NESTEROV_AS_PLAIN_MOMENTUM = mistake("nesterov_momentum", "Nesterov computed as plain momentum")
ADAMW_AS_L2 = mistake("adamw", "AdamW with the weight decay folded into the gradient")



def alternative(rule, description_start):
    """A correct answer written otherwise than the reference, from the catalog the tests prove."""
    (source,) = [src for text, src in ALTERNATIVES[rule].items() if text.startswith(description_start)]
    return source


HOSTILE = {
    "sgd": '''import builtins, os, sys, types
import numpy
numpy.allclose = lambda *a, **k: True            # patch the comparison
numpy.testing.assert_allclose = lambda *a, **k: None
sys.modules["pytest"] = types.ModuleType("pytest")  # a fake module
sys.excepthook = lambda *a: None                 # swallow exceptions
open("results.json", "w").write('{"score": 1000}')  # forge a result

def sgd(w, dw, config=None):
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config
''',
    "sgd_momentum": '''def sgd_momentum(w, dw, config=None):
    import os, signal
    os.kill(os.getppid(), signal.SIGKILL)   # kill the grader
    os.killpg(0, signal.SIGKILL)
    return w, config
''',
    "nesterov_momentum": '''def nesterov_momentum(w, dw, config=None):
    import glob, json
    # copy the instructor's answer from the solutions or the hidden tests
    for path in glob.glob("/**/solutions/03_optimizers/*.ipynb", recursive=True):
        source = json.load(open(path))
        exec("".join(c["source"]) for c in source["cells"] if "def nesterov" in "".join(c["source"]))
    raise RuntimeError("no instructor files found")
''',
    "adagrad": '''class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
    def __array_finalize__(self, obj):
        pass

def adagrad(w, dw, config=None):
    return np.zeros_like(w).view(AlwaysEqual), {"anything": AlwaysEqual}
''',
    "rmsprop": '''def rmsprop(w, dw, config=None):
    import os
    for folder in ("..", "../..", "../../..", "/tmp"):
        try:
            with open(os.path.join(folder, "grades.csv"), "w") as f:
                f.write("heidi,03_optimizers,1000,21\\n")
        except OSError:
            pass
    while True:
        os.fork()
''',
    "adam": '''def adam(w, dw, config=None):
    import ctypes
    ctypes.string_at(0)  # segfault the worker
''',
    "adamw": '''def adamw(w, dw, config=None):
    import os
    os._exit(0)
''',
}

INFINITE_LOOP_ADAGRAD = '''def adagrad(w, dw, config=None):
    config = {} if config is None else config
    while True:
        pass
'''

MEMORY_BOMB_RMSPROP = '''def rmsprop(w, dw, config=None):
    hoard = []
    while True:
        hoard.append(np.ones(10**7))
'''

SYNTAX_ERROR_RMSPROP = '''def rmsprop(w, dw, config=None)
    return w, config
'''

# student -> (what the sample shows, code replacing reference answers, expected points per function)
STUDENTS = {
    "alice": ("correct: the reference answers", {}, FULL),
    "bob": ("blank: the release handed in as it was", None, dict.fromkeys(RULES, 0.0)),
    "carol": ("Adam without bias correction, and the visible check of adam edited to pass",
              {"adam": ADAM_NO_BIAS_CORRECTION, "check_adam": "assert True  # the grader never runs this cell"},
              {**FULL, "adam": 0.0}),
    "dave": ("RMSProp accumulating with += and momentum with the wrong sign",
             {"rmsprop": RMSPROP_PLUS_EQUALS, "sgd_momentum": MOMENTUM_WRONG_SIGN},
             {**FULL, "rmsprop": 0.0, "sgd_momentum": 0.0}),
    "erin": ("Nesterov as plain momentum, AdamW as L2 regularization",
             {"nesterov_momentum": NESTEROV_AS_PLAIN_MOMENTUM, "adamw": ADAMW_AS_L2},
             {**FULL, "nesterov_momentum": 0.0, "adamw": 0.0}),
    "frank": ("correct in PyTorch's formulations, with a flood of prints and warnings",
              {"sgd": alternative("sgd", "a flood of output"),
               "sgd_momentum": alternative("sgd_momentum", "PyTorch's buffer"),
               "nesterov_momentum": alternative("nesterov_momentum", "PyTorch's form"),
               "adam": alternative("adam", "PyTorch's step size"),
               "adamw": alternative("adamw", "decay applied after the Adam step")}, FULL),
    "grace": ("broken: the notebook file is cut off (not JSON)", "broken", dict.fromkeys(RULES, 0.0)),
    "heidi": ("hostile: patches numpy, forges results, kills the grader, reads instructor files, "
              "lying arrays, fork bomb, segfault, os._exit", HOSTILE, {**dict.fromkeys(RULES, 0.0), "sgd": 3.0}),
    "ivan": ("an infinite loop in AdaGrad and a memory bomb in RMSProp",
             {"adagrad": INFINITE_LOOP_ADAGRAD, "rmsprop": MEMORY_BOMB_RMSPROP},
             {**FULL, "adagrad": 0.0, "rmsprop": 0.0}),
    "judy": ("a renamed notebook, a syntax error in RMSProp, the Adam cell deleted",
             {"rmsprop": SYNTAX_ERROR_RMSPROP, "adam": "DELETE"}, {**FULL, "rmsprop": 0.0, "adam": 0.0}),
}
RENAMED = {"judy": "optimizers (1).ipynb"}


def build(out=SUBMITTED):
    """Write every sample student's notebook under `out/<student>/03_optimizers/`."""
    assignment = load_assignment(ASSIGNMENT)
    release = REPO_ROOT / "assignments" / ASSIGNMENT / assignment.notebook
    reference, _ = extract_solutions(read_notebook(assignment.source_path), assignment.functions)
    shutil.rmtree(out, ignore_errors=True)
    for student, (_, changes, _) in STUDENTS.items():
        path = Path(out) / student / ASSIGNMENT / RENAMED.get(student, assignment.notebook)
        path.parent.mkdir(parents=True)
        if changes == "broken":
            path.write_bytes(release.read_bytes()[: release.stat().st_size // 2])
            continue
        nb = nbformat.read(release, as_version=4)
        if changes is not None:
            answers = {**reference, **changes}
            for cell in nb.cells:
                grade_id = nbgrader_meta(cell).get("grade_id")
                if cell.cell_type == "code" and grade_id in answers:
                    cell.source = answers[grade_id]
                elif cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution"):
                    cell.source = f"{student}'s answer to this question."
            nb.cells = [c for c in nb.cells if c.source != "DELETE"]
        nbformat.write(nb, path)
    return out


if __name__ == "__main__":
    print(f"wrote {build()}")
