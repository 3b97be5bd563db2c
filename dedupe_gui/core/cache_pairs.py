"""What the store keeps about pairs of files: thumbnail-check verdicts and what differs; and
where each grouped file's picture sits in its frame, which what differs is said from.

Apart from core.cache (opening, setting aside, fingerprints by file) because these rows are
about two file versions at once and are keyed by ids the grouping computes
(core.candidates ``pair_id`` and ``said_id``): a rescan of an unchanged library takes both
from here instead of aligning thumbnails again, and a changed file simply never asks for
its old rows again.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Mapping
from typing import Final

from dedupe_gui.core.file_ids import stored_id

# Words are joined with a character none of them holds (core.differences).
_SEPARATOR: Final = "\n"
_UNSIGNED: Final = (1 << 64) - 1


class PairMemory:
    """The pair tables of a FingerprintStore (it provides the connection and failure rule)."""

    _db: sqlite3.Connection
    _writable: bool
    _warn: Callable[[str], None]
    _pending: int

    def _fail(self, exc: sqlite3.DatabaseError) -> None:
        raise NotImplementedError

    def pair_checks(self, good_enough: float) -> dict[int, float]:
        """Thumbnail-check residuals kept from earlier groupings at the same early-stop limit.

        Keys name both files' versions (path, size, mtime), so a changed file never reuses
        an old verdict; the rows of files that changed are simply never asked for again.
        """
        try:
            rows = self._db.execute(
                "SELECT pair, residual FROM pair_checks WHERE good_enough = ?", (good_enough,)
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}
        return {int(p): float(r) for p, r in rows}

    def put_pair_checks(self, checks: Mapping[int, float], good_enough: float) -> None:
        if not checks or not self._writable:
            return
        self._put_many(
            "INSERT OR REPLACE INTO pair_checks VALUES (?, ?, ?)",
            ((p, r, good_enough) for p, r in checks.items()),
        )

    def pair_words(self) -> dict[int, tuple[str, ...]]:
        """What differs between a grouped file and its keeper, by ``said_id``, as said by
        earlier groupings (SimilarityIndex ``known_words``)."""
        try:
            rows = self._db.execute("SELECT pair, words FROM pair_words").fetchall()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}
        return {int(p): tuple(w.split(_SEPARATOR)) if w else () for p, w in rows}

    def put_pair_words(self, words: Mapping[int, tuple[str, ...]]) -> None:
        if not words or not self._writable:
            return
        self._put_many(
            "INSERT OR REPLACE INTO pair_words VALUES (?, ?)",
            ((p, _SEPARATOR.join(w)) for p, w in words.items()),
        )

    def picture_boxes(self) -> dict[int, bytes]:
        """Where each file's picture sits in its frame, by ``file_id`` (core.picture_boxes),
        as placed by earlier groupings."""
        try:
            rows = self._db.execute("SELECT file, placed FROM picture_boxes").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):  # an older file opened read-only has none
                self._fail(exc)
            return {}
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return {}
        return {int(f) & _UNSIGNED: bytes(p) for f, p in rows}

    def put_picture_boxes(self, boxes: Mapping[int, bytes]) -> None:
        if not boxes or not self._writable:
            return
        # A file id takes all 64 bits; SQLite's integers are signed.
        self._put_many(
            "INSERT OR REPLACE INTO picture_boxes VALUES (?, ?)",
            ((stored_id(f), p) for f, p in boxes.items()),
        )

    def _put_many(self, sql: str, rows: object) -> None:
        try:
            self._db.executemany(sql, rows)  # type: ignore[arg-type]
            self._db.commit()
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                self._fail(exc)
                return
            # Another program writes to the cache for longer than the wait (a scan of the
            # command line beside the window's grouping, which hands its verdicts over many
            # times): these rows are saved work only, checked again by a later grouping,
            # so they are let go and the store goes on writing the next ones.
            # (A connection with fingerprints pending holds the write lock and is never kept
            # waiting, so the rollback ends only this attempt and its stale read.)
            if not self._pending:
                with contextlib.suppress(sqlite3.DatabaseError):
                    self._db.rollback()
            self._warn(f"cache busy ({exc}): some pair verdicts were not kept this time")
        except sqlite3.DatabaseError as exc:
            self._fail(exc)


def _busy(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite gave up waiting for another connection's lock."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text
