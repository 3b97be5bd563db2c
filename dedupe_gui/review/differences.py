"""What sets a copy apart from the file that stays: the facts a person weighs before trashing.

A card shows resolution, size, format and date for every file; the ones that differ from the
keeper are what the decision turns on (a smaller keeper, a newer edit, a PNG beside a JPEG),
so the window highlights exactly those, with the direction of the difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from dedupe_gui.core.models import ImageRecord


class Cue(str, Enum):
    LOWER = "lower"  # less than the keeper's: fewer pixels, fewer bytes, an earlier date
    HIGHER = "higher"
    OTHER = "other"  # differs without an order (the format)


@dataclass(frozen=True, slots=True)
class Differences:
    resolution: Cue | None = None
    size: Cue | None = None
    format: Cue | None = None
    date: Cue | None = None

    def __bool__(self) -> bool:
        return any(c is not None for c in (self.resolution, self.size, self.format, self.date))


def record_time(record: ImageRecord) -> datetime:
    """When the photo was taken if the camera said so, else when the file was last written."""
    taken = record.fingerprint.taken
    if taken:
        try:
            return datetime.fromisoformat(taken)
        except ValueError:
            pass
    return datetime.fromtimestamp(record.key.mtime_ns / 1e9)


def _order(mine: float, theirs: float) -> Cue | None:
    if mine == theirs:
        return None
    return Cue.LOWER if mine < theirs else Cue.HIGHER


def compare(record: ImageRecord, keeper: ImageRecord) -> Differences:
    """How ``record`` differs from ``keeper``; nothing for the keeper itself.

    Dates count only to the minute shown on the cards, so a copy written a few seconds
    after the original is not flagged for a difference nobody can see.
    """
    if record.key == keeper.key:
        return Differences()
    fp, kp = record.fingerprint, keeper.fingerprint
    mine, theirs = record_time(record), record_time(keeper)
    return Differences(
        resolution=_order(fp.width * fp.height, kp.width * kp.height)
        or (Cue.OTHER if (fp.width, fp.height) != (kp.width, kp.height) else None),
        size=_order(record.key.size, keeper.key.size),
        format=Cue.OTHER if fp.format.upper() != kp.format.upper() else None,
        date=_order(
            mine.replace(second=0, microsecond=0).timestamp(),
            theirs.replace(second=0, microsecond=0).timestamp(),
        ),
    )
