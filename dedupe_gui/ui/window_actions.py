"""The window's commands: one table of what each is called, its key and where it appears, and
one pure function that says which are available in a given state.

Keeping availability in ``enabled_actions`` (plain facts in, a dict out) makes the rules
readable in one place and testable without a window: nothing that would change the groups
on show while a cleanup runs, no second scan, no cleanup during a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from dedupe_gui.review import ReviewGroup, ReviewSession

Key = QKeySequence.StandardKey | str | None


@dataclass(frozen=True, slots=True)
class ActionSpec:
    name: str  # the window's method run by the action, and the key of enabled_actions
    text: str  # "\tKey" after a tab names a key handled elsewhere (the group list)
    shortcut: Key = None
    tip: str = ""
    menu: str = ""  # "" for an action placed by hand
    toolbar: str = ""  # icon text on the main toolbar, "" when not on it
    icon: str = ""  # ui.toolbar.ICONS name of its toolbar icon
    separator_before: bool = False


S = QKeySequence.StandardKey

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("choose_folder", "&Add Folder…", S.Open, "Choose a folder of photos to scan",
               "&File", "Add Folder…", "add"),
    ActionSpec("start_scan", "&Scan", "F5", "Find duplicates in the chosen folders", "&File",
               "Scan", "scan", separator_before=True),
    ActionSpec("cancel", "&Cancel", "Esc",
               "Stop the scan (showing what was found so far) or the cleanup", "&File"),
    ActionSpec("choose_results_file", "&Load Results…", "Ctrl+L", "Open results saved earlier",
               "&File", separator_before=True),
    ActionSpec("choose_export_file", "&Export Results…", "Ctrl+E",
               "Save the groups as JSON or CSV", "&File"),
    ActionSpec("close", "&Quit", S.Quit, "", "&File", separator_before=True),
    ActionSpec("undo", "&Undo", "Ctrl+Z", "Undo the last change of marks", "&Edit"),
    ActionSpec("redo", "&Redo", "Ctrl+Shift+Z", "Redo the change of marks undone last", "&Edit"),
    ActionSpec("edit_preferences", "&Preferences…", "Ctrl+,",
               "Similarity, which copy to keep, what the scan reads, the cache", "&Edit",
               "Preferences…", "preferences", separator_before=True),
    ActionSpec("toggle_current", "Toggle &Mark\tSpace", menu="&Group"),
    ActionSpec("keep_current", "&Keep This One\tK", menu="&Group"),
    ActionSpec("compare_current", "&Compare…\tEnter", menu="&Group"),
    ActionSpec("open_current", "&Open File", "Ctrl+Return", menu="&Group"),
    ActionSpec("reveal_current", "Show in File &Manager", "Ctrl+Shift+R", menu="&Group"),
    ActionSpec("trash_current_group", "&Trash Marked in This Group…\tDel", menu="&Group",
               separator_before=True),
    ActionSpec("clean_up_all", "Clean &Up All Groups…", "Ctrl+Shift+Del",
               "Move every marked file to the trash", "&Group", "Clean Up…", "cleanup"),
    ActionSpec("undo_cleanup", "&Undo Cleanup", None,
               "Put the files of the last cleanup back where they were (never over a file)",
               "&Group"),
    ActionSpec("link_exact_copies", "Replace Exact Copies with &Hard Links…", None,
               "Byte-identical copies on the keeper's drive become hard links to it: every "
               "path keeps working and their space is freed", "&Group"),
    ActionSpec("reset_marks", "&Reset Marks", None,
               "Go back to the suggested marks in every group", "&Group",
               separator_before=True),
    ActionSpec("edit_rules", "Which Copy to &Keep…", None,
               "The order of the rules that choose the file to keep", "&Group"),
    ActionSpec("show_errors", "&Unreadable Files…", menu="&View"),
    ActionSpec("show_outcomes", "Last &Cleanup Results…", menu="&View"),
    ActionSpec("show_keys", "&Keyboard Shortcuts", S.HelpContents, menu="&Help"),
    ActionSpec("show_about", "&About Dedupe GUI", menu="&Help"),
)  # fmt: skip

# Actions whose shortcut must work wherever the focus is in the window.
WINDOW_WIDE = ("start_scan", "cancel")


@dataclass(frozen=True, slots=True)
class WindowFacts:
    """What availability depends on, read from the session and the window."""

    scanning: bool = False
    cleaning: bool = False
    has_scan_folders: bool = False
    groups: int = 0
    has_group: bool = False  # a group is on show
    group_has_marks: bool = False
    has_errors: bool = False
    has_outcomes: bool = False
    can_undo: bool = False
    can_redo: bool = False
    can_undo_cleanup: bool = False  # the last cleanup removed files and a journal holds them
    has_exact_copies: bool = False  # some group holds a byte-identical copy of its keeper

    @staticmethod
    def of(
        session: ReviewSession, group: ReviewGroup | None, groups: int, scan_folders: bool
    ) -> WindowFacts:
        return WindowFacts(
            scanning=session.scanning,
            cleaning=session.cleaning,
            has_scan_folders=scan_folders,
            groups=groups,
            has_group=group is not None,
            group_has_marks=bool(group is not None and group.marked),
            has_errors=bool(session.errors),
            has_outcomes=bool(session.last_outcomes),
            can_undo=session.can_undo,
            can_redo=session.can_redo,
            has_exact_copies=session.has_exact_copies,
        )


def enabled_actions(f: WindowFacts) -> dict[str, bool]:
    busy = f.scanning or f.cleaning
    settled = not f.cleaning  # while files are removed, the groups on show must stay
    return {
        "choose_folder": True,
        "start_scan": not busy and f.has_scan_folders,
        "cancel": busy,
        "choose_results_file": not busy,
        "choose_export_file": f.groups > 0 and settled,
        "close": True,
        "undo": f.can_undo and settled,
        "redo": f.can_redo and settled,
        "toggle_current": f.has_group,
        "keep_current": f.has_group,
        "compare_current": f.has_group,
        "open_current": f.has_group,
        "reveal_current": f.has_group,
        "trash_current_group": f.has_group and not busy and f.group_has_marks,
        "clean_up_all": not busy and f.groups > 0,
        "undo_cleanup": f.can_undo_cleanup and not busy,
        "link_exact_copies": f.has_exact_copies and not busy,
        "reset_marks": settled and f.groups > 0,
        "edit_rules": settled,
        "edit_preferences": settled,
        "rotations": settled,
        "threshold": settled,
        "show_errors": f.has_errors,
        "show_outcomes": f.has_outcomes,
        "show_keys": True,
        "show_about": True,
    }


def build_actions(owner: QObject, slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """One QAction per spec, triggering ``slots[spec.name]``."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, owner)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        if spec.toolbar:
            action.setIconText(spec.toolbar)
        if spec.name in WINDOW_WIDE:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        run = slots[spec.name]
        action.triggered.connect(lambda _checked=False, run=run: run())
        actions[spec.name] = action
    return actions


def apply_enabled(actions: Mapping[str, QAction], enabled: Mapping[str, bool]) -> None:
    for name, action in actions.items():
        action.setEnabled(enabled.get(name, True))
