"""Camera RAW files read through the JPEG preview the camera embeds in them.

Decoding sensor data would need a RAW library per camera family; every common RAW format
already carries a full- or screen-sized JPEG rendering of the photo, which is what the user
saw on the camera and what a dHash needs. This module finds that JPEG with Pillow and the
standard library only:

- TIFF-based files (DNG, CR2, NEF, ARW, ORF, RW2, PEF, SRW): the image directories and their
  sub-directories point at JPEG streams (JPEGInterchangeFormat/Length, or strips compressed
  as JPEG), and IFD0 holds the orientation, camera and date;
- RAF: the header names the offset and length of the embedded JPEG;
- CR3 (ISO base media): the boxes hold TIFF metadata (CMT1, CMT2) and JPEG streams;
- any of them, as a fallback: every JPEG stream found by its markers.

The largest baseline or progressive JPEG wins (lossless JPEG is sensor data, not a picture).
Files are read in bounded chunks, never mapped: a file truncated while mapped would crash
the process, and a multi-gigabyte file must not be read into memory.

Over 500 lines on purpose: the TIFF-family, CR3/ISO-BMFF and RAF readers
share the preview search and its limits, and each is a few dozen lines.
"""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from PIL import Image

NO_PREVIEW: Final = "RAW file without an embedded preview"

# Limits that keep a hostile or damaged file from costing much time or memory.
_MAX_IFDS: Final = 64
_MAX_ENTRIES: Final = 512
_MAX_BOXES: Final = 4096
_MAX_CANDIDATES: Final = 256
_MAX_PREVIEW_BYTES: Final = 256 << 20
_CHUNK: Final = 1 << 20
# A declared preview smaller than this (a thumbnail) sends us looking for a larger one.
_SMALL_PREVIEW_SIDE: Final = 1024

_TYPE_SIZES: Final[dict[int, int]] = {
    1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8
}  # fmt: skip

_NEW_SUBFILE_TYPE: Final = 0x00FE
_WIDTH: Final = 0x0100
_HEIGHT: Final = 0x0101
_COMPRESSION: Final = 0x0103
_PHOTOMETRIC: Final = 0x0106
_MAKE: Final = 0x010F
_MODEL: Final = 0x0110
_STRIP_OFFSETS: Final = 0x0111
_ORIENTATION: Final = 0x0112
_STRIP_BYTE_COUNTS: Final = 0x0117
_DATETIME: Final = 0x0132
_SUB_IFDS: Final = 0x014A
_JPEG_OFFSET: Final = 0x0201
_JPEG_LENGTH: Final = 0x0202
_EXIF_IFD: Final = 0x8769
_DATETIME_ORIGINAL: Final = 0x9003
_DNG_VERSION: Final = 0xC612
_RW2_JPEG: Final = 0x002E  # Panasonic JpgFromRaw: the whole JPEG as the tag's value

_SENSOR_PHOTOMETRIC: Final = frozenset({32803, 34892})  # CFA, LinearRaw
_JPEG_COMPRESSION: Final = frozenset({6, 7})
_PICTURE_SOF: Final = frozenset({0xC0, 0xC1, 0xC2})  # baseline, extended, progressive

_CANON_METADATA_UUID: Final = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_MARKER_IN_ENTROPY: Final = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_SOI: Final = b"\xff\xd8\xff"


class RawError(Exception):
    """A RAW file whose preview cannot be used; the message is meant for the user."""


@dataclass(slots=True)
class RawMetadata:
    """What the RAW container says about the photo, for previews that do not say it."""

    orientation: int | None = None
    make: str | None = None
    model: str | None = None
    datetime: str | None = None
    datetime_original: str | None = None
    sensor_size: tuple[int, int] | None = None  # of the main sensor image, when declared


@dataclass(slots=True)
class RawPreview:
    """The embedded JPEG (its bytes) and the container's own metadata."""

    jpeg: bytes
    format: str
    metadata: RawMetadata = field(default_factory=RawMetadata)


@dataclass(frozen=True, slots=True)
class _Jpeg:
    offset: int
    end: int
    sof: int
    width: int
    height: int

    @property
    def usable(self) -> bool:
        return self.sof in _PICTURE_SOF and self.width > 0 and self.height > 0


class _Source:
    """Bounded random access to a binary file whose size is known."""

    def __init__(self, f: BinaryIO) -> None:
        self.f = f
        f.seek(0, io.SEEK_END)
        self.size = f.tell()

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or n <= 0 or offset >= self.size:
            return b""
        self.f.seek(offset)
        return self.f.read(min(n, self.size - offset))


# -- detection ---------------------------------------------------------------------------


# -- TIFF directories --------------------------------------------------------------------


@dataclass(slots=True)
class _TiffScan:
    jpegs: list[tuple[int, int]] = field(default_factory=list)  # (offset, declared length)
    metadata: RawMetadata = field(default_factory=RawMetadata)
    sensor: bool = False  # some directory holds sensor data (CFA, LinearRaw, DNG)
    dng: bool = False


def _tiff_scan(src: _Source, base: int = 0, limit: int | None = None) -> _TiffScan | None:
    """Walk a TIFF structure starting at ``base``; None when there is no TIFF header there."""
    end = src.size if limit is None else min(src.size, limit)
    header = src.read(base, 8)
    if len(header) < 8 or header[:2] not in (b"II", b"MM"):
        return None
    order = "<" if header[:2] == b"II" else ">"
    scan = _TiffScan()
    meta = scan.metadata
    first = struct.unpack(order + "I", header[4:8])[0]
    queue: list[tuple[int, bool]] = [(first, True)]  # (offset, is a main-chain directory)
    seen: set[int] = set()
    ifd0 = True
    while queue and len(seen) < _MAX_IFDS:
        offset, chained = queue.pop(0)
        if offset <= 0 or offset in seen or base + offset + 2 > end:
            continue
        seen.add(offset)
        tags = _read_ifd(src, base, offset, order, end)
        if tags is None:
            continue
        entries, next_ifd = tags

        def ints(tag: int, entries: dict[int, tuple[int, int, int]] = entries) -> list[int]:
            return _values(src, base, order, entries.get(tag), end)

        if ifd0:
            ifd0 = False
            orientation = ints(_ORIENTATION)
            if orientation and 1 <= orientation[0] <= 8:
                meta.orientation = orientation[0]
            meta.make = _text(src, base, entries.get(_MAKE), end)
            meta.model = _text(src, base, entries.get(_MODEL), end)
            meta.datetime = _text(src, base, entries.get(_DATETIME), end)
            if _DNG_VERSION in entries:
                scan.sensor = scan.dng = True
            exif = ints(_EXIF_IFD)
            if exif:
                taken = _exif_datetime(src, base, exif[0], order, end)
                if taken:
                    meta.datetime_original = taken
        photometric = ints(_PHOTOMETRIC)
        compression = ints(_COMPRESSION)
        if photometric and photometric[0] in _SENSOR_PHOTOMETRIC:
            scan.sensor = True
            width, height = ints(_WIDTH), ints(_HEIGHT)
            subfile = ints(_NEW_SUBFILE_TYPE)
            if width and height and (not subfile or subfile[0] == 0):
                size = (width[0], height[0])
                if meta.sensor_size is None or size[0] * size[1] > (
                    meta.sensor_size[0] * meta.sensor_size[1]
                ):
                    meta.sensor_size = size
        jpeg_offset, jpeg_length = ints(_JPEG_OFFSET), ints(_JPEG_LENGTH)
        if jpeg_offset and jpeg_length:
            scan.jpegs.append((base + jpeg_offset[0], jpeg_length[0]))
        if compression and compression[0] in _JPEG_COMPRESSION:
            strips, counts = ints(_STRIP_OFFSETS), ints(_STRIP_BYTE_COUNTS)
            if strips and counts:
                scan.jpegs.append((base + strips[0], sum(counts)))
        rw2 = entries.get(_RW2_JPEG)
        if rw2 is not None and rw2[0] == 7 and rw2[2] >= 0:
            scan.jpegs.append((base + rw2[2], rw2[1]))
        queue.extend((sub, False) for sub in ints(_SUB_IFDS))
        if chained and next_ifd:
            queue.append((next_ifd, True))
    return scan


def _read_ifd(
    src: _Source, base: int, offset: int, order: str, end: int
) -> tuple[dict[int, tuple[int, int, int]], int] | None:
    """The entries of one directory as tag -> (type, count, value or data offset)."""
    raw_count = src.read(base + offset, 2)
    if len(raw_count) < 2:
        return None
    count = struct.unpack(order + "H", raw_count)[0]
    if count == 0 or count > _MAX_ENTRIES:
        return None
    data = src.read(base + offset + 2, count * 12 + 4)
    if len(data) < count * 12:
        return None
    entries: dict[int, tuple[int, int, int]] = {}
    for i in range(count):
        tag, typ, n = struct.unpack(order + "HHI", data[i * 12 : i * 12 + 8])
        size = _TYPE_SIZES.get(typ)
        if size is None:
            continue
        field_bytes = data[i * 12 + 8 : i * 12 + 12]
        if size * n <= 4:
            # Small values sit in the entry itself: keep the 4 bytes as a number to decode.
            entries[tag] = (typ, n, -1 - int.from_bytes(field_bytes, "little"))
        else:
            value = struct.unpack(order + "I", field_bytes)[0]
            if base + value + size * n > end:
                continue
            entries[tag] = (typ, n, value)
    tail = data[count * 12 : count * 12 + 4]
    next_ifd = struct.unpack(order + "I", tail)[0] if len(tail) == 4 else 0
    return entries, next_ifd


def _field_bytes(
    src: _Source, base: int, entry: tuple[int, int, int], limit: int, end: int
) -> bytes:
    typ, n, where = entry
    size = _TYPE_SIZES[typ] * n
    if where < 0:
        return (-1 - where).to_bytes(4, "little")[:size]
    return src.read(base + where, min(size, limit, max(0, end - base - where)))


def _values(
    src: _Source, base: int, order: str, entry: tuple[int, int, int] | None, end: int
) -> list[int]:
    """Integer values of a SHORT/LONG/IFD entry (at most 4096 of them)."""
    if entry is None:
        return []
    typ = entry[0]
    codes = {3: "H", 4: "I", 13: "I", 8: "h", 9: "i", 1: "B", 7: "B"}
    code = codes.get(typ)
    if code is None:
        return []
    width = struct.calcsize(code)
    data = _field_bytes(src, base, entry, 4096 * width, end)
    usable = len(data) // width
    return list(struct.unpack(f"{order}{usable}{code}", data[: usable * width]))


def _text(src: _Source, base: int, entry: tuple[int, int, int] | None, end: int) -> str | None:
    if entry is None or entry[0] != 2:
        return None
    text = _field_bytes(src, base, entry, 256, end).split(b"\x00", 1)[0]
    value = text.decode("latin-1").strip()
    return value or None


def _exif_datetime(src: _Source, base: int, offset: int, order: str, end: int) -> str | None:
    found = _read_ifd(src, base, offset, order, end)
    if found is None:
        return None
    return _text(src, base, found[0].get(_DATETIME_ORIGINAL), end)


def tiff_raw_kind(f: BinaryIO) -> str | None:
    """ "DNG" or "RAW" when a TIFF-structured file holds sensor data; None for a TIFF photo."""
    scan = _tiff_scan(_Source(f))
    if scan is None or not scan.sensor:
        return None
    return "DNG" if scan.dng else "RAW"


# -- JPEG streams ------------------------------------------------------------------------


# How far a run of 0xFF fill bytes may go before the stream is given up (valid JPEGs use a few).
_FILL_WINDOW = 1 << 16


def _jpeg_at(src: _Source, offset: int) -> _Jpeg | None:
    """The JPEG stream starting at ``offset``: where it ends, its frame type and size.

    Walks the marker segments (so thumbnails inside an APP1 block are skipped) and scans
    entropy-coded data for the next marker; None when the stream is not complete.
    """
    if src.read(offset, 3) != _SOI:
        return None
    pos = offset + 2
    sof = 0
    width = height = 0
    while True:
        marker = src.read(pos, 4)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        code = marker[1]
        if code == 0xFF:  # fill bytes: skip a whole run at once, not one read per byte
            run = src.read(pos, _FILL_WINDOW)
            skipped = len(run) - len(run.lstrip(b"\xff"))
            if skipped == len(run):
                return None  # padding up to the end of the window: no stream here
            pos += skipped - 1  # stand on the last 0xFF, before the marker code
            continue
        if code == 0xD9:
            return _Jpeg(offset, pos + 2, sof, width, height)
        if 0xD0 <= code <= 0xD7 or code == 0x01:
            pos += 2
            continue
        if len(marker) < 4:
            return None
        length = struct.unpack(">H", marker[2:4])[0]
        if length < 2:
            return None
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC) and not sof:
            frame = src.read(pos + 4, 5)
            if len(frame) < 5:
                return None
            sof = code
            height, width = struct.unpack(">HH", frame[1:5])
        pos += 2 + length
        if code == 0xDA:
            found = _next_marker(src, pos)
            if found is None:
                return None
            pos = found


def _next_marker(src: _Source, pos: int) -> int | None:
    """The position of the first marker after entropy-coded data starting at ``pos``."""
    while pos < src.size:
        chunk = src.read(pos, _CHUNK + 1)
        match = _MARKER_IN_ENTROPY.search(chunk)
        if match is not None:
            return pos + match.start()
        if len(chunk) <= 1:
            return None
        pos += len(chunk) - 1
    return None


def _scan_for_jpegs(src: _Source, start: int = 0, end: int | None = None) -> Iterator[_Jpeg]:
    """Every complete JPEG stream between ``start`` and ``end``, found by its markers."""
    stop = src.size if end is None else min(end, src.size)
    pos = start
    attempts = 0
    while pos < stop and attempts < _MAX_CANDIDATES:
        chunk = src.read(pos, min(_CHUNK, stop - pos) + 2)
        hit = chunk.find(_SOI)
        if hit < 0:
            if len(chunk) <= 2:
                return
            pos += len(chunk) - 2
            continue
        attempts += 1
        jpeg = _jpeg_at(src, pos + hit)
        if jpeg is None or jpeg.end > stop:
            pos += hit + 2
            continue
        yield jpeg
        pos = jpeg.end


# -- containers --------------------------------------------------------------------------


def _iso_boxes(
    src: _Source, start: int, end: int, depth: int = 0
) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of ISO-BMFF boxes, descending into containers."""
    pos = start
    count = 0
    while pos + 8 <= end and count < _MAX_BOXES:
        count += 1
        header = src.read(pos, 16)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header[:8])
        payload = pos + 8
        if size == 1 and len(header) == 16:
            size = struct.unpack(">Q", header[8:16])[0]
            payload = pos + 16
        elif size == 0:
            size = end - pos
        if size < payload - pos or pos + size > end:
            return
        yield kind, payload, pos + size
        if depth < 4:
            if kind == b"moov":
                yield from _iso_boxes(src, payload, pos + size, depth + 1)
            elif kind == b"uuid" and src.read(payload, 16) == _CANON_METADATA_UUID:
                yield from _iso_boxes(src, payload + 16, pos + size, depth + 1)
        pos += size


def _cr3_metadata(src: _Source) -> RawMetadata:
    meta = RawMetadata()
    for kind, start, end in _iso_boxes(src, 0, src.size):
        if kind == b"CMT1":
            scan = _tiff_scan(src, start, end)
            if scan is not None:
                meta.orientation = scan.metadata.orientation
                meta.make = scan.metadata.make
                meta.model = scan.metadata.model
                meta.datetime = scan.metadata.datetime
        elif kind == b"CMT2":
            # The Exif directory itself, behind its own TIFF header.
            header = src.read(start, 8)
            if len(header) == 8 and header[:2] in (b"II", b"MM"):
                order = "<" if header[:2] == b"II" else ">"
                first = struct.unpack(order + "I", header[4:8])[0]
                meta.datetime_original = _exif_datetime(src, start, first, order, end)
    return meta


def _raf_candidates(src: _Source) -> list[tuple[int, int]]:
    header = src.read(84, 8)
    if len(header) < 8:
        return []
    offset, length = struct.unpack(">II", header)
    return [(offset, length)] if offset and length else []


# -- the preview -------------------------------------------------------------------------


def extract_preview(f: BinaryIO, kind: str) -> RawPreview:
    """The largest usable JPEG embedded in a RAW file of ``kind``; RawError when none."""
    src = _Source(f)
    meta = RawMetadata()
    declared: list[tuple[int, int]] = []
    if kind == "RAF":
        declared = _raf_candidates(src)
    elif kind == "CR3":
        meta = _cr3_metadata(src)
    else:
        scan = _tiff_scan(src)
        if scan is not None:
            declared = scan.jpegs
            meta = scan.metadata

    found: dict[int, _Jpeg] = {}
    for offset, _length in declared:
        jpeg = _jpeg_at(src, offset)
        if jpeg is not None and jpeg.usable:
            found[jpeg.offset] = jpeg
    if max((max(j.width, j.height) for j in found.values()), default=0) < _SMALL_PREVIEW_SIDE:
        # Previews the directories do not point at (maker notes, boxes): find them by markers.
        for jpeg in _scan_for_jpegs(src):
            if jpeg.usable:
                found[jpeg.offset] = jpeg
    ranked = sorted(
        found.values(), key=lambda j: (j.width * j.height, j.end - j.offset), reverse=True
    )
    for jpeg in ranked:
        if jpeg.end - jpeg.offset > _MAX_PREVIEW_BYTES:
            continue
        data = src.read(jpeg.offset, jpeg.end - jpeg.offset)
        if _pillow_reads(data):
            return RawPreview(data, kind, meta)
    raise RawError(NO_PREVIEW)


def _pillow_reads(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
            return bool(img.width > 0 and img.height > 0)
    except Exception:
        return False
