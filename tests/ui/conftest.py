"""Fixtures for the window tests: a private settings file, cache and journal, small photos.

The platform is set before anything imports Qt, so the tests run without a display.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from dedupe_gui.core.actions import system_trash
from dedupe_gui.core.models import Entry
from dedupe_gui.core.scan import fingerprint_entry
from dedupe_gui.ui.main_window import MainWindow
from dedupe_gui.ui.services import WindowServices
from tests.imaging import photo, save


@dataclass
class Counter:
    """Counts fingerprint computations, so a test can tell a regroup from a rescan."""

    calls: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)  # the files whose fingerprint came back
    threads: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seconds: float = 0.0  # time each file takes, to stand in for a slow disk
    # Files after the first ``hold_after`` wait for ``release``: a scan caught mid-way, on cue.
    hold_after: int = -1
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, path: str) -> Entry:
        with self.lock:
            self.calls.append(path)
            self.threads.add(threading.get_ident())
            held = 0 <= self.hold_after < len(self.calls)
        if held:
            self.release.wait(30)
        if self.seconds:
            threading.Event().wait(self.seconds)
        entry = fingerprint_entry(path)
        with self.lock:
            self.done.append(path)
        return entry


@dataclass
class Answers:
    """Stands in for the confirmation dialogs: records each question, answers from a list."""

    replies: list[bool] = field(default_factory=list)
    asked: list[tuple[str, str, str]] = field(default_factory=list)
    choices: list[int | None] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)  # the details of each choice asked
    buttons: list[list[str]] = field(default_factory=list)

    def __call__(
        self,
        parent: object,
        title: str,
        text: str,
        informative: str,
        accept_label: str,
        destructive: bool = False,
    ) -> bool:
        self.asked.append((title, text, accept_label))
        return self.replies.pop(0) if self.replies else True

    def choose(
        self,
        parent: object,
        title: str,
        text: str,
        informative: str,
        buttons: Sequence[str],
        destructive: bool = False,
    ) -> int | None:
        """A question with several choices: the next of ``choices`` (an index, or None for
        Cancel), else the last button, the widest choice (as ``ask`` says yes)."""
        self.asked.append((title, text, buttons[-1]))
        self.informed.append(informative)
        self.buttons.append(list(buttons))
        return self.choices.pop(0) if self.choices else len(buttons) - 1


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    """A folder of tiny near-duplicates.

    Measured fingerprint distances: a.jpg/a_small.jpg 0, a.png 2 from both, a_crop.jpg 12-14
    from the others, b.jpg and b_copy.jpg byte-identical, c.jpg unlike all.
    """
    folder = tmp_path / "photos"
    a = photo(1)
    save(a, folder / "a.jpg", quality=95)
    save(a.resize((96, 72)), folder / "sub" / "a_small.jpg", quality=80)
    save(a, folder / "a.png")
    save(a.crop((12, 9, 180, 135)), folder / "sub" / "a_crop.jpg", quality=85)
    save(photo(2), folder / "b.jpg", quality=90)
    shutil.copyfile(folder / "b.jpg", folder / "sub" / "b_copy.jpg")
    save(photo(3), folder / "c.jpg", quality=90)
    return folder


@pytest.fixture
def counter() -> Counter:
    return Counter()


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings" / "dedupe-gui.conf"), QSettings.Format.IniFormat)


@pytest.fixture
def services(
    tmp_path: Path, settings: QSettings, counter: Counter, answers: Answers
) -> WindowServices:
    return WindowServices(
        settings=settings,
        cache_path=str(tmp_path / "cache" / "fingerprints.sqlite3"),
        journal_path=str(tmp_path / "data" / "journal.jsonl"),
        trash=system_trash,
        fingerprinter=counter,
        ask=answers,
        choose=answers.choose,
        scan_workers=2,
    )


@pytest.fixture
def window(qtbot: QtBot, services: WindowServices) -> Iterator[MainWindow]:
    win = MainWindow(services)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.shutdown()


def scan(qtbot: QtBot, window: MainWindow, folder: Path, timeout: int = 15000) -> None:
    """Scan ``folder`` and wait until its groups are in the list."""
    window.set_scan_folders([str(folder)])
    with qtbot.waitSignal(window.groups_changed, timeout=timeout):
        window.start_scan()
    assert not window.scanning
