"""The user's decisions about single files, and how they outlive a rescan or a regrouping.

A decision is attached to a file's identity, not to a group: groups are rebuilt whenever the
similarity slider moves or the library is scanned again, and a decision about a file must
follow the file into whichever group it lands in.

**Identity is the file's path, size and modification time** (``core.models.FileKey``), the same
key the cache, the scan and the cleanup's re-check use. Chosen over device and inode because:

- a decision is about content at a place. If the file is rewritten, its size or mtime changes
  and the old decision no longer applies, which is the safe direction: a "trash this" never
  carries over to bytes the user has not seen. An inode survives an in-place edit, and is
  reused by the file system once a file is deleted.
- a results file saved earlier carries path, size and mtime for every file, but no inode, so
  decisions loaded from one use the same key as decisions made on a fresh scan.
- hard links are found once by the walk (core.files), so one physical file has one path.

A file that is moved or renamed is a new identity and gets the suggestion again; that is the
price of the choice, and the harmless one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from dedupe_gui.core.models import FileKey, GroupMember

FileIdentity = FileKey


def identity_of(member: GroupMember) -> FileIdentity:
    return member.record.key


class Decision(str, Enum):
    """What the user said about one file. No decision means: follow the suggestion."""

    TRASH = "trash"  # marked for the trash
    KEEP = "keep"  # explicitly kept (unmarked by hand): never re-marked by "keep this one"
    KEEPER = "keeper"  # chosen as the file that stays in its group ("keep this one")


@dataclass(frozen=True, slots=True)
class Edit:
    """One undoable step: the decisions of some files before and after (None: no decision)."""

    before: Mapping[FileIdentity, Decision | None]
    after: Mapping[FileIdentity, Decision | None]

    @property
    def files(self) -> Iterable[FileIdentity]:
        return self.after.keys()

    def inverse(self) -> Edit:
        return Edit(self.after, self.before)


class Decisions:
    """Every decision of a review, with an undo and a redo history of whole user steps."""

    def __init__(self, initial: Mapping[FileIdentity, Decision] | None = None) -> None:
        self._by_file: dict[FileIdentity, Decision] = dict(initial or {})
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []

    def get(self, identity: FileIdentity) -> Decision | None:
        return self._by_file.get(identity)

    def __len__(self) -> int:
        return len(self._by_file)

    def __contains__(self, identity: object) -> bool:
        return identity in self._by_file

    def snapshot(self) -> dict[FileIdentity, Decision]:
        """A copy of every decision, for a worker to read while the user goes on."""
        return dict(self._by_file)

    def change(self, after: Mapping[FileIdentity, Decision | None]) -> Edit | None:
        """Apply one user step (several files at once) as one undoable edit; None if no-op."""
        after = {k: v for k, v in after.items() if self._by_file.get(k) != v}
        if not after:
            return None
        edit = Edit({k: self._by_file.get(k) for k in after}, after)
        self._apply(edit)
        self._undo.append(edit)
        self._redo.clear()
        return edit

    def undo(self) -> Edit | None:
        if not self._undo:
            return None
        edit = self._undo.pop()
        self._apply(edit.inverse())
        self._redo.append(edit)
        return edit

    def redo(self) -> Edit | None:
        if not self._redo:
            return None
        edit = self._redo.pop()
        self._apply(edit)
        self._undo.append(edit)
        return edit

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def _apply(self, edit: Edit) -> None:
        for identity, decision in edit.after.items():
            if decision is None:
                self._by_file.pop(identity, None)
            else:
                self._by_file[identity] = decision
