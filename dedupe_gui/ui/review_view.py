"""The review on screen: the group list and the selected group, bound to the review session.

A thin adapter: gestures on the list and the cards become session operations (mark, keep,
undo, reset, reviewed), and the groups the session says changed are repainted. The session
decides; this class never changes a group itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from dedupe_gui.core.models import GroupMember
from dedupe_gui.review import CleanupSummary, FileIdentity, ReviewGroup, ReviewSession
from dedupe_gui.review.differences import said_words
from dedupe_gui.review.group import member_distance
from dedupe_gui.ui.compare_dialog import CompareDialog
from dedupe_gui.ui.group_model import COL_PHOTO, GroupListModel
from dedupe_gui.ui.group_panel import GroupPanel
from dedupe_gui.ui.group_table import GroupTable
from dedupe_gui.ui.throttle import Throttle
from dedupe_gui.ui.thumbnails import ThumbnailCache

StatusFunction = Callable[[str, int], None]


class ReviewView(QObject):
    changed = Signal()  # marks, the group on show or the list changed: refresh totals, actions
    groups_shown = Signal()  # a new set of groups is on show

    def __init__(
        self,
        session: ReviewSession,
        model: GroupListModel,
        table: GroupTable,
        panel: GroupPanel,
        compare_images: ThumbnailCache,
        window: QWidget,
        status: StatusFunction,
    ) -> None:
        super().__init__(window)
        self.session, self.model, self.table, self.panel = session, model, table, panel
        self._compare_images = compare_images
        self._window = window
        self._status = status
        self.compare_dialog: CompareDialog | None = None
        self._to_refresh: dict[int, ReviewGroup] = {}
        self._refresh_later = Throttle.coalesce(100, self._flush, self)
        table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        table.doubleClicked.connect(lambda _i: self.compare_current())
        table.key_action.connect(self.key_action)
        table.key_action.connect(panel.key_action)  # picture size keys
        panel.toggled.connect(self.mark)
        panel.keep_requested.connect(self.keep_file)
        panel.compare_requested.connect(self.compare_with_keeper)
        panel.open_requested.connect(self.open_file)
        panel.reveal_requested.connect(self.reveal_file)

    # -- the groups and the current one -----------------------------------------------------

    def show_groups(self, anchor: FileIdentity | None) -> None:
        """Show the session's groups, the one holding ``anchor`` selected (else the first)."""
        header = self.table.horizontalHeader()
        self.model.set_states(self.session.groups)
        if 0 <= header.sortIndicatorSection() < self.model.columnCount():
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        group = self.session.group_of(anchor)
        self.select_row(max(0, self.model.row_of(group)) if group is not None else 0)
        self.groups_shown.emit()

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_state(self) -> ReviewGroup | None:
        return self.model.state(self.current_row())

    def select_row(self, row: int) -> None:
        if self.model.rowCount() == 0:
            self.panel.set_state(None)
            self.changed.emit()
            return
        index = self.model.index(max(0, min(row, self.model.rowCount() - 1)), COL_PHOTO)
        flags = QItemSelectionModel.SelectionFlag
        self.table.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        self.table.scrollTo(index)
        self._show_current()

    def _current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current()

    def group_title(self) -> str:
        rows = self.model.rowCount()
        return f"Group {self.current_row() + 1:,} of {rows:,}" if self.current_state() else ""

    def _show_current(self) -> None:
        group = self.current_state()
        if group is not self.panel.state:
            self.panel.set_state(group, self.group_title())
            if group is not None and self.session.mark_reviewed(group):
                self.model.refresh(group)
        self.changed.emit()

    def key_action(self, action: str) -> None:
        path = self.panel.current_path()
        if action in ("previous", "next") and self.current_state() is not None:
            self.panel.move_current(-1 if action == "previous" else 1)
        elif action == "toggle" and path is not None:
            self.toggle_mark(path)
        elif action == "keep" and path is not None:
            self.keep_file(path)
        elif action == "compare":
            self.compare_current()

    # -- decisions ----------------------------------------------------------------------------

    def toggle_mark(self, path: str) -> None:
        group = self.current_state()
        if group is not None:
            self.mark(path, path not in group.marked)

    def mark(self, path: str, marked: bool) -> None:
        group = self.current_state()
        if group is None:
            return
        result = self.session.mark(group, path, marked)
        if result.refused:
            self._status(result.refused, 6000)
        self.refresh(result.changed or (group,))  # a refused card goes back to its state

    def keep_file(self, path: str) -> None:
        group = self.current_state()
        if group is None:
            return
        result = self.session.keep(group, path)
        if result.larger_marked:
            names = ", ".join(os.path.basename(m.path) for m in result.larger_marked)
            self._status(f"Marked for the trash, and larger than the file you keep: {names}", 10000)
        self.refresh(result.changed)

    def undo(self) -> None:
        self.refresh(self.session.undo())

    def redo(self) -> None:
        self.refresh(self.session.redo())

    def reset_marks(self) -> None:
        self.refresh(self.session.reset())

    def refresh(self, groups: Sequence[ReviewGroup]) -> None:
        """Repaint ``groups`` (any number: a cleanup's outcomes, a reset of every mark) with
        the same few calls on the GUI thread, whatever their number."""
        shown = self.panel.state
        if shown is not None and id(shown) in set(map(id, groups)):
            self.panel.refresh()
        self.model.refresh_many(groups)
        self.changed.emit()

    def refresh_soon(self, group: ReviewGroup) -> None:
        """Coalesce refreshes while outcomes stream in: one per 100 ms, not one per file."""
        self._to_refresh[id(group)] = group
        self._refresh_later.poke()

    def _flush(self) -> None:
        groups, self._to_refresh = list(self._to_refresh.values()), {}
        if groups:
            self.refresh(groups)

    def cleanup_done(self, summary: CleanupSummary) -> None:
        """Resolved groups leave the list; the others show their outcomes."""
        self._refresh_later.flush()
        row, current = self.current_row(), self.panel.state
        self.model.remove(list(summary.resolved))
        if current is not None and any(g is current for g in summary.resolved):
            self.select_row(min(row, self.model.rowCount() - 1))
        elif current is not None:
            if self.model.row_of(current) != self.current_row():  # the rows were set anew
                self.select_row(self.model.row_of(current))
            self.panel.refresh()
        self.changed.emit()

    # -- comparing ----------------------------------------------------------------------------

    def compare_current(self) -> None:
        path = self.panel.current_path()
        if path is not None:
            self.compare_with_keeper(path)

    def compare_with_keeper(self, path: str) -> None:
        """The file beside the keeper (the keeper beside its closest copy)."""
        group = self.current_state()
        if group is None or len(group.members) < 2:
            return
        keeper, member = group.keeper, group.member(path)
        if member is None:
            return
        if member is keeper:
            others = [m for m in group.members if m is not keeper]
            member = min(others, key=lambda m: member_distance(m, keeper))
        if self.compare_dialog is not None:
            self.compare_dialog.close()
        roles = {
            m.path: "keeper"
            if m is keeper
            else ("marked for the trash" if m.path in group.marked else "kept")
            for m in group.members
        }
        said = {member.path: said_words(member, keeper, group.group.suggested_keeper)}
        dialog = self.make_compare_dialog(keeper, member, roles, said)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda _obj=None: self._compare_closed(dialog))
        self.compare_dialog = dialog
        dialog.open()

    def make_compare_dialog(
        self,
        left: GroupMember,
        right: GroupMember,
        roles: dict[str, str],
        said: dict[str, tuple[str, ...]] | None = None,
    ) -> CompareDialog:
        return CompareDialog(left, right, roles, self._compare_images, self._window, said)

    def _compare_closed(self, dialog: CompareDialog) -> None:
        if self.compare_dialog is dialog:
            self.compare_dialog = None

    # -- the file on the desktop ------------------------------------------------------------

    def open_current(self) -> None:
        self.open_file(self.panel.current_path() or "")

    def reveal_current(self) -> None:
        self.reveal_file(self.panel.current_path() or "")

    def open_file(self, path: str) -> None:
        from dedupe_gui.ui.desktop import open_file

        if path and not open_file(path):
            self._status(f"No application could open {path}", 8000)

    def reveal_file(self, path: str) -> None:
        from dedupe_gui.ui.desktop import reveal_file

        if path:
            reveal_file(path, self._window)
