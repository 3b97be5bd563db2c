"""The cleanup part of the review session: plans, outcomes as they come, and the finish.

Split from ``review.session`` for size; ``ReviewSession`` inherits it and owns the state it
reads. The rules: a plan states what the question must say, counted from the session's
running totals; once a cleanup begins nothing in the review changes until it finishes; the
outcomes are applied in the order they come, and a group the cleanup resolved leaves the
totals at once and the list at the finish, so finishing walks neither every group nor every
record (the records left were worked out on the cleanup's thread, ``CleanupRun.settle``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.review.cleanup import CleanupPlan, CleanupRun, CleanupSummary, GroupScope
from dedupe_gui.review.group import ReviewGroup
from dedupe_gui.review.totals import Totals


class SessionCleanup:
    # The session's state this part reads and changes (set up by ReviewSession.__init__).
    cleaning: bool
    scanning: bool
    partial: bool
    generation: int
    records: tuple[ImageRecord, ...]
    groups: list[ReviewGroup]
    totals: Totals
    last_outcomes: list[Outcome]
    _shown: tuple[int, GroupingOptions] | None
    _cleanup: CleanupRun | None
    _applied: int
    _resolved: dict[int, ReviewGroup]
    _off_list: set[int]

    def plan_cleanup(self, scope: GroupScope, group: ReviewGroup | None = None) -> CleanupPlan:
        """What a cleanup of ``scope`` would remove (``group`` for GroupScope.GROUP)."""
        t = self.totals
        if scope is GroupScope.GROUP:
            plan = CleanupPlan.counted(scope, [group] if group is not None else [])
        elif scope is GroupScope.REVIEWED:
            reviewed = tuple([g for g in self.groups if g.reviewed])
            files, size, groups = t.reviewed_files, t.reviewed_bytes, t.reviewed_marked_groups
            plan = CleanupPlan(scope, reviewed, files, size, groups)
        else:
            files, size, groups = t.marked_files, t.marked_bytes, t.marked_groups
            plan = CleanupPlan(scope, tuple(self.groups), files, size, groups)
        return replace(
            plan,
            partial=self.partial,
            reviewed_groups=t.reviewed_marked_groups,
            total_groups=t.marked_groups,
        )

    def plan_permanent_delete(self, summary: CleanupSummary) -> CleanupPlan:
        """Deleting, for good, the files a cleanup could not trash because their drive has no
        trash (offered only after the user was told)."""
        only = frozenset(o.path for o in summary.no_trash)
        groups = [g for g in self.groups if any(m.path in only for m in g.members)]
        plan = CleanupPlan.counted(GroupScope.ALL, groups, only, permanent=True)
        return replace(plan, partial=self.partial)

    def begin_cleanup(self, plan: CleanupPlan) -> CleanupRun | None:
        """The cleanup of ``plan`` starts (None: nothing to do, or something else runs). Its
        removals are built by the returned run, on the cleanup's thread."""
        if self.cleaning or self.scanning or plan.empty:
            return None
        self.cleaning = True
        self._cleanup = CleanupRun(plan, self.records)
        self._applied = 0
        self._resolved = {}
        return self._cleanup

    def apply_outcome(self, outcome: Outcome) -> ReviewGroup | None:
        """One file's outcome while the cleanup runs (in the order they come); the group to
        refresh."""
        run = self._cleanup
        if run is None:
            return None
        self._applied += 1
        group = run.group_of(outcome.path)
        if group is None:
            return None
        # A resolved group leaves the totals at once (it leaves the list at the end), so
        # finishing does not walk the groups a cleanup resolved.
        resolved = self._resolved
        if id(group) not in resolved:
            self.totals.remove(group)
        group.apply_outcome(outcome)
        if group.resolved:
            resolved[id(group)] = group
        else:
            resolved.pop(id(group), None)
            self.totals.add(group)
        return group

    def finish_cleanup(
        self, outcomes: Sequence[Outcome], cancelled: bool = False
    ) -> CleanupSummary:
        """The cleanup is over: apply the outcomes not streamed yet (those streamed came
        first, in order), forget removed files, take resolved groups off the list."""
        run = self._cleanup
        if run is None:
            return CleanupSummary(tuple(outcomes), False, frozenset(), (), cancelled)
        for o in outcomes[self._applied :]:
            self.apply_outcome(o)
        permanent = run.plan.permanent
        settled = run.left(outcomes)
        if settled.removed:
            self.records = settled.records
            self.generation += 1
            if self._shown is not None:  # the groups on show stay right without the files
                self._shown = (self.generation, self._shown[1])
        self.last_outcomes = [*self.last_outcomes, *outcomes] if permanent else list(outcomes)
        resolved = tuple(self._resolved.values())
        if resolved:
            gone = set(self._resolved)
            groups = self.groups
            kept = zip(groups, map(id, groups), strict=True)  # no Python call per group
            self.groups = [g for g, i in kept if i not in gone]
            self._off_list |= gone
        self._resolved = {}
        self.abort_cleanup()
        return CleanupSummary(
            tuple(outcomes),
            permanent,
            settled.removed,
            resolved,
            cancelled,
            settled.no_trash,
            settled.failed,
            settled.succeeded,
            settled.freed_bytes,
        )

    def restorable(self) -> list[str]:
        """The photos the last cleanup sent to the trash or moved (their companions go back
        with them); not those deleted for good, which nothing can put back."""
        return [o.path for o in self.last_outcomes if _restorable(o)]

    @property
    def can_restore(self) -> bool:
        """Some photo of the last cleanup could be put back (asked after every change)."""
        return any(_restorable(o) for o in self.last_outcomes)

    def begin_restore(self) -> bool:
        """Putting the last cleanup's files back starts; like a cleanup, it holds the groups."""
        if self.cleaning or self.scanning or not self.can_restore:
            return False
        self.cleaning = True
        return True

    def finish_restore(self) -> None:
        """The files are back (or reported): the next scan shows them in their groups."""
        self.cleaning = False
        self.last_outcomes = []

    def abort_cleanup(self) -> None:
        """The cleanup stopped on an unexpected error: the review goes on as it stands."""
        for g in self._resolved.values():  # still on the list: counted in again
            self.totals.add(g)
        self.cleaning = False
        self._cleanup = None
        self._applied = 0
        self._resolved = {}


def _restorable(o: Outcome) -> bool:
    return o.status in (Status.TRASHED, Status.MOVED) and not o.companion_of
