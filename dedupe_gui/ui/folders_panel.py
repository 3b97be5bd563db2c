"""The folders to scan, each with a role: scanned, reference (never touched), or excluded."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)


class Role(str, Enum):
    SCAN = "Scan"
    REFERENCE = "Reference"
    EXCLUDED = "Excluded"

    @classmethod
    def of(cls, data: object) -> Role:
        """The role stored in an item's data.

        Qt keeps a ``str`` subclass as a plain string (PySide6 6.12 hands back ``"Scan"``, not
        ``Role.SCAN``), so every value read back from a widget goes through here; anything
        unknown falls back to SCAN, the role that never hides a folder's files.
        """
        if isinstance(data, Role):
            return data
        try:
            return cls(str(data))
        except ValueError:
            return cls.SCAN


ROLE_TIPS = {
    Role.SCAN: "Look for duplicates here",
    Role.REFERENCE: "Compared with the rest, preferred as the copy to keep, never removed",
    Role.EXCLUDED: "Skipped entirely",
}


class FoldersPanel(QWidget):
    changed = Signal()
    add_requested = Signal()
    scan_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Folder", "Role"])
        self.tree.setRootIsDecorated(False)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.tree.setMinimumWidth(120)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree, 1)

        row = QHBoxLayout()
        add = QPushButton("Add…")
        add.setToolTip("Add a folder to scan (or drop folders on the window)")
        add.clicked.connect(self.add_requested)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(
            "Take the selected folders off the list (no files are touched)"
        )
        self.remove_button.clicked.connect(self.remove_selected)
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.value, role.value)
            self.role.setItemData(
                self.role.count() - 1, ROLE_TIPS[role], Qt.ItemDataRole.ToolTipRole
            )
        self.role.setToolTip("Role of the selected folders")
        self.role.activated.connect(lambda i: self.set_role(Role.of(self.role.itemData(i))))
        for w in (add, self.remove_button):
            w.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
            row.addWidget(w)
        layout.addLayout(row)
        role_row = QHBoxLayout()
        role_row.addWidget(QLabel("Role:"))
        self.role.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        role_row.addWidget(self.role, 1)
        layout.addLayout(role_row)

        size_row = QHBoxLayout()
        size_row.addWidget(QLabel("Skip files under"))
        self.min_size = QSpinBox()
        self.min_size.setMinimumWidth(90)
        self.min_size.setRange(0, 1_000_000)
        self.min_size.setSuffix(" kB")
        self.min_size.setSingleStep(10)
        self.min_size.setToolTip("Ignore images smaller than this (icons, thumbnails)")
        self.min_size.valueChanged.connect(self.changed)
        size_row.addWidget(self.min_size)
        size_row.addStretch(1)
        layout.addLayout(size_row)

        self.scan_button = QPushButton("Scan")
        self.scan_button.setToolTip("Find duplicates in the folders marked Scan (F5)")
        self.scan_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.scan_button.clicked.connect(self.scan_requested)
        layout.addWidget(self.scan_button)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def sizeHint(self) -> QSize:
        return QSize(220, 400)

    # -- contents ------------------------------------------------------------------------

    def set_folders(
        self, scan: Sequence[str], references: Sequence[str], excluded: Sequence[str]
    ) -> None:
        self.tree.clear()
        for paths, role in (
            (scan, Role.SCAN),
            (references, Role.REFERENCE),
            (excluded, Role.EXCLUDED),
        ):
            for p in paths:
                self._add_item(p, role)
        self._selection_changed()

    def _add_item(self, path: str, role: Role) -> QTreeWidgetItem:
        item = QTreeWidgetItem([path, role.value])
        item.setData(0, Qt.ItemDataRole.UserRole, role.value)
        item.setToolTip(0, path)
        item.setToolTip(1, ROLE_TIPS[role])
        self.tree.addTopLevelItem(item)
        return item

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item for item in items if item is not None]

    def paths(self, role: Role) -> tuple[str, ...]:
        return tuple(item.text(0) for item in self._items() if self.role_of(item) is role)

    @staticmethod
    def role_of(item: QTreeWidgetItem) -> Role:
        return Role.of(item.data(0, Qt.ItemDataRole.UserRole))

    def add_folder(self, path: str, role: Role = Role.SCAN) -> None:
        for item in self._items():
            if item.text(0) == path:
                self._set_item_role(item, role)
                self.changed.emit()
                return
        self._add_item(path, role)
        self.changed.emit()

    def remove_selected(self) -> None:
        for item in self.tree.selectedItems():
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
        self.changed.emit()

    def set_role(self, role: Role) -> None:
        for item in self.tree.selectedItems():
            self._set_item_role(item, role)
        self.changed.emit()

    def _set_item_role(self, item: QTreeWidgetItem, role: Role) -> None:
        item.setData(0, Qt.ItemDataRole.UserRole, role.value)
        item.setText(1, role.value)
        item.setToolTip(1, ROLE_TIPS[role])

    def _selection_changed(self) -> None:
        selected = self.tree.selectedItems()
        self.remove_button.setEnabled(bool(selected))
        self.role.setEnabled(bool(selected))
        if selected:
            self.role.setCurrentIndex(self.role.findData(self.role_of(selected[0]).value))

    def _context_menu(self, pos: QPoint) -> None:
        if not self.tree.selectedItems():
            return
        menu = QMenu(self)
        for role in Role:
            action = menu.addAction(f"{role.value}: {ROLE_TIPS[role]}")
            action.triggered.connect(lambda _=False, r=role: self.set_role(r))
        menu.addSeparator()
        menu.addAction("Remove from the list", self.remove_selected)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
