"""Results saved and loaded back, settings that persist, folders given by drop or menu."""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.ui.folders_panel import Role
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.services import WindowServices
from tests.ui.conftest import Counter, scan


def snapshot(window: MainWindow) -> list[tuple[str, list[tuple[str, bool]]]]:
    return sorted(
        (
            s.keeper.path,
            sorted((m.path, m.path in s.marked) for m in s.members),
        )
        for s in window.model.states()
    )


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_export_and_load_back(
    qtbot: QtBot,
    window: MainWindow,
    services: WindowServices,
    photos: Path,
    tmp_path: Path,
    counter: Counter,
    suffix: str,
) -> None:
    scan(qtbot, window, photos)
    # A choice of the user's must survive the round trip: unmark one file.
    state = next(s for s in window.model.states() if len(s.members) == 3)
    window.select_row(window.model.row_of(state))
    unmarked = state.marked_members()[0].path
    window.toggle_mark(unmarked)
    before = snapshot(window)

    out = tmp_path / f"results{suffix}"
    with qtbot.waitSignal(window.report_saved, timeout=5000):
        window.export_results(str(out))
    if suffix == ".json":
        doc = json.loads(out.read_text())
        assert (
            doc["version"] == 1
            and doc["threshold"] == DEFAULT_THRESHOLD
            and len(doc["groups"]) == 2
        )
        keep = {f["path"]: f["keep"] for g in doc["groups"] for f in g["files"]}
    else:
        rows = list(csv.DictReader(out.open()))
        assert {r["group"] for r in rows} == {"1", "2"}
        keep = {r["path"]: r["keep"] == "True" for r in rows}
    assert keep[unmarked] is True

    fresh = MainWindow(services)
    qtbot.addWidget(fresh)
    fresh.show()
    hashed = len(counter.calls)
    with qtbot.waitSignal(fresh.report_loaded, timeout=5000):
        fresh.load_results(str(out))
    assert snapshot(fresh) == before
    assert len(counter.calls) == hashed  # loading decodes nothing
    assert fresh.stack.currentWidget() is fresh.splitter
    # The slider regroups the loaded files, still without decoding anything.
    with qtbot.waitSignal(fresh.groups_changed, timeout=5000):
        fresh.threshold.slider.setValue(0)
    assert fresh.model.rowCount() >= 1
    assert len(counter.calls) == hashed
    fresh.shutdown()


def test_loading_a_file_that_is_not_results_says_so(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"something": "else"}')
    with qtbot.waitSignal(window.task_failed, timeout=5000) as failed:
        window.load_results(str(bad))
    assert "not a dedupe-gui results file" in failed.args[0]
    assert "Could not load" in window.statusBar().currentMessage()
    assert window.model.rowCount() == 0


def test_folders_threshold_and_rules_persist(
    qtbot: QtBot, services: WindowServices, settings: QSettings, tmp_path: Path
) -> None:
    first = MainWindow(services)
    qtbot.addWidget(first)
    first.show()
    first.folders.add_folder("/photos/2024", Role.SCAN)
    first.folders.add_folder("/photos/archive", Role.REFERENCE)
    first.folders.add_folder("/photos/2024/exports", Role.EXCLUDED)
    first.folders.min_size.setValue(50)
    first.threshold.slider.setValue(12)
    first.set_rules(("pixels", "newest"))
    first.resize(760, 540)  # inside the 800 x 600 offscreen screen
    first.close()
    settings.sync()

    again = MainWindow(services)
    qtbot.addWidget(again)
    assert again.folders.paths(Role.SCAN) == ("/photos/2024",)
    assert again.folders.paths(Role.REFERENCE) == ("/photos/archive",)
    assert again.folders.paths(Role.EXCLUDED) == ("/photos/2024/exports",)
    assert again.folders.min_size.value() == 50
    assert again.threshold.value() == 12
    assert again.prefs.rules == ("pixels", "newest")
    assert (again.width(), again.height()) == (760, 540)

    options = again.scans.options()
    assert options.paths == ("/photos/2024", "/photos/archive")
    assert options.walk.references == ("/photos/archive",)
    assert options.walk.excludes == ("/photos/2024/exports",)
    assert options.walk.min_size == 50_000
    again.shutdown()


def test_empty_state_then_drop_a_folder_to_scan(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    assert window.stack.currentWidget() is window.empty
    assert window.empty.button.text() == "Choose a Folder…"
    assert "drop" in window.empty.hint.text()

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photos))])
    drop = QDropEvent(
        QPointF(QPoint(200, 200)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.groups_changed, timeout=15000):
        window.dropEvent(drop)
    assert window.folders.paths(Role.SCAN) == (str(photos),)
    assert window.model.rowCount() == 2
    assert window.prefs.recent[0] == str(photos)


def test_excluded_folders_are_not_scanned(
    qtbot: QtBot, window: MainWindow, photos: Path, counter: Counter
) -> None:
    window.folders.add_folder(str(photos / "sub"), Role.EXCLUDED)
    scan(qtbot, window, photos)
    assert sorted(os.path.basename(p) for p in counter.calls) == [
        "a.jpg",
        "a.png",
        "b.jpg",
        "c.jpg",
    ]
    assert [len(s.members) for s in window.model.states()] == [2]


def test_reference_folder_files_are_kept_and_never_marked(
    qtbot: QtBot, window: MainWindow, photos: Path
) -> None:
    window.folders.add_folder(str(photos / "sub"), Role.REFERENCE)
    scan(qtbot, window, photos)
    for state in window.model.states():
        for m in state.members:
            if m.record.reference:
                assert m.path not in state.marked
                assert not state.can_mark(m.path)
    # A reference copy is preferred as the keeper.
    b_group = next(s for s in window.model.states() if s.keeper.path.endswith("b_copy.jpg"))
    assert os.path.basename(b_group.keeper.path) == "b_copy.jpg"
    window.select_row(window.model.row_of(b_group))
    badges = {os.path.basename(c.path): c.badge_ref.isVisibleTo(window) for c in window.panel.cards}
    assert badges == {"b_copy.jpg": True, "b.jpg": False}


def test_a_report_made_past_the_slider_keeps_its_threshold(
    qtbot: QtBot, window: MainWindow, photos: Path, tmp_path: Path
) -> None:
    from dedupe_gui.cli import main

    out = tmp_path / "wide.json"
    with open(out, "w", encoding="utf-8") as f, contextlib.redirect_stdout(f):
        assert main(["scan", str(photos), "--no-cache", "-t", "30", "--format", "json"]) == 0
    with qtbot.waitSignal(window.report_loaded, timeout=5000):
        window.load_results(str(out))
    assert window.threshold.value() == 30  # not cut to the slider's usual end
    assert window.session.options.threshold == 30
    assert window.services.settings.value("grouping/threshold") in (30, "30")
    window.threshold.set_value(8)
    assert window.threshold.value() == 8  # the usual range still works below it
