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


# numpy's OpenBLAS reads this once, when numpy is first imported.
_BLAS_THREADS = "OPENBLAS_NUM_THREADS"


def one_thread_per_matrix_product() -> None:
    """Let numpy's OpenBLAS run each matrix product on the thread that asks for it, unless
    the user set its thread count; effective only before numpy is first imported.

    By default OpenBLAS starts a thread per core and splits every product over them, beside
    the scan's decoders and the checks' own worker threads. The thumbnail checks' products
    are small (a few hundred pairs of 16x16 or 32x32 pictures), and the split threads spent
    more CPU waiting for each other than multiplying: a 10,000-file cold grouping took
    11-14 % more CPU with them (the 16x16 prefilter 8x), with the same groups either way.
    """
    os.environ.setdefault(_BLAS_THREADS, "1")
