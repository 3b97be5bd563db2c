"""A rescan of a library with a few files changed, this checkout against another, side by side.

    git worktree add /tmp/dedupe-base BASE_COMMIT         # once: the code to compare with
    python -m bench.changed_library LIBRARY --cache CACHE --other /tmp/dedupe-base \\
        [--prime-exclude p000007.jpg] [--exclude p000005.jpg ...] [--add FOLDER ...] \\
        [--rounds 2] [-- SCAN OPTIONS such as --no-verify]

``CACHE`` (never written: copied) holds the library's fingerprints. Each checkout first
scans the library less ``--prime-exclude`` into its own copy, so that both start from the
state their own last grouping left (verdicts, words, kept grouping; and whatever else that
build keeps). Then each round runs, for each checkout in turn on a fresh copy of its primed
cache, the scan with the change: ``--exclude`` the files named (files removed), ``--add``
other folders (files added), under ``bench.measured`` (CPU seconds, bytes read, peak RSS),
with the load average; and compares the two reports, ``stats.seconds`` aside.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def same_report(a: str, b: str) -> bool:
    """Whether two JSON reports are the same but for the time the scan took."""
    left, right = json.loads(a), json.loads(b)
    for report in (left, right):
        report.get("stats", {}).pop("seconds", None)
    same: bool = left == right
    return same


def scan(checkout: str, args: Sequence[str], cost_file: str | None = None) -> str:
    """The JSON report of ``dedupe-gui scan ARGS`` run from ``checkout`` (under
    ``bench.measured`` when ``cost_file`` is given)."""
    measured = [] if cost_file is None else ["-m", "bench.measured", cost_file]
    out = subprocess.run(
        [sys.executable, *measured, "-m", "dedupe_gui", "scan", *args],
        cwd=checkout,
        env=dict(os.environ, PYTHONPATH=checkout),
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("library")
    p.add_argument("--cache", required=True, help="a cache of the library (copied, not written)")
    p.add_argument("--other", required=True, help="the checkout to compare with")
    p.add_argument("--prime-exclude", default="p000007.jpg", metavar="GLOB")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    p.add_argument("--add", action="append", default=[], metavar="FOLDER")
    p.add_argument("--rounds", type=int, default=2)
    args = list(sys.argv[1:] if argv is None else argv)
    # After "--": options of every scan.
    cut = args.index("--") if "--" in args else len(args)
    a = p.parse_args(args[:cut])
    checkouts = {"this": HERE, "other": os.path.abspath(a.other)}
    common = ["-q", "--format", "json", *args[cut + 1 :]]
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory(prefix="changed-library-") as tmp:
        primed = {}
        for name, checkout in checkouts.items():
            primed[name] = os.path.join(tmp, f"{name}-primed.sqlite3")
            shutil.copyfile(a.cache, primed[name])
            scan(
                checkout,
                [a.library, *common, "--cache", primed[name], "--exclude", a.prime_exclude],
            )
        changed = [a.library, *a.add, *common]
        for pattern in a.exclude:
            changed += ["--exclude", pattern]
        for n in range(a.rounds):
            reports = {}
            for name, checkout in checkouts.items():
                copy = os.path.join(tmp, f"{name}-run.sqlite3")
                shutil.copyfile(primed[name], copy)
                cost_file = os.path.join(tmp, f"{name}-cost.json")
                load = os.getloadavg()[0]
                reports[name] = scan(checkout, [*changed, "--cache", copy], cost_file)
                with open(cost_file) as f:
                    cost = json.load(f)
                cost["load"] = round(load, 1)
                results[name].append(cost)
                print(f"round {n + 1} {name}: {json.dumps(cost)}", flush=True)
            same = same_report(reports["this"], reports["other"])
            groups = len(json.loads(reports["this"])["groups"])
            print(f"round {n + 1}: reports {'the same' if same else 'DIFFERENT'}, {groups} groups")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
