"""Cleaning up from the window: what goes to the trash, what stays, what the user is told."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dedupe_gui.core.actions import Outcome, Status, TrashUnavailable
from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import CleanupPlan, GroupScope
from dedupe_gui.ui.cleanup_flow import CleanupFlow
from dedupe_gui.ui.dialogs import OutcomesDialog
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.services import WindowServices
from tests.ui.conftest import Answers, scan


def trash_files(home: Path) -> set[str]:
    folder = home / ".local" / "share" / "Trash" / "files"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def on_disk(folder: Path) -> set[str]:
    return {p.name for p in folder.rglob("*") if p.is_file()}


def select_group_of(window: MainWindow, name: str) -> None:
    for row, state in enumerate(window.model.states()):
        if any(os.path.basename(m.path) == name for m in state.members):
            window.select_row(row)
            return
    raise AssertionError(f"no group holds {name}")


def test_delete_key_trashes_the_marked_files_of_this_group(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    select_group_of(window, "a.jpg")
    state = window.current_state()
    assert state is not None
    keeper = os.path.basename(state.keeper.path)
    doomed = {os.path.basename(m.path) for m in state.marked_members()}
    assert keeper == "a.png" and doomed == {"a.jpg", "a_small.jpg"}
    rows = window.model.rowCount()
    size = state.marked_bytes

    window.table.setFocus()
    with qtbot.waitSignal(window.cleanup_finished, timeout=10000) as done:
        QTest.keyClick(window.table, Qt.Key.Key_Delete)
    outcomes: list[Outcome] = done.args[0]

    title, text, _ = answers.asked[0]
    assert title == "Move to Trash"
    assert "2 files" in text
    assert human_bytes(size) in text
    assert {o.status for o in outcomes} == {Status.TRASHED}
    assert trash_files(trash_home) == doomed
    assert on_disk(photos) == {"a.png", "a_crop.jpg", "b.jpg", "b_copy.jpg", "c.jpg"}
    assert window.model.rowCount() == rows - 1  # the resolved group left the list
    text = Path(window.services.journal_path or "").read_text()
    journal = [json.loads(line) for line in text.splitlines()]
    # Write-ahead: an intent line, then the outcome, for every file.
    assert [line["phase"] for line in journal] == ["intent", "outcome"] * len(doomed)
    assert {os.path.basename(line["path"]) for line in journal} == doomed


def test_clean_up_all_keeps_every_keeper_and_reports_failures(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    # One marked file changes after the scan: it must be skipped and stay in view.
    changed = photos / "sub" / "b_copy.jpg"
    changed.write_bytes(changed.read_bytes() + b"\0")

    with qtbot.waitSignal(window.cleanup_finished, timeout=10000) as done:
        window.commands["clean_up_all"].trigger()
    outcomes: list[Outcome] = done.args[0]

    # One of the two groups was on show (looked at): both scopes are offered; all was chosen.
    assert "all 2 groups (3 files" in answers.asked[0][1]
    assert answers.buttons[0][-1] == "Move All 3 Files"
    by_name = {os.path.basename(o.path): o for o in outcomes}
    assert by_name["b_copy.jpg"].status is Status.SKIPPED
    assert "changed" in by_name["b_copy.jpg"].reason
    assert trash_files(trash_home) == {"a.jpg", "a_small.jpg"}
    assert {"a.png", "b.jpg", "b_copy.jpg", "c.jpg", "a_crop.jpg"} <= on_disk(photos)

    # The group with the failure stays, showing why.
    assert window.model.rowCount() == 1
    window.select_row(0)
    card = next(c for c in window.panel.cards if c.path.endswith("b_copy.jpg"))
    assert card.outcome.isVisibleTo(window) and "changed" in card.outcome.text()
    from dedupe_gui.ui.group_model import DETAIL_ROLE, FAILED_ROLE

    first = window.model.index(0, 0)
    assert window.model.data(first, FAILED_ROLE) is True
    assert window.model.data(first, DETAIL_ROLE) == "1 not removed"
    # The outcomes come up in a callback of their own, after the one that took them in.
    qtbot.waitUntil(lambda: window.findChild(OutcomesDialog) is not None)
    dialog = window.findChild(OutcomesDialog)
    assert dialog is not None and dialog.tree.model().rowCount() == 3


def test_the_outcomes_come_up_after_the_callback_that_takes_them_in(
    qtbot: QtBot,
    trash_home: Path,
    window: MainWindow,
    photos: Path,
    answers: Answers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Taking a cleanup's outcomes in (the list, the totals, the files left) is the largest
    # callback a cleanup leaves the GUI thread; the dialog is built in one of its own.
    scan(qtbot, window, photos)
    shown_in_it: list[bool] = []
    done = CleanupFlow._done

    def watched(flow: CleanupFlow, plan: CleanupPlan, outcomes: list[Outcome]) -> None:
        done(flow, plan, outcomes)
        shown_in_it.append(window.findChild(OutcomesDialog) is not None)

    monkeypatch.setattr(CleanupFlow, "_done", watched)
    with qtbot.waitSignal(window.cleanup_finished, timeout=10000):
        window.commands["clean_up_all"].trigger()
    qtbot.waitUntil(lambda: window.findChild(OutcomesDialog) is not None)
    assert shown_in_it == [False]
    assert trash_files(trash_home) == {"a.jpg", "a_small.jpg", "b_copy.jpg"}


@pytest.mark.parametrize("second_answer", [True, False])
def test_no_trash_offers_permanent_deletion_only_after_two_questions(
    qtbot: QtBot,
    trash_home: Path,
    services: WindowServices,
    photos: Path,
    answers: Answers,
    second_answer: bool,
) -> None:
    def no_trash(path: str) -> None:
        raise TrashUnavailable("network drive")

    win = MainWindow(replace(services, trash=no_trash))
    qtbot.addWidget(win)
    win.show()
    scan(qtbot, win, photos)
    select_group_of(win, "b.jpg")
    answers.replies = [True, True, second_answer]

    with qtbot.waitSignal(win.cleanup_finished, timeout=10000) as first:
        win.trash_current_group()
    assert first.args[0][0].status is Status.FAILED
    assert [a[0] for a in answers.asked] == [
        "Move to Trash",
        "No Trash on This Drive",
        "Delete Permanently",
    ]
    if second_answer:
        qtbot.waitUntil(lambda: not (photos / "sub" / "b_copy.jpg").exists(), timeout=10000)
        qtbot.waitUntil(lambda: not win.session.cleaning)
        assert any(o.status is Status.DELETED for o in win.session.last_outcomes)
    else:
        assert (photos / "sub" / "b_copy.jpg").exists()
        state = win.current_state()
        assert state is not None and state.failures()
    assert (photos / "b.jpg").exists()  # the keeper is never touched
    win.shutdown()


def test_removed_files_leave_the_cards_and_failed_ones_stay(
    qtbot: QtBot, services: WindowServices, photos: Path, tmp_path: Path
) -> None:
    bin_ = tmp_path / "bin"
    bin_.mkdir()

    def picky_trash(path: str) -> None:
        if path.endswith("a_small.jpg"):
            raise PermissionError(13, "Permission denied")
        os.rename(path, bin_ / os.path.basename(path))

    win = MainWindow(replace(services, trash=picky_trash))
    qtbot.addWidget(win)
    win.show()
    scan(qtbot, win, photos)
    select_group_of(win, "a.jpg")
    with qtbot.waitSignal(win.cleanup_finished, timeout=10000):
        win.trash_current_group()

    assert {p.name for p in bin_.iterdir()} == {"a.jpg"}
    state = win.current_state()
    assert state is not None
    assert [os.path.basename(m.path) for m in state.members] == ["a.png", "a_small.jpg"]
    assert [os.path.basename(c.path) for c in win.panel.cards] == ["a.png", "a_small.jpg"]
    failed_card = win.panel.cards[1]
    assert "Permission denied" in failed_card.outcome.text()
    assert failed_card.check.isChecked()  # still marked: the user may try again
    win.shutdown()


def test_closing_during_a_cleanup_waits_for_every_outcome(
    qtbot: QtBot, services: WindowServices, photos: Path, tmp_path: Path
) -> None:
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    release = threading.Event()  # the files move once closing was asked for

    def held_trash(path: str) -> None:
        release.wait(10)
        os.rename(path, bin_ / os.path.basename(path))

    win = MainWindow(replace(services, trash=held_trash))
    qtbot.addWidget(win)
    win.show()
    scan(qtbot, win, photos)
    select_group_of(win, "a.jpg")
    win.trash_current_group()
    assert win.session.cleaning
    assert not win.close()  # refused for now
    assert win.isVisible()
    release.set()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=10000)
    assert {p.name for p in bin_.iterdir()} == {"a.jpg", "a_small.jpg"}


def test_a_running_cleanup_can_be_cancelled_and_closing_asks_only_once(
    qtbot: QtBot, services: WindowServices, photos: Path, tmp_path: Path
) -> None:
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    first_group_started = threading.Event()
    release = threading.Event()

    def held_trash(path: str) -> None:
        first_group_started.set()
        release.wait(10)
        os.rename(path, bin_ / os.path.basename(path))

    answers = Answers([True])
    win = MainWindow(replace(services, trash=held_trash, ask=answers))
    qtbot.addWidget(win)
    win.show()
    scan(qtbot, win, photos)
    groups = win.session.plan_cleanup(GroupScope.ALL).groups
    assert groups >= 2
    win.commands["clean_up_all"].trigger()
    assert first_group_started.wait(10)
    win.commands["cancel"].trigger()  # Esc: stop after the group being handled
    for _ in range(3):
        assert not win.close()  # refused while files move, however often asked
    release.set()
    with qtbot.waitSignal(win.cleanup_finished, timeout=10000) as done:
        pass
    outcomes: list[Outcome] = done.args[0]
    first = {o.keeper for o in outcomes}
    assert len(first) == 1  # one group handled, the others untouched
    assert len(list(bin_.iterdir())) == len(outcomes)
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=5000)
    assert not win.session.cleaning
