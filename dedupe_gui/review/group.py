"""One group as the user reviews it: the core's group, the marks that follow from the user's
decisions, and what a cleanup did to its files.

The rule the review must never break lives here: at least one file of every group stays.
Marking is refused (``can_mark`` is False) for the last file left unmarked and for files in
reference folders, so no sequence of clicks or keys can select a whole group. The core refuses
such a removal as well; this keeps the window from ever offering it.

Only ``ReviewSession`` changes a group (so that every change is undoable and counted); views
read it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from dedupe_gui.core.actions import Outcome, Removal
from dedupe_gui.core.hashes import distance
from dedupe_gui.core.models import Group, GroupMember
from dedupe_gui.review.decisions import Decision, FileIdentity, identity_of

DecisionOf = Callable[[FileIdentity], Decision | None]


def member_distance(a: GroupMember, b: GroupMember) -> int:
    """Hamming distance of two files' fingerprints."""
    return distance(a.record.fingerprint.hash, b.record.fingerprint.hash)


class ReviewGroup:
    """A group under review. ``marked`` holds the paths to trash; ``keeper`` is the file that
    stays (the user's choice where there is one, ``group.suggested_keeper`` otherwise)."""

    def __init__(self, group: Group, decision_of: DecisionOf, reviewed: bool = False) -> None:
        self.group = group
        self.marked: set[str] = set()
        self.gone: set[str] = set()  # removed by a cleanup in this session
        self.outcomes: dict[str, Outcome] = {}  # last cleanup outcome of each file
        self.reviewed = reviewed  # the user has looked at every file of it
        self._chosen: str | None = None
        self._sizes: dict[str, int] | None = None  # path -> bytes, for marked_bytes
        # Some file has companions (Live video, sidecars) that would go with it: asked of
        # every group when a cleanup question is put, so found once, where the group is made.
        self.has_companions = any(m.record.companions for m in group.members)
        self.resolve(decision_of)

    # -- reading --------------------------------------------------------------------------

    @property
    def members(self) -> Sequence[GroupMember]:
        if not self.gone:
            return self.group.members
        return [m for m in self.group.members if m.path not in self.gone]

    def member(self, path: str) -> GroupMember | None:
        return next((m for m in self.members if m.path == path), None)

    def kept(self) -> list[GroupMember]:
        return [m for m in self.members if m.path not in self.marked]

    def marked_members(self) -> list[GroupMember]:
        return [m for m in self.members if m.path in self.marked]

    @property
    def keeper(self) -> GroupMember:
        """The file that stays: the one the user chose, else the first kept (the suggested
        keeper unless the user marked it)."""
        if self._chosen is not None and self._chosen not in self.marked:
            chosen = self.member(self._chosen)
            if chosen is not None:
                return chosen
        kept = self.kept()
        return kept[0] if kept else self.members[0]

    def distance_to_keeper(self, member: GroupMember) -> int | None:
        """Bits between ``member`` and the file that stays; None where no number applies.

        The core measured every file against its own keeper, turned copies in their turned
        orientation. When the user keeps another file, plain fingerprints are compared,
        which means nothing for a turned copy.
        """
        keeper = self.keeper
        if member is keeper:
            return 0
        if keeper is self.group.suggested_keeper:
            return member.distance
        if member.orientation or keeper.orientation:
            return None
        return member_distance(member, keeper)

    @property
    def marked_bytes(self) -> int:
        """Bytes of the marked files. The window sums this over every group after each
        change, so each group keeps its files' sizes by path (built once, on first use)."""
        if not self.marked:
            return 0
        if self._sizes is None:
            self._sizes = {m.path: m.record.key.size for m in self.group.members}
        sizes = self._sizes
        return sum(sizes.get(p, 0) for p in self.marked)

    def can_mark(self, path: str) -> bool:
        m = self.member(path)
        if m is None or m.record.reference:
            return False
        if path in self.marked:
            return True
        return len(self.kept()) > 1

    def refusal(self, path: str) -> str:
        """Why ``path`` cannot be marked, in words for the status line."""
        m = self.member(path)
        if m is not None and m.record.reference:
            return "Files in reference folders are never removed."
        return "At least one file of every group stays: unmark another file first."

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes.values() if not o.status.ok and o.path not in self.gone]

    def removal(self, only: Iterable[str] | None = None) -> Removal | None:
        """The core's request for the marked files (or the subset ``only``), keeper first."""
        remove = {m.path for m in self.marked_members()}
        if only is not None:
            remove &= set(only)
        if not remove:
            return None
        keeper = self.keeper
        ordered = [keeper, *(m for m in self.members if m is not keeper)]
        return Removal(Group(tuple(ordered)), frozenset(remove))

    @property
    def resolved(self) -> bool:
        """Nothing left to decide: a cleanup ran here and nothing failed, or one file is left."""
        if len(self.members) < 2:
            return True
        return bool(self.gone) and not self.failures()

    def identities(self) -> list[FileIdentity]:
        return [identity_of(m) for m in self.group.members]

    @property
    def has_exact_copy(self) -> bool:
        """A byte-identical copy of the suggested keeper is still here, and so is the keeper:
        the copy could become a hard link to it."""
        members = self.group.members
        if members[0].path in self.gone:
            return False
        return any(m.identical and m.path not in self.gone for m in members[1:])

    def link_group(self) -> Group | None:
        """The group as linking exact copies takes it (core.links links each exact copy to
        the first member), files already gone left out; None when there is nothing to link.

        The file the user keeps leads when it is itself an exact copy of the suggested
        keeper: the copies then become links to it, and the file kept stays the very file
        it is (its own permissions, times and extended attributes), not a link to another.
        """
        if not self.has_exact_copy:
            return None
        members = [m for m in self.group.members if m.path not in self.gone]
        first, keeper = members[0], self.keeper
        if keeper is first or not keeper.identical:
            return Group(tuple(members))
        rest = [m for m in members[1:] if m is not keeper]
        return Group((replace(keeper, identical=False), replace(first, identical=True), *rest))

    # -- changed by the session -----------------------------------------------------------

    def resolve(self, decision_of: DecisionOf) -> bool:
        """Marks from the suggestion and the decisions; True when anything shown changed.

        The suggestion marks every file the core did not preselect to keep. A TRASH decision
        marks a file (never a reference file), KEEP and KEEPER unmark it, and a KEEPER is the
        group's keeper. Should every file end up marked, the suggested keeper stays.
        """
        before = (set(self.marked), self._chosen)
        members = self.members
        marked = {m.path for m in members if not m.keep}
        chosen: str | None = None
        for m in members:
            decision = decision_of(identity_of(m))
            if decision is Decision.TRASH and not m.record.reference:
                marked.add(m.path)
            elif decision is Decision.KEEP or decision is Decision.KEEPER:
                marked.discard(m.path)
                if decision is Decision.KEEPER and chosen is None:
                    chosen = m.path
        if members and len(marked) == len(members):
            marked.discard(self.group.suggested_keeper.path)
            if len(marked) == len(members):  # the suggested keeper is gone
                marked.discard(members[0].path)
        self.marked, self._chosen = marked, chosen
        return (self.marked, self._chosen) != before

    def apply_outcome(self, outcome: Outcome) -> None:
        self.outcomes[outcome.path] = outcome
        if outcome.status.removed:
            self.gone.add(outcome.path)
            self.marked.discard(outcome.path)
