"""Allow ``python -m dedupe_gui``."""

from dedupe_gui.cli import run

run()
