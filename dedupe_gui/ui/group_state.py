"""The user's decisions about one group: which files go and which stay.

The rule the window must never break lives here, in one place: at least one file of every
group stays. Marking is refused (``can_mark`` is False) for the last file left unmarked and
for files in reference folders, so no sequence of clicks or keys can select a whole group.
The core refuses such a removal as well; this keeps the window from ever offering it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dedupe_gui.core.actions import Outcome, Removal
from dedupe_gui.core.models import Group, GroupMember


def distance(a: GroupMember, b: GroupMember) -> int:
    """Hamming distance of two fingerprints, as the core defines it."""
    return (a.record.fingerprint.hash ^ b.record.fingerprint.hash).bit_count()


@dataclass(eq=False)
class GroupState:
    group: Group
    marked: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)  # removed by a cleanup in this session
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # last outcome of each file

    @staticmethod
    def preselected(group: Group, choices: Mapping[str, bool] | None = None) -> GroupState:
        """The core's preselection, then the user's earlier choices for the same files."""
        members = group.members
        marked = {m.path for m in members if not m.keep}
        if choices:
            for m in members:
                choice = choices.get(m.path)
                if choice is True and not m.record.reference:
                    marked.add(m.path)
                elif choice is False:
                    marked.discard(m.path)
            if len(marked) == len(members):
                marked.discard(group.suggested_keeper.path)
        return GroupState(group, marked)

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
        """The file that stays: the core's keeper unless the user marked it, else the first kept."""
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
        return distance(member, keeper)

    @property
    def marked_bytes(self) -> int:
        if not self.marked:
            return 0
        return sum(m.record.key.size for m in self.group.members if m.path in self.marked)

    def can_mark(self, path: str) -> bool:
        m = self.member(path)
        if m is None or m.record.reference:
            return False
        if path in self.marked:
            return True
        return len(self.kept()) > 1

    def set_marked(self, path: str, marked: bool) -> bool:
        """Mark or unmark one file; False (and no change) where the rules forbid it."""
        if marked == (path in self.marked):
            return False
        if marked and not self.can_mark(path):
            return False
        if marked:
            self.marked.add(path)
        else:
            self.marked.discard(path)
        return True

    def toggle(self, path: str) -> bool:
        return self.set_marked(path, path not in self.marked)

    def keep_only(self, path: str) -> bool:
        """Keep ``path`` and mark every other file that may be removed."""
        if self.member(path) is None:
            return False
        before = set(self.marked)
        self.marked = {m.path for m in self.members if m.path != path and not m.record.reference}
        return before != self.marked

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

    def apply_outcome(self, outcome: Outcome) -> None:
        self.outcomes[outcome.path] = outcome
        if outcome.status.removed:
            self.gone.add(outcome.path)
            self.marked.discard(outcome.path)

    @property
    def resolved(self) -> bool:
        """Nothing left to decide: a cleanup ran here and nothing failed, or one file is left."""
        if len(self.members) < 2:
            return True
        return bool(self.gone) and not self.failures()
