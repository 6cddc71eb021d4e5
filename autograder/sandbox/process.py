"""One worker process: start it, talk to it with deadlines, and kill its whole tree."""

from __future__ import annotations

import functools
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from autograder.sandbox import wire
from autograder.sandbox.policy import FOLDER_PREFIX


class Failure(Exception):
    """The worker did not answer: kind is "timeout", "exit" or "protocol"."""

    def __init__(self, kind: str, detail: str = "", returncode: int | None = None):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail, self.returncode = kind, detail, returncode


def descendants(root: int) -> list[tuple[int, int]]:
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


def start_time(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def kill_and_wait(processes: list[tuple[int, int | None]], timeout: float) -> None:
    """SIGKILL each (pid, start time) through a pidfd, so a reused pid is never hit, and wait
    until every one has exited."""
    pidfds = []
    for pid, started in processes:
        try:
            fd = os.pidfd_open(pid)
        except OSError:
            continue
        if started is not None and start_time(pid) != started:
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


class Process:
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
        self._received = bytearray()  # read from the worker, not yet returned as a frame

    def _wait_fd(self, fd: int, event: int, deadline: float) -> None:
        poller = select.poll()
        poller.register(fd, event)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("timeout")
            if poller.poll(min(left, 0.1) * 1000):
                return
            if self.proc.poll() is not None:  # died, while a stray child may keep the pipe open
                poller.register(fd, event)
                if not poller.poll(0):
                    raise Failure("exit", returncode=self.proc.returncode)

    def send(self, data: bytes, deadline: float) -> None:
        """Write all of `data`, waiting (until `deadline`) only when the pipe is full."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.to_worker, view):]
            except BlockingIOError:
                self._wait_fd(self.to_worker, select.POLLOUT, deadline)
            except (BrokenPipeError, ConnectionResetError):
                raise self._gone() from None

    def _read_more(self, wanted: int, deadline: float) -> None:
        """Append to the buffer what the worker wrote (up to `wanted` bytes, or a pipe's worth),
        waiting for it until `deadline`."""
        self._wait_fd(self.from_worker, select.POLLIN, deadline)
        try:
            chunk = os.read(self.from_worker, min(max(wanted, 1 << 16), 1 << 20))
        except BlockingIOError:
            return
        if not chunk:
            raise self._gone()
        self._received += chunk

    def receive(self, deadline: float) -> bytes:
        """The payload of the worker's next frame (Failure when it does not come by `deadline`)."""
        buffer, start = self._received, wire.HEADER.size
        try:
            while len(buffer) < start:
                self._read_more(start - len(buffer), deadline)
            end = start + wire.frame_size(bytes(buffer[:start]))
        except wire.WireError as exc:
            raise Failure("protocol", str(exc)) from None
        while len(buffer) < end:
            self._read_more(end - len(buffer), deadline)
        with memoryview(buffer) as view:
            payload = bytes(view[start:end])
        del buffer[:end]
        return payload

    def _gone(self) -> Failure:
        """The channel closed: the worker exited, or closed its end and must be stopped."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return Failure("protocol", "the worker closed the channel")
        return Failure("exit", returncode=code)

    def log_tail(self) -> str:
        try:
            with open(self.log, "rb") as f:
                lines = f.read()[-2000:].decode(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return lines[-1] if lines else ""

    def kill(self) -> None:
        """Kill the worker's whole tree: every descendant, its process group, its pid namespace."""
        tree = [(self.proc.pid, None), *descendants(self.proc.pid)]
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        kill_and_wait(tree, timeout=5)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def cleanup(holder: list, folder: str) -> None:
    """Kill the current worker and remove the sandbox's folders (also run at garbage collection)."""
    if holder and holder[0] is not None:
        holder[0].kill()
        holder[0] = None

    def writable_again(func, path, _exc_info):
        parent = os.path.dirname(path)
        if os.path.commonpath([folder, parent]) != folder:
            return  # the folder itself (gone already, say): never touch its parent, the system's /tmp
        try:  # the student may have taken the write permission off a folder of the work dir
            os.chmod(parent, 0o700)
            func(path)
        except OSError:
            pass  # a leftover temporary file is better than a grader that stops

    if os.path.isdir(folder):
        shutil.rmtree(folder, onerror=writable_again)


@functools.cache
def sweep_stale_folders() -> None:
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
            cleanup([], str(path))
        except PermissionError:
            pass  # alive, another user's

