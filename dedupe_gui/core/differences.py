"""What tells a grouped file from its keeper, in words: "trimmed 8 % left", "border added",
"overlay at the bottom", "greyscale", "rotated 180°", "re-encoded".

The facts come from the fingerprints (size, format, colour) and from aligning the two
thumbnails (core.verify.explain): the warp says which edges a copy lost, the tiles that
still differ where an overlay sits. Only what the check can tell is said; an empty list
means nothing measurable differs besides the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.keeper import cmyk
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.standing import SCREEN_PIXELS, screen_shaped

Box = tuple[float, float, float, float]

# Smallest trim, border or size change worth a word (share of a side or of the pixels).
_TRIM: Final = 0.03
_SMALLER: Final = 0.95
# Two pictures are one canvas (``_one_to_one``) when their pixel sizes' proportions agree to
# this (log ratio: a pixel in 200) and the warp of one onto the other is within this scale
# and shift of the identity (shares of a side).
SAME_PROPORTIONS: Final = 0.005
_SAME_SCALE: Final = 0.02
_SAME_SHIFT: Final = 0.01
# A picture of at least 8 % of a 288 px side placed inside a frame (core.picture_boxes) is
# 23 px or more: a pixel off at each of its edges is 9 % of its proportions at most.
_BOX_PROPORTIONS: Final = 0.09
# Overlays larger than this share of the tiles are not one overlay but a different look.
_MAX_OVERLAY: Final = 0.35
# A vignette added to the member, or one the keeper has and the member has not.
DARKENED: Final = "darkened corners"
LIGHTER: Final = "lighter corners"
# Words that say the keeper carries what the member has not, and words that say a place
# differs without telling which copy carries it (core.keeper_standing reads both).
KEEPER_CARRIES: Final = ("no overlay at ", LIGHTER)
DIFFERS: Final = "differs at "
# How a trimmed member's words begin.
TRIMMED: Final = "trimmed "
# Words of a member framed where its keeper is not, or the other way: its tiles were not
# compared with the keeper's (the frame would be compared with the picture).
SHOT: Final = "screenshot of it"
BORDERED: Final = "border added"
NOT_A_SHOT: Final = "not a screenshot"
UNBORDERED: Final = "border removed"
FRAMED: Final = (SHOT, BORDERED, NOT_A_SHOT, UNBORDERED)
# The same difference seen from the other file of the pair (``turned_round``).
_REVERSED: Final = {
    BORDERED: UNBORDERED,
    UNBORDERED: BORDERED,
    SHOT: NOT_A_SHOT,
    NOT_A_SHOT: SHOT,
    DARKENED: LIGHTER,
    LIGHTER: DARKENED,
    "greyscale": "in colour",
    "re-encoded": "re-encoded",
}
# An overlay one file carries is one the other has not; a place that differs differs either way.
_OVERLAID: Final = {
    "overlay at ": "no overlay at ",
    "no overlay at ": "overlay at ",
    DIFFERS: DIFFERS,
}
# Where a caption bar sits, by ``Marks.bar_place``.
_BAR_PLACES: Final = {1: "the bottom", -1: "the top", 2: "the right", -2: "the left"}


@dataclass(frozen=True, slots=True)
class Frames:
    """Where a member's and its keeper's pictures sit inside a frame on two or more sides
    (None: no frame; a bar along one edge only is a caption or a banner over the picture),
    and whether that frame is a screenshot's chrome (core.picture_boxes)."""

    member: Box | None = None
    keeper: Box | None = None
    member_chrome: bool = False
    keeper_chrome: bool = False


@dataclass(frozen=True, slots=True)
class Marks:
    """Which of the two copies carries what differs (core.overlays): ``overlay`` 1 when the
    member carries the overlay in the differing tiles, -1 when the keeper does, 0 when the
    thumbnails cannot tell; ``corners`` 1 when the member's corners are darkened against
    the keeper's, -1 when the keeper's are; ``bar`` the same for a caption bar."""

    overlay: int = 0
    corners: int = 0
    # A caption bar across the picture: 1 the member carries it, -1 the keeper; where it
    # sits: 1 the bottom, -1 the top, 2 the right, -2 the left (core.overlays).
    bar: int = 0
    bar_place: int = 0


def describe(
    keeper: ImageRecord,
    member: ImageRecord,
    orientation: str,
    warp: npt.NDArray[np.float32],
    differing: npt.NDArray[np.bool_],
    frames: Frames,
    marks: Marks = Marks(),
) -> tuple[str, ...]:
    """The differences of ``member`` from ``keeper``, most telling first.

    ``warp``: scale x, scale y, shift x, shift y of the member's thumbnail onto the
    keeper's (core.verify.explain); ``differing``: the member's 8x8 tiles that still
    differ; ``frames``: where either picture sits inside a frame or chrome; ``marks``:
    which copy carries an overlay or darkened corners.
    """
    out: list[str] = []
    if orientation:
        out.append(orientation)
    member_border = frames.member if framed(frames.member) else None
    keeper_border = frames.keeper if framed(frames.keeper) else None
    if not orientation and _one_to_one(keeper, member, warp):
        # Both show one canvas: a margin one of them shows (an object on a white page) was
        # not added around the other's picture, it is there in both, and an edit over it
        # (darkened corners, a caption bar) is what broke it in the other.
        member_border = keeper_border = None
    elif member_border is not None and keeper_border is not None:
        # A photo of an object on a plain backdrop has a box of its own; in a screenshot of
        # it, the chrome's box is what holds the whole photo, of its proportions.
        keeper_holds = _holds_whole(keeper_border, keeper, member)
        member_holds = _holds_whole(member_border, member, keeper)
        if frames.keeper_chrome and keeper_holds and not member_holds:
            member_border = None
        elif frames.member_chrome and member_holds and not keeper_holds:
            keeper_border = None
    if member_border is not None and keeper_border is None:
        out.append(SHOT if frames.member_chrome else BORDERED)
    elif member_border is None and keeper_border is not None and _covers(warp, keeper_border):
        out.append(NOT_A_SHOT if frames.keeper_chrome else UNBORDERED)
    else:
        # The warp and the differing tiles only mean something between two pictures of
        # one frame; with a border on one side they compare the frame with the picture.
        out.extend(_trims(warp))
        if marks.corners:
            # A vignette differs all around the picture: not one overlay somewhere.
            out.append(DARKENED if marks.corners > 0 else LIGHTER)
        elif marks.bar:
            where = _BAR_PLACES.get(marks.bar_place, "the top")
            out.append(f"{'no ' if marks.bar < 0 else ''}overlay at {where}")
        else:
            where = _overlay_place(differing)
            if where:
                # Which copy carries it (core.overlays); "differs at" when neither shows.
                kind = {1: "overlay at", -1: "no overlay at"}.get(marks.overlay, "differs at")
                out.append(f"{kind} {where}")
    kf, mf = keeper.fingerprint, member.fingerprint
    if mf.grey and kf.grey is False:
        out.append("greyscale")
    elif cmyk(member) and not cmyk(keeper) and kf.grey is False:
        out.append("CMYK")
    if member.pixels < _SMALLER * keeper.pixels:
        out.append(f"smaller ({mf.width}×{mf.height})")
    elif keeper.pixels < _SMALLER * member.pixels:
        # The keeper won on another rule (a reference folder, its Live video or edits, the
        # order the user chose): a copy with more pixels going to the trash must say so.
        out.append(f"larger ({mf.width}×{mf.height})")
    if mf.format != kf.format:
        out.append(f"saved as {mf.format}")
    elif not out and member.key.size != keeper.key.size:
        out.append("re-encoded")
    return tuple(out)


def turned_round(word: str) -> str | None:
    """``word``, said of a member against its keeper, as the keeper would be said to differ
    from that member ("overlay at the bottom": "no overlay at the bottom", "border added":
    "border removed"), or None for words with no reverse worth saying (a trim, a size, a
    format, a turn)."""
    if word in _REVERSED:
        return _REVERSED[word]
    kind = next((k for k in _OVERLAID if word.startswith(k)), None)
    return None if kind is None else _OVERLAID[kind] + word[len(kind) :]


def _one_to_one(keeper: ImageRecord, member: ImageRecord, warp: npt.NDArray[np.float32]) -> bool:
    """Whether the two pictures are one canvas: of the very same pixel size, or of
    proportional sizes and aligned with no more than a resampling's scale and shift. A
    frame added around a picture makes a larger canvas of it, of other proportions or at
    another scale against the picture (a frame of 2 % a side: 0.96). The warp alone does
    not tell: darkened corners pull the alignment of an object on a white page a few per
    cent off (a scale of 0.92 measured)."""
    kf, mf = keeper.fingerprint, member.fingerprint
    if (kf.width, kf.height) == (mf.width, mf.height):
        return True
    if min(kf.width, kf.height, mf.width, mf.height) <= 0:
        return False
    proportions = abs(np.log((mf.width * kf.height) / (mf.height * kf.width)))
    sx, sy, tx, ty = (float(v) for v in warp)
    return bool(
        proportions < SAME_PROPORTIONS
        and max(abs(sx - 1), abs(sy - 1)) < _SAME_SCALE
        and max(abs(tx), abs(ty)) < _SAME_SHIFT
    )


def _holds_whole(box: Box, framed_one: ImageRecord, other: ImageRecord) -> bool:
    """Whether ``box``, a picture placed inside ``framed_one``'s frame, has the proportions
    of all of ``other``'s picture, ``framed_one`` being a screen of more pixels
    (core.standing ``SCREEN_SHAPE``). The box is placed on a picture of some 288 px a side, a
    pixel off at each edge at most (``_BOX_PROPORTIONS``)."""
    ff, of = framed_one.fingerprint, other.fingerprint
    left, top, right, bottom = box
    width, height = (right - left) * ff.width, (bottom - top) * ff.height
    if min(width, height, of.width, of.height, ff.width, ff.height) <= 0:
        return False
    screen = screen_shaped(ff.width, ff.height) and (
        ff.width * ff.height >= SCREEN_PIXELS * of.width * of.height
    )
    return screen and bool(
        abs(np.log((width * of.height) / (height * of.width))) < _BOX_PROPORTIONS
    )


def _covers(warp: npt.NDArray[np.float32], box: Box) -> bool:
    """Whether the member, placed on the keeper by ``warp``, shows all of the picture inside
    the keeper's frame (``box``), short of a trim too small to say. Otherwise the member is
    a crop that cut into that picture too (an object on a white page cropped close: the
    page reads as the keeper's frame), and its trims are what tells it from the keeper, not
    a border removed."""
    sx, sy, tx, ty = (float(v) for v in warp)
    left, top, right, bottom = box
    return (
        tx <= left + _TRIM
        and ty <= top + _TRIM
        and tx + sx >= right - _TRIM
        and ty + sy >= bottom - _TRIM
    )


def framed(box: Box | None) -> bool:
    """Whether a content box leaves a margin on at least two sides (a frame, a letterbox)."""
    if box is None:
        return False
    left, top, right, bottom = box
    return sum(margin >= _TRIM / 3 for margin in (left, top, 1 - right, 1 - bottom)) >= 2


def _trims(warp: npt.NDArray[np.float32]) -> list[str]:
    sx, sy, tx, ty = (float(v) for v in warp)
    cut = {"left": tx, "right": 1 - tx - sx, "top": ty, "bottom": 1 - ty - sy}
    return [f"{TRIMMED}{round(100 * v)} % {side}" for side, v in cut.items() if v >= _TRIM]


def _overlay_place(differing: npt.NDArray[np.bool_]) -> str:
    """Where the differing tiles sit, when they are one region of modest size."""
    count = int(differing.sum())
    tiles = differing.size
    if count == 0 or count > _MAX_OVERLAY * tiles:
        return ""
    rows, cols = np.nonzero(differing)
    n = differing.shape[0]
    cy, cx = (rows.mean() + 0.5) / n, (cols.mean() + 0.5) / n
    vertical = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else ""
    horizontal = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else ""
    if vertical and horizontal:
        where = f"the {vertical} {horizontal} corner"
    elif vertical or horizontal:
        where = f"the {vertical or horizontal}"
    else:
        where = "the middle"
    return where
