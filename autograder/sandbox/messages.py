"""What a student reads when their code could not answer: the errors and their one-line reasons."""

import signal


class SandboxError(Exception):
    """The worker could not answer: crash, limit, timeout, protocol.

    reason: one line a student understands ("the code was stopped after 30 s (infinite loop?)").
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class MissingFunction(SandboxError, AttributeError):
    """The submission does not define the function the grader asked for."""


class Unavailable(SandboxError):
    """A graded function that cannot be called (missing, failed to load, failed before); `reason` says why."""


class ReloadFailed(SandboxError):
    """Loading the student's cells afresh failed (it runs with the next call, and fails that call
    without being that function's fault)."""


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

SIGNALS = {
    signal.SIGSEGV: "segmentation fault", signal.SIGBUS: "bus error", signal.SIGABRT: "aborted",
    signal.SIGFPE: "floating-point exception", signal.SIGILL: "illegal instruction",
    signal.SIGKILL: "killed", signal.SIGTERM: "terminated",
}


def size(nbytes: int) -> str:
    return f"{nbytes / 2**30:g} GiB" if nbytes >= 1 << 30 else f"{nbytes / 2**20:g} MiB"


def exit_reason(code, *, bwrap, limits, log_tail=""):
    """Why the worker ended, for a student: a limit it hit, a signal, a crash of the sandbox."""
    sig = None
    if code is not None and code < 0:
        sig = -code
    elif code is not None and code > 128 and bwrap:
        sig = code - 128  # bubblewrap reports a child killed by signal N as 128 + N
    if sig == signal.SIGXCPU:
        return f"the code used more than {limits.cpu_seconds} s of CPU time"
    if sig == signal.SIGXFSZ:
        return f"the code wrote a file larger than {size(limits.file_size_bytes)}"
    if sig is not None:
        what = SIGNALS.get(sig, signal.Signals(sig).name if sig in signal.valid_signals() else "signal")
        return f"the worker crashed: {what} (signal {sig})"
    if code == 1 and log_tail.startswith("bwrap"):
        return f"the sandbox failed ({log_tail})"
    return f"the worker exited (os._exit({code}))"


def memory_reason(limits):
    return f"the code used more than {size(limits.memory_bytes)} of memory"


def timeout_reason(limits, loading=False):
    wall = f"{limits.wall_seconds:g} s"
    return f"timed out after {wall}" if loading else f"the code was stopped after {wall} (infinite loop?)"
