"""core.heap: freed memory handed back between phases where glibc can, and nothing else where
it cannot."""

from __future__ import annotations

import ctypes
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

import dedupe_gui
from dedupe_gui.core.heap import blocks_reused, give_back, map_large_blocks_apart


def _rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_pages_go_back_to_the_system() -> None:
    # Blocks below glibc's mapping threshold come from the heap; one kept block above them
    # stops free() from shrinking the heap's top, so only a trim returns their pages.
    blocks = [bytearray(64 * 1024) for _ in range(1024)]
    fence = bytearray(64 * 1024)
    held = _rss_kb()
    del blocks
    assert give_back()
    assert _rss_kb() < held - 32 * 1024  # most of the 64 MB freed left the process
    assert len(fence) == 64 * 1024


def test_no_trim_on_other_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert give_back() is False


class _NoTrim:
    """A C library without malloc_trim (musl, for one)."""


def test_no_trim_without_malloc_trim_or_a_c_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: _NoTrim())
    assert give_back() is False

    def missing(name: object) -> object:
        raise OSError("no C library")

    monkeypatch.setattr(ctypes, "CDLL", missing)
    assert give_back() is False


def test_no_mapping_threshold_on_other_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert map_large_blocks_apart() is False
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", lambda name: _NoTrim())
    assert map_large_blocks_apart() is False


# Run in a fresh process: a test process's heap may hold free blocks from earlier tests,
# which serve a large block without mapping it, whatever the threshold.
_FAULTS = """
import resource, sys
import numpy as np
from dedupe_gui.core.heap import blocks_reused, map_large_blocks_apart


def faults(arrays):
    # Minor page faults while making, filling and freeing arrays of 1 MB.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(arrays):
        block = np.ones(256 * 1024, dtype=np.float32)
        del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


assert map_large_blocks_apart()
apart = faults(40)
with blocks_reused() as taken:
    assert taken
    faults(1)  # the heap grows once
    reused = faults(40)
print(apart, reused, faults(40))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_blocks_reused_while_checks_run_then_mapped_apart_again() -> None:
    # The package under test, wherever it is imported from here.
    root = str(Path(dedupe_gui.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run(
        [sys.executable, "-c", _FAULTS], capture_output=True, text=True, check=True, env=env
    )
    apart, reused, again = (int(v) for v in done.stdout.split())
    # Mapped apart, each 1 MB array is faulted in anew: 256 pages each.
    assert apart >= 40 * 200
    assert reused < 40 * 20
    assert again >= 40 * 200


def test_blocks_reused_changes_nothing_on_other_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    with blocks_reused() as taken:
        assert taken is False
