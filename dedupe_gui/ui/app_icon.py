"""The application icon, found wherever the app happens to run from.

The icon ships as plain PNG files rather than a compiled Qt resource module: that needs no
``pyside6-rcc`` step and no generated code in the tree, and the same files serve the desktop
entry, the wheel and the frozen build. The price is that the files live in a different place
in each way of running the app, so :func:`icon_files` looks in each of them, best first:

1. a source checkout or editable install: ``resources/icons/hicolor/NxN/apps/`` in the
   repository, which has every size from 16 to 512 px;
2. an installed wheel: ``dedupe_gui/ui/icons/``, package data holding the few sizes a window
   needs (``resources/icons/build_icons.py`` copies them there);
3. a PyInstaller build: the same ``dedupe_gui/ui/icons/`` folder under ``sys._MEIPASS``, where
   ``packaging/dedupe-gui.spec`` puts it.

If none of them has the files, the icon theme is asked for ``dedupe-gui`` (present once the
desktop files are installed), and failing that the icon is null and Qt shows its default.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

ICON_NAME = "dedupe-gui"
# Sizes copied into the package by resources/icons/build_icons.py (PACKAGE_SIZES there).
PACKAGE_SIZES = (16, 24, 32, 48, 256)
# Sizes of the freedesktop theme tree in the repository (THEME_SIZES there).
THEME_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

_HERE = Path(__file__).resolve().parent


def _repository_files() -> dict[int, Path]:
    hicolor = _HERE.parents[1] / "resources" / "icons" / "hicolor"
    return {n: hicolor / f"{n}x{n}" / "apps" / f"{ICON_NAME}.png" for n in THEME_SIZES}


def _package_files(folder: Path) -> dict[int, Path]:
    return {n: folder / f"{ICON_NAME}-{n}.png" for n in PACKAGE_SIZES}


def icon_files() -> dict[int, Path]:
    """Map pixel size to PNG file for the first place that has the icon; empty if none does."""
    candidates = [_repository_files(), _package_files(_HERE / "icons")]
    meipass = getattr(sys, "_MEIPASS", None)
    if isinstance(meipass, str):
        candidates.append(_package_files(Path(meipass) / "dedupe_gui" / "ui" / "icons"))
    for files in candidates:
        present = {size: path for size, path in files.items() if path.is_file()}
        if present:
            return present
    return {}


def app_icon() -> QIcon:
    """Return the application icon with every size found, for ``QApplication.setWindowIcon``."""
    files = icon_files()
    if not files:
        return QIcon.fromTheme(ICON_NAME)
    icon = QIcon()
    for size, path in sorted(files.items()):
        icon.addFile(str(path), QSize(size, size))
    return icon
