"""Dialogs: unreadable files, cleanup outcomes, the keeper rule order, and confirmations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
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
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui import __version__
from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.keeper import DEFAULT_RULES, EXPLAINED, RULES
from dedupe_gui.core.models import FileError


class _PathTableDialog(QDialog):
    """A two-or-more column list of paths with reasons, and a button to copy it as text."""

    def __init__(
        self,
        title: str,
        intro: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(headers))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        for row in rows:
            item = QTreeWidgetItem(list(row))
            for col, text in enumerate(row):
                item.setToolTip(col, text)
            self.tree.addTopLevelItem(item)
        header = self.tree.header()
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
            lambda: QGuiApplication.clipboard().setText("\n".join("\t".join(r) for r in rows))
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
            [(e.path, e.error) for e in errors],
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
    for status, words in DONE_WORDS.items():
        n = sum(1 for o in outcomes if o.status is status)
        if n:
            parts.append(f"{n:,} file{'s' if n != 1 else ''} {words}")
    text = (", ".join(parts) or "No file was changed") + "."
    failed = sum(1 for o in outcomes if not o.status.ok)
    if failed == 1:
        text += " 1 file was left where it is; it stays in the list with the reason."
    elif failed:
        text += (
            f" {failed:,} files were left where they are; they stay in the list with the reason."
        )
    return text


class OutcomesDialog(_PathTableDialog):
    def __init__(
        self,
        outcomes: Sequence[Outcome],
        parent: QWidget | None = None,
        undo: Callable[[], None] | None = None,
    ) -> None:
        intro = outcomes_sentence(outcomes)
        rows = [(o.status.value, o.path, o.reason) for o in outcomes]
        super().__init__("Cleanup results", intro, ("Result", "File", "Reason"), rows, parent)
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
