"""Decisions that stick: across rescans, undone and redone by key, asked before they are
discarded, and a cleanup limited to the groups the user has looked at."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dedupe_gui.review import ReviewGroup
from dedupe_gui.ui.folders_panel import Role
from dedupe_gui.ui.group_model import REVIEWED_ROLE
from dedupe_gui.ui.main_window import MainWindow
from tests.ui.conftest import Answers, scan


def group_of(window: MainWindow, name: str) -> ReviewGroup:
    group = next(
        s for s in window.model.states() if any(m.path.endswith(os.sep + name) for m in s.members)
    )
    window.select_row(window.model.row_of(group))
    state = window.current_state()
    assert state is group
    return group


def marked_names(group: ReviewGroup) -> set[str]:
    return {os.path.basename(p) for p in group.marked}


def rescan(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.groups_changed, timeout=15000):
        window.start_scan()


def test_marks_and_keeper_choices_survive_a_rescan(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    a = group_of(window, "a.jpg")
    suggested = marked_names(a)
    assert suggested and "a.png" not in suggested  # the largest copy is the suggested keeper
    window.review.keep_file(str(photos / "a.jpg"))  # keep a.jpg instead
    b = group_of(window, "b.jpg")
    window.toggle_mark(b.marked_members()[0].path)  # and keep both copies of b
    assert not b.marked

    rescan(qtbot, window)
    a = group_of(window, "a.jpg")
    assert a.keeper.path == str(photos / "a.jpg")
    assert "a.png" in marked_names(a) and "a.jpg" not in marked_names(a)
    assert not group_of(window, "b.jpg").marked
    # Regrouping at another threshold keeps them too.
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.threshold.set_value(4, notify=True)
    assert group_of(window, "a.jpg").keeper.path == str(photos / "a.jpg")
    assert not group_of(window, "b.jpg").marked


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo_marks_and_keepers(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    a = group_of(window, "a.jpg")
    before = (a.keeper.path, set(a.marked))
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Right)
    second = window.panel.current_path()
    assert second is not None
    QTest.keyClick(window.table, Qt.Key.Key_K)  # keep the second file
    after_keep = (a.keeper.path, set(a.marked))
    assert a.keeper.path == second and after_keep != before
    QTest.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (a.keeper.path, set(a.marked)) == before
    assert window.panel.cards[0].path == before[0]  # the pinned keeper follows
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.table, Qt.Key.Key_Z, mods)
    assert (a.keeper.path, set(a.marked)) == after_keep
    assert window.panel.cards[0].path == second
    assert window.commands["undo"].isEnabled() and not window.commands["redo"].isEnabled()


def test_keep_this_one_warns_about_a_larger_copy_and_respects_kept_files(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    a = group_of(window, "a.jpg")
    kept_on_purpose = next(p for p in a.marked if p.endswith("a_small.jpg"))
    window.toggle_mark(kept_on_purpose)  # the user keeps this copy explicitly
    window.review.keep_file(str(photos / "a.jpg"))
    assert kept_on_purpose not in a.marked  # not re-marked by "Keep this one"
    assert str(photos / "a.png") in a.marked
    message = window.statusBar().currentMessage()
    assert "larger than the file you keep" in message and "a.png" in message


def test_cleanup_of_the_reviewed_groups_only(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    a = group_of(window, "a.jpg")  # looked at
    b = next(s for s in window.model.states() if s is not a)
    assert a.reviewed and not b.reviewed
    row_a, row_b = window.model.row_of(a), window.model.row_of(b)
    assert window.model.data(window.model.index(row_a, 0), REVIEWED_ROLE) is True
    assert window.model.data(window.model.index(row_b, 0), REVIEWED_ROLE) is False
    assert "1 of 2 looked at" in window.summary.text()
    a_marked, b_marked = set(a.marked), set(b.marked)
    a_bytes = a.marked_bytes

    answers.choices = [0]  # the first choice: the groups I reviewed
    with qtbot.waitSignal(window.cleanup_finished, timeout=10000) as done:
        window.clean_up_all()
    assert answers.buttons[0] == [
        f"Move {len(a_marked)} Files of Reviewed Groups",
        f"Move All {len(a_marked) + len(b_marked)} Files",
    ]
    assert "You have looked at 1 of the 2 groups with marks" in answers.informed[0]
    trashed = {o.path for o in done.args[0] if o.status.removed}
    assert trashed == a_marked
    assert all(os.path.exists(p) for p in b_marked)
    assert window.model.row_of(b) >= 0 and b.marked == b_marked
    assert "Moved to the trash" in window.statusBar().currentMessage()
    assert a_bytes > 0


def test_cancelling_the_cleanup_choice_moves_nothing(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    marked = {p for s in window.model.states() for p in s.marked}
    answers.choices = [None]
    window.clean_up_all()
    assert all(os.path.exists(p) for p in marked)
    assert not window.session.cleaning


def test_partial_results_are_said_in_the_cleanup_question(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    window.session.partial = True  # as after a cancelled scan (the scan tests cancel one)
    answers.choices = [None]
    window.clean_up_all()
    assert answers.informed[0].startswith("These are partial results")


def test_reset_marks_asks_and_undo_brings_them_back(
    qtbot: QtBot, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    b = group_of(window, "b.jpg")
    window.toggle_mark(next(iter(b.marked)))
    assert not b.marked
    answers.replies = [False]
    window.commands["reset_marks"].trigger()
    assert answers.asked[-1][0] == "Reset Marks"
    assert not b.marked  # declined: nothing changed
    answers.replies = [True]
    window.commands["reset_marks"].trigger()
    assert b.marked
    window.commands["undo"].trigger()
    assert not b.marked
    # With no choice of the user's left to lose, Reset Marks does not ask.
    window.commands["redo"].trigger()
    asked = len(answers.asked)
    window.commands["reset_marks"].trigger()
    assert len(answers.asked) == asked


def test_loading_results_asks_first_and_protects_todays_reference_folders(
    qtbot: QtBot, window: MainWindow, photos: Path, tmp_path: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    saved = tmp_path / "results.json"
    with qtbot.waitSignal(window.report_saved, timeout=5000):
        window.export_results(str(saved))
    b = group_of(window, "b.jpg")
    window.toggle_mark(next(iter(b.marked)))

    answers.replies = [False]
    window.load_results(str(saved))
    assert answers.asked[-1][0] == "Load Results"
    assert not group_of(window, "b.jpg").marked  # declined: the review stays

    # Today the sub-folder is a reference folder: the loaded results must protect it.
    window.folders.add_folder(str(photos / "sub"), Role.REFERENCE)
    answers.replies = [True]
    with qtbot.waitSignal(window.report_loaded, timeout=5000):
        window.load_results(str(saved))
    for group in window.model.states():
        for m in group.members:
            if m.path.startswith(str(photos / "sub") + os.sep):
                assert m.record.reference and m.path not in group.marked
