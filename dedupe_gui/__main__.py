"""Allow ``python -m dedupe_gui``."""

from dedupe_gui.cli import main

raise SystemExit(main())
