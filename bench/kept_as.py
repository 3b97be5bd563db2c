"""Give one build the grouping another build kept, so that both read the same groups back.

    python -m bench.kept_as FOLDER --cache FILE --source OTHER [--no-verify] [--files N]

A grouping is kept in the cache under a digest that covers the core's own source files
(core.kept_groupings), so a build with any change of its own makes the first grouping of a
library again: at 100,000 files that is minutes with ``--no-verify`` and more than this
machine gives with the checks. For a side-by-side measurement of warm rescans, this asks
this build's read-back (core.rescan) for its key on FOLDER and FILE (every file must be a
cache hit: it is asked exactly once) and keeps there the grouping last used in OTHER (the
cache of another build, which made it from the same fingerprints; OTHER is only read).

``--files N`` keeps only the first groups, up to N grouped files: a grouping for timing
only (one the options did not make), for options whose first grouping cannot be made here.
The reports of both builds are then compared, as always.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import zlib
from typing import Any

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.cache_file import read_only_uri
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.rescan import read_back_scan
from dedupe_gui.core.scan import ScanOptions, Walked


def last_kept(source: str, files: int | None) -> tuple[bytes, int, int]:
    """The grouping last used in ``source`` (the first groups up to ``files`` grouped files
    when given): the blob, its groups and files."""
    db = sqlite3.connect(read_only_uri(source), uri=True)
    try:
        row = db.execute("SELECT formed FROM groupings ORDER BY used DESC LIMIT 1").fetchone()
    finally:
        db.close()
    if row is None:
        raise SystemExit(f"{source} keeps no grouping")
    groups: list[list[Any]] = json.loads(zlib.decompress(row[0]))
    if files is not None:
        kept: list[list[Any]] = []
        held = 0
        for group in groups:
            if held >= files:
                break
            kept.append(group)
            held += len(group)
        groups = kept
    blob = zlib.compress(json.dumps(groups, separators=(",", ":")).encode(), 1)
    return blob, len(groups), sum(len(g) for g in groups)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kept_as", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--files", type=int, default=None)
    args = parser.parse_args(argv)
    blob, groups, files = last_kept(args.source, args.files)
    asked: list[bytes] = []

    def kept_grouping(key: bytes) -> bytes | None:
        asked.append(key)
        return None

    with FingerprintStore(args.cache) as store:
        store.kept_grouping = kept_grouping  # type: ignore[method-assign]
        options = ScanOptions((os.path.abspath(args.folder),), thumbs_in_store=True)
        back = read_back_scan(options, GroupingOptions(verify=not args.no_verify), store)
        del store.kept_grouping
        if not isinstance(back, Walked) or len(asked) != 1:
            raise SystemExit("not every file is a cache hit of this version: scan it first")
        store.keep_grouping(asked[0], blob)
    print(f"kept {groups} groups, {files} files, under {asked[0].hex()[:16]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
