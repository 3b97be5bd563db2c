"""The user's preferences, kept in QSettings and shown by the widgets that edit them: the
Folders panel, the similarity slider, the rotations command, the keeper-rule and Preferences
dialogs. One place reads the widgets into ``Preferences`` and saves; a change that concerns
grouping is announced so the window regroups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.ui import dialogs
from dedupe_gui.ui.folders_panel import FoldersPanel, Role
from dedupe_gui.ui.preferences import Preferences, load_preferences, save_preferences
from dedupe_gui.ui.preferences_dialog import PreferencesDialog, clear_cache
from dedupe_gui.ui.threshold_bar import ThresholdBar


def grouping_options(prefs: Preferences) -> GroupingOptions:
    return GroupingOptions(prefs.threshold, prefs.rules, rotations=prefs.rotations)


class SettingsBinding(QObject):
    regroup = Signal()  # similarity, keeper rules or rotations changed
    saved = Signal()

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.prefs: Preferences = load_preferences(settings)
        self.rotations = QAction("Find &Turned and Mirrored Copies", self)
        self.rotations.setCheckable(True)
        self.rotations.setChecked(self.prefs.rotations)
        self.rotations.setStatusTip(
            "Also group copies rotated by 90, 180 or 270 degrees or mirrored"
        )
        self.rotations.toggled.connect(self.set_rotations)
        self._folders: FoldersPanel | None = None
        self._threshold: ThresholdBar | None = None

    def attach(self, folders: FoldersPanel, threshold: ThresholdBar) -> None:
        """Show the preferences in the widgets that edit them, and follow their edits."""
        self._folders, self._threshold = folders, threshold
        p = self.prefs
        folders.set_folders(p.folders, p.references, p.excludes)
        folders.min_size.setValue(p.min_size_kb)
        folders.changed.connect(self.save_shown)

    def options(self) -> GroupingOptions:
        return grouping_options(self.prefs)

    def save_shown(self) -> None:
        """Read what the Folders panel and the slider show, and save it."""
        f, t = self._folders, self._threshold
        if f is not None and t is not None:
            self.prefs = replace(
                self.prefs,
                folders=f.paths(Role.SCAN),
                references=f.paths(Role.REFERENCE),
                excludes=f.paths(Role.EXCLUDED),
                min_size_kb=f.min_size.value(),
                threshold=t.value(),
            )
        self._save()

    def _save(self) -> None:
        save_preferences(self._settings, self.prefs)
        self.saved.emit()

    def _change(self, prefs: Preferences) -> None:
        before = grouping_options(self.prefs)
        self.prefs = prefs
        self._save()
        if grouping_options(prefs) != before:
            self.regroup.emit()

    def remember_scanned(self, folders: Sequence[str]) -> None:
        """The folders just scanned lead the Recent Folders menu."""
        self.save_shown()
        prefs = self.prefs
        for p in reversed(folders):
            prefs = prefs.with_recent(p)
        self._change(prefs)

    def clear_recent(self) -> None:
        self._change(replace(self.prefs, recent=()))

    def set_rotations(self, on: bool) -> None:
        """Also group copies turned by 90/180/270 degrees or mirrored (regroups, no rescan)."""
        if on != self.prefs.rotations:
            self._change(replace(self.prefs, rotations=on))
        self.rotations.setChecked(on)

    def set_rules(self, rules: Sequence[str]) -> None:
        self._change(replace(self.prefs, rules=tuple(rules)))

    def edit_rules(self, window: QWidget) -> None:
        dialog = dialogs.KeeperRulesDialog(self.prefs.rules, window)
        if dialog.exec() and dialog.rules() != self.prefs.rules:
            self.set_rules(dialog.rules())
        dialog.deleteLater()

    def edit(
        self, window: QWidget, cache_path: str | None, busy: Callable[[], bool]
    ) -> Preferences | None:
        """The Preferences dialog; the preferences the user accepted, or None."""

        def clear() -> str | None:
            if busy():
                return "The cache is in use: wait for the scan or grouping to finish."
            return clear_cache(cache_path)

        dialog = PreferencesDialog(self.prefs, cache_path, clear, window)
        accepted = dialog.preferences() if dialog.exec() else None
        dialog.deleteLater()
        return accepted

    def apply(self, new: Preferences) -> bool:
        """Take edited preferences (regrouping when grouping changed); True when the scan
        settings changed, so a new scan is needed to apply them."""
        old = self.prefs
        assert self._folders is not None and self._threshold is not None
        self.prefs = new
        self._threshold.set_value(new.threshold)
        self.rotations.setChecked(new.rotations)
        self._folders.min_size.setValue(new.min_size_kb)
        self.save_shown()
        if grouping_options(new) != grouping_options(old):
            self.regroup.emit()
        scan_settings = (old.min_size_kb, old.patterns, old.follow_links)
        return scan_settings != (new.min_size_kb, new.patterns, new.follow_links)
