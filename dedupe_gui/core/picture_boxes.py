"""Where each grouped file's picture sits inside a frame or a screenshot's chrome, placed on the
decoded picture: what "border added" and "screenshot of it" say, and what the keeper rule
"clean" compares with the other copies' shapes.

The 32x32 thumbnail shows that a frame is there but not where: one of its pixels is 3 % of a
side, a thin frame (2-5 % of a side) blends into the picture's edge pixels, and the bars of a
phone screenshot carry a clock, a title and icons that a uniform-border reading peels off one
side at most. So a file whose thumbnail shows a frame (the strict or the loose reading) or
chrome is decoded again at 288 px and the box placed there; the others are taken as
unframed without a decode. Only the files of formed groups are asked about, once each.

What a file's box is depends on that file alone (its thumbnail and, for a frame, its
picture): it is kept by the file's version (core.candidates ``file_id``) in the cache, so a
library regrouped after a few files changed places only theirs (at 100,000 files, placing
every grouped file's box was some 10 CPU seconds). Boxes placed where the thumbnail was
missing or the file could not be decoded again are not kept: they stand in for the real
ones. How boxes are placed is under the words' version (core.hashes ``WORDS_VERSION``).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.differences import framed
from dedupe_gui.core.frame_readings import PHOTO_MIN_PX, Box, may_have_border, photo_box
from dedupe_gui.core.loaded_thumbs import LoadedThumbs
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.standing import screen_shaped
from dedupe_gui.core.verify import border_of
from dedupe_gui.core.window_candidates import picture_box_of

I64 = npt.NDArray[np.int64]

# A frame thinner than a thumbnail's pixel (24 px around 1024x768: 0.7 of one) is no uniform
# border there, only an outermost ring of pixels darker (or lighter) than the ring inside
# it on every side, by this ratio at least: the frame's colour mixed into the picture's
# edge. Measured on edit seeds 1, 2, 4, 5 and the first corpus: it brought in six of the
# framed copies that the border readings missed, a trimmed copy with a dark edge and two
# night shots, and no other file.
_THIN_RATIO: Final = 0.6
# A photo in a phone screenshot's chrome may span a few rows of its 32x32 thumbnail (a
# 180 px photo shown at its size in a 1080x2340 screen: 2.5 rows), fewer than a photo box
# is read from there (core.frame_readings ``PHOTO_MIN_PX``); in a picture of a screen's shape
# (core.standing ``SCREEN_SHAPE``) that many are enough to place the box on the decoded
# picture, which decides. Without it such screenshots went unread as screenshots, and as
# the file with the most pixels one was kept over the photo it shows.
_THUMB_PHOTO_PX: Final = 2
# Records whose thumbnails are fetched in one go before their boxes are placed: a cache
# read back without thumbnails answers one query per call, and a large library's keeper
# rule asks about every grouped file (72,000 one at a time took 18 s at 100,000 files).
_FETCH_AT_ONCE: Final = 4096
# A box as kept: which parts are there (box, chrome, level), then the box and the level.
_HAS_BOX, _CHROME, _HAS_LEVEL = 1, 2, 4
_BOX: Final = struct.Struct("<4d")
_LEVEL: Final = struct.Struct("<h")
Placed = tuple[Box | None, bool, int | None]  # the box, in chrome, the frame's grey level


def pack_placed(placed: Placed) -> bytes:
    """A placed box as the cache keeps it (``unpack_placed`` reads it)."""
    box, chrome, level = placed
    flags = (_HAS_BOX if box is not None else 0) | (_CHROME if chrome else 0)
    flags |= _HAS_LEVEL if level is not None else 0
    return (
        bytes([flags])
        + (b"" if box is None else _BOX.pack(*box))
        + (b"" if level is None else _LEVEL.pack(level))
    )


def unpack_placed(blob: bytes) -> Placed | None:
    """The placed box kept in ``blob``; None when it cannot be read."""
    try:
        flags, at = blob[0], 1
        box: Box | None = None
        level: int | None = None
        if flags & _HAS_BOX:
            box = _BOX.unpack_from(blob, at)
            at += _BOX.size
        if flags & _HAS_LEVEL:
            (level,) = _LEVEL.unpack_from(blob, at)
            at += _LEVEL.size
    except (IndexError, struct.error):
        return None
    if at != len(blob) or flags & ~(_HAS_BOX | _CHROME | _HAS_LEVEL):
        return None
    return box, bool(flags & _CHROME), level


class PictureBoxes:
    """The placed box of each record asked about, and whether it sits in screenshot chrome."""

    def __init__(
        self,
        records: Sequence[ImageRecord],
        loaded: LoadedThumbs,
        pictures: ScanPictures | None = None,
        ids: Callable[[], npt.NDArray[np.uint64]] | None = None,
        known: Mapping[int, bytes] | None = None,
    ) -> None:
        """``ids``: the records' ``file_id``s, by which ``known`` holds the boxes placed by
        an earlier run (a cache: ``pack_placed``), not placed again."""
        self.records = records
        self._loaded = loaded
        self._pictures = pictures
        self._ids = ids
        self._known: Mapping[int, bytes] = (known or {}) if ids is not None else {}
        # Boxes placed here that a cache may keep, by file id (``take_new``).
        self._new: dict[int, bytes] = {}
        # By record: the box inside a frame on two or more sides (None: none) and whether
        # the frame is a screenshot's chrome. Only files of formed groups are asked about.
        self._placed: dict[int, tuple[Box | None, bool]] = {}
        # By record placed on the decoded picture: its uniform frame's grey level.
        self._levels: dict[int, int] = {}
        # Records fetched in a block whose thumbnails cannot hold a uniform border
        # (``may_have_border``): neither border reading is asked for them.
        self._borderless: set[int] = set()

    def placed(self, i: int) -> tuple[Box | None, bool]:
        """Record ``i``'s picture box inside a frame on two or more sides (None: no frame
        or no thumbnail) and whether that frame is a screenshot's chrome."""
        known = self._placed.get(i)
        if known is None and not self._recall(i):
            self._placed[i] = self._place(i)
        return self._placed[i]

    def _recall(self, i: int) -> bool:
        """Whether record ``i``'s box was kept by an earlier run (and is now placed)."""
        if not self._known or self._ids is None:
            return False
        blob = self._known.get(self._file_id(i))
        kept = None if blob is None else unpack_placed(blob)
        if kept is None:
            return False
        box, chrome, level = kept
        self._placed[i] = (box, chrome)
        if level is not None:
            self._levels[i] = level
        return True

    def _file_id(self, i: int) -> int:
        assert self._ids is not None
        return int(self._ids()[i])

    def new_held(self) -> int:
        """How many boxes placed here are waiting for ``take_new``."""
        return len(self._new)

    def take_new(self) -> dict[int, bytes]:
        """The boxes placed since the last call, by file id, for a cache to keep."""
        new, self._new = self._new, {}
        return new

    def inside(self, wanted: I64) -> npt.NDArray[np.float64]:
        """Width and height shares of each wanted record's picture inside its frame; (1, 1)
        for none."""
        out = np.ones((wanted.size, 2), dtype=np.float64)
        for n, i in self._blocks(wanted):
            box = self.placed(i)[0]
            if box is not None:
                out[n] = (box[2] - box[0], box[3] - box[1])
        return out

    def levels(self, wanted: I64) -> npt.NDArray[np.float64]:
        """The grey level of each wanted record's uniform frame, as placed on the decoded
        picture; NaN for none, a screenshot's chrome, or a frame only the thumbnail showed."""
        out = np.full(wanted.size, np.nan, dtype=np.float64)
        for n, i in self._blocks(wanted):
            box, chrome = self.placed(i)
            if box is not None and not chrome and i in self._levels:
                out[n] = self._levels[i]
        return out

    def _blocks(self, wanted: I64) -> Iterator[tuple[int, int]]:
        """(place, record) of each of ``wanted``, a block at a time, each block's thumbnails
        fetched first, and let go of when many are loaded (``LoadedThumbs.bound``)."""
        for start in range(0, wanted.size, _FETCH_AT_ONCE):
            block = wanted[start : start + _FETCH_AT_ONCE]
            self._loaded.bound()
            self._fetch(block)
            yield from enumerate(block.tolist(), start)

    def _fetch(self, wanted: I64) -> None:
        """Load the thumbnails of the records of ``wanted`` not placed yet, a block at a time
        (the same rows ``_place`` would load one by one)."""
        todo = np.array(
            [i for i in wanted.tolist() if i not in self._placed and not self._recall(i)],
            dtype=np.int64,
        )
        for start in range(0, todo.size, _FETCH_AT_ONCE):
            block = todo[start : start + _FETCH_AT_ONCE]
            rows = self._loaded.rows(block)
            plain = ~may_have_border(self._loaded.thumbs[rows]) & self._loaded.has_thumb[rows]
            self._borderless.update(block[plain].tolist())

    def _place(self, i: int) -> tuple[Box | None, bool]:
        row = int(self._loaded.rows(np.array([i], dtype=np.int64))[0])
        if not self._loaded.has_thumb[row]:
            return None, False
        thumb = self._loaded.thumbs[row]
        strict = None if i in self._borderless else self._loaded.border(row)
        if not (
            framed(strict)
            or (i not in self._borderless and framed(border_of(thumb, loose=True)))
            or _thin_frame(thumb)
            or photo_box(thumb.astype(np.int16), min_px=self._photo_px(i)) is not None
        ):
            self._keep(i, (None, False, None))
            return None, False
        placed = picture_box_of(self.records[i].path, self._pictures)
        if placed is None:  # unreadable now: what the thumbnail showed
            return (strict, False) if framed(strict) else (None, False)
        box, chrome, self._levels[i] = placed
        out = (box, chrome) if framed(box) else (None, False)
        self._keep(i, (*out, self._levels[i]))
        return out

    def _photo_px(self, i: int) -> int:
        """The fewest thumbnail rows and columns a photo in chrome may span for record ``i``
        to be placed: fewer in a picture of a screen's shape (``_THUMB_PHOTO_PX``)."""
        fp = self.records[i].fingerprint
        return _THUMB_PHOTO_PX if screen_shaped(fp.width, fp.height) else PHOTO_MIN_PX

    def _keep(self, i: int, placed: Placed) -> None:
        if self._ids is not None:
            self._new[self._file_id(i)] = pack_placed(placed)


def _thin_frame(thumb: npt.NDArray[np.uint8]) -> bool:
    """Whether a thumbnail's outermost ring is darker than the ring inside it by
    ``_THIN_RATIO`` on all four sides, or lighter by as much: a frame too thin to be a
    uniform border at 32x32."""
    x = thumb.astype(np.float64)
    sides = ((x[0], x[1]), (x[-1], x[-2]), (x[:, 0], x[:, 1]), (x[:, -1], x[:, -2]))
    dark = all(out.mean() <= _THIN_RATIO * inner.mean() for out, inner in sides)
    light = all((255 - out).mean() <= _THIN_RATIO * (255 - inner).mean() for out, inner in sides)
    return dark or light
