"""What the store keeps of whole groupings: the groups of a library, by what they depend on.

Apart from core.cache (opening, setting aside, fingerprints by file) because a row here is
about every file of a scan at once: its key is a digest of all the records, the options and
the code that grouped them (core.kept_groupings), so a rescan of an unchanged library takes
its groups from here instead of searching, checking and ranking 100,000 files again, and any
change (a file added, removed or edited, another threshold, another version of the rules)
simply asks for another key. Only the few most recently used groupings are kept.
"""

from __future__ import annotations

import sqlite3
from typing import Final

# Groupings kept: a few thresholds or libraries tried in turn; each is about 10 bytes a
# grouped file (zlib-compressed).
GROUPINGS_KEPT: Final = 4
# The order of use: one more than the latest (a counter, not a clock, so no two are equal).
_NEXT: Final = "(SELECT COALESCE(MAX(used), 0) + 1 FROM groupings)"


class GroupingMemory:
    """The groupings table of a FingerprintStore (it provides the connection and failure rule)."""

    _db: sqlite3.Connection
    _writable: bool

    def _fail(self, exc: sqlite3.DatabaseError) -> None:
        raise NotImplementedError

    def kept_grouping(self, key: bytes) -> bytes | None:
        """The grouping kept under ``key`` (core.kept_groupings), or None; marked used now."""
        try:
            row = self._db.execute("SELECT formed FROM groupings WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return None
        if row is None:
            return None
        if self._writable:
            try:
                self._db.execute(f"UPDATE groupings SET used = {_NEXT} WHERE key = ?", (key,))
                self._db.commit()
            except sqlite3.DatabaseError as exc:
                self._fail(exc)
        return bytes(row[0])

    def keep_grouping(self, key: bytes, formed: bytes) -> None:
        """Keep ``formed`` under ``key``, and only the ``GROUPINGS_KEPT`` most recently used."""
        if not self._writable:
            return
        try:
            self._db.execute(
                f"INSERT OR REPLACE INTO groupings VALUES (?, ?, {_NEXT})", (key, formed)
            )
            self._db.execute(
                "DELETE FROM groupings WHERE key NOT IN "
                "(SELECT key FROM groupings ORDER BY used DESC LIMIT ?)",
                (GROUPINGS_KEPT,),
            )
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
