"""The sandboxed worker: runs a student's cells and answers calls from the grader.

Started by `autograder.sandbox.box` as `python -S -P -B -m autograder.sandbox.worker CONFIG` with a clean
environment: no site hooks (.pth files) run, and sys.path gets only the folders CONFIG names.
Before any student code it applies the resource limits, drops to an unprivileged user when
told to, keeps private copies of the protocol pipes (fd 0 in, fd 1 out) and points fds 0, 1
and 2 at /dev/null, so nothing the student prints can reach the channel. It imports only the
standard library and NumPy, so it starts fast.

Requests and replies are `wire` frames holding dicts; every reply echoes the request's
"seq". Requests: {"op": "exec", "name", "source"} runs one cell; {"op": "reset"} runs every
cell again in a fresh module (globals from earlier calls gone); {"op": "defined"} lists the
callables; {"op": "call", "name", "args", "kwargs", "mirror"} calls a function.
"""

from __future__ import annotations

import json
import linecache
import os
import random
import resource
import sys
import traceback
import types

np = wire = None  # NumPy and autograder.sandbox.wire, imported by main() once sys.path is set

CELL_PREFIX = "<cell "
_MAX_TEXT = 2000  # characters of an exception message or traceback sent back


def _apply_limits(limits: dict) -> None:
    """Set the RLIMITs named in `limits` (name -> value) as both soft and hard limits."""
    for name, value in limits.items():
        soft = hard = int(value)
        if name == "RLIMIT_CPU":
            hard = soft + 1  # SIGXCPU at the soft limit names the cause; SIGKILL a second later
        resource.setrlimit(getattr(resource, name), (soft, hard))


def _drop_privileges(uid: int, gid: int) -> None:
    """Become uid/gid for good (the kernel exempts root from RLIMIT_NPROC)."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("the worker could not drop its privileges")


def _die_with_parent(parent: int | None) -> None:
    """Get SIGKILL when the grader dies (bubblewrap does this itself with --die-with-parent).

    Set after the uid change, which clears it; a grader already gone means exit now.
    """
    if parent is None:
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, 9, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)


def _private_channel() -> tuple[int, int]:
    """Keep the protocol pipes on fresh fds and point fds 0, 1, 2 at /dev/null."""
    proto_in, proto_out = os.dup(0), os.dup(1)  # non-inheritable by default
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    return proto_in, proto_out


def _read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the grader closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _short(text: str, limit: int = _MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(exc: BaseException) -> str:
    """str(exc), even when the student's __str__ misbehaves."""
    try:
        return _short(str(exc))
    except Exception:  # the student's own exception class may raise from __str__
        return "<the exception's message could not be read>"


def _student_frames(tb) -> list:
    return [f for f in traceback.extract_tb(tb) if f.filename.startswith(CELL_PREFIX)]


def strip_magics(source: str) -> str:
    """Comment out IPython lines (`%matplotlib inline`, `!pip install ...`); keep line numbers."""
    lines = source.splitlines(True)
    for i, line in enumerate(lines):
        code = line.lstrip()
        if code.startswith(("%", "!")):
            lines[i] = line[: len(line) - len(code)] + "# " + code
    return "".join(lines)


def _in_student_terms(frame) -> str:
    """'in adam, line 5 of the cell adam': where a frame is, as the student wrote it."""
    cell = frame.filename[len(CELL_PREFIX):-1]
    if frame.name == "<module>":
        return f"line {frame.lineno} of the cell {cell}"
    return f"in {frame.name}, line {frame.lineno} of the cell {cell}"


def _load_error(exc: BaseException) -> str:
    """A one-line reason a cell failed: "NameError: name 'x' is not defined (line 4)"."""
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg} (line {exc.lineno} of the cell)"
    frames = _student_frames(exc.__traceback__)
    where = f" ({_in_student_terms(frames[-1])})" if frames else ""
    lines = _describe(exc).splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return _short(f"{text}{where}", 300)


class Worker:
    """The namespace of the student's cells and the objects kept behind handles."""

    def __init__(self) -> None:
        self.cells: list[tuple[str, str, types.CodeType | None]] = []  # every cell run, in order, and its
        # code (None: it did not compile), for reset()
        self.namespace = self._fresh_module()
        self.kept: dict[int, object] = {}
        self.kept_ids: dict[int, int] = {}  # id(object) -> handle id, one handle per object

    @staticmethod
    def _fresh_module() -> dict:
        """A new `__main__`, and NumPy's and Python's global generators at a fixed state, so that
        code drawing without a seed draws the same numbers at every grading of the submission."""
        module = types.ModuleType("__main__")
        sys.modules["__main__"] = module  # notebooks run as __main__
        random.seed(0)
        np.random.seed(0)
        return module.__dict__

    def reset(self) -> dict:
        """Run every cell again in a fresh module: what a restarted kernel would define.

        The cells' code is compiled once, when first run; a cell that did not compile fails again
        the same way, so it is skipped."""
        self.namespace = self._fresh_module()
        for name, source, code in self.cells:
            if code is not None:
                reply = self._run(name, source, code)
                if "limit" in reply:
                    return reply
        return {"ok": True}

    def keep(self, obj: object) -> wire.Handle:
        key = self.kept_ids.get(id(obj))
        if key is None or self.kept.get(key) is not obj:
            key = len(self.kept) + 1
            self.kept[key] = obj
            self.kept_ids[id(obj)] = key
        return wire.Handle(key, _short(type(obj).__name__, 100))

    def resolve(self, key: int, type_name: str) -> object:
        if key not in self.kept:
            raise wire.WireError(f"unknown handle #{key}")
        return self.kept[key]

    def exec_cell(self, name: str, source: str) -> dict:
        """Compile and run one cell in the module namespace (and remember it for reset())."""
        try:
            code = compile(strip_magics(source), f"{CELL_PREFIX}{name}>", "exec")
        except MemoryError:
            code, reply = None, {"limit": "memory"}
        except BaseException as exc:  # a cell that does not compile is data: report it, keep going
            code, reply = None, {"error": _load_error(exc)}
        self.cells.append((name, source, code))
        return reply if code is None else self._run(name, source, code)

    def _run(self, name: str, source: str, code: types.CodeType) -> dict:
        filename = code.co_filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            exec(code, self.namespace)
        except MemoryError:
            return {"limit": "memory"}
        except BaseException as exc:  # the cell's failure is data: report it, keep going
            return {"error": _load_error(exc)}
        return {"ok": True}

    def defined(self) -> dict:
        names = sorted(k for k, v in self.namespace.items() if callable(v) and not k.startswith("__"))
        return {"ok": True, "names": names}

    def call(self, name: str, args: list, kwargs: dict, mirror: list) -> dict:
        func = self.namespace.get(name)
        if not callable(func):
            return {"missing": True}
        everything = list(args) + list(kwargs.values())
        before = {i: (a.shape, a.dtype, a.tobytes()) for i in mirror if isinstance(a := everything[i], np.ndarray)}
        try:
            result = func(*args, **kwargs)
        except MemoryError:
            return {"limit": "memory"}
        except BaseException as exc:  # the student's exception is the answer
            frames = _student_frames(exc.__traceback__)
            return {"error": {
                "type": _short(type(exc).__name__, 100),
                "message": _describe(exc),
                "traceback": _short("".join(traceback.format_list(frames[-10:]))),
            }}
        # What the grader copies into its own arguments: every dict, and each array still of its
        # shape and dtype whose values changed (the grader's copy of an unchanged one is right already).
        states, refs = [], {}
        for i in mirror:
            value = everything[i]
            if isinstance(value, dict):
                states.append([i, value])
                refs[id(value)] = i
            elif isinstance(value, np.ndarray) and before.get(i, ())[:2] == (value.shape, value.dtype):
                refs[id(value)] = i
                if value.tobytes() != before[i][2]:
                    states.append([i, value])
        # The result is a payload of its own, so that it may refer to the arguments by index
        # while the states of the arguments are sent as content.
        return {"ok": True, "states": states, "result": wire.encode(result, opaque=self.keep, refs=refs)}


def serve(proto_in: int, proto_out: int, worker: Worker) -> None:
    """Answer requests until the grader closes the channel."""
    me = os.getpid()
    while True:
        try:
            request = wire.decode(wire.read_frame(lambda n: _read_exact(proto_in, n)), handle=worker.resolve)
        except EOFError:
            return
        seq = request.get("seq") if isinstance(request, dict) else None
        try:
            op = request["op"]
            if op == "exec":
                reply = worker.exec_cell(request["name"], request["source"])
            elif op == "reset":
                reply = worker.reset()
            elif op == "defined":
                reply = worker.defined()
            elif op == "call":
                reply = worker.call(request["name"], request["args"], request["kwargs"], request["mirror"])
            else:
                reply = {"fail": f"unknown request {op!r}"}
            payload = wire.encode({"seq": seq, **reply}, opaque=worker.keep)
        except MemoryError:
            payload = wire.encode({"seq": seq, "limit": "memory"})
        except (wire.WireError, RecursionError, KeyError, IndexError, TypeError) as exc:
            payload = wire.encode({"seq": seq, "fail": _short(f"{type(exc).__name__}: {exc}", 300)})
        if os.getpid() != me:
            os._exit(0)  # a process the student's code forked: only the worker itself may answer
        _write_all(proto_out, wire.frame(payload))


def main(argv: list) -> None:
    global np, wire
    config = json.loads(argv[1])
    sys.path.extend(config["paths"])
    _apply_limits(config["limits"])
    if config.get("uid") is not None:
        _drop_privileges(config["uid"], config["gid"])
    _die_with_parent(config.get("parent"))
    import numpy as np

    from autograder.sandbox import wire
    proto_in, proto_out = _private_channel()
    _write_all(proto_out, wire.frame(wire.encode({"seq": 0, "ok": True, "pid": os.getpid()})))
    serve(proto_in, proto_out, Worker())


if __name__ == "__main__":
    main(sys.argv)
