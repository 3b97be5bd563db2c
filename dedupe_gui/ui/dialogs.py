"""Dialogs: unreadable files, cleanup outcomes, the keeper rule order, and confirmations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui import __version__
from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.keeper import DEFAULT_RULES, EXPLAINED, RULES
from dedupe_gui.core.models import FileError
from dedupe_gui.core.restore import RestoreOutcome

Row = Callable[[int], Sequence[str]]
Index = QModelIndex | QPersistentModelIndex


class _RowsModel(QAbstractTableModel):
    """Rows made only when the view shows them: a cleanup of 60,000 files is one dialog, and
    an item per row took the GUI thread seconds to build."""

    def __init__(self, headers: Sequence[str], count: int, row: Row, parent: QWidget) -> None:
        super().__init__(parent)
        self._headers, self._count, self._row = tuple(headers), count, row

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._row(index.row())[index.column()]
        return None


class _PathTableDialog(QDialog):
    """A two-or-more column list of paths with reasons, and a button to copy it as text."""

    def __init__(
        self,
        title: str,
        intro: str,
        headers: Sequence[str],
        count: int,
        row: Row,
        parent: QWidget | None = None,
    ) -> None:
        """``count`` rows; ``row(i)`` makes row i when it is shown."""
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)
        # A table, not a tree view: a tree lays out every row when shown (150 ms for 60,000).
        self.tree = QTableView()
        self.tree.setModel(_RowsModel(headers, count, row, self))
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setShowGrid(False)
        self.tree.setWordWrap(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        rows = self.tree.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.tree.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        for col in range(len(headers) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 420 if len(headers) == 2 else 90)
        if len(headers) > 2:
            header.resizeSection(1, 380)
        layout.addWidget(self.tree, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy list", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(
                "\n".join("\t".join(row(i)) for i in range(count))
            )
        )
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.resize(820, 420)


class ErrorsDialog(_PathTableDialog):
    def __init__(self, errors: Sequence[FileError], parent: QWidget | None = None) -> None:
        n = len(errors)
        super().__init__(
            "Files that could not be read",
            f"{n} file{'s' if n != 1 else ''} could not be read and were left out of the "
            "comparison. Nothing was done to them.",
            ("File", "Reason"),
            n,
            lambda i: (errors[i].path, errors[i].error),
            parent,
        )


DONE_WORDS = {
    Status.TRASHED: "moved to the trash",
    Status.MOVED: "moved to the chosen folder",
    Status.DELETED: "deleted permanently",
    Status.LINKED: "replaced by a link to the kept copy",
}


def outcomes_sentence(outcomes: Sequence[Outcome]) -> str:
    """What a cleanup did, in the words of what happened to the files (never "removed"
    when they went to the trash, from where they can come back)."""
    parts = []
    by_status = Counter(map(attrgetter("status"), outcomes))  # no Python call per file
    for status, words in DONE_WORDS.items():
        n = by_status[status]
        if n:
            parts.append(f"{n:,} file{'s' if n != 1 else ''} {words}")
    text = (", ".join(parts) or "No file was changed") + "."
    failed = sum(n for status, n in by_status.items() if not status.ok)
    if failed == 1:
        text += " 1 file was left where it is; it stays in the list with the reason."
    elif failed:
        text += (
            f" {failed:,} files were left where they are; they stay in the list with the reason."
        )
    return text


OUTCOME_HEADERS = ("Result", "File", "Reason")


def outcome_row(o: Outcome | RestoreOutcome) -> tuple[str, str, str]:
    return o.status.value, o.path, o.reason


class OutcomesDialog(_PathTableDialog):
    def __init__(
        self,
        outcomes: Sequence[Outcome],
        parent: QWidget | None = None,
        undo: Callable[[], None] | None = None,
    ) -> None:
        intro = outcomes_sentence(outcomes)
        super().__init__(
            "Cleanup results",
            intro,
            OUTCOME_HEADERS,
            len(outcomes),
            lambda i: outcome_row(outcomes[i]),
            parent,
        )
        if undo is not None:
            button = self.buttons.addButton("Undo Cleanup", QDialogButtonBox.ButtonRole.ActionRole)
            button.setToolTip("Put these files back where they were (never over a file)")
            button.clicked.connect(undo)
            button.clicked.connect(self.accept)


class RulesEditor(QWidget):
    """Which file of a group stays: rules ticked and dragged into order, first rule first."""

    def __init__(self, rules: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(
            "In every group the file that comes first under these rules is kept. Each rule "
            "decides only where the rules above it tie. Drag to reorder; untick to ignore."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        layout.addWidget(self.list, 1)
        self._fill(rules)
        row = QHBoxLayout()
        up = QPushButton("Move up")
        down = QPushButton("Move down")
        reset = QPushButton("Restore defaults")
        up.clicked.connect(lambda: self._move(-1))
        down.clicked.connect(lambda: self._move(1))
        reset.clicked.connect(lambda: self._fill(DEFAULT_RULES))
        for b in (up, down, reset):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)

    def _fill(self, rules: Sequence[str]) -> None:
        self.list.clear()
        order = [*rules, *(r for r in RULES if r not in rules)]
        for name in order:
            item = QListWidgetItem(RULES[name][0])
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(EXPLAINED.get(name, RULES[name][0]))
            item.setFlags(
                item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled
            )
            item.setCheckState(Qt.CheckState.Checked if name in rules else Qt.CheckState.Unchecked)
            self.list.addItem(item)

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(target, item)
        self.list.setCurrentRow(target)

    def rules(self) -> tuple[str, ...]:
        chosen = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                chosen.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(chosen) or DEFAULT_RULES


class KeeperRulesDialog(QDialog):
    """The keeper rules on their own, for the Group menu (Preferences holds them too)."""

    def __init__(self, rules: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Which copy to keep")
        layout = QVBoxLayout(self)
        self.editor = RulesEditor(rules)
        self.list = self.editor.list
        self._move = self.editor._move
        layout.addWidget(self.editor, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        self.resize(460, 380)

    def rules(self) -> tuple[str, ...]:
        return self.editor.rules()


def ask(
    parent: QWidget | None,
    title: str,
    text: str,
    informative: str,
    accept_label: str,
    destructive: bool = False,
) -> bool:
    """A yes/no question whose buttons say what they do; Cancel is the default."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    ok = box.addButton(
        accept_label,
        QMessageBox.ButtonRole.DestructiveRole
        if destructive
        else QMessageBox.ButtonRole.AcceptRole,
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is ok


def choose(
    parent: QWidget | None,
    title: str,
    text: str,
    informative: str,
    buttons: Sequence[str],
    destructive: bool = False,
) -> int | None:
    """A question with one button per choice (saying what it does) and Cancel, the default;
    the index of the button pressed, None for Cancel."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setInformativeText(informative)
    role = (
        QMessageBox.ButtonRole.DestructiveRole if destructive else QMessageBox.ButtonRole.AcceptRole
    )
    choices = [box.addButton(label, role) for label in buttons]
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((i for i, b in enumerate(choices) if b is clicked), None)


def show_problem(
    parent: QWidget, title: str, text: str, informative: str = "", detail: str = ""
) -> QMessageBox:
    """A warning that does not block the window (opened, not executed)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Close, parent
    )
    if informative:
        box.setInformativeText(informative)
    if detail:
        box.setDetailedText(detail)
    box.open()
    return box


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent,
        "About Dedupe GUI",
        f"<h3>Dedupe GUI {__version__}</h3>"
        "<p>Finds near-duplicate photos, shows each group side by side, and sends the "
        "copies you do not want to the system trash.</p>"
        "<p>Nothing is removed until you confirm, the kept copy is never touched, and "
        "files in reference folders are never removed.</p>",
    )


# Every key the window answers to, in the words of the F1 list (a test holds the menus to it).
KEYS: tuple[tuple[str, str], ...] = (
    ("Up / Down", "previous / next group"),
    ("PgUp / PgDown", "a page of groups back / forward"),
    ("Home / End", "first / last group"),
    ("Left / Right", "previous / next file of the group"),
    ("Space", "mark or unmark the file for the trash"),
    ("K", "keep this file, mark the others"),
    ("Enter", "compare the file with the keeper, large"),
    ("Del", "move the marked files of this group to the trash"),
    ("Ctrl+Shift+Del", "clean up: move marked files of many groups to the trash"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo a mark or a keeper change"),
    ("Ctrl++ / Ctrl+- / Ctrl+0", "larger / smaller pictures / fit them to the pane"),
    ("Ctrl+Return", "open the file"),
    ("Ctrl+Shift+R", "show the file in the file manager"),
    ("Ctrl+O", "add a folder"),
    ("F5 / Esc", "scan / cancel the scan"),
    ("Ctrl+L / Ctrl+E", "load / export results"),
    ("Ctrl+,", "preferences"),
    ("F1", "this list"),
    ("Ctrl+Q", "quit"),
)


def show_keys(parent: QWidget) -> None:
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in KEYS)
    QMessageBox.information(parent, "Keyboard Shortcuts", f"<table cellspacing=4>{rows}</table>")
