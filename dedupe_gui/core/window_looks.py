"""Windows of a picture decoded again for a second look at a pair (core.window_candidates).

A pair a window brought together that failed the thumbnail check is looked at again through
that window: the window's part of its owner, decoded again, made into a 32x32 thumbnail and
a 256x256 detail picture (for the text check; its fine thumbnail is made from it). Two
pictures of flat areas and edges are judged through it as the pair check judges them whole,
which ``FlatJudge`` carries from core.pair_checker.

What is kept of a look between pairs is its thumbnail (and the fine thumbnail of a picture
of flat areas and edges): ``Glance``. The detail picture is 64 KB, and only a pair that
passes through the window needs it; a 100,000-file library's walk held some 2,000 of them
(130 MB) for the few pairs that did, so it is decoded again for those (``details_of``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.fingerprint import FingerprintError, upright_grey
from dedupe_gui.core.frame_readings import Box
from dedupe_gui.core.hashes import THUMB_SIDE
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.strokes import SIDE as STROKE_SIDE
from dedupe_gui.core.thumbnails import FINE_SIDE as FINE_THUMB_SIDE
from dedupe_gui.core.thumbnails import thumbnail
from dedupe_gui.core.windows import (
    FINE_SIDE,
    bordered_sides,
    framed,
    pixel_region,
    shown_small,
    window_boxes,
)

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
_Asked = TypeVar("_Asked")
_Made = TypeVar("_Made")

# Longest side a window's owner is decoded at for a second look.
LOOK_SIDE: Final = 512
# A picture is framed (a frame, a letterbox, a screenshot's bars) when what is inside its
# border leaves a border on this many sides at least, and fills its box along this many
# (core.windows.framed): a band of one colour along one edge is a sky, a wall or a
# backdrop, and reading it as a frame refused the looks through the picture's trimmed
# edges (a lighthouse under a blue sky trimmed by a quarter: 0.009); an object on a plain
# backdrop leaves a border all round but touches it only at its tips, and reading that as
# a frame refused the looks through its deep trims and squares (seed 2 of
# bench.edit_corpus: two fish on black, a hammer and tweezers on white, 0.011-0.026
# through their windows, refused).
_FRAMED_SIDES: Final = 2
# The filter a window's fine thumbnail is made with (core.verify.fine_thumbnail's).
_FINE_FILTER: Final = Image.Resampling.LANCZOS


@dataclass(frozen=True)
class Look:
    """A window decoded again: its 32x32 thumbnail, its 256x256 detail picture (for the text
    check; its fine thumbnail is made from it; None when not asked for), where it sits and
    its shape."""

    thumb: U8
    detail: U8 | None
    box: Box
    aspect: float  # width / height


@dataclass(frozen=True)
class FlatJudge:
    """What the look through a window needs from the pair check to judge two pictures of
    flat areas and edges as it judges them whole: the records' fine thumbnails (a stack and
    which were found), the layout rules (residuals, the two fine stacks and the pairs'
    shapes in; residuals with look-alikes at infinity out) and a record's 128x128 colour
    picture (core.fingerprint.detail_colour, or None)."""

    fines: Callable[[I64], tuple[U8, npt.NDArray[np.bool_]]]
    apart: Callable[[F32, U8, U8, F32], F32]
    colours: Callable[[int], U8 | None]


@dataclass(frozen=True)
class Glance:
    """What is kept of a look (``Look``) between pairs: its 32x32 thumbnail, its fine
    thumbnail when asked for (a picture of flat areas and edges: ``fine_of``; else None),
    where it sits and its shape."""

    thumb: U8
    fine: U8 | None
    box: Box
    aspect: float


def glance_of(look: Look | None, fine: bool) -> Glance | None:
    """``look`` without its detail picture, with its fine thumbnail when ``fine`` (made from
    the detail picture, which the look must then have)."""
    if look is None:
        return None
    made = None
    if fine:
        if look.detail is None:
            raise ValueError("a fine thumbnail is made from the look's detail picture")
        made = fine_of(look.detail)
    return Glance(look.thumb, made, look.box, look.aspect)


def fine_of(detail: U8) -> U8:
    """The fine thumbnail (core.verify.fine_thumbnail's size) of a window's detail picture."""
    small = Image.fromarray(detail).resize((FINE_THUMB_SIDE, FINE_THUMB_SIDE), _FINE_FILTER)
    out: U8 = np.asarray(small, dtype=np.uint8)
    return out


class Decoded:
    """The last file decoded for a look and its windows: a file's windows asked one after
    the other are cut from one decode (or from the scan's, kept in ``pictures``)."""

    def __init__(self, pictures: ScanPictures | None = None) -> None:
        self._pictures = pictures
        self._path = ""
        self._picture: tuple[Image.Image, list[tuple[Box, bool]], bool] | None = None

    def of(self, path: str) -> tuple[Image.Image, list[tuple[Box, bool]], bool] | None:
        """The file's picture at ``LOOK_SIDE``, its windows and whether it is framed
        (``_framed``), or None."""
        if path != self._path:
            self._path = path
            try:
                full = upright_grey(path, max_side=LOOK_SIDE, pictures=self._pictures)
            except FingerprintError:
                self._picture = None
            else:
                finer = partial(shown_small, full, side=FINE_SIDE)
                small = shown_small(full)
                boxes = window_boxes(small, finer)
                self._picture = (full, boxes, _framed(boxes, small, finer))
        return self._picture


def _framed(
    boxes: Sequence[tuple[Box, bool]], small: Image.Image, finer: Callable[[], Image.Image]
) -> bool:
    """Whether a picture with windows ``boxes`` sits in a frame or a screenshot's chrome
    (core.windows.framed, on ``small``: the picture the windows are laid on, and ``finer``:
    at ``FINE_SIDE``); only asked when one of its windows is inside a border on
    ``_FRAMED_SIDES`` sides."""
    if not any(p and bordered_sides(b) >= _FRAMED_SIDES for b, p in boxes):
        return False
    found = framed(
        np.asarray(small, dtype=np.int16), np.asarray(finer(), dtype=np.int16), _FRAMED_SIDES
    )
    return True if found is None else found


def window_look(
    path: str, slot: int, decoded: Decoded | None = None, detail: bool = True
) -> Look | None:
    """The look through window ``slot`` of the file, or None; its detail picture only with
    ``detail``: a 256x256 LANCZOS resize that most looks kept as glances never read (of a
    10,000-file cold grouping's CPU, 5 % went to it)."""
    picture = (decoded or Decoded()).of(path)
    if picture is None:
        return None
    full, boxes, framed = picture
    if slot >= len(boxes):
        return None
    box, precise = boxes[slot]
    if not precise and framed:
        # A picture with a border or chrome is looked at only through what is inside it:
        # its trimmed edges would show mostly the chrome another screenshot shares.
        return None
    part = full.crop(pixel_region(box, full.size))
    thumb = np.frombuffer(thumbnail(part), dtype=np.uint8).reshape(THUMB_SIDE, THUMB_SIDE)
    seen = None
    if detail:
        seen = np.asarray(
            part.resize((STROKE_SIDE, STROKE_SIDE), Image.Resampling.LANCZOS), dtype=np.uint8
        )
    return Look(thumb, seen, box, part.size[0] / max(1, part.size[1]))


def owner_looks(
    path: str, slots: Sequence[int], pictures: ScanPictures | None = None, detail: bool = True
) -> list[Look | None]:
    """The looks through windows ``slots`` of one file, all cut from one decode (or from
    its picture kept in ``pictures``); their detail pictures only with ``detail``."""
    decoded = Decoded(pictures)
    return [window_look(path, slot, decoded, detail) for slot in slots]


def owner_glances(
    path: str, slots: Sequence[int], fine: bool, pictures: ScanPictures | None = None
) -> list[Glance | None]:
    """``owner_looks`` as kept (``glance_of``): a file's detail pictures are made only for
    its fine thumbnails (``fine``), and let go as soon as those are made."""
    return [glance_of(look, fine) for look in owner_looks(path, slots, pictures, fine)]


def owner_details(
    path: str, slots: Sequence[int], pictures: ScanPictures | None = None
) -> list[U8 | None]:
    """The detail pictures of windows ``slots`` of one file, all cut from one decode."""
    looks = owner_looks(path, slots, pictures)
    return [None if look is None else look.detail for look in looks]


def looks_of(
    asked: Sequence[tuple[str, Sequence[int], bool]],
    workers: int,
    pictures: ScanPictures | None = None,
) -> list[list[Glance | None]]:
    """``owner_glances`` of each (file, slots, fine) asked, the files decoded side by side on
    up to ``workers`` threads. A look is mostly decoding and resizing, which Pillow does
    without the interpreter's lock: the second looks ran one file after another on the
    thread that groups, after the scan's threads were done, a tenth of a 150-photo scan's
    whole time on two cores. Each thread holds one decoded picture at a time. ``pictures``:
    the scan's decoded pictures, taken instead of decoding where they serve."""
    return _side_by_side(lambda item: owner_glances(*item, pictures), asked, workers)


def details_of(
    asked: Sequence[tuple[str, Sequence[int]]],
    workers: int,
    pictures: ScanPictures | None = None,
) -> list[list[U8 | None]]:
    """``owner_details`` of each (file, slots) asked, files side by side as ``looks_of``."""
    return _side_by_side(lambda item: owner_details(*item, pictures), asked, workers)


def _side_by_side(
    each: Callable[[_Asked], list[_Made]], asked: Sequence[_Asked], workers: int
) -> list[list[_Made]]:
    """``each`` of the items asked, on up to ``workers`` threads."""
    if workers <= 1 or len(asked) < 2:
        return [each(item) for item in asked]
    with ThreadPoolExecutor(min(workers, len(asked)), thread_name_prefix="looks") as pool:
        return list(pool.map(each, asked))
