"""What decides which files form a group, as one value the command line, the window and the
review session pass around, compare and keep.

Importing it costs nothing (no numpy, no Pillow): the window holds one before any grouping
runs, and a saved report carries its threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedupe_gui.core.keeper import DEFAULT_RULES, validate_rules
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD, MAX_THRESHOLD


@dataclass(frozen=True, slots=True)
class GroupingOptions:
    """Every setting of one grouping; two equal options give the same groups.

    ``threshold``: the largest dHash distance (bits of 64) to the keeper (core.threshold).
    ``rules``: the keeper rules, best first (core.keeper). ``verify``: also require the
    thumbnails to match (core.verify). ``rotations``: also group copies turned by 90/180/270
    degrees or mirrored (core.orientations). ``max_residual``: the thumbnail check's limit;
    None is the measured default, ``core.verify.DEFAULT_MAX_RESIDUAL``. ``shot_partners``: also
    offer a RAW file and the JPEG the camera wrote beside it as copies of each other
    (core.companions); by default they are one shot. ``trims``: also find copies trimmed on
    some edges, cropped square or framed by a border, through the hashes of windows of each
    picture (core.windows); the thumbnail check confirms them as any other candidate.
    """

    threshold: int = DEFAULT_THRESHOLD
    rules: tuple[str, ...] = DEFAULT_RULES
    verify: bool = True
    rotations: bool = False
    max_residual: float | None = None
    shot_partners: bool = False
    trims: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.threshold <= MAX_THRESHOLD:
            raise ValueError(
                f"threshold must be between 0 and {MAX_THRESHOLD}, not {self.threshold}"
            )
        # Tuples only: options are compared and used as keys, and a list would not hash.
        object.__setattr__(self, "rules", validate_rules(self.rules or DEFAULT_RULES))
