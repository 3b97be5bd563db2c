"""A memory budget for decoding: big pictures wait for room instead of piling up.

Each worker asks for the bytes its picture will need decoded (``decode_cost``) before it
loads the pixels. While the total held stays under the budget, workers run side by side;
a picture larger than the whole budget runs alone, once every other decode has finished.
So eight workers on eight 169-megapixel PNGs decode them one at a time instead of holding
8 GB, and a library of phone photos runs as before.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dedupe_gui.core.heap import give_back

# Beyond the decoded pixels (Pillow keeps 3- and 4-band pictures in 4 bytes a pixel): the
# greyscale copy and the resampling buffers of the fingerprint, about 2 bytes a pixel.
# Measured: a 49 MP RGB PNG peaks at 5.8 bytes a pixel (bench/giant_jpeg.py).
_EXTRA_BYTES_PER_PIXEL = 2


def default_budget() -> int:
    """Half of the memory available now, between 256 MiB and 2 GiB."""
    available = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError):
        pass
    if not available:
        try:
            available = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
        except (OSError, ValueError, AttributeError):
            available = 1 << 30
    return max(256 << 20, min(2 << 30, available // 2))


def decode_cost(width: int, height: int, bands: int, drafted_scale: int = 1) -> int:
    """Bytes a decode of this picture holds at its peak (``drafted_scale``: 8 for a JPEG
    drafted at 1/8 in the DCT domain)."""
    pixels = (width // drafted_scale + 1) * (height // drafted_scale + 1)
    stored = 4 if bands >= 3 else max(1, bands)
    return pixels * (stored + _EXTRA_BYTES_PER_PIXEL)


class MemoryBudget:
    """Bytes shared by the decoding threads of one scan (see the module docstring)."""

    def __init__(self, total: int) -> None:
        self.total = max(1, total)
        self._held = 0
        self._holders = 0
        self._cond = threading.Condition()
        self.peak = 0  # the most held at once, for tests and benchmarks

    @contextmanager
    def hold(self, nbytes: int) -> Iterator[None]:
        with self._cond:
            # Room, or alone: a picture bigger than the budget still decodes, by itself.
            self._cond.wait_for(lambda: self._holders == 0 or self._held + nbytes <= self.total)
            self._held += nbytes
            self._holders += 1
            self.peak = max(self.peak, self._held)
        try:
            yield
        finally:
            if nbytes >= _TRIM_ABOVE:
                give_back()
            with self._cond:
                self._held -= nbytes
                self._holders -= 1
                self._cond.notify_all()


# Pillow allocates big pictures in 16 MiB blocks that glibc keeps in the arena of the thread
# that freed them: without a trim, four workers taking turns on big pictures still end up
# holding four pictures' worth of memory. Measured in bench/giant_jpeg.py.
_TRIM_ABOVE = 64 << 20
