"""The core and the command line's headless commands must never load Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dedupe_gui.core

CORE = Path(dedupe_gui.core.__file__).parent


def test_core_sources_do_not_import_qt() -> None:
    offenders = [
        str(p)
        for p in CORE.rglob("*.py")
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
        "import dedupe_gui.cli\n"
        "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
