"""core.heap: freed memory handed back between phases where glibc can, and nothing else where
it cannot."""

from __future__ import annotations

import ctypes
import platform
import sys

import pytest

from dedupe_gui.core.heap import give_back, map_large_blocks_apart


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
