"""What the fingerprint cache holds, and keeping it tidy: ``dedupe-gui cache info|prune|clear``.

Entries of files that are not there now are kept by a scan: a drive that is unplugged today
is back tomorrow, and hashing it all again is what the cache is for. ``prune`` removes only
what cannot come back (a file gone from a folder that is still there), and, when asked, what
no scan has found for a number of days; ``clear`` empties the cache. The Preferences dialog
shows ``cache_info`` (location, size, entries).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass

from dedupe_gui.core.file_ids import stored_id, version_id


class CacheAdminError(Exception):
    """The cache file cannot be read or changed, with the reason."""


@dataclass(frozen=True, slots=True)
class CacheInfo:
    path: str
    exists: bool
    bytes: int = 0  # the database and its write-ahead log
    entries: int = 0  # fingerprints
    failures: int = 0  # files remembered as unreadable
    pair_checks: int = 0  # kept thumbnail-check results
    unseen_days: int | None = None  # days since the least recently found entry was found
    missing: int | None = None  # entries whose file is not there now (with check_files)
    unreachable: int | None = None  # of those, in a folder that is not there (a drive away?)


@dataclass(frozen=True, slots=True)
class PruneResult:
    removed_gone: int  # files gone from folders that are still there
    removed_old: int  # not found by any scan for longer than asked
    kept_away: int  # files whose folder is not there (an unplugged drive): kept
    bytes_before: int
    bytes_after: int


def _size(path: str) -> int:
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += os.path.getsize(path + suffix)
    return total


@contextlib.contextmanager
def _connect(path: str) -> Iterator[sqlite3.Connection]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=5.0)
    except sqlite3.DatabaseError as exc:
        raise CacheAdminError(f"cannot open the cache {path}: {exc}") from exc
    try:
        yield db
        db.commit()
    except sqlite3.DatabaseError as exc:
        raise CacheAdminError(f"the cache {path} cannot be used: {exc}") from exc
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _count(db: sqlite3.Connection, sql: str) -> int:
    return int(db.execute(sql).fetchone()[0])


def _status(path: str) -> str:
    """'there', 'gone' (its folder is there, the file is not) or 'away' (no folder)."""
    if os.path.lexists(path):
        return "there"
    return "gone" if os.path.isdir(os.path.dirname(path)) else "away"


def cache_info(path: str, check_files: bool = False) -> CacheInfo:
    """What the cache at ``path`` holds; ``check_files`` also looks for every entry's file."""
    if not os.path.exists(path):
        return CacheInfo(path, False)
    with _connect(path) as db:
        tables = _tables(db)
        if "fingerprints" not in tables:
            raise CacheAdminError(f"{path} is not a fingerprint cache")
        entries = _count(db, "SELECT COUNT(*) FROM fingerprints WHERE error IS NULL")
        failures = _count(db, "SELECT COUNT(*) FROM fingerprints WHERE error IS NOT NULL")
        checks = _count(db, "SELECT COUNT(*) FROM pair_checks") if "pair_checks" in tables else 0
        unseen = None
        if "identities" in tables:
            oldest = db.execute("SELECT MIN(seen) FROM identities").fetchone()[0]
            if oldest is not None:
                unseen = max(0, int(time.time() // 86400) - int(oldest))
        missing = unreachable = None
        if check_files:
            statuses = [
                _status(os.fsdecode(p)) for (p,) in db.execute("SELECT path FROM fingerprints")
            ]
            missing = sum(1 for s in statuses if s != "there")
            unreachable = sum(1 for s in statuses if s == "away")
    return CacheInfo(
        path, True, _size(path), entries, failures, checks, unseen, missing, unreachable
    )


def prune(path: str, older_than_days: float | None = None) -> PruneResult:
    """Remove entries of files gone from folders that are still there, and with
    ``older_than_days`` also entries no scan has found for that long (entries from before
    the cache kept that date count as never found). Entries in folders that are not there
    are kept otherwise."""
    before = _size(path)
    if not os.path.exists(path):
        return PruneResult(0, 0, 0, 0, 0)
    limit = None if older_than_days is None else time.time() / 86400 - older_than_days
    gone: list[bytes] = []
    old: list[bytes] = []
    away = 0
    with _connect(path) as db:
        if "identities" not in _tables(db):
            raise CacheAdminError(f"{path} is not a fingerprint cache of this version")
        rows = db.execute(
            "SELECT f.path, i.seen FROM fingerprints f LEFT JOIN identities i ON i.path = f.path"
        ).fetchall()
        for blob, seen in rows:
            status = _status(os.fsdecode(blob))
            if status == "gone":
                gone.append(blob)
            elif limit is not None and (seen is None or seen < limit):
                old.append(blob)
            elif status == "away":
                away += 1
        doomed = [(b,) for b in gone + old]
        db.executemany("DELETE FROM fingerprints WHERE path = ?", doomed)
        db.executemany("DELETE FROM identities WHERE path = ?", doomed)
        tables = _tables(db)
        if "thumbnails" in tables:  # schema 5 on (core.cache_layout)
            db.executemany("DELETE FROM thumbnails WHERE path = ?", doomed)
        if "picture_boxes" in tables:
            _forget_boxes_of_others(db)
        db.commit()
        if doomed:
            db.execute("VACUUM")
    return PruneResult(len(gone), len(old), away, before, _size(path))


def _forget_boxes_of_others(db: sqlite3.Connection) -> None:
    """Delete the picture boxes kept for file versions the cache no longer holds: files
    removed here, and earlier versions of files edited since (a box is kept by version)."""
    live = {
        stored_id(version_id(os.fsdecode(p), size, mtime))
        for p, size, mtime in db.execute("SELECT path, size, mtime_ns FROM fingerprints")
    }
    stale = [(f,) for (f,) in db.execute("SELECT file FROM picture_boxes") if f not in live]
    db.executemany("DELETE FROM picture_boxes WHERE file = ?", stale)


def clear(path: str) -> int:
    """Empty the cache (its file stays, empty); the number of entries it held."""
    if not os.path.exists(path):
        return 0
    with _connect(path) as db:
        tables = _tables(db)
        if "fingerprints" not in tables:
            raise CacheAdminError(f"{path} is not a fingerprint cache")
        n = _count(db, "SELECT COUNT(*) FROM fingerprints")
        # Every table but the versions the file was written with: a table added later (kept
        # searches, picture boxes) is emptied too.
        for table in sorted(t for t in tables - {"meta"} if not t.startswith("sqlite_")):
            db.execute(f'DELETE FROM "{table}"')
        db.commit()
        db.execute("VACUUM")
    return n
