"""The scan of this checkout against another checkout's, side by side in one run.

    git worktree add /tmp/dedupe-base BASE_COMMIT         # once: the code to compare with
    python -m bench.versus FOLDER --other /tmp/dedupe-base [--repeat 3]

Each round runs ``dedupe-gui scan FOLDER --no-cache`` (cold: decode, fingerprint, group,
print) once with this checkout and once with the other, alternating which goes first, each
in a fresh interpreter of the same Python under ``bench.measured`` (CPU seconds, bytes read,
peak RSS); the fastest run of each counts, since the machine may be shared, and the median
CPU seconds, which a loaded machine distorts less. Then both scan once more into an empty
cache file, which gives the cache's size per fingerprinted file. Prints both, their ratios
and one JSON line.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def scan(checkout: str, args: Sequence[str]) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """Wall-clock seconds of one ``dedupe-gui scan`` run from ``checkout``, its report and
    its costs (``bench.measured``: CPU seconds, bytes read, peak RSS)."""
    env = dict(os.environ, PYTHONPATH=checkout)
    with tempfile.TemporaryDirectory(prefix="versus-cost-") as tmp:
        cost_file = os.path.join(tmp, "cost.json")
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "bench.measured", cost_file, "-m", "dedupe_gui", "scan",
             *args, "--format", "json", "-q"],
            check=True,
            capture_output=True,
            text=True,
            cwd=checkout,
            env=env,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        with open(cost_file) as f:
            cost: dict[str, Any] = json.load(f)
    report: dict[str, Any] = json.loads(out.stdout)
    return seconds, report, cost


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--other", required=True, help="the other checkout (a git worktree)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    sides = {"this": HERE, "other": os.path.abspath(args.other)}
    # Both as installed packages are: compiled (see bench.scan).
    for checkout in sides.values():
        compileall.compile_dir(os.path.join(checkout, "dedupe_gui"), quiet=1)
    times: dict[str, list[float]] = {name: [] for name in sides}
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    costs: dict[str, dict[str, Any]] = {}
    groups: dict[str, int] = {}
    loads = [os.getloadavg()[0]]
    for round_no in range(args.repeat):
        order = list(sides) if round_no % 2 == 0 else list(reversed(sides))
        for name in order:
            seconds, report, cost = scan(sides[name], [folder, "--no-cache"])
            times[name].append(seconds)
            cpu[name].append(float(cost.get("cpu_seconds") or 0.0))
            costs[name] = cost
            groups[name] = len(report["groups"])
    loads.append(os.getloadavg()[0])
    per_file: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="versus-") as tmp:
        for name, checkout in sides.items():
            cache = os.path.join(tmp, f"{name}.sqlite3")
            _, report, _ = scan(checkout, [folder, "--cache", cache])
            size = sum(os.path.getsize(p) for p in (cache, cache + "-wal") if os.path.exists(p))
            per_file[name] = size / max(1, report["stats"]["images"])
    best = {name: min(t) for name, t in times.items()}
    cpu_median = {name: statistics.median(c) for name, c in cpu.items()}
    files = max(1, report["stats"]["images"])
    for name in sides:
        print(
            f"{name:>6} ({sides[name]}): best {best[name]:.2f} s, runs "
            f"{[round(t, 2) for t in times[name]]}, CPU {[round(c, 2) for c in cpu[name]]} s, "
            f"read {(costs[name].get('rchar') or 0) / files / 1e3:.1f} KB per file, peak "
            f"{costs[name].get('peak_rss_mb')} MB, {groups[name]} groups, "
            f"cache {per_file[name]:.0f} bytes per file"
        )
    ratio = best["this"] / best["other"]
    cpu_ratio = cpu_median["this"] / cpu_median["other"]
    print(
        f"this / other: {ratio:.3f} wall (best), {cpu_ratio:.3f} CPU (median); "
        f"load {loads[0]:.1f} -> {loads[1]:.1f}"
    )
    print(
        json.dumps(
            {
                "folder": folder,
                "seconds": {k: [round(t, 3) for t in v] for k, v in times.items()},
                "cpu_seconds": cpu,
                "ratio": round(ratio, 4),
                "cpu_ratio": round(cpu_ratio, 4),
                "costs": costs,
                "load": loads,
                "cache_bytes_per_file": {k: round(v) for k, v in per_file.items()},
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
