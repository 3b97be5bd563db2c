"""Long sorts done in short calls, so that another thread gets the interpreter in between.

The window groups on a worker thread while its own thread paints and answers. Python hands
the interpreter lock from one thread to another only between steps of Python code; one call
into C keeps it to the end. Sorting 100,000 files by their keeper keys (tuples compared in C,
through ``keys.__getitem__``) was such a call, 70-100 ms of CPU: the window's thread, waiting
for the lock, stood still for the whole sort, 0.4-0.7 s on a loaded machine, where the
worker holding the lock waits for a core (docs/BENCHMARKS.md, "The window: GUI-thread
stalls").

``stable_order`` sorts runs of ``RUN`` items, then merges the runs two by two, each merge cut
along its merge path into pieces of at most ``RUN`` items: a piece is two sorted stretches
laid end to end, which Python's sort merges in one pass. So no call sorts more than ``RUN``
items, and the lock can change hands between calls. The order is the one
``sorted(range(n), key=key)`` gives: the runs hold consecutive indices, a merge puts the left
run's item first on a tie, and each sort is stable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

RUN: Final = 4096


def stable_order(n: int, key: Callable[[int], Any], run: int = RUN) -> list[int]:
    """The indices ``0..n-1`` ordered by ``key`` (ties in index order), in calls that each
    sort at most ``run`` items."""
    if run < 1:
        raise ValueError(f"run must be at least 1, not {run}")
    runs: list[list[int]] = []
    for start in range(0, n, run):
        part = list(range(start, min(n, start + run)))
        part.sort(key=key)
        runs.append(part)
    while len(runs) > 1:
        merged = [merge(runs[i], runs[i + 1], key, run) for i in range(0, len(runs) - 1, 2)]
        if len(runs) % 2:
            merged.append(runs[-1])
        runs = merged
    return runs[0] if runs else []


def merge(a: list[int], b: list[int], key: Callable[[int], Any], run: int = RUN) -> list[int]:
    """Two runs sorted by ``key`` as one (``a``'s item first on a tie), ``run`` at a time."""
    out: list[int] = []
    i = j = 0
    total = len(a) + len(b)
    for d in range(run, total + run, run):
        d = min(d, total)
        i_next = taken_from_a(a, b, d, key)
        piece = a[i:i_next] + b[j : d - i_next]
        piece.sort(key=key)  # two sorted stretches end to end: one merge pass
        out += piece
        i, j = i_next, d - i_next
    return out


def taken_from_a(a: list[int], b: list[int], d: int, key: Callable[[int], Any]) -> int:
    """How many of the merge's first ``d`` items come from ``a`` (a binary search along the
    merge path: ``a[m]`` is among them when ``b[d - m - 1]`` does not sort before it)."""
    lo, hi = max(0, d - len(b)), min(d, len(a))
    while lo < hi:
        m = (lo + hi) // 2
        if not key(b[d - m - 1]) < key(a[m]):
            lo = m + 1
        else:
            hi = m
    return lo
