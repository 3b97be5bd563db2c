"""The questions asked before anything is removed, each stating what will happen.

Every question names how many files and how many bytes, and its accept button says what it
does. Deleting permanently (where a drive has no trash) takes two answers: the first tells
the user that nothing was deleted and offers it, the second asks again, saying it cannot be
undone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtWidgets import QWidget

from dedupe_gui.core.actions import Outcome
from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import ReviewGroup
from dedupe_gui.ui.wording import plural


class AskFunction(Protocol):
    def __call__(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        informative: str,
        accept_label: str,
        destructive: bool = False,
    ) -> bool: ...


def confirm_group(ask: AskFunction, parent: QWidget, state: ReviewGroup) -> bool:
    files = len(state.marked_members())
    return ask(
        parent,
        "Move to Trash",
        f"Move {plural(files, 'file')} ({human_bytes(state.marked_bytes)}) of this group to "
        "the trash?",
        f"Kept: {os.path.basename(state.keeper.path)}. "
        "You can restore trashed files from the system trash.",
        "Move to Trash",
    )


def confirm_all(ask: AskFunction, parent: QWidget, files: int, size: int, groups: int) -> bool:
    return ask(
        parent,
        "Clean Up All Groups",
        f"Move {plural(files, 'file')} ({human_bytes(size)}) from {plural(groups, 'group')} "
        "to the trash?",
        "In every group the files marked Keep stay where they are, and files in reference "
        "folders are never touched. Trashed files can be restored from the system trash.",
        "Move to Trash",
    )


def trash_unavailable(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The failures that happened because the file's drive has no trash."""
    return [o for o in outcomes if o.trash_unavailable]


def confirm_permanent_delete(ask: AskFunction, parent: QWidget, failed: Sequence[Outcome]) -> bool:
    size = human_bytes(sum(o.bytes for o in failed))
    names = "\n".join(f"• {o.path}" for o in failed[:8])
    if len(failed) > 8:
        names += f"\n… and {len(failed) - 8:,} more"
    if not ask(
        parent,
        "No Trash on This Drive",
        f"{plural(len(failed), 'file')} ({size}) could not be moved to the trash: their "
        "drive has no trash. Nothing was deleted.",
        f"{names}\n\nYou can leave them, or delete them permanently.",
        "Delete Permanently…",
        destructive=True,
    ):
        return False
    return ask(
        parent,
        "Delete Permanently",
        f"Permanently delete {plural(len(failed), 'file')} ({size})?",
        "They will not go to a trash and cannot be restored. The kept copy in each group is "
        "not touched.",
        "Delete Permanently",
        destructive=True,
    )
