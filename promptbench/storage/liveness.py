"""Is the process that started a run still alive? Used at open to tell a crashed run from one still running.

A writer is recorded as (host, pid, start token). The start token is the process's start time where the OS
tells it cheaply (Linux: /proc/<pid>/stat), so a pid reused by another program after a crash is not taken for
the original writer. Elsewhere only the pid is checked. A run written from another host (a shared folder) is
never judged: we cannot see that host's processes.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Writer:
    host: str
    pid: int
    started: str | None


def this_writer() -> Writer:
    pid = os.getpid()
    return Writer(host=socket.gethostname(), pid=pid, started=_start_token(pid))


def is_alive(writer: Writer) -> bool:
    """False only when we can tell the writer is gone; unknown cases count as alive, so no live run is marked."""
    if writer.host != socket.gethostname():
        return True
    if not _pid_exists(writer.pid):
        return False
    if writer.started is not None:
        token = _start_token(writer.pid)
        if token is not None and token != writer.started:
            return False
    return True


def _start_token(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # Field 22 of stat is the start time in clock ticks; after the ")" that closes the name it is index 19.
    return fields[19] if len(fields) > 19 else None


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_exists(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    if _is_zombie(pid):
        return False
    return True


def _is_zombie(pid: int) -> bool:
    """A killed child not yet reaped still has a pid; its state letter in /proc says it is dead."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


# ctypes.windll exists on Windows only; under this guard type checkers on other systems skip the body.
if sys.platform == "win32":

    def _windows_pid_exists(pid: int) -> bool:  # pragma: no cover - exercised on Windows only
        # os.kill(pid, 0) would terminate the process on Windows, so ask the kernel instead.
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
