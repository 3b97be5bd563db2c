"""What the window needs from the outside world, passed in so tests can give it private ones.

The real application passes the user's settings, cache and journal (see ``app.py``); tests
pass temporary ones, a counting fingerprinter and scripted answers to the confirmations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from dedupe_gui.core.actions import TrashFunction, system_trash
from dedupe_gui.core.scan import Fingerprinter, fingerprint_entry
from dedupe_gui.core.workers import default_workers
from dedupe_gui.ui import dialogs
from dedupe_gui.ui.cleanup_prompts import AskFunction, ChooseFunction


@dataclass(frozen=True)
class WindowServices:
    """What the window needs from the outside world, so tests can give it private ones."""

    settings: QSettings
    cache_path: str | None  # None: fingerprints are kept in memory only
    journal_path: str | None
    trash: TrashFunction = system_trash
    fingerprinter: Fingerprinter = fingerprint_entry
    ask: AskFunction = field(default=dialogs.ask)
    choose: ChooseFunction = field(default=dialogs.choose)
    scan_workers: int = field(default_factory=default_workers)
