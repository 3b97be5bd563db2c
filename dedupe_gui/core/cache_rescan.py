"""What a rescan read back in columns (core.rescan) asks of the store, in as few columns as
its decisions need.

Apart from core.cache (whose ``stored`` reads every column a scan makes entries of) because
a rescan of an unchanged library makes entries of only the third of its files that are
grouped: for the others it needs the version (size, mtime_ns), the hash and digest that the
key of the kept grouping is made of, the failure, and the change time their identity was
read at. Reading every column of 100,000 rows, joined to their identities, was a fifth of a
warm rescan; these columns, the identities apart, and the grouped files' fingerprints
afterwards by row id, cost half as much.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from dedupe_gui.core.cache_rows import FINGERPRINT_COLUMNS_NO_THUMB

# Paths per ``IN (...)`` query: under SQLite's historical limit of 999 parameters.
_PARAMS_PER_QUERY: Final = 900
# From this many paths asked at once, the whole table is read when they are half of it.
_WHOLE_TABLE_FROM: Final = 4 * _PARAMS_PER_QUERY
# The columns of a row of ``versions``, in order.
VERSION_COLUMNS: Final = "path, size, mtime_ns, hash, digest, error, rowid"
# Those of a row of ``fingerprint_rows``: its row id, path and version, then a Fingerprint as
# core.cache_rows reads it (``fingerprint_of_row(row[FINGERPRINT_AT:], False)``).
FINGERPRINT_AT: Final = 4
_FINGERPRINT_ROW: Final = (
    f"SELECT rowid, path, size, mtime_ns, {FINGERPRINT_COLUMNS_NO_THUMB} FROM fingerprints "
    "WHERE rowid IN "
)
_first = operator.itemgetter(0)


class RescanReads:
    """The reads of a rescan read back, on a FingerprintStore (which provides the connection
    and the failure rule). A read that fails gives nothing: the rescan is then made in full."""

    _db: sqlite3.Connection

    def _fail(self, exc: sqlite3.DatabaseError) -> None:
        raise NotImplementedError

    def _whole_table(self, blobs: Sequence[bytes]) -> bool:
        """Whether to read whole tables for ``blobs`` rather than look each path up: most of
        the table is asked for (a rescan of the library the cache holds), where one pass
        costs less than a look-up a path."""
        if len(blobs) < _WHOLE_TABLE_FROM:
            return False
        count = self._db.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0]
        return 2 * len(blobs) >= int(count)

    def _by_path(
        self, query: str, blobs: Sequence[bytes], params: tuple[Any, ...] = ()
    ) -> list[tuple[Any, ...]]:
        """The rows of ``query`` (a SELECT of one table, its WHERE clause last, if any) for
        these paths: the whole table's when most of it is asked for (``_whole_table``), rows
        of other paths with them; else a chunk of paths at a time."""
        if self._whole_table(blobs):
            return self._db.execute(query, params).fetchall()
        joiner = "AND" if " WHERE " in query else "WHERE"
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(blobs), _PARAMS_PER_QUERY):
            chunk = blobs[start : start + _PARAMS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            rows += self._db.execute(
                f"{query} {joiner} path IN ({marks})", (*params, *chunk)
            ).fetchall()
        return rows

    def versions(self, blobs: Sequence[bytes]) -> dict[bytes, tuple[Any, ...]]:
        """The fingerprints row of each of these paths that has one, by path blob: the
        ``VERSION_COLUMNS`` as SQLite gives them (the hash as stored: core.cache_rows.from_db
        makes it the fingerprint's). Rows of other paths may come with them."""
        try:
            rows = self._by_path(f"SELECT {VERSION_COLUMNS} FROM fingerprints", blobs)
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}
        return dict(zip(map(_first, rows), rows, strict=True))

    def change_times(self, blobs: Sequence[bytes]) -> dict[bytes, int]:
        """The change time each of these paths' identity was read at, for those that have
        one, by path blob (rows of other paths may come with them)."""
        try:
            return dict(self._by_path("SELECT path, change_ns FROM identities", blobs))
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}

    def seen_before(self, blobs: Sequence[bytes], day: int) -> list[bytes]:
        """Those of these paths whose entry was last marked seen before ``day``, in the
        order given (``mark_seen`` marks them)."""
        try:
            old = self._by_path("SELECT path FROM identities WHERE seen < ?", blobs, (day,))
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return []
        if not old:
            return []
        stale = set(map(_first, old))
        return [b for b in blobs if b in stale]

    def kept_quick(self, blobs: Sequence[bytes]) -> dict[bytes, tuple[Any, ...]]:
        """(path, change_ns, quick) of each of these paths whose identity has a head-and-tail
        digest beside it, by path blob (rows of other paths may come with them): the digest
        is the file's while its change time is still ``change_ns``."""
        query = "SELECT path, change_ns, quick FROM identities WHERE quick IS NOT NULL"
        try:
            rows = self._by_path(query, blobs)
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}
        return dict(zip(map(_first, rows), rows, strict=True))

    def fingerprint_rows(self, rowids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """The rows (see ``FINGERPRINT_AT``) of these row ids of the fingerprints table, by
        row id; the caller checks each is still the path and version it read."""
        found: dict[int, tuple[Any, ...]] = {}
        try:
            for start in range(0, len(rowids), _PARAMS_PER_QUERY):
                chunk = rowids[start : start + _PARAMS_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(_FINGERPRINT_ROW + f"({marks})", chunk).fetchall()
                found.update(zip(map(_first, rows), rows, strict=True))
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}
        return found
