"""The list of groups as a Qt table model: one row per group, no widget per row.

Rows hold ``ReviewGroup`` objects (compared by identity). The first column shows the
keeper's thumbnail, fetched through the thumbnail cache only when the view asks for a
visible row's decoration, so 10,000 groups cost nothing until they are scrolled into view.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import ReviewGroup
from dedupe_gui.ui.thumbnails import ThumbKey, ThumbnailCache

Index = QModelIndex | QPersistentModelIndex

LIST_THUMB_EDGE = 96  # device pixels; drawn at LIST_PICTURE_SIDE logical px
LIST_PICTURE_SIDE = 44  # logical pixels of a row's picture in the group list
MAX_REMOVED_RUNS = 16  # rows leaving in more runs than this: one reset instead

COL_PHOTO, COL_FREE = range(2)
REVIEWED_COLOUR = "#2e9d4f"  # the tick of a group looked at: green on light and dark rows
HEADERS = ("Group", "To free")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 2  # second line under the name: how alike
FAILED_ROLE = Qt.ItemDataRole.UserRole + 3  # True when files of the group were not removed
REVIEWED_ROLE = Qt.ItemDataRole.UserRole + 4  # True once the user has looked at the group


def match_text(state: ReviewGroup) -> str:
    members = state.members
    if state.failures():
        n = len(state.failures())
        return f"{n} not removed"
    files = f"{len(members)} files"
    if len(members) > 1 and all(m.identical for m in members[1:]):
        return f"{files}, exact copies"
    worst = max((m.distance for m in members), default=0)
    return f"{files}, same picture" if worst == 0 else f"{files}, similar (≤ {worst})"


class GroupListModel(QAbstractTableModel):
    def __init__(self, thumbnails: ThumbnailCache, parent: Any = None) -> None:
        super().__init__(parent)
        self._states: list[ReviewGroup] = []
        self._thumbs = thumbnails
        self._pixmaps: dict[ThumbKey, QPixmap] = {}
        self._blank: QPixmap | None = None
        self._rows: dict[int, int] | None = None  # id(state) -> row, rebuilt after changes
        thumbnails.ready.connect(self._thumb_ready)

    # -- contents ------------------------------------------------------------------------

    def set_states(self, states: Sequence[ReviewGroup]) -> None:
        self.beginResetModel()
        self._states = list(states)
        self._rows = None
        self._pixmaps.clear()
        self.endResetModel()

    def states(self) -> list[ReviewGroup]:
        return list(self._states)

    def state(self, row: int) -> ReviewGroup | None:
        return self._states[row] if 0 <= row < len(self._states) else None

    def row_of(self, state: ReviewGroup) -> int:
        """The row of ``state`` (-1 if gone): a map look-up, since every mark toggle asks."""
        if self._rows is None:
            self._rows = rows_by_id(self._states)
        return self._rows.get(id(state), -1)

    def refresh(self, state: ReviewGroup) -> None:
        row = self.row_of(state)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def refresh_many(self, states: Sequence[ReviewGroup]) -> None:
        """The rows of ``states`` in one signal over the span they lie in, found without a
        Python call per group: a cleanup refreshes as many groups as it got through since
        the last refresh, thousands on a busy machine, and a signal per row held the GUI
        thread a Python call or more per group. The view repaints only the rows on screen,
        however wide the span."""
        if self._rows is None:
            self._rows = rows_by_id(self._states)
        rows = [row for row in map(self._rows.get, map(id, states)) if row is not None]
        if rows:
            last = len(HEADERS) - 1
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def remove(self, states: Sequence[ReviewGroup]) -> None:
        """Take rows out one contiguous run at a time, so selections elsewhere survive; where
        they lie in many runs (each run costs the view a pass over every row), the rows left
        are set anew in one reset instead, and the caller selects again."""
        doomed = set(map(id, states))
        if not doomed:
            return
        # Row by row without a Python call per row (a cleanup can take thousands of rows).
        leaving = list(map(doomed.__contains__, map(id, self._states)))
        runs = sum(map(operator.gt, leaving, [False, *leaving[:-1]]))
        if runs > MAX_REMOVED_RUNS:
            staying = zip(self._states, leaving, strict=True)
            self.set_states([s for s, out in staying if not out])
            return
        spans, row = [], 0
        for out, run in itertools.groupby(leaving):
            n = len(list(run))
            if out:
                spans.append((row, row + n - 1))
            row += n
        for first, last in reversed(spans):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._states[first : last + 1]
            self._rows = None
            self.endRemoveRows()

    # -- Qt model interface --------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._states)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        state = self._states[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(state, col)
        if role == SORT_ROLE:
            return self._sort_value(state, col)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_PHOTO:
            return self._decoration(state)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(state, col)
        if role == DETAIL_ROLE:
            return match_text(state)
        if role == FAILED_ROLE:
            return bool(state.failures())
        if role == REVIEWED_ROLE:
            return state.reviewed
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_FREE and not state.marked:
            return QApplication.palette().color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_FREE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, state: ReviewGroup, col: int) -> str:
        if col == COL_PHOTO:
            return os.path.basename(state.keeper.path) or state.keeper.path
        if col == COL_FREE:
            return human_bytes(state.marked_bytes) if state.marked else "—"
        return ""

    def _sort_value(self, state: ReviewGroup, col: int) -> Any:
        if col == COL_PHOTO:
            return state.keeper.path.lower()
        return state.marked_bytes

    def _tooltip(self, state: ReviewGroup, col: int) -> str:
        lines = [state.keeper.path, match_text(state)]
        lines.append("Looked at" if state.reviewed else "Not looked at yet")
        lines += [f"{os.path.basename(o.path)}: {o.reason}" for o in state.failures()]
        return "\n".join(lines)

    def _decoration(self, state: ReviewGroup) -> QPixmap | None:
        key = ThumbKey.of(state.keeper.record, LIST_THUMB_EDGE)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            return pixmap
        image = self._thumbs.get(key)
        if image is None:
            return self._placeholder()
        pixmap = _square_pixmap(image, LIST_PICTURE_SIDE)
        if len(self._pixmaps) > 2000:
            self._pixmaps.clear()
        self._pixmaps[key] = pixmap
        return pixmap

    def picture_settled(self, row: int) -> bool:
        """Whether row ``row`` shows what it will show: its keeper's picture, or the empty
        square of a picture that could not be read (asking loads it, as the view does). For
        tools that wait for what a person would see, such as the screenshot tour."""
        if not 0 <= row < len(self._states):
            return False
        key = ThumbKey.of(self._states[row].keeper.record, LIST_THUMB_EDGE)
        return (
            key in self._pixmaps
            or self._thumbs.get(key) is not None
            or (self._thumbs.error(key) is not None)
        )

    def _placeholder(self) -> QPixmap:
        """An empty square where a picture is still loading or cannot be read: every row's
        name starts at one place instead of jumping right when its picture arrives."""
        if self._blank is None:
            ratio = _screen_ratio()
            side = max(1, round(LIST_PICTURE_SIDE * ratio))
            self._blank = QPixmap(side, side)
            self._blank.fill(Qt.GlobalColor.transparent)
            self._blank.setDevicePixelRatio(ratio)
        return self._blank

    def _thumb_ready(self, key: ThumbKey) -> None:
        if key.edge != LIST_THUMB_EDGE:
            return
        if self._states:
            # One signal for the column: the view repaints only the rows it shows, while
            # finding the keeper's row would walk every group for every arriving picture.
            last = self.index(len(self._states) - 1, COL_PHOTO)
            self.dataChanged.emit(self.index(0, COL_PHOTO), last, [Qt.ItemDataRole.DecorationRole])

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key: Callable[[ReviewGroup], Any] = lambda s: self._sort_value(s, column)  # noqa: E731
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_states = [self._states[i.row()] for i in old]
        self._states.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self._rows = where = rows_by_id(self._states)
        self.changePersistentIndexList(
            old,
            [self.index(where[id(s)], i.column()) for s, i in zip(old_states, old, strict=True)],
        )
        self.layoutChanged.emit()


def rows_by_id(states: Sequence[ReviewGroup]) -> dict[int, int]:
    """Each group's row, by ``id``; built without a Python call per row (20,000 groups)."""
    return dict(zip(map(id, states), range(len(states)), strict=True))


def second_line(index: Index, narrow: bool) -> str:
    """A row's second line: how alike the group is, led by the bytes to free when the list is
    too narrow for its own size column."""
    detail = str(index.data(DETAIL_ROLE) or "")
    if narrow:
        free = index.model().index(index.row(), COL_FREE).data()
        if free:
            detail = f"{free}  ·  {detail}"
    return detail


class GroupDelegate(QStyledItemDelegate):
    """The first column in two lines: the keeper's name, and how alike the group is."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        view = opt.widget
        detail = second_line(index, isinstance(view, QTableView) and view.isColumnHidden(COL_FREE))
        failed = bool(index.data(FAILED_ROLE))
        name = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        rect = rect.adjusted(2, 0, -2, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_colour = pal.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        fm_bold = QFontMetrics(bold)
        fm = QFontMetrics(opt.font)
        top = rect.top() + (rect.height() - fm_bold.height() - fm.height()) // 2
        name_width = rect.width()
        if index.data(REVIEWED_ROLE):
            # A tick at the end of the name: this group has been looked at.
            tick = "✓"
            tick_width = fm_bold.horizontalAdvance(tick) + 4
            name_width -= tick_width
            painter.setFont(bold)
            painter.setPen(text_colour if selected else QColor(REVIEWED_COLOUR))
            painter.drawText(
                QRect(rect.right() - tick_width + 4, top, tick_width, fm_bold.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                tick,
            )
        painter.setFont(bold)
        painter.setPen(text_colour)
        painter.drawText(
            QRect(rect.left(), top, name_width, fm_bold.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm_bold.elidedText(name, Qt.TextElideMode.ElideMiddle, name_width),
        )
        painter.setFont(opt.font)
        if failed and not selected:
            painter.setPen(QColor("#b3261e"))
        else:
            muted = QColor(text_colour)
            muted.setAlphaF(0.7)
            painter.setPen(muted)
        painter.drawText(
            QRect(rect.left(), top + fm_bold.height(), rect.width(), fm.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            fm.elidedText(detail, Qt.TextElideMode.ElideRight, rect.width()),
        )
        painter.restore()


def _screen_ratio() -> float:
    screen = QApplication.primaryScreen()
    return screen.devicePixelRatio() if screen else 1.0


def _square_pixmap(image: QImage, side: int) -> QPixmap:
    """The centre square of ``image`` at ``side`` logical pixels, sharp on HiDPI screens."""
    ratio = _screen_ratio()
    px = max(1, round(side * ratio))
    scaled = image.scaled(
        px,
        px,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    x = (scaled.width() - px) // 2
    y = (scaled.height() - px) // 2
    pixmap = QPixmap.fromImage(scaled.copy(x, y, px, px))
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
