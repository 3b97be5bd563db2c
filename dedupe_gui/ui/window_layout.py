"""Where the window's parts sit: the Folders dock, the progress strip, the group list beside
the selected group, the page shown when there are no groups, the menus and the toolbar.

Only placement lives here; what the parts do is wired by ``main_window``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.review import ReviewSession
from dedupe_gui.review.folders import unreadable_label
from dedupe_gui.ui import status_line, toolbar
from dedupe_gui.ui.empty_state import EmptyState
from dedupe_gui.ui.folders_panel import FoldersPanel
from dedupe_gui.ui.group_model import GroupListModel
from dedupe_gui.ui.group_panel import GroupPanel
from dedupe_gui.ui.group_table import GroupTable
from dedupe_gui.ui.preferences import load_bytes
from dedupe_gui.ui.scan_progress import ScanProgress
from dedupe_gui.ui.threshold_bar import ThresholdBar
from dedupe_gui.ui.thumbnails import ThumbnailCache
from dedupe_gui.ui.widgets import NoticeBar
from dedupe_gui.ui.window_actions import ACTIONS


@dataclass(frozen=True, slots=True)
class Parts:
    notice: NoticeBar
    folders: FoldersPanel
    folders_dock: QDockWidget
    threshold: ThresholdBar
    summary: QLabel
    progress: ScanProgress
    empty: EmptyState
    model: GroupListModel
    table: GroupTable
    panel: GroupPanel
    splitter: QSplitter
    stack: QStackedWidget
    errors_button: QToolButton
    stats_label: QLabel


def build_parts(
    window: QMainWindow, threshold: int, thumbnails: ThumbnailCache, cards: ThumbnailCache
) -> Parts:
    folders = FoldersPanel()
    dock = QDockWidget("Folders", window)
    dock.setObjectName("foldersDock")
    dock.setWidget(folders)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetClosable
        | QDockWidget.DockWidgetFeature.DockWidgetMovable
    )
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    summary = QLabel()
    summary.setContentsMargins(6, 4, 6, 4)
    font = summary.font()
    font.setBold(True)
    summary.setFont(font)
    summary.setWordWrap(True)
    progress = ScanProgress()
    progress.hide()
    empty = EmptyState()
    model = GroupListModel(thumbnails, window)
    table = GroupTable(model)
    panel = GroupPanel(cards)

    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("resultsSplitter")
    groups_side = QWidget()
    groups_layout = QVBoxLayout(groups_side)
    groups_layout.setContentsMargins(0, 0, 0, 0)
    groups_layout.setSpacing(0)
    notice = NoticeBar()
    groups_layout.addWidget(notice)
    groups_layout.addWidget(summary)
    groups_layout.addWidget(table, 1)
    splitter.addWidget(groups_side)
    splitter.addWidget(panel)
    splitter.setStretchFactor(0, 0)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([290, 900])
    splitter.setChildrenCollapsible(False)

    stack = QStackedWidget()
    stack.addWidget(empty)
    stack.addWidget(splitter)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(progress)
    layout.addWidget(stack, 1)
    window.setCentralWidget(central)

    errors_button = QToolButton()
    errors_button.setAutoRaise(True)
    errors_button.setToolTip("Show the files that could not be read")
    window.statusBar().addPermanentWidget(errors_button)
    stats_label = QLabel()
    window.statusBar().addPermanentWidget(stats_label)
    return Parts(
        notice,
        folders,
        dock,
        ThresholdBar(threshold),
        summary,
        progress,
        empty,
        model,
        table,
        panel,
        splitter,
        stack,
        errors_button,
        stats_label,
    )


def build_menus(
    window: QMainWindow, actions: Mapping[str, QAction], rotations: QAction, parts: Parts
) -> QMenu:
    """The menu bar and toolbar from the action table; returns the Recent Folders menu."""
    bar = window.menuBar()
    menus: dict[str, QMenu] = {}
    recent: QMenu | None = None
    for spec in ACTIONS:
        menu = menus.get(spec.menu)
        if menu is None and spec.menu:
            menu = menus[spec.menu] = bar.addMenu(spec.menu)
        if menu is None:
            continue
        if spec.separator_before:
            menu.addSeparator()
        menu.addAction(actions[spec.name])
        if spec.name == "choose_folder":
            recent = menu.addMenu("Recent &Folders")
    menus["&Group"].addAction(rotations)
    view = menus["&View"]
    view.insertAction(view.actions()[0], parts.folders_dock.toggleViewAction())

    tools = window.addToolBar("Main")
    tools.setObjectName("mainToolbar")
    tools.setMovable(False)
    tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    folders = parts.folders_dock.toggleViewAction()
    placed = [(actions[s.name], s.icon, s.toolbar) for s in ACTIONS if s.toolbar]
    toolbar.add_actions(tools, [(folders, "folders", "Folders"), *placed[:2]])  # add, scan
    tools.addSeparator()
    tools.addWidget(parts.threshold)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    tools.addWidget(spacer)
    toolbar.add_actions(tools, placed[2:])  # preferences, clean up
    for action in tools.actions():
        button = tools.widgetForAction(action)
        if button is not None:
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    cleanup_button = tools.widgetForAction(actions["clean_up_all"])
    danger: list[QWidget] = [parts.panel.trash_button]
    if cleanup_button is not None:
        danger.append(cleanup_button)
    toolbar.DestructiveStyle(danger, window)
    words = [folders, actions["choose_folder"], actions["start_scan"]]
    toolbar.CompactWhenNarrow(window, tools, [*words, actions["edit_preferences"]])
    assert recent is not None
    return recent


def fill_recent_menu(
    menu: QMenu, recent: Sequence[str], scan: Callable[[str], None], clear: Callable[[], None]
) -> None:
    menu.clear()
    for path in recent:
        action = menu.addAction(path)
        action.triggered.connect(lambda _=False, p=path: scan(p))
    if not recent:
        menu.addAction("No recent folders").setEnabled(False)
    else:
        menu.addSeparator()
        menu.addAction("Clear Menu", clear)


def restore_layout(window: QMainWindow, settings: QSettings, parts: Parts) -> bool:
    """The window's size and docks as the user left them; False when there is nothing (or
    nothing usable) saved, and the first showing should size them."""
    geometry = load_bytes(settings, "window/geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        window.resize(1280, 800)
    state = load_bytes(settings, "window/state")
    splitter = load_bytes(settings, "window/splitter")
    restored = state is not None and window.restoreState(state)
    return restored and splitter is not None and parts.splitter.restoreState(splitter)


def save_layout(window: QMainWindow, settings: QSettings, parts: Parts) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/splitter", parts.splitter.saveState())


def first_layout(window: QMainWindow, parts: Parts) -> None:
    """Dock and splitter sizes that suit the window's size, until the user sets their own."""
    width = window.width()
    dock_width = max(180, min(260, width // 5))
    window.resizeDocks([parts.folders_dock], [dock_width], Qt.Orientation.Horizontal)
    rest = width - parts.folders_dock.width()
    parts.splitter.setSizes([max(220, min(280, rest // 4)), rest])


def show_state(
    window: QMainWindow, parts: Parts, session: ReviewSession, recent: Sequence[str]
) -> None:
    """The title, the page (groups, or what to do when there are none), the notice above the
    list, and the unreadable-files button, as the session stands."""
    window.setWindowTitle(status_line.window_title(session.paths))
    if parts.model.rowCount() > 0:
        parts.stack.setCurrentWidget(parts.splitter)
    else:
        parts.stack.setCurrentWidget(parts.empty)
        page = status_line.empty_page(session, recent)
        parts.empty.show_message(
            page.title, page.body, page.button, page.hint, page.secondary, page.warning
        )
    parts.notice.show_notice(status_line.notice_text(session))
    n = len(session.errors)
    parts.errors_button.setText(f"⚠ {unreadable_label(session.paths, session.errors)}")
    parts.errors_button.setVisible(n > 0)


def show_summary(parts: Parts, session: ReviewSession, group_title: str) -> None:
    """The line above the list, the heading of the group on show, the count in the status bar."""
    if parts.panel.state is not None:  # groups come and go: the heading counts them again
        parts.panel.set_title(group_title)
    text, tip = status_line.summary_text(session)
    parts.summary.setText(text)
    parts.summary.setToolTip(tip)
    records = len(session.records)
    parts.stats_label.setText(f"{records:,} photos" if session.has_results else "")
