"""Which copy of a group stays: an ordered list of rules, each breaking the ties of the one before.

The default prefers what a photographer would keep: a file in a reference folder, then the
copy with its companions (the Live video, edits, the RAW shot with it: a copy without them
has lost part of the moment, and removing the copy that has them would take them along), then a
colour picture over a greyscale copy of it (a greyscale PNG is often the larger file, and has as
many pixels), then the most pixels (a resized copy is a loss even when it is a larger file),
then the larger file (less compression), then richer metadata, then the older file (the
original tends to be first), then the shorter path (copies pile up in nested backup folders).
The path itself is the last tie-breaker so that the choice is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from dedupe_gui.core.companions import metadata_files, weight
from dedupe_gui.core.models import ImageRecord

SortKey = Callable[[ImageRecord], float | int | str]

RULES: Final[dict[str, tuple[str, SortKey]]] = {
    "reference": ("In a reference folder", lambda r: 0 if r.reference else 1),
    "companions": (
        "With its Live video, edits or RAW",
        lambda r: -weight(r.companions),
    ),
    "colour": ("In colour rather than greyscale", lambda r: 1 if r.fingerprint.grey else 0),
    "pixels": ("Most pixels", lambda r: -r.pixels),
    "bytes": ("Largest file", lambda r: -r.key.size),
    "smallest": ("Smallest file", lambda r: r.key.size),
    "metadata": (
        "Richest metadata (capture date, camera)",
        lambda r: (
            -(
                (r.fingerprint.taken is not None)
                + (r.fingerprint.camera is not None)
                + metadata_files(r.companions)
            )
        ),
    ),
    "oldest": ("Oldest modification time", lambda r: r.key.mtime_ns),
    "newest": ("Newest modification time", lambda r: -r.key.mtime_ns),
    "shortest_path": ("Shortest path", lambda r: len(r.key.path)),
}

DEFAULT_RULES: Final[tuple[str, ...]] = (
    "reference",
    "companions",
    "colour",
    "pixels",
    "bytes",
    "metadata",
    "oldest",
    "shortest_path",
)


def validate_rules(rules: Sequence[str]) -> tuple[str, ...]:
    """The rules as a tuple, or ValueError naming the unknown ones."""
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"unknown keeper rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    return tuple(dict.fromkeys(rules))  # drop repeats, keep order


def keeper_key(rules: Sequence[str]) -> Callable[[ImageRecord], tuple[float | int | str, ...]]:
    """A sort key under which the best keeper sorts first."""
    fns = [RULES[name][1] for name in validate_rules(rules or DEFAULT_RULES)]

    def key(record: ImageRecord) -> tuple[float | int | str, ...]:
        return (*(fn(record) for fn in fns), record.key.path)

    return key
