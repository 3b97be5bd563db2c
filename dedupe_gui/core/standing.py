"""What a group's members say about its keeper: the facts behind the keeper rules that judge a
file against its copies rather than alone (core.keeper "upright" and "clean").

A file alone cannot tell whether it is upside down: every picture is upright to itself. Next
to its copies it can. The grouping knows in which of the eight orientations each member of a
group matches the keeper (core.orientations), so the members fall into orientation classes,
and the keeper's class can be outvoted:

- the class with more files wins: copies are mostly made without turning, so the turned one
  is usually the odd one out (a phone's share sheet or an editor that dropped the EXIF
  orientation tag, a scan fed in upside down);
- between classes of as many files, the one with more camera originals (Make/Model and a
  capture date in the EXIF) wins: a pair of an original and one turned copy is the common
  case, and the camera's file shows the way the picture was taken. It does not outweigh a
  majority: an editor that turns a picture often keeps its EXIF (measured on the first
  corpus: a real photo turned 180° and cropped, EXIF kept, beside five upright copies);
- a tie in both says nothing, and the other rules decide.

Frames work the same way: a uniform border on two or more sides (a frame, a letterbox, the
bars of a screenshot) is a fact of one file's own thumbnail, but only a copy of the same
picture without it shows that the border was added: a copy whose shape is the picture's
inside the frame, not the framed file's. A framed file beside such a clean copy whose pixels
are comparable to the picture inside the frame (at least half as many) is not the copy to
keep; a clean copy much smaller than that is a loss of detail, and the framed file keeps its
place. Measured on the first corpus, the shape test is what keeps a watermarked copy (its
stamp breaks a photo's dark margin) and a crop from passing for the clean picture.

The clean copy may have a uniform margin of its own (an object on a plain backdrop: the
border readings peel it off as they would a frame) when that margin's grey level is another
than the frame's: the frame's reading stops only where its colour does, so a frame that
ends at the clean copy's whole shape, backdrop included, was put around that copy (measured
on edit seed 2: a fish on a dark backdrop letterboxed in white, whose clean copies all read
as framed, kept the letterboxed copy). A margin of the frame's own colour shows nothing of
the kind: the reading runs on through it, and a crop that cut part of a natural margin away
leaves the same boxes as a frame added of the margin's colour.

The members of a formed group passed the thumbnail check against the keeper; the candidate
pairs before it do not do for this: a plain picture is a candidate of dozens of unrelated
ones, in every orientation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.orientations import TRANSPOSES

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]

_ORIENTATIONS: Final = len(TRANSPOSES)
_FIRST_QUARTER_TURN: Final = 4  # orientations from here on swap width and height
# A clean copy's shape (width / height) must differ from the framed file's by more than this
# ratio (the frame changed the shape) and match the picture inside the frame within this one
# (a 32x32 thumbnail places the frame to a pixel: 3 % of a side). A frame of even width
# changes a 4:3 picture's shape little (24 px around 1024x768: 1.5 %); copies of one canvas
# resized keep it to rounding (0.1 %).
_OTHER_SHAPE: Final = 1.005
_INSIDE_SHAPE: Final = 1.07
# A clean copy's own margin and another copy's frame are of other colours when their grey
# levels are further apart than this: twice the border readings' tolerance (10 levels:
# core.windows), for two decodes of one colour that a JPEG left a few levels apart.
_OTHER_LEVEL: Final = 20
# A screenshot is of a screen's shape (16:10 or longer, either way up) and, holding a photo
# with more pixels than the photo has, of at least this many times its pixels.
SCREEN_SHAPE: Final = 1.6
SCREEN_PIXELS: Final = 2.0
# A clean copy with at least this share of the pixels inside another file's frame makes the
# framed file the worse keeper.
COMPARABLE_PIXELS: Final = 0.5


def screen_shaped(width: int, height: int) -> bool:
    """Whether a picture of this size has a screen's shape (``SCREEN_SHAPE``)."""
    return min(width, height) > 0 and max(width, height) >= SCREEN_SHAPE * min(width, height)


def camera_originals(records: tuple[ImageRecord, ...]) -> Flags:
    """Files whose EXIF names the camera and the moment of capture."""
    return np.fromiter(
        (r.fingerprint.camera is not None and r.fingerprint.taken is not None for r in records),
        dtype=bool,
        count=len(records),
    )


@dataclass(frozen=True, slots=True)
class Members:
    """Every formed group's members in one flat array, keeper first in each group: ``group``
    numbers them, ``turn`` says how each matches its keeper (0 for the keepers), ``start``
    is where each group begins."""

    record: I64
    group: I64
    turn: I64
    start: I64

    @staticmethod
    def of(formed: Sequence[tuple[int, I64, I64, I64]]) -> Members:
        sizes = np.array([1 + others.size for _, others, _, _ in formed], np.int64)
        zero = np.zeros(1, np.int64)
        return Members(
            np.concatenate([np.concatenate([[best], o]) for best, o, _, _ in formed]),
            np.repeat(np.arange(sizes.size, dtype=np.int64), sizes),
            np.concatenate([np.concatenate([zero, k]) for _, _, _, k in formed]),
            np.concatenate([zero, np.cumsum(sizes)[:-1]]),
        )

    def pairs(self) -> tuple[I64, I64]:
        """Every ordered pair (i, j) of members of one group, i != j, as positions."""
        sizes = np.diff(np.append(self.start, self.group.size))
        per = sizes[self.group]
        i = np.repeat(np.arange(self.group.size, dtype=np.int64), per)
        j = self.start[self.group][i] + (
            np.arange(i.size, dtype=np.int64) - np.repeat(np.cumsum(per) - per, per)
        )
        keep = i != j
        return i[keep], j[keep]


def losing_orientations(m: Members, camera: Flags) -> Flags:
    """The members whose orientation class loses to another in their group, in groups whose
    keeper's class loses (``camera``: per member, a camera original). A group whose keeper's
    class is among the winners, a tie included, names nobody."""
    groups = m.start.size
    slot = m.group * _ORIENTATIONS + m.turn
    votes = np.bincount(slot, minlength=groups * _ORIENTATIONS).reshape(groups, -1)
    cams = np.bincount(slot, weights=camera, minlength=groups * _ORIENTATIONS)
    # The number of files first, then camera originals: one score, a file weighing more
    # than any count of camera originals.
    score = votes * (m.group.size + 1) + cams.reshape(groups, -1).astype(np.int64)
    best = score.max(axis=1)
    outvoted = score[:, 0] < best
    out: Flags = outvoted[m.group] & (score[m.group, m.turn] < best[m.group])
    return out


def framed_beside_clean(
    m: Members, inside: F64, width: I64, height: I64, level: F64 | None = None
) -> Flags:
    """The framed members (``inside``: width and height shares of the picture within a
    uniform frame, (1, 1) for none) beside a clean member of their group that shows the
    frame was added, in groups whose keeper is such a file. ``level``: each member's uniform
    frame's grey level (NaN: unknown, or chrome); a member framed in another grey than a
    framed member's frame is clean beside it (its margin is its picture's own).

    The clean copy must have at least COMPARABLE_PIXELS of the pixels inside the frame, and
    its shape must be the inside's, not the framed file's: a copy of the very same canvas
    (a watermark in the margin, a contrast change that made the margin uneven) only looks
    clean, and a crop that cut a natural margin away has another shape than the picture in
    it.
    """
    w = width.astype(np.float64)
    h = height.astype(np.float64)
    quarter = m.turn >= _FIRST_QUARTER_TURN
    w, h = np.where(quarter, h, w), np.where(quarter, w, h)  # as the keeper shows it
    framed = inside[:, 0] * inside[:, 1] < 1.0
    inside_shape = np.log(w * inside[:, 0]) - np.log(h * inside[:, 1])
    whole_shape = np.log(w) - np.log(h)
    i, j = m.pairs()
    clean = ~framed[j]
    if level is not None:
        with np.errstate(invalid="ignore"):
            clean |= np.abs(level[i] - level[j]) > _OTHER_LEVEL  # NaN: not clean
    # A photo of an object on a plain backdrop has a box of its own (a frame, or chrome
    # where the backdrop meets a shadow), and is still the clean copy beside a screenshot
    # whose chrome holds all of it: a screen's shape and pixels, the inside of which has
    # the photo's whole shape, and not the other way round. (Without the screen, a square
    # crop of such a photo had its shape by chance, and the photo lost to it.)
    near = np.log(_INSIDE_SHAPE)
    screen = (np.abs(whole_shape[i]) >= np.log(SCREEN_SHAPE)) & (
        w[i] * h[i] >= SCREEN_PIXELS * w[j] * h[j]
    )
    holds = screen & (np.abs(inside_shape[i] - whole_shape[j]) < near)
    held = np.abs(inside_shape[j] - whole_shape[i]) < near
    clean |= framed[j] & holds & ~held
    i, j = i[framed[i] & clean], j[framed[i] & clean]
    inner_w, inner_h = w[i] * inside[i, 0], h[i] * inside[i, 1]
    shape_clean = np.log(w[j] / h[j])
    added = (
        (w[j] * h[j] >= COMPARABLE_PIXELS * inner_w * inner_h)
        & (np.abs(shape_clean - np.log(w[i] / h[i])) > np.log(_OTHER_SHAPE))
        & (np.abs(shape_clean - np.log(inner_w / inner_h)) < np.log(_INSIDE_SHAPE))
    )
    flagged = np.zeros(m.group.size, dtype=bool)
    flagged[i[added]] = True
    out: Flags = flagged & flagged[m.start][m.group]
    return out
