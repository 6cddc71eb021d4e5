"""The isolation policy: what the worker may see and do, and the limits it runs under.

With bubblewrap the worker gets its own pid, network, ipc, uts and mount namespaces and sees a
read-only system with only Python, the venv, the worker's own two files and `cs231n_utils`.
Without it, only the resource limits and the separate process protect grading, and
`isolation_status` says so loudly.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.messages import SandboxError

REPO = Path(__file__).resolve().parents[2]
BWRAP = shutil.which("bwrap") or "/usr/bin/bwrap"  # bubblewrap, from the distribution
NOBODY = 65534  # uid and gid of the worker when the grader runs as root
SANDBOX_HOME = "/sandbox"  # the work dir, as the worker sees it under bubblewrap
SANDBOX_LIB = "/opt/course"  # where the worker and cs231n_utils are visible under bubblewrap
TMPFS_BYTES = 64 << 20  # the sandbox's private /tmp and its work dir, each
FOLDER_PREFIX = "cs231n-sandbox-"  # + the grader's pid: folders of a killed grader get swept

# What the worker imports of the repository (the same path under SANDBOX_LIB): its own code only.
WORKER_FILES = ("autograder/__init__.py", "autograder/sandbox/__init__.py", "autograder/sandbox/worker.py",
                "autograder/sandbox/wire.py")


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


def is_root() -> bool:
    return os.geteuid() == 0


def python_roots() -> list[str]:
    """Folders the worker's Python needs: the interpreter's installation and the venv."""
    roots = [sys.base_prefix, sys.prefix, str(Path(sys.executable).resolve().parent.parent)]
    out: list[str] = []
    for root in sorted({os.path.realpath(r) for r in roots} | set(roots), key=len):
        if not any(root == o or root.startswith(o.rstrip("/") + "/") for o in out + ["/usr"]):
            out.append(root)
    return out


def site_packages() -> list[str]:
    """The venv's package folders: added to the worker's sys.path without running site hooks
    (.pth files such as an editable install's finder, which would reach into the repository)."""
    paths = [sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]
    return list(dict.fromkeys(p for p in paths if p))


def bwrap_argv(drop_privileges: bool) -> list[str]:
    """The bubblewrap command line that confines the worker (without the command)."""
    argv = [BWRAP, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]
    if drop_privileges:
        # Running bwrap as root: no user namespace, so that the worker's setuid to nobody is
        # a real uid and RLIMIT_NPROC applies; keep only what that setuid needs.
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--disable-userns"]
    binds = [(r, r) for r in python_roots()]
    binds += [
        (str(REPO / "cs231n_utils"), f"{SANDBOX_LIB}/cs231n_utils"),
        *((str(REPO / name), f"{SANDBOX_LIB}/{name}") for name in WORKER_FILES),
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


def reachable_by_nobody(path: str) -> bool:
    """Whether an unprivileged user can walk down to `path` (every folder above is o+x)."""
    p = Path(path).resolve()
    return all(os.stat(d).st_mode & 0o001 for d in [*reversed(p.parents), p] if d.is_dir())


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot confine the worker here, or None when it works (probed once)."""
    if not os.access(BWRAP, os.X_OK):
        return f"{BWRAP} is not installed (Debian/Ubuntu package: bubblewrap)"
    with tempfile.TemporaryDirectory(prefix="cs231n-probe-") as work:
        probe = f"import sys; sys.path.extend({site_packages()!r}); import numpy"
        argv = bwrap_argv(is_root()) + [sys.executable, "-S", "-P", "-B", "-c", probe]
        try:
            run = subprocess.run(argv, capture_output=True, timeout=30, env=environment(work),
                                 stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap failed to start: {exc}"
    if run.returncode != 0:
        tail = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"bubblewrap does not work here ({tail[0]}); unprivileged user namespaces may be off"
    return None


def resolve_isolation(isolation: str) -> str:
    if isolation not in ("auto", "bwrap", "none"):
        raise ValueError(f"isolation must be 'auto', 'bwrap' or 'none', not {isolation!r}")
    if isolation == "auto":
        return "bwrap" if bwrap_problem() is None else "none"
    if isolation == "bwrap" and bwrap_problem() is not None:
        raise SandboxError(f"isolation='bwrap' was asked for but {bwrap_problem()}")
    return isolation


def drops_privileges(mode: str) -> bool:
    """Whether the worker switches to uid nobody (only root can, and only root needs to)."""
    if not is_root():
        return False
    if mode == "bwrap":
        return True
    needed = [sys.executable, *python_roots(), str(REPO)]
    return all(reachable_by_nobody(p) for p in needed)


def isolation_status(isolation: str = "auto") -> str:
    """One line: what isolation a Sandbox made now gets on this machine, or loudly what not."""
    problem = None if isolation == "none" else bwrap_problem()
    if isolation == "bwrap" and problem:
        return f"NOT AVAILABLE: isolation='bwrap' was asked for but {problem}"
    mode = "none" if isolation == "none" or problem else "bwrap"
    drop = drops_privileges(mode)
    who = "uid 65534 (nobody)" if drop else f"uid {os.geteuid()}" + (" (root)" if is_root() else "")
    if mode == "bwrap":
        return (f"bubblewrap: the worker runs as {who} in its own pid, network, ipc and mount "
                "namespaces, sees only Python, the venv and cs231n_utils (read-only) and an "
                "empty work dir, under limits on CPU, memory, processes, open files, file size")
    why = f"bubblewrap unavailable: {problem}" if problem else "isolation='none' was asked for"
    risks = [f"read every file {who} can (solutions, hidden tests, other submissions)",
             f"write wherever {who} can", "use the network"]
    if is_root() and not drop:
        risks += ["signal or kill any process, the grader included",
                  "fork without limit (RLIMIT_NPROC does not bind root, and the interpreter is "
                  "not readable by nobody, so the worker cannot drop to it)"]
    else:
        risks += [f"signal any process of {who}" + ("" if drop else ", the grader included")]
    return (f"NOT ISOLATED ({why}): student code runs as {who} in a plain process and can "
            + ", ".join(risks) + "; only the resource limits and the separate process protect grading")


def environment(home: str) -> dict[str, str]:
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

