"""What a cleanup will do before it runs, and what it did after: plans and summaries.

A plan is made for a scope the user picks ("this group", "the groups I reviewed", "all
groups") and states what the confirmation must say: files, bytes, groups, how many of the
groups were reviewed, and whether the results are partial (a cancelled scan). Nothing is
removed until the user accepts it; the core re-checks every file again when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from dedupe_gui.core.actions import Outcome, Removal
from dedupe_gui.core.companions import going_with
from dedupe_gui.core.models import Companion
from dedupe_gui.review.group import ReviewGroup


class GroupScope(str, Enum):
    GROUP = "group"  # the group on show
    REVIEWED = "reviewed"  # every group the user has looked at
    ALL = "all"  # every group


@dataclass(frozen=True, slots=True)
class CleanupPlan:
    scope: GroupScope
    items: tuple[tuple[ReviewGroup, Removal], ...]
    permanent: bool = False  # delete instead of trash (only offered where there is no trash)
    partial: bool = False  # the groups come from a scan cancelled before the end
    reviewed_groups: int = 0  # groups with marks that the user has looked at
    total_groups: int = 0  # groups with marks, reviewed or not

    @property
    def files(self) -> int:
        return sum(len(r.remove) for _, r in self.items)

    @property
    def bytes(self) -> int:
        return sum(
            m.record.key.size for _, r in self.items for m in r.group.members if m.path in r.remove
        )

    @property
    def groups(self) -> int:
        return len(self.items)

    @property
    def companions(self) -> list[Companion]:
        """Files that would go with the photos (Live videos, sidecars; core.companions)."""
        return going_with((r.group.members, r.remove) for _, r in self.items)

    @property
    def removals(self) -> list[Removal]:
        return [r for _, r in self.items]

    @property
    def empty(self) -> bool:
        return not self.items


@dataclass(frozen=True, slots=True)
class CleanupSummary:
    """What one finished cleanup did, for the status line and the outcomes dialog."""

    outcomes: tuple[Outcome, ...]
    permanent: bool
    removed: frozenset[str]  # paths moved to the trash (or deleted, or moved away)
    resolved: tuple[ReviewGroup, ...]  # groups with nothing left to decide, now off the list
    cancelled: bool = False
    no_trash: tuple[Outcome, ...] = field(default=())  # failed: the drive has no trash

    @property
    def succeeded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status.ok]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.status.ok]

    @property
    def freed_bytes(self) -> int:
        return sum(o.bytes for o in self.succeeded)


def plan_items(
    groups: Sequence[ReviewGroup], only: frozenset[str] | None = None
) -> tuple[tuple[ReviewGroup, Removal], ...]:
    return tuple((g, r) for g in groups if (r := g.removal(only)) is not None)
