"""The scan of this checkout against another checkout's, side by side in one run.

    git worktree add /tmp/dedupe-base BASE_COMMIT         # once: the code to compare with
    python -m bench.versus FOLDER --other /tmp/dedupe-base [--repeat 3]

Each round runs ``dedupe-gui scan FOLDER --no-cache`` (cold: decode, fingerprint, group,
print) once with this checkout and once with the other, alternating which goes first, each
in a fresh interpreter of the same Python; the fastest run of each counts, since the machine
may be shared. Then both scan once more into an empty cache file, which gives the cache's
size per fingerprinted file. Prints both, their ratio and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def scan(checkout: str, args: Sequence[str]) -> tuple[float, dict[str, Any]]:
    """Wall-clock seconds of one ``dedupe-gui scan`` run from ``checkout``, and its report."""
    env = dict(os.environ, PYTHONPATH=checkout)
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "dedupe_gui", "scan", *args, "--format", "json", "-q"],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
        env=env,
    )
    seconds = time.perf_counter() - start
    report: dict[str, Any] = json.loads(out.stdout)
    return seconds, report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--other", required=True, help="the other checkout (a git worktree)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    sides = {"this": HERE, "other": os.path.abspath(args.other)}
    times: dict[str, list[float]] = {name: [] for name in sides}
    groups: dict[str, int] = {}
    for round_no in range(args.repeat):
        order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
        for name in order:
            seconds, report = scan(sides[name], [folder, "--no-cache"])
            times[name].append(seconds)
            groups[name] = len(report["groups"])
    per_file: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="versus-") as tmp:
        for name, checkout in sides.items():
            cache = os.path.join(tmp, f"{name}.sqlite3")
            _, report = scan(checkout, [folder, "--cache", cache])
            size = sum(os.path.getsize(p) for p in (cache, cache + "-wal") if os.path.exists(p))
            per_file[name] = size / max(1, report["stats"]["images"])
    best = {name: min(t) for name, t in times.items()}
    for name in sides:
        print(
            f"{name:>6} ({sides[name]}): best {best[name]:.2f} s, runs "
            f"{[round(t, 2) for t in times[name]]}, {groups[name]} groups, "
            f"cache {per_file[name]:.0f} bytes per file"
        )
    ratio = best["this"] / best["other"]
    print(f"this / other: {ratio:.3f}")
    print(
        json.dumps(
            {
                "folder": folder,
                "seconds": {k: [round(t, 3) for t in v] for k, v in times.items()},
                "ratio": round(ratio, 4),
                "cache_bytes_per_file": {k: round(v) for k, v in per_file.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
