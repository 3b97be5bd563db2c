"""Which files the fingerprint store may open for writing, and what counts as damage.

The store writes into a file the user named or into the default cache, and a file that is
not our own database must never be renamed, truncated, rewritten or migrated. So before
anything else a file's header is read: only an absent or empty file, a SQLite file carrying
our ``application_id``, or (older stores) one with our ``meta`` table is ours. A store of
ours that SQLite calls damaged is set aside and rebuilt by core.cache, never a reason to stop.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from typing import Final

# Written into the SQLite header (PRAGMA application_id, bytes 68-71): "DDUP". It is how a
# file is recognised as ours before it is touched.
APPLICATION_ID: Final = 0x44445550
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_DAMAGE_WORDS: Final = ("not a database", "malformed", "corrupt")


def read_only_uri(path: str) -> str:
    """A SQLite URI that opens ``path`` without ever writing to it."""
    return "file:" + urllib.parse.quote(os.fsencode(os.path.abspath(path))) + "?mode=ro"


def not_ours(path: str) -> str | None:
    """Why ``path`` must not be opened for writing, or None (absent, empty, or ours)."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return "is a folder"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not head:
        return None
    if not head.startswith(_SQLITE_MAGIC) or len(head) < 100:
        return "is not a SQLite database"
    app_id = int.from_bytes(head[68:72], "big")
    if app_id == APPLICATION_ID:
        return None
    if app_id != 0:
        return "is the database of another program"
    try:
        db = sqlite3.connect(read_only_uri(path), uri=True, timeout=2.0)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            ours = {"meta", "fingerprints"} <= tables and db.execute(
                "SELECT 1 FROM meta WHERE key = 'schema'"
            ).fetchone() is not None
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return f"cannot be identified ({exc})"
    return None if ours else "is not a dedupe-gui database"


def damaged(exc: Exception) -> bool:
    """Whether SQLite's error says the file is damaged (set aside and rebuilt) rather than
    locked or unreadable."""
    text = str(exc).lower()
    return any(word in text for word in _DAMAGE_WORDS)
