"""The sandbox: a student's cells loaded in a worker, and the one proxy that calls their functions.

nbgrader's autograde runs hidden tests in the kernel that ran the student's code, so that code
can change the outcome. Here a fresh worker process (`worker.py`) runs the student's cells under
resource limits, inside bubblewrap when it is available (`policy.py`), and the grader calls the
student's functions through a `Proxy`: arguments go in, results come back as plain data
(`wire.py`), and in-place changes to dict and array arguments are copied back into the grader's
own objects. A worker that crashes, hits a limit or runs out of time costs that one call; the
next call starts a fresh worker.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
import weakref
from pathlib import Path

import numpy as np

from autograder.sandbox import messages, wire
from autograder.sandbox.messages import MissingFunction, ReloadFailed, SandboxError, StudentError, Unavailable
from autograder.sandbox.policy import (
    FOLDER_PREFIX,
    NOBODY,
    REPO,
    SANDBOX_HOME,
    SANDBOX_LIB,
    WORKER_FILES,
    Limits,
    bwrap_argv,
    drops_privileges,
    environment,
    isolation_status,
    resolve_isolation,
    site_packages,
)
from autograder.sandbox.process import Failure, Process, cleanup, sweep_stale_folders


class Proxy:
    """The student's functions as the grader calls them: `student.adam(w, dw, config)`.

    unavailable: {function: reason} for functions that must not be called (missing, failed to
        load); calling one raises Unavailable with the reason. A function whose call crashed the
        worker or ran out of time joins them: the next test would only do it again.
    budget_seconds: the time all calls of one submission may take together, so that a slow
        answer cannot hold up a class (None: no budget).
    """

    def __init__(self, box: Sandbox | None, unavailable=None, budget_seconds: float | None = None):
        self._box, self._unavailable = box, dict(unavailable or {})
        self._budget = budget_seconds
        self._deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        self._called = True  # whether a call may have changed the worker's globals since the last reload

    def _check_budget(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise Unavailable(f"the submission used up its total time budget of {self._budget:.0f} s")

    def _reload(self) -> None:
        """Load the student's cells anew (module globals reset), as a fresh kernel would."""
        if self._box is not None and self._called:
            self._check_budget()
            self._box.reset()
            self._called = False

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._box is not None and name not in self._unavailable and name not in self._box.defined():
            raise MissingFunction(f"the submission does not define a function named {name!r}")

        def call(*args, **kwargs):
            if name in self._unavailable:
                raise Unavailable(self._unavailable[name])
            if self._box is None:
                raise Unavailable(f"{name} could not be loaded")
            self._check_budget()
            self._called = True
            try:
                return self._box.call(name, *args, **kwargs)
            except (MissingFunction, ReloadFailed):
                raise
            except SandboxError as err:
                self._unavailable[name] = f"{name} was not called again after an earlier call failed: {err.reason}"
                raise

        call.__name__ = name
        return call

    def __repr__(self) -> str:
        return "<the student's functions, in the sandbox>"


class Sandbox:
    """A student's cells, loaded in an isolated worker, and a proxy to call their functions.

    cells: list of (cell_name, source), run in order in one module namespace; a failing cell
        is recorded in `load_errors` (cell_name -> one-line reason) and the others still run.
    limits: resource limits of the worker (see Limits).
    isolation: "auto" (bubblewrap when it works, else "none" with a warning), "bwrap", "none".
    max_restarts: how many times a crashed worker is replaced before every call fails at once.
    """

    def __init__(self, cells, *, limits: Limits | None = None, isolation: str = "auto",
                 max_restarts: int = 3):
        self.cells = [(str(name), str(source)) for name, source in cells]
        self.limits = limits or Limits()
        self.isolation = resolve_isolation(isolation)
        self.max_restarts = max_restarts
        self.load_errors: dict[str, str] = {}
        self.spent: dict[str, list] = {}  # request kind -> [count, seconds]: where grading's time went
        self.namespace = Proxy(self)
        if self.isolation == "none" and isolation == "auto":
            warnings.warn(isolation_status(isolation), RuntimeWarning, stacklevel=2)
        self._drop = drops_privileges(self.isolation)
        sweep_stale_folders()
        self._folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-")
        self._holder: list[Process | None] = [None]
        self._finalizer = weakref.finalize(self, cleanup, self._holder, self._folder)
        self._work = os.path.join(self._folder, "work")
        self._fatal: set[str] = set()  # cells that killed the worker: skipped when reloading
        self._defined: frozenset[str] = frozenset()
        self._restarts = 0
        self._reset_due = False  # a reload asked for, to run just before the next call
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
    def defined(self) -> frozenset[str]:
        """Names of the callables the student's cells define (as of the last load)."""
        return self._defined

    def call(self, name: str, /, *args, **kwargs):
        """Call the worker's `name` with these arguments and return its result as plain data.

        Dict arguments are refilled, and array arguments overwritten, with their contents
        after the call. Raises MissingFunction, StudentError or SandboxError (ReloadFailed when
        the reload asked for by reset() fails).
        """
        if self._closed:
            raise SandboxError("the sandbox is closed")
        everything = [*args, *kwargs.values()]
        mirror = [i for i, a in enumerate(everything)
                  if isinstance(a, dict) or (isinstance(a, np.ndarray) and a.flags.writeable)]
        request = {"op": "call", "name": name, "args": list(args), "kwargs": dict(kwargs),
                   "mirror": mirror}
        self._ensure_worker()
        seq = self._seq + 1 + self._reset_due  # a reload due goes first
        try:
            frame = self._frame(request, seq)  # raises WireError when an argument is not plain data
        except wire.StaleHandle as exc:
            raise SandboxError(str(exc)) from None
        reloading = self._reset_due
        if reloading:
            self._reload_before(frame)  # the worker reloads, then finds this call waiting
        started, deadline = time.perf_counter(), time.monotonic() + self.limits.wall_seconds
        try:
            if not reloading:
                self._holder[0].send(frame, deadline)
            self._seq = seq
            reply = self._reply(seq, deadline)
            return self._answer(name, reply, everything, set(mirror))
        except Failure as failure:
            raise SandboxError(self._fail(failure, f"while running {name}")) from None
        except wire.WireError as exc:
            raise SandboxError(self._fail(Failure("protocol", str(exc)), "")) from None
        finally:
            self._tally("call", started)

    def reset(self) -> None:
        """Run the cells again in a fresh module namespace: globals from earlier calls are gone.

        The worker reloads just before the next call, sent in the same write as that call, so
        that a reset costs no round trip of its own (and nothing when no call follows); a reload
        that fails raises ReloadFailed from that call. A worker restarted after a crash is fresh
        already.
        """
        if self._closed:
            raise SandboxError("the sandbox is closed")
        if self._holder[0] is None:
            self._ensure_worker()
            return
        self._reset_due = True

    # the steps
    def _prepare_folders(self) -> None:
        os.mkdir(self._work, 0o700)
        if self._drop:
            os.chmod(self._folder, 0o711)
            os.chown(self._work, NOBODY, NOBODY)
            os.chmod(self._work, 0o711)  # bwrap (root without CAP_DAC_OVERRIDE) enters it
        if self.isolation == "none":  # what the worker may import, and nothing else of the repo
            lib = Path(self._folder, "lib")
            lib.mkdir()
            os.symlink(REPO / "cs231n_utils", lib / "cs231n_utils")
            for name in WORKER_FILES:
                (lib / name).parent.mkdir(parents=True, exist_ok=True)
                os.symlink(REPO / name, lib / name)
            for path in [lib, *{(lib / name).parent for name in WORKER_FILES}]:
                path.chmod(0o755)

    def _spawn(self) -> None:
        config = {"limits": self.limits.rlimits(), "paths": site_packages(),
                  "uid": NOBODY if self._drop else None, "gid": NOBODY if self._drop else None,
                  "parent": None if self.isolation == "bwrap" else os.getpid()}
        command = [sys.executable, "-S", "-P", "-B", "-m", "autograder.sandbox.worker",
                   json.dumps(config)]
        if self.isolation == "bwrap":
            argv = bwrap_argv(self._drop) + command
            env = {**environment(SANDBOX_HOME), "PYTHONPATH": SANDBOX_LIB}
        else:
            argv = command
            env = {**environment(self._work), "PYTHONPATH": os.path.join(self._folder, "lib")}
        self._session += 1
        process = Process(argv, env, self._work, os.path.join(self._folder, "worker.log"))
        self._holder[0] = process
        try:
            hello = wire.decode(process.receive(time.monotonic() + max(self.limits.wall_seconds, 10)))
        except (Failure, wire.WireError) as exc:
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
                except Failure as failure:
                    self._fatal.add(name)
                    self.load_errors[name] = self._fail(failure, "", loading=True)
                    break
                if "error" in reply:
                    self.load_errors.setdefault(name, str(reply["error"])[:300])
                elif "limit" in reply:
                    self.load_errors.setdefault(name, self._memory_reason())
                elif reply.get("ok") is not True:
                    self._fatal.add(name)
                    self.load_errors[name] = self._fail(Failure("protocol", "bad reply"), "", loading=True)
                    break
            else:
                break
        try:
            names = self._exchange({"op": "defined"}).get("names")
        except Failure as failure:
            self._fail(failure, "")
            return
        if isinstance(names, list) and all(type(n) is str for n in names):
            self._defined = frozenset(names)

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
        """Send one request and return the reply dict; raises Failure (the worker is then dead)."""
        self._seq += 1
        deadline = time.monotonic() + self.limits.wall_seconds
        self._holder[0].send(self._frame(request, self._seq), deadline)
        return self._reply(self._seq, deadline)

    def _reload_before(self, frame: bytes) -> None:
        """Send the reload due and then `frame` in one write, and wait for the reload's answer: the
        worker then finds the next request waiting. A reload that fails raises ReloadFailed, with
        the reason a reset of its own would give."""
        self._reset_due = False
        self._seq += 1
        started = time.perf_counter()
        deadline = time.monotonic() + self.limits.wall_seconds
        try:
            self._holder[0].send(self._frame({"op": "reset"}, self._seq) + frame, deadline)
            reply = self._reply(self._seq, deadline)
        except Failure as failure:
            raise ReloadFailed(self._fail(failure, "while loading the cells again")) from None
        finally:
            self._tally("reset", started)
        if "limit" in reply:
            self._kill()
            self._last_reason = self._memory_reason()
            raise ReloadFailed(self._last_reason)

    def _frame(self, request: dict, seq: int) -> bytes:
        return wire.frame(wire.encode({**request, "seq": seq}, session=self._session))

    def _reply(self, seq: int, deadline: float) -> dict:
        try:
            reply = wire.decode(self._holder[0].receive(deadline), handle=self._handle)
        except wire.WireError as exc:
            raise Failure("protocol", str(exc)) from None
        if not isinstance(reply, dict) or reply.get("seq") != seq:
            raise Failure("protocol", "a reply out of turn")
        return reply

    def _tally(self, kind: str, started: float) -> None:
        tally = self.spent.setdefault(kind, [0, 0.0])
        tally[0] += 1
        tally[1] += time.perf_counter() - started

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
        self._reset_due = False  # a new worker starts fresh
        if self._holder[0] is not None:
            self._holder[0].kill()
            self._holder[0] = None

    def _fail(self, failure: Failure, during: str, loading: bool = False) -> str:
        """Kill the worker, remember and return the one-line reason for `failure`."""
        process = self._holder[0]
        self._kill()
        if failure.kind == "timeout":
            reason = messages.timeout_reason(self.limits, loading)
        elif failure.kind == "protocol":
            reason = f"the worker broke the grading protocol ({failure.detail})"
        else:
            reason = messages.exit_reason(failure.returncode, bwrap=self.isolation == "bwrap", limits=self.limits,
                                          log_tail=process.log_tail() if process else "")
            if during:
                reason += f" {during}"
        self._last_reason = reason
        return reason

    def _memory_reason(self) -> str:
        return messages.memory_reason(self.limits)


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
