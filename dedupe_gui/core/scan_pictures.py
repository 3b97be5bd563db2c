"""The scan's decoded pictures, kept for the grouping's second looks instead of decoding again.

A few candidate pairs need more than the fingerprint keeps: the look through a window, the
local-edit look, the text check and the placing of a picture inside its frame decode the
file again (core.fingerprint.upright_grey), and most of them at the very draft the scan
decoded it at. On a folder of 150 large photos those 13 decodes were half of the grouping's
CPU. A scan given a ``ScanPictures`` keeps each picture it decoded, as decoded, while they
fit in its byte bound (first come: a small library fits whole, a large one keeps its first
files and decodes the others again as before); the grouping that follows takes a kept
picture wherever a decode of the file would give the same pixels (``decoded``). The caller
lets them go (``clear``) once the grouping is done.

Pillow alone: the scan imports this before numpy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

from PIL import Image

from dedupe_gui.core.decoded import Decoded

# Bytes of decoded pictures a scan keeps by default: a 12-megapixel JPEG drafted at 1/8 in
# grey levels takes 190 KB, so about 170 of them.
KEPT_BYTES: Final = 32 << 20
# JPEG's reduced DCT scales, largest first (Pillow's ``JpegImageFile.draft``).
_SCALES: Final = (8, 4, 2, 1)


@dataclass(frozen=True, slots=True)
class _Kept:
    picture: Image.Image
    orientation: int
    undrafted: tuple[int, int]  # the size of the picture decoded, before any draft
    drafted: bool  # a format whose draft scales the decode (JPEG)
    mode: str  # the mode the draft asked for: grey levels


class ScanPictures:
    """Decoded pictures by path, at most ``bound`` bytes of pixels in all (see the module
    docstring). Safe to fill from the scan's threads and to read from the grouping's."""

    def __init__(self, bound: int = KEPT_BYTES) -> None:
        self._bound = bound
        self._held = 0
        self._lock = threading.Lock()
        self._kept: dict[str, _Kept] = {}

    def keep(self, path: str, decoded: Decoded) -> None:
        """Keep a copy of ``decoded``'s pixels (decoded as ``core.decoded.Decoded`` does:
        drafted to ``DRAFT_MIN_SIDE`` in grey levels) if they fit in what is left."""
        size = decoded.pixel_bytes
        with self._lock:
            if path in self._kept or self._held + size > self._bound:
                return
        # Taken outside the lock (other threads keep theirs meanwhile), then counted and
        # stored in one step: a ``clear`` in between never leaves a picture uncounted.
        kept = _Kept(
            _outliving(decoded.image),
            decoded.orientation,
            decoded.undrafted,
            decoded.drafted,
            "L",
        )
        with self._lock:
            if path in self._kept or self._held + size > self._bound:
                return
            self._held += size
            self._kept[path] = kept

    def decoded(self, path: str, mode: str, draft_side: int) -> tuple[Image.Image, int] | None:
        """The kept picture of ``path`` and its EXIF orientation, when decoding the file
        with ``core.decoded.draft(img, draft_side, mode)`` would give these very pixels;
        else None. A JPEG is drafted to the largest DCT scale that leaves ``draft_side``
        pixels each way: the kept one serves when that scale is the one it was decoded at,
        in the same mode; other formats decode alike whatever is asked."""
        kept = self._kept.get(path)
        if kept is None:
            return None
        if kept.drafted:
            if mode != kept.mode:
                return None
            width, height = kept.undrafted
            scale = _scale(width, height, draft_side)
            expected = ((width + scale - 1) // scale, (height + scale - 1) // scale)
            if kept.picture.size != expected:
                return None
        return kept.picture, kept.orientation

    def clear(self) -> None:
        """Let every kept picture go."""
        with self._lock:
            self._kept.clear()
            self._held = 0

    def __len__(self) -> int:
        return len(self._kept)


def _outliving(image: Image.Image) -> Image.Image:
    """``image``'s pixels as an image that outlives ``image``'s close, without copying them:
    a second image over the same decoded pixels (Pillow's ``_new``). Closing an image only
    lets go of its pixels, which the second one still holds, and the scan closes the decode
    right after. A copy of a 12-megapixel JPEG's draft (190 KB) took 0.1 ms of thread CPU,
    most of it faulting in fresh memory: 5 % of a scan's hashing of the speed set. Pixels
    Pillow maps from the file (read-only) are copied, so the file is not held."""
    if image.readonly:
        return image.copy()
    image.load()
    return image._new(image.im)


def _scale(width: int, height: int, side: int) -> int:
    """The DCT scale Pillow drafts a JPEG of ``width`` x ``height`` at for ``side``."""
    fits = min(width // side, height // side)
    return next((s for s in _SCALES if fits >= s), 1)
