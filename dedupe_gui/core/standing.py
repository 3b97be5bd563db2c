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
picture without it shows that the border was added. A framed file beside a clean copy whose
pixels are comparable to the picture inside the frame (at least half as many) is not the copy
to keep; a clean copy much smaller than that is a loss of detail, and the framed file keeps
its place.

The members of a formed group passed the thumbnail check against the keeper; the candidate
pairs before it do not do for this: a plain picture is a candidate of dozens of unrelated
ones, in every orientation.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.orientations import TRANSPOSES

I64 = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]

_ORIENTATIONS: Final = len(TRANSPOSES)
# A clean copy with at least this share of the pixels inside another file's frame makes the
# framed file the worse keeper.
COMPARABLE_PIXELS: Final = 0.5


def camera_originals(records: tuple[ImageRecord, ...]) -> Flags:
    """Files whose EXIF names the camera and the moment of capture."""
    return np.fromiter(
        (r.fingerprint.camera is not None and r.fingerprint.taken is not None for r in records),
        dtype=bool,
        count=len(records),
    )


def losing_orientations(turns: I64, camera: Flags) -> Flags:
    """The members of one group (keeper first, turn 0; ``turns``: how each matches the
    keeper) whose orientation class loses to another: all False when the keeper's class is
    among the winners, so a tie changes nothing."""
    votes = np.bincount(turns, minlength=_ORIENTATIONS)
    cams = np.bincount(turns, weights=camera, minlength=_ORIENTATIONS).astype(np.int64)
    # The number of files first, then camera originals: one score, a file weighing more
    # than any count of camera originals.
    score = votes * (turns.size + 1) + cams
    best = score.max()
    if score[0] == best:
        return np.zeros(turns.size, dtype=bool)
    out: Flags = score[turns] < best
    return out


def framed_beside_clean(inside: npt.NDArray[np.float64], pixels: I64) -> Flags:
    """The framed members of one group (``inside`` < 1: the share of the picture within a
    frame) with a clean member of at least COMPARABLE_PIXELS of the pixels inside the frame."""
    framed = inside < 1.0
    clean = ~framed
    if not clean.any() or not framed.any():
        return np.zeros(inside.size, dtype=bool)
    largest_clean = int(pixels[clean].max())
    out: Flags = framed & (largest_clean >= COMPARABLE_PIXELS * inside * pixels)
    return out
