"""Small widgets the window is built from: elided labels, badges, a thumbnail frame."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """A one-line label that shortens its text in the middle to fit, full text in the tooltip.

    Middle elision keeps both the start of a path (which drive) and its end (which file).
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(10)
        self.set_full_text(text)

    def set_full_text(self, text: str, tooltip: str | None = None) -> None:
        self._full = text
        self.setToolTip(tooltip if tooltip is not None else text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.contentsRect().width())
        shown = QFontMetrics(self.font()).elidedText(self._full, self._mode, width)
        if shown != self.text():
            super().setText(shown)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(10, hint.height())


class Badge(QWidget):
    """A small rounded tag, painted directly (style sheets cost a full re-polish per widget).

    The colours are dark enough for white text on light and dark themes alike.
    """

    COLOURS: ClassVar[dict[str, str]] = {
        "keeper": "#1e6b35",
        "remove": "#b3261e",
        "exact": "#1f5fa8",
        "reference": "#6d4c9f",
        "turned": "#8a5300",
    }

    def __init__(self, text: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(self.COLOURS[kind])
        self._text = ""
        font = self.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.updateGeometry()
            self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._text) + 14, fm.height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._colour)
        r = QRectF(self.rect())
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        p.setPen(QColor("#ffffff"))
        p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter), self._text)
        p.end()


MARK_FRAME = 4  # room around the picture for the "to trash" frame, so it never covers pixels


class ThumbView(QWidget):
    """A picture fitted into a fixed box; until it arrives, a placeholder of its aspect ratio.

    The picture is always drawn as decoded. A file marked for the trash gets a red frame in
    the margin around it, outside the pixels a person is comparing.
    """

    def __init__(self, box: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = box
        self._image: QPixmap | None = None
        self._source: QImage | None = None
        self._aspect = 4 / 3
        self._message = ""
        self._marked = False
        self.setFixedSize(box)

    def set_placeholder(self, width: int, height: int, message: str = "") -> None:
        self._image = None
        self._source = None
        self._aspect = width / height if width > 0 and height > 0 else 4 / 3
        self._message = message
        self.update()

    def set_box(self, box: QSize) -> None:
        """Resize the frame; the picture is scaled again from the decoded image."""
        if box == self._box:
            return
        self._box = box
        self.setFixedSize(box)
        if self._source is not None:
            self.set_image(self._source)
        else:
            self.update()

    def set_image(self, image: QImage) -> None:
        self._source = image
        if image.height() > 0:
            self._aspect = image.width() / image.height()
        # Scaled once here rather than on every paint.
        ratio = self.devicePixelRatioF()
        rect = self.picture_rect()
        pixmap = QPixmap.fromImage(
            image.scaled(
                max(1, round(rect.width() * ratio)),
                max(1, round(rect.height() * ratio)),
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        pixmap.setDevicePixelRatio(ratio)
        self._image = pixmap
        self._message = ""
        self.update()

    def set_marked(self, marked: bool) -> None:
        if marked != self._marked:
            self._marked = marked
            self.update()

    def is_marked(self) -> bool:
        return self._marked

    def has_image(self) -> bool:
        return self._image is not None

    def picture_rect(self) -> QRectF:
        m = MARK_FRAME
        w = float(max(1, self._box.width() - 2 * m))
        h = float(max(1, self._box.height() - 2 * m))
        if w / h > self._aspect:
            pw, ph = h * self._aspect, h
        else:
            pw, ph = w, w / self._aspect
        # Bottom-aligned: pictures of one group stand on a common line above their captions.
        return QRectF(m + (w - pw) / 2, m + h - ph, pw, ph)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = self.picture_rect()
        pal = self.palette()
        if self._image is None:
            p.fillRect(rect, pal.color(QPalette.ColorRole.Mid).lighter(130))
            if self._message:
                p.setPen(pal.color(QPalette.ColorRole.Text))
                p.drawText(
                    rect.adjusted(8, 8, -8, -8),
                    int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                    self._message,
                )
        else:
            p.drawPixmap(rect, self._image, QRectF(self._image.rect()))
        if self._marked:
            half = MARK_FRAME / 2
            p.setPen(QPen(QColor("#d93025"), MARK_FRAME - 1))
            p.drawRect(rect.adjusted(-half, -half, half, half))
        p.end()


class NoticeBar(QLabel):
    """A line above the group list for what the user must know about the results on show
    (partial results, folders that were not read); hidden when there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setContentsMargins(8, 5, 8, 5)
        self.setAutoFillBackground(True)
        self.hide()

    def show_notice(self, text: str) -> None:
        pal = self.palette()
        dark = pal.color(QPalette.ColorRole.Window).lightness() < 128
        pal.setColor(QPalette.ColorRole.Window, QColor("#5a4300" if dark else "#fff3cd"))
        pal.setColor(QPalette.ColorRole.WindowText, QColor("#ffe8a3" if dark else "#5c4400"))
        self.setPalette(pal)
        self.setText(text)
        self.setToolTip(text)
        self.setVisible(bool(text))
