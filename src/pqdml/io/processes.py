"""Worker processes that never outlive their run.

Every worker process pqdml starts calls :func:`worker_setup` first. It

- asks the Linux kernel to kill the worker when its parent dies
  (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` through :mod:`ctypes`), so ``kill -9`` of the
  main process leaves no worker behind;
- starts a daemon thread that polls the parent's pid every second and ends the worker
  (``os._exit``) once it is gone, for systems without ``prctl``;
- ignores SIGINT: a Ctrl-C in the terminal reaches the whole process group, and the
  main process alone decides how to stop (it terminates the workers itself).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

__all__ = ["parent_death_signal", "sigint_ignored", "worker_setup"]

#: ``PR_SET_PDEATHSIG`` of ``<linux/prctl.h>``.
_PR_SET_PDEATHSIG = 1
#: Seconds between two checks of the parent's pid by the watchdog thread.
POLL_SECONDS = 1.0


def parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only).

    Returns whether the request was accepted (False on other systems).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while the block runs (in the main thread; elsewhere it changes nothing).

    A process started inside the block inherits the ignored SIGINT through ``exec``, so a
    Ctrl-C during its (long) start-up cannot print a traceback there.
    """
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)  # the parent is gone: nobody will read what this worker makes
        time.sleep(POLL_SECONDS)


def worker_setup(parent: int | None = None) -> None:
    """Make this (worker) process exit when ``parent`` dies, and ignore Ctrl-C.

    Parameters
    ----------
    parent
        Pid of the process that started this one; None means ``os.getppid()`` now (right
        for fork-started pool workers, whose initializer runs at once).
    """
    parent = os.getppid() if parent is None else parent
    parent_death_signal()
    with contextlib.suppress(ValueError):  # not the main thread: leave SIGINT as it is
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
