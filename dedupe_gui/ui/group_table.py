"""The list of groups: a table view that keeps the focus and turns review keys into actions.

Up and Down move between groups as in any list; the other review keys act on the selected
group's files. They are handled here rather than as window shortcuts so that a focused
slider or text field keeps its own keys.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from dedupe_gui.ui.group_model import (
    COL_FREE,
    COL_PHOTO,
    LIST_PICTURE_SIDE,
    GroupDelegate,
    GroupListModel,
)

# Below this many pixels the "To free" column is hidden and its figure shown under the name.
NARROW_LIST_WIDTH = 280

REVIEW_KEYS: dict[Qt.Key, str] = {
    Qt.Key.Key_Left: "previous",
    Qt.Key.Key_Right: "next",
    Qt.Key.Key_Space: "toggle",
    Qt.Key.Key_K: "keep",
    Qt.Key.Key_Delete: "trash",
    Qt.Key.Key_Return: "compare",
    Qt.Key.Key_Enter: "compare",
}
# With Ctrl: the size of the pictures (plus on any keyboard layout: "=" shares its key).
ZOOM_KEYS: dict[Qt.Key, str] = {
    Qt.Key.Key_Plus: "zoom_in",
    Qt.Key.Key_Equal: "zoom_in",
    Qt.Key.Key_Minus: "zoom_out",
    Qt.Key.Key_0: "fit",
}


class GroupTable(QTableView):
    """The group list; also where the review keys land, since it keeps the focus."""

    key_action = Signal(str)

    def __init__(self, model: GroupListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegateForColumn(COL_PHOTO, GroupDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setIconSize(QSize(LIST_PICTURE_SIDE, LIST_PICTURE_SIDE))
        self.setMinimumWidth(200)
        vheader = self.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(52)
        hheader = self.horizontalHeader()
        # Fixed widths from the font: ResizeToContents would measure every row (10,000 groups).
        hheader.setSectionResizeMode(COL_PHOTO, QHeaderView.ResizeMode.Stretch)
        hheader.setSectionResizeMode(COL_FREE, QHeaderView.ResizeMode.Fixed)
        hheader.resizeSection(COL_FREE, self.fontMetrics().horizontalAdvance("999.9 MB") + 16)
        hheader.setHighlightSections(False)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A narrow list gives the size column's room to the names (the size joins line two)."""
        super().resizeEvent(event)
        narrow = self.viewport().width() < NARROW_LIST_WIDTH
        if self.isColumnHidden(COL_FREE) != narrow:
            self.setColumnHidden(COL_FREE, narrow)

    def moveCursor(
        self, cursorAction: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Home and End go to the first and last group (a table would go along the row)."""
        rows = self.model().rowCount()
        if rows and cursorAction == QAbstractItemView.CursorAction.MoveHome:
            return self.model().index(0, COL_PHOTO)
        if rows and cursorAction == QAbstractItemView.CursorAction.MoveEnd:
            return self.model().index(rows - 1, COL_PHOTO)
        return super().moveCursor(cursorAction, modifiers)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        zoom = ZOOM_KEYS.get(Qt.Key(event.key()))
        if zoom is not None and mods & Qt.KeyboardModifier.ControlModifier:
            self.key_action.emit(zoom)
            event.accept()
            return
        action = REVIEW_KEYS.get(Qt.Key(event.key()))
        if action is not None and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            self.key_action.emit(action)
            event.accept()
            return
        super().keyPressEvent(event)
