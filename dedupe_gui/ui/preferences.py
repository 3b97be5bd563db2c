"""What the user chose last time, read from and written to QSettings.

QSettings hands back a plain string for a one-item list and strings for numbers under some
backends, so every value goes through a converter that accepts what any backend returns and
falls back to the default for anything it does not understand: a damaged settings file must
never stop the window from opening.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from PySide6.QtCore import QByteArray, QSettings

from dedupe_gui.core.keeper import DEFAULT_RULES, RULES, with_new_rules
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD, MAX_THRESHOLD

ORGANISATION = "dedupe-gui"
APPLICATION = "dedupe-gui"
MAX_RECENT = 10


@dataclass(frozen=True, slots=True)
class Preferences:
    folders: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    min_size_kb: int = 0
    threshold: int = DEFAULT_THRESHOLD
    rules: tuple[str, ...] = DEFAULT_RULES
    rotations: bool = False  # also group copies turned by 90/180/270 degrees or mirrored
    recent: tuple[str, ...] = field(default_factory=tuple)
    patterns: tuple[str, ...] = ()  # names or paths to skip, shell-style ("*.tmp", "*/Trash/*")
    follow_links: bool = False  # follow links to folders while scanning

    def with_recent(self, path: str) -> Preferences:
        """``path`` first in the recent list, without repeats, at most MAX_RECENT long."""
        recent = (path, *(p for p in self.recent if p != path))[:MAX_RECENT]
        return replace(self, recent=recent)


def _strings(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if str(v))
    return ()


def _int(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _bool(value: object) -> bool:
    return str(value).lower() in ("true", "1")


def load_preferences(settings: QSettings) -> Preferences:
    saved, known = settings.value("grouping/rules"), settings.value("grouping/rules_known")
    rules = (
        with_new_rules(_strings(saved), None if known is None else _strings(known))
        if _strings(saved)
        else ()
    )
    return Preferences(
        folders=_strings(settings.value("folders/scan")),
        references=_strings(settings.value("folders/reference")),
        excludes=_strings(settings.value("folders/excluded")),
        min_size_kb=_int(settings.value("folders/min_size_kb"), 0, 0, 10**7),
        threshold=_int(settings.value("grouping/threshold"), DEFAULT_THRESHOLD, 0, MAX_THRESHOLD),
        rules=rules or DEFAULT_RULES,
        rotations=_bool(settings.value("grouping/rotations")),
        recent=_strings(settings.value("folders/recent"))[:MAX_RECENT],
        patterns=_strings(settings.value("folders/patterns")),
        follow_links=_bool(settings.value("folders/follow_links")),
    )


def save_preferences(settings: QSettings, prefs: Preferences) -> None:
    settings.setValue("folders/scan", list(prefs.folders))
    settings.setValue("folders/reference", list(prefs.references))
    settings.setValue("folders/excluded", list(prefs.excludes))
    settings.setValue("folders/min_size_kb", prefs.min_size_kb)
    settings.setValue("grouping/threshold", prefs.threshold)
    settings.setValue("grouping/rules", list(prefs.rules))
    settings.setValue("grouping/rules_known", list(RULES))
    settings.setValue("grouping/rotations", prefs.rotations)
    settings.setValue("folders/recent", list(prefs.recent))
    settings.setValue("folders/patterns", list(prefs.patterns))
    settings.setValue("folders/follow_links", prefs.follow_links)


def load_bytes(settings: QSettings, key: str) -> QByteArray | None:
    value = settings.value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None
