"""Run a student's code in an isolated worker process and call it through a proxy.

nbgrader's autograde runs hidden tests in the kernel that ran the student's code, so that
code can change the outcome. Here a fresh worker process (`autograder.worker`) runs the
student's cells under resource limits, inside a bubblewrap sandbox when one is available,
and the grader calls the student's functions through `Sandbox.namespace`: arguments go in,
results come back as plain data (`autograder.wire`), and in-place changes to dict and array
arguments are copied back into the grader's own objects. A worker that crashes, hits a
limit or runs out of time costs that one call; the next call starts a fresh worker.
"""

from __future__ import annotations

import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder import wire

REPO = Path(__file__).resolve().parent.parent
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"  # bubblewrap, from the distribution
NOBODY = 65534  # uid and gid of the worker when the grader runs as root
SANDBOX_HOME = "/sandbox"  # the work dir, as the worker sees it under bubblewrap
SANDBOX_LIB = "/opt/course"  # where the worker and cs231n_utils are visible under bubblewrap
TMPFS_BYTES = 64 << 20  # the sandbox's private /tmp and its work dir, each
FOLDER_PREFIX = "cs231n-sandbox-"  # + the grader's pid: folders of a killed grader get swept


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker process."""

    cpu_seconds: int = 60  # RLIMIT_CPU, over the worker's whole life
    wall_seconds: float = 30.0  # per call, and per cell while loading
    memory_bytes: int = 2 << 30  # RLIMIT_AS
    processes: int = 64  # RLIMIT_NPROC (the worker runs unprivileged so that it applies)
    open_files: int = 64  # RLIMIT_NOFILE
    file_size_bytes: int = 1 << 20  # RLIMIT_FSIZE

    def rlimits(self) -> dict[str, int]:
        return {
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_AS": self.memory_bytes,
            "RLIMIT_NPROC": self.processes,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_FSIZE": self.file_size_bytes,
            "RLIMIT_CORE": 0,
        }


class SandboxError(Exception):
    """The worker could not answer: crash, limit, timeout, protocol.

    reason: one line a student understands ("the code was stopped after 30 s (infinite loop?)").
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MissingFunction(SandboxError, AttributeError):
    """The submission does not define the function the grader asked for."""


class StudentError(Exception):
    """The student's code raised.

    exc_type: the exception's class name; message: its text; traceback: the student's own
    frames only (cell name, line, code), at most a few, so feedback never shows grader code.
    """

    def __init__(self, exc_type: str, message: str, traceback: str = ""):
        super().__init__(f"{exc_type}: {message}" if message else exc_type)
        self.exc_type = exc_type
        self.message = message
        self.traceback = traceback


# --- isolation -----------------------------------------------------------------------------

def _is_root() -> bool:
    return os.geteuid() == 0


def _python_roots() -> list[str]:
    """Folders the worker's Python needs: the interpreter's installation and the venv."""
    roots = [sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent.parent)]
    out: list[str] = []
    for root in sorted({os.path.realpath(r) for r in roots} | set(roots), key=len):
        if not any(root == o or root.startswith(o.rstrip("/") + "/") for o in out + ["/usr"]):
            out.append(root)
    return out


def _site_packages() -> list[str]:
    """The venv's package folders: added to the worker's sys.path without running site hooks
    (.pth files such as an editable install's finder, which would reach into the repository)."""
    paths = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    return list(dict.fromkeys(p for p in paths if p))


def _bwrap_argv(drop_privileges: bool) -> list[str]:
    """The bubblewrap command line that confines the worker (without the command)."""
    argv = [BWRAP, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if drop_privileges:
        # Running bwrap as root: no user namespace, so that the worker's setuid to nobody is
        # a real uid and RLIMIT_NPROC applies; keep only what that setuid needs.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--disable-userns"]
    binds = [(r, r) for r in _python_roots()]
    binds += [
        (str(REPO / "cs231n_utils"), f"{SANDBOX_LIB}/cs231n_utils"),
        (str(REPO / "autograder" / "worker.py"), f"{SANDBOX_LIB}/autograder/worker.py"),
        (str(REPO / "autograder" / "wire.py"), f"{SANDBOX_LIB}/autograder/wire.py"),
    ]
    # The private /tmp first, so that binds below it (a venv or a clone under /tmp) stay visible.
    argv += ["--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
    parents = sorted({str(p) for _, dest in binds for p in Path(dest).parents if str(p) != "/"},
                     key=lambda p: p.count("/"))
    for parent in parents:  # bwrap would make these 0700, unreadable once the worker is nobody
        if parent not in ("/usr", "/tmp"):
            argv += ["--perms", "0755", "--dir", parent]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
             "--ro-bind-try", "/etc/localtime", "/etc/localtime"]
    for source, dest in binds:
        argv += ["--ro-bind", source, dest]
    argv += ["--proc", "/proc", "--dev", "/dev",
             # the work dir is a size-capped tmpfs too: a loop of small files cannot fill the disk
             "--perms", "1777", "--size", str(TMPFS_BYTES), "--tmpfs", SANDBOX_HOME,
             "--remount-ro", "/", "--chdir", SANDBOX_HOME]
    return argv


def _reachable_by_nobody(path: str) -> bool:
    """Whether an unprivileged user can walk down to `path` (every folder above is o+x)."""
    p = Path(path).resolve()
    return all(os.stat(d).st_mode & 0o001 for d in [*reversed(p.parents), p] if d.is_dir())


@functools.cache
def _bwrap_problem() -> str | None:
    """Why bubblewrap cannot confine the worker here, or None when it works (probed once)."""
    if not os.access(BWRAP, os.X_OK):
        return f"{BWRAP} is not installed (Debian/Ubuntu package: bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="cs231n-probe-") as work:
        probe = f"import sys; sys.path.extend({_site_packages()!r}); import numpy"
        argv = _bwrap_argv(_is_root()) + [sys.executable, "-S", "-P", "-B", "-c", probe]
        try:
            run = subprocess.run(argv, capture_output=True, timeout=30, env=_environment(work),
                                 stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap failed to start: {exc}"
    if run.returncode != 0:
        tail = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"bubblewrap does not work here ({tail[0]}); unprivileged user namespaces may be off"
    return None


def _resolve_isolation(isolation: str) -> str:
    if isolation not in ("auto", "bwrap", "none"):
        raise ValueError(f"isolation must be 'auto', 'bwrap' or 'none', not {isolation!r}")
    if isolation == "auto":
        return "bwrap" if _bwrap_problem() is None else "none"
    if isolation == "bwrap" and _bwrap_problem() is not None:
        raise SandboxError(f"isolation='bwrap' was asked for but {_bwrap_problem()}")
    return isolation


def _drops_privileges(mode: str) -> bool:
    """Whether the worker switches to uid nobody (only root can, and only root needs to)."""
    if not _is_root():
        return False
    if mode == "bwrap":
        return True
    needed = [sys.executable, *_python_roots(), str(REPO)]
    return all(_reachable_by_nobody(p) for p in needed)


def isolation_status(isolation: str = "auto") -> str:
    """One line: what isolation a Sandbox made now gets on this machine, or loudly what not."""
    problem = None if isolation == "none" else _bwrap_problem()
    if isolation == "bwrap" and problem:
        return f"NOT AVAILABLE: isolation='bwrap' was asked for but {problem}"
    mode = "none" if isolation == "none" or problem else "bwrap"
    drop = _drops_privileges(mode)
    who = "uid 65534 (nobody)" if drop else f"uid {os.geteuid()}" + (" (root)" if _is_root() else "")
    if mode == "bwrap":
        return (f"bubblewrap: the worker runs as {who} in its own pid, network, ipc and mount "
                "namespaces, sees only Python, the venv and cs231n_utils (read-only) and an "
                "empty work dir, under limits on CPU, memory, processes, open files, file size")
    why = f"bubblewrap unavailable: {problem}" if problem else "isolation='none' was asked for"
    risks = [f"read every file {who} can (solutions, hidden tests, other submissions)",
             f"write wherever {who} can", "use the network"]
    if _is_root() and not drop:
        risks += ["signal or kill any process, the grader included",
                  "fork without limit (RLIMIT_NPROC does not bind root, and the interpreter is "
                  "not readable by nobody, so the worker cannot drop to it)"]
    else:
        risks += [f"signal any process of {who}" + ("" if drop else ", the grader included")]
    return (f"NOT ISOLATED ({why}): student code runs as {who} in a plain process and can "
            + ", ".join(risks) + "; only the resource limits and the separate process protect grading")


def _environment(home: str) -> dict[str, str]:
    """The worker's whole environment: nothing is inherited from the grader."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


# --- one worker process --------------------------------------------------------------------

class _Failure(Exception):
    """The worker did not answer: kind is "timeout", "exit" or "protocol"."""

    def __init__(self, kind: str, detail: str = "", returncode: int | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail, self.returncode = kind, detail, returncode


def _descendants(root: int) -> list[tuple[int, int]]:
    """(pid, start time) of every process below `root`, from /proc."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            ppid, started = int(fields[1]), int(fields[19])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append((int(entry), started))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child[0])
    return out


def _start_time(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _kill_and_wait(processes: list[tuple[int, int | None]], timeout: float) -> None:
    """SIGKILL each (pid, start time) through a pidfd, so a reused pid is never hit, and wait
    until every one has exited."""
    pidfds = []
    for pid, started in processes:
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            continue
        if started is not None and _start_time(pid) != started:
            os.close(fd)  # the pid now belongs to someone else
            continue
        pidfds.append(fd)
    poller = select.poll()
    for fd in pidfds:
        try:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        poller.register(fd, select.POLLIN)
    deadline, waiting = time.monotonic() + timeout, len(pidfds)
    while waiting and time.monotonic() < deadline:
        for fd, _ in poller.poll(100):
            poller.unregister(fd)
            waiting -= 1
    for fd in pidfds:
        os.close(fd)


class _Process:
    """One running worker and its pipes; every wait on it has a deadline."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, log: str):
        with open(log, "ab") as err:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, env=env,
                cwd=cwd, start_new_session=True, close_fds=True,
            )
        self.log = log
        self.to_worker = self.proc.stdin.fileno()
        self.from_worker = self.proc.stdout.fileno()
        os.set_blocking(self.to_worker, False)
        os.set_blocking(self.from_worker, False)

    def _wait_fd(self, fd: int, event: int, deadline: float) -> None:
        poller = select.poll()
        poller.register(fd, event)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Failure("timeout")
            if poller.poll(min(left, 0.1) * 1000):
                return
            if self.proc.poll() is not None:  # died, while a stray child may keep the pipe open
                poller.register(fd, event)
                if not poller.poll(0):
                    raise _Failure("exit", returncode=self.proc.returncode)

    def send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait_fd(self.to_worker, select.POLLOUT, deadline)
            try:
                view = view[os.write(self.to_worker, view):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                raise self._gone() from None

    def _read_exact(self, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            self._wait_fd(self.from_worker, select.POLLIN, deadline)
            try:
                chunk = os.read(self.from_worker, min(n - len(buf), 1 << 20))
            except BlockingIOError:
                continue
            if not chunk:
                raise self._gone()
            buf += chunk
        return bytes(buf)

    def receive(self, deadline: float) -> bytes:
        try:
            return wire.read_frame(lambda n: self._read_exact(n, deadline))
        except wire.WireError as exc:
            raise _Failure("protocol", str(exc)) from None

    def _gone(self) -> _Failure:
        """The channel closed: the worker exited, or closed its end and must be stopped."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return _Failure("protocol", "the worker closed the channel")
        return _Failure("exit", returncode=code)

    def log_tail(self) -> str:
        try:
            with open(self.log, "rb") as f:
                lines = f.read()[-2000:].decode(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    def kill(self) -> None:
        """Kill the worker's whole tree: every descendant, its process group, its pid namespace."""
        tree = [(self.proc.pid, None), *_descendants(self.proc.pid)]
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _kill_and_wait(tree, timeout=5)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def _cleanup(holder: list, folder: str) -> None:
    """Kill the current worker and remove the sandbox's folders (also run at garbage collection)."""
    if holder and holder[0] is not None:
        holder[0].kill()
        holder[0] = None

    def writable_again(func, path, _exc_info):
        try:  # the student may have taken the write permission off a folder of the work dir
            os.chmod(os.path.dirname(path), 0o700)
            func(path)
        except OSError:
            pass  # a leftover temporary file is better than a grader that stops

    shutil.rmtree(folder, onerror=writable_again)


@functools.cache
def _sweep_stale_folders() -> None:
    """Remove sandbox folders left by graders that were killed (no chance to clean up)."""
    for path in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        owner = path.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        try:
            if not owner.isdigit() or path.stat().st_uid != os.geteuid():
                continue
        except OSError:
            continue  # removed meanwhile
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            _cleanup([], str(path))
        except PermissionError:
            pass  # alive, another user's


# --- reasons a student reads ---------------------------------------------------------------

_SIGNALS = {
    signal.SIGSEGV: "segmentation fault", signal.SIGBUS: "bus error", signal.SIGABRT: "aborted",
    signal.SIGFPE: "floating-point exception", signal.SIGILL: "illegal instruction",
    signal.SIGKILL: "killed", signal.SIGTERM: "terminated",
}


def _size(nbytes: int) -> str:
    return f"{nbytes / 2**30:g} GiB" if nbytes >= 1 << 30 else f"{nbytes / 2**20:g} MiB"


# --- the sandbox ---------------------------------------------------------------------------

class _Function:
    """A student's function as the grader sees it: calling it calls the worker."""

    def __init__(self, box: Sandbox, name: str):
        self._box, self.__name__ = box, name

    def __call__(self, *args, **kwargs):
        return self._box.call(self.__name__, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<student function {self.__name__} in the sandbox>"


class _Namespace:
    """`box.namespace.adam(w, dw, config)` calls the worker's `adam`."""

    def __init__(self, box: Sandbox):
        self._box = box

    def __getattr__(self, name: str) -> _Function:
        if name.startswith("__") or name not in self._box.defined():
            raise MissingFunction(f"the submission does not define a function named {name!r}")
        return _Function(self._box, name)

    def __dir__(self) -> list[str]:
        return sorted(self._box.defined())


class Sandbox:
    """A student's cells, loaded in an isolated worker, and a proxy to call their functions.

    cells: list of (cell_name, source), run in order in one module namespace; a failing cell
        is recorded in `load_errors` (cell_name -> one-line reason) and the others still run.
    limits: resource limits of the worker (see Limits).
    isolation: "auto" (bubblewrap when it works, else "none" with a warning), "bwrap", "none".
    max_restarts: how many times a crashed worker is replaced before every call fails at once.
    """

    def __init__(self, cells, *, limits: Limits = Limits(), isolation: str = "auto",
                 max_restarts: int = 3):
        self.cells = [(str(name), str(source)) for name, source in cells]
        self.limits = limits
        self.isolation = _resolve_isolation(isolation)
        self.max_restarts = max_restarts
        self.load_errors: dict[str, str] = {}
        self.namespace = _Namespace(self)
        if self.isolation == "none" and isolation == "auto":
            warnings.warn(isolation_status(isolation), RuntimeWarning, stacklevel=2)
        self._drop = _drops_privileges(self.isolation)
        _sweep_stale_folders()
        self._folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        self._holder: list[_Process | None] = [None]
        self._finalizer = weakref.finalize(self, _cleanup, self._holder, self._folder)
        self._work = os.path.join(self._folder, "work")
        self._fatal: set[str] = set()  # cells that killed the worker: skipped when reloading
        self._defined: set[str] = set()
        self._restarts = 0
        self._last_reason = ""
        self._session = 0
        self._seq = 0
        self._closed = False
        try:
            self._prepare_folders()
            self._boot()
        except BaseException:
            self.close()
            raise

    # context manager and cleanup
    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Kill the worker (and everything it started) and delete the work dir."""
        self._closed = True
        self._finalizer()

    # public queries
    def defined(self) -> set[str]:
        """Names of the callables the student's cells define (as of the last load)."""
        return set(self._defined)

    def call(self, name: str, /, *args, **kwargs):
        """Call the worker's `name` with these arguments and return its result as plain data.

        Dict arguments are refilled, and array arguments overwritten, with their contents
        after the call. Raises MissingFunction, StudentError or SandboxError.
        """
        if self._closed:
            raise SandboxError("the sandbox is closed")
        everything = [*args, *kwargs.values()]
        mirror = [i for i, a in enumerate(everything)
                  if isinstance(a, dict) or (isinstance(a, np.ndarray) and a.flags.writeable)]
        request = {"op": "call", "name": name, "args": list(args), "kwargs": dict(kwargs),
                   "mirror": mirror}
        self._ensure_worker()
        try:
            reply = self._exchange(request)
        except _Failure as failure:
            raise SandboxError(self._fail(failure, f"while running {name}")) from None
        except wire.StaleHandle as exc:
            raise SandboxError(str(exc)) from None
        try:
            return self._answer(name, reply, everything, set(mirror))
        except wire.WireError as exc:
            raise SandboxError(self._fail(_Failure("protocol", str(exc)), "")) from None

    # the steps
    def _prepare_folders(self) -> None:
        os.mkdir(self._work, 0o700)
        if self._drop:
            os.chmod(self._folder, 0o711)
            os.chown(self._work, NOBODY, NOBODY)
            os.chmod(self._work, 0o711)  # bwrap (root without CAP_DAC_OVERRIDE) enters it
        if self.isolation == "none":  # what the worker may import, and nothing else of the repo
            lib = Path(self._folder, "lib")
            (lib / "autograder").mkdir(parents=True)
            os.symlink(REPO / "cs231n_utils", lib / "cs231n_utils")
            for name in ("worker.py", "wire.py"):
                os.symlink(REPO / "autograder" / name, lib / "autograder" / name)
            lib.chmod(0o755)
            (lib / "autograder").chmod(0o755)

    def _spawn(self) -> None:
        config = {"limits": self.limits.rlimits(), "paths": _site_packages(),
                  "uid": NOBODY if self._drop else None, "gid": NOBODY if self._drop else None,
                  "parent": None if self.isolation == "bwrap" else os.getpid()}
        command = [sys.executable, "-S", "-P", "-B", "-m", "autograder.worker",
                   json.dumps(config)]
        if self.isolation == "bwrap":
            argv = _bwrap_argv(self._drop) + command
            env = {**_environment(SANDBOX_HOME), "PYTHONPATH": SANDBOX_LIB}
        else:
            argv = command
            env = {**_environment(self._work), "PYTHONPATH": os.path.join(self._folder, "lib")}
        self._session += 1
        process = _Process(argv, env, self._work, os.path.join(self._folder, "worker.log"))
        self._holder[0] = process
        try:
            hello = wire.decode(process.receive(time.monotonic() + max(self.limits.wall_seconds, 10)))
        except (_Failure, wire.WireError) as exc:
            process.kill()
            self._holder[0] = None
            detail = process.log_tail() or str(exc)
            raise SandboxError(f"the sandbox could not start a worker ({detail})") from None
        if not isinstance(hello, dict) or hello.get("ok") is not True:
            raise SandboxError("the sandbox could not start a worker (bad greeting)")

    def _boot(self) -> None:
        """Start a worker and run the cells; a cell that kills the worker is skipped after."""
        while True:
            self._spawn()
            for name, source in self.cells:
                if name in self._fatal:
                    continue
                try:
                    reply = self._exchange({"op": "exec", "name": name, "source": source})
                except _Failure as failure:
                    self._fatal.add(name)
                    self.load_errors[name] = self._fail(failure, "", loading=True)
                    break
                if "error" in reply:
                    self.load_errors.setdefault(name, str(reply["error"])[:300])
                elif "limit" in reply:
                    self.load_errors.setdefault(name, self._memory_reason())
                elif reply.get("ok") is not True:
                    self._fatal.add(name)
                    self.load_errors[name] = self._fail(_Failure("protocol", "bad reply"), "", loading=True)
                    break
            else:
                break
        try:
            names = self._exchange({"op": "defined"}).get("names")
        except _Failure as failure:
            self._fail(failure, "")
            return
        if isinstance(names, list) and all(type(n) is str for n in names):
            self._defined = set(names)

    def _ensure_worker(self) -> None:
        if self._holder[0] is not None:
            return
        if self._restarts >= self.max_restarts:
            raise SandboxError(self._last_reason)
        self._restarts += 1
        self._boot()
        if self._holder[0] is None:
            raise SandboxError(self._last_reason)

    def _exchange(self, request: dict) -> dict:
        """Send one request and return the reply dict; raises _Failure (the worker is then dead)."""
        process = self._holder[0]
        self._seq += 1
        deadline = time.monotonic() + self.limits.wall_seconds
        payload = wire.frame(wire.encode({**request, "seq": self._seq}, session=self._session))
        process.send(payload, deadline)
        try:
            reply = wire.decode(process.receive(deadline), handle=self._handle)
        except wire.WireError as exc:
            raise _Failure("protocol", str(exc)) from None
        if not isinstance(reply, dict) or reply.get("seq") != self._seq:
            raise _Failure("protocol", "a reply out of turn")
        return reply

    def _handle(self, key: int, type_name: str) -> wire.Handle:
        return wire.Handle(key, type_name, self._session)

    def _answer(self, name: str, reply: dict, everything: list, mirror: set[int]):
        if reply.get("missing") is True:
            raise MissingFunction(f"the submission does not define a function named {name!r}")
        if "error" in reply:
            error = reply["error"]
            if not (isinstance(error, dict) and all(type(error.get(k)) is str
                                                    for k in ("type", "message", "traceback"))):
                raise wire.WireError("malformed error reply")
            raise StudentError(error["type"][:100], error["message"][:2000], error["traceback"][:2000])
        if "limit" in reply:
            self._kill()
            self._last_reason = self._memory_reason()
            raise SandboxError(self._last_reason)
        if "fail" in reply:
            raise SandboxError(f"the result of {name} could not be sent back: {str(reply['fail'])[:300]}")
        states, result = reply.get("states"), reply.get("result")
        if reply.get("ok") is not True or type(states) is not list or type(result) is not bytes:
            raise wire.WireError("malformed reply")
        for entry in states:
            if type(entry) is not list or len(entry) != 2 or entry[0] not in mirror:
                raise wire.WireError("malformed argument state")
            _mirror(everything[entry[0]], entry[1])
        return wire.decode(result, handle=self._handle, refs=everything)

    def _kill(self) -> None:
        if self._holder[0] is not None:
            self._holder[0].kill()
            self._holder[0] = None

    def _fail(self, failure: _Failure, during: str, loading: bool = False) -> str:
        """Kill the worker, remember and return the one-line reason for `failure`."""
        process = self._holder[0]
        self._kill()
        wall = f"{self.limits.wall_seconds:g} s"
        if failure.kind == "timeout":
            reason = f"timed out after {wall}" if loading else f"the code was stopped after {wall} (infinite loop?)"
        elif failure.kind == "protocol":
            reason = f"the worker broke the grading protocol ({failure.detail})"
        else:
            reason = self._exit_reason(failure.returncode, process)
            if during:
                reason += f" {during}"
        self._last_reason = reason
        return reason

    def _exit_reason(self, code: int | None, process: _Process | None) -> str:
        sig = None
        if code is not None and code < 0:
            sig = -code
        elif code is not None and code > 128 and self.isolation == "bwrap":
            sig = code - 128  # bubblewrap reports a child killed by signal N as 128 + N
        if sig == signal.SIGXCPU:
            return f"the code used more than {self.limits.cpu_seconds} s of CPU time"
        if sig == signal.SIGXFSZ:
            return f"the code wrote a file larger than {_size(self.limits.file_size_bytes)}"
        if sig is not None:
            what = _SIGNALS.get(sig, signal.Signals(sig).name if sig in signal.valid_signals() else "signal")
            return f"the worker crashed: {what} (signal {sig})"
        if code == 1 and process is not None and process.log_tail().startswith("bwrap"):
            return f"the sandbox failed ({process.log_tail()})"
        return f"the worker exited (os._exit({code}))"

    def _memory_reason(self) -> str:
        return f"the code used more than {_size(self.limits.memory_bytes)} of memory"


def _mirror(target, state) -> None:
    """Copy a worker's post-call `state` of an argument into the grader's `target` in place."""
    if isinstance(target, dict):
        if not isinstance(state, dict):
            raise wire.WireError("a dict argument came back as something else")
        target.clear()
        target.update(state)
    elif (isinstance(state, np.ndarray) and state.shape == target.shape
          and state.dtype.newbyteorder("=") == target.dtype.newbyteorder("=")):
        np.copyto(target, state)
