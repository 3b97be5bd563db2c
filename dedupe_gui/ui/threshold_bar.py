"""The similarity threshold: a slider with the named presets beside it.

The slider stops a little past the loosest preset (20 bits at least): further out, dHash
starts matching unrelated pictures, and a short slider leaves room between the presets to aim.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QWidget

from dedupe_gui.core.threshold import MAX_THRESHOLD, PRESETS, preset_for

SLIDER_MAX = max(20, max(PRESETS.values()) + 4)  # every preset with room past the loosest

PRESET_TIPS = {
    "exact": "Only files with the same fingerprint",
    "strict": "Re-encoded and resized copies",
    "default": "Also format conversions, light crops, re-grades and watermarks",
    "loose": "Heavier edits too; check groups before cleaning up",
}

# Measured on the two labelled real-photo corpora (docs/ACCURACY.md, "The chosen defaults"):
# pairwise precision and recall of copies a person would call the same photo.
PRESET_ACCURACY: dict[str, tuple[float, float, float]] = {
    "exact": (1.0, 0.407, 0.437),
    "strict": (1.0, 0.909, 0.934),
    "default": (1.0, 0.991, 0.992),
    "loose": (1.0, 0.994, 0.997),
}

BITS_EXPLAINED = (
    "Every photo gets a 64-bit fingerprint of what it shows. Copies of one photo differ in a "
    "few bits, more the more they were edited; the number is how many bits a file may "
    "differ from the copy kept in its group. A second look at a small version of each "
    "picture keeps different photos of one scene apart."
)


def describe(bits: int) -> str:
    """The similarity setting in words, with what it was measured to find."""
    name = preset_for(bits)
    if name is None:
        nearest = min(PRESETS, key=lambda n: abs(PRESETS[n] - bits))
        looser = "looser" if bits > PRESETS[nearest] else "stricter"
        return (
            f"Custom: up to {bits} bits apart, {looser} than "
            f"{nearest.capitalize()} ({PRESETS[nearest]} bits)."
        )
    precision, recall1, recall2 = PRESET_ACCURACY[name]
    reach = "equal fingerprints only" if bits == 0 else f"up to {bits} bits apart"
    return (
        f"{name.capitalize()}: {reach}. {PRESET_TIPS[name]}. On two test sets of "
        f"real photos, {precision:.0%} of the grouped pairs were true copies and "
        f"{recall1:.1%} / {recall2:.1%} of the copies were found."
    )


class ThresholdBar(QWidget):
    changed = Signal(int)

    def __init__(self, value: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        label = QLabel("Similarity:")
        layout.addWidget(label)
        self.combo = QComboBox()
        for name, bits in PRESETS.items():
            self.combo.addItem(name.capitalize(), bits)
            self.combo.setItemData(
                self.combo.count() - 1, describe(bits), Qt.ItemDataRole.ToolTipRole
            )
        self.combo.addItem("Custom", -1)
        self.combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.combo.activated.connect(self._preset_chosen)
        layout.addWidget(self.combo)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_MAX)
        self.slider.setPageStep(2)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(4)
        self.slider.setMinimumWidth(120)
        self.slider.setMaximumWidth(220)
        self.slider.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.slider.valueChanged.connect(self._slider_moved)
        layout.addWidget(self.slider)
        self.bits = QLabel()
        self.bits.setMinimumWidth(self.bits.fontMetrics().horizontalAdvance("20 bits") + 4)
        layout.addWidget(self.bits)
        self.set_value(value)

    def value(self) -> int:
        return self.slider.value()

    def set_value(self, value: int, notify: bool = False) -> None:
        """Show ``value``; ``notify`` says whether listeners should regroup.

        A value past the slider's usual end (a report made with ``-t 30``, a setting from the
        command line) stretches the slider to it rather than being cut to the end: the
        groups on show were made with that value, and it is the one saved again.
        """
        value = max(0, min(MAX_THRESHOLD, value))
        self.slider.blockSignals(True)
        self.slider.setMaximum(max(SLIDER_MAX, value))
        self.slider.blockSignals(not notify)
        self.slider.setValue(value)
        self.slider.blockSignals(False)
        self._sync_labels()

    def _slider_moved(self, value: int) -> None:
        self._sync_labels()
        self.changed.emit(value)

    def _preset_chosen(self, index: int) -> None:
        bits = int(self.combo.itemData(index))
        if bits >= 0:
            self.slider.setValue(bits)

    def _sync_labels(self) -> None:
        value = self.slider.value()
        self.bits.setText(f"{value} bit{'s' if value != 1 else ''}")
        name = preset_for(value)
        self.combo.setCurrentIndex(
            self.combo.findData(value) if name is not None else self.combo.count() - 1
        )
        self.combo.setToolTip(describe(value))
        self.slider.setToolTip(f"{describe(value)}\n\n{BITS_EXPLAINED}")
