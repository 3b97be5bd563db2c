"""Two files of a group, large, with zoom and pan locked together.

Both pictures are scaled into the same scene size (the wider original's pixel width), so a
resized copy lines up with its original and the same zoom and scroll position show the
same detail of both. A transform scale of 1 is 100 % of the larger original.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.core.companions import describe as describe_companions
from dedupe_gui.core.models import GroupMember
from dedupe_gui.core.units import human_bytes
from dedupe_gui.review.group import member_distance as distance
from dedupe_gui.ui.file_card import cue_colour, resolution_text, shown_date
from dedupe_gui.ui.thumbnails import ThumbKey, ThumbnailCache
from dedupe_gui.ui.widgets import ElidedLabel

COMPARE_EDGE = 2560
ZOOM_STEP = 1.25


class ImagePane(QGraphicsView):
    """One side: wheel zooms around the pointer, dragging pans; both reported to the dialog."""

    zoomed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setBackgroundBrush(self.palette().dark())
        self.setMinimumSize(200, 150)
        self.message = QLabel("Loading…", self.viewport())
        self.message.setStyleSheet("color: white; background: transparent;")
        self.message.move(12, 12)

    def show_image(self, image: QImage, scene_width: float) -> None:
        self.item.setPixmap(QPixmap.fromImage(image))
        self.item.setScale(scene_width / max(1, image.width()))
        self.scene().setSceneRect(self.item.sceneBoundingRect())
        self.message.hide()

    def show_placeholder(self, width: float, height: float, message: str) -> None:
        self.item.setPixmap(QPixmap())
        self.scene().setSceneRect(QRectF(0, 0, width, height))
        self.message.setText(message)
        self.message.adjustSize()
        self.message.show()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoomed.emit(ZOOM_STEP**steps)
        event.accept()


class SidePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.name = ElidedLabel()
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.folder = ElidedLabel()
        self.facts = ElidedLabel()
        self.date = ElidedLabel()
        self.companions = ElidedLabel()  # what goes with the file: Live video, sidecars
        # What the check saw differ from the keeper, highlighted as on the cards.
        self.differs = ElidedLabel()
        layout.addWidget(self.name)
        layout.addWidget(self.folder)
        layout.addWidget(self.facts)
        layout.addWidget(self.date)
        layout.addWidget(self.companions)
        layout.addWidget(self.differs)

    def show_member(self, member: GroupMember, role: str, said: tuple[str, ...] = ()) -> None:
        name = os.path.basename(member.path)
        self.name.set_full_text(f"{name}  —  {role}" if role else name, member.path)
        self.folder.set_full_text(os.path.dirname(member.path), member.path)
        r = member.record
        self.facts.set_full_text(
            f"{resolution_text(member)}  ·  {human_bytes(r.key.size)}  ·  {r.fingerprint.format}"
        )
        self.date.set_full_text(shown_date(member))
        self.companions.set_full_text(
            describe_companions(member.companions),
            "\n".join(c.path for c in member.companions),
        )
        self.companions.setVisible(bool(member.companions))
        words = ", ".join(said)
        self.differs.set_full_text(words, f"Next to the keeper's picture: {words}")
        self.differs.setStyleSheet(f"color: {cue_colour(self.palette()).name()}")
        self.differs.setVisible(bool(said))


class CompareDialog(QDialog):
    def __init__(
        self,
        left: GroupMember,
        right: GroupMember,
        roles: dict[str, str],
        images: ThumbnailCache,
        parent: QWidget | None = None,
        said: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """``said``: by path, what the check saw differ from the keeper
        (review.differences.said_words)."""
        super().__init__(parent)
        self.setWindowTitle("Compare")
        self._said = said or {}
        self.setModal(True)
        self._images = images
        self._roles = roles
        self.members = [left, right]
        self.panes = [ImagePane(), ImagePane()]
        self.sides = [SidePanel(), SidePanel()]
        self._syncing = False
        self._fitted = True

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        for col in range(2):
            grid.addWidget(self.panes[col], 0, col)
            grid.addWidget(self.sides[col], 1, col)
            grid.setColumnStretch(col, 1)
            pane = self.panes[col]
            pane.zoomed.connect(lambda f, c=col: self._zoom(f, c))
            pane.horizontalScrollBar().valueChanged.connect(
                lambda v, c=col: self._sync_scroll(c, Qt.Orientation.Horizontal, v)
            )
            pane.verticalScrollBar().valueChanged.connect(
                lambda v, c=col: self._sync_scroll(c, Qt.Orientation.Vertical, v)
            )
        self.distance_label = QLabel()

        buttons = QHBoxLayout()
        self.swap_button = QPushButton("Swap sides")
        self.swap_button.setToolTip("S")
        self.swap_button.clicked.connect(self.swap)
        fit = QPushButton("Fit")
        fit.setToolTip("F or 0")
        fit.clicked.connect(self.fit)
        actual = QPushButton("100 %")
        actual.setToolTip("1")
        actual.clicked.connect(self.actual_size)
        zoom_in = QPushButton("Zoom in")
        zoom_in.setToolTip("+ or the mouse wheel")
        zoom_in.clicked.connect(lambda: self._zoom(ZOOM_STEP, 0))
        zoom_out = QPushButton("Zoom out")
        zoom_out.setToolTip("-")
        zoom_out.clicked.connect(lambda: self._zoom(1 / ZOOM_STEP, 0))
        for b in (self.swap_button, fit, actual, zoom_in, zoom_out):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.distance_label)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addLayout(buttons)

        for keys, slot in (
            (("S",), self.swap),
            (("F", "0"), self.fit),
            (("1",), self.actual_size),
            (("+", "="), lambda: self._zoom(ZOOM_STEP, 0)),
            (("-",), lambda: self._zoom(1 / ZOOM_STEP, 0)),
        ):
            for key in keys:
                QShortcut(QKeySequence(key), self, slot)
        images.ready.connect(self._image_ready)
        images.failed.connect(self._image_failed)
        self.resize(1100, 720)
        self._show()

    def _scene_width(self) -> float:
        return float(max(m.record.fingerprint.width for m in self.members))

    def _show(self) -> None:
        width = self._scene_width()
        for col, member in enumerate(self.members):
            self.sides[col].show_member(
                member, self._roles.get(member.path, ""), self._said.get(member.path, ())
            )
            fp = member.record.fingerprint
            key = ThumbKey.of(member.record, COMPARE_EDGE)
            image = self._images.get(key)
            if image is not None:
                self.panes[col].show_image(image, width)
            else:
                reason = self._images.error(key)
                height = width * fp.height / max(1, fp.width)
                self.panes[col].show_placeholder(
                    width, height, f"Cannot show: {reason}" if reason else "Loading…"
                )
        a, b = self.members
        d = distance(a, b)
        same = a.record.digest is not None and a.record.digest == b.record.digest
        if same:
            text = "Byte-for-byte identical files"
        elif a.orientation or b.orientation:
            text = f"One shows the other {a.orientation or b.orientation}"
        else:
            text = f"Fingerprints differ by {d} bit{'s' if d != 1 else ''} of 64"
        self.distance_label.setText(text)
        self.setWindowTitle(f"Compare — {os.path.basename(a.path)} and {os.path.basename(b.path)}")
        if self._fitted:
            self.fit()

    def _image_ready(self, key: ThumbKey) -> None:
        if key.edge == COMPARE_EDGE and any(key.path == m.path for m in self.members):
            self._show()

    def _image_failed(self, key: ThumbKey, _reason: str) -> None:
        self._image_ready(key)

    def swap(self) -> None:
        self.members.reverse()
        transform = self.panes[0].transform()
        h = self.panes[0].horizontalScrollBar().value()
        v = self.panes[0].verticalScrollBar().value()
        self._show()
        for pane in self.panes:
            pane.setTransform(transform)
        self.panes[0].horizontalScrollBar().setValue(h)
        self.panes[0].verticalScrollBar().setValue(v)

    def fit(self) -> None:
        self._fitted = True
        for pane in self.panes:
            pane.fitInView(pane.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._copy_view(0)

    def actual_size(self) -> None:
        self._fitted = False
        for pane in self.panes:
            pane.resetTransform()
        self._copy_view(0)

    def zoom_factor(self) -> float:
        return self.panes[0].transform().m11()

    def _zoom(self, factor: float, source: int) -> None:
        self._fitted = False
        current = self.panes[source].transform().m11()
        factor = max(0.02, min(16.0, current * factor)) / current
        self.panes[source].scale(factor, factor)
        self._copy_view(source)

    def _copy_view(self, source: int) -> None:
        src = self.panes[source]
        other = self.panes[1 - source]
        self._syncing = True
        try:
            other.setTransform(src.transform())
            other.horizontalScrollBar().setValue(src.horizontalScrollBar().value())
            other.verticalScrollBar().setValue(src.verticalScrollBar().value())
        finally:
            self._syncing = False

    def _sync_scroll(self, source: int, orientation: Qt.Orientation, value: int) -> None:
        if self._syncing:
            return
        other = self.panes[1 - source]
        bar = (
            other.horizontalScrollBar()
            if orientation == Qt.Orientation.Horizontal
            else other.verticalScrollBar()
        )
        self._syncing = True
        try:
            bar.setValue(value)
        finally:
            self._syncing = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.fit()
