"""How many threads the core's parallel stages use: the cores this process may run on.

One answer for the scan's decoders, the Hamming search and the thumbnail checks, so a
process limited by CPU affinity or a cgroup CPU set does not oversubscribe what it has.
"""

from __future__ import annotations

import os


def default_workers() -> int:
    """The cores this process may use (affinity and cgroup CPU sets respected where known)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)
