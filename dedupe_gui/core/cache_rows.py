"""How a Fingerprint is laid out in a row of the store (core.cache), and back.

Apart from the store because the layout is its own small format (signed 64-bit hashes, the
turned and window hashes packed, one flag byte) that the cache reads in several queries,
while the store itself is about opening, setting aside and batching.
"""

from __future__ import annotations

import operator
import os
import sys
from collections.abc import Sequence
from typing import Any, Final

from dedupe_gui.core.fast_new import positional
from dedupe_gui.core.models import Fingerprint, Hashes

_SIGN: Final = 1 << 63
# No hashes (a fingerprint from before they were kept, or a picture without windows).
_NO_HASHES: Final = Hashes()


def to_db(value: int) -> int:
    """SQLite integers are signed 64-bit; store the unsigned hash shifted into that range."""
    return value - _SIGN


def from_db(value: int) -> int:
    return value + _SIGN


def from_db_all(values: Sequence[int]) -> list[int]:
    """``from_db`` of each value, without a Python call per value (a rescan reads back the
    hash of every file of the library)."""
    return list(map(_SIGN.__add__, values))


def same_version(row: tuple[Any, ...] | None, size: int, mtime_ns: int) -> bool:
    """Whether a stored row (size, mtime_ns, ...) is of this version of the file: the cache's
    one rule for a hit, for every reader of rows (a file of another size or time is
    fingerprinted again)."""
    return row is not None and row[0] == size and row[1] == mtime_ns


def same_versions(
    rows: Sequence[Sequence[Any]], sizes: list[int], mtimes: list[int], at: int = 0
) -> bool:
    """``same_version`` of every row with the size and mtime at its place, at once (a
    rescan asks it of every file of the library): the same rule, compared as columns;
    ``at``: where the size is in a row (the mtime after it)."""
    return list(map(operator.itemgetter(at), rows)) == sizes and (
        list(map(operator.itemgetter(at + 1), rows)) == mtimes
    )


def path_blob(path: str) -> bytes:
    """The path as stored: its file-system bytes, lossless for names that are not UTF-8."""
    return os.fsencode(path)


def path_blobs(paths: Sequence[str]) -> list[bytes]:
    """``path_blob`` of each path, as os.fsencode encodes them, without a call per path."""
    encoding, errors = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
    return [p.encode(encoding, errors) for p in paths]


def pack_turned(hashes: Sequence[int]) -> bytes | None:
    """The turned hashes as big-endian unsigned 64-bit values, 8 bytes each."""
    return Hashes.of(hashes).packed or None


def unpack_turned(blob: bytes | None) -> Hashes:
    if not blob or len(blob) % 8:
        return _NO_HASHES
    return Hashes.from_packed(blob)


def pack_look(fp: Fingerprint) -> bytes | None:
    """One flag byte (the grey flag in bits 0-1: 0 unknown, 1 colour, 2 grey; bit 2: a fine
    thumbnail is stored), the count of window hashes, then the window hashes (8 bytes each,
    big-endian). The fine thumbnail itself lies in the thumbnails table (schema 5 on); in
    older layouts it followed the window hashes (``split_look``)."""
    if fp.grey is None and not fp.fine and not fp.windows:
        return None
    flag = (0 if fp.grey is None else 2 if fp.grey else 1) | (_HAS_FINE if fp.fine else 0)
    return bytes([flag, len(fp.windows)]) + (pack_turned(fp.windows) or b"")


def split_look(blob: bytes | None) -> tuple[bytes | None, bytes | None]:
    """A look of the older layouts (the fine thumbnail after the window hashes) as this
    layout keeps it: the look without the thumbnail, and the thumbnail (None when none)."""
    if not blob or len(blob) < 2 or len(blob) < 2 + 8 * blob[1]:
        return blob, None
    end = 2 + 8 * blob[1]
    return bytes(blob[:end]), bytes(blob[end:]) or None


def unpack_look(blob: bytes | None) -> tuple[bool | None, bool, Hashes]:
    """The grey flag, whether a fine thumbnail is stored and the window hashes."""
    if not blob or len(blob) < 2 or len(blob) < 2 + 8 * blob[1]:
        return None, False, _NO_HASHES
    flag, count = blob[0], blob[1]
    grey = flag & 3
    windows = Hashes.from_packed(blob[2 : 2 + 8 * count]) if count else _NO_HASHES
    return (None if grey == 0 else grey == 2), bool(flag & _HAS_FINE), windows


# The fingerprints table, and with it the thumbnails of each row (schema 5 keeps them in a
# table of their own, so that a pass over every fingerprint reads a tenth of the bytes).
# The names of FINGERPRINT_COLUMNS are each in one of the two tables only.
WITH_THUMBNAILS: Final = "fingerprints LEFT JOIN thumbnails USING (path)"
FINGERPRINT_COLUMNS: Final = (
    "hash, width, height, format, taken, camera, orientation, thumb, turned, look, fine"
)
FINGERPRINT_COLUMNS_NO_THUMB: Final = (
    "hash, width, height, format, taken, camera, orientation, NULL, turned, look, NULL"
)
_HAS_FINE: Final = 4


def fingerprint_of_row(row: Sequence[Any], with_fine: bool = True) -> Fingerprint:
    """A Fingerprint from the values of ``FINGERPRINT_COLUMNS``, in that order;
    ``with_fine=False`` for rows read with ``FINGERPRINT_COLUMNS_NO_THUMB``.

    A warm rescan makes one a file, so the blobs are unpacked here, inline (what
    ``unpack_turned`` and ``unpack_look`` do), and bytes are taken as SQLite gives them:
    function calls were most of the cost of reading 100,000 files from the cache."""
    value, width, height, fmt, taken, camera, orientation, thumb, turned, look, fine = row
    if turned and not len(turned) % 8:
        turned_hashes = _new_hashes(Hashes)
        turned_hashes.packed = turned if type(turned) is bytes else bytes(turned)
    else:
        turned_hashes = _NO_HASHES
    grey: bool | None = None
    detailed = False
    windows = _NO_HASHES
    if look and len(look) >= 2:
        flag = look[0]
        end = 2 + 8 * look[1]
        if len(look) >= end:
            grey = None if not flag & 3 else flag & 3 == 2
            detailed = bool(flag & _HAS_FINE)
            if end > 2:
                windows = _new_hashes(Hashes)
                windows.packed = bytes(look[2:end])
    # Made without __init__ (core.fast_new): both hash sequences are Hashes already.
    return _fingerprint(
        value + _SIGN,
        width,
        height,
        fmt,
        taken,
        camera,
        orientation or 1,
        thumb if type(thumb) is bytes else bytes(thumb or b""),
        turned_hashes,
        (fine if type(fine) is bytes else bytes(fine)) if with_fine and fine else b"",
        grey,
        detailed,
        windows,
    )


# Hashes without a call to their constructor (see fingerprint_of_row).
_new_hashes = object.__new__
_fingerprint = positional(Fingerprint)
