"""Many signals do not wear out ``True`` (a PySide6 defect before Python 3.12)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import dedupe_gui.ui  # noqa: F401  (installs the guard)


class Emitter(QObject):
    changed = Signal(object)


def test_emitting_keeps_the_reference_count_of_true() -> None:
    emitter = Emitter()
    seen: list[object] = []
    emitter.changed.connect(seen.append)
    before = sys.getrefcount(True)
    for i in range(5000):
        emitter.changed.emit(i)
    assert len(seen) == 5000
    # Unguarded, 5,000 emits cost 5,000 references (and abort the interpreter on the way).
    assert abs(sys.getrefcount(True) - before) < 50
