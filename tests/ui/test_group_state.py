"""The marking rules behind the checkboxes: one file always stays, reference files never go."""

from __future__ import annotations

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.models import FileKey, Fingerprint, Group, GroupMember, ImageRecord
from dedupe_gui.ui.group_state import GroupState


def member(name: str, keep: bool = False, reference: bool = False, h: int = 0) -> GroupMember:
    record = ImageRecord(FileKey(f"/p/{name}", 100, 0), Fingerprint(h, 4, 3, "JPEG"), reference)
    return GroupMember(record, 0, keep=keep or reference)


def group() -> Group:
    return Group((member("k", keep=True), member("x", h=1), member("r", reference=True, h=3)))


def test_preselection_follows_the_core_then_the_users_choices() -> None:
    assert GroupState.preselected(group()).marked == {"/p/x"}
    state = GroupState.preselected(group(), {"/p/x": False, "/p/k": True})
    assert state.marked == {"/p/k"}
    assert state.keeper.path == "/p/x"


def test_choices_that_would_mark_every_file_keep_the_keeper() -> None:
    g = Group((member("k", keep=True), member("x")))
    state = GroupState.preselected(g, {"/p/k": True, "/p/x": True})
    assert state.marked == {"/p/x"}


def test_the_last_kept_file_and_reference_files_cannot_be_marked() -> None:
    state = GroupState.preselected(group())
    assert not state.set_marked("/p/r", True)  # reference
    assert state.set_marked("/p/k", True)  # r still stays
    assert state.marked == {"/p/k", "/p/x"}
    assert state.kept()[0].path == "/p/r"
    two = GroupState.preselected(Group((member("k", keep=True), member("x"))))
    assert not two.can_mark("/p/k") and not two.set_marked("/p/k", True)
    assert two.marked == {"/p/x"}


def test_keep_only_and_removal() -> None:
    state = GroupState.preselected(group())
    assert state.keep_only("/p/x")
    assert state.marked == {"/p/k"}  # the reference file is never marked
    removal = state.removal()
    assert removal is not None
    assert removal.remove == {"/p/k"}
    assert (
        removal.group.suggested_keeper.path == "/p/x"
    )  # the chosen file leads the group sent to the core
    assert state.removal(only={"/p/nothing"}) is None


def test_outcomes_resolve_or_keep_the_group() -> None:
    state = GroupState.preselected(Group((member("k", keep=True), member("x"), member("y"))))
    state.apply_outcome(Outcome("/p/x", Status.TRASHED))
    state.apply_outcome(Outcome("/p/y", Status.FAILED, "busy"))
    assert [m.path for m in state.members] == ["/p/k", "/p/y"]
    assert not state.resolved and state.failures()[0].reason == "busy"
    state.apply_outcome(Outcome("/p/y", Status.TRASHED))
    assert state.resolved
