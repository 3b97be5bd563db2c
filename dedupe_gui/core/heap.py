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

The pair checks of the walk are the other way round: thousands of batches, each making and
freeing the same few hundred arrays of 0.25-4 MB (a chunk of 256 pairs at 32x32, 16 pictures
at 128x128). Mapped apart, every one of them was faulted in anew: a third of a cold grouping's
CPU went to the kernel. While they run (``blocks_reused``), blocks up to ``REUSED_UP_TO`` come
from the heap, which keeps up to ``KEPT_FREE`` of free space at its top for the next array.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from typing import Final

# glibc's mallopt parameter number for the mapping threshold (malloc.h: M_MMAP_THRESHOLD).
_M_MMAP_THRESHOLD: Final = -3
# glibc's mallopt parameter number for the free space a heap keeps at its top (M_TRIM_THRESHOLD),
# and its default.
_M_TRIM_THRESHOLD: Final = -1
_DEFAULT_TRIM: Final = 128 * 1024
# Blocks from this size up are mapped apart: numpy arrays of 32 K values and more.
MAPPED_FROM: Final = 256 * 1024
# While the pair checks run (``blocks_reused``): blocks below this come from the heap, which
# keeps this much free at its top. A check's largest temporaries are 2-4 MB (the Jacobian of
# a chunk of 256 pairs at 32x32, 64-bit sample indices of 16 pictures at 128x128). Measured
# on a 10,000-file cold grouping: the kernel's CPU 14.7 s mapped apart, 3.4 s with these,
# 1.1-1.4 s keeping 32 MB free, which took the peak from 150 to 200 MB (156 MB with these).
REUSED_UP_TO: Final = 8 * 1024 * 1024
KEPT_FREE: Final = 4 * 1024 * 1024


def map_large_blocks_apart() -> bool:
    """Fix glibc's mapping threshold at ``MAPPED_FROM`` for this process (idempotent).

    False where there is no glibc ``mallopt`` (other systems, other C libraries): nothing
    changes there, and nothing depends on it but the process's resident memory.
    """
    return _set(((_M_MMAP_THRESHOLD, MAPPED_FROM),))


@contextlib.contextmanager
def blocks_reused() -> Iterator[bool]:
    """Blocks up to ``REUSED_UP_TO`` from the heap, ``KEPT_FREE`` kept free at its top, while
    the caller runs many batches of the same arrays (the walk's pair checks); after it,
    large blocks are mapped apart again (``map_large_blocks_apart``) and the free pages given
    back. Yields whether glibc took the settings: elsewhere nothing changes but the CPU the
    kernel spends on faults, and the process's resident memory."""
    taken = _set(((_M_MMAP_THRESHOLD, REUSED_UP_TO), (_M_TRIM_THRESHOLD, KEPT_FREE)))
    try:
        yield taken
    finally:
        if taken:
            _set(((_M_TRIM_THRESHOLD, _DEFAULT_TRIM), (_M_MMAP_THRESHOLD, MAPPED_FROM)))
            give_back()


def _set(settings: tuple[tuple[int, int], ...]) -> bool:
    """glibc ``mallopt`` for each (parameter, value); False where there is none."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return all([bool(mallopt(parameter, value)) for parameter, value in settings])


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
