"""Every setting in one window: similarity, which copy to keep, what the scan reads, the cache.

The dialog edits a copy of the preferences and hands back a new value on OK; the window
decides what each change needs (a regroup for similarity and rules, a rescan for what the
scan reads). The cache section shows where fingerprints are kept and how much room they
take, and can clear them: they are the app's own files and are rebuilt by the next scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dedupe_gui.core.cache_admin import CacheAdminError, cache_info, clear
from dedupe_gui.core.threshold import PRESETS, preset_for
from dedupe_gui.core.units import human_bytes
from dedupe_gui.ui.dialogs import RulesEditor
from dedupe_gui.ui.preferences import Preferences
from dedupe_gui.ui.threshold_bar import BITS_EXPLAINED, SLIDER_MAX, describe
from dedupe_gui.ui.wording import plural


def cache_summary(path: str | None) -> tuple[str, bool]:
    """The cache's size and entries in words, and whether there is anything to clear."""
    if not path:
        return "kept in memory only", False
    try:
        info = cache_info(path)
    except CacheAdminError as exc:
        return str(exc), False
    if not info.exists:
        return "empty (no scan yet)", False
    return f"{human_bytes(info.bytes)}, {plural(info.entries, 'photo')}", info.entries > 0


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class PreferencesDialog(QDialog):
    def __init__(
        self,
        prefs: Preferences,
        cache_path: str | None,
        clear_cache: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        """``clear_cache`` empties the cache and returns None, or says why it could not."""
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._prefs = prefs
        self._cache_path = cache_path
        self._clear_cache = clear_cache
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._similarity_page(prefs), "Similarity")
        self.rules = RulesEditor(prefs.rules)
        rules_page = QWidget()
        QVBoxLayout(rules_page).addWidget(self.rules)
        self.tabs.addTab(rules_page, "Which Copy to Keep")
        self.tabs.addTab(self._scan_page(prefs), "Scanning")
        self.tabs.addTab(self._cache_page(), "Cache")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 460)

    # -- pages -----------------------------------------------------------------------------

    def _similarity_page(self, prefs: Preferences) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.preset = QComboBox()
        for name, bits in PRESETS.items():
            self.preset.addItem(name.capitalize(), bits)
        self.preset.addItem("Custom", -1)
        self.preset.activated.connect(self._preset_chosen)
        self.bits = QSlider(Qt.Orientation.Horizontal)
        self.bits.setRange(0, SLIDER_MAX)
        self.bits.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.bits.setTickInterval(4)
        self.bits.valueChanged.connect(self._bits_changed)
        self.bits_label = QLabel()
        row.addWidget(self.preset)
        row.addWidget(self.bits, 1)
        row.addWidget(self.bits_label)
        layout.addLayout(row)
        self.similarity_text = _wrapped("")
        layout.addWidget(self.similarity_text)
        layout.addWidget(_wrapped(BITS_EXPLAINED))
        self.rotations = QCheckBox("Also find turned and mirrored copies")
        self.rotations.setToolTip("Copies rotated by 90, 180 or 270 degrees or mirrored")
        self.rotations.setChecked(prefs.rotations)
        layout.addWidget(self.rotations)
        layout.addStretch(1)
        self.bits.setValue(max(0, min(SLIDER_MAX, prefs.threshold)))
        self._bits_changed(self.bits.value())
        return page

    def _scan_page(self, prefs: Preferences) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.min_size = QSpinBox()
        self.min_size.setRange(0, 1_000_000)
        self.min_size.setSuffix(" kB")
        self.min_size.setSingleStep(10)
        self.min_size.setValue(prefs.min_size_kb)
        form.addRow("Skip files under:", self.min_size)
        self.patterns = QPlainTextEdit("\n".join(prefs.patterns))
        self.patterns.setPlaceholderText("*.tmp\n*/Thumbnails/*")
        self.patterns.setTabChangesFocus(True)
        form.addRow("Skip names matching:", self.patterns)
        form.addRow(
            "",
            _wrapped(
                "One pattern a line, matched against the name and the full path; * stands for "
                "any text. Folders that photo apps fill with thumbnails are always skipped."
            ),
        )
        self.follow_links = QCheckBox("Follow links to folders")
        self.follow_links.setToolTip(
            "Scan the folders that symbolic links point to, as if they had been chosen"
        )
        self.follow_links.setChecked(prefs.follow_links)
        form.addRow("", self.follow_links)
        return page

    def _cache_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        where = self._cache_path or "kept in memory only (nothing on disk)"
        self.cache_where = QLabel(where)
        self.cache_where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cache_where.setWordWrap(True)
        form.addRow("Location:", self.cache_where)
        self.cache_size = QLabel()
        form.addRow("Size:", self.cache_size)
        self.clear_button = QPushButton("Clear Cache")
        self.clear_button.setToolTip(
            "Forget every stored fingerprint; the next scan reads every photo again. "
            "No photo is touched."
        )
        self.clear_button.clicked.connect(self._clear)
        self.cache_status = _wrapped("")
        form.addRow("", self.clear_button)
        form.addRow("", self.cache_status)
        form.addRow(
            "",
            _wrapped(
                "Fingerprints of photos already scanned are kept so that a rescan only reads "
                "what changed."
            ),
        )
        self._show_cache_size()
        return page

    # -- behaviour -------------------------------------------------------------------------

    def _preset_chosen(self, index: int) -> None:
        bits = int(self.preset.itemData(index))
        if bits >= 0:
            self.bits.setValue(bits)

    def _bits_changed(self, bits: int) -> None:
        self.bits_label.setText(f"{bits} bit{'s' if bits != 1 else ''}")
        name = preset_for(bits)
        self.preset.setCurrentIndex(
            self.preset.findData(bits) if name is not None else self.preset.count() - 1
        )
        self.similarity_text.setText(describe(bits))

    def _show_cache_size(self) -> None:
        text, clearable = cache_summary(self._cache_path)
        self.cache_size.setText(text)
        self.clear_button.setEnabled(clearable)

    def _clear(self) -> None:
        problem = self._clear_cache()
        self.cache_status.setText(problem or "Cleared: the next scan reads every photo again.")
        self._show_cache_size()

    def preferences(self) -> Preferences:
        """The preferences as edited (folders and recent ones untouched)."""
        patterns = tuple(
            dict.fromkeys(
                line.strip() for line in self.patterns.toPlainText().splitlines() if line.strip()
            )
        )
        return replace(
            self._prefs,
            threshold=self.bits.value(),
            rules=self.rules.rules(),
            rotations=self.rotations.isChecked(),
            min_size_kb=self.min_size.value(),
            patterns=patterns,
            follow_links=self.follow_links.isChecked(),
        )


def clear_cache(path: str | None) -> str | None:
    """Empty the fingerprint cache; None, or why it could not be done."""
    if not path:
        return "Fingerprints are kept in memory only: there is nothing to clear."
    try:
        clear(path)
    except (CacheAdminError, OSError) as exc:
        return f"Could not clear the cache: {exc}"
    return None
