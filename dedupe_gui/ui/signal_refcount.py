"""A guard against a reference-count defect of PySide6's ``Signal.emit`` on Python < 3.12.

PySide6 6.12's ``SignalInstance.emit`` returns ``True`` (or ``False``) without taking a new
reference to it, so each call costs the interpreter's ``True`` one reference. Before Python
3.12 ``True`` is an ordinary object: after a few thousand emits its count reaches zero and the
interpreter aborts ("bool_dealloc: deallocating True or False"). A cleanup of 15,000 files
(one progress signal per file) did exactly that halfway through. From Python 3.12 on, ``True``
is immortal and nothing happens.

``install`` measures the defect on a private object and, only where it shows, wraps ``emit``
to add the missing reference to the value it returns. A PySide6 that has the defect fixed is
left alone; a reference too many on ``True`` would cost nothing anyway.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_PATCHED = "_dedupe_gui_emit_fixed"


class _Probe(QObject):
    ping = Signal(int)


def emit_loses_references() -> bool:
    """True when ``emit`` costs ``True`` a reference (measured, not assumed)."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for i in range(8):
        probe.ping.emit(i)
    lost = before - sys.getrefcount(True)
    if lost > 0:
        # Give back what the measurement itself took.
        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return lost >= 8


def install() -> bool:
    """Wrap ``SignalInstance.emit`` where it loses references; True when it was wrapped."""
    if getattr(SignalInstance, _PATCHED, False):
        return True
    if not emit_loses_references():
        return False
    emit = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef

    def emit_keeping_references(self: SignalInstance, *args: Any) -> Any:
        result = emit(self, *args)
        if result is True or result is False:
            incref(ctypes.py_object(result))
        return result

    SignalInstance.emit = emit_keeping_references  # type: ignore[method-assign]
    setattr(SignalInstance, _PATCHED, True)
    return True
