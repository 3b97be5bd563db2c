"""A file's content identity, so the cache follows photos that are renamed, moved or copied.

The cache is found by path first. A path alone cannot tell a renamed folder, a drive mounted
elsewhere or a ``cp -a`` / ``rsync -a`` copy from new photos, so every entry also keeps an
identity of its content: size + mtime_ns + a digest of the first and last 4 KiB. Reading 8 KiB
is a tiny part of decoding a photo, and the three together tell photos apart (a camera's files
differ within their first block: EXIF time, maker notes, thumbnail) while copies that keep
their times share them.

The same identity guards the other way: a path that now holds other content of the same size
and mtime (a restore from a backup, a file written over and its time set back) is not trusted.
Such a change always moves the inode change time (st_ctime, which no program can set), so an
entry whose change time is as recorded is taken without reading anything, and only the others
are read again. The head-and-tail digest that marks exact copies and lets a cleanup re-check
the copy it keeps is kept by the same rule (``quick_digest``).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from dedupe_gui.core.digests import head_tail_digest
from dedupe_gui.core.models import Failure, FileError, FileKey, ImageRecord
from dedupe_gui.core.regular import open_regular

if TYPE_CHECKING:  # SQLite is loaded by whoever opens a cache, not by a scan without one
    from dedupe_gui.core.cache import FingerprintStore

BLOCK: Final = 4096


def content_identity(path: str, size: int, mtime_ns: int) -> bytes:
    """16 bytes naming this content: size, mtime and the first and last ``BLOCK`` bytes."""
    import hashlib  # here, not before a scan's first decode (core.digests)

    h = hashlib.blake2b(digest_size=16)
    h.update(struct.pack("<qq", size, mtime_ns))
    with open_regular(path) as f:
        h.update(f.read(BLOCK))
        if size > BLOCK:
            f.seek(max(BLOCK, size - BLOCK))
            h.update(f.read(BLOCK))
    return h.digest()


def unchanged_since(read_at: int | None, change_ns: int) -> bool:
    """Whether what was read of a file at inode change time ``read_at`` (its identity, its
    head-and-tail digest) is still the file's, now that its change time is ``change_ns``
    (0: unknown). The one rule for the scan, the identities and a rescan read back."""
    return change_ns != 0 and read_at == change_ns


def all_unchanged_since(read_at: list[int | None], change_ns: list[int]) -> bool:
    """``unchanged_since`` of every pair at once (a rescan asks it of every file): the same
    rule, compared as columns."""
    return 0 not in change_ns and read_at == change_ns


@dataclass(slots=True)
class Followed:
    """What the cache knew once content identities were consulted."""

    records: list[ImageRecord]  # path hits still trusted, and files found by content
    errors: list[FileError]  # failures found by content
    todo: list[tuple[FileKey, bool, int]]  # (key, reference, change_ns) to fingerprint
    by_content: int = 0  # entries found under another path
    distrusted: int = 0  # path hits whose content is not what was stored
    idents: dict[str, bytes] = field(default_factory=dict)  # already read, for remember()


def follow(
    store: FingerprintStore,
    hits: Iterable[tuple[ImageRecord, int, tuple[bytes, int] | None]],
    misses: Iterable[tuple[FileKey, bool, int]],
) -> Followed:
    """Check path hits against their identity, and look path misses up by content.

    ``hits``: records the path look-up returned, with each file's change time (0: unknown)
    and the stored (identity, change time) of the path (None: none kept;
    FingerprintStore.lookup reads them with the fingerprints).
    ``misses``: (key, reference, change time) of files the path look-up did not know.
    """
    out = Followed([], [], [])
    for record, change_ns, stored in hits:
        if stored is not None and unchanged_since(stored[1], change_ns):
            out.records.append(record)  # untouched since its identity was read
            continue
        key = record.key
        try:
            ident = content_identity(key.path, key.size, key.mtime_ns)
        except OSError:
            out.todo.append((key, record.reference, change_ns))  # the decode will say why
            continue
        if stored is None or stored[0] == ident:
            # Agreeing, or an entry from before identities were kept: trusted by its key.
            store.put_identity(key.path, ident, change_ns)
            out.records.append(record)
        else:
            out.idents[key.path] = ident  # other content at a known path: decode it again
            out.distrusted += 1
            out.todo.append((key, record.reference, change_ns))
    miss_list = list(misses)
    versions = store.identity_versions() if miss_list else set()
    for key, reference, change_ns in miss_list:
        if (key.size, key.mtime_ns) not in versions:
            # No stored file has this size and time: new content. Its identity is read after
            # the decode (remember), from the page cache, not in a pass before any decoding.
            out.todo.append((key, reference, change_ns))
            continue
        try:
            ident = content_identity(key.path, key.size, key.mtime_ns)
        except OSError:
            out.todo.append((key, reference, change_ns))
            continue
        found = store.find_by_identity(key, ident)
        if found is None:
            out.idents[key.path] = ident
            out.todo.append((key, reference, change_ns))
            continue
        entry, digest = found
        store.put(key, entry)
        if digest is not None:
            store.put_digest(key, digest)
        store.put_identity(key.path, ident, change_ns)
        out.by_content += 1
        if isinstance(entry, Failure):
            out.errors.append(FileError(key.path, entry.reason))
        else:
            out.records.append(ImageRecord(key, entry, reference, digest))
    return out


def quick_digest(store: FingerprintStore | None, record: ImageRecord) -> str:
    """The file's head-and-tail digest (core.digests): the one the scan knew, or read now and
    kept for the next scans when the file did not change meanwhile (its change time is still
    the one the walk saw). Raises OSError when the file cannot be read."""
    if record.quick is not None:
        return record.quick
    quick = head_tail_digest(record.path)
    if store is not None and record.change_ns:
        try:
            unchanged = os.stat(record.path).st_ctime_ns == record.change_ns
        except OSError:
            unchanged = False
        if unchanged:
            store.put_quick(record.path, record.change_ns, quick)
    return quick


def remember(store: FingerprintStore, key: FileKey, change_ns: int, ident: bytes | None) -> None:
    """Keep the identity of a file just fingerprinted (read now unless already read)."""
    if ident is None:
        try:
            ident = content_identity(key.path, key.size, key.mtime_ns)
        except OSError:
            return
    store.put_identity(key.path, ident, change_ns)
