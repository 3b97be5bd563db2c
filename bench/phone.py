"""Phone library: HEIC against the same pictures as JPEG, and every HEIC with its JPEG twin.

    python -m bench.make_phone_library ORIGINALS /tmp/speed-phone -n 16
    python -m bench.phone /tmp/speed-phone [--repeat 3]

In one run, rounds interleaved (median of ``--repeat``), each a whole process under
``bench.measured``: ``dedupe-gui scan heic/ --no-cache`` and ``dedupe-gui scan jpeg/
--no-cache``, and the decode floor of each folder (``bench.decode_floor``). Then one scan of
the whole library, which must put every ``heic/IMG_N.HEIC`` in one group with
``jpeg/IMG_N.JPG``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from typing import Any

from bench.scan import list_files, load, measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.phone", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    root = os.path.abspath(args.folder)
    runs: dict[str, list[float]] = {}
    costs: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        listings = {}
        for kind in ("heic", "jpeg"):
            paths = list_files(os.path.join(root, kind))
            counts[kind] = len(paths)
            listings[kind] = os.path.join(tmp, f"{kind}.txt")
            with open(listings[kind], "w", encoding="utf-8") as f:
                f.write("".join(p + "\n" for p in paths))
            for p in paths:
                with open(p, "rb") as fh:
                    while fh.read(1 << 20):
                        pass
        for _ in range(max(1, args.repeat)):
            for kind in ("heic", "jpeg"):
                folder = os.path.join(root, kind)
                for name, command in (
                    (f"{kind} scan", ["dedupe_gui", "scan", folder, "--no-cache", "-q"]),
                    (f"{kind} floor", ["bench.decode_floor", listings[kind]]),
                ):
                    seconds, cost, _ = measured(command)
                    runs.setdefault(name, []).append(seconds)
                    costs[name] = cost
    times = {k: statistics.median(v) for k, v in runs.items()}
    for name, t in times.items():
        per_file = (costs[name].get("rchar") or 0) / max(1, counts[name.split()[0]])
        print(
            f"{name:>11}: {t:6.2f} s  runs {[round(x, 2) for x in runs[name]]}  "
            f"read {per_file / 1e3:8.1f} KB/file  peak {costs[name]['peak_rss_mb']} MB"
        )
    ratio = times["heic scan"] / times["jpeg scan"]
    print(f"HEIC / JPEG = {ratio:.2f}x  ({counts['heic']} vs {counts['jpeg']} files)")

    _, _, stdout = measured(["dedupe_gui", "scan", root, "--no-cache", "-q", "--format", "json"])
    report = json.loads(stdout)
    group_of = {f["path"]: n for n, g in enumerate(report["groups"]) for f in g["files"]}
    apart = []
    for heic in list_files(os.path.join(root, "heic")):
        stem = os.path.splitext(os.path.basename(heic))[0]
        twin = os.path.join(root, "jpeg", f"{stem}.JPG")
        if heic not in group_of or group_of[heic] != group_of.get(twin):
            apart.append(stem)
    print(f"HEIC files not grouped with their JPEG twin: {apart or 'none'}")
    print(
        json.dumps(
            {
                "median_seconds": {k: round(v, 3) for k, v in times.items()},
                "runs": runs,
                "costs": costs,
                "heic_vs_jpeg": round(ratio, 2),
                "apart": apart,
                "load_after": load(),
            }
        )
    )
    return 0 if not apart else 1


if __name__ == "__main__":
    raise SystemExit(main())
