"""Handing the C heap's freed memory back to the system between the phases of a scan.

numpy arrays are large C blocks. glibc serves the first ones with their own mappings, but
each such block freed raises its mapping threshold to the block's size (up to 32 MB), after
which blocks of that size come from the heap and the threads' arenas, where freed space stays
with the process: the scan's decoding threads and the Hamming search's workers leave their
arenas full of free pages that the next phase, on another thread, does not reuse. Mapping
every large block apart (a fixed threshold) returned them, but mapped and faulted each array
in anew on every allocation: it doubled the window-hash search's CPU at 100,000 files.
``give_back`` trims every arena once, where a phase ends, and lets the blocks inside a phase
come from the heap. Measured in docs/BENCHMARKS.md ("100,000 small photos").
"""

from __future__ import annotations

import sys


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
