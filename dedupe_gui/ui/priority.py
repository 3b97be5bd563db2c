"""CPU priority of the window's worker threads, so the window's own thread wins the CPU.

On a machine busy with other work, decoding threads at the same priority as the GUI thread
can keep it off the CPU long enough to be felt. Linux schedules threads individually, so
raising one thread's niceness touches only that thread. Elsewhere the same call would apply
to the whole process, window included, so it does nothing there.
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND = 10  # the scan: long, nobody is waiting for one particular file
PREVIEW = 4  # thumbnails: someone is looking at the placeholder, but the window comes first


def lower_thread_priority(niceness: int) -> None:
    """Raise the calling thread's niceness to at least ``niceness`` (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        if current < niceness:
            os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except OSError:
        pass  # not allowed here: the thread keeps its priority
