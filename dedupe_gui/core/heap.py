"""How the C heap hands memory back: large blocks mapped apart, and what is left freed in the
heap returned where a phase of the scan or the grouping ends; and Python's cyclic collector
kept out of phases that build many objects without cycles (``many_objects``).

numpy arrays are large C blocks. glibc serves the first ones with their own mappings, but
each such block freed raises its mapping threshold to the block's size (up to 32 MB), after
which blocks of that size come from the heap and the threads' arenas, where freed space stays
with the process: the Hamming search's workers leave their arenas full of free pages that the
next job does not reuse. A fixed threshold (``map_large_blocks_apart``) keeps every block of
256 KB or more mapped apart; it costs CPU (each array is mapped and faulted in anew: the
window-hash search's CPU doubles at 100,000 files), but without it the search phase of a
100,000-file grouping peaked at 897 MB instead of about 700. Smaller blocks still stay in the
heap once freed: ``give_back`` trims every arena where a phase ends. Measured in
docs/BENCHMARKS.md ("100,000 small photos").
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
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


def give_back() -> bool:
    """Return the free pages of every C heap arena to the system (glibc ``malloc_trim``).

    True when memory was returned. False where there is no glibc ``malloc_trim`` (other
    systems, other C libraries) or nothing was returned: nothing depends on it but the
    process's resident memory, so it never fails.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = (ctypes.c_size_t,)
    trim.restype = ctypes.c_int
    return bool(trim(0))


@contextlib.contextmanager
def many_objects() -> Iterator[None]:
    """No cyclic garbage collection while the caller builds many objects that hold no cycles
    (a rescan's records and groups read back, a report's dicts), and as it was after.

    The collector runs every few hundred new objects, and its full passes go over every
    object alive, the 100,000 cache rows of a warm rescan included: a rescan of 100,000 files
    read back from the cache spent a third of its CPU in them (docs/BENCHMARKS.md).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
