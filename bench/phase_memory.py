"""Where the command's memory peaks: ``dedupe-gui ARGS`` run in process, its resident memory
read every 5 ms with the phase it is in.

    python -m bench.phase_memory OUT.txt scan FOLDER --cache COPY -q --format json

A thread reads ``/proc/self/statm`` every 5 ms and keeps, for each phase (the innermost
three of the grouping's steps wrapped as bench.grouping_memory wraps them, e.g.
``groups() > take_in_left``), the highest RSS seen in it and when. OUT.txt gets the
process's high-water mark (VmHWM), its CPU seconds and that table, in the order the phases
first came. The command's own output goes where it would (stdout).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from bench.measured import memory_mb

_F = TypeVar("_F", bound=Callable[..., Any])
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


class Phases:
    """The phase stack and the highest RSS seen in each phase (by its innermost three)."""

    def __init__(self) -> None:
        self.stack = ["start"]
        self.peaks: dict[str, tuple[float, float]] = {}  # phase -> (MB, seconds in)
        self.started = time.perf_counter()
        self._done = threading.Event()

    def wrap(self, name: str, fn: _F) -> _F:
        @functools.wraps(fn)
        def marked(*args: Any, **kwargs: Any) -> Any:
            self.stack.append(name)
            try:
                return fn(*args, **kwargs)
            finally:
                self.stack.pop()

        return marked  # type: ignore[return-value]

    def sample(self) -> None:
        while not self._done.wait(0.005):
            rss = _rss_mb()
            name = " > ".join(self.stack[-3:])
            seen = self.peaks.get(name)
            if seen is None or rss > seen[0]:
                self.peaks[name] = (rss, time.perf_counter() - self.started)

    def stop(self) -> None:
        self._done.set()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        raise SystemExit(__doc__)
    from dedupe_gui import cli
    from dedupe_gui.core import (
        centre_candidates,
        grouping,
        keeper_standing,
        kept_groupings,
        pair_words,
        window_candidates,
    )
    from dedupe_gui.core.cache import FingerprintStore

    phases = Phases()
    index = grouping.SimilarityIndex
    wrapped: list[tuple[Any, str, str]] = [
        (kept_groupings, "group_kept", "group_kept"),
        (FingerprintStore, "pair_checks", "store.pair_checks"),
        (index, "__init__", "index init"),
        (index, "groups", "groups()"),
        (index, "_plain", "hash pairs"),
        (index, "_turned", "turned pairs"),
        (window_candidates.WindowCandidates, "__init__", "window index"),
        (window_candidates.WindowCandidates, "at", "window pairs"),
        (centre_candidates.CentreCandidates, "at", "centre pairs"),
        (grouping, "adjacency", "adjacency"),
        (index, "_walk", "walk"),
        (keeper_standing.KeeperRanking, "standing", "standing"),
        (grouping, "take_in_left", "take_in_left"),
        (keeper_standing.KeeperRanking, "edited_peer", "edited_peer"),
        (pair_words.PairWords, "explain_all", "explain_all"),
        (kept_groupings, "encode", "encode"),
    ]
    saved = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in wrapped]
    for owner, attr, name in wrapped:
        setattr(owner, attr, phases.wrap(name, getattr(owner, attr)))
    sampler = threading.Thread(target=phases.sample, daemon=True)
    sampler.start()
    try:
        status = cli.main(args[1:])
    finally:
        phases.stop()
        sampler.join()
        for owner, attr, fn in saved:
            setattr(owner, attr, fn)
        times = os.times()
        with open(args[0], "w", encoding="utf-8") as out:
            out.write(f"VmHWM {memory_mb()[1]:.1f} MB, CPU {times.user + times.system:.1f} s\n")
            for name, (mb, at) in phases.peaks.items():
                out.write(f"{mb:8.1f} MB at {at:8.1f} s  {name}\n")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
