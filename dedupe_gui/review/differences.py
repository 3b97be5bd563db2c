"""What sets a copy apart from the file that stays: the facts a person weighs before trashing.

A card shows resolution, size, format and date for every file; the ones that differ from the
keeper are what the decision turns on (a smaller keeper, a newer edit, a PNG beside a JPEG),
so the window highlights exactly those, with the direction of the difference. Beside them,
what the thumbnail check saw differ from the keeper ("trimmed 8 % left", "border added",
"overlay at the bottom", "greyscale": core.differences), where it can still be said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from dedupe_gui.core.differences import turned_round
from dedupe_gui.core.models import GroupMember, ImageRecord


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
    # What the check saw differ from the keeper, in words, that the cues above do not say.
    said: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        cues = (self.resolution, self.size, self.format, self.date)
        return any(c is not None for c in cues) or bool(self.said)


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


# Words of core.differences that the highlighted facts already say (resolution, format).
_SAID_BY_FACTS = ("smaller (", "larger (", "saved as ")
_TRIMMED = re.compile(r"trimmed (\d+) % (left|right|top|bottom)")


def said_words(member: GroupMember, keeper: GroupMember, suggested: GroupMember) -> tuple[str, ...]:
    """What the check saw tell ``member`` from ``keeper`` (the file that stays now), given
    that every file's words were measured against ``suggested`` (the grouping's keeper).

    Against the suggested keeper: the member's own words, less its turn (a badge says that)
    and the ones the highlighted facts already show. When the user keeps another file, the
    suggested keeper gets that file's words seen the other way round ("border added" becomes
    "border removed", "overlay at the bottom" becomes "no overlay at the bottom"); the other
    files were never compared with the new keeper, and nothing is said rather than a guess.
    """
    if member.path == keeper.path:
        return ()
    if keeper.path == suggested.path:
        return tuple(
            w
            for w in member.differences
            if w != member.orientation and not w.startswith(_SAID_BY_FACTS)
        )
    if member.path != suggested.path:
        return ()
    out: list[str] = []
    for w in keeper.differences:
        if (turned := turned_round(w)) is not None:
            out.append(turned)
        elif (trim := _TRIMMED.fullmatch(w)) is not None:
            out.append(f"{trim[1]} % more at the {trim[2]}")
    return tuple(out)


def against_keeper(member: GroupMember, keeper: GroupMember, suggested: GroupMember) -> Differences:
    """Everything that sets ``member`` apart from the file that stays (see ``compare`` and
    ``said_words``)."""
    return replace(
        compare(member.record, keeper.record), said=said_words(member, keeper, suggested)
    )
