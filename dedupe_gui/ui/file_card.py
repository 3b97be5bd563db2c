"""One file of the selected group: its picture at full fidelity, the facts that decide which
copy to keep (those that differ from the keeper highlighted), and the controls to keep it or
mark it for the trash.

A file marked for the trash is drawn exactly as it is: judging copies means looking at them,
so the mark is said by a red frame around the picture, a "To trash" badge and the checkbox,
never by washing the picture out.
"""

from __future__ import annotations

import os
from datetime import datetime
from html import escape

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.core.actions import Outcome
from dedupe_gui.core.companions import describe as describe_companions
from dedupe_gui.core.models import GroupMember
from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import ReviewGroup
from dedupe_gui.review.differences import Cue, Differences, against_keeper
from dedupe_gui.ui.widgets import Badge, ElidedLabel, ThumbView

THUMB_BOX = QSize(184, 138)  # the smallest picture frame; the panel grows it to fit
CARD_PADDING = 10
ARROWS = {Cue.LOWER: " ▼", Cue.HIGHER: " ▲", Cue.OTHER: " ≠"}
CUE_WORDS = {
    Cue.LOWER: "less than the keeper's",
    Cue.HIGHER: "more than the keeper's",
    Cue.OTHER: "not the keeper's",
}
DATE_WORDS = {Cue.LOWER: "earlier than the keeper", Cue.HIGHER: "later than the keeper"}


def shown_date(member: GroupMember, say_which: bool = True) -> str:
    """The capture date when the camera wrote one, else the file's modification time."""
    taken = member.record.fingerprint.taken
    if taken:
        try:
            shown = datetime.fromisoformat(taken).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return taken
        return shown + (" (taken)" if say_which else "")
    when = datetime.fromtimestamp(member.record.key.mtime_ns / 1e9)
    return when.strftime("%Y-%m-%d %H:%M") + (" (modified)" if say_which else "")


def resolution_text(member: GroupMember) -> str:
    fp = member.record.fingerprint
    mp = fp.width * fp.height / 1e6
    mp_text = f"{mp:.1f} MP" if mp >= 0.1 else f"{mp:.2f} MP"
    return f"{fp.width} × {fp.height}  ·  {mp_text}"


def cue_colour(palette: QPalette) -> QColor:
    """An amber that reads on the theme's background, light or dark."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ffb74d" if dark else "#9a4d00")


class FileCard(QWidget):
    toggled = Signal(str, bool)
    keep_requested = Signal(str)
    open_requested = Signal(str)
    reveal_requested = Signal(str)
    selected = Signal(str)
    compare_requested = Signal(str)

    def __init__(
        self, member: GroupMember, folder: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.member = member
        self.path = member.path
        self._current = False
        self._differences = Differences()
        self.setObjectName("fileCard")
        self.setFixedWidth(THUMB_BOX.width() + 2 * CARD_PADDING)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(CARD_PADDING, CARD_PADDING, CARD_PADDING, CARD_PADDING)
        outer.setSpacing(4)

        self.badges = QHBoxLayout()
        self.badges.setSpacing(4)
        self.badge_keep = Badge("Keep", "keeper")
        self.badge_remove = Badge("To trash", "remove")
        self.badge_exact = Badge("Exact copy", "exact")
        self.badge_ref = Badge("Reference", "reference")
        self.badge_turned = Badge("", "turned")
        self.badge_ref.setToolTip("In a reference folder: never removed")
        self.badge_exact.setToolTip("Byte-for-byte the same file as the keeper")
        for b in (
            self.badge_keep,
            self.badge_remove,
            self.badge_exact,
            self.badge_ref,
            self.badge_turned,
        ):
            self.badges.addWidget(b)
        self.badges.addStretch(1)
        outer.addLayout(self.badges)

        self.thumb = ThumbView(THUMB_BOX)
        fp = member.record.fingerprint
        self.thumb.set_placeholder(fp.width, fp.height)
        self.thumb.setToolTip("Double-click to compare with the keeper")
        outer.addWidget(self.thumb, 0, Qt.AlignmentFlag.AlignHCenter)

        self.name = ElidedLabel()
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.name.set_full_text(os.path.basename(member.path) or member.path, member.path)
        # The folder from where the group's copies part ways, cut at the end if need be:
        # its start is what tells this copy from the others.
        self.folder = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        self.folder.set_full_text(
            folder if folder is not None else os.path.dirname(member.path), member.path
        )
        self.folder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        outer.addWidget(self.name)
        outer.addWidget(self.folder)

        self.facts = QLabel()
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        # Clipped at the card's edge rather than widening it: every card of a group has
        # the same width, so the pictures compare at one scale.
        self.facts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        outer.addWidget(self.facts)
        self.distance = ElidedLabel(mode=Qt.TextElideMode.ElideRight)
        outer.addWidget(self.distance)

        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        warn = self.outcome.palette()
        warn.setColor(QPalette.ColorRole.WindowText, QColor("#b3261e"))
        self.outcome.setPalette(warn)
        self.outcome.hide()
        outer.addWidget(self.outcome)

        row = QHBoxLayout()
        row.setSpacing(2)
        self.check = QCheckBox("To trash")
        self.check.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.check.setToolTip("Mark this file for the trash (Space)")
        self.check.clicked.connect(lambda on: self.toggled.emit(self.path, bool(on)))
        row.addWidget(self.check)
        row.addStretch(1)
        self.keep_button = self._tool("Keep This One", "Keep this file, mark the others (K)")
        self.keep_button.clicked.connect(lambda: self.keep_requested.emit(self.path))
        self.more_button = self._tool("More", "Open, show in the file manager, compare")
        self.more_button.setText("⋯")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        menu.addAction("Open", lambda: self.open_requested.emit(self.path))
        menu.addAction("Show in File Manager", lambda: self.reveal_requested.emit(self.path))
        menu.addAction("Compare with the Keeper", lambda: self.compare_requested.emit(self.path))
        self.more_button.setMenu(menu)
        self.more_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")
        for button in (self.keep_button, self.more_button):
            row.addWidget(button)
        outer.addLayout(row)
        self._show_facts()

    def _tool(self, text: str, tip: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return b

    def text_height(self) -> int:
        """Height of everything on the card but the picture, for sizing the picture frame."""
        return self.sizeHint().height() - self.thumb.height()

    def _show_facts(self) -> None:
        """Resolution, size, format, date and camera; what differs from the keeper in amber
        with its direction, and said in words in the tooltip."""
        m = self.member
        fp = m.record.fingerprint
        d = self._differences
        colour = cue_colour(self.palette()).name()

        def fact(text: str, cue: Cue | None) -> str:
            if cue is None:
                return escape(text)
            return f'<b style="color:{colour}">{escape(text)}{ARROWS[cue]}</b>'

        def said(words: tuple[str, ...]) -> str:
            more = f" +{len(words) - 2}" if len(words) > 2 else ""
            return f'<b style="color:{colour}">{escape(", ".join(words[:2]))}{more}</b>'

        date = shown_date(m, say_which=False)
        date += f"  ·  {fp.camera}" if fp.camera else ""
        self.facts.setText(
            f"{fact(resolution_text(m), d.resolution)}<br>"
            f"{fact(human_bytes(m.record.key.size), d.size)}  ·  {fact(fp.format, d.format)}<br>"
            f"{fact(date, d.date)}"
            # What the check saw differ from the keeper, highlighted like the facts above;
            # the first two on the card (one line), all of them in the tooltip.
            + (f"<br>{said(d.said)}" if d.said else "")
            # What goes with this file when it is removed, and stays when it is kept.
            + (f"<br>{escape(describe_companions(m.companions))}" if m.companions else "")
        )
        tips = [
            f"{what}: {CUE_WORDS[cue]}"
            for what, cue in (("Pixels", d.resolution), ("Size", d.size), ("Format", d.format))
            if cue is not None
        ]
        if d.date is not None and d.date in DATE_WORDS:
            tips.append(f"Date: {DATE_WORDS[d.date]}")
        if d.said:
            tips.append(f"Next to the keeper's picture: {', '.join(d.said)}")
        kind = "taken (camera's date)" if fp.taken else "file last modified"
        goes_with = [f"Goes with it: {c.path}" for c in m.companions]
        self.facts.setToolTip("\n".join([f"Date: {kind}", *tips, *goes_with]))

    def update_from(self, state: ReviewGroup) -> None:
        m = self.member
        marked = self.path in state.marked
        keeper = state.keeper
        is_keeper = keeper.path == self.path
        self.badge_keep.setVisible(not marked)
        self.badge_keep.setText("Keeper" if is_keeper else "Keep")
        self.badge_remove.setVisible(marked)
        self.badge_exact.setVisible(
            not is_keeper and m.identical and keeper.path == state.group.suggested_keeper.path
        )
        self.badge_ref.setVisible(m.record.reference)
        turned = m.orientation if keeper.path == state.group.suggested_keeper.path else ""
        self.badge_turned.setText(turned.capitalize())
        self.badge_turned.setToolTip(f"Shows the keeper {turned}" if turned else "")
        self.badge_turned.setVisible(bool(turned) and not is_keeper)
        self.check.setChecked(marked)
        self.check.setEnabled(state.can_mark(self.path))
        if m.record.reference:
            self.check.setToolTip("In a reference folder: never removed")
        elif not self.check.isEnabled():
            self.check.setToolTip("At least one file of the group stays")
        else:
            self.check.setToolTip("Mark this file for the trash (Space)")
        self.keep_button.setEnabled(not (is_keeper and len(state.kept()) == 1))
        d = state.distance_to_keeper(m)
        if is_keeper:
            self.distance.set_full_text("The file that stays")
        elif d is None:
            self.distance.set_full_text("A turned copy: no bit count applies")
        else:
            text = (
                "Same fingerprint as the keeper"
                if d == 0
                else f"{d} bit{'s' if d != 1 else ''} from the keeper"
            )
            self.distance.set_full_text(text)
        differences = against_keeper(m, keeper, state.group.suggested_keeper)
        if differences != self._differences:
            self._differences = differences
            self._show_facts()
        self.thumb.set_marked(marked)
        self.set_outcome(state.outcomes.get(self.path))

    def set_outcome(self, outcome: Outcome | None) -> None:
        if outcome is None or outcome.status.ok:
            self.outcome.hide()
            return
        self.outcome.setText(f"Not removed: {outcome.reason or outcome.status.value}")
        self.outcome.show()

    def set_image(self, image: QImage) -> None:
        self.thumb.set_image(image)

    def set_thumb_box(self, box: QSize) -> None:
        self.thumb.set_box(box)
        self.setFixedWidth(box.width() + 2 * CARD_PADDING)

    def set_failed(self, reason: str) -> None:
        fp = self.member.record.fingerprint
        self.thumb.set_placeholder(fp.width, fp.height, f"Cannot show: {reason}")

    def set_current(self, current: bool) -> None:
        if current == self._current:
            return
        self._current = current
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """A rounded card; the current one outlined in the theme's highlight colour."""
        pal = self.palette()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = pal.color(QPalette.ColorRole.Highlight if self._current else QPalette.ColorRole.Mid)
        p.setPen(QPen(edge, 2.5 if self._current else 1.0))
        p.setBrush(pal.color(QPalette.ColorRole.Base))
        p.drawRoundedRect(QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5), 7, 7)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.selected.emit(self.path)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.compare_requested.emit(self.path)
