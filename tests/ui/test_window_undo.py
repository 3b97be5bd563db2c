"""Undo Cleanup: the files of the window's last cleanup go back where they were."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from dedupe_gui.core.actions import Outcome
from dedupe_gui.core.restore import RestoreOutcome, RestoreStatus
from dedupe_gui.ui.dialogs import OutcomesDialog
from dedupe_gui.ui.main_window import MainWindow
from tests.ui.conftest import Answers, scan


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_up_all(qtbot: QtBot, window: MainWindow) -> list[Outcome]:
    with qtbot.waitSignal(window.cleanup_finished, timeout=10000) as done:
        window.commands["clean_up_all"].trigger()
    outcomes: list[Outcome] = done.args[0]
    return outcomes


def test_undo_cleanup_puts_every_file_back(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    before = snapshot(photos)
    assert not window.commands["undo_cleanup"].isEnabled()
    outcomes = clean_up_all(qtbot, window)
    assert any(o.status.removed for o in outcomes)
    assert snapshot(photos) != before
    assert window.commands["undo_cleanup"].isEnabled()
    with qtbot.waitSignal(window.restore_finished, timeout=10000) as done:
        window.commands["undo_cleanup"].trigger()
    restored: list[RestoreOutcome] = done.args[0]
    assert {o.status for o in restored} == {RestoreStatus.RESTORED}
    assert snapshot(photos) == before
    assert not window.commands["undo_cleanup"].isEnabled()  # done once


def test_undo_never_overwrites_and_is_offered_in_the_results(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    scan(qtbot, window, photos)
    outcomes = clean_up_all(qtbot, window)
    gone = next(o.path for o in outcomes if o.status.removed)
    Path(gone).write_bytes(b"a newer file under the old name")
    dialog = OutcomesDialog(outcomes, window, window.undo_cleanup)
    qtbot.addWidget(dialog)
    undo = next(b for b in dialog.buttons.buttons() if b.text() == "Undo Cleanup")
    with qtbot.waitSignal(window.restore_finished, timeout=10000) as done:
        undo.click()
    by_path = {o.path: o for o in done.args[0]}
    assert by_path[gone].status is RestoreStatus.SKIPPED
    assert Path(gone).read_bytes() == b"a newer file under the old name"
    assert all(o.status is RestoreStatus.RESTORED for p, o in by_path.items() if p != gone)


def test_the_cleanup_question_names_what_goes_along(
    qtbot: QtBot, trash_home: Path, window: MainWindow, photos: Path, answers: Answers
) -> None:
    # a_small.jpg is marked for the trash (a Live video or edits would make it the keeper).
    (photos / "sub" / "a_small.jpg.json").write_bytes(b"{}" * 2000)
    scan(qtbot, window, photos)
    outcomes = clean_up_all(qtbot, window)
    told = answers.informed[-1]
    assert "With the marked files go 1 file that belongs to them (Takeout JSON): 4.0 kB." in told
    json_out = next(o for o in outcomes if o.path.endswith("a_small.jpg.json"))
    assert json_out.status.removed and json_out.companion_of.endswith("a_small.jpg")
