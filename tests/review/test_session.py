"""The review's rules, without Qt: marks, keeper choice, undo, rescans, regrouping, cleanup."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.grouping import GroupingStopped
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord, ScanResult, ScanStats
from dedupe_gui.core.report import Report
from dedupe_gui.review import (
    Decision,
    GroupingRequest,
    GroupScope,
    IndexHolder,
    ReviewGroup,
    ReviewSession,
)
from tests.core.records import record

# Hashes chosen by their bits: B is 1 bit from A, C 3 bits from A, D and E far from all.
A, B, C = 0, 0b1, 0b111
D, E = 0xFFFF_0000_0000_0000, 0xFFFF_0000_0000_0001


def library() -> list[ImageRecord]:
    """Two groups at T=1 ({a, b, c?}, {d, e}); c joins a's group from T=3. The first of each
    has the most pixels, so it is the suggested keeper."""
    return [
        record("/lib/a.jpg", A, wh=(400, 300), size=4000),
        record("/lib/b.jpg", B, wh=(200, 150), size=2000),
        record("/lib/c.jpg", C, wh=(100, 75), size=1000),
        record("/lib/d.jpg", D, wh=(400, 300), size=3000),
        record("/lib/e.jpg", E, wh=(200, 150), size=5000),
    ]


def result(records: Sequence[ImageRecord], cancelled: bool = False) -> ScanResult:
    return ScanResult(("/lib",), tuple(records), (), ScanStats(images=len(records)), cancelled)


def run(session: ReviewSession, request: GroupingRequest | None) -> None:
    """What the window's worker does: group the request, hand the groups back."""
    assert request is not None
    assert session.take_groups(request, IndexHolder().groups(request))


def scanned(threshold: int = 1, records: Sequence[ImageRecord] | None = None) -> ReviewSession:
    session = ReviewSession(GroupingOptions(threshold, verify=False))
    assert session.begin_scan()
    run(session, session.take_scan(result(library() if records is None else records)))
    return session


def group_of(session: ReviewSession, name: str) -> ReviewGroup:
    return next(g for g in session.groups if any(m.path == f"/lib/{name}.jpg" for m in g.members))


def names(paths: set[str] | Sequence[str]) -> list[str]:
    return sorted(p.rsplit("/", 1)[1].removesuffix(".jpg") for p in paths)


# -- the suggestion and marks ------------------------------------------------------------------


def test_the_suggestion_marks_everything_but_the_keeper() -> None:
    session = scanned()
    assert [names([m.path for m in g.members]) for g in session.groups] == [
        ["a", "b"],
        ["d", "e"],
    ]
    g = group_of(session, "a")
    assert names(g.marked) == ["b"] and g.keeper.path == "/lib/a.jpg"
    assert session.marked_totals() == (2, 2000 + 5000, 2)


def test_marking_refuses_the_last_kept_file_and_says_why() -> None:
    session = scanned()
    g = group_of(session, "a")
    result = session.mark(g, "/lib/a.jpg", True)
    assert result.changed == () and "At least one file" in result.refused
    assert session.mark(g, "/lib/b.jpg", False).changed == (g,)
    assert g.marked == set()
    # Now either file may be marked, but not both.
    assert session.mark(g, "/lib/a.jpg", True).changed == (g,)
    assert session.mark(g, "/lib/b.jpg", True).refused
    assert names(g.marked) == ["a"] and g.keeper.path == "/lib/b.jpg"


def test_reference_files_are_never_marked() -> None:
    recs = library()
    recs[1] = replace(recs[1], reference=True)  # b, in a reference folder
    recs[2] = replace(recs[2], key=FileKey("/lib/c.jpg", 1000, 1))
    session = scanned(threshold=3, records=recs)
    g = group_of(session, "a")
    assert "b.jpg" not in " ".join(g.marked)
    refused = session.mark(g, "/lib/b.jpg", True)
    assert "reference" in refused.refused and not refused.changed
    # "Keep this one" elsewhere still never marks the reference file.
    session.keep(g, "/lib/c.jpg")
    assert names(g.marked) == ["a"]


def test_nothing_changes_for_a_file_that_is_not_in_the_group() -> None:
    session = scanned()
    g = group_of(session, "a")
    assert session.mark(g, "/lib/d.jpg", True).changed == ()
    assert session.keep(g, "/elsewhere.jpg").changed == ()
    assert not session.can_undo


# -- keep this one -----------------------------------------------------------------------------


def test_keep_marks_the_others_but_not_those_the_user_kept() -> None:
    session = scanned(threshold=3)
    g = group_of(session, "a")
    assert names(g.marked) == ["b", "c"]
    session.mark(g, "/lib/c.jpg", False)  # the user keeps c explicitly
    result = session.keep(g, "/lib/b.jpg")
    assert result.changed == (g,)
    assert g.keeper.path == "/lib/b.jpg"
    assert names(g.marked) == ["a"]  # c stays kept: the user said so


def test_keep_warns_when_a_larger_copy_is_about_to_be_trashed() -> None:
    session = scanned()
    g = group_of(session, "a")
    result = session.keep(g, "/lib/b.jpg")
    assert [m.path for m in result.larger_marked] == ["/lib/a.jpg"]  # 400x300 over 200x150
    # Back to the larger file: nothing larger is marked then.
    assert session.keep(g, "/lib/a.jpg").larger_marked == ()


def test_keeping_another_file_swaps_the_keeper() -> None:
    session = scanned(threshold=3)
    g = group_of(session, "a")
    session.keep(g, "/lib/c.jpg")
    session.keep(g, "/lib/b.jpg")
    assert g.keeper.path == "/lib/b.jpg"
    assert names(g.marked) == ["a", "c"]  # the earlier choice of keeper is marked now


# -- undo and redo -----------------------------------------------------------------------------


def test_undo_and_redo_marks_and_keeper_changes() -> None:
    session = scanned()
    g = group_of(session, "a")
    session.mark(g, "/lib/b.jpg", False)
    session.keep(g, "/lib/b.jpg")
    assert g.keeper.path == "/lib/b.jpg" and names(g.marked) == ["a"]
    assert session.undo() == (g,)
    assert g.keeper.path == "/lib/a.jpg" and g.marked == set()
    assert session.undo() == (g,)
    assert names(g.marked) == ["b"]
    assert session.undo() == () and not session.can_undo
    assert session.redo() == (g,) and g.marked == set()
    assert session.redo() == (g,) and g.keeper.path == "/lib/b.jpg"
    assert not session.can_redo


def test_a_new_change_clears_redo() -> None:
    session = scanned()
    g = group_of(session, "a")
    session.mark(g, "/lib/b.jpg", False)
    session.undo()
    assert session.can_redo
    session.keep(g, "/lib/b.jpg")
    assert not session.can_redo


def test_reset_is_one_undoable_step_and_says_what_it_discards() -> None:
    session = scanned()
    ga, gd = group_of(session, "a"), group_of(session, "d")
    session.mark(ga, "/lib/b.jpg", False)
    session.keep(gd, "/lib/e.jpg")
    assert session.decisions_in(ga) == 1 and session.decisions_in(gd) == 2
    assert session.decisions_in() == 3
    assert set(session.reset()) == {ga, gd}
    assert session.decisions_in() == 0
    assert names(ga.marked) == ["b"] and names(gd.marked) == ["e"]
    assert set(session.undo()) == {ga, gd}
    assert ga.marked == set() and gd.keeper.path == "/lib/e.jpg"
    assert session.reset(ga) == (ga,) and session.decisions_in() == 2


# -- decisions survive rescans and regrouping ------------------------------------------------


def test_a_rescan_keeps_the_decisions_about_unchanged_files() -> None:
    session = scanned()
    g = group_of(session, "a")
    session.keep(g, "/lib/b.jpg")
    assert session.begin_scan()
    run(session, session.take_scan(result(library())))
    g = group_of(session, "a")
    assert g.keeper.path == "/lib/b.jpg" and names(g.marked) == ["a"]


def test_a_file_changed_since_loses_its_decision() -> None:
    session = scanned()
    session.mark(group_of(session, "a"), "/lib/b.jpg", False)
    changed = library()
    changed[1] = replace(changed[1], key=FileKey("/lib/b.jpg", 2000, 99))  # rewritten
    session.begin_scan()
    run(session, session.take_scan(result(changed)))
    assert names(group_of(session, "a").marked) == ["b"]  # the suggestion again


def test_regrouping_at_another_threshold_keeps_decisions() -> None:
    session = scanned(threshold=1)
    session.mark(group_of(session, "a"), "/lib/b.jpg", False)
    run(session, session.set_options(GroupingOptions(3, verify=False)))
    g = group_of(session, "a")
    assert names([m.path for m in g.members]) == ["a", "b", "c"]
    assert names(g.marked) == ["c"]  # c follows the suggestion, b stays kept
    run(session, session.set_options(GroupingOptions(1, verify=False)))
    assert group_of(session, "a").marked == set()


def test_trash_decisions_covering_a_whole_group_leave_the_suggested_keeper() -> None:
    """Decisions made in other groups can meet in one group after a regrouping."""
    session = scanned(threshold=1)
    (group,) = [g.group for g in session.groups if g.keeper.path == "/lib/a.jpg"]
    everything = ReviewGroup(group, lambda _identity: Decision.TRASH)
    assert names(everything.marked) == ["b"] and everything.keeper.path == "/lib/a.jpg"


def test_merged_groups_keep_every_decision() -> None:
    session = scanned(threshold=1)
    ga, gd = group_of(session, "a"), group_of(session, "d")
    session.keep(ga, "/lib/b.jpg")
    session.keep(gd, "/lib/e.jpg")
    run(session, session.set_options(GroupingOptions(64, verify=False)))
    (big,) = session.groups  # every file within 64 bits of a
    assert names(big.marked) == ["a", "c", "d"]
    assert names([m.path for m in big.kept()]) == ["b", "e"]


def test_a_grouping_overtaken_by_a_newer_request_is_dropped() -> None:
    session = scanned(threshold=1)
    old = session.set_options(GroupingOptions(3, verify=False))
    new = session.set_options(GroupingOptions(2, verify=False))
    assert old is not None and new is not None
    assert not session.take_groups(old, IndexHolder().groups(old))
    assert session.take_groups(new, IndexHolder().groups(new))
    # A rescan makes every earlier request stale too.
    session.begin_scan()
    fresh = session.take_scan(result(library()))
    assert not session.take_groups(new, IndexHolder().groups(new))
    assert fresh is not None and session.take_groups(fresh, IndexHolder().groups(fresh))


def test_unchanged_options_ask_for_no_grouping() -> None:
    session = scanned(threshold=1)
    assert session.set_options(GroupingOptions(1, verify=False)) is None
    assert ReviewSession().request() is None  # nothing to group before results


def test_a_grouping_can_be_stopped() -> None:
    session = scanned()
    request = session.set_options(GroupingOptions(3, verify=False))
    assert request is not None
    with pytest.raises(GroupingStopped):
        IndexHolder().groups(request, should_stop=lambda: True)
    seen: list[tuple[int, int]] = []
    IndexHolder().groups(request, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5, 5)


# -- review progress ---------------------------------------------------------------------------


def test_reviewed_groups_are_remembered_by_their_files() -> None:
    session = scanned(threshold=1)
    g = group_of(session, "a")
    assert session.mark_reviewed(g) and not session.mark_reviewed(g)
    assert session.reviewed_groups == 1
    run(session, session.set_options(GroupingOptions(2, verify=False)))  # same groups
    assert group_of(session, "a").reviewed
    run(session, session.set_options(GroupingOptions(3, verify=False)))  # c joins: not seen
    assert not group_of(session, "a").reviewed
    assert session.reviewed_groups == 0


# -- cleanup -----------------------------------------------------------------------------------


def test_cleanup_plans_by_scope_with_counts_and_bytes() -> None:
    session = scanned()
    ga, gd = group_of(session, "a"), group_of(session, "d")
    this = session.plan_cleanup(GroupScope.GROUP, ga)
    assert (this.files, this.bytes, this.groups) == (1, 2000, 1)
    assert session.plan_cleanup(GroupScope.REVIEWED).empty
    session.mark_reviewed(gd)
    reviewed = session.plan_cleanup(GroupScope.REVIEWED)
    assert (reviewed.files, reviewed.bytes, reviewed.groups) == (1, 5000, 1)
    assert (reviewed.reviewed_groups, reviewed.total_groups) == (1, 2)
    every = session.plan_cleanup(GroupScope.ALL)
    assert (every.files, every.bytes, every.groups) == (2, 7000, 2)
    assert not every.partial
    removal = this.removals[0]
    assert removal.group.members[0].path == "/lib/a.jpg" and removal.remove == {"/lib/b.jpg"}


def test_the_user_keeper_leads_the_removal_sent_to_the_core() -> None:
    session = scanned()
    g = group_of(session, "a")
    session.keep(g, "/lib/b.jpg")
    (removal,) = session.plan_cleanup(GroupScope.GROUP, g).removals
    assert removal.group.members[0].path == "/lib/b.jpg" and removal.remove == {"/lib/a.jpg"}


def test_plans_from_a_cancelled_scan_say_so() -> None:
    session = ReviewSession(GroupingOptions(1, verify=False))
    session.begin_scan()
    run(session, session.take_scan(result(library(), cancelled=True)))
    assert session.partial and session.plan_cleanup(GroupScope.ALL).partial
    session.begin_scan()
    run(session, session.take_scan(result(library())))
    assert not session.partial


def test_nothing_moves_while_a_cleanup_runs() -> None:
    session = scanned()
    g = group_of(session, "a")
    plan = session.plan_cleanup(GroupScope.ALL)
    assert session.begin_cleanup(plan)
    assert not session.begin_cleanup(plan)  # one at a time
    assert not session.begin_scan()
    assert session.set_options(GroupingOptions(3, verify=False)) is None
    assert session.request() is None
    assert session.mark(g, "/lib/b.jpg", False).changed == ()
    assert session.keep(g, "/lib/b.jpg").changed == ()
    assert not session.can_undo
    stale = GroupingRequest(session.generation, session.records, session.options)
    assert not session.take_groups(stale, [])
    session.abort_cleanup()
    assert session.begin_scan()


def test_finishing_a_cleanup_forgets_removed_files_and_resolved_groups() -> None:
    session = scanned()
    ga, gd = group_of(session, "a"), group_of(session, "d")
    plan = session.plan_cleanup(GroupScope.ALL)
    assert session.begin_cleanup(plan)
    trashed = Outcome("/lib/b.jpg", Status.TRASHED, "", 2000)
    failed = Outcome("/lib/e.jpg", Status.FAILED, "permission denied", 5000)
    assert session.apply_outcome(trashed) is ga  # streamed while it runs
    generation = session.generation
    summary = session.finish_cleanup([trashed, failed])
    assert summary.removed == {"/lib/b.jpg"} and summary.resolved == (ga,)
    assert summary.freed_bytes == 2000 and summary.failed == (failed,)
    assert session.groups == [gd] and gd.failures() == [failed]
    assert "/lib/b.jpg" not in {r.path for r in session.records}
    assert session.generation == generation + 1 and not session.cleaning
    assert session.last_outcomes == [trashed, failed]


def test_files_without_a_trash_can_be_deleted_after_a_second_plan() -> None:
    session = scanned()
    assert session.begin_cleanup(session.plan_cleanup(GroupScope.ALL))
    no_trash = Outcome("/lib/b.jpg", Status.FAILED, "no trash", 2000, trash_unavailable=True)
    trashed = Outcome("/lib/e.jpg", Status.TRASHED, "", 5000)
    summary = session.finish_cleanup([no_trash, trashed])
    assert summary.no_trash == (no_trash,)
    plan = session.plan_permanent_delete(summary)
    assert plan.permanent and [r.remove for r in plan.removals] == [{"/lib/b.jpg"}]
    assert session.begin_cleanup(plan)
    deleted = Outcome("/lib/b.jpg", Status.DELETED, "", 2000)
    session.finish_cleanup([deleted])
    assert session.last_outcomes == [no_trash, trashed, deleted]  # one report for both runs
    assert session.groups == []


def test_undo_is_offered_only_for_files_that_can_come_back() -> None:
    """A file deleted for good (its drive had no trash) cannot be put back: no Undo for it."""
    session = scanned()
    assert session.begin_cleanup(session.plan_cleanup(GroupScope.ALL))
    no_trash = Outcome("/lib/b.jpg", Status.FAILED, "no trash", 2000, trash_unavailable=True)
    summary = session.finish_cleanup([no_trash])
    assert not session.can_restore
    assert session.begin_cleanup(session.plan_permanent_delete(summary))
    session.finish_cleanup([Outcome("/lib/b.jpg", Status.DELETED, "", 2000)])
    assert not session.can_restore and session.restorable() == []
    assert not session.begin_restore()
    # Beside a file that went to the trash, only that one is offered.
    session = scanned()
    assert session.begin_cleanup(session.plan_cleanup(GroupScope.ALL))
    trashed = Outcome("/lib/e.jpg", Status.TRASHED, "", 5000)
    summary = session.finish_cleanup([no_trash, trashed])
    assert session.begin_cleanup(session.plan_permanent_delete(summary))
    session.finish_cleanup([Outcome("/lib/b.jpg", Status.DELETED, "", 2000)])
    assert session.can_restore and session.restorable() == ["/lib/e.jpg"]


# -- loaded reports ----------------------------------------------------------------------------


def saved_report(threshold: int = 7) -> Report:
    """What the window saves after the user kept b in a's group."""
    session = scanned()
    session.keep(group_of(session, "a"), "/lib/b.jpg")
    return replace(session.report(), threshold=threshold)


def test_a_report_loads_as_saved_with_its_marks() -> None:
    report = saved_report()
    session = scanned(threshold=3)
    session.mark(group_of(session, "d"), "/lib/e.jpg", False)
    assert session.load_discards_work()
    session.take_report(report)
    assert not session.load_discards_work()  # nothing done since the load

    assert session.options.threshold == 7
    g = group_of(session, "a")
    assert g.keeper.path == "/lib/b.jpg" and names(g.marked) == ["a"]
    assert names(group_of(session, "d").marked) == ["e"]  # the report's marks, not ours
    assert not session.can_undo
    session.mark_reviewed(g)
    assert session.load_discards_work()
    # Regrouping the loaded files keeps the loaded decisions.
    run(session, session.set_options(GroupingOptions(3, verify=False)))
    assert group_of(session, "a").keeper.path == "/lib/b.jpg"


def test_a_report_without_a_threshold_keeps_the_current_one() -> None:
    session = scanned(threshold=3)
    session.take_report(saved_report(), threshold_known=False)
    assert session.options.threshold == 3


def test_a_loaded_report_protects_todays_reference_folders() -> None:
    session = ReviewSession(GroupingOptions(1, verify=False))
    session.take_report(saved_report(), references=["/lib"])
    assert all(not g.marked for g in session.groups)
    assert session.plan_cleanup(GroupScope.ALL).empty
    assert all(r.reference for r in session.records)


def test_decisions_are_not_groups() -> None:
    """The decision of a file outlives its group: it is stored by file identity."""
    session = scanned()
    session.keep(group_of(session, "a"), "/lib/b.jpg")
    run(session, session.set_options(GroupingOptions(0, verify=False)))
    assert session.groups == []  # no pair at 0 bits
    run(session, session.set_options(GroupingOptions(1, verify=False)))
    g = group_of(session, "a")
    assert g.keeper.path == "/lib/b.jpg"
    assert Decision.KEEPER.value == "keeper"
