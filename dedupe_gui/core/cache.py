"""SQLite store of fingerprints keyed by path + size + mtime_ns.

One class serves two uses: the scan cache (so a rescan decodes only what changed) and the
fingerprint database of ``dedupe-gui index`` / ``search``. Failures are stored too, under
the same key, so a broken file is not decoded again on every scan. The store is a
convenience, never a reason to stop: a corrupt file is set aside and rebuilt, a locked or
unwritable one is replaced by an in-memory store, each with a warning.

A file that is not our own database is never renamed, truncated, rewritten or migrated:
before anything else the file's header is read, and only an empty file, a SQLite file
carrying our ``application_id``, or (older stores) one with our ``meta`` table is opened
for writing. ``read_only`` stores (``search``) never write at all: no WAL switch, no schema,
no wipe of fingerprints of another algorithm version (that is an error instead).
``required`` stores (``index``) raise ``StoreError`` rather than fall back to memory, so
the command can say the fingerprints were not saved.

One idea, one class: which file the store opens and how, and its fingerprint rows read and
written. The file's tables and versions, and how an opened file is brought to this version, are in
core.cache_schema (the move from older layouts in core.cache_layout); which files it may open
for writing, and what counts as damage, is in core.cache_file; how a fingerprint sits in a
row is in core.cache_rows, the identities' and the pairs' rows are read and written by
core.cache_identities and core.cache_pairs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

from dedupe_gui.core.cache_file import APPLICATION_ID, damaged, not_ours, read_only_uri
from dedupe_gui.core.cache_groupings import GroupingMemory
from dedupe_gui.core.cache_identities import IdentityMemory, today
from dedupe_gui.core.cache_layout import old_layout, read_as_this_layout
from dedupe_gui.core.cache_pairs import PairMemory
from dedupe_gui.core.cache_rescan import RescanReads
from dedupe_gui.core.cache_rows import (
    FINGERPRINT_COLUMNS,
    FINGERPRINT_COLUMNS_NO_THUMB,
    WITH_THUMBNAILS,
    fingerprint_of_row,
    pack_look,
    pack_turned,
    path_blob,
    path_blobs,
    same_version,
    to_db,
)
from dedupe_gui.core.cache_schema import (
    READABLE_SCHEMAS,
    SCHEMA,
    MadeByNewer,
    bring_to_this_version,
    refuse_newer,
)
from dedupe_gui.core.cache_schema import (
    SCHEMA_VERSION as SCHEMA_VERSION,  # where it was
)
from dedupe_gui.core.cache_searches import SearchMemory
from dedupe_gui.core.hashes import ALGORITHM_VERSION
from dedupe_gui.core.models import Entry, Failure, FileKey, Fingerprint
from dedupe_gui.core.places import default_cache_path as default_cache_path

_COMMIT_EVERY_ROWS: Final = 500
_COMMIT_EVERY_SECONDS: Final = 2.0

# Paths per ``IN (...)`` query: under SQLite's historical limit of 999 parameters.
_PARAMS_PER_QUERY: Final = 900
# From this many paths asked at once, the whole table is read when they are half of it.
_WHOLE_TABLE_FROM: Final = 4 * _PARAMS_PER_QUERY


class Cached(NamedTuple):
    """What the store knows of one file version."""

    entry: Entry
    digest: str | None  # the whole content's digest, where one was taken
    ident: bytes | None  # its content identity (core.identity), None when none is kept
    change_ns: int  # the st_ctime_ns ``ident`` (and ``quick``) were read at
    quick: str | None  # its head-and-tail digest (core.digests), where one was kept


# A Cached from its five values, without the named tuple's Python-level constructor.
_cached: Callable[[tuple[Any, ...]], Cached] = functools.partial(tuple.__new__, Cached)


class StoreError(Exception):
    """The database cannot be used as asked (not ours, damaged, locked, unwritable, of
    another algorithm version); it was left as it was."""


def _is_default_cache(path: str) -> bool:
    return os.path.abspath(path) == os.path.abspath(default_cache_path())


class FingerprintStore(IdentityMemory, PairMemory, GroupingMemory, SearchMemory, RescanReads):
    """A fingerprint store in one SQLite file (or in memory when ``path`` is None).

    Use from one thread at a time. Writes are buffered and committed in batches.
    """

    def __init__(
        self,
        path: str | None,
        warn: Callable[[str], None] = lambda _m: None,
        *,
        read_only: bool = False,
        required: bool = False,
    ) -> None:
        self.path = path
        self._warn = warn
        self._pending = 0
        self._last_commit = time.monotonic()
        self._writable = not read_only
        self._read_only = read_only
        self._required = required
        self.persistent = path is not None  # False once it fell back to memory
        self._db = self._open_read_only(path) if read_only and path else self._open(path)

    @property
    def saved(self) -> bool:
        """Everything put so far is in the file (not in memory, no write failed)."""
        return self.persistent and self._writable

    # -- opening -------------------------------------------------------------------------

    def _open_read_only(self, path: str) -> sqlite3.Connection:
        if not os.path.isfile(path):
            raise StoreError(f"no such database: {path}")
        why = not_ours(path)
        if why is not None:
            raise StoreError(f"{path} {why}; it was not changed")
        try:
            db = sqlite3.connect(read_only_uri(path), uri=True, timeout=2.0)
            stored = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} cannot be read ({exc})") from exc
        if stored.get("schema") not in READABLE_SCHEMAS or stored.get("algorithm") != str(
            ALGORITHM_VERSION
        ):
            db.close()
            raise StoreError(
                f"{path} was made by another version of dedupe-gui (schema "
                f"{stored.get('schema')}, algorithm {stored.get('algorithm')}; this one "
                f"{SCHEMA_VERSION}, {ALGORITHM_VERSION}); run 'index' into a new file"
            )
        try:
            if old_layout(db):
                read_as_this_layout(db)  # never written: seen through views (core.cache_layout)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StoreError(f"{path} cannot be read ({exc})") from exc
        return db

    def _fallback(self, message: str) -> sqlite3.Connection:
        if self._required:
            raise StoreError(message)
        self._warn(f"{message}; this scan runs without it")
        self.persistent = False
        return self._connect(":memory:")

    def _open(self, path: str | None) -> sqlite3.Connection:
        if path is None:
            return self._connect(":memory:")
        why = not_ours(path)
        if why is not None and _is_default_cache(path) and os.path.isfile(path):
            # Our own cache folder and file name: whatever lies there is a cache of ours whose
            # header was damaged. It is set aside (renamed, never deleted) and rebuilt.
            try:
                return self._set_aside_and_rebuild(path, ValueError(why))
            except (OSError, sqlite3.DatabaseError) as exc:
                return self._fallback(f"fingerprint cache {path} is unusable ({exc})")
        if why is not None:
            return self._fallback(f"fingerprint store {path} {why}; it was not touched")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return self._connect(path)
        except MadeByNewer as exc:
            return self._fallback(
                f"fingerprint cache {path} was made by a newer dedupe-gui ({exc}); "
                "it was not touched"
            )
        except sqlite3.DatabaseError as exc:
            if not damaged(exc) or self._required:
                # Locked by another process, read-only, or not openable: not ours to move.
                return self._fallback(f"fingerprint store {path} cannot be used ({exc})")
            try:
                return self._set_aside_and_rebuild(path, exc)
            except (OSError, sqlite3.DatabaseError) as exc2:
                return self._fallback(f"fingerprint store {path} is unusable ({exc2})")
        except OSError as exc:
            return self._fallback(f"cannot create fingerprint store {path} ({exc.strerror or exc})")

    def _set_aside_and_rebuild(self, path: str, exc: Exception) -> sqlite3.Connection:
        """Only for a file known to be ours (checked when it was opened)."""
        aside = f"{path}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}"
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
        self._warn(
            f"fingerprint cache {path} was damaged ({exc}); set aside as {aside} and rebuilt"
        )
        return self._connect(path)

    def _connect(self, target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=2.0, check_same_thread=False)
        try:
            if target != ":memory:":
                refuse_newer(db)
                db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            bring_to_this_version(db)
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    # -- reading -------------------------------------------------------------------------

    def _row(self, key: FileKey, columns: str) -> tuple[Any, ...] | None:
        """``columns`` of the row of exactly this version of the file (size and mtime match)."""
        try:
            row = self._db.execute(
                f"SELECT size, mtime_ns, {columns} FROM {WITH_THUMBNAILS} WHERE path = ?",
                (path_blob(key.path),),
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return None
        if row is None or not same_version(row, key.size, key.mtime_ns):
            return None
        return tuple(row)

    def get(self, key: FileKey) -> Entry | None:
        """The stored entry for exactly this version of the file, or None."""
        row = self._row(key, f"error, {FINGERPRINT_COLUMNS}")
        if row is None:
            return None
        if row[2] is not None:
            return Failure(str(row[2]))
        return fingerprint_of_row(row[3:])

    def lookup(
        self,
        keys: Sequence[FileKey],
        thumbs: bool = True,
        rows: Mapping[bytes, tuple[Any, ...]] | None = None,
    ) -> list[Cached | None]:
        """What is stored for each of these file versions (None: this version is not), in a
        few queries, identities included, and each entry found marked seen today.

        ``thumbs=False`` leaves the verification thumbnails out (``Fingerprint.thumb`` empty;
        ``thumbs()`` fetches them when a candidate pair needs them): a warm rescan then reads
        and holds a tenth of the bytes. One query per file cost a 100,000-file rescan most
        of its time, and a second pass for the identities a tenth of it.

        ``rows``: what ``stored(blobs of keys, thumbs)`` gave the caller already (a rescan
        that could not be read back, core.rescan): not read a second time.
        """
        blobs = path_blobs([k.path for k in keys])
        if rows is None:
            rows = self.stored(blobs, thumbs)
        out: list[Cached | None] = []
        unseen: list[bytes] = []
        day = today()
        get = rows.get
        # One loop, no call a file it can do without: a warm rescan runs it 100,000 times.
        for key, blob in zip(keys, blobs, strict=True):
            row = get(blob)
            if row is None or not same_version(row, key.size, key.mtime_ns):
                out.append(None)
                continue
            error, digest, ident, change_ns, quick, seen = row[2:8]
            if seen is not None and seen < day:
                unseen.append(blob)
            out.append(
                _cached(
                    (
                        Failure(str(error))
                        if error is not None
                        else fingerprint_of_row(row[8:], thumbs),
                        digest if digest is None or type(digest) is str else str(digest),
                        ident if ident is None or type(ident) is bytes else bytes(ident),
                        change_ns or 0,
                        quick,
                    )
                )
            )
        self.mark_seen(unseen)
        return out

    def stored(self, blobs: Sequence[bytes], thumbs: bool = True) -> dict[bytes, tuple[Any, ...]]:
        """The rows ``lookup`` reads, by path blob, as SQLite gives them: size, mtime_ns,
        error, digest, ident, change_ns, quick, seen, then the ``FINGERPRINT_COLUMNS`` (the
        thumbnails left out without ``thumbs``). For a caller that compares versions in
        bulk and makes entries only for the rows it needs (core.rescan)."""
        columns = FINGERPRINT_COLUMNS if thumbs else FINGERPRINT_COLUMNS_NO_THUMB
        return self._rows_of(
            blobs,
            f"error, digest, ident, change_ns, quick, seen, {columns}",
            identities=True,
            thumbnails=thumbs,
        )

    def get_many(
        self, keys: Sequence[FileKey], thumbs: bool = True
    ) -> list[tuple[Entry, str | None] | None]:
        """``lookup`` without the identities: per key its entry and content digest, or None."""
        return [None if c is None else (c.entry, c.digest) for c in self.lookup(keys, thumbs)]

    def fines(self, keys: Sequence[FileKey]) -> list[bytes]:
        """The stored fine thumbnail (core.verify) of each of these file versions, or b""."""
        return [bytes(v or b"") for v in self._column_of(keys, "fine")]

    def thumbs(self, keys: Sequence[FileKey]) -> list[bytes]:
        """The stored verification thumbnail of each of these file versions (empty if none)."""
        return [bytes(v or b"") for v in self._column_of(keys, "thumb")]

    def _column_of(self, keys: Sequence[FileKey], column: str) -> list[Any]:
        """One column of each of these file versions' rows (None where this version of the
        file is not stored), each path encoded once."""
        blobs = [path_blob(k.path) for k in keys]
        rows = self._rows_of(blobs, column, thumbnails=True)
        out: list[Any] = []
        for key, blob in zip(keys, blobs, strict=True):
            row = rows.get(blob)
            out.append(
                row[2] if row is not None and same_version(row, key.size, key.mtime_ns) else None
            )
        return out

    def _rows_of(
        self,
        blobs: Sequence[bytes],
        columns: str,
        identities: bool = False,
        thumbnails: bool = False,
    ) -> dict[bytes, tuple[Any, ...]]:
        """Rows by path blob (size, mtime_ns, then ``columns``), in chunks of query parameters;
        ``identities``: with the columns of each file's identities row (NULL when none);
        ``thumbnails``: with those of its thumbnails row."""
        found: dict[bytes, tuple[Any, ...]] = {}
        source = WITH_THUMBNAILS if thumbnails else "fingerprints"
        if identities:
            source += " LEFT JOIN identities USING (path)"
        try:
            if len(blobs) >= _WHOLE_TABLE_FROM and 2 * len(blobs) >= self._row_count():
                # Most of the table is asked for (a rescan of the library the cache holds):
                # one pass over it costs a sixth less than looking each path up.
                wanted = set(blobs)
                query = f"SELECT path, size, mtime_ns, {columns} FROM {source}"
                for row in self._db.execute(query):
                    if row[0] in wanted:
                        found[row[0]] = row[1:]
                return found
            for start in range(0, len(blobs), _PARAMS_PER_QUERY):
                chunk = blobs[start : start + _PARAMS_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    f"SELECT path, size, mtime_ns, {columns} FROM {source} WHERE path IN ({marks})",
                    chunk,
                ):
                    found[row[0]] = row[1:]
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
        return found

    def _row_count(self) -> int:
        """Rows in the fingerprints table (failures included)."""
        return int(self._db.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0])

    def get_digest(self, key: FileKey) -> str | None:
        row = self._row(key, "digest")
        return None if row is None or row[2] is None else str(row[2])

    def records(self) -> list[tuple[FileKey, Fingerprint]]:
        """Every stored fingerprint (not the failures), in path order; StoreError when the
        database cannot be read to the end (a damaged page)."""
        try:
            rows = self._db.execute(
                f"SELECT path, size, mtime_ns, {FINGERPRINT_COLUMNS} FROM {WITH_THUMBNAILS} "
                "WHERE error IS NULL ORDER BY path"
            ).fetchall()
            return [
                (FileKey(os.fsdecode(row[0]), row[1], row[2]), fingerprint_of_row(row[3:]))
                for row in rows
            ]
        except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
            raise StoreError(f"{self.path} cannot be read ({exc})") from exc

    def __bool__(self) -> bool:
        """A store is always true: ``if store`` must not count the rows (a damaged page)."""
        return True

    def __len__(self) -> int:
        """How many fingerprints (not failures) the store holds; StoreError when unreadable."""
        query = "SELECT COUNT(*) FROM fingerprints WHERE error IS NULL"
        try:
            return int(self._db.execute(query).fetchone()[0])
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} cannot be read ({exc})") from exc

    # -- writing -------------------------------------------------------------------------

    def put(self, key: FileKey, entry: Entry) -> None:
        if not self._writable:
            return
        blob = path_blob(key.path)
        if isinstance(entry, Failure):
            row: tuple[object, ...] = (blob, key.size, key.mtime_ns, *(None,) * 8, entry.reason)
            row += (None, None)
            thumbnails: tuple[object, ...] = (blob, None, None)
        else:
            row = (
                blob,
                key.size,
                key.mtime_ns,
                to_db(entry.hash),
                entry.width,
                entry.height,
                entry.format,
                entry.taken,
                entry.camera,
                entry.exif_orientation,
                None,
                None,
                pack_turned(entry.turned),
                pack_look(entry),
            )
            thumbnails = (blob, entry.thumb or None, entry.fine or None)
        # Both rows in one step, never a commit between them (a crash there would leave the
        # new version beside the old one's thumbnails); the thumbnails are replaced when empty
        # too: a new version of the file never shows the old thumbnails.
        self._write(
            ("INSERT OR REPLACE INTO fingerprints VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row),
            ("INSERT OR REPLACE INTO thumbnails VALUES (?,?,?)", thumbnails),
        )

    def put_digest(self, key: FileKey, digest: str) -> None:
        if self._writable:
            self._write(
                (
                    "UPDATE fingerprints SET digest = ? "
                    "WHERE path = ? AND size = ? AND mtime_ns = ?",
                    (digest, path_blob(key.path), key.size, key.mtime_ns),
                )
            )

    def _write(self, *statements: tuple[str, tuple[object, ...]]) -> None:
        """Run ``statements`` as one file's write: counted once towards the next commit,
        which never falls between them."""
        try:
            for sql, row in statements:
                self._db.execute(sql, row)
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
            return
        self._pending += 1
        if (
            self._pending >= _COMMIT_EVERY_ROWS
            or time.monotonic() - self._last_commit > _COMMIT_EVERY_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        if not self._pending or not self._writable:
            return
        try:
            self._db.commit()
        except sqlite3.DatabaseError as exc:
            self._fail(exc)
        self._pending = 0
        self._last_commit = time.monotonic()

    def _fail(self, exc: sqlite3.DatabaseError) -> None:
        """A store that fails mid-scan stops writing, with a warning; one found damaged
        (any page) is set aside and rebuilt empty, so the rest of the scan is cached again."""
        if (
            damaged(exc)
            and self.persistent
            and self.path is not None
            and not self._read_only
            and not self._required
        ):
            with contextlib.suppress(sqlite3.DatabaseError):
                self._db.close()
            try:
                self._db = self._set_aside_and_rebuild(self.path, exc)
                self._pending = 0
                return
            except (OSError, sqlite3.DatabaseError) as exc2:
                self._db = self._connect(":memory:")
                self.persistent = False
                exc = sqlite3.DatabaseError(str(exc2))
        if self._writable:
            self._writable = False
            self._warn(
                f"fingerprint cache {self.path} stopped working ({exc}); "
                "results of this scan are not cached"
            )
            with contextlib.suppress(sqlite3.DatabaseError):
                self._db.rollback()

    def close(self) -> None:
        self.flush()
        with contextlib.suppress(sqlite3.DatabaseError):
            self._db.close()

    def __enter__(self) -> FingerprintStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
