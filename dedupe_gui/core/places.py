"""Where the application keeps its files unless told otherwise: the cache and the journal.

Apart from core.cache (SQLite) and core.actions (the journal, the re-checks) so that the
command line can name them in its help without importing either: a scan without a cache
never needs SQLite, and one without ``--apply`` never needs the cleanup.
"""

from __future__ import annotations

import os


def default_cache_path() -> str:
    """``fingerprints.sqlite3`` in the user cache folder of this platform."""
    from platformdirs import user_cache_dir

    return os.path.join(user_cache_dir("dedupe-gui", appauthor=False), "fingerprints.sqlite3")


def default_journal_path() -> str:
    """``journal.jsonl`` in the user data folder of this platform."""
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("dedupe-gui", appauthor=False), "journal.jsonl")
