"""The core, the review layer and the command line's headless commands must never load Qt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import dedupe_gui.core

CORE = Path(dedupe_gui.core.__file__).parent
REVIEW = CORE.parent / "review"


def test_core_and_review_sources_do_not_import_qt() -> None:
    assert (REVIEW / "session.py").is_file()
    offenders = [
        str(p)
        for p in [*CORE.rglob("*.py"), *REVIEW.rglob("*.py")]
        if any(
            line.lstrip().startswith(("import PySide6", "from PySide6", "import shiboken6"))
            for line in p.read_text().splitlines()
        )
    ]
    assert offenders == []


def test_importing_core_and_cli_leaves_qt_unloaded() -> None:
    code = (
        "import sys, pkgutil, importlib, dedupe_gui.core as c\n"
        "for m in pkgutil.iter_modules(c.__path__):\n"
        "    importlib.import_module('dedupe_gui.core.' + m.name)\n"
        "for m in pkgutil.iter_modules(importlib.import_module('dedupe_gui.review').__path__):\n"
        "    importlib.import_module('dedupe_gui.review.' + m.name)\n"
        "import dedupe_gui.cli\n"
        "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _loaded_after(statement: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` that a fresh interpreter holds after ``statement``."""
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps(sorted(k for k in sys.modules if k.startswith({prefixes!r}))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded: list[str] = json.loads(out.stdout)
    return loaded


def test_the_front_door_is_cheap_and_complete() -> None:
    """``import dedupe_gui.core`` loads no submodule; every name it lists resolves."""
    assert _loaded_after("import dedupe_gui.core", ("numpy", "PIL", "dedupe_gui.core.")) == []
    core = dedupe_gui.core
    assert sorted(core.__all__) == sorted(core._EXPORTS)
    for name in core.__all__:
        assert getattr(core, name) is not None, name
    with pytest.raises(AttributeError):
        core.no_such_name  # noqa: B018


def test_storing_and_writing_hashes_does_not_load_pillow() -> None:
    """The cache, reports and cleanup never decode images, so they must not pay for Pillow."""
    modules = ("actions", "report", "cache", "hashes", "grouping_options", "models")
    statement = "\n".join(f"import dedupe_gui.core.{m}" for m in modules)
    assert _loaded_after(statement, ("PIL",)) == []


def test_the_review_layer_is_cheap_to_import() -> None:
    """The window builds its session at start-up: numpy and Pillow wait for the first scan."""
    loaded = _loaded_after("import dedupe_gui.review", ("numpy", "PIL", "PySide6", "shiboken6"))
    assert loaded == []
