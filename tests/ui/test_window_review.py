"""Reviewing groups: keyboard navigation, marks, the rule that one file always stays, compare."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from dedupe_gui.core.units import human_bytes
from dedupe_gui.ui.compare_dialog import CompareDialog
from dedupe_gui.ui.group_model import COL_FREE, COL_PHOTO, second_line
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.thumbnails import ThumbKey
from tests.ui.conftest import scan


def names(window: MainWindow) -> list[str]:
    state = window.current_state()
    assert state is not None
    return [os.path.basename(m.path) for m in state.members]


def marked(window: MainWindow) -> set[str]:
    state = window.current_state()
    assert state is not None
    return {os.path.basename(p) for p in state.marked}


def test_keyboard_moves_between_groups_and_files(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    window.table.setFocus()
    window.select_row(0)
    first = names(window)
    QTest.keyClick(window.table, Qt.Key.Key_Down)
    assert window.current_row() == 1
    assert names(window) != first
    QTest.keyClick(window.table, Qt.Key.Key_Up)
    assert window.current_row() == 0 and names(window) == first

    assert window.panel.current_path() == window.panel.cards[0].path
    QTest.keyClick(window.table, Qt.Key.Key_Right)
    assert window.panel.current_path() == window.panel.cards[1].path
    QTest.keyClick(window.table, Qt.Key.Key_Right)
    QTest.keyClick(window.table, Qt.Key.Key_Right)  # stops at the last file
    assert window.panel.current_path() == window.panel.cards[-1].path
    QTest.keyClick(window.table, Qt.Key.Key_Left)
    assert window.panel.current_path() == window.panel.cards[-2].path


def test_space_and_k_change_the_marks_but_never_all_files(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    window.select_row(next(r for r, s in enumerate(window.model.states()) if len(s.members) == 3))
    window.table.setFocus()
    keeper, second, third = names(window)
    assert marked(window) == {second, third}

    QTest.keyClick(window.table, Qt.Key.Key_Right)
    QTest.keyClick(window.table, Qt.Key.Key_Space)  # unmark the second file
    assert marked(window) == {third}
    assert window.panel.cards[1].check.isChecked() is False

    QTest.keyClick(window.table, Qt.Key.Key_K)  # keep the second, mark the others
    assert marked(window) == {keeper, third}
    state = window.current_state()
    assert state is not None and os.path.basename(state.keeper.path) == second
    # The new keeper moves to the pinned place on the left, still the selected file.
    assert os.path.basename(window.panel.cards[0].path) == second
    assert window.panel.current_path() == window.panel.cards[0].path
    assert window.panel.cards[0].badge_keep.text() == "Keeper"
    assert window.panel.keeper_layout.indexOf(window.panel.cards[0]) == 0

    # The only kept file cannot be marked: not by key, not by its checkbox.
    QTest.keyClick(window.table, Qt.Key.Key_Space)
    assert marked(window) == {keeper, third}
    assert not window.panel.cards[0].check.isEnabled()
    assert "stays" in window.statusBar().currentMessage()

    # Unmark everything, then try to mark every file through the checkboxes.
    for card in window.panel.cards:
        if card.check.isChecked():
            card.check.click()
    assert marked(window) == set()
    for card in window.panel.cards:
        if card.check.isEnabled():
            card.check.click()
    assert len(marked(window)) == 2
    assert sum(not c.check.isChecked() for c in window.panel.cards) == 1
    files, size, _ = window.marked_totals()
    assert f"{files} files marked" in window.summary.toolTip()
    assert f"{human_bytes(size)} to free" in window.summary.text()


def test_marks_survive_regrouping(qtbot: QtBot, window: MainWindow, photos: Path) -> None:
    scan(qtbot, window, photos)
    row = next(r for r, s in enumerate(window.model.states()) if len(s.members) == 3)
    window.select_row(row)
    state = window.current_state()
    assert state is not None
    second = state.members[1].path
    window.toggle_mark(second)
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.threshold.slider.setValue(10)
    state = window.current_state()
    assert state is not None and state.member(second) is not None
    assert second not in state.marked


def test_enter_opens_the_compare_view_with_locked_zoom(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    window.select_row(0)
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key.Key_Right)
    current = window.panel.current_path()
    QTest.keyClick(window.table, Qt.Key.Key_Return)
    dialog = window.compare_dialog
    assert isinstance(dialog, CompareDialog) and dialog.isVisible()
    state = window.current_state()
    assert state is not None
    assert [m.path for m in dialog.members] == [state.keeper.path, current]

    qtbot.waitUntil(lambda: all(not p.message.isVisible() for p in dialog.panes), timeout=5000)
    dialog.actual_size()
    dialog._zoom(8.0, 0)  # 192 px photos: 8x is wider than the panes
    assert dialog.panes[1].transform().m11() == dialog.panes[0].transform().m11() == 8.0
    bar = dialog.panes[0].horizontalScrollBar()
    assert bar.maximum() > 40
    bar.setValue(40)
    assert dialog.panes[1].horizontalScrollBar().value() == 40

    QTest.keyClick(dialog, Qt.Key.Key_S)
    assert [m.path for m in dialog.members] == [current, state.keeper.path]
    assert dialog.panes[1].transform().m11() == 8.0

    dialog.fit()
    assert dialog.zoom_factor() < 8.0
    dialog.close()
    qtbot.waitUntil(lambda: window.compare_dialog is None, timeout=3000)


def show_made_up_groups(window: MainWindow, count: int) -> None:
    """``count`` groups of two files that are nowhere on disk, on show in the list."""
    from dedupe_gui.core.models import (
        FileKey,
        Fingerprint,
        Group,
        GroupMember,
        ImageRecord,
        ScanStats,
    )
    from dedupe_gui.core.report import Report

    def member(i: int, keep: bool) -> GroupMember:
        record = ImageRecord(
            FileKey(f"/nowhere/{i}.jpg", 1000 + i, 0), Fingerprint(i, 40, 30, "JPEG")
        )
        return GroupMember(record, 0 if keep else 1, keep=keep)

    groups = [Group((member(2 * i, True), member(2 * i + 1, False))) for i in range(count)]
    window.session.take_report(Report(12, (), tuple(groups), (), ScanStats()))
    window.review.show_groups(None)


def test_groups_refreshed_together_repaint_their_rows_in_one_signal(
    qtbot: QtBot, window: MainWindow
) -> None:
    show_made_up_groups(window, 40)
    states = window.session.groups
    spans: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(
        lambda first, last, *_: spans.append(
            (first.row(), first.column(), last.row(), last.column())
        )
    )
    window.review.refresh([states[30], states[4], states[12]])
    assert spans == [(4, 0, 30, window.model.columnCount() - 1)]
    spans.clear()
    window.review.refresh([states[9]])
    assert spans == [(9, 0, 9, window.model.columnCount() - 1)]
    spans.clear()
    window.model.remove([states[20]])
    window.review.refresh([states[20]])  # no longer in the list: nothing to repaint
    assert spans == []


def test_ten_thousand_groups_need_no_widget_per_row(qtbot: QtBot, window: MainWindow) -> None:
    widgets_before = len(window.table.findChildren(type(window.table.viewport())))
    asked: list[object] = []
    ask = window.thumbnails.get

    def counting(key: ThumbKey) -> QImage | None:
        asked.append(key)
        return ask(key)

    window.thumbnails.get = counting  # type: ignore[method-assign]
    show_made_up_groups(window, 10_000)
    states = window.session.groups
    assert window.model.rowCount() == 10_000
    assert len(window.table.findChildren(type(window.table.viewport()))) == widgets_before
    window.table.resize(400, 600)
    window.table.scrollToBottom()
    window.table.viewport().grab()
    window.select_row(9_999)
    assert window.current_row() == 9_999 and window.current_state() is states[-1]
    assert window.panel.state is states[-1]
    # Only the rows on screen ask for their picture: nothing is done per row of 10,000.
    shown = window.table.viewport().height() // window.table.rowHeight(0) + 2
    assert 0 < len(asked) <= 3 * shown
    assert window.model.data(window.model.index(9_999, COL_PHOTO)) == "19998.jpg"


def test_keeper_rules_reorder_and_regroup(qtbot: QtBot, window: MainWindow, photos: Path) -> None:
    from PySide6.QtCore import Qt as QtNs

    from dedupe_gui.ui.dialogs import KeeperRulesDialog

    dialog = KeeperRulesDialog(("pixels", "bytes"))
    qtbot.addWidget(dialog)
    assert dialog.rules() == ("pixels", "bytes")
    dialog.list.setCurrentRow(1)
    dialog._move(-1)
    assert dialog.rules() == ("bytes", "pixels")
    dialog.list.item(0).setCheckState(QtNs.CheckState.Unchecked)
    assert dialog.rules() == ("pixels",)

    scan(qtbot, window, photos)
    keepers = {os.path.basename(s.keeper.path) for s in window.model.states()}
    assert "a.png" in keepers  # most pixels, then the largest file
    with qtbot.waitSignal(window.groups_changed, timeout=5000):
        window.set_rules(("smallest",))
    keepers = {os.path.basename(s.keeper.path) for s in window.model.states()}
    assert "a_small.jpg" in keepers
    assert window.services.settings.value("grouping/rules") in ("smallest", ["smallest"])


def test_sorting_by_space_to_free_keeps_the_selection(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    scan(qtbot, window, photos)
    window.select_row(0)
    selected = window.current_state()
    window.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    sizes = [s.marked_bytes for s in window.model.states()]
    assert sizes == sorted(sizes, reverse=True)
    assert window.current_state() is selected
    assert window.panel.state is selected


def test_a_narrow_list_moves_the_size_under_the_name(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    from dedupe_gui.ui.group_table import NARROW_LIST_WIDTH

    scan(qtbot, window, photos)
    window.table.resize(NARROW_LIST_WIDTH + 200, 400)
    qtbot.waitUntil(lambda: not window.table.isColumnHidden(COL_FREE))
    window.table.resize(NARROW_LIST_WIDTH - 80, 400)
    qtbot.waitUntil(lambda: window.table.isColumnHidden(COL_FREE))
    index = window.model.index(0, COL_PHOTO)
    free = str(window.model.index(0, COL_FREE).data())
    assert free and second_line(index, narrow=True).startswith(f"{free}  ·  ")
    assert free not in second_line(index, narrow=False)
    painted = window.table.viewport().grab()  # the delegate paints these rows without error
    assert not painted.isNull()
