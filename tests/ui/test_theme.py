"""The palette follows a dark desktop where the style alone would stay light, and back."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dedupe_gui.ui.theme import apply_scheme, is_dark


def test_dark_scheme_darkens_a_light_palette_and_light_takes_it_back(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    if is_dark(original):
        pytest.skip("the style's palette is dark already: nothing for the guard to do")
    try:
        apply_scheme(app, Qt.ColorScheme.Dark)
        assert is_dark(app.palette())
        apply_scheme(app, Qt.ColorScheme.Dark)  # twice changes nothing
        assert is_dark(app.palette())
        apply_scheme(app, Qt.ColorScheme.Light)
        assert not is_dark(app.palette())
        apply_scheme(app, Qt.ColorScheme.Unknown)
        assert not is_dark(app.palette())
    finally:
        app.setPalette(original)
        app.setProperty("dedupeDarkPalette", False)
