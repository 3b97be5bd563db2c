"""The selected group, compare-first: the keeper pinned on the left, the other files beside it
in a grid that wraps and scrolls, every picture as large as the pane allows.

The heading (which group, what is marked, the size control and the group's buttons) sits
above the pictures and never scrolls away. Only this panel holds widgets per file, and only
for the one group on show.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import ReviewGroup
from dedupe_gui.review.paths import shorten
from dedupe_gui.ui import card_grid
from dedupe_gui.ui.card_grid import GridPlan, plan_grid
from dedupe_gui.ui.file_card import THUMB_BOX, FileCard
from dedupe_gui.ui.thumbnails import ThumbKey, ThumbnailCache
from dedupe_gui.ui.widgets import ElidedLabel

# Decode sizes (long side, device pixels): a picture is decoded once at the smallest of
# these that covers its frame, so resizing the window rarely decodes again.
DECODE_EDGES = (384, 768, 1280, 2048)
NARROW_HEADER = 640  # below this pane width the size slider is hidden
ZOOM_STEPS = (160, 200, 260, 320, 400, 500, 640, 800, 1000, 1300)


def decode_edge(long_side: int, ratio: float) -> int:
    need = long_side * max(1.0, ratio)
    return next((e for e in DECODE_EDGES if e >= need), DECODE_EDGES[-1])


class GroupPanel(QWidget):
    toggled = Signal(str, bool)
    keep_requested = Signal(str)
    open_requested = Signal(str)
    reveal_requested = Signal(str)
    compare_requested = Signal(str)
    trash_requested = Signal()

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thumbs = thumbnails
        self._state: ReviewGroup | None = None
        self._cards: list[FileCard] = []  # keeper first, then the others in group order
        self._current = 0
        self._plan = GridPlan(THUMB_BOX.width(), THUMB_BOX.height(), 1, False)
        self._edge = DECODE_EDGES[0]
        self._zoom: int | None = None  # None: fit to the pane
        self._title = ""
        self._where = ""
        thumbnails.ready.connect(self._thumb_ready)
        thumbnails.failed.connect(self._thumb_failed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        header = QHBoxLayout()
        header.setContentsMargins(8, 4, 8, 0)
        self.title = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
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

        size_label = QLabel("Size")
        size_label.setToolTip("Picture size (Ctrl+plus, Ctrl+minus)")
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(0, len(ZOOM_STEPS) - 1)
        self.size_slider.setPageStep(1)
        self.size_slider.setFixedWidth(90)
        self.size_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.size_slider.setToolTip("Picture size (Ctrl+plus, Ctrl+minus)")
        self.size_slider.valueChanged.connect(self._slider_moved)
        self.fit_button = QToolButton()
        self.fit_button.setText("Fit")
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.fit_button.setToolTip("Pictures as large as the pane allows (Ctrl+0)")
        self.fit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fit_button.clicked.connect(lambda: self.set_zoom(None))
        self.compare_button = QPushButton("Compare…")
        self.compare_button.setToolTip("Compare the selected file with the keeper, large (Enter)")
        self.compare_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.compare_button.clicked.connect(self._compare_current)
        self.trash_button = QPushButton("Trash marked…")
        self.trash_button.setObjectName("destructive")
        self.trash_button.setToolTip("Move the files marked in this group to the trash (Delete)")
        self.trash_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.trash_button.clicked.connect(self.trash_requested)
        self._size_controls = (size_label, self.size_slider)
        for w in (size_label, self.size_slider, self.fit_button):
            header.addWidget(w)
        header.addSpacing(8)
        header.addWidget(self.compare_button)
        header.addWidget(self.trash_button)
        layout.addLayout(header)

        # The keeper's column, then a divider, then the grid of the others.
        self.body = QWidget()
        body = QHBoxLayout(self.body)
        body.setContentsMargins(card_grid.MARGIN, card_grid.MARGIN, 0, 0)
        body.setSpacing(0)
        self.keeper_slot = QWidget()
        self.keeper_layout = QVBoxLayout(self.keeper_slot)
        self.keeper_layout.setContentsMargins(0, 0, 0, card_grid.MARGIN)
        self.keeper_layout.addStretch(1)
        body.addWidget(self.keeper_slot, 0)
        divider = QFrame()
        divider.setFrameShape(QFrame.Shape.VLine)
        divider.setFrameShadow(QFrame.Shadow.Sunken)
        body.addSpacing((card_grid.DIVIDER - 2) // 2)
        body.addWidget(divider)
        body.addSpacing((card_grid.DIVIDER - 2) // 2)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, card_grid.MARGIN, card_grid.MARGIN)
        self.grid.setSpacing(card_grid.SPACING)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.scroller.setWidget(self.grid_host)
        body.addWidget(self.scroller, 1)
        layout.addWidget(self.body, 1)
        self.body.installEventFilter(self)
        self.keeper_slot.installEventFilter(self)
        self._sync_slider()
        self.set_state(None)

    # -- contents ------------------------------------------------------------------------

    @property
    def state(self) -> ReviewGroup | None:
        return self._state

    @property
    def cards(self) -> list[FileCard]:
        """The cards as shown: the keeper first, then the others in the group's order."""
        return list(self._cards)

    @property
    def plan(self) -> GridPlan:
        return self._plan

    def set_state(self, state: ReviewGroup | None, title: str = "") -> None:
        same_group = state is not None and state is self._state
        current_path = self.current_path() if same_group else None
        self._state = state
        if not same_group:
            self._thumbs.drop_queued()
        for card in self._cards:
            card.setParent(None)
            card.deleteLater()
        self._cards = []
        self._where = ""
        if state is not None:
            members = state.members
            short = shorten([m.path for m in members], str(Path.home()))
            self._where = short.common if len(members) > 1 else ""
            folders = dict(zip((m.path for m in members), short.folders, strict=True))
            keeper = state.keeper
            for member in [keeper, *(m for m in members if m is not keeper)]:
                card = FileCard(member, folders[member.path])
                card.toggled.connect(self.toggled)
                card.keep_requested.connect(self.keep_requested)
                card.open_requested.connect(self.open_requested)
                card.reveal_requested.connect(self.reveal_requested)
                card.selected.connect(self._select_path)
                card.compare_requested.connect(self.compare_requested)
                self._cards.append(card)
        self._place_cards()
        for card in self._cards:
            self._load(card)
        self.set_title(title)
        paths = [c.path for c in self._cards]
        if current_path in paths:
            self._current = paths.index(current_path)
        else:
            self._current = min(self._current, len(paths) - 1) if same_group else 0
            self.scroller.verticalScrollBar().setValue(0)
        self.refresh()

    def set_title(self, title: str) -> None:
        """The heading, e.g. "Group 9 of 123", with the folder the group's files share."""
        self._title = title
        where = f"  ·  in {self._where}" if self._where else ""
        self.title.set_full_text(
            title + where, (title + (f"\nAll in {self._where}" if self._where else "")).strip()
        )

    def refresh(self) -> None:
        """Bring every card and the header in line with the state (after a mark changed)."""
        state = self._state
        if state is not None and (
            sorted(c.path for c in self._cards) != sorted(m.path for m in state.members)
            or (self._cards and self._cards[0].path != state.keeper.path)
        ):
            # Files left the group, or another file is now the keeper: lay the cards out
            # again, the keeper on the left, the selection following its file.
            self.set_state(state, self._title)
            return
        self.compare_button.setEnabled(state is not None and len(state.members) > 1)
        if state is None:
            self.summary.set_full_text("")
            self.trash_button.setEnabled(False)
            self.trash_button.setText("Trash marked…")
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

    def _place_cards(self) -> None:
        """Size the frames for this pane and this group, then put the keeper in its column
        and the others in the grid."""
        plan = self._compute_plan()
        self._plan = plan
        box = QSize(plan.box_width, plan.box_height)
        screen = QApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
        edge = decode_edge(plan.long_side, ratio)
        reload = edge != self._edge
        self._edge = edge
        while self.grid.count():
            self.grid.takeAt(0)
        if self.keeper_layout.count() > 1:
            self.keeper_layout.takeAt(0)
        for i, card in enumerate(self._cards):
            card.set_thumb_box(box)
            if i == 0:
                self.keeper_layout.insertWidget(0, card, 0, Qt.AlignmentFlag.AlignTop)
            else:
                row, column = divmod(i - 1, plan.columns)
                self.grid.addWidget(card, row, column, Qt.AlignmentFlag.AlignTop)
            card.show()  # a child added to a visible parent starts hidden
            if reload:
                self._load(card)
        self.keeper_slot.setFixedWidth(plan.box_width + 2 * card_grid.PADDING)

    def _compute_plan(self) -> GridPlan:
        if not self._cards:
            return self._plan
        text = max(c.text_height() for c in self._cards)
        aspects = sorted(
            fp.width / fp.height
            for c in self._cards
            if (fp := c.member.record.fingerprint).width > 0 and fp.height > 0
        )
        aspect = aspects[len(aspects) // 2] if aspects else 4 / 3
        return plan_grid(
            self.body.width(), self.body.height(), len(self._cards) - 1, text, aspect, self._zoom
        )

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

    # -- size ------------------------------------------------------------------------------

    def set_zoom(self, long_side: int | None) -> None:
        """Pictures ``long_side`` pixels long, or as large as the pane allows (None)."""
        self._zoom = long_side
        self._sync_slider()
        self._place_cards()
        self.refresh()

    def zoom_by(self, steps: int) -> None:
        current = self._zoom if self._zoom is not None else self._plan.long_side
        index = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - current))
        index = max(0, min(len(ZOOM_STEPS) - 1, index + steps))
        self.set_zoom(ZOOM_STEPS[index])

    def _sync_slider(self) -> None:
        current = self._zoom if self._zoom is not None else self._plan.long_side
        index = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - current))
        self.size_slider.blockSignals(True)
        self.size_slider.setValue(index)
        self.size_slider.blockSignals(False)
        self.fit_button.setChecked(self._zoom is None)

    def _slider_moved(self, index: int) -> None:
        self.set_zoom(ZOOM_STEPS[index])

    def key_action(self, action: str) -> None:
        """Review keys that concern only the pictures (the list forwards every key)."""
        if action == "zoom_in":
            self.zoom_by(1)
        elif action == "zoom_out":
            self.zoom_by(-1)
        elif action == "fit":
            self.set_zoom(None)

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
        if index > 0:
            self.scroller.ensureWidgetVisible(self._cards[index], 0, card_grid.MARGIN)

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
        if watched is self.body and event.type() == QEvent.Type.Resize:
            if self._cards and self._compute_plan() != self._plan:
                self._place_cards()
                self._sync_slider()
        elif (
            watched is self.keeper_slot
            and event.type() == QEvent.Type.Wheel
            and isinstance(event, QWheelEvent)
        ):
            # The wheel over the pinned keeper scrolls the others, as it would beside it.
            bar = self.scroller.verticalScrollBar()
            bar.setValue(bar.value() - event.angleDelta().y())
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """A narrow pane keeps the heading's words: the size slider gives way (Fit and the
        Ctrl+plus/minus keys remain)."""
        super().resizeEvent(event)
        wide = self.width() >= NARROW_HEADER
        for w in self._size_controls:
            if w.isVisibleTo(self) != wide:
                w.setVisible(wide)

    def sizeHint(self) -> QSize:
        return QSize(3 * 266 + 20, 420)
