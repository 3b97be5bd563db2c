"""Which copy of a group stays: an ordered list of rules, each breaking the ties of the one before.

The default prefers what a photographer would keep: a file in a reference folder, then the
copy with its companions (the Live video, edits, the RAW shot with it: a copy without them
has lost part of the moment, and removing the copy that has them would take them along), then a
colour picture over a greyscale copy of it (a greyscale PNG is often the larger file, and has as
many pixels) or a copy converted to print colours (a CMYK JPEG is often the larger file, and
shows other colours in most viewers), then the picture the way it was taken over a turned or
mirrored copy, then the
clean picture over a copy with a frame, an overlay or an edit over the whole picture added
(a filter, a vignette: the group's other copies look more like the copy they were made from;
both judged against the file's copies, see core.standing and core.keeper_votes), then the
most pixels (a resized copy is a loss even when it is a larger file),
then the larger file (less compression), then richer metadata, then the older file (the
original tends to be first), then the shorter path (copies pile up in nested backup folders).
The path itself is the last tie-breaker so that the choice is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from dedupe_gui.core.companions import metadata_files, weight
from dedupe_gui.core.models import FileKey, ImageRecord


@dataclass(frozen=True, slots=True)
class Standing:
    """Files that their near copies show to be the worse keeper, by file version (computed by
    core.standing, which needs numpy; this module stays light for the options it validates).

    ``turned``: shown turned or mirrored relative to the camera original or to most of the
    copies. ``framed``: a border added around a picture that a comparable copy shows clean,
    an overlay most of its group sees, or an edit of a copy of its canvas that the group's
    other copies were made from (core.standing, core.keeper_standing, core.keeper_votes).
    """

    turned: frozenset[FileKey] = frozenset()
    framed: frozenset[FileKey] = frozenset()

    def joined(self, other: Standing) -> Standing:
        """What both say: the files either names."""
        return Standing(self.turned | other.turned, self.framed | other.framed)


NO_STANDING: Final = Standing()


def cmyk(record: ImageRecord) -> bool:
    """A JPEG in print colours (CMYK): the only JPEG whose colour the fingerprint leaves
    unknown (core.fingerprint decodes the others as luma and counts them as colour)."""
    fp = record.fingerprint
    return fp.grey is None and fp.format in ("JPEG", "MPO")


# A rule's sort key sees the file and what its near copies say about it (core.standing).
SortKey = Callable[[ImageRecord, Standing], float | int | str]

RULES: Final[dict[str, tuple[str, SortKey]]] = {
    "reference": ("In a reference folder", lambda r, s: 0 if r.reference else 1),
    "companions": (
        "With its Live video, edits or RAW",
        lambda r, s: -weight(r.companions),
    ),
    "colour": (
        "In colour rather than greyscale (or print colours, CMYK)",
        lambda r, s: 2 if r.fingerprint.grey else 1 if cmyk(r) else 0,
    ),
    "upright": (
        "The way it was taken, not a turned or mirrored copy",
        lambda r, s: 1 if r.key in s.turned else 0,
    ),
    "clean": (
        "The clean picture, not a copy with a frame or an overlay added",
        lambda r, s: 1 if r.key in s.framed else 0,
    ),
    "pixels": ("Most pixels", lambda r, s: -r.pixels),
    "bytes": ("Largest file", lambda r, s: -r.key.size),
    "smallest": ("Smallest file", lambda r, s: r.key.size),
    "metadata": (
        "Richest metadata (capture date, camera)",
        lambda r, s: (
            -(
                (r.fingerprint.taken is not None)
                + (r.fingerprint.camera is not None)
                + metadata_files(r.companions)
            )
        ),
    ),
    "oldest": ("Oldest modification time", lambda r, s: r.key.mtime_ns),
    "newest": ("Newest modification time", lambda r, s: -r.key.mtime_ns),
    "shortest_path": ("Shortest path", lambda r, s: len(r.key.path)),
}

# What the rules that compare a file with its copies mean, in a sentence for the keep-rules
# list (its tooltip) and the command line's help.
EXPLAINED: Final[dict[str, str]] = {
    "upright": (
        "With rotations on: a copy shown turned or mirrored next to most of its group, or, "
        "between as many files each way, next to the camera original (EXIF camera and capture "
        "date), is not kept; a tie in both leaves the choice to the next rules."
    ),
    "clean": (
        "A copy with a uniform frame, letterbox or screenshot bars on two or more sides is not "
        "kept when a copy without it has at least half the pixels of the picture inside the "
        "frame, or when most copies with at least half its pixels, placed on it, sit inside "
        "its frame; a much larger framed copy still wins on pixels. Nor is a copy kept that a "
        "copy with at least half its pixels shows to carry an overlay (a caption bar, a "
        "sticker: the stronger edges where the two differ) or darkened corners (a vignette), "
        "nor, in a group of three or more, one that most of the others see differ in one place, "
        "nor one beside a copy of its very size that more of the group's other copies of its "
        "proportions look clearly more like (they were made from that one: the kept one is a "
        "filtered or otherwise edited copy), unless it is the camera original and that copy not."
    ),
}

DEFAULT_RULES: Final[tuple[str, ...]] = (
    "reference",
    "companions",
    "colour",
    "upright",
    "clean",
    "pixels",
    "bytes",
    "metadata",
    "oldest",
    "shortest_path",
)


# The rules there were before any were added to the defaults by name (a saved order from then
# does not say which rules it knew).
FIRST_RULES: Final[frozenset[str]] = frozenset(
    [
        "reference",
        "companions",
        "pixels",
        "bytes",
        "smallest",
        "metadata",
        "oldest",
        "newest",
        "shortest_path",
    ]
)


def with_new_rules(saved: Sequence[str], known: Sequence[str] | None) -> tuple[str, ...]:
    """A saved rule order with the default rules added since it was saved (``known``: the rules
    that existed then; None for an order saved before that was recorded) put in at their
    default place: right after the default rule before them that the order holds. A rule the
    user could have unticked stays as the user left it.

    Without this, every order saved by an earlier version (the window saves it on closing,
    chosen or not) would silently keep a new rule out.
    """
    then = FIRST_RULES if known is None else frozenset(known)
    out = [r for r in saved if r in RULES]
    for i, name in enumerate(DEFAULT_RULES):
        if name in then or name in out:
            continue
        before = [r for r in DEFAULT_RULES[:i] if r in out]
        out.insert(out.index(before[-1]) + 1 if before else 0, name)
    return tuple(out)


def rules_help() -> str:
    """Every rule by name with what it prefers, and the longer word on the rules that compare a
    file with its copies: the command line's listing."""
    parts = []
    for name, (label, _) in RULES.items():
        more = EXPLAINED.get(name)
        parts.append(f"{name} ({label}{'. ' + more if more else ''})")
    return "; ".join(parts)


def validate_rules(rules: Sequence[str]) -> tuple[str, ...]:
    """The rules as a tuple, or ValueError naming the unknown ones."""
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"unknown keeper rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    return tuple(dict.fromkeys(rules))  # drop repeats, keep order


def keeper_key(
    rules: Sequence[str], standing: Standing = NO_STANDING
) -> Callable[[ImageRecord], tuple[float | int | str, ...]]:
    """A sort key under which the best keeper sorts first; ``standing``: what the files'
    near copies say about them (core.standing; nothing by default)."""
    fns = [RULES[name][1] for name in validate_rules(rules or DEFAULT_RULES)]

    def key(record: ImageRecord) -> tuple[float | int | str, ...]:
        return (*(fn(record, standing) for fn in fns), record.key.path)

    return key
