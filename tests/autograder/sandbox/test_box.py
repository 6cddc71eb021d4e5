"""The sandbox: student code runs in a confined worker and is called through a proxy.

Most tests share one worker per isolation mode; tests that kill it rely on the restart.
"""

import os
import socket
import subprocess
import sys
import time

import numpy as np
import psutil
import pytest
import torch

from autograder.sandbox import policy, process, wire
from autograder.sandbox.box import Proxy, Sandbox
from autograder.sandbox.messages import MissingFunction, ReloadFailed, SandboxError, StudentError, Unavailable
from autograder.sandbox.policy import Limits

STUDENT = r'''
import ctypes, os, socket, sys, time, warnings
import numpy as np

def affine(x, w, b):
    return x @ w + b

def echo(*args, **kwargs):
    return args, kwargs

def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config

def scale_(x, a):
    x *= a

def sgd_inplace(w, dw, config):
    w -= config["learning_rate"] * dw
    config["steps"] = config.get("steps", 0) + 1
    return w, config

def flatten_(x):
    x.shape = (x.size,)
    x += 1
    return x

def tanh_forward(x):
    out = np.tanh(x)
    return out, (out, lambda d: d * (1 - out ** 2))

def tanh_backward(dout, cache):
    out, local_grad = cache
    return local_grad(dout)

class Cache:
    pass

def double_forward(x):
    cache = Cache()
    cache.x = x
    return 2 * x, cache

def double_backward(dout, cache):
    return 2 * dout + 0 * cache.x

def fails(n):
    return helper(n)

def helper(n):
    raise ValueError(f"bad value {n}")

class AlwaysEqual:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__

class Sneaky(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)

class LyingDict(dict):
    def __getitem__(self, key):
        return 42
    def items(self):
        return [(k, 42) for k in dict.keys(self)]

def hostile():
    fake_float = type("FakeFloat", (float,), {"__eq__": lambda self, other: True})
    return AlwaysEqual(), np.arange(3.0).view(Sneaky), LyingDict(a=1.0, b=[2]), fake_float(1.0)

def huge_result():
    return np.broadcast_to(np.zeros(1), (40_000_000,))  # 320 MB once made contiguous

def loop():
    while True:
        pass

def segfault():
    ctypes.string_at(0)

def exit3():
    os._exit(3)

def memory_bomb():
    return np.ones(1 << 34).sum()

def memory_creep():
    hoard = []
    while True:
        hoard.append(np.ones(1 << 21))

def flood():
    for i in range(10 ** 6):
        print(i)
    for fd in (1, 2):
        os.write(fd, b"x" * 10 ** 6)
    sys.stderr.write("y" * 10 ** 6)
    warnings.warn("a warning nobody should see")
    return "done"

def to_other_fds(data):
    for fd in range(3, 64):
        try:
            os.write(fd, data)
        except OSError:
            pass
    return "written"

def forge_reply():
    from autograder.sandbox import wire
    return to_other_fds(wire.frame(wire.encode({"seq": 10 ** 6, "ok": True, "states": [], "result": wire.encode(1)})))

def close_other_fds():
    for fd in range(3, 64):
        try:
            os.close(fd)
        except OSError:
            pass
    return "closed"

def read_file(path):
    with open(path) as f:
        return f.read()

def write_file(path):
    with open(path, "w") as f:
        f.write("written by the student")
    return os.path.abspath(path)

def listdir(path):
    return sorted(os.listdir(path))

def exists(path):
    return os.path.exists(path)

def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"hello")
    return "connected"

def kill_parent():
    os.kill(os.getppid(), 9)
    return os.getppid()

def signal_parent():
    os.kill(os.getppid(), 0)
    return os.getppid()

def kill_group():
    os.killpg(os.getpgid(0), 9)

def kill_everything():
    os.kill(-1, 9)

def visible_pids():
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())

def whoami():
    return os.getuid(), os.getcwd(), dict(os.environ)

def big_file(nbytes):
    with open("big.bin", "wb") as f:
        f.write(b"\0" * nbytes)

def spawn_sleeper(detach):
    pid = os.fork()
    if pid == 0:
        if detach:
            os.setsid()
        time.sleep(60)
        os._exit(0)
    return pid

def burn():
    while True:
        pass

def course_tools():
    import cs231n_utils
    return os.path.dirname(cs231n_utils.__file__)

def grader_code():
    import autograder.runner

def fork_bomb(seconds):
    me = os.getpid()
    end = time.monotonic() + seconds
    refused = 0
    try:
        while time.monotonic() < end:
            try:
                os.fork()
            except OSError:
                refused += 1
                time.sleep(0.01)
    finally:
        if os.getpid() != me:
            time.sleep(30)
            os._exit(0)
    time.sleep(0.2)
    return len([p for p in os.listdir("/proc") if p.isdigit()]), refused
'''

ISOLATIONS = ["bwrap", "none"]
FAST = Limits(wall_seconds=1.0)


@pytest.fixture(scope="module")
def boxes():
    made = {iso: Sandbox([("student", STUDENT)], isolation=iso, max_restarts=1000,
                         limits=Limits(wall_seconds=10.0, memory_bytes=256 << 20))
            for iso in ISOLATIONS}
    yield made
    for box in made.values():
        box.close()


@pytest.fixture(params=ISOLATIONS)
def any_box(request, boxes):
    return boxes[request.param]


@pytest.fixture
def box(boxes):
    return boxes["bwrap"]


@pytest.fixture
def plain(boxes):
    return boxes["none"]


def descendants(besides=None):
    """pid -> start time of every process below this one (psutil, independent of the sandbox),
    leaving out those already in `besides` (the shared workers of other tests)."""
    now = {p.pid: p.create_time() for p in psutil.Process().children(recursive=True)}
    return {pid: t for pid, t in now.items() if (besides or {}).get(pid) != t}


def still_running(snapshot):
    alive = []
    for pid, started in snapshot.items():
        try:
            p = psutil.Process(pid)
            if p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


# --- calling ----------------------------------------------------------------------------

def test_arrays_go_in_and_results_come_back(any_box):
    """Does a call with arrays return what PyTorch computes for the same affine map?"""
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(300, 200)), rng.normal(size=(200, 100)), rng.normal(size=100)
    out = any_box.namespace.affine(x, w, b)
    expected = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(w).T, torch.from_numpy(b))
    assert type(out) is np.ndarray and out.dtype == np.float64
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-12, atol=1e-12)


def test_nested_data_round_trips(box):
    """Do nested lists, tuples, dicts, NumPy scalars and keyword arguments arrive and return intact?"""
    args = (np.arange(6.0).reshape(2, 3), [1, (2.5, None, "s")], {"a": {"b": [np.int64(3), 1j]}})
    got_args, got_kwargs = box.namespace.echo(*args, flag=True, data=b"\x00\x01")
    assert type(got_args) is tuple and len(got_args) == 3
    np.testing.assert_array_equal(got_args[0], args[0])
    assert got_args[1] == [1, (2.5, None, "s")]
    assert got_args[2] is args[2]  # the caller's own dict, refilled in place
    assert type(got_args[2]["a"]["b"][0]) is np.int64 and got_args[2]["a"]["b"][1] == 1j
    assert got_kwargs == {"flag": True, "data": b"\x00\x01"}


def test_config_dicts_are_updated_in_place_like_a_local_call(box):
    """Threading `config` through sgd_momentum, is the grader's dict updated in place each step,
    and do the weights follow torch.optim.SGD with momentum?"""
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) for _ in range(4)]
    w_torch = torch.tensor(w, requires_grad=True)
    opt = torch.optim.SGD([w_torch], lr=1e-2, momentum=0.9)
    config = None
    for dw in grads:
        sent = config
        w, config = box.namespace.sgd_momentum(w, dw, config)
        if sent is not None:
            assert config is sent  # the same dict, now holding the new velocity
        w_torch.grad = torch.from_numpy(dw)
        opt.step()
        np.testing.assert_allclose(w, w_torch.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert set(config) == {"learning_rate", "momentum", "velocity"}


def test_arrays_changed_in_place_are_copied_back(box):
    """After `x *= a` in the worker, does the grader's x hold what torch's mul_ gives?"""
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    expected = torch.from_numpy(x.copy()).mul_(3.0).numpy()
    assert box.namespace.scale_(x, 3.0) is None
    np.testing.assert_array_equal(x, expected)
    frozen = np.ones(3)
    frozen.flags.writeable = False
    box.namespace.scale_(frozen, 3.0)
    np.testing.assert_array_equal(frozen, np.ones(3))  # read-only: left alone, no error


def test_in_place_updates_keep_identity_of_returned_arguments(box):
    """When the student updates w in place and returns it, is the result the grader's own w?"""
    w, dw, config = np.ones(4), np.full(4, 2.0), {"learning_rate": 0.5}
    next_w, next_config = box.namespace.sgd_inplace(w, dw, config)
    assert next_w is w and next_config is config
    np.testing.assert_array_equal(w, np.zeros(4))
    assert config == {"learning_rate": 0.5, "steps": 1}


def test_an_array_whose_shape_changed_comes_back_as_a_new_array(box):
    """If the student reshapes an argument in place, is the result a fresh array of the new shape?"""
    x = np.arange(6.0).reshape(2, 3)
    out = box.namespace.flatten_(x)
    assert out is not x and out.shape == (6,)
    np.testing.assert_array_equal(out, np.arange(6.0) + 1)
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(2, 3))


def test_caches_that_are_not_plain_data_round_trip_as_handles(box):
    """Does tanh_backward(dout, cache) work with a cache holding a lambda, and match autograd?"""
    rng = np.random.default_rng(2)
    x, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    out, cache = box.namespace.tanh_forward(x)
    assert type(cache) is tuple and type(cache[1]) is wire.Handle
    dx = box.namespace.tanh_backward(dout, cache)
    xt = torch.tensor(x, requires_grad=True)
    torch.tanh(xt).backward(torch.from_numpy(dout))
    np.testing.assert_allclose(out, np.tanh(x), rtol=1e-14)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-14)
    y, whole = box.namespace.double_forward(x)
    assert type(whole) is wire.Handle and "Cache" in repr(whole)
    np.testing.assert_array_equal(box.namespace.double_backward(dout, whole), 2 * dout)


def test_a_handle_from_before_a_restart_is_refused(box):
    """After the worker is replaced, does an old cache give a clear SandboxError, not a wrong object?"""
    _, cache = box.namespace.tanh_forward(np.ones(2))
    with pytest.raises(SandboxError):
        box.namespace.exit3()
    with pytest.raises(SandboxError, match="restarted"):
        box.namespace.tanh_backward(np.ones(2), cache)


def test_hostile_results_come_back_as_plain_data_or_handles(box):
    """An always-equal object, an ndarray subclass, a lying dict, a float subclass: nothing live."""
    always_equal, sneaky, lying, fake_float = box.namespace.hostile()
    assert type(always_equal) is wire.Handle and always_equal != 1
    assert type(sneaky) is wire.Handle
    assert type(lying) is dict and lying == {"a": 1.0, "b": [2]}  # dict's own storage, not __getitem__
    assert type(fake_float) is wire.Handle and fake_float != 1.0


def test_student_exceptions_carry_the_message_and_only_student_frames(any_box):
    """Does a ValueError raised two calls deep come back with its text and the cell's frames only?"""
    with pytest.raises(StudentError) as info:
        any_box.namespace.fails(7)
    err = info.value
    assert (err.exc_type, err.message) == ("ValueError", "bad value 7")
    assert "<cell student>" in err.traceback and "in fails" in err.traceback and "in helper" in err.traceback
    assert "worker.py" not in err.traceback and "box.py" not in err.traceback
    assert any_box.namespace.affine(np.ones((1, 1)), np.ones((1, 1)), np.ones(1)) == 2.0


def test_missing_functions_are_named(box):
    """Is an undefined (or non-callable) name a MissingFunction that is also an AttributeError?"""
    assert not hasattr(box.namespace, "adam")
    with pytest.raises(MissingFunction, match="'adam'") as info:
        box.namespace.adam(np.ones(1), np.ones(1))
    assert isinstance(info.value, AttributeError)
    with pytest.raises(MissingFunction, match="'np'"):
        box.call("np")
    assert {"affine", "sgd_momentum", "tanh_backward"} <= box.defined()


def test_oversize_results_are_refused_not_sent(box):
    """Is a 320 MB result refused with a reason, and the worker still usable after?"""
    with pytest.raises(SandboxError, match="too large"):
        box.namespace.huge_result()
    assert box.namespace.echo(1) == ((1,), {})


# --- loading ----------------------------------------------------------------------------

def test_the_proxy_stops_calling_a_function_that_crashed():
    """After a crash, does the proxy refuse further calls of that function (and only that one) at once?"""
    with Sandbox([("student", STUDENT)], limits=FAST) as box:
        with pytest.raises(SandboxError, match=r"os\._exit\(3\)"):
            box.namespace.exit3()
        with pytest.raises(Unavailable, match="not called again"):
            box.namespace.exit3()
        assert box.namespace.echo(0) == ((0,), {})


def test_reset_forgets_globals_but_keeps_functions():
    """Does reset() run the cells again in a fresh module, so a global changed by a call is back to its start?"""
    cells = [("counter", "count = 0\ndef bump():\n    global count\n    count += 1\n    return count")]
    with Sandbox(cells, limits=FAST) as box:
        assert [box.call("bump") for _ in range(3)] == [1, 2, 3]
        box.reset()
        assert box.call("bump") == 1


COUNT_LOADS = ("import builtins\nbuiltins.__dict__.setdefault('loads', []).append(1)\n"
               "def loads():\n    return len(builtins.loads)\n")  # builtins outlive a reload; globals do not


def test_a_reset_reloads_once_with_the_next_call():
    """Are the cells run again only when a call follows, and once however many resets came before?"""
    with Sandbox([("count", COUNT_LOADS)], limits=FAST) as box:
        assert box.call("loads") == 1
        box.reset()
        box.reset()
        box.reset()
        assert box.call("loads") == 2
        assert box.call("loads") == 2


def test_a_reload_that_fails_fails_the_next_call_only():
    """When loading the cells afresh hits the memory limit, is the next call a ReloadFailed with that
    reason, without the proxy taking the function for a crashing one, and does the call after work?"""
    grows = COUNT_LOADS + "if loads() == 2:\n    hoard = bytearray(1 << 40)\n"
    with Sandbox([("grows", grows)], limits=Limits(wall_seconds=5.0, memory_bytes=256 << 20)) as box:
        student = Proxy(box)
        assert student.loads() == 1
        student._reload()
        with pytest.raises(ReloadFailed, match="more than 256 MiB of memory"):
            student.loads()
        student._reload()
        assert student.loads() == 1  # a fresh worker, not a function refused for an earlier failure


def test_draws_without_a_seed_repeat_after_each_reset():
    """Code that draws from NumPy's or Python's global generator draws the same numbers after every reset,
    so a regrade of a submission that never seeds gives the same feedback."""
    cells = [("draw", "import random\nimport numpy as np\n"
                      "def draw():\n    return float(np.random.rand()), random.random()")]
    with Sandbox(cells, limits=FAST) as box:
        first, second = box.call("draw"), box.call("draw")
        assert first != second
        box.reset()
        assert box.call("draw") == first


def test_failing_cells_are_recorded_and_the_others_still_run():
    """Syntax error, exception at import, NameError: each recorded in one line; later cells load."""
    cells = [("setup", "import numpy as np"),
             ("syntax", "def broken(:\n    pass"),
             ("raises", "def partial():\n    return 1\nraise RuntimeError('oops')"),
             ("magics", "%matplotlib inline\n  !pip install nothing\ndef total(x):\n    return np.sum(x)"),
             ("undefined", "y = 1\nz = undefined_name + 1"),
             ("exits", "import os\nos._exit(5)"),
             ("last", "def last():\n    return partial() + total([1, 2])")]
    with Sandbox(cells, limits=FAST) as box:
        assert box.load_errors == {
            "syntax": "SyntaxError: invalid syntax (line 1 of the cell)",
            "raises": "RuntimeError: oops (line 3 of the cell raises)",
            "undefined": "NameError: name 'undefined_name' is not defined (line 2 of the cell undefined)",
            "exits": "the worker exited (os._exit(5))",
        }
        assert {"partial", "total", "last"} <= box.defined() and "broken" not in box.defined()
        assert box.namespace.last() == 4


def test_infinite_loops_at_load_and_in_a_call_cost_only_themselves():
    """A cell that never ends is stopped and skipped; a call that never ends is stopped and the
    next call runs in a fresh worker that re-ran the cells."""
    cells = [("a", "def a():\n    return 1"), ("spin", "while True:\n    pass"),
             ("b", "def b():\n    return a() + 1\ndef loop():\n    while True:\n        pass")]
    with Sandbox(cells, limits=FAST) as box:
        assert box.load_errors == {"spin": "timed out after 1 s"}
        assert box.namespace.b() == 2
        start = time.monotonic()
        with pytest.raises(SandboxError) as info:
            box.namespace.loop()
        assert info.value.reason == "the code was stopped after 1 s (infinite loop?)"
        assert time.monotonic() - start < 3
        assert box.namespace.b() == 2


def test_after_max_restarts_every_call_fails_at_once():
    """With max_restarts=2, does the third crash leave every later call failing immediately?"""
    with Sandbox([("student", STUDENT)], limits=FAST, max_restarts=2) as box:
        for _ in range(2):
            with pytest.raises(SandboxError):
                box.call("exit3")
            assert box.call("echo", 0) == ((0,), {})
        with pytest.raises(SandboxError):
            box.call("exit3")
        start = time.monotonic()
        with pytest.raises(SandboxError, match=r"os\._exit\(3\)"):
            box.call("echo", 0)
        assert time.monotonic() - start < 0.05


# --- crashes and limits -------------------------------------------------------------------

@pytest.mark.parametrize("function,reason", [
    ("segfault", "the worker crashed: segmentation fault (signal 11) while running segfault"),
    ("exit3", "the worker exited (os._exit(3)) while running exit3"),
    ("memory_bomb", "the code used more than 256 MiB of memory"),
    ("memory_creep", "the code used more than 256 MiB of memory"),
])
def test_crashes_and_limits_give_a_reason_and_the_next_call_works(any_box, function, reason):
    """Segfault, os._exit, memory bombs: one-line reason, then a fresh worker answers."""
    with pytest.raises(SandboxError) as info:
        any_box.call(function)
    assert info.value.reason == reason
    assert any_box.namespace.echo("again") == (("again",), {})


def test_cpu_time_limit_stops_a_busy_worker():
    """Does RLIMIT_CPU end a spinning call with a CPU-time reason before the wall clock does?"""
    with Sandbox([("student", STUDENT)], limits=Limits(cpu_seconds=1, wall_seconds=20)) as box:
        with pytest.raises(SandboxError, match="more than 1 s of CPU time"):
            box.namespace.burn()


def test_file_size_limit(box):
    """Is writing a 2 MiB file with a 1 MiB RLIMIT_FSIZE an error for the student, not a crash?"""
    with pytest.raises(StudentError, match="File too large"):
        box.namespace.big_file(2 << 20)
    assert box.namespace.big_file(1000) is None


def test_an_output_flood_is_discarded_quickly(any_box):
    """10^6 prints, raw writes to fds 1 and 2 and a warning: no effect on the answer, fast."""
    start = time.monotonic()
    assert any_box.namespace.flood() == "done"
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("function,args,match", [
    ("to_other_fds", (b"garbage" * 100,), "bad magic"),
    ("to_other_fds", (wire.HEADER.pack(wire.MAGIC, 1 << 60),), "refused a frame"),
    ("forge_reply", (), "out of turn"),
    ("close_other_fds", (), r"os\._exit\(1\)|closed the channel"),
])
def test_tampering_with_the_channel_is_a_sandbox_error(any_box, function, args, match):
    """Writing garbage, a huge header or a forged reply to the protocol fds, or closing them."""
    with pytest.raises(SandboxError, match=match):
        any_box.call(function, *args)
    assert any_box.namespace.echo(1) == ((1,), {})


def test_a_fork_bomb_is_contained_and_cleaned_up():
    """With processes=32, does a real fork bomb stop at the limit, and leave nothing behind?"""
    limits = Limits(processes=32, wall_seconds=10)
    before = descendants()
    with Sandbox([("student", STUDENT)], limits=limits, isolation="bwrap") as box:
        count, refused = box.namespace.fork_bomb(1.0)
        tree = descendants(before)
        assert refused > 0  # forks were refused: the limit held
        assert 10 <= count <= 32 + 1  # the worker's processes plus bubblewrap's init
        assert len(tree) >= 10
    assert still_running(tree) == []


@pytest.mark.parametrize("isolation", ISOLATIONS)
@pytest.mark.parametrize("detach", [False, True])
def test_no_process_survives_close(isolation, detach):
    """A child the student forked (even in its own session) is killed with the sandbox."""
    before = descendants()
    with Sandbox([("student", STUDENT)], limits=FAST, isolation=isolation) as box:
        box.namespace.spawn_sleeper(detach)
        time.sleep(0.1)
        tree = descendants(before)
        folder = box._folder
        assert len(tree) >= 2
    assert still_running(tree) == []
    assert not os.path.exists(folder)


GRADER = """
import sys
from autograder.sandbox.box import Sandbox
box = Sandbox([("student", sys.argv[2])], isolation=sys.argv[1])
print(box._folder, flush=True)
box.namespace.loop()
"""


@pytest.mark.parametrize("isolation", ISOLATIONS)
def test_a_killed_grader_leaves_no_worker_and_its_folder_is_swept(isolation):
    """If the grader is SIGKILLed mid-call, does its worker die too, and does the next grader
    remove the folder the dead one could not?"""
    grader = subprocess.Popen([sys.executable, "-c", GRADER, isolation, STUDENT],
                              stdout=subprocess.PIPE, text=True, cwd=policy.REPO,
                              env={**os.environ, "PYTHONPATH": str(policy.REPO)})
    folder = grader.stdout.readline().strip()
    time.sleep(0.2)  # the call is running
    tree = {p.pid: p.create_time() for p in psutil.Process(grader.pid).children(recursive=True)}
    assert len(tree) >= 1 and os.path.isdir(folder)
    grader.kill()
    grader.wait()
    grader.stdout.close()
    deadline = time.monotonic() + 5
    while still_running(tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert still_running(tree) == []
    process.sweep_stale_folders.__wrapped__()
    assert not os.path.exists(folder)


def test_start_up_is_fast():
    """Does a sandbox with a worker that imported NumPy start in well under a second?"""
    start = time.monotonic()
    with Sandbox([], isolation="bwrap") as box:
        elapsed = time.monotonic() - start
        assert box.defined() == set()
    assert elapsed < 1.0


# --- isolation: what bubblewrap protects, and what isolation="none" does not -----------------

def test_the_worker_sees_only_its_own_environment(box, monkeypatch):
    """Under bubblewrap: uid nobody, an empty /sandbox as cwd and HOME, no inherited variables."""
    uid, cwd, env = box.namespace.whoami()
    assert (uid, cwd, env["HOME"]) == (65534, "/sandbox", "/sandbox")
    assert set(env) <= {"PATH", "HOME", "LANG", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                        "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE",
                        "PYTHONPATH", "PWD"}
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["PYTHONHASHSEED"] == "0"
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    with Sandbox([("student", STUDENT)], isolation="none") as plain:
        assert "GRADER_SECRET_TOKEN" not in plain.namespace.whoami()[2]


def test_course_tools_are_importable_but_not_the_grader(any_box):
    """Can students import cs231n_utils in the worker, but not the autograder's other modules?"""
    assert any_box.namespace.course_tools().endswith("cs231n_utils")
    with pytest.raises(StudentError, match="ModuleNotFoundError|No module"):
        any_box.namespace.grader_code()


def test_files_outside_the_sandbox(box, plain, tmp_path):
    """bwrap: a secret file, the repository and its solutions are invisible, nothing outside the
    work dir is writable. none: the same secret is readable and the file is written."""
    secret = tmp_path / "private" / "answers.txt"
    secret.parent.mkdir()
    secret.write_text("the answers")
    with pytest.raises(StudentError, match="FileNotFoundError"):
        box.namespace.read_file(str(secret))
    assert box.namespace.listdir(str(policy.REPO)) == [".venv"]
    assert box.namespace.exists(str(policy.REPO / "solutions")) is False
    for target in (tmp_path / "pwned.txt", policy.REPO / "pwned.txt"):
        with pytest.raises(StudentError):
            box.namespace.write_file(str(target))
        assert not target.exists()
    assert box.namespace.write_file("notes.txt") == "/sandbox/notes.txt"

    as_root = not policy.drops_privileges("none")
    if as_root:  # what isolation="none" does NOT protect, stated so it is never assumed
        assert plain.namespace.read_file(str(secret)) == "the answers"
        assert plain.namespace.exists(str(policy.REPO / "solutions")) is True
        plain.namespace.write_file(str(tmp_path / "pwned.txt"))
        assert (tmp_path / "pwned.txt").read_text() == "written by the student"
    else:
        with pytest.raises(StudentError, match="PermissionError"):
            plain.namespace.read_file(str(secret))


def test_network(box, plain):
    """bwrap: a server on 127.0.0.1 cannot be reached. none: it can (not protected)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        port = server.getsockname()[1]
        with pytest.raises(StudentError, match="unreachable|refused|Errno"):
            box.namespace.connect(port)
        with pytest.raises(TimeoutError):
            server.accept()
        assert plain.namespace.connect(port) == "connected"
        connection, _ = server.accept()
        connection.close()


def test_signals_cannot_reach_the_grader(box, plain):
    """bwrap: the grader's pid is not even visible; the parent is bubblewrap's init, and killing
    the group or everything finds nobody to kill. none: the grader is visible and signalable
    (not protected); killpg ends only the worker, which has a session of its own."""
    assert box.namespace.visible_pids() == [1, 2]
    with pytest.raises(StudentError, match="PermissionError"):
        box.namespace.kill_parent()
    for function in ("kill_group", "kill_everything"):  # the group is 1, so both are kill(-1, 9)
        with pytest.raises(StudentError, match="ProcessLookupError"):
            box.call(function)
    assert box.namespace.echo(1) == ((1,), {})

    assert os.getpid() in plain.namespace.visible_pids()
    assert plain.namespace.signal_parent() == os.getpid()  # signal 0: reachable, not protected
    with pytest.raises(SandboxError, match="signal 9"):
        plain.namespace.kill_group()  # the worker's own session: the grader is not in it
    assert plain.namespace.echo(1) == ((1,), {})


def test_isolation_status_says_what_is_and_is_not_protected(monkeypatch):
    """Is bubblewrap reported when it works, and a loud warning given when auto falls back?"""
    assert policy.isolation_status().startswith("bubblewrap:")
    assert policy.isolation_status("none").startswith("NOT ISOLATED")
    assert "hidden tests" in policy.isolation_status("none")
    monkeypatch.setattr(policy, "bwrap_problem", lambda: "bubblewrap is not installed")
    assert "bubblewrap is not installed" in policy.isolation_status()
    with pytest.warns(RuntimeWarning, match="NOT ISOLATED"):
        Sandbox([], isolation="auto").close()
    with pytest.raises(SandboxError, match="not installed"):
        Sandbox([], isolation="bwrap")


def test_a_closed_sandbox_refuses_calls():
    """After close(), is a call a SandboxError rather than a hang or a new worker?"""
    box = Sandbox([("student", STUDENT)], limits=FAST)
    box.close()
    with pytest.raises(SandboxError, match="closed"):
        box.namespace.echo(1)


def test_the_work_dir_cannot_fill_the_disk():
    """bwrap: many files of the largest allowed size stop at the work dir's tmpfs cap (64 MiB)."""
    fill = '''def fill(count):
    for i in range(count):
        with open(f"f{i}", "wb") as f:
            f.write(b"x" * (1 << 20))
    return count
'''
    with Sandbox([("student", fill)], isolation="bwrap") as box:
        with pytest.raises(StudentError, match="No space left"):
            box.namespace.fill(200)
        assert box.namespace.fill(1) == 1  # the worker goes on; only the disk hog failed
