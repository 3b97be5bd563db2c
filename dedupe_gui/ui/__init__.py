"""The desktop window. Qt lives here and only here; the work is done by ``dedupe_gui.core``.

Importing the package guards against a PySide6 defect that would otherwise abort the
interpreter after a few thousand signals on Python < 3.12 (see ``signal_refcount``).
"""

from dedupe_gui.ui import signal_refcount

signal_refcount.install()
