"""The bundled sample class for 03_optimizers: the release filled in as real students do, right and wrong.

`expected` gives the points each student honestly earns per rule, worked out by hand from what
each mistake breaks (a wrong formula keeps the 0.5 points of its state and gradient properties;
a crash or a missing function earns nothing). The tests check that grading gives exactly these.
"""

from functools import partial

from autograder.catalog import Sample, alternative_source, mistake_source

mistake = partial(mistake_source, "03_optimizers")
alternative = partial(alternative_source, "03_optimizers")
RULES = ("sgd", "sgd_momentum", "nesterov_momentum", "adagrad", "rmsprop", "adam", "adamw")
FULL = dict.fromkeys(RULES, 3.0)




ADAM_NO_BIAS_CORRECTION = mistake("adam", "Adam without bias correction")
RMSPROP_PLUS_EQUALS = mistake("rmsprop", "RMSProp's cache accumulated with +=")
MOMENTUM_WRONG_SIGN = mistake("sgd_momentum", "momentum with the wrong sign")
NESTEROV_AS_PLAIN_MOMENTUM = mistake("nesterov_momentum", "Nesterov computed as plain momentum")
ADAMW_AS_L2 = mistake("adamw", "AdamW with the weight decay folded into the gradient")






# A student who left the stub as it was and wrote the answer in a new cell below it: graded
# as running the notebook top to bottom defines adam (the later cell wins).
BELOW_THE_STUB = {"after": alternative("adam", "config.get(key, default)")}


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


SAMPLES = [
    Sample("alice", "correct: the reference answers", {}, FULL),
    Sample("bob", "blank: the release handed in as it was", None, dict.fromkeys(RULES, 0.0), answers=False),
    Sample("carol", "Adam without bias correction, and the visible check of adam edited to pass",
           {"adam": ADAM_NO_BIAS_CORRECTION, "check_adam": "assert True  # the grader never runs this cell"},
           {**FULL, "adam": 0.5}),
    Sample("dave", "RMSProp accumulating with += and momentum with the wrong sign",
           {"rmsprop": RMSPROP_PLUS_EQUALS, "sgd_momentum": MOMENTUM_WRONG_SIGN},
           {**FULL, "rmsprop": 0.5, "sgd_momentum": 0.5}),
    Sample("erin", "Nesterov as plain momentum, AdamW as L2 regularization, and the answer to adam "
                   "written in a new cell below its stub",
           {"nesterov_momentum": NESTEROV_AS_PLAIN_MOMENTUM, "adamw": ADAMW_AS_L2, "adam": BELOW_THE_STUB},
           {**FULL, "nesterov_momentum": 0.5, "adamw": 0.5}),
    Sample("frank", "correct in PyTorch's formulations, with a flood of prints and warnings",
           {"sgd": alternative("sgd", "a flood of output"),
            "sgd_momentum": alternative("sgd_momentum", "PyTorch's buffer"),
            "nesterov_momentum": alternative("nesterov_momentum", "PyTorch's form"),
            "adam": alternative("adam", "PyTorch's step size"),
            "adamw": alternative("adamw", "decay applied after the Adam step")}, FULL),
    Sample("grace", "broken: the notebook file is cut off (not JSON)", "broken", dict.fromkeys(RULES, 0.0)),
    Sample("heidi", "hostile: patches numpy, forges results, kills the grader, reads instructor files, "
                    "lying arrays, fork bomb, segfault, os._exit", HOSTILE, {**dict.fromkeys(RULES, 0.0), "sgd": 3.0}),
    Sample("ivan", "an infinite loop in AdaGrad and a memory bomb in RMSProp",
           {"adagrad": INFINITE_LOOP_ADAGRAD, "rmsprop": MEMORY_BOMB_RMSPROP},
           {**FULL, "adagrad": 0.0, "rmsprop": 0.0}),
    Sample("judy", "a renamed notebook, a syntax error in RMSProp, the Adam cell deleted",
           {"rmsprop": SYNTAX_ERROR_RMSPROP, "adam": "DELETE"}, {**FULL, "rmsprop": 0.0, "adam": 0.0},
           filename="optimizers (1).ipynb"),
]
