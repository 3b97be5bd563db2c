"""What following photos by content costs and saves: the cache with and without identities.

    python -m bench.cache_follow FOLDER [--repeat N]

FOLDER is copied (times kept) into a temporary folder, then, in this process, with one worker
count and a fresh cache file per variant:

- cold: the first scan (with identities, 8 KiB more read per file);
- warm: a rescan of the unchanged folder (with identities, a file is re-read only when its
  inode change time moved, so none is);
- renamed: the folder renamed, then scanned (without identities every file is decoded again);
- copied: a ``cp -a`` copy of the folder scanned with the original.

``--repeat`` rounds of the four, with and without identities interleaved, the fastest of each
counts (the machine may be shared); printed as seconds, files decoded, and the ratio
without/with identities.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.scan import ScanOptions, run_scan


def _scan(db: Path, roots: list[Path], follow: bool) -> tuple[float, int]:
    start = time.perf_counter()
    with FingerprintStore(str(db)) as store:
        result = run_scan(ScanOptions(tuple(str(r) for r in roots), follow_content=follow), store)
    return time.perf_counter() - start, result.stats.hashed


def _round(base: Path, lib: Path, follow: bool) -> dict[str, float]:
    """cold, warm, renamed and copied scans with or without identities, on a fresh cache."""
    tag = "with" if follow else "without"
    db = base / f"{tag}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    out: dict[str, float] = {}
    out["cold"], out["cold_decoded"] = _scan(db, [lib], follow)
    out["warm"], out["warm_decoded"] = _scan(db, [lib], follow)
    renamed = base / f"renamed-{tag}"
    lib.rename(renamed)
    out["renamed"], out["renamed_decoded"] = _scan(db, [renamed], follow)
    renamed.rename(lib)
    copy = base / f"copy-{tag}"
    shutil.copytree(lib, copy, copy_function=shutil.copy2)
    out["copied"], out["copied_decoded"] = _scan(db, [lib, copy], follow)
    shutil.rmtree(copy)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    with tempfile.TemporaryDirectory(prefix="cache-follow-") as tmp:
        base = Path(tmp)
        lib = base / "lib"
        shutil.copytree(args.folder, lib, copy_function=shutil.copy2)
        for n in range(args.repeat):
            # Rounds interleaved, the order alternating: the machine's load hits both alike.
            for follow in (True, False) if n % 2 == 0 else (False, True):
                runs["with" if follow else "without"].append(_round(base, lib, follow))
    best = {tag: {k: min(r[k] for r in rs) for k in rs[0]} for tag, rs in runs.items()}
    for name in ("cold", "warm", "renamed", "copied"):
        w, wo = best["with"], best["without"]
        print(
            f"{name:>8}: with identities {w[name]:7.2f} s ({int(w[name + '_decoded'])} decoded), "
            f"without {wo[name]:7.2f} s ({int(wo[name + '_decoded'])} decoded), "
            f"ratio without/with {wo[name] / w[name]:.2f}"
        )
    print(json.dumps(best))


if __name__ == "__main__":
    main()
