"""The selected group, side by side: a card per file in a horizontally scrolling strip.

Only this panel holds widgets per file, and only for the one group on show.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.core.units import human_bytes
from dedupe_gui.ui.file_card import CARD_PADDING, CARD_TEXT_LINES, THUMB_BOX, FileCard
from dedupe_gui.ui.group_state import GroupState
from dedupe_gui.ui.thumbnails import ThumbKey, ThumbnailCache
from dedupe_gui.ui.widgets import ElidedLabel

MAX_THUMB_HEIGHT = 420
CARD_SPACING = 10


def card_thumb_edge() -> int:
    """Decode size that stays sharp in the largest frame on this screen's pixel ratio."""
    screen = QApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    return int(MAX_THUMB_HEIGHT * 4 / 3 * max(1.0, ratio))


def thumb_box_for(width: int, height: int, cards: int, line_height: int) -> QSize:
    """The largest 4:3 picture frame that leaves room for a card's text in ``height`` and
    shows up to three cards side by side in ``width``."""
    text = int(CARD_TEXT_LINES * line_height) + 2 * CARD_PADDING + 24
    across = max(1, min(cards, 3))
    by_width = (width - 16 - (across - 1) * CARD_SPACING) // across - 2 * CARD_PADDING
    h = min(MAX_THUMB_HEIGHT, height - text, by_width * 3 // 4)
    h = max(THUMB_BOX.height(), h)
    return QSize(round(h * 4 / 3), h)


class GroupPanel(QWidget):
    toggled = Signal(str, bool)
    keep_requested = Signal(str)
    open_requested = Signal(str)
    reveal_requested = Signal(str)
    compare_requested = Signal(str)
    trash_requested = Signal()
    current_changed = Signal(str)

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thumbs = thumbnails
        self._state: GroupState | None = None
        self._cards: list[FileCard] = []
        self._current = 0
        self._edge = card_thumb_edge()
        self._box = THUMB_BOX
        self._title = ""
        thumbnails.ready.connect(self._thumb_ready)
        thumbnails.failed.connect(self._thumb_failed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        header = QHBoxLayout()
        header.setContentsMargins(8, 4, 8, 0)
        self.title = ElidedLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.summary)
        header.addLayout(titles, 1)
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("Compare the selected file with the keeper, large (Enter)")
        self.compare_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.compare_button.clicked.connect(self._compare_current)
        self.trash_button = QPushButton("Trash marked…")
        self.trash_button.setToolTip("Move the files marked in this group to the trash (Delete)")
        self.trash_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.trash_button.clicked.connect(self.trash_requested)
        header.addWidget(self.compare_button)
        header.addWidget(self.trash_button)
        layout.addLayout(header)

        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.strip = QWidget()
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setContentsMargins(8, 4, 8, 8)
        self.strip_layout.setSpacing(CARD_SPACING)
        self.strip_layout.addStretch(1)
        self.scroller.setWidget(self.strip)
        self.scroller.viewport().installEventFilter(self)
        layout.addWidget(self.scroller, 1)
        self.set_state(None)

    # -- contents ------------------------------------------------------------------------

    @property
    def state(self) -> GroupState | None:
        return self._state

    @property
    def cards(self) -> list[FileCard]:
        return list(self._cards)

    def set_state(self, state: GroupState | None, title: str = "") -> None:
        same_group = state is not None and state is self._state
        current_path = self.current_path() if same_group else None
        self._state = state
        if not same_group:
            self._thumbs.drop_queued()
        for card in self._cards:
            card.setParent(None)
            card.deleteLater()
        self._cards = []
        if state is not None:
            for member in state.members:
                card = FileCard(member)
                card.toggled.connect(self.toggled)
                card.keep_requested.connect(self.keep_requested)
                card.open_requested.connect(self.open_requested)
                card.reveal_requested.connect(self.reveal_requested)
                card.selected.connect(self._select_path)
                card.compare_requested.connect(self.compare_requested)
                self.strip_layout.insertWidget(
                    self.strip_layout.count() - 1, card, 0, Qt.AlignmentFlag.AlignTop
                )
                card.set_thumb_box(self._box)
                card.show()  # a child added to a visible parent starts hidden
                self._cards.append(card)
                self._load(card)
        self._fit_cards()
        self._title = title
        self.title.set_full_text(title)
        paths = [c.path for c in self._cards]
        if current_path in paths:
            self._current = paths.index(current_path)
        else:
            self._current = min(self._current, len(paths) - 1) if same_group else 0
            self.scroller.horizontalScrollBar().setValue(0)
        self.refresh()

    def refresh(self) -> None:
        """Bring every card and the header in line with the state (after a mark changed)."""
        state = self._state
        if state is not None and [c.path for c in self._cards] != [m.path for m in state.members]:
            self.set_state(state, self._title)  # files left the group: their cards go too
            return
        self.compare_button.setEnabled(state is not None and len(state.members) > 1)
        if state is None:
            self.summary.set_full_text("")
            self.trash_button.setEnabled(False)
            return
        for i, card in enumerate(self._cards):
            card.update_from(state)
            card.set_current(i == self._current)
        marked = state.marked_members()
        self.trash_button.setEnabled(bool(marked))
        self.trash_button.setText(f"Trash {len(marked)} marked…" if marked else "Trash marked…")
        files = len(state.members)
        # Figures first and cut from the right: a narrow panel loses words, not the numbers.
        if marked:
            text = (
                f"{human_bytes(state.marked_bytes)} to free  ·  "
                f"{len(marked)} of {files} files marked for the trash"
            )
        else:
            text = f"{files} files  ·  nothing marked"
        self.summary.set_full_text(text)

    def _load(self, card: FileCard) -> None:
        key = ThumbKey.of(card.member.record, self._edge)
        image = self._thumbs.get(key)
        if image is not None:
            card.set_image(image)
        elif (reason := self._thumbs.error(key)) is not None:
            card.set_failed(reason)

    def _thumb_ready(self, key: ThumbKey) -> None:
        if key.edge != self._edge:
            return
        for card in self._cards:
            if ThumbKey.of(card.member.record, self._edge) == key:
                image = self._thumbs.get(key)
                if image is not None:
                    card.set_image(image)

    def _thumb_failed(self, key: ThumbKey, reason: str) -> None:
        for card in self._cards:
            if ThumbKey.of(card.member.record, self._edge) == key:
                card.set_failed(reason)

    # -- current file ----------------------------------------------------------------------

    def current_path(self) -> str | None:
        return self._cards[self._current].path if self._cards else None

    def set_current(self, index: int) -> None:
        if not self._cards:
            return
        index = max(0, min(index, len(self._cards) - 1))
        self._current = index
        for i, card in enumerate(self._cards):
            card.set_current(i == index)
        self.scroller.ensureWidgetVisible(self._cards[index], 20, 0)
        self.current_changed.emit(self._cards[index].path)

    def move_current(self, step: int) -> None:
        self.set_current(self._current + step)

    def _select_path(self, path: str) -> None:
        for i, card in enumerate(self._cards):
            if card.path == path:
                self.set_current(i)

    def _compare_current(self) -> None:
        path = self.current_path()
        if path is not None:
            self.compare_requested.emit(path)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroller.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_cards()
        return super().eventFilter(watched, event)

    def _fit_cards(self) -> None:
        viewport = self.scroller.viewport()
        box = thumb_box_for(
            viewport.width(),
            viewport.height() - 12,
            len(self._cards),
            self.fontMetrics().lineSpacing(),
        )
        if box != self._box:
            self._box = box
            for card in self._cards:
                card.set_thumb_box(box)

    def sizeHint(self) -> QSize:
        return QSize(3 * 266 + 20, 420)
