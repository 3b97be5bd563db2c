"""The strip shown while a scan runs: how far, how fast, how long, and Cancel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from dedupe_gui.core.models import Phase, Progress
from dedupe_gui.core.units import human_duration


def progress_text(p: Progress) -> str:
    if p.phase is Phase.WALKING:
        return f"Looking for photos… {p.done:,} found"
    parts = [f"{p.done:,} of {p.total:,} photos"]
    if p.from_cache:
        parts.append(f"{p.from_cache:,} unchanged since the last scan")
    fresh = p.done - p.from_cache
    if fresh > 0 and p.elapsed > 0:
        parts.append(f"{fresh / p.elapsed:,.0f} per second")
    left = p.remaining_seconds
    if left is not None and p.done < p.total:
        parts.append(f"about {human_duration(left)} left")
    return "  ·  ".join(parts)


class ScanProgress(QFrame):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(160)
        self.bar.setMaximumWidth(360)
        self.bar.setTextVisible(True)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop and show what was found so far (Esc)")
        self.cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cancel.clicked.connect(self.cancel_requested)
        layout.addWidget(self.bar)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel)

    def start(self) -> None:
        self.bar.setRange(0, 0)
        self.label.setText("Looking for photos…")
        self.cancel.setEnabled(True)
        self.cancel.setText("Cancel")
        self.show()

    def show_progress(self, p: Progress) -> None:
        if p.phase is Phase.WALKING or p.total == 0:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.done)
        self.label.setText(progress_text(p))

    def cancelling(self) -> None:
        self.cancel.setEnabled(False)
        self.cancel.setText("Stopping…")
