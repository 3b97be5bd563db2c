"""What following photos by content costs and saves: the cache with and without identities.

    python -m bench.cache_follow FOLDER [--repeat N]

FOLDER is copied (times kept) into a temporary folder, then, in this process, with one worker
count and a fresh cache file per variant:

- cold: the first scan (with identities, 8 KiB more read per file);
- warm: a rescan of the unchanged folder (with identities, a file is re-read only when its
  inode change time moved, so none is);
- renamed: the folder renamed, then scanned (without identities every file is decoded again);
- copied: a ``cp -a`` copy of the folder scanned with the original.

Each variant runs ``--repeat`` times, the fastest counts (the machine may be shared); printed as
seconds, files decoded, and the ratio without/with identities.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.scan import ScanOptions, run_scan


def _scan(db: Path, roots: list[Path], follow: bool) -> tuple[float, int]:
    start = time.perf_counter()
    with FingerprintStore(str(db)) as store:
        result = run_scan(ScanOptions(tuple(str(r) for r in roots), follow_content=follow), store)
    return time.perf_counter() - start, result.stats.hashed


def _library(base: Path) -> Path:
    """The library folder under whatever name the last run gave it."""
    return next(p for p in base.iterdir() if p.name == "lib" or p.name.startswith("renamed-"))


def _best(n: int, run: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    return min(run() for _ in range(n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="cache-follow-") as tmp:
        base = Path(tmp)
        lib = base / "lib"
        shutil.copytree(args.folder, lib, copy_function=shutil.copy2)
        for follow in (True, False):
            tag = "with" if follow else "without"

            def cold(follow: bool = follow, tag: str = tag) -> tuple[float, int]:
                db = base / f"{tag}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                return _scan(db, [lib], follow)

            def warm(follow: bool = follow, tag: str = tag) -> tuple[float, int]:
                return _scan(base / f"{tag}.db", [lib], follow)

            def renamed(follow: bool = follow, tag: str = tag) -> tuple[float, int]:
                db = base / f"{tag}.db"
                # Rename back and forth: each run sees a path the cache does not know.
                target = base / f"renamed-{time.monotonic_ns()}"
                current = next(
                    p for p in base.iterdir() if p.name in ("lib",) or "renamed" in p.name
                )
                current.rename(target)
                return _scan(db, [target], follow)

            figures[tag] = {}
            for name, fn in (("cold", cold), ("warm", warm), ("renamed", renamed)):
                seconds, hashed = _best(args.repeat, fn)
                figures[tag][name] = seconds
                figures[tag][f"{name}_decoded"] = hashed
            _library(base).rename(lib)
            copy = base / f"copy-{tag}"
            shutil.copytree(lib, copy, copy_function=shutil.copy2)
            seconds, hashed = _scan(base / f"{tag}.db", [lib, copy], follow)
            figures[tag]["copied"] = seconds
            figures[tag]["copied_decoded"] = hashed
            shutil.rmtree(copy)
    for name in ("cold", "warm", "renamed", "copied"):
        w, wo = figures["with"], figures["without"]
        print(
            f"{name:>8}: with identities {w[name]:7.2f} s ({int(w[name + '_decoded'])} decoded), "
            f"without {wo[name]:7.2f} s ({int(wo[name + '_decoded'])} decoded), "
            f"ratio without/with {wo[name] / w[name]:.2f}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
