"""How the C heap hands memory back: large blocks always mapped apart, so freeing returns them.

glibc serves blocks above a threshold with their own mapping, which ``free`` hands back to
the system at once; but the threshold moves up to the size of each such block freed (up to
32 MB), after which blocks of that size come from the heap, where freed space stays with the
process. numpy arrays are exactly such blocks: after the first large one was freed, the scan's
and the grouping's transient arrays (the Hamming search's tables, the thumbnail checks'
batches) stayed resident once used, and the heap's free space, split between the threads'
arenas, was not reused by the next phase. A fixed threshold keeps every block of 256 KB or
more mapped apart: measured in docs/BENCHMARKS.md ("100,000 small photos").
"""

from __future__ import annotations

import sys
from typing import Final

# glibc's mallopt parameter number for the mapping threshold (malloc.h: M_MMAP_THRESHOLD).
_M_MMAP_THRESHOLD: Final = -3
# Blocks from this size up are mapped apart: numpy arrays of 32 K values and more.
MAPPED_FROM: Final = 256 * 1024


def map_large_blocks_apart() -> bool:
    """Fix glibc's mapping threshold at ``MAPPED_FROM`` for this process (idempotent).

    False where there is no glibc ``mallopt`` (other systems, other C libraries): nothing
    changes there, and nothing depends on it but the process's resident memory.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MAPPED_FROM))
