"""The main window: where the parts meet. State and rules are the review session's.

``ReviewSession`` (dedupe_gui.review) holds the results, the user's decisions and the
cleanup's progress; this class creates the parts (window_layout), wires their gestures to the
session and refreshes what the session says changed. Everything slow runs on background
workers (ui.background): the scan (scan_worker), grouping (regrouper: a newer request stops
a stale one), cleanup (cleanup_flow: cancellable) and results files (results_io), thumbnails
on their own pools. The GUI thread only arranges results; closing never waits without limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QWidget

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.models import ScanResult
from dedupe_gui.core.restore import RestoreOutcome
from dedupe_gui.core.scan import ScanOptions
from dedupe_gui.core.threshold import PRESETS
from dedupe_gui.review import CleanupSummary, FileIdentity, ReviewGroup, ReviewSession, identity_of
from dedupe_gui.ui import dialogs, status_line
from dedupe_gui.ui.cleanup_flow import CleanupFlow
from dedupe_gui.ui.compare_dialog import CompareDialog
from dedupe_gui.ui.folders_panel import Role
from dedupe_gui.ui.grouping_control import GroupingControl
from dedupe_gui.ui.preferences import Preferences
from dedupe_gui.ui.results_io import ResultsFiles
from dedupe_gui.ui.review_view import ReviewView
from dedupe_gui.ui.scan_control import ScanControl
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.settings_binding import SettingsBinding
from dedupe_gui.ui.thumbnails import ThumbnailCache
from dedupe_gui.ui.window_actions import WindowFacts, apply_enabled, build_actions, enabled_actions
from dedupe_gui.ui.window_layout import (
    build_menus,
    build_parts,
    fill_recent_menu,
    first_layout,
    restore_layout,
    save_layout,
    show_state,
    show_summary,
)
from dedupe_gui.ui.wording import plural

CLOSE_WAIT_MS = 3000  # the longest closing waits for each background stage to stop


class MainWindow(QMainWindow):
    scan_finished = Signal(object)  # ScanResult
    groups_changed = Signal()
    cleanup_finished = Signal(object)  # list[Outcome]
    restore_finished = Signal(object)  # list[RestoreOutcome]
    links_finished = Signal(object)  # list[Outcome] of core.links
    report_saved = Signal(str)
    report_loaded = Signal(str)
    task_failed = Signal(str)

    def __init__(self, services: WindowServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.preferences = SettingsBinding(services.settings, self)
        self.act_rotations = self.preferences.rotations
        self.session = ReviewSession(self.preferences.options())
        self.setWindowTitle("Dedupe GUI")
        self.setAcceptDrops(True)
        self.setMinimumSize(720, 480)
        # The list's small pictures, the selected group's larger ones (their queue is dropped
        # whenever another group is shown) and the comparison's.
        self.thumbnails = ThumbnailCache(capacity=3000, threads=1, parent=self)
        self.card_images = ThumbnailCache(capacity=32, threads=2, parent=self)
        self.compare_images = ThumbnailCache(capacity=6, threads=1, parent=self)
        self._closing = False
        self._collapse_dock = False  # hide the Folders panel when the next groups arrive

        parts = build_parts(self, self.prefs.threshold, self.thumbnails, self.card_images)
        self.parts = parts
        self.folders, self.folders_dock, self.threshold = (
            parts.folders,
            parts.folders_dock,
            parts.threshold,
        )
        self.notice = parts.notice
        self.summary, self.progress, self.empty = parts.summary, parts.progress, parts.empty
        self.model, self.table, self.panel = parts.model, parts.table, parts.panel
        self.splitter, self.stack = parts.splitter, parts.stack
        self.errors_button, self.stats_label = parts.errors_button, parts.stats_label
        self.preferences.attach(self.folders, self.threshold)

        s, say = self.session, self._say
        self.scans = ScanControl(
            s, services, self.folders, self.progress, self, say, self.preferences
        )
        self.groupings = GroupingControl(
            self.session,
            self.threshold,
            self.preferences.options,
            self._anchor,
            services.cache_path,
            self,
            self._say,
            self._unsay,
        )
        self.regrouper = self.groupings.regrouper
        self.cleanup = CleanupFlow(self.session, services, self, self._say, self.show_outcomes)
        self.results = ResultsFiles(
            self.session, services, self, self._say, lambda: self.folders.paths(Role.REFERENCE)
        )
        self.review = ReviewView(
            self.session, self.model, self.table, self.panel, self.compare_images, self, self._say
        )

        self.commands = build_actions(self, self._slots())
        self.recent_menu = build_menus(self, self.commands, self.act_rotations, parts)
        self._connect()
        self._first_layout = not restore_layout(self, self.services.settings, parts)
        self._update_everything()

    def _slots(self) -> dict[str, Callable[[], object]]:
        """What each command of the action table runs."""
        review, cleanup, results = self.review, self.cleanup, self.results
        return {
            "choose_folder": self.scans.choose_folder,
            "start_scan": self.scans.start,
            "cancel": self.cancel,
            "choose_results_file": results.choose_results_file,
            "choose_export_file": results.choose_export_file,
            "close": self.close,
            "undo": review.undo,
            "redo": review.redo,
            "toggle_current": lambda: review.key_action("toggle"),
            "keep_current": lambda: review.key_action("keep"),
            "compare_current": review.compare_current,
            "open_current": review.open_current,
            "reveal_current": review.reveal_current,
            "trash_current_group": self.trash_current_group,
            "clean_up_all": self.clean_up_all,
            "undo_cleanup": cleanup.undo_cleanup,
            "link_exact_copies": cleanup.link_exact_copies,
            "reset_marks": self.reset_marks,
            "edit_rules": lambda: self.preferences.edit_rules(self),
            "edit_preferences": self.edit_preferences,
            "show_errors": self.show_errors,
            "show_outcomes": self.show_outcomes,
            "show_keys": lambda: dialogs.show_keys(self),
            "show_about": lambda: dialogs.show_about(self),
        }

    def _connect(self) -> None:
        p = self.panel
        self.preferences.saved.connect(self._update_actions)
        self.preferences.regroup.connect(self.request_grouping)
        self.threshold.changed.connect(self._threshold_changed)
        self.empty.choose_requested.connect(self.scans.choose_folder)
        self.empty.secondary_requested.connect(self._empty_secondary)
        self.table.key_action.connect(self._trash_key)
        self.review.changed.connect(self._review_changed)
        self.review.groups_shown.connect(self._groups_shown)
        p.trash_requested.connect(self.trash_current_group)
        self.errors_button.clicked.connect(self.show_errors)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.scans.started.connect(self._scan_started)
        self.scans.finished.connect(self._scan_done)
        self.scans.failed.connect(self._update_everything)
        self.scans.failed.connect(self.task_failed)
        self.groupings.shown.connect(self.review.show_groups)
        self.groupings.failed.connect(self.task_failed)
        self.cleanup.changed.connect(self.review.refresh_soon)
        self.cleanup.finished.connect(self._cleanup_done)
        self.cleanup.failed.connect(self.task_failed)
        self.cleanup.restored.connect(self._restored)
        self.cleanup.linked.connect(self._linked)
        self.cleanup.running_changed.connect(self._update_everything)
        self.results.saved.connect(self.report_saved)
        self.results.loaded.connect(self._report_loaded)
        self.results.failed.connect(self.task_failed)

    def _say(self, message: str, msecs: int) -> None:
        self.statusBar().showMessage(message, msecs)

    def _unsay(self, message: str) -> None:
        if message and self.statusBar().currentMessage() == message:
            self.statusBar().clearMessage()

    # == preferences (SettingsBinding) ========================================================

    @property
    def prefs(self) -> Preferences:
        return self.preferences.prefs

    def set_rules(self, rules: Sequence[str]) -> None:
        self.preferences.set_rules(rules)

    def set_rotations(self, on: bool) -> None:
        self.preferences.set_rotations(on)

    def edit_preferences(self) -> None:
        accepted = self.preferences.edit(
            self, self.services.cache_path, lambda: self.scanning or self.grouping
        )
        if accepted is not None:
            self.apply_preferences(accepted)

    def apply_preferences(self, new: Preferences) -> None:
        """Take edited preferences: regroup for similarity and rules, say when to rescan."""
        if self.preferences.apply(new) and self.session.has_results:
            self._say("Scan again (F5) to apply the new scan settings.", 15000)

    def _fill_recent(self) -> None:
        recent, scan = self.prefs.recent, self.scans.scan_folder
        fill_recent_menu(self.recent_menu, recent, scan, self.preferences.clear_recent)

    # == folders and scanning (ScanControl) ===================================================

    def start_scan(self) -> None:
        self.scans.start()

    def set_scan_folders(self, paths: Sequence[str]) -> None:
        self.scans.set_scan_folders(paths)

    @property
    def scanning(self) -> bool:
        return self.session.scanning

    def scan_options(self) -> ScanOptions:
        return self.scans.options()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.scans.set_scan_folders(paths)
            self.scans.start()

    def cancel(self) -> None:
        """Esc: stop the scan (keeping what it found) or the cleanup (after this group)."""
        if not self.scans.cancel():
            self.cleanup.cancel()

    def _scan_started(self) -> None:
        self._collapse_dock = True
        self._update_everything()

    def _scan_done(self, result: ScanResult) -> None:
        self.groupings.run(self.session.take_scan(result))
        self._update_everything()
        self.scan_finished.emit(result)

    # == grouping =============================================================================

    def _threshold_changed(self, _value: int) -> None:
        self.preferences.save_shown()
        self.groupings.slider_moved()

    def request_grouping(self) -> None:
        self.groupings.request()

    @property
    def grouping(self) -> bool:
        return self.groupings.busy

    # == the review (ReviewView) ==============================================================

    def current_state(self) -> ReviewGroup | None:
        return self.review.current_state()

    def _anchor(self) -> FileIdentity | None:
        current = self.current_state()
        return identity_of(current.keeper) if current is not None else None

    def select_row(self, row: int) -> None:
        self.review.select_row(row)

    def current_row(self) -> int:
        return self.review.current_row()

    def toggle_mark(self, path: str) -> None:
        self.review.toggle_mark(path)

    @property
    def compare_dialog(self) -> CompareDialog | None:
        return self.review.compare_dialog

    def marked_totals(self) -> tuple[int, int, int]:
        return self.session.marked_totals()

    def reset_marks(self) -> None:
        """Back to the suggested marks everywhere, after asking when that undoes decisions."""
        mine = self.session.decisions_in()
        if mine and not self.services.ask(
            self,
            "Reset Marks",
            "Go back to the suggested marks in every group?",
            f"{plural(mine, 'choice')} you made (marks, unmarks and kept files) will be "
            "set back. Edit ▸ Undo brings them back.",
            "Reset Marks",
        ):
            return
        self.review.reset_marks()

    def _trash_key(self, action: str) -> None:
        if action == "trash":
            self.trash_current_group()

    def _review_changed(self) -> None:
        if self.session.cleaning:
            # Outcomes stream in (a refresh every 100 ms) and both lines below walk every
            # group: at 20,000 files that kept the GUI thread busy most of the time. The
            # totals and actions are brought up to date once, when the cleanup ends.
            return
        self._update_summary()
        self._update_actions()

    def _groups_shown(self) -> None:
        if self._collapse_dock and self.model.rowCount() > 0:
            # The review needs the room; the Folders button brings the panel back.
            self._collapse_dock = False
            self.folders_dock.hide()
        self._update_everything()
        self.groups_changed.emit()

    # == cleanup and results files ============================================================

    def trash_current_group(self) -> None:
        self.cleanup.trash_group(self.current_state())

    def clean_up_all(self) -> None:
        self.cleanup.clean_up_all()

    def _cleanup_done(self, summary: CleanupSummary) -> None:
        self.thumbnails.forget(summary.removed)
        self.card_images.forget(summary.removed)
        self.review.cleanup_done(summary)
        self._update_everything()
        self.cleanup_finished.emit(list(summary.outcomes))  # last: a close may follow
        if self._closing:
            self.close()

    def export_results(self, path: str) -> None:
        self.results.export_results(path)

    def load_results(self, path: str) -> None:
        self.results.load_results(path)

    def _report_loaded(self, path: str) -> None:
        self._collapse_dock = True
        self.threshold.set_value(self.session.options.threshold)
        self.preferences.save_shown()
        self.review.show_groups(None)  # the groups as saved; moving the slider regroups them
        self.report_loaded.emit(path)

    # == dialogs ==============================================================================

    def show_errors(self) -> None:
        if self.session.errors:
            dialogs.ErrorsDialog(self.session.errors, self).open()

    def show_outcomes(self) -> None:
        if self.session.last_outcomes:
            undo = self.undo_cleanup if self.cleanup.can_undo else None
            dialogs.OutcomesDialog(self.session.last_outcomes, self, undo).open()

    def undo_cleanup(self) -> None:
        self.cleanup.undo_cleanup()

    def _restored(self, outcomes: list[RestoreOutcome]) -> None:
        self._update_everything()
        self.restore_finished.emit(outcomes)

    def _linked(self, outcomes: list[Outcome]) -> None:
        """Linked copies are one file with their keeper now: a rescan (from the cache) shows
        the groups as they are."""
        self._update_everything()
        if (
            any(o.status is Status.LINKED for o in outcomes)
            and self.commands["start_scan"].isEnabled()
        ):
            self.scans.start()
        self.links_finished.emit(outcomes)

    def _empty_secondary(self) -> None:
        if status_line.nothing_was_read(self.session):
            self.start_scan()
        elif self.session.has_results and self.threshold.value() < PRESETS["loose"]:
            self.threshold.set_value(PRESETS["loose"], notify=True)
        elif self.prefs.recent:
            self.scans.scan_folder(self.prefs.recent[0])

    # == state shown ==========================================================================

    def _update_everything(self) -> None:
        show_state(self, self.parts, self.session, self.prefs.recent)
        self._update_summary()
        self._update_actions()

    def _update_summary(self) -> None:
        show_summary(self.parts, self.session, self.review.group_title())

    def _update_actions(self) -> None:
        scan_folders = bool(self.folders.paths(Role.SCAN))
        facts = WindowFacts.of(
            self.session, self.current_state(), self.model.rowCount(), scan_folders
        )
        enabled = enabled_actions(replace(facts, can_undo_cleanup=self.cleanup.can_undo))
        apply_enabled(self.commands, enabled)
        self.act_rotations.setEnabled(enabled["rotations"])
        self.threshold.setEnabled(enabled["threshold"])
        self.folders.scan_button.setEnabled(enabled["start_scan"])
        self.panel.trash_button.setEnabled(enabled["trash_current_group"])

    # == lifetime =============================================================================

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_layout:
            self._first_layout = False
            first_layout(self, self.parts)
        self.table.setFocus()

    def shutdown(self) -> None:
        """Stop background work, waiting at most CLOSE_WAIT_MS for each stage."""
        self.scans.runner.shutdown(CLOSE_WAIT_MS)
        self.cleanup.shutdown(CLOSE_WAIT_MS)
        self.regrouper.close(CLOSE_WAIT_MS)
        self.results.wait(CLOSE_WAIT_MS)
        for cache in (self.thumbnails, self.card_images, self.compare_images):
            cache.pool.clear()
        for cache in (self.thumbnails, self.card_images, self.compare_images):
            cache.wait(CLOSE_WAIT_MS)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.cleanup.running:
            # Files are being moved: the window closes once each has its outcome (Esc stops
            # the cleanup sooner). Asking again changes nothing.
            event.ignore()
            self._closing = self.cleanup.closing = True
            self._say("Still removing files: the window closes when that is done.", 10000)
            return
        save_layout(self, self.services.settings, self.parts)
        self.preferences.save_shown()
        self.services.settings.sync()
        self.shutdown()
        super().closeEvent(event)
