"""What the store keeps of the candidate searches: the pairs of hash values found, by value.

Apart from core.cache (opening, setting aside, fingerprints by file) because a row here is
about values, not files (core.kept_searches): it holds whichever values a search met, and is
true of them whatever files hold them now, so no file's change ever makes it wrong; a
library with a few files changed completes the search from it. Only the few most recently
used searches are kept (each kind at one or two radii).
"""

from __future__ import annotations

import sqlite3
from typing import Final

# Searches kept: the five kinds of one grouping (own hashes, turned, centres, two window
# sets) at two or three thresholds; at 100,000 files one grouping's are some 50 MB.
SEARCHES_KEPT: Final = 12
# The order of use: one more than the latest (a counter, not a clock, so no two are equal).
_NEXT: Final = "(SELECT COALESCE(MAX(used), 0) + 1 FROM searches)"


class SearchMemory:
    """The searches table of a FingerprintStore (it provides the connection and failure rule)."""

    _db: sqlite3.Connection
    _writable: bool

    def _fail(self, exc: sqlite3.DatabaseError) -> None:
        raise NotImplementedError

    def kept_search(self, name: str) -> bytes | None:
        """The search kept under ``name`` (core.kept_searches), or None."""
        try:
            row = self._db.execute("SELECT kept FROM searches WHERE name = ?", (name,)).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):  # an older file opened read-only has none
                self._fail(exc)
            return None
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return None
        return None if row is None else bytes(row[0])

    def keep_search(self, name: str, blob: bytes) -> None:
        """Keep ``blob`` under ``name``, and only the ``SEARCHES_KEPT`` most recently kept."""
        if not self._writable:
            return
        try:
            self._db.execute(
                f"INSERT OR REPLACE INTO searches VALUES (?, ?, {_NEXT})", (name, blob)
            )
            self._db.execute(
                "DELETE FROM searches WHERE name NOT IN "
                "(SELECT name FROM searches ORDER BY used DESC LIMIT ?)",
                (SEARCHES_KEPT,),
            )
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
