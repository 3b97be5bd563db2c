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

Nothing the GUI thread calls here walks every group: the groups of a grouping are built on
the grouping's thread (``review.regrouping.prepare_groups``), the totals the window shows are
kept as groups change (``review.totals``), and a cleanup's removals and what is left after it
are worked out on the cleanup's thread (``review.cleanup.CleanupRun``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter

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
from dedupe_gui.review.cleanup import CleanupRun
from dedupe_gui.review.decisions import Decision, Decisions, FileIdentity, identity_of
from dedupe_gui.review.group import ReviewGroup
from dedupe_gui.review.regrouping import GroupingRequest, PreparedGroups, prepare_groups
from dedupe_gui.review.session_cleanup import SessionCleanup
from dedupe_gui.review.totals import Totals

# Changes of decisions (or of files looked at) remembered for groupings under way; a grouping
# asked for before the oldest of them is brought up to date group by group instead.
CHANGES_KEPT = 1000


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


class ReviewSession(SessionCleanup):
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
        self.totals = Totals()  # over self.groups, kept up to date as they change
        self.last_outcomes: list[Outcome] = []
        self._decisions = Decisions()
        self._worked = False  # decisions or review progress made since results came in
        self._seen: set[FileIdentity] = set()
        self._where: dict[FileIdentity, ReviewGroup] = {}
        self._shown: tuple[int, GroupingOptions] | None = None  # what the groups come from
        # Files whose decision or "looked at" changed, numbered: (change number, files).
        self._changes = 0
        self._changed: list[tuple[int, tuple[FileIdentity, ...]]] = []
        self._cleanup: CleanupRun | None = None
        self._applied = 0  # outcomes of the running cleanup applied so far (in order)
        # Groups the running cleanup resolved: already counted out of the totals, off the
        # list when it finishes.
        self._resolved: dict[int, ReviewGroup] = {}
        self._off_list: set[int] = set()  # groups a cleanup took off the list (by id)
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
        self._show(prepare_groups(self._snapshot(), groups))

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
        return self._snapshot()

    def _snapshot(self) -> GroupingRequest:
        return GroupingRequest(
            self.generation,
            self.records,
            self.options,
            self._decisions.snapshot(),
            frozenset(self._seen),
            self._changes,
        )

    @property
    def awaiting_groups(self) -> bool:
        """Results are in but their groups are not on show yet (a grouping is running)."""
        return self.has_results and self._shown != (self.generation, self.options)

    def grouping_failed(self) -> None:
        """The grouping of these results failed: the groups on show are all there will be."""
        self._shown = (self.generation, self.options)

    def set_options(self, options: GroupingOptions) -> GroupingRequest | None:
        """New grouping options (slider, rules, rotations): the request to run, or None when
        nothing changes or a cleanup is running (the groups must stay as they are)."""
        if self.cleaning or options == self.options:
            return None
        self.options = options
        return self.request()

    def take_groups(self, request: GroupingRequest, groups: Sequence[Group]) -> bool:
        """Show the groups of ``request``; False (dropped) when it is no longer the latest."""
        return self.take_prepared(prepare_groups(request, groups))

    def take_prepared(self, prepared: PreparedGroups) -> bool:
        """Show groups built off the GUI thread (``prepare_groups``); False (dropped) when
        their request is no longer the latest. Groups holding files the user decided on (or
        looked at) since the request was made are brought up to date here."""
        request = self._stale_check(prepared.request)
        if request is None:
            return False
        oldest = self._changed[0][0] if self._changed else self._changes + 1
        if request.changes + 1 < oldest and request.changes < self._changes:
            redo: Iterable[ReviewGroup] = prepared.groups  # changes no longer remembered
        else:
            touched = (i for n, files in self._changed if n > request.changes for i in files)
            by_id = {id(g): g for i in touched if (g := prepared.where.get(i)) is not None}
            redo = by_id.values()
        get, totals = self._decisions.get, prepared.totals
        for g in redo:
            totals.remove(g)
            g.resolve(get)
            g.reviewed = self._all_seen(g)
            totals.add(g)
        self._show(prepared)
        return True

    def _stale_check(self, request: GroupingRequest) -> GroupingRequest | None:
        if (
            self.cleaning
            or request.generation != self.generation
            or request.options != self.options
        ):
            return None
        return request

    def _show(self, prepared: PreparedGroups) -> None:
        self.groups, self._where, self.totals = prepared.groups, prepared.where, prepared.totals
        self._shown = (self.generation, self.options)
        self._off_list = set()

    def group_of(self, identity: FileIdentity | None) -> ReviewGroup | None:
        """The group on show holding this file, if any."""
        group = None if identity is None else self._where.get(identity)
        return None if group is None or id(group) in self._off_list else group

    def _all_seen(self, group: ReviewGroup) -> bool:
        return all(i in self._seen for i in group.identities())

    def _note(self, files: Iterable[FileIdentity]) -> None:
        """Remember that these files' decisions (or "looked at") changed, for groupings that
        are running now."""
        self._changes += 1
        self._changed.append((self._changes, tuple(files)))
        if len(self._changed) > CHANGES_KEPT:
            del self._changed[: len(self._changed) - CHANGES_KEPT]

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
        edit = None if self.cleaning else self._decisions.undo()
        return () if edit is None else self._resolve(edit.files)

    def redo(self) -> tuple[ReviewGroup, ...]:
        edit = None if self.cleaning else self._decisions.redo()
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
        files = tuple(files)
        self._note(files)
        off = self._off_list
        touched = {
            id(g): g for i in files if (g := self._where.get(i)) is not None and id(g) not in off
        }
        get, changed = self._decisions.get, []
        for g in touched.values():
            self.totals.remove(g)
            if g.resolve(get):
                changed.append(g)
            self.totals.add(g)
        return tuple(changed)

    # == review progress ======================================================================

    def mark_reviewed(self, group: ReviewGroup) -> bool:
        """The user has looked at ``group``; True when that is news."""
        if group.reviewed:
            return False
        files = group.identities()
        self._seen.update(files)
        self._note(files)
        self.totals.remove(group)
        group.reviewed = True
        self.totals.add(group)
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
        return self.totals.reviewed

    # == totals ===============================================================================

    def marked_totals(self) -> tuple[int, int, int]:
        """Marked files, their bytes, and the groups they are in, over every group."""
        t = self.totals
        return t.marked_files, t.marked_bytes, t.marked_groups

    @property
    def has_exact_copies(self) -> bool:
        """Some group on show still holds a byte-identical copy of its keeper."""
        return self.totals.exact > 0

    @property
    def has_references(self) -> bool:
        return any(map(attrgetter("reference"), self.records))  # no Python call per record
