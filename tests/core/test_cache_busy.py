"""A cache another program keeps locked while a grouping hands its verdicts over: that batch
is let go with a warning, and the store goes on keeping the next ones."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL


def test_verdicts_handed_over_while_another_program_writes_are_let_go_and_later_ones_kept(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "cache.sqlite3")
    warnings: list[str] = []
    store = FingerprintStore(path, warnings.append)
    store.put_pair_checks({1: 0.05}, DEFAULT_MAX_RESIDUAL)

    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock past the wait
    store.put_pair_checks({2: 0.06}, DEFAULT_MAX_RESIDUAL)
    other.execute("COMMIT")
    other.close()
    assert len(warnings) == 1 and "busy" in warnings[0]

    store.put_pair_checks({3: 0.07}, DEFAULT_MAX_RESIDUAL)
    store.close()
    with FingerprintStore(path) as again:
        assert again.pair_checks(DEFAULT_MAX_RESIDUAL) == {1: 0.05, 3: 0.07}
