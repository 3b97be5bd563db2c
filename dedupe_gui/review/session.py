"""The review of one set of results: the state the window shows and every rule it follows.

The session holds the records of the latest scan (or loaded report), the grouping options,
the groups on show, the user's decisions about files (``review.decisions``), which files the
user has looked at, and the cleanup under way. It is plain Python, used from the GUI thread
only; the slow parts (scan, grouping, cleanup) run elsewhere and hand their results to it.

Operations return what changed (the groups whose marks or keeper moved, a refusal or a
warning to show), so a view refreshes exactly those. Rules kept here:

- at least one file of every group stays, and reference files are never marked
  (``ReviewGroup``);
- decisions follow files, not groups: a rescan, a regrouping at another threshold or another
  keeper rule keeps every decision whose file is unchanged;
- every change of marks or keeper is one undoable step; "reset" is one too;
- "keep this one" marks the other files, except those the user explicitly kept, and says
  when a copy about to be trashed is larger than the new keeper;
- while a cleanup runs, the groups on show stay the ones being acted on: no regrouping, no
  rescan, no second cleanup;
- a grouping that finishes after the user asked for another (or after a rescan) is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from dedupe_gui.core.actions import Outcome
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import (
    FileError,
    Group,
    GroupMember,
    ImageRecord,
    ScanResult,
    ScanStats,
)
from dedupe_gui.core.report import Report
from dedupe_gui.core.revalidate import Scope
from dedupe_gui.review.cleanup import CleanupPlan, CleanupSummary, GroupScope, plan_items
from dedupe_gui.review.decisions import Decision, Decisions, FileIdentity, identity_of
from dedupe_gui.review.group import ReviewGroup
from dedupe_gui.review.regrouping import GroupingRequest


@dataclass(frozen=True, slots=True)
class MarkResult:
    changed: tuple[ReviewGroup, ...] = ()
    refused: str = ""  # why nothing changed, for the status line


@dataclass(frozen=True, slots=True)
class KeepResult:
    changed: tuple[ReviewGroup, ...] = ()
    # Files now marked for the trash that are larger than the new keeper (more pixels, or as
    # many pixels in a larger file): the user may be keeping the lesser copy.
    larger_marked: tuple[GroupMember, ...] = ()


def _larger(a: GroupMember, b: GroupMember) -> bool:
    """``a`` holds more picture than ``b``: more pixels, or as many in a larger file."""
    pa, pb = a.record.pixels, b.record.pixels
    return pa > pb or (pa == pb and a.record.key.size > b.record.key.size)


class ReviewSession:
    def __init__(self, options: GroupingOptions | None = None) -> None:
        self.options = options or GroupingOptions()
        self.records: tuple[ImageRecord, ...] = ()
        self.errors: tuple[FileError, ...] = ()
        self.paths: tuple[str, ...] = ()
        self.stats = ScanStats()
        self.has_results = False
        self.partial = False  # the results of a scan cancelled before the end
        self.scanning = False
        self.cleaning = False
        self.generation = 0  # bumped whenever the records change
        self.groups: list[ReviewGroup] = []
        self.last_outcomes: list[Outcome] = []
        self._decisions = Decisions()
        self._worked = False  # decisions or review progress made since results came in
        self._seen: set[FileIdentity] = set()
        self._where: dict[FileIdentity, ReviewGroup] = {}
        self._cleanup: CleanupPlan | None = None
        self._cleanup_where: dict[str, ReviewGroup] = {}  # path -> group, for the cleanup
        # Where a cleanup of these results may act: the scan's real roots and references.
        self.cleanup_scope: Scope | None = None

    # == results in ===========================================================================

    def begin_scan(self) -> bool:
        """A scan may start: not during a cleanup, nor while another scan runs."""
        if self.scanning or self.cleaning:
            return False
        self.scanning = True
        return True

    def scan_failed(self) -> None:
        self.scanning = False

    def take_scan(self, result: ScanResult) -> GroupingRequest | None:
        """A finished (or cancelled) scan's records; decisions about unchanged files stay.

        The groups on show stay until the grouping this returns comes back.
        """
        self.scanning = False
        self._take_results(result.records, result.errors, result.paths, result.stats)
        self.partial = result.cancelled
        self.cleanup_scope = Scope.of(result)
        return self.request()

    def take_report(
        self,
        report: Report,
        references: Sequence[str] = (),
        threshold_known: bool = True,
    ) -> None:
        """A saved report replaces the review: its groups as saved, its marks as decisions.

        Files under the reference folders set now are protected whatever the report says
        (and files it saved as reference stay protected). ``threshold_known``: the report says
        which threshold made it (JSON does, a CSV export does not).
        """
        groups = [self._protected(g, references) for g in report.groups]
        records: dict[str, ImageRecord] = {}
        for g in groups:
            for m in g.members:
                records.setdefault(m.path, m.record)
        self._take_results(tuple(records.values()), report.errors, report.paths, report.stats)
        self.cleanup_scope = Scope(report.roots or report.paths, report.references)
        if threshold_known:
            self.options = replace(self.options, threshold=report.threshold)
        decisions: dict[FileIdentity, Decision] = {}
        for g in groups:
            for i, m in enumerate(g.members):
                kept = m.keep or m.record.reference
                decision = Decision.KEEPER if i == 0 else Decision.KEEP
                decisions[identity_of(m)] = decision if kept else Decision.TRASH
        self._decisions = Decisions(decisions)
        self._seen.clear()
        self._worked = False
        self._set_groups(groups)

    def _take_results(
        self,
        records: Sequence[ImageRecord],
        errors: Sequence[FileError],
        paths: Sequence[str],
        stats: ScanStats,
    ) -> None:
        self.records = tuple(records)
        self.errors = tuple(errors)
        self.paths = tuple(paths)
        self.stats = stats
        self.has_results = True
        self.partial = False
        self.generation += 1

    @staticmethod
    def _protected(group: Group, references: Sequence[str]) -> Group:
        if not references:
            return group
        from dedupe_gui.core.roots import RootSet

        # By real path and folder identity: a reference reached through a link or a bind
        # mount still protects its files.
        roots = RootSet(references)
        members = []
        for m in group.members:
            if not m.record.reference and roots.contains(m.path):
                m = replace(m, record=replace(m.record, reference=True), keep=True)
            members.append(m)
        return Group(tuple(members))

    # == grouping =============================================================================

    def request(self) -> GroupingRequest | None:
        """The grouping the groups on show should come from; None while there is none to run."""
        if not self.has_results or self.cleaning:
            return None
        return GroupingRequest(self.generation, self.records, self.options)

    def set_options(self, options: GroupingOptions) -> GroupingRequest | None:
        """New grouping options (slider, rules, rotations): the request to run, or None when
        nothing changes or a cleanup is running (the groups must stay as they are)."""
        if self.cleaning or options == self.options:
            return None
        self.options = options
        return self.request()

    def take_groups(self, request: GroupingRequest, groups: Sequence[Group]) -> bool:
        """Show the groups of ``request``; False (dropped) when it is no longer the latest."""
        if (
            self.cleaning
            or request.generation != self.generation
            or request.options != self.options
        ):
            return False
        self._set_groups(groups)
        return True

    def _set_groups(self, groups: Iterable[Group]) -> None:
        get = self._decisions.get
        self.groups = [ReviewGroup(g, get, self._all_seen(g)) for g in groups]
        self._where = {identity_of(m): rg for rg in self.groups for m in rg.group.members}

    def _all_seen(self, group: Group) -> bool:
        return all(identity_of(m) in self._seen for m in group.members)

    # == decisions ============================================================================

    def mark(self, group: ReviewGroup, path: str, marked: bool) -> MarkResult:
        """Mark ``path`` for the trash or keep it; refused where the group's rules forbid."""
        member = group.member(path)
        if member is None or marked == (path in group.marked):
            return MarkResult()
        if marked and not group.can_mark(path):
            return MarkResult(refused=group.refusal(path))
        decision = Decision.TRASH if marked else Decision.KEEP
        return MarkResult(self._change({identity_of(member): decision}))

    def keep(self, group: ReviewGroup, path: str) -> KeepResult:
        """Make ``path`` the file that stays and mark the others, except the files the user
        explicitly kept and reference files."""
        member = group.member(path)
        if member is None:
            return KeepResult()
        after: dict[FileIdentity, Decision | None] = {identity_of(member): Decision.KEEPER}
        for m in group.members:
            if m is member or m.record.reference:
                continue
            if self._decisions.get(identity_of(m)) is not Decision.KEEP:
                after[identity_of(m)] = Decision.TRASH
        changed = self._change(after)
        keeper = group.keeper
        larger = tuple(m for m in group.marked_members() if _larger(m, keeper))
        return KeepResult(changed, larger)

    def reset(self, group: ReviewGroup | None = None) -> tuple[ReviewGroup, ...]:
        """Back to the suggested marks, in one group or (None) in every group; undoable."""
        groups = self.groups if group is None else [group]
        return self._change(
            {i: None for g in groups for i in g.identities() if i in self._decisions}
        )

    def undo(self) -> tuple[ReviewGroup, ...]:
        edit = self._decisions.undo()
        return () if edit is None else self._resolve(edit.files)

    def redo(self) -> tuple[ReviewGroup, ...]:
        edit = self._decisions.redo()
        return () if edit is None else self._resolve(edit.files)

    @property
    def can_undo(self) -> bool:
        return self._decisions.can_undo and not self.cleaning

    @property
    def can_redo(self) -> bool:
        return self._decisions.can_redo and not self.cleaning

    def decisions_in(self, group: ReviewGroup | None = None) -> int:
        """How many files of ``group`` (None: of every group) carry a decision of the user's:
        what a reset there would discard."""
        groups = self.groups if group is None else [group]
        return sum(1 for g in groups for i in g.identities() if i in self._decisions)

    def load_discards_work(self) -> bool:
        """Loading results would replace decisions or review progress the user made here
        (since the last load; decisions kept across rescans count)."""
        return self._worked

    def _change(self, after: Mapping[FileIdentity, Decision | None]) -> tuple[ReviewGroup, ...]:
        if self.cleaning:
            return ()
        edit = self._decisions.change(after)
        if edit is None:
            return ()
        self._worked = True
        return self._resolve(edit.files)

    def _resolve(self, files: Iterable[FileIdentity]) -> tuple[ReviewGroup, ...]:
        touched = {id(g): g for i in files if (g := self._where.get(i)) is not None}
        get = self._decisions.get
        return tuple(g for g in touched.values() if g.resolve(get))

    # == review progress ======================================================================

    def mark_reviewed(self, group: ReviewGroup) -> bool:
        """The user has looked at ``group``; True when that is news."""
        if group.reviewed:
            return False
        self._seen.update(group.identities())
        group.reviewed = True
        self._worked = True
        return True

    def report(self) -> Report:
        """The review as a results file: the user's marks and keepers (review.results)."""
        from dedupe_gui.review.results import report_of

        return report_of(
            self.groups,
            self.options.threshold,
            self.paths,
            self.errors,
            self.stats,
            self.cleanup_scope,
        )

    @property
    def reviewed_groups(self) -> int:
        return sum(1 for g in self.groups if g.reviewed)

    # == totals ===============================================================================

    def marked_totals(self) -> tuple[int, int, int]:
        """Marked files, their bytes, and the groups they are in, over every group."""
        files = size = groups = 0
        for g in self.groups:
            if g.marked:
                groups += 1
                files += len(g.marked)
                size += g.marked_bytes
        return files, size, groups

    @property
    def has_references(self) -> bool:
        return any(r.reference for r in self.records)

    # == cleanup ==============================================================================

    def plan_cleanup(self, scope: GroupScope, group: ReviewGroup | None = None) -> CleanupPlan:
        """What a cleanup of ``scope`` would remove (``group`` for GroupScope.GROUP)."""
        if scope is GroupScope.GROUP:
            chosen = [group] if group is not None else []
        elif scope is GroupScope.REVIEWED:
            chosen = [g for g in self.groups if g.reviewed]
        else:
            chosen = list(self.groups)
        with_marks = [g for g in self.groups if g.marked]
        return CleanupPlan(
            scope,
            plan_items(chosen),
            partial=self.partial,
            reviewed_groups=sum(1 for g in with_marks if g.reviewed),
            total_groups=len(with_marks),
        )

    def plan_permanent_delete(self, summary: CleanupSummary) -> CleanupPlan:
        """Deleting, for good, the files a cleanup could not trash because their drive has no
        trash (offered only after the user was told)."""
        only = frozenset(o.path for o in summary.no_trash)
        groups = [g for g in self.groups if any(m.path in only for m in g.members)]
        return CleanupPlan(
            GroupScope.ALL, plan_items(groups, only), permanent=True, partial=self.partial
        )

    def begin_cleanup(self, plan: CleanupPlan) -> bool:
        """The cleanup of ``plan`` starts (False: nothing to do, or something else runs)."""
        if self.cleaning or self.scanning or plan.empty:
            return False
        self.cleaning = True
        self._cleanup = plan
        self._cleanup_where = {m.path: g for g, _ in plan.items for m in g.group.members}
        return True

    def apply_outcome(self, outcome: Outcome) -> ReviewGroup | None:
        """One file's outcome while the cleanup runs; the group to refresh."""
        group = self._cleanup_where.get(outcome.path)
        if group is not None:
            group.apply_outcome(outcome)
        return group

    def finish_cleanup(
        self, outcomes: Sequence[Outcome], cancelled: bool = False
    ) -> CleanupSummary:
        """The cleanup is over: apply every outcome (once more is harmless), forget removed
        files, take resolved groups off the list."""
        plan = self._cleanup
        permanent = plan.permanent if plan is not None else False
        for o in outcomes:
            self.apply_outcome(o)
        removed = frozenset(o.path for o in outcomes if o.status.removed)
        if removed:
            self.records = tuple(r for r in self.records if r.path not in removed)
            self.generation += 1
        self.last_outcomes = [*self.last_outcomes, *outcomes] if permanent else list(outcomes)
        acted_on = [g for g, _ in plan.items] if plan is not None else []
        resolved = tuple(g for g in acted_on if g.resolved)
        gone = {id(g) for g in resolved}
        self.groups = [g for g in self.groups if id(g) not in gone]
        self.cleaning = False
        self._cleanup = None
        self._cleanup_where = {}
        no_trash = tuple(o for o in outcomes if o.trash_unavailable)
        return CleanupSummary(tuple(outcomes), permanent, removed, resolved, cancelled, no_trash)

    def restorable(self) -> list[str]:
        """The photos the last cleanup removed (their companions go back with them)."""
        return [o.path for o in self.last_outcomes if o.status.removed and not o.companion_of]

    def begin_restore(self) -> bool:
        """Putting the last cleanup's files back starts; like a cleanup, it holds the groups."""
        if self.cleaning or self.scanning or not self.restorable():
            return False
        self.cleaning = True
        return True

    def finish_restore(self) -> None:
        """The files are back (or reported): the next scan shows them in their groups."""
        self.cleaning = False
        self.last_outcomes = []

    def abort_cleanup(self) -> None:
        """The cleanup stopped on an unexpected error: the review goes on as it stands."""
        self.cleaning = False
        self._cleanup = None
        self._cleanup_where = {}
