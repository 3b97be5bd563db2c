"""The marking rules behind the checkboxes: one file always stays, reference files never go."""

from __future__ import annotations

from collections.abc import Mapping

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.models import FileKey, Fingerprint, Group, GroupMember, ImageRecord
from dedupe_gui.review import Decision, FileIdentity, ReviewGroup


def member(name: str, keep: bool = False, reference: bool = False, h: int = 0) -> GroupMember:
    record = ImageRecord(FileKey(f"/p/{name}", 100, 0), Fingerprint(h, 4, 3, "JPEG"), reference)
    return GroupMember(record, 0, keep=keep or reference)


def group() -> Group:
    return Group((member("k", keep=True), member("x", h=1), member("r", reference=True, h=3)))


def decided(g: Group, by_path: Mapping[str, Decision] | None = None) -> ReviewGroup:
    def decision_of(identity: FileIdentity) -> Decision | None:
        return (by_path or {}).get(identity.path)

    return ReviewGroup(g, decision_of)


def test_marks_follow_the_core_then_the_users_decisions() -> None:
    assert decided(group()).marked == {"/p/x"}
    state = decided(group(), {"/p/x": Decision.KEEP, "/p/k": Decision.TRASH})
    assert state.marked == {"/p/k"}
    assert state.keeper.path == "/p/x"


def test_decisions_that_would_mark_every_file_keep_the_suggested_keeper() -> None:
    g = Group((member("k", keep=True), member("x")))
    state = decided(g, {"/p/k": Decision.TRASH, "/p/x": Decision.TRASH})
    assert state.marked == {"/p/x"}


def test_the_last_kept_file_and_reference_files_cannot_be_marked() -> None:
    state = decided(group())
    assert not state.can_mark("/p/r")  # reference
    assert "reference" in state.refusal("/p/r")
    assert state.can_mark("/p/k")  # r still stays
    assert decided(group(), {"/p/r": Decision.TRASH}).marked == {"/p/x"}  # never marked
    two = decided(Group((member("k", keep=True), member("x"))))
    assert not two.can_mark("/p/k") and "At least one" in two.refusal("/p/k")
    assert two.can_mark("/p/x")  # already marked: may stay so
    assert two.marked == {"/p/x"}


def test_the_chosen_keeper_leads_the_removal() -> None:
    state = decided(group(), {"/p/x": Decision.KEEPER, "/p/k": Decision.TRASH})
    assert state.keeper.path == "/p/x"
    removal = state.removal()
    assert removal is not None
    assert removal.remove == {"/p/k"}
    assert removal.group.members[0].path == "/p/x"  # the chosen file leads the group
    assert state.removal(only={"/p/nothing"}) is None


def test_outcomes_resolve_or_keep_the_group() -> None:
    state = decided(Group((member("k", keep=True), member("x"), member("y"))))
    state.apply_outcome(Outcome("/p/x", Status.TRASHED))
    state.apply_outcome(Outcome("/p/y", Status.FAILED, "busy"))
    assert [m.path for m in state.members] == ["/p/k", "/p/y"]
    assert not state.resolved and state.failures()[0].reason == "busy"
    state.apply_outcome(Outcome("/p/y", Status.TRASHED))
    assert state.resolved


def test_distances_are_measured_from_the_file_that_stays() -> None:
    g = Group((member("k", keep=True), member("x", h=0b11)))
    g = Group((g.members[0], GroupMember(g.members[1].record, 2)))
    assert decided(g).distance_to_keeper(g.members[1]) == 2
    swapped = decided(g, {"/p/x": Decision.KEEPER, "/p/k": Decision.TRASH})
    assert swapped.distance_to_keeper(g.members[0]) == 2  # recomputed from the fingerprints
    assert swapped.distance_to_keeper(g.members[1]) == 0


def test_marked_bytes_follow_the_marks_and_the_files_that_went() -> None:
    def sized(name: str, size: int, keep: bool = False) -> GroupMember:
        record = ImageRecord(FileKey(f"/p/{name}", size, 0), Fingerprint(0, 4, 3, "JPEG"))
        return GroupMember(record, 0, keep=keep)

    g = Group((sized("k", 1000, keep=True), sized("a", 300), sized("b", 50)))
    state = decided(g)
    assert state.marked_bytes == 350
    state.resolve(lambda identity: Decision.KEEP if identity.path == "/p/a" else None)
    assert state.marked_bytes == 50
    state.apply_outcome(Outcome("/p/b", Status.TRASHED, bytes=50))
    assert state.marked_bytes == 0
