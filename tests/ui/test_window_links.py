"""Replacing exact copies with hard links from the window: asked first, then a rescan."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.ui.main_window import MainWindow
from tests.ui.conftest import Answers, scan


def test_exact_copies_become_hard_links(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    action = window.commands["link_exact_copies"]
    assert action.isEnabled()  # b.jpg and sub/b_copy.jpg are byte-identical
    near = {p.name: p.read_bytes() for p in photos.glob("a*")}
    with (
        qtbot.waitSignal(window.groups_changed, timeout=15000),  # the rescan that follows
        qtbot.waitSignal(window.links_finished, timeout=10000) as done,
    ):
        action.trigger()
    outcomes: list[Outcome] = done.args[0]
    title, text, _ = answers.asked[-1]
    assert title == "Replace Exact Copies with Hard Links" and "1 exact copy" in text
    assert [o.status for o in outcomes] == [Status.LINKED]
    assert os.path.samefile(photos / "b.jpg", photos / "sub" / "b_copy.jpg")
    assert {p.name: p.read_bytes() for p in photos.glob("a*")} == near  # near copies untouched
    assert not action.isEnabled()  # the rescan sees one file where there were two


def test_declining_changes_nothing(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    answers.replies.append(False)
    window.commands["link_exact_copies"].trigger()
    assert not os.path.samefile(photos / "b.jpg", photos / "sub" / "b_copy.jpg")


def test_an_unwritable_journal_stops_the_linking_before_any_copy_and_says_why(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    Path(window.services.journal_path or "").mkdir(parents=True)  # a folder in its place
    with (
        qtbot.waitSignal(window.task_failed, timeout=10000) as failed,
        qtbot.waitSignal(window.links_finished, timeout=10000) as done,
    ):
        window.commands["link_exact_copies"].trigger()
    assert "cannot write the journal" in failed.args[0]
    assert "nothing was touched" in failed.args[0]
    assert done.args[0] == []
    assert not os.path.samefile(photos / "b.jpg", photos / "sub" / "b_copy.jpg")
