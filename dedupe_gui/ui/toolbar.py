"""The main toolbar's look: icons from the desktop's theme beside the words, and the actions
that remove files drawn in a warning colour so they never look like any other button.

Icons come from the platform theme (Breeze, Adwaita, ...) so the window looks like the rest of
the desktop; where no theme is installed, Qt's own standard icons stand in.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QToolBar, QToolButton, QWidget

SP = QStyle.StandardPixmap

# Action name -> (freedesktop icon names, in order of preference; Qt's stand-in).
ICONS: dict[str, tuple[tuple[str, ...], QStyle.StandardPixmap]] = {
    "folders": (("folder", "folder-open"), SP.SP_DirIcon),
    "add": (("folder-new", "list-add", "document-open"), SP.SP_DirOpenIcon),
    "scan": (("view-refresh", "system-search"), SP.SP_BrowserReload),
    "undo": (("edit-undo",), SP.SP_ArrowBack),
    "redo": (("edit-redo",), SP.SP_ArrowForward),
    "preferences": (
        ("preferences-system", "preferences-other", "configure"),
        SP.SP_FileDialogDetailedView,
    ),
    "cleanup": (("user-trash-full", "user-trash", "edit-delete"), SP.SP_TrashIcon),
    "trash": (("user-trash", "edit-delete"), SP.SP_TrashIcon),
    "help": (("help-contents", "help-browser"), SP.SP_DialogHelpButton),
}


def themed_icon(name: str, widget: QWidget | None = None) -> QIcon:
    names, fallback = ICONS[name]
    for theme_name in names:
        if QIcon.hasThemeIcon(theme_name):
            return QIcon.fromTheme(theme_name)
    style = widget.style() if widget is not None else QApplication.style()
    return style.standardIcon(fallback)


def warning_colour(palette: QPalette) -> str:
    """A red that reads on the theme's background, light or dark."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return "#ff8a80" if dark else "#b3261e"


class DestructiveStyle(QObject):
    """Draws its widgets' text in the warning colour, again whenever the palette changes
    (the desktop switching between light and dark)."""

    def __init__(self, widgets: Sequence[QWidget], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widgets = list(widgets)
        for w in self._widgets:
            w.installEventFilter(self)
            self._apply(w)

    def _apply(self, widget: QWidget) -> None:
        colour = warning_colour(widget.palette())
        kind = type(widget).__name__
        sheet = f"{kind}:enabled {{ color: {colour}; font-weight: bold; }}"
        if widget.styleSheet() != sheet:
            widget.setStyleSheet(sheet)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.PaletteChange and isinstance(watched, QWidget):
            self._apply(watched)
        return False


def add_actions(bar: QToolBar, actions: Sequence[tuple[QAction, str, str]]) -> None:
    """Each action with its theme icon and short toolbar text (``name``, ``text``)."""
    for action, icon, text in actions:
        action.setIcon(themed_icon(icon, bar))
        action.setIconText(text)
        bar.addAction(action)


class CompactWhenNarrow(QObject):
    """Below ``width`` pixels of window, the given actions show only their icons (the words
    stay in their tooltips), so the toolbar never pushes the cleanup button into an overflow
    menu on a small screen."""

    def __init__(
        self, window: QWidget, bar: QToolBar, actions: Sequence[QAction], width: int = 1100
    ) -> None:
        super().__init__(window)
        self._bar = bar
        self._actions = list(actions)
        self._width = width
        self._compact: bool | None = None
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.fit(watched.width())
        return False

    def fit(self, width: int) -> None:
        compact = width < self._width
        if compact == self._compact:
            return
        self._compact = compact
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if compact
            else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        for action in self._actions:
            button = self._bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(style)
