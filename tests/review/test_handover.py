"""Groups built off the GUI thread, running totals, and a cleanup prepared on its own thread.

The window's GUI thread must never walk every group: the groups of a grouping are built from
a copy of the decisions on the worker (``prepare_groups``), the totals follow each change,
and a cleanup's removals and the records left are worked out on the cleanup's thread. These
tests hold each shortcut to what walking everything would give.
"""

from __future__ import annotations

import random

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ImageRecord, ScanResult, ScanStats
from dedupe_gui.review import GroupScope, IndexHolder, ReviewSession
from dedupe_gui.review.regrouping import prepare_groups
from dedupe_gui.review.session import CHANGES_KEPT
from dedupe_gui.review.totals import Totals
from tests.core.records import record


def library(groups: int = 30) -> list[ImageRecord]:
    """``groups`` groups of 2-4 files; every third group holds an exact copy of its keeper."""
    out = []
    for g in range(groups):
        base = random.Random(g).getrandbits(64) & ~0b11  # groups far apart
        for k in range(2 + g % 3):
            digest = "same" if g % 3 == 0 and k < 2 else None
            size = 5000 if digest else 1000 + 100 * k + g
            out.append(
                record(
                    f"/lib/{g:03d}/{k}.jpg",
                    base if digest else base | k,
                    wh=(400, 300) if digest else (400 - 50 * k, 300),
                    size=size,
                    digest=f"{digest}{g}" if digest else None,
                )
            )
    return out


def scanned(records: list[ImageRecord] | None = None) -> ReviewSession:
    session = ReviewSession(GroupingOptions(2, verify=False))
    assert session.begin_scan()
    recs = library() if records is None else records
    request = session.take_scan(ScanResult(("/lib",), tuple(recs), (), ScanStats(images=len(recs))))
    assert request is not None and session.awaiting_groups
    assert session.take_groups(request, IndexHolder().groups(request))
    assert not session.awaiting_groups
    return session


def recount(session: ReviewSession) -> Totals:
    return Totals.of(session.groups)


def test_the_totals_follow_every_change_as_a_recount_would() -> None:
    session = scanned()
    assert session.totals == recount(session)
    assert session.totals.exact == 10 and session.has_exact_copies
    rng = random.Random(4)
    for step in range(300):
        g = rng.choice(session.groups)
        path = rng.choice(g.members).path
        action = rng.randrange(6)
        if action == 0:
            session.mark(g, path, path not in g.marked)
        elif action == 1:
            session.keep(g, path)
        elif action == 2:
            session.undo()
        elif action == 3:
            session.redo()
        elif action == 4:
            session.mark_reviewed(g)
        elif step % 50 == 0:
            session.reset()
        assert session.totals == recount(session), step
    files, size, groups = session.marked_totals()
    assert groups == sum(1 for g in session.groups if g.marked)
    assert files == sum(len(g.marked) for g in session.groups)
    assert size == sum(g.marked_bytes for g in session.groups)
    assert session.reviewed_groups == sum(1 for g in session.groups if g.reviewed)


def test_plans_count_from_the_totals_what_their_removals_hold() -> None:
    session = scanned()
    for g in session.groups[::4]:
        session.mark_reviewed(g)
    session.mark(session.groups[1], session.groups[1].members[1].path, False)
    for scope in (GroupScope.ALL, GroupScope.REVIEWED):
        plan = session.plan_cleanup(scope)
        removals = plan.removals
        assert plan.files == sum(len(r.remove) for r in removals)
        assert plan.groups == len(removals)
        assert plan.bytes == sum(
            m.record.key.size for r in removals for m in r.group.members if m.path in r.remove
        )


def test_decisions_made_while_the_worker_groups_are_in_the_groups_it_hands_over() -> None:
    session = scanned()
    g = session.groups[0]
    kept, marked = g.members[0].path, g.members[1].path
    request = session.set_options(GroupingOptions(4, verify=False))
    assert request is not None
    # The worker groups from the request's copy; meanwhile the user keeps the marked file
    # and looks at the group.
    session.mark(g, marked, False)
    session.mark_reviewed(g)
    prepared = prepare_groups(request, IndexHolder().groups(request))
    fresh = next(x for x in prepared.groups if any(m.path == kept for m in x.members))
    assert marked in fresh.marked and not fresh.reviewed  # built from the copy
    assert session.take_prepared(prepared)
    now = next(x for x in session.groups if any(m.path == kept for m in x.members))
    assert marked not in now.marked and now.reviewed
    assert session.totals == recount(session)


def test_a_grouping_older_than_the_changes_remembered_is_brought_up_to_date_whole() -> None:
    session = scanned()
    request = session.set_options(GroupingOptions(4, verify=False))
    assert request is not None
    g = session.groups[0]
    path = g.members[1].path
    for _ in range(CHANGES_KEPT // 2 + 1):  # two changes each
        session.mark(g, path, False)
        session.mark(g, path, True)
    session.mark(g, path, False)
    assert session.take_groups(request, IndexHolder().groups(request))
    now = next(x for x in session.groups if any(m.path == path for m in x.members))
    assert path not in now.marked
    assert session.totals == recount(session)


def test_a_cleanup_prepared_on_its_thread_leaves_what_finishing_by_hand_would() -> None:
    session = scanned()
    plan = session.plan_cleanup(GroupScope.ALL)
    cleanup = session.begin_cleanup(plan)
    assert cleanup is not None
    removals = cleanup.removals()  # on the cleanup's thread
    outcomes = []
    for i, r in enumerate(removals):
        for path in sorted(r.remove):
            status = Status.FAILED if i % 5 == 0 else Status.TRASHED
            outcomes.append(Outcome(path, status, "busy" if i % 5 == 0 else "", 10))
    settled = cleanup.settle(outcomes)  # on the cleanup's thread too
    half = len(outcomes) // 2
    for o in outcomes[:half]:  # streamed while it runs
        assert session.apply_outcome(o) is not None
        # Groups resolved so far are counted out already (they leave the list at the end).
        assert session.totals == Totals.of(g for g in session.groups if not g.resolved)
    before = len(session.records)
    summary = session.finish_cleanup(outcomes)
    removed = {o.path for o in outcomes if o.status is Status.TRASHED}
    assert summary.removed == removed == settled.removed
    assert session.records is settled.records and len(session.records) == before - len(removed)
    assert all(g.resolved for g in summary.resolved) and summary.resolved
    assert not any(g.resolved for g in session.groups)
    assert session.totals == recount(session)
    # Decisions about files of groups gone from the list touch no total.
    gone = summary.resolved[0].members[0].record.key
    assert session.group_of(gone) is None
    session.undo()
    assert session.totals == recount(session)


def test_finishing_applies_outcomes_that_were_not_streamed() -> None:
    records = [record("/lib/a.jpg", 0, wh=(400, 300)), record("/lib/b.jpg", 1)]
    session = scanned(records)
    cleanup = session.begin_cleanup(session.plan_cleanup(GroupScope.ALL))
    assert cleanup is not None
    summary = session.finish_cleanup([Outcome("/lib/b.jpg", Status.TRASHED, "", 1000)])
    assert summary.removed == {"/lib/b.jpg"} and session.groups == []
    assert [r.path for r in session.records] == ["/lib/a.jpg"]
    assert session.totals == Totals()


def test_while_a_grouping_runs_the_session_says_so_until_it_fails_or_arrives() -> None:
    session = scanned()
    assert session.set_options(GroupingOptions(5, verify=False)) is not None
    assert session.awaiting_groups
    session.grouping_failed()
    assert not session.awaiting_groups


def test_exact_copies_are_counted_until_the_copy_or_its_keeper_goes() -> None:
    recs = [
        record("/lib/a.jpg", 0, wh=(400, 300), size=5000, digest="x"),
        record("/lib/b.jpg", 0, wh=(400, 300), size=5000, digest="x", mtime_ns=2),
    ]
    session = scanned(recs)
    assert session.has_exact_copies
    copy = session.groups[0].members[1].path
    assert session.begin_cleanup(session.plan_cleanup(GroupScope.ALL)) is not None
    session.apply_outcome(Outcome(copy, Status.TRASHED, "", 5000))
    assert not session.has_exact_copies
