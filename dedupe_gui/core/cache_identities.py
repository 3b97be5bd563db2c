"""What the store keeps about files' content besides their fingerprints (core.identity).

Apart from core.cache (opening, setting aside, fingerprints by path) because these rows are
about content, and are trusted by another rule: a file's identity and its head-and-tail
digest stand as long as its inode change time (st_ctime_ns, which no program can set) is
the one they were read at, so a rescan of an unchanged library reads neither again.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence

from dedupe_gui.core.cache_rows import (
    FINGERPRINT_COLUMNS,
    fingerprint_of_row,
    path_blob,
)
from dedupe_gui.core.models import Entry, Failure, FileKey


def today() -> int:
    """The day (since 1970) an entry is marked seen on."""
    return int(time.time() // 86400)


class IdentityMemory:
    """The identities table of a FingerprintStore (it provides the connection, the batched
    writes and the failure rule)."""

    _db: sqlite3.Connection
    _writable: bool
    _pending: int

    def _fail(self, exc: sqlite3.DatabaseError) -> None:
        raise NotImplementedError

    def _write(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        raise NotImplementedError

    def put_identity(self, path: str, ident: bytes, change_ns: int) -> None:
        """Keep the identity read while the file's change time was ``change_ns``; a head-and-
        tail digest kept for an earlier change time goes with the row it replaces."""
        if self._writable:
            self._write(
                (
                    "INSERT OR REPLACE INTO identities (path, ident, change_ns, seen, quick) "
                    "VALUES (?, ?, ?, ?, NULL)",
                    (path_blob(path), ident, change_ns, today()),
                )
            )

    def put_quick(self, path: str, change_ns: int, quick: str) -> None:
        """Keep the head-and-tail digest read while the file's change time was ``change_ns``
        (the caller checked it did not move during the read); kept only next to an identity
        of that same change time."""
        if self._writable:
            self._write(
                (
                    "UPDATE identities SET quick = ? WHERE path = ? AND change_ns = ?",
                    (quick, path_blob(path), change_ns),
                )
            )

    def mark_seen(self, paths: Sequence[bytes]) -> None:
        """Entries found by this scan (``cache prune --older-than`` keeps them)."""
        if not paths or not self._writable:
            return
        try:
            self._db.executemany(
                "UPDATE identities SET seen = ? WHERE path = ?", ((today(), p) for p in paths)
            )
            self._pending += 1
        except sqlite3.DatabaseError as exc:
            self._fail(exc)

    def identity_versions(self) -> set[tuple[int, int]]:
        """(size, mtime_ns) of every entry with an identity: a file of another version cannot
        be a moved or copied one, so its identity need not be read before it is decoded."""
        try:
            rows = self._db.execute(
                "SELECT f.size, f.mtime_ns FROM identities i JOIN fingerprints f ON f.path = i.path"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return set()
        return {(int(a), int(b)) for a, b in rows}

    def find_by_identity(self, key: FileKey, ident: bytes) -> tuple[Entry, str | None] | None:
        """The entry (and content digest) stored for another path with this very content.

        The fingerprints row must still be the version the identity was read from (same size
        and mtime), so a path reused by other content since is never taken for this file.
        """
        try:
            row = self._db.execute(
                f"SELECT f.error, f.digest, {FINGERPRINT_COLUMNS} "
                "FROM identities i JOIN fingerprints f ON f.path = i.path "
                "LEFT JOIN thumbnails t ON t.path = f.path "
                "WHERE i.ident = ? AND f.size = ? AND f.mtime_ns = ? LIMIT 1",
                (ident, key.size, key.mtime_ns),
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return None
        if row is None:
            return None
        digest = None if row[1] is None else str(row[1])
        if row[0] is not None:
            return Failure(str(row[0])), digest
        return fingerprint_of_row(row[2:]), digest
