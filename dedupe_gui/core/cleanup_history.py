"""What the cleanup journal says was removed: the entries ``restore`` can put back.

The journal (core.actions) has one JSON line per file acted on. Lines of the outcome phase
(or without a phase, from older journals) whose outcome is "trashed" or "moved" are removals;
restore's own lines mark which of them are back already. A line that cannot be read (a torn
last line after a crash) is skipped.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

RESTORABLE = frozenset({"trashed", "moved"})
RESTORED = "restored"  # the outcome of restore's own lines


@dataclass(frozen=True, slots=True)
class Removed:
    """One journal line saying a file left its place: what restore can undo."""

    time: datetime  # UTC
    run: str  # the cleanup it belonged to
    action: str  # "trash" or "move"
    path: str
    size: int
    mtime_ns: int | None  # None in journals from before it was recorded
    dest: str | None  # where a move put it
    companion_of: str = ""


# -- reading the journal ----------------------------------------------------------------------


def _decoded(line: dict[str, object], key: str) -> str | None:
    """A name from the journal: the exact bytes when the line carries them."""
    raw = line.get(f"{key}_bytes")
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            return os.fsdecode(base64.b64decode(raw))
    value = line.get(key)
    return value if isinstance(value, str) else None


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def read_journal(path: str) -> tuple[list[Removed], set[tuple[str, str]]]:
    """Files the journal says left their place, oldest first, and (run, path) pairs already
    restored. Lines that cannot be read (a torn last line) are skipped."""
    removed: list[Removed] = []
    restored: set[tuple[str, str]] = set()
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            lines = f.readlines()
    except FileNotFoundError:
        return [], set()
    for text in lines:
        try:
            line = json.loads(text)
        except ValueError:
            continue
        if not isinstance(line, dict) or line.get("phase", "outcome") != "outcome":
            continue
        file_path = _decoded(line, "path")
        when = _parse_time(line.get("time"))
        if file_path is None or when is None:
            continue
        outcome = line.get("outcome")
        if line.get("action") == "restore":
            if outcome == RESTORED:
                restored.add((str(line.get("of_run", "")), file_path))
            continue
        if outcome not in RESTORABLE:
            continue
        dest = _decoded(line, "dest")
        reason = line.get("reason")
        if dest is None and outcome == "moved" and isinstance(reason, str):
            dest = reason.removeprefix("to ").split("; ")[0] or None  # older lines
        size = line.get("size")
        mtime_ns = line.get("mtime_ns")
        removed.append(
            Removed(
                when,
                str(line.get("run") or _legacy_run(when)),
                "move" if outcome == "moved" else "trash",
                file_path,
                size if isinstance(size, int) else -1,
                mtime_ns if isinstance(mtime_ns, int) else None,
                dest,
                str(line.get("companion_of") or ""),
            )
        )
    return removed, restored


def _legacy_run(when: datetime) -> str:
    """Journals without run ids: lines of the same minute count as one cleanup."""
    return when.strftime("%Y%m%dT%H%MZ")


def select(
    removed: Sequence[Removed],
    restored: Collection[tuple[str, str]] = (),
    *,
    last: bool = False,
    since: datetime | None = None,
    runs: Iterable[str] = (),
    paths: Iterable[str] = (),
) -> list[Removed]:
    """The entries to put back: the last cleanup, those since a time, of given runs, or of
    given original paths (the latest removal of each); entries already restored are left out.
    """
    todo = [r for r in removed if (r.run, r.path) not in restored]
    chosen: list[Removed] = []
    if last and removed:
        # The last cleanup, even when part of it is back already: never an older one.
        last_run = removed[-1].run
        chosen += [r for r in todo if r.run == last_run]
    if since is not None:
        chosen += [r for r in todo if r.time >= since]
    wanted_runs = set(runs)
    if wanted_runs:
        chosen += [r for r in todo if r.run in wanted_runs]
    wanted = {os.path.abspath(p) for p in paths}
    if wanted:
        latest: dict[str, Removed] = {}
        for r in todo:
            if r.path in wanted:
                latest[r.path] = r
        chosen += latest.values()
    unique: dict[tuple[str, str], Removed] = {}
    for r in chosen:
        unique[(r.run, r.path)] = r
    # Companions after their photos is no matter: each goes to its own place.
    return sorted(unique.values(), key=lambda r: (r.time, r.path))


_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``2h``, ``30m``, ``3d``, ``1w`` ago, or an ISO date/time (local time unless it says)."""
    now = now or datetime.now(timezone.utc)
    m = _RELATIVE.match(text.strip().lower())
    if m:
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m[2]]
        return now - timedelta(**{unit: float(m[1])})
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"not a time: {text!r} (try 2h, 3d, 2026-12-01 or 2026-12-01T18:30)"
        ) from None
    return t if t.tzinfo else t.astimezone()  # a naive time is the user's local time


def iter_runs(removed: Sequence[Removed]) -> Iterator[tuple[str, datetime, int]]:
    """(run, first time, files) of each cleanup in the journal, oldest first."""
    seen: dict[str, tuple[datetime, int]] = {}
    for r in removed:
        first, n = seen.get(r.run, (r.time, 0))
        seen[r.run] = (first, n + 1)
    for run, (first, n) in seen.items():
        yield run, first, n
