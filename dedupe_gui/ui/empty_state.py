"""The centre of the window when there is nothing to review: what to do next, said plainly."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget


class EmptyState(QWidget):
    choose_requested = Signal()
    secondary_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(False)  # drops are handled by the window
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icon = QApplication.windowIcon()
        if not icon.isNull():
            self.icon.setPixmap(icon.pixmap(96, 96))
        layout.addWidget(self.icon)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.body = QLabel()
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        # A fixed width lets the wrapped text take the height it needs.
        self.body.setFixedWidth(self.fontMetrics().averageCharWidth() * 62)
        layout.addWidget(self.body, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        self.button = QPushButton()
        self.button.setMinimumWidth(200)
        self.button.clicked.connect(self.choose_requested)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.secondary = QPushButton()
        self.secondary.setFlat(True)
        self.secondary.setCursor(Qt.CursorShape.PointingHandCursor)
        self.secondary.setStyleSheet(
            "QPushButton { color: palette(link); border: none; text-decoration: underline; }"
        )
        self.secondary.clicked.connect(self.secondary_requested)
        layout.addWidget(self.secondary, 0, Qt.AlignmentFlag.AlignHCenter)
        self.hint = QLabel()
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setForegroundRole(self.hint.foregroundRole())
        self.hint.setEnabled(False)  # drawn in the theme's muted text colour
        layout.addSpacing(8)
        layout.addWidget(self.hint)
        layout.addStretch(3)

    def paintEvent(self, event: QPaintEvent) -> None:
        """A dashed frame around the message while a drop would start a scan."""
        if not self.hint.isVisible():
            return
        top = (self.icon if self.icon.pixmap() is not None else self.title).geometry().top()
        frame = QRect(
            self.body.x() - 40,
            top - 28,
            self.body.width() + 80,
            self.hint.geometry().bottom() - top + 56,
        )
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self.palette().color(QPalette.ColorRole.Mid), 2, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRoundedRect(QRectF(frame), 14, 14)
        p.end()

    def show_message(
        self,
        title: str,
        body: str,
        button: str,
        hint: str = "",
        secondary: str = "",
        warning: bool = False,
    ) -> None:
        """``warning``: a problem's icon instead of the app's (whose tick says all is well)."""
        icon = (
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if warning
            else QApplication.windowIcon()
        )
        if not icon.isNull():
            self.icon.setPixmap(icon.pixmap(96 if not warning else 64))
        self.title.setText(title)
        self.body.setText(body)
        self.body.setMinimumHeight(self.body.heightForWidth(self.body.width()))
        self.button.setText(button)
        self.button.setVisible(bool(button))
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        self.secondary.setText(secondary)
        self.secondary.setVisible(bool(secondary))
