"""The fingerprint store's tables and versions: this layout's SQL, which older layouts it
still reads, and how a file of ours that was opened is brought to this version. A file made
by a newer dedupe-gui is refused before anything is written (``refuse_newer``); the
thumbnails' move from schemas 3 and 4 is in core.cache_layout.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from dedupe_gui.core.cache_layout import move_thumbnails, old_layout
from dedupe_gui.core.hashes import ALGORITHM_VERSION, CHECK_VERSION, WORDS_VERSION

# 2: thumb and turned columns; 3: look column; 4: identities.quick; 5: the thumbnails in a
# table of their own (a pass over every fingerprint read the thumbnails' pages too).
SCHEMA_VERSION: Final = 5
# Layouts whose fingerprints read as this one's: opened read-only (``search``) as they are
# (the thumbnails of 3 and 4 seen through views), and upgraded in place when opened for
# writing (a column added, the thumbnails moved: nothing fingerprinted again).
READABLE_SCHEMAS: Final = ("3", "4", "5")

FINGERPRINTS_TABLE = """
CREATE TABLE IF NOT EXISTS fingerprints (
    path BLOB PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash INTEGER,
    width INTEGER,
    height INTEGER,
    format TEXT,
    taken TEXT,
    camera TEXT,
    orientation INTEGER,
    digest TEXT,
    error TEXT,
    turned BLOB,
    look BLOB  -- pack_look: the grey flag and the window hashes
);
"""

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
    + FINGERPRINTS_TABLE
    + """
-- The thumbnails of a fingerprints row, apart: only the checks of candidate pairs read them.
CREATE TABLE IF NOT EXISTS thumbnails (
    path BLOB PRIMARY KEY,  -- the fingerprints row they belong to
    thumb BLOB,  -- 32x32 greyscale (core.verify)
    fine BLOB  -- the fine thumbnail of a picture of flat areas and edges, or NULL
);
-- What a file's content is, besides where it was (core.identity): a renamed, moved or
-- copied-with-times photo is found here by content and not decoded again.
CREATE TABLE IF NOT EXISTS identities (
    path BLOB PRIMARY KEY,  -- the fingerprints row this describes
    ident BLOB NOT NULL,  -- size, mtime_ns and a digest of the first and last blocks
    change_ns INTEGER NOT NULL,  -- st_ctime_ns when ident was read: unchanged means not re-read
    seen INTEGER NOT NULL,  -- day (since 1970) the entry was last found in a scan
    quick TEXT  -- core.digests.head_tail_digest read while st_ctime_ns was change_ns, or NULL
);
CREATE INDEX IF NOT EXISTS identities_by_ident ON identities (ident);
CREATE TABLE IF NOT EXISTS pair_checks (
    pair INTEGER PRIMARY KEY,  -- core.candidates.pair_id: both files' versions and the turn
    residual REAL NOT NULL,
    good_enough REAL NOT NULL  -- the limit the check was allowed to stop early at
);
CREATE TABLE IF NOT EXISTS pair_words (
    pair INTEGER PRIMARY KEY,  -- core.candidates.said_id: keeper's and file's versions, turn
    words TEXT NOT NULL  -- core.differences, one per line
);
-- Where a file's picture sits in its frame (core.picture_boxes), kept by the file's
-- version; forgotten with the words, which are said from it.
CREATE TABLE IF NOT EXISTS picture_boxes (
    file INTEGER PRIMARY KEY,  -- core.candidates.file_id (as a signed 64-bit integer)
    placed BLOB NOT NULL  -- core.picture_boxes.pack_placed
);
-- Whole groupings of a library (core.kept_groupings), by a digest of what they depend on.
CREATE TABLE IF NOT EXISTS groupings (
    key BLOB PRIMARY KEY,
    formed BLOB NOT NULL,
    used INTEGER NOT NULL  -- order of the last use: only the latest few are kept
);
-- Candidate searches by the hash values they met (core.kept_searches): true of those values
-- whatever files hold them, so no file's change makes a row wrong. Added without a new
-- schema number: an older build never reads it, and one that writes fingerprints beside it
-- leaves it as true as it was.
CREATE TABLE IF NOT EXISTS searches (
    name TEXT PRIMARY KEY,  -- the kind of search and its radius
    kept BLOB NOT NULL,
    used INTEGER NOT NULL  -- order of the last keeping: only the latest few are kept
);
"""
)


class MadeByNewer(Exception):
    """The cache was written by a newer dedupe-gui: its tables may mean what this version
    cannot know, so it is left exactly as it is (that version still has its work in it)."""


def refuse_newer(db: sqlite3.Connection) -> None:
    """MadeByNewer when any version the cache records is above this build's. Reading only:
    nothing is written before the versions are known to be this build's or older ones."""
    try:
        stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.OperationalError:
        return  # a new file, or one without versions yet
    ours = {
        "schema": SCHEMA_VERSION,
        "algorithm": ALGORITHM_VERSION,
        "checks": CHECK_VERSION,
        "words": WORDS_VERSION,
    }
    for key, version in ours.items():
        value = stored.get(key)
        if value is not None and value.isdigit() and int(value) > version:
            raise MadeByNewer(f"{key} {value}; this one {version}")


def add_missing_columns(db: sqlite3.Connection) -> None:
    """Upgrade an older layout of ours in place: the columns added since (each NULL in the
    rows that were there), so nothing kept is lost."""
    have = {row[1] for row in db.execute("PRAGMA table_info(identities)")}
    if "quick" not in have:
        db.execute("ALTER TABLE identities ADD COLUMN quick TEXT")


def bring_to_this_version(db: sqlite3.Connection) -> None:
    """Bring an opened store of ours (its versions not newer: ``refuse_newer``) to this
    layout and versions: an unreadable layout rebuilt, older ones moved over, and what
    another algorithm, check or words version made forgotten."""
    stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
    wanted = {
        "schema": str(SCHEMA_VERSION),
        "algorithm": str(ALGORITHM_VERSION),
        "checks": str(CHECK_VERSION),
        "words": str(WORDS_VERSION),
    }
    forget: tuple[str, ...] = ()
    if stored.get("schema", wanted["schema"]) not in READABLE_SCHEMAS:
        # Another table layout: CREATE TABLE IF NOT EXISTS kept the old one; rebuild it.
        # The pair checks go too: they judged fingerprints of the old layout.
        db.execute("DROP TABLE fingerprints")
        db.execute("DROP TABLE identities")
        db.executescript(SCHEMA)
        forget = (
            "thumbnails",
            "pair_checks",
            "pair_words",
            "picture_boxes",
            "groupings",
            "searches",
        )
    else:
        add_missing_columns(db)
        other_algorithm = stored.get("algorithm", wanted["algorithm"]) != wanted["algorithm"]
        if old_layout(db) and other_algorithm:
            # Its fingerprints go below anyway: made anew in this layout, not moved.
            db.execute("DROP TABLE fingerprints")
            db.executescript(SCHEMA)
        elif old_layout(db):  # schemas 3 and 4 (core.cache_layout)
            move_thumbnails(db, FINGERPRINTS_TABLE, wanted["schema"])
        if other_algorithm:
            # Fingerprints from another algorithm would group wrongly: start over.
            db.execute("DELETE FROM fingerprints")
            db.execute("DELETE FROM identities")
            # The searches stay true of their values, but no value of the new hashes is
            # likely among them: they go, and their room with them.
            forget = (
                "thumbnails",
                "pair_checks",
                "pair_words",
                "picture_boxes",
                "groupings",
                "searches",
            )
        elif stored.get("checks", "1") != wanted["checks"]:
            # A check that now rejects pairs an older one passed: its verdicts are
            # redone, and what differs is said again with it.
            forget = ("pair_checks", "pair_words", "picture_boxes", "groupings")
        elif stored.get("words", wanted["words"]) != wanted["words"]:
            # What differs is said another way now.
            forget = ("pair_words", "picture_boxes", "groupings")
    for table in forget:
        db.execute(f"DELETE FROM {table}")
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", wanted.items())
