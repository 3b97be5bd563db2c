"""The Qt binding keeps the reference counts of None, True and False.

PySide6 6.12.0 did not: each call returning one of them cost it a reference, and on Python
before 3.12 (where they are ordinary objects) the interpreter aborted after a few thousand
calls, halfway through a 15,000-file cleanup. pyproject.toml excludes that release; this
holds whichever release is installed to the same standard.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot


class Emitter(QObject):
    changed = Signal(object)


def counts() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


@pytest.mark.parametrize("what", ["emit", "setText", "update", "processEvents", "disconnect"])
def test_calls_keep_the_counts_of_none_and_the_booleans(qtbot: QtBot, what: str) -> None:
    emitter = Emitter()
    label = QLabel()
    qtbot.addWidget(label)
    seen: list[object] = []

    def slot(value: object) -> None:
        seen.append(value)

    calls: dict[str, Callable[[], object]] = {
        "emit": lambda: emitter.changed.emit(1),
        "setText": lambda: label.setText("x"),
        "update": label.update,
        "processEvents": QApplication.processEvents,
        "disconnect": lambda: (
            emitter.changed.connect(slot),
            emitter.changed.disconnect(slot),
        ),
    }
    call = calls[what]
    call()
    before = counts()
    for _ in range(2000):
        call()
    after = counts()
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(d > -100 for d in drift), f"{what} lost references: None, True, False {drift}"
