"""Whether this checkout fingerprints files exactly as another checkout does.

    python -m bench.same_fingerprints FOLDER [FOLDER ...] --other CHECKOUT [--dump FILE]

Fingerprints every file the scan would find under the folders (``fingerprint_entry``: the
scan's own function), in this checkout and, in a fresh interpreter, in ``CHECKOUT`` (a git
worktree of the code to compare with), and compares every field of every fingerprint: the
hash, the size, the EXIF facts, the thumbnails' bytes, the turned and window hashes, the
grey and detailed flags, or the failure's reason. A change meant to make the scan faster
without changing what it finds must leave them all equal. Prints how many files differ, in
which fields, and the first few, and exits 1 when any does.

``--dump FILE`` only writes this checkout's fingerprints (one JSON line a file) and exits:
what the other checkout runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dedupe_gui.core.files import WalkOptions, walk
from dedupe_gui.core.models import Failure, FileError
from dedupe_gui.core.scan import fingerprint_entry

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def files_under(folders: Iterable[str]) -> list[str]:
    """The files the scan would fingerprint, found by the scan's walk, sorted."""
    found = walk([os.path.abspath(f) for f in folders], WalkOptions())
    return sorted(f.path for f in found if not isinstance(f, FileError))


def record(path: str) -> dict[str, Any]:
    """Every field of one file's fingerprint (bytes as hex), or its failure."""
    entry = fingerprint_entry(path)
    if isinstance(entry, Failure):
        return {"path": path, "failure": entry.reason}
    return {
        "path": path,
        "hash": entry.hash,
        "width": entry.width,
        "height": entry.height,
        "format": entry.format,
        "taken": entry.taken,
        "camera": entry.camera,
        "exif_orientation": entry.exif_orientation,
        "thumb": entry.thumb.hex(),
        "turned": list(entry.turned),
        "fine": entry.fine.hex(),
        "grey": entry.grey,
        "detailed": entry.detailed,
        "windows": list(entry.windows),
    }


def dump(paths: Sequence[str], out: str, workers: int = 2) -> None:
    """One JSON line per file, in ``paths`` order."""
    with ThreadPoolExecutor(workers) as pool, open(out, "w", encoding="utf-8") as f:
        for rec in pool.map(record, paths):
            f.write(json.dumps(rec) + "\n")


def read(path: str) -> dict[str, dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return {rec["path"]: rec for rec in map(json.loads, f)}


def differences(
    mine: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]
) -> dict[str, list[str]]:
    """The fields that differ, by path (a path only one side has: field ``path``)."""
    out: dict[str, list[str]] = {}
    for path in sorted(set(mine) | set(theirs)):
        a, b = mine.get(path), theirs.get(path)
        if a is None or b is None:
            out[path] = ["path"]
            continue
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        if fields:
            out[path] = fields
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_fingerprints", description=__doc__)
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--other", help="the checkout to compare with (a git worktree)")
    parser.add_argument("--dump", help="only write this checkout's fingerprints here")
    args = parser.parse_args(argv)
    paths = files_under(args.folders)
    if args.dump:
        dump(paths, args.dump)
        return 0
    if not args.other:
        parser.error("--other or --dump is needed")
    other = os.path.abspath(args.other)
    with tempfile.TemporaryDirectory(prefix="same-fingerprints-") as tmp:
        theirs_file = os.path.join(tmp, "other.jsonl")
        mine_file = os.path.join(tmp, "this.jsonl")
        # The other checkout runs this module as it is here, with its own package first.
        subprocess.run(
            [sys.executable, "-c", _OTHER, HERE, theirs_file, *paths],
            check=True,
            cwd=other,
            env=dict(os.environ, PYTHONPATH=other),
        )
        dump(paths, mine_file)
        diff = differences(read(mine_file), read(theirs_file))
    fields: dict[str, int] = {}
    for names in diff.values():
        for name in names:
            fields[name] = fields.get(name, 0) + 1
    print(f"{len(paths)} files, {len(diff)} differ" + (f": {fields}" if diff else ""))
    for path, names in list(diff.items())[:10]:
        print(f"  {path}: {', '.join(names)}")
    return 1 if diff else 0


# Loads this file's ``dump`` by path, so the other checkout's package does the fingerprinting.
_OTHER = """
import importlib.util, sys
here, out, *paths = sys.argv[1:]
spec = importlib.util.spec_from_file_location("same", here + "/bench/same_fingerprints.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
import dedupe_gui
assert not dedupe_gui.__file__.startswith(here), dedupe_gui.__file__
module.dump(paths, out)
"""


if __name__ == "__main__":
    sys.exit(main())
