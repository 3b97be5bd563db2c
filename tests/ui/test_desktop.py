"""Handing files to the desktop: open in the default viewer, show in the file manager."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from dedupe_gui.ui import desktop


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    urls: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(fake_open))
    return urls


def test_open_hands_the_file_to_its_viewer(opened: list[QUrl], tmp_path: Path) -> None:
    path = tmp_path / "a photo.jpg"
    assert desktop.open_file(str(path))
    assert opened == [QUrl.fromLocalFile(str(path))]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the freedesktop interface")
def test_reveal_falls_back_to_the_folder_without_a_file_manager_service(
    qtbot: QtBot, opened: list[QUrl], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + str(tmp_path / "no-bus"))
    path = tmp_path / "a photo.jpg"
    owner = QObject()
    desktop.reveal_file(str(path), owner)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    assert opened == [QUrl.fromLocalFile(str(tmp_path))]
