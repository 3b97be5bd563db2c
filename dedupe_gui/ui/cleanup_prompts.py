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
from dedupe_gui.core.companions import describe_going, going_with
from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import CleanupPlan, ReviewGroup
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
    marked = {m.path for m in state.marked_members()}
    along = describe_going(going_with([(state.group.members, marked)]))
    return ask(
        parent,
        "Move to Trash",
        f"Move {plural(files, 'file')} ({human_bytes(state.marked_bytes)}) of this group to "
        "the trash?",
        (f"{along} " if along else "") + f"Kept: {os.path.basename(state.keeper.path)}. "
        "You can restore trashed files from the system trash.",
        "Move to Trash",
    )


class ChooseFunction(Protocol):
    """A question with several accept buttons; the index of the one chosen, None to cancel."""

    def __call__(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        informative: str,
        buttons: Sequence[str],
        destructive: bool = False,
    ) -> int | None: ...


def _amount(plan: CleanupPlan) -> str:
    return f"{plural(plan.files, 'file')} ({human_bytes(plan.bytes)})"


def choose_cleanup(
    choose: ChooseFunction, parent: QWidget, reviewed: CleanupPlan, everything: CleanupPlan
) -> CleanupPlan | None:
    """Which groups to clean up: the ones the user has looked at, or all of them.

    Both choices say how many files and bytes they move; where every group with marks was
    looked at (or none was) there is one choice. Partial results (a cancelled scan) are said
    first: copies among the photos not read are not in any group.
    """
    with_marks, seen = everything.total_groups, everything.reviewed_groups
    lines = []
    if everything.partial:
        lines.append(
            "These are partial results: the scan was cancelled, so copies among the photos "
            "it did not read are in no group."
        )
    lines.append(f"You have looked at {seen:,} of the {plural(with_marks, 'group')} with marks.")
    plans = [everything]
    buttons = [f"Move All {plural(everything.files, 'File')}"]
    if 0 < reviewed.files < everything.files:
        plans.insert(0, reviewed)
        buttons.insert(0, f"Move {plural(reviewed.files, 'File')} of Reviewed Groups")
        lines.append(
            f"The groups you reviewed: {_amount(reviewed)} in {plural(reviewed.groups, 'group')}."
        )
    along = describe_going(everything.companions)
    if along:
        lines.append(along.replace("With them", "With the marked files", 1))
    lines.append(
        "In every group the files marked Keep stay where they are, and files in reference "
        "folders are never touched. Files moved to the trash can be put back (Undo Cleanup)."
    )
    text = f"Move {_amount(everything)} from {plural(everything.groups, 'group')} to the trash?"
    if len(plans) == 2:
        text = (
            f"Move the marked files of the {plural(reviewed.groups, 'group')} you reviewed, "
            f"or of all {plural(everything.groups, 'group')} ({_amount(everything)}), "
            "to the trash?"
        )
    index = choose(parent, "Clean Up", text, "\n\n".join(lines), buttons)
    return plans[index] if index is not None and 0 <= index < len(plans) else None


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
