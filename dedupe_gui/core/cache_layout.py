"""The fingerprint store's layouts before schema 5, and how a store of them becomes this one.

Schemas 3 and 4 kept each file's thumbnails in its fingerprints row: the 32x32 thumbnail
before the window hashes, the fine thumbnail after them in ``look``. A pass over every
fingerprint, which a rescan of an unchanged library makes, then read every page of the
thumbnails too (290 MB for 100,000 small photos, one row a page). Schema 5 keeps them in a
table of their own (core.cache). A store of an older layout opened for writing is moved
over in one transaction, so a failure or a crash half-way leaves it as it was, and nothing
is fingerprinted again; opened read-only (``search``), it is read through temporary views
that show it as this layout, and never written.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Final

from dedupe_gui.core.cache_rows import split_look

# Rows moved per batch: the move holds a batch, not the table.
_BATCH: Final = 2_000
_OLD_COLUMNS: Final = (
    "path, size, mtime_ns, hash, width, height, format, taken, camera, orientation, digest, "
    "error, thumb, turned, look"
)


def old_layout(db: sqlite3.Connection) -> bool:
    """Whether the store's fingerprints table holds the thumbnails (schemas 3 and 4)."""
    columns = {row[1] for row in db.execute("PRAGMA main.table_info(fingerprints)")}
    return "thumb" in columns


def move_thumbnails(db: sqlite3.Connection, create_fingerprints: str, schema: str) -> None:
    """Move a store of the older layout to this one: its fingerprints into a table made by
    ``create_fingerprints`` (this layout's), its thumbnails into the thumbnails table (made
    already), and its recorded ``schema``, all in one transaction (a crash after it never
    leaves this layout under the old number, which older builds would then misread); then
    give the freed pages back to the file system."""
    if db.in_transaction:
        db.commit()
    db.execute("BEGIN IMMEDIATE")
    try:
        if not old_layout(db):  # another process moved it while this one waited for the lock
            db.commit()
            return
        db.execute("ALTER TABLE fingerprints RENAME TO fingerprints_before_5")
        db.execute(create_fingerprints)
        db.execute("DELETE FROM thumbnails")
        rows = db.execute(f"SELECT {_OLD_COLUMNS} FROM fingerprints_before_5")
        while batch := rows.fetchmany(_BATCH):
            moved = []
            thumbnails = []
            for row in batch:
                look, fine = split_look(row[14])
                moved.append((*row[:12], row[13], look))
                if row[12] is not None or fine is not None:
                    thumbnails.append((row[0], row[12], fine))
            db.executemany(f"INSERT INTO fingerprints VALUES ({','.join('?' * 14)})", moved)
            db.executemany("INSERT INTO thumbnails VALUES (?, ?, ?)", thumbnails)
        db.execute("DROP TABLE fingerprints_before_5")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (schema,))
        db.commit()
    except BaseException:
        db.rollback()
        raise
    # The old table's pages are free now: without this the file would keep both sizes. A
    # store that cannot be compacted (a full disk) is still whole, only larger.
    with contextlib.suppress(sqlite3.DatabaseError):
        db.execute("VACUUM")


def read_as_this_layout(db: sqlite3.Connection) -> None:
    """Show a store of the older layout, opened read-only, as this layout: temporary views
    named as this layout's tables (temporary names come first) over its fingerprints."""
    db.create_function("look_head", 1, lambda b: split_look(b)[0], deterministic=True)
    db.create_function("look_fine", 1, lambda b: split_look(b)[1], deterministic=True)
    db.execute(
        "CREATE TEMP VIEW fingerprints AS SELECT path, size, mtime_ns, hash, width, height, "
        "format, taken, camera, orientation, digest, error, turned, look_head(look) AS look "
        "FROM main.fingerprints"
    )
    db.execute(
        "CREATE TEMP VIEW thumbnails AS SELECT path, thumb, look_fine(look) AS fine "
        "FROM main.fingerprints"
    )
