"""The main window: folders, scan, threshold, the groups and the selected group, cleanup.

Everything slow runs elsewhere: the scan on its own QThread (``ScanJob``), grouping and
cleanup and report files on single-thread pools (``TaskRunner``), thumbnails on their own
pool. The GUI thread only arranges results. Grouping requests are coalesced: while one
runs, only the latest slider position waits, so dragging the slider never queues work.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.core.actions import (
    CleanupOptions,
    Outcome,
    Removal,
    Scope,
    apply_removals,
)
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.models import (
    FileError,
    GroupMember,
    ImageRecord,
    Progress,
    ScanResult,
    ScanStats,
)
from dedupe_gui.core.report import Report, load
from dedupe_gui.core.restore import RestoreOutcome, RestoreStatus, restore_files
from dedupe_gui.core.scan import ScanOptions
from dedupe_gui.core.threshold import PRESETS
from dedupe_gui.core.units import human_bytes, human_duration
from dedupe_gui.review.folders import describe_unreadable, unreadable_roots
from dedupe_gui.ui import cleanup_prompts as prompts
from dedupe_gui.ui import dialogs, toolbar
from dedupe_gui.ui.compare_dialog import CompareDialog
from dedupe_gui.ui.empty_state import EmptyState
from dedupe_gui.ui.folders_panel import FoldersPanel, Role
from dedupe_gui.ui.group_model import (
    COL_PHOTO,
    GroupListModel,
)
from dedupe_gui.ui.group_panel import GroupPanel
from dedupe_gui.ui.group_state import GroupState, distance
from dedupe_gui.ui.group_table import GroupTable
from dedupe_gui.ui.preferences import Preferences, load_bytes, load_preferences, save_preferences
from dedupe_gui.ui.preferences_dialog import PreferencesDialog, clear_cache
from dedupe_gui.ui.regrouping import GroupingRequest, Regrouper
from dedupe_gui.ui.restore_dialog import RestoreOutcomesDialog
from dedupe_gui.ui.results_file import report_of, write_report
from dedupe_gui.ui.scan_progress import ScanProgress
from dedupe_gui.ui.scan_worker import ScanJob
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.tasks import TaskRunner, TaskSignals
from dedupe_gui.ui.threshold_bar import ThresholdBar
from dedupe_gui.ui.thumbnails import ThumbnailCache
from dedupe_gui.ui.widgets import NoticeBar
from dedupe_gui.ui.wording import plural

SLOW_GROUPING = 0.12  # seconds; above this, a slider drag regroups on a pause, not every step
DRAG_PAUSE_MS = 150


class MainWindow(QMainWindow):
    scan_finished = Signal(object)  # ScanResult
    groups_changed = Signal()
    cleanup_finished = Signal(object)  # list[Outcome]
    restore_finished = Signal(object)  # list[RestoreOutcome]
    report_saved = Signal(str)
    report_loaded = Signal(str)
    task_failed = Signal(str)

    def __init__(self, services: WindowServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.prefs: Preferences = load_preferences(services.settings)
        self.setWindowTitle("Dedupe GUI")
        self.setAcceptDrops(True)
        self.setMinimumSize(720, 480)

        # Two caches: the list's small pictures, and the selected group's larger ones, whose
        # queue is dropped whenever another group is shown.
        self.thumbnails = ThumbnailCache(capacity=3000, threads=1, parent=self)
        self.card_images = ThumbnailCache(capacity=32, threads=2, parent=self)
        self.compare_images = ThumbnailCache(capacity=6, threads=1, parent=self)
        self.regrouper = Regrouper(self, services.cache_path)
        self.regrouper.regrouped.connect(self._regrouped)
        self.regrouper.failed.connect(self._grouping_failed)
        self._files = TaskRunner(self)  # cleanup and report files, one at a time

        self._scan: ScanJob | None = None
        self._records: tuple[ImageRecord, ...] = ()
        self._records_version = 0
        self._errors: tuple[FileError, ...] = ()
        self._paths: tuple[str, ...] = ()
        # Where a cleanup of the shown results may act (the scan's real roots), or None.
        self._scope: Scope | None = None
        self._stats = ScanStats()
        self._has_results = False
        self._cancelled = False
        self._choices: dict[str, bool] = {}
        self._cleaning = False
        self._collapse_dock = False  # hide the Folders panel when the next groups arrive
        self._last_outcomes: list[Outcome] = []
        self._changed: dict[int, GroupState] = {}  # groups to refresh (see _changed_later)
        self._changed_timer = QTimer(self)
        self._changed_timer.setSingleShot(True)
        self._changed_timer.setInterval(100)
        self._changed_timer.timeout.connect(self._flush_changed)
        self.compare_dialog: CompareDialog | None = None

        self._build_ui()
        self._build_actions()
        self._restore_window()
        self._update_everything()

    # == construction =======================================================================

    def _build_ui(self) -> None:
        self.folders = FoldersPanel()
        self.folders.set_folders(self.prefs.folders, self.prefs.references, self.prefs.excludes)
        self.folders.min_size.setValue(self.prefs.min_size_kb)
        self.folders.changed.connect(self._save_preferences)
        self.folders.add_requested.connect(self.choose_folder)
        self.folders.scan_requested.connect(self.start_scan)
        self.folders_dock = QDockWidget("Folders", self)
        self.folders_dock.setObjectName("foldersDock")
        self.folders_dock.setWidget(self.folders)
        self.folders_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.folders_dock)

        self.threshold = ThresholdBar(self.prefs.threshold)
        self.threshold.changed.connect(self._threshold_changed)
        self._drag_pause = QTimer(self)
        self._drag_pause.setSingleShot(True)
        self._drag_pause.setInterval(DRAG_PAUSE_MS)
        self._drag_pause.timeout.connect(self.request_grouping)
        self.threshold.slider.sliderReleased.connect(self._slider_released)
        self.summary = QLabel()
        self.summary.setContentsMargins(6, 4, 6, 4)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setWordWrap(True)

        self.progress = ScanProgress()
        self.progress.cancel_requested.connect(self.cancel_scan)
        self.progress.hide()

        self.empty = EmptyState()
        self.empty.choose_requested.connect(self._empty_primary)
        self.empty.secondary_requested.connect(self._empty_secondary)

        self.model = GroupListModel(self.thumbnails, self)
        self.table = GroupTable(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.table.doubleClicked.connect(lambda _i: self.compare_current())
        self.table.key_action.connect(self._key_action)

        self.panel = GroupPanel(self.card_images)
        self.panel.toggled.connect(self._toggle_from_card)
        self.panel.keep_requested.connect(self.keep_file)
        self.panel.open_requested.connect(self._open_file)
        self.panel.reveal_requested.connect(self._reveal_file)
        self.panel.compare_requested.connect(self.compare_with_keeper)
        self.panel.trash_requested.connect(self.trash_current_group)
        self.table.key_action.connect(self.panel.key_action)  # picture size keys

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("resultsSplitter")
        groups_side = QWidget()
        groups_layout = QVBoxLayout(groups_side)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        groups_layout.setSpacing(0)
        self.notice = NoticeBar()
        groups_layout.addWidget(self.notice)
        groups_layout.addWidget(self.summary)
        groups_layout.addWidget(self.table, 1)
        self.splitter.addWidget(groups_side)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([290, 900])
        self.splitter.setChildrenCollapsible(False)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.splitter)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.errors_button = QToolButton()
        self.errors_button.setAutoRaise(True)
        self.errors_button.setToolTip("Show the files that could not be read")
        self.errors_button.clicked.connect(self.show_errors)
        self.statusBar().addPermanentWidget(self.errors_button)
        self.stats_label = QLabel()
        self.statusBar().addPermanentWidget(self.stats_label)

    def _action(
        self,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_choose = a(
            "&Add Folder…",
            self.choose_folder,
            QKeySequence.StandardKey.Open,
            "Choose a folder of photos to scan",
        )
        self.act_scan = a("&Scan", self.start_scan, "F5", "Find duplicates in the chosen folders")
        self.act_cancel = a(
            "&Cancel Scan", self.cancel_scan, "Esc", "Stop the scan and show what was found so far"
        )
        self.act_export = a(
            "&Export Results…", self.choose_export_file, "Ctrl+E", "Save the groups as JSON or CSV"
        )
        self.act_load = a(
            "&Load Results…", self.choose_results_file, "Ctrl+L", "Open results saved earlier"
        )
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        # Review keys are handled by the group list, which keeps the focus; the menus only
        # name them (after a tab) so they never steal keys from the slider or a text field.
        self.act_toggle = a("Toggle &Mark\tSpace", lambda: self._key_action("toggle"))
        self.act_keep = a("&Keep This One\tK", lambda: self._key_action("keep"))
        self.act_trash = a("&Trash Marked in This Group…\tDel", self.trash_current_group)
        self.act_cleanup = a(
            "Clean &Up All Groups…",
            self.clean_up_all,
            "Ctrl+Shift+Del",
            "Move every marked file to the trash",
        )
        self.act_compare = a("&Compare…\tEnter", self.compare_current)
        self.act_open = a(
            "&Open File", lambda: self._open_file(self.panel.current_path() or ""), "Ctrl+Return"
        )
        self.act_reveal = a(
            "Show in File &Manager",
            lambda: self._reveal_file(self.panel.current_path() or ""),
            "Ctrl+Shift+R",
        )
        self.act_rotations = QAction("Find &Turned and Mirrored Copies", self)
        self.act_rotations.setCheckable(True)
        self.act_rotations.setChecked(self.prefs.rotations)
        self.act_rotations.setStatusTip(
            "Also group copies rotated by 90, 180 or 270 degrees or mirrored"
        )
        self.act_rotations.toggled.connect(self.set_rotations)
        self.act_reset_marks = a(
            "&Reset Marks", self.reset_marks, tip="Go back to the suggested marks in every group"
        )
        self.act_rules = a(
            "Which Copy to &Keep…",
            self.edit_rules,
            tip="The order of the rules that choose the file to keep",
        )
        self.act_prefs = a(
            "&Preferences…",
            self.edit_preferences,
            "Ctrl+,",
            "Similarity, which copy to keep, what the scan reads, the cache",
        )
        self.act_errors = a("&Unreadable Files…", self.show_errors)
        self.act_outcomes = a("Last &Cleanup Results…", self.show_outcomes)
        self.act_undo_cleanup = a(
            "&Undo Cleanup",
            self.undo_cleanup,
            tip="Put the files of the last cleanup back where they were (never over a file)",
        )
        self.act_about = a("&About Dedupe GUI", self.show_about)
        self.act_keys = a(
            "&Keyboard Shortcuts", self.show_keys, QKeySequence.StandardKey.HelpContents
        )
        for act in (self.act_cancel, self.act_scan):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.act_choose)
        self.recent_menu = file_menu.addMenu("Recent &Folders")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        file_menu.addAction(self.act_scan)
        file_menu.addAction(self.act_cancel)
        file_menu.addSeparator()
        file_menu.addAction(self.act_load)
        file_menu.addAction(self.act_export)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.act_prefs)
        group_menu = bar.addMenu("&Group")
        for act in (
            self.act_toggle,
            self.act_keep,
            self.act_compare,
            self.act_open,
            self.act_reveal,
        ):
            group_menu.addAction(act)
        group_menu.addSeparator()
        group_menu.addAction(self.act_trash)
        group_menu.addAction(self.act_cleanup)
        group_menu.addAction(self.act_undo_cleanup)
        group_menu.addSeparator()
        group_menu.addAction(self.act_reset_marks)
        group_menu.addAction(self.act_rules)
        group_menu.addAction(self.act_rotations)
        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.folders_dock.toggleViewAction())
        view_menu.addAction(self.act_errors)
        view_menu.addAction(self.act_outcomes)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_keys)
        help_menu.addAction(self.act_about)

        tools = self.addToolBar("Main")
        tools.setObjectName("mainToolbar")
        tools.setMovable(False)
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.add_actions(
            tools,
            [
                (self.folders_dock.toggleViewAction(), "folders", "Folders"),
                (self.act_choose, "add", "Add Folder…"),
                (self.act_scan, "scan", "Scan"),
            ],
        )
        tools.addSeparator()
        tools.addWidget(self.threshold)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tools.addWidget(spacer)
        toolbar.add_actions(
            tools,
            [
                (self.act_prefs, "preferences", "Preferences…"),
                (self.act_cleanup, "cleanup", "Clean Up…"),
            ],
        )
        for action in tools.actions():
            button = tools.widgetForAction(action)
            if button is not None:
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        cleanup_button = tools.widgetForAction(self.act_cleanup)
        danger: list[QWidget] = [self.panel.trash_button]
        if cleanup_button is not None:
            danger.append(cleanup_button)
        self._danger = toolbar.DestructiveStyle(danger, self)
        self._compact = toolbar.CompactWhenNarrow(
            self,
            tools,
            [
                self.folders_dock.toggleViewAction(),
                self.act_choose,
                self.act_scan,
                self.act_prefs,
            ],
        )

    def _restore_window(self) -> None:
        settings = self.services.settings
        geometry = load_bytes(settings, "window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        state = load_bytes(settings, "window/state")
        splitter = load_bytes(settings, "window/splitter")
        self._first_layout = state is None or not self.restoreState(state)
        if splitter is None or not self.splitter.restoreState(splitter):
            self._first_layout = True

    # == preferences =========================================================================

    def _save_preferences(self) -> None:
        self.prefs = replace(
            self.prefs,
            folders=self.folders.paths(Role.SCAN),
            references=self.folders.paths(Role.REFERENCE),
            excludes=self.folders.paths(Role.EXCLUDED),
            min_size_kb=self.folders.min_size.value(),
            threshold=self.threshold.value(),
        )
        save_preferences(self.services.settings, self.prefs)
        self._update_actions()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.prefs.recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _=False, p=path: self.scan_folder(p))
        if not self.prefs.recent:
            self.recent_menu.addAction("No recent folders").setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu", self._clear_recent)

    def _clear_recent(self) -> None:
        self.prefs = replace(self.prefs, recent=())
        save_preferences(self.services.settings, self.prefs)

    # == folders and scanning ================================================================

    def choose_folder(self) -> None:
        start = self.prefs.recent[0] if self.prefs.recent else str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Choose a folder of photos", start)
        if folder:
            self.scan_folder(folder)

    def scan_folder(self, folder: str) -> None:
        """Add ``folder`` to the scan list (if it is not there) and scan at once."""
        if folder not in self.folders.paths(Role.SCAN) + self.folders.paths(Role.REFERENCE):
            self.folders.add_folder(folder, Role.SCAN)
        self.start_scan()

    def set_scan_folders(self, paths: Sequence[str]) -> None:
        for p in paths:
            self.folders.add_folder(os.path.abspath(os.path.expanduser(p)), Role.SCAN)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        self.set_scan_folders(paths)
        self.start_scan()

    def scan_options(self) -> ScanOptions:
        scan = self.folders.paths(Role.SCAN)
        refs = self.folders.paths(Role.REFERENCE)
        excluded = self.folders.paths(Role.EXCLUDED)
        kb = self.folders.min_size.value()
        return ScanOptions(
            paths=(*scan, *(r for r in refs if r not in scan)),
            walk=WalkOptions(
                excludes=(
                    *(glob.escape(os.path.abspath(p).rstrip(os.sep)) for p in excluded),
                    *self.prefs.patterns,
                ),
                references=refs,
                min_size=max(1, kb * 1000),
                follow_links=self.prefs.follow_links,
            ),
            workers=self.services.scan_workers,
        )

    @property
    def scanning(self) -> bool:
        return self._scan is not None

    def start_scan(self) -> None:
        if self._scan is not None or self._cleaning:
            return
        options = self.scan_options()
        if not self.folders.paths(Role.SCAN):
            self.statusBar().showMessage("Add a folder to scan first.", 5000)
            if not options.paths:
                self.choose_folder()
            return
        self._save_preferences()
        prefs = self.prefs
        for p in reversed(self.folders.paths(Role.SCAN)):
            prefs = prefs.with_recent(p)
        self.prefs = prefs
        save_preferences(self.services.settings, self.prefs)
        job = ScanJob(options, self.services.cache_path, self.services.fingerprinter, self)
        job.progressed.connect(self._scan_progressed)
        job.finished.connect(self._scan_done)
        job.failed.connect(self._scan_failed)
        job.warned.connect(lambda msg: self.statusBar().showMessage(msg, 15000))
        self._scan = job
        self._collapse_dock = True
        self.progress.start()
        self.statusBar().showMessage("Scanning…")
        self._update_everything()
        job.start()

    def cancel_scan(self) -> None:
        if self._scan is not None and not self._scan.cancelling:
            self._scan.cancel()
            self.progress.cancelling()
            self.statusBar().showMessage("Stopping the scan…")

    def _scan_progressed(self, progress: Progress) -> None:
        if self._scan is not None:
            self.progress.show_progress(progress)

    def _scan_failed(self, message: str) -> None:
        self._scan = None
        self.progress.hide()
        self._update_everything()
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Scan failed",
            "The scan stopped because of an unexpected error.",
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setDetailedText(message)
        box.open()

    def _scan_done(self, result: ScanResult) -> None:
        self._scan = None
        self.progress.hide()
        self._cancelled = result.cancelled
        self._set_records(result.records, result.errors, result.paths, result.stats)
        self._scope = Scope.of(result)
        st = result.stats
        if result.cancelled:
            msg = (
                f"Scan cancelled: showing {plural(st.images, 'photo')} fingerprinted before "
                f"the stop (of {st.files:,} found)."
            )
        else:
            msg = (
                f"Scanned {plural(st.images, 'photo')} in {human_duration(st.seconds)}"
                f" ({st.from_cache:,} unchanged since the last scan)."
            )
        self.statusBar().showMessage(msg, 20000)
        self.scan_finished.emit(result)

    def _set_records(
        self,
        records: Sequence[ImageRecord],
        errors: Sequence[FileError],
        paths: Sequence[str],
        stats: ScanStats,
    ) -> None:
        self._records = tuple(records)
        self._records_version += 1
        self._errors = tuple(errors)
        self._paths = tuple(paths)
        self._stats = stats
        self._has_results = True
        self._choices.clear()
        self.request_grouping()
        self._update_everything()

    # == grouping ============================================================================

    def _threshold_changed(self, _value: int) -> None:
        self._save_preferences()
        # Small libraries regroup at every step of a drag. Where a grouping takes long
        # (tens of thousands of photos), back-to-back groupings would compete with the
        # window for the interpreter, so a drag waits for a pause or the release.
        if self.threshold.slider.isSliderDown() and self.regrouper.last_seconds > SLOW_GROUPING:
            self._drag_pause.start()
        else:
            self._drag_pause.stop()
            self.request_grouping()

    def _slider_released(self) -> None:
        if self._drag_pause.isActive():
            self._drag_pause.stop()
            self.request_grouping()

    def request_grouping(self) -> None:
        if self._has_results:
            self.regrouper.request(
                GroupingRequest(
                    self.threshold.value(),
                    self.prefs.rules,
                    self._records_version,
                    self._records,
                    dict(self._choices),
                    self.prefs.rotations,
                )
            )

    def set_rotations(self, on: bool) -> None:
        """Also group copies turned by 90/180/270 degrees or mirrored (regroups, no rescan)."""
        if on != self.prefs.rotations:
            self.prefs = replace(self.prefs, rotations=on)
            save_preferences(self.services.settings, self.prefs)
            self.request_grouping()
        self.act_rotations.setChecked(on)

    @property
    def grouping(self) -> bool:
        return self.regrouper.busy

    def _regrouped(self, request: GroupingRequest, states: list[GroupState]) -> None:
        if request.version != self._records_version:
            return  # files were removed or rescanned since: a newer request follows
        if request.choices != self._choices:  # marks changed while this ran
            for state in states:
                state.marked = GroupState.preselected(state.group, self._choices).marked
        current = self.current_state()
        self._set_states(states, current.keeper.path if current is not None else None)

    def _grouping_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Grouping failed: {message}", 15000)
        self.task_failed.emit(message)

    def _set_states(self, states: Sequence[GroupState], anchor: str | None) -> None:
        header = self.table.horizontalHeader()
        self.model.set_states(states)
        if self._collapse_dock and self.model.rowCount() > 0:
            # The review needs the room; the Folders button brings the panel back.
            self._collapse_dock = False
            self.folders_dock.hide()
        if 0 <= header.sortIndicatorSection() < self.model.columnCount():
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        row = 0
        if anchor is not None:
            for i, state in enumerate(self.model.states()):
                if any(m.path == anchor for m in state.members):
                    row = i
                    break
        self.select_row(row)
        self._update_everything()
        self.groups_changed.emit()

    # == the current group ===================================================================

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_state(self) -> GroupState | None:
        return self.model.state(self.current_row())

    def select_row(self, row: int) -> None:
        if self.model.rowCount() == 0:
            self.panel.set_state(None)
            self._update_actions()
            return
        row = max(0, min(row, self.model.rowCount() - 1))
        index = self.model.index(row, COL_PHOTO)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        self._show_current()

    def _current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    def _group_title(self) -> str:
        state = self.current_state()
        return f"Group {self.current_row() + 1:,} of {self.model.rowCount():,}" if state else ""

    def _show_current(self) -> None:
        state = self.current_state()
        if state is not self.panel.state:
            self.panel.set_state(state, self._group_title())
        self._update_actions()

    def _key_action(self, action: str) -> None:
        state = self.current_state()
        if action == "trash":
            self.trash_current_group()
            return
        if state is None:
            return
        path = self.panel.current_path()
        if action == "previous":
            self.panel.move_current(-1)
        elif action == "next":
            self.panel.move_current(1)
        elif action == "toggle" and path is not None:
            self.toggle_mark(path)
        elif action == "keep" and path is not None:
            self.keep_file(path)
        elif action == "compare":
            self.compare_current()

    def toggle_mark(self, path: str) -> None:
        state = self.current_state()
        if state is None:
            return
        self._set_mark(state, path, path not in state.marked)

    def _toggle_from_card(self, path: str, marked: bool) -> None:
        state = self.current_state()
        if state is not None:
            self._set_mark(state, path, marked)

    def _set_mark(self, state: GroupState, path: str, marked: bool) -> None:
        if state.set_marked(path, marked):
            self._choices[path] = marked
        elif marked and path not in state.marked:
            member = state.member(path)
            why = (
                "Files in reference folders are never removed."
                if member is not None and member.record.reference
                else "At least one file of every group stays: unmark another file first."
            )
            self.statusBar().showMessage(why, 6000)
        self._state_changed(state)

    def keep_file(self, path: str) -> None:
        state = self.current_state()
        if state is None:
            return
        state.keep_only(path)
        for m in state.members:
            self._choices[m.path] = m.path in state.marked
        self._state_changed(state)

    def reset_marks(self) -> None:
        self._choices.clear()
        self.request_grouping()

    def _changed_later(self, state: GroupState) -> None:
        """Coalesce refreshes while outcomes stream in: one per 100 ms, not one per file."""
        self._changed[id(state)] = state
        if not self._changed_timer.isActive():
            self._changed_timer.start()

    def _flush_changed(self) -> None:
        self._changed_timer.stop()
        changed, self._changed = list(self._changed.values()), {}
        for state in changed:
            if self.panel.state is state:
                self.panel.refresh()
            self.model.refresh(state)
        if changed:
            self._update_summary()
            self._update_actions()

    def _state_changed(self, state: GroupState) -> None:
        if self.panel.state is state:
            self.panel.refresh()
        self.model.refresh(state)
        self._update_summary()
        self._update_actions()

    # == compare / open ======================================================================

    def compare_current(self) -> None:
        path = self.panel.current_path()
        if path is not None:
            self.compare_with_keeper(path)

    def compare_with_keeper(self, path: str) -> None:
        state = self.current_state()
        if state is None or len(state.members) < 2:
            return
        keeper = state.keeper
        member = state.member(path)
        if member is None:
            return
        if member is keeper:
            others = [m for m in state.members if m is not keeper]
            member = min(others, key=lambda m: distance(m, keeper))
        if self.compare_dialog is not None:
            self.compare_dialog.close()
        roles = {
            m.path: "keeper"
            if m is keeper
            else ("marked for the trash" if m.path in state.marked else "kept")
            for m in state.members
        }
        dialog = self.make_compare_dialog(keeper, member, roles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _obj=None: self._compare_closed(dialog))
        self.compare_dialog = dialog
        dialog.open()

    def _compare_closed(self, dialog: CompareDialog) -> None:
        if self.compare_dialog is dialog:
            self.compare_dialog = None

    def make_compare_dialog(
        self, left: GroupMember, right: GroupMember, roles: dict[str, str]
    ) -> CompareDialog:
        return CompareDialog(left, right, roles, self.compare_images, self)

    def _open_file(self, path: str) -> None:
        from dedupe_gui.ui.desktop import open_file

        if path and not open_file(path):
            self.statusBar().showMessage(f"No application could open {path}", 8000)

    def _reveal_file(self, path: str) -> None:
        from dedupe_gui.ui.desktop import reveal_file

        if path:
            reveal_file(path, self)

    # == cleanup =============================================================================

    def trash_current_group(self) -> None:
        state = self.current_state()
        if state is None or self._cleaning or self.scanning:
            return
        removal = state.removal()
        if removal is None:
            self.statusBar().showMessage("Nothing is marked in this group.", 5000)
            return
        if not prompts.confirm_group(self.services.ask, self, state):
            return
        self._run_cleanup([(state, removal)], permanent=False)

    def marked_totals(self) -> tuple[int, int, int]:
        """Marked files, their bytes, and the groups they are in, over every group."""
        files = size = groups = 0
        for state in self.model.states():
            if state.marked:  # holds only files still on show
                groups += 1
                files += len(state.marked)
                size += state.marked_bytes
        return files, size, groups

    def clean_up_all(self) -> None:
        if self._cleaning or self.scanning:
            return
        pairs = [(s, r) for s in self.model.states() if (r := s.removal()) is not None]
        if not pairs:
            self.statusBar().showMessage("Nothing is marked for the trash.", 5000)
            return
        if not prompts.confirm_all(self.services.ask, self, *self.marked_totals()):
            return
        self._run_cleanup(pairs, permanent=False)

    def _run_cleanup(self, pairs: Sequence[tuple[GroupState, Removal]], permanent: bool) -> None:
        self._cleaning = True
        self._update_actions()
        by_path = {path: state for state, removal in pairs for path in removal.remove}
        removals = [removal for _, removal in pairs]
        total = len(by_path)
        options = CleanupOptions(
            journal=self.services.journal_path,
            allow_permanent_delete=permanent,
            scope=self._scope,
        )
        trash = self.services.trash
        verb = "Deleting" if permanent else "Moving to the trash"
        self.statusBar().showMessage(f"{verb}: 0 of {total:,} files…")
        seen: list[Outcome] = []

        def work(signals: TaskSignals) -> list[Outcome]:
            return apply_removals(removals, options, trash, signals.progressed.emit)

        def progressed(outcome: Outcome) -> None:
            seen.append(outcome)
            state = by_path.get(outcome.path)
            if state is not None:
                state.apply_outcome(outcome)
                self._changed_later(state)
            self.statusBar().showMessage(f"{verb}: {len(seen):,} of {total:,} files…")

        def done(outcomes: list[Outcome]) -> None:
            self._cleanup_done(outcomes, list({id(s): s for s, _ in pairs}.values()), permanent)

        def failed(message: str) -> None:
            self._cleaning = False
            self._update_everything()
            self.statusBar().showMessage(f"Cleanup stopped: {message}", 20000)
            self.task_failed.emit(message)

        self._files.start(work, done, failed, progressed)

    def _cleanup_done(
        self, outcomes: list[Outcome], states: list[GroupState], permanent: bool
    ) -> None:
        self._cleaning = False
        # Outcomes already delivered one by one were applied then; applying is idempotent,
        # and this catches any that were not (one look-up each, not a scan of every group).
        where = {m.path: s for s in states for m in s.group.members}
        for o in outcomes:
            if (s := where.get(o.path)) is not None:
                s.apply_outcome(o)
        self._flush_changed()
        removed = {o.path for o in outcomes if o.status.removed}
        self.thumbnails.forget(removed)
        self.card_images.forget(removed)
        if removed:
            self._records = tuple(r for r in self._records if r.path not in removed)
            self._records_version += 1
        self._last_outcomes = outcomes if not permanent else [*self._last_outcomes, *outcomes]
        row = self.current_row()
        resolved = [s for s in states if s.resolved]
        self.model.remove(resolved)
        if self.panel.state is not None and self.panel.state in resolved:
            self.select_row(min(row, self.model.rowCount() - 1))
        elif self.panel.state is not None:
            self.panel.refresh()
        ok = [o for o in outcomes if o.status.ok]
        freed = sum(o.bytes for o in ok)
        failed = [o for o in outcomes if not o.status.ok]
        verb = "Deleted" if permanent else "Moved to the trash"
        msg = f"{verb}: {plural(len(ok), 'file')}, {human_bytes(freed)} freed."
        if failed:
            msg += f" {plural(len(failed), 'file')} not removed (see the cards for why)."
        self.statusBar().showMessage(msg, 30000)
        self._update_everything()
        no_trash = prompts.trash_unavailable(failed)
        if no_trash and not permanent:
            self._offer_permanent_delete(no_trash, states)
        elif failed or len(states) > 1:
            self.show_outcomes()
        self.cleanup_finished.emit(outcomes)  # last: a close waiting for it may follow

    def _offer_permanent_delete(self, failed: list[Outcome], states: list[GroupState]) -> None:
        if not prompts.confirm_permanent_delete(self.services.ask, self, failed):
            self.show_outcomes()
            return
        paths = {o.path for o in failed}
        pairs = [(s, r) for s in states if (r := s.removal(only=paths)) is not None]
        if pairs:
            self._run_cleanup(pairs, permanent=True)

    # == reports =============================================================================

    def current_report(self) -> Report:
        return report_of(
            self.model.states(),
            self.threshold.value(),
            self._paths,
            self._errors,
            self._stats,
            self._scope,
        )

    def choose_export_file(self) -> None:
        start = str(Path.home() / "duplicates.json")
        path, chosen = QFileDialog.getSaveFileName(
            self, "Export Results", start, "JSON (*.json);;CSV (*.csv)"
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".csv" if chosen.startswith("CSV") else ".json"
        self.export_results(path)

    def export_results(self, path: str) -> None:
        report = self.current_report()

        def work(_signals: TaskSignals) -> str:
            write_report(report, path)
            return path

        def done(saved: str) -> None:
            self.statusBar().showMessage(
                f"Saved {plural(len(report.groups), 'group')} to {saved}", 15000
            )
            self.report_saved.emit(saved)

        self._files.start(work, done, lambda m: self._file_failed("save the results", m))

    def choose_results_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load Results", str(Path.home()), "Results (*.json *.csv);;All files (*)"
        )
        if path:
            self.load_results(path)

    def load_results(self, path: str) -> None:
        if self.scanning:
            self.statusBar().showMessage("Cancel the scan before loading results.", 6000)
            return

        def work(_signals: TaskSignals) -> Report:
            return load(path)

        self._files.start(
            work,
            lambda report: self._report_loaded(path, report),
            lambda m: self._file_failed("load the results", m),
        )

    def _report_loaded(self, path: str, report: Report) -> None:
        records: dict[str, ImageRecord] = {}
        for g in report.groups:
            for m in g.members:
                records.setdefault(m.path, m.record)
        self._records = tuple(records.values())
        self._records_version += 1
        self._errors = report.errors
        self._paths = report.paths
        self._scope = Scope(report.roots or report.paths, report.references)
        self._stats = report.stats
        self._has_results = True
        self._cancelled = False
        self._collapse_dock = True
        self._choices = {m.path: not m.keep for g in report.groups for m in g.members}
        if path.lower().endswith(".json") or report.threshold:
            self.threshold.set_value(report.threshold)
            self._save_preferences()
        # Show the groups as saved; moving the slider regroups the loaded files.
        states = [GroupState.preselected(g, self._choices) for g in report.groups]
        self._set_states(states, None)
        self.statusBar().showMessage(
            f"Loaded {plural(len(report.groups), 'group')} from {path}", 15000
        )
        self.report_loaded.emit(path)

    def _file_failed(self, what: str, message: str) -> None:
        self.statusBar().showMessage(f"Could not {what}: {message}", 20000)
        self.task_failed.emit(message)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Dedupe GUI",
            f"Could not {what}.",
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setInformativeText(message)
        box.open()

    # == dialogs =============================================================================

    def show_errors(self) -> None:
        if self._errors:
            dialogs.ErrorsDialog(self._errors, self).open()

    def show_outcomes(self) -> None:
        if self._last_outcomes:
            undo = self.undo_cleanup if self.act_undo_cleanup.isEnabled() else None
            dialogs.OutcomesDialog(self._last_outcomes, self, undo).open()

    def undo_cleanup(self) -> None:
        """Put the last cleanup's files back (core.restore), off the GUI thread."""
        journal = self.services.journal_path
        paths = [o.path for o in self._last_outcomes if o.status.removed and not o.companion_of]
        if journal is None or not paths or self._cleaning or self.scanning:
            return
        self._cleaning = True
        self._update_actions()
        self.statusBar().showMessage("Putting the files of the last cleanup back…")

        def done(outcomes: list[RestoreOutcome]) -> None:
            self._cleaning = False
            self._last_outcomes = []
            back = sum(1 for o in outcomes if o.status is RestoreStatus.RESTORED)
            self.statusBar().showMessage(
                f"Put back {plural(back, 'file')}; scan again to see them in their groups.", 30000
            )
            self._update_everything()
            if back < len(outcomes):
                RestoreOutcomesDialog(outcomes, self).open()
            self.restore_finished.emit(outcomes)

        def failed(message: str) -> None:
            self._cleaning = False
            self._update_everything()
            self.statusBar().showMessage(f"Undo stopped: {message}", 20000)
            self.task_failed.emit(message)

        self._files.start(lambda _signals: restore_files(journal, paths), done, failed)

    def edit_rules(self) -> None:
        dialog = dialogs.KeeperRulesDialog(self.prefs.rules, self)
        if dialog.exec() and dialog.rules() != self.prefs.rules:
            self.set_rules(dialog.rules())
        dialog.deleteLater()

    def edit_preferences(self) -> None:
        dialog = PreferencesDialog(self.prefs, self.services.cache_path, self._clear_cache, self)
        if dialog.exec():
            self.apply_preferences(dialog.preferences())
        dialog.deleteLater()

    def _clear_cache(self) -> str | None:
        if self.scanning or self.grouping:
            return "The cache is in use: wait for the scan or grouping to finish."
        return clear_cache(self.services.cache_path)

    def apply_preferences(self, new: Preferences) -> None:
        """Take edited preferences: regroup for similarity and rules, say when to rescan."""
        old = self.prefs
        self.prefs = new
        self.threshold.set_value(new.threshold)
        self.act_rotations.setChecked(new.rotations)
        self.folders.min_size.setValue(new.min_size_kb)  # saves the preferences
        self._save_preferences()
        regroup = (old.threshold, old.rules, old.rotations) != (
            new.threshold,
            new.rules,
            new.rotations,
        )
        rescan = (old.min_size_kb, old.patterns, old.follow_links) != (
            new.min_size_kb,
            new.patterns,
            new.follow_links,
        )
        if regroup:
            self.request_grouping()
        if rescan and self._has_results:
            self.statusBar().showMessage("Scan again (F5) to apply the new scan settings.", 15000)

    def set_rules(self, rules: Sequence[str]) -> None:
        self.prefs = replace(self.prefs, rules=tuple(rules))
        save_preferences(self.services.settings, self.prefs)
        self.request_grouping()

    def show_about(self) -> None:
        dialogs.show_about(self)

    def show_keys(self) -> None:
        dialogs.show_keys(self)

    def _empty_primary(self) -> None:
        self.choose_folder()

    def _empty_secondary(self) -> None:
        if unreadable_roots(self._paths, self._errors) and not self._records:
            self.start_scan()
        elif self._has_results and self.threshold.value() < PRESETS["loose"]:
            self.threshold.set_value(PRESETS["loose"], notify=True)
        elif self.prefs.recent:
            self.scan_folder(self.prefs.recent[0])

    # == state shown =========================================================================

    def _update_title(self) -> None:
        """The scanned folders' names; Qt adds the application's name after them."""
        names = [os.path.basename(p.rstrip(os.sep)) or p for p in self._paths]
        title = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        self.setWindowTitle(title or "Dedupe GUI")

    def _update_everything(self) -> None:
        self._update_title()
        self._update_page()
        self._update_notice()
        self._update_summary()
        self._update_actions()
        n = len(self._errors)
        self.errors_button.setText(f"⚠ {plural(n, 'unreadable file')}")
        self.errors_button.setVisible(n > 0)

    def _update_page(self) -> None:
        if self.model.rowCount() > 0:
            self.stack.setCurrentWidget(self.splitter)
            return
        self.stack.setCurrentWidget(self.empty)
        if self.scanning:
            self.empty.show_message(
                "Looking for duplicates…",
                "Groups appear here when the scan is done. You can cancel at any time and "
                "keep what was found so far.",
                "",
            )
            return
        if not self._has_results:
            recent = self.prefs.recent[0] if self.prefs.recent else ""
            self.empty.show_message(
                "Find duplicate photos",
                "Choose a folder of photos. Every near-duplicate (resized, recompressed, "
                "converted or lightly edited copies) is grouped with the best copy, and "
                "nothing is removed until you say so.",
                "Choose a Folder…",
                "or drop folders anywhere on this window",
                f"Scan {os.path.basename(recent) or recent} again" if recent else "",
            )
            return
        missing = unreadable_roots(self._paths, self._errors)
        if missing and not self._records:
            title, body = describe_unreadable(missing, all_missing=True)
            self.empty.show_message(title, body, "Choose Another Folder…", "", "Scan Again")
            return
        images = len(self._records)
        which = "photos scanned before the stop" if self._cancelled else "photos"
        loose = self.threshold.value() < PRESETS["loose"]
        body = (
            f"{plural(images, 'photo')} compared: none of the {which} has a copy to clean up "
            f"at the current similarity ({self.threshold.value()} bits)."
        )
        if any(r.reference for r in self._records):
            body += " Copies that all lie in reference folders are left alone."
        if loose:
            body += " A looser setting also finds heavier edits."
        self.empty.show_message(
            "No duplicates found",
            body,
            "Choose Another Folder…",
            "",
            "Try a looser similarity" if loose else "",
        )

    def _update_notice(self) -> None:
        notes = []
        if self._cancelled and self._has_results:
            read = plural(len(self._records), "photo")
            notes.append(
                f"Partial results: the scan was cancelled after {read} of "
                f"{self._stats.files:,}. Copies among the photos not read are not shown."
            )
        missing = unreadable_roots(self._paths, self._errors)
        if missing and self._records:
            notes.append(describe_unreadable(missing, all_missing=False)[1])
        self.notice.show_notice("\n".join(notes))

    def _update_summary(self) -> None:
        groups = self.model.rowCount()
        if not self._has_results:
            self.summary.setText("")
            self.stats_label.setText("")
            return
        files, size, _ = self.marked_totals()
        if self.panel.state is not None:  # groups come and go: the heading counts them again
            self.panel.set_title(self._group_title())
        self.summary.setText(f"{plural(groups, 'group')}  ·  {human_bytes(size)} to free")
        self.summary.setToolTip(
            f"{plural(files, 'file')} marked for the trash in {plural(groups, 'group')}"
        )
        st = self._stats
        self.stats_label.setText(
            f"{len(self._records):,} photos" if st.files or self._records else ""
        )

    def _update_actions(self) -> None:
        scanning = self.scanning
        state = self.current_state()
        busy = self._cleaning or scanning
        self.act_scan.setEnabled(not busy and bool(self.folders.paths(Role.SCAN)))
        # While files are being removed, the groups on show must stay the ones being acted on.
        self.threshold.setEnabled(not self._cleaning)
        self.act_rules.setEnabled(not self._cleaning)
        self.act_rotations.setEnabled(not self._cleaning)
        self.act_reset_marks.setEnabled(not self._cleaning and self.model.rowCount() > 0)
        self.folders.scan_button.setEnabled(self.act_scan.isEnabled())
        self.act_cancel.setEnabled(scanning)
        self.act_export.setEnabled(self.model.rowCount() > 0 and not self._cleaning)
        self.act_load.setEnabled(not busy)
        has_group = state is not None
        self.act_toggle.setEnabled(has_group)
        self.act_keep.setEnabled(has_group)
        self.act_compare.setEnabled(has_group)
        self.act_open.setEnabled(has_group)
        self.act_reveal.setEnabled(has_group)
        self.act_trash.setEnabled(has_group and not busy and bool(state and state.marked))
        self.panel.trash_button.setEnabled(self.act_trash.isEnabled())
        self.act_cleanup.setEnabled(not busy and self.model.rowCount() > 0)
        self.act_errors.setEnabled(bool(self._errors))
        self.act_outcomes.setEnabled(bool(self._last_outcomes))
        self.act_undo_cleanup.setEnabled(
            not busy
            and self.services.journal_path is not None
            and any(o.status.removed for o in self._last_outcomes)
        )

    # == lifetime ============================================================================

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_layout:
            # Sizes that suit the window's size, until the user sets their own.
            self._first_layout = False
            width = self.width()
            self.resizeDocks(
                [self.folders_dock], [max(180, min(260, width // 5))], Qt.Orientation.Horizontal
            )
            rest = width - self.folders_dock.width()
            self.splitter.setSizes([max(220, min(280, rest // 4)), rest])
        self.table.setFocus()

    def shutdown(self) -> None:
        """Stop background work and wait for it: a scan is cancelled, a cleanup finishes."""
        if self._scan is not None:
            self._scan.shutdown()
            self._scan = None
        self._files.wait()
        self.regrouper.stop()
        self.thumbnails.pool.clear()
        self.card_images.pool.clear()
        self.card_images.wait()
        self.compare_images.pool.clear()
        self.thumbnails.wait()
        self.compare_images.wait()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._cleaning:
            # Files are being moved right now; the window closes once each has its outcome.
            event.ignore()
            self.statusBar().showMessage(
                "Still removing files: the window closes when that is done.", 10000
            )
            self.cleanup_finished.connect(self.close, Qt.ConnectionType.SingleShotConnection)
            return
        settings = self.services.settings
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())
        self._save_preferences()
        settings.sync()
        self.shutdown()
        super().closeEvent(event)
