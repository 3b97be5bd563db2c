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

from dedupe_gui.core.actions import Outcome, Removal, freed_bytes
from dedupe_gui.core.companions import going_with
from dedupe_gui.core.models import Companion, ImageRecord
from dedupe_gui.review.group import ReviewGroup


class GroupScope(str, Enum):
    GROUP = "group"  # the group on show
    REVIEWED = "reviewed"  # every group the user has looked at
    ALL = "all"  # every group


@dataclass(frozen=True, slots=True)
class CleanupPlan:
    """The groups a cleanup may act on (their marked files go) and what to tell the user.

    The counts come with the plan (for "all" and "reviewed" from the session's running
    totals, so asking the question costs nothing at 100,000 files); the removals themselves
    are built by ``CleanupRun`` on the cleanup's own thread. Marks cannot change in between:
    the question is modal, and once the cleanup begins the session refuses every change.
    """

    scope: GroupScope
    chosen: tuple[ReviewGroup, ...]  # groups in scope; those with marked files are acted on
    files: int  # marked files in scope
    bytes: int
    groups: int  # groups in scope with marked files
    only: frozenset[str] | None = None  # act on these marked files alone
    permanent: bool = False  # delete instead of trash (only offered where there is no trash)
    partial: bool = False  # the groups come from a scan cancelled before the end
    reviewed_groups: int = 0  # groups with marks that the user has looked at
    total_groups: int = 0  # groups with marks, reviewed or not

    @staticmethod
    def counted(
        scope: GroupScope,
        groups: Sequence[ReviewGroup],
        only: frozenset[str] | None = None,
        permanent: bool = False,
    ) -> CleanupPlan:
        """A plan whose counts are taken from its few groups (one group, or the files a
        drive without a trash left behind)."""
        items = plan_items(groups, only)
        files = sum(len(r.remove) for _, r in items)
        size = sum(
            m.record.key.size for _, r in items for m in r.group.members if m.path in r.remove
        )
        return CleanupPlan(scope, tuple(groups), files, size, len(items), only, permanent)

    def items(self) -> tuple[tuple[ReviewGroup, Removal], ...]:
        """Each group with marked files in scope, and the core's request for them."""
        return plan_items(self.chosen, self.only)

    @property
    def companions(self) -> list[Companion]:
        """Files that would go with the photos (Live videos, sidecars; core.companions)."""
        with_them = [g for g in self.chosen if g.marked and g.has_companions]
        return going_with((r.group.members, r.remove) for _, r in plan_items(with_them, self.only))

    @property
    def removals(self) -> list[Removal]:
        return [r for _, r in self.items()]

    @property
    def empty(self) -> bool:
        return self.files == 0


class CleanupRun:
    """A cleanup under way: its removals, which group each outcome belongs to, and what is
    left of the records afterwards. ``removals`` and ``settle`` are meant for the cleanup's
    own thread (each walks every group or record of the plan); the session reads the rest on
    the GUI thread after the outcomes they cover have arrived.
    """

    def __init__(self, plan: CleanupPlan, records: tuple[ImageRecord, ...]) -> None:
        self.plan = plan
        self._records = records
        self._where: dict[str, ReviewGroup] | None = None
        self._settled: tuple[Sequence[Outcome], Settled] | None = None

    def removals(self) -> list[Removal]:
        items = self.plan.items()
        self._where = {m.path: g for g, _ in items for m in g.group.members}
        return [r for _, r in items]

    def group_of(self, path: str) -> ReviewGroup | None:
        if self._where is None:
            self.removals()
        assert self._where is not None
        return self._where.get(path)

    def settle(self, outcomes: Sequence[Outcome]) -> Settled:
        """Work out, once the outcomes are all in, the files removed and the records left."""
        removed = frozenset(o.path for o in outcomes if o.status.removed)
        left = self._records
        if removed:
            left = tuple(r for r in left if r.path not in removed)
        failed = tuple(o for o in outcomes if not o.status.ok)
        settled = Settled(
            removed,
            left,
            tuple(o for o in failed if o.trash_unavailable),
            failed,
            len(outcomes) - len(failed),
            freed_bytes(outcomes),
        )
        self._settled = (outcomes, settled)
        return settled

    def left(self, outcomes: Sequence[Outcome]) -> Settled:
        """What ``outcomes`` leave (as settled on the cleanup's thread, if it was these)."""
        if self._settled is not None and self._settled[0] is outcomes:
            return self._settled[1]
        return self.settle(outcomes)


@dataclass(frozen=True, slots=True)
class Settled:
    removed: frozenset[str]  # paths moved to the trash (or deleted, or moved away)
    records: tuple[ImageRecord, ...]  # the records without them
    no_trash: tuple[Outcome, ...]  # failed: the drive has no trash
    failed: tuple[Outcome, ...]
    succeeded: int
    freed_bytes: int


@dataclass(frozen=True, slots=True)
class CleanupSummary:
    """What one finished cleanup did, for the status line and the outcomes dialog."""

    outcomes: tuple[Outcome, ...]
    permanent: bool
    removed: frozenset[str]  # paths moved to the trash (or deleted, or moved away)
    resolved: tuple[ReviewGroup, ...]  # groups with nothing left to decide, now off the list
    cancelled: bool = False
    no_trash: tuple[Outcome, ...] = field(default=())  # failed: the drive has no trash
    failed: tuple[Outcome, ...] = field(default=())
    succeeded: int = 0  # outcomes that went as asked
    freed_bytes: int = 0  # their bytes


def plan_items(
    groups: Sequence[ReviewGroup], only: frozenset[str] | None = None
) -> tuple[tuple[ReviewGroup, Removal], ...]:
    return tuple((g, r) for g in groups if (r := g.removal(only)) is not None)
