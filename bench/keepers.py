"""Which copy each group keeps on a labelled corpus: how often the keeper is a turned or
mirrored copy, or a copy with a frame, caption, sticker or screenshot chrome, while the group
holds a file without that edit; under the default keeper rules and, side by side in the same
run, under the rules without "upright" and "clean".

    python -m bench.keepers /tmp/corpus --cache /tmp/c.sqlite3 [-t 12] [--rotations]

The corpus is one made by ../shared/corpus/make_corpus.py or bench.edit_corpus
(``ground_truth.csv`` names each file's edit). Turned: make_corpus's mirror, exif_tag_only
and rotate_physical files and the natural variants shown rotated. Framed: bench.edit_corpus's
border and screenshot files; overlays (caption, sticker) are counted apart, as the rules do
not judge them.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import Counter
from collections.abc import Sequence

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper import DEFAULT_RULES
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan

TURNED = ("mirror", "exif_tag_only", "rotate_physical", "natural:rotated180")
FRAMED = ("border", "screenshot")
OVERLAID = ("caption", "sticker")


def _kind(transform: str) -> str:
    if transform.startswith(TURNED):
        return "turned"
    if transform.startswith(FRAMED):
        return "framed"
    if transform.startswith(OVERLAID):
        return "overlaid"
    return "plain"


def tally(groups: Sequence[Group], kinds: dict[str, str]) -> Counter[str]:
    """Per kind: groups holding such a file and a plain one, and those keeping such a file."""
    out: Counter[str] = Counter()
    for g in groups:
        present = [kinds.get(os.path.realpath(m.path), "plain") for m in g.members]
        if "plain" not in present:
            continue
        kept = present[0]
        for kind in set(present) - {"plain"}:
            out[f"{kind} groups"] += 1
            if kept == kind:
                out[f"{kind} kept"] += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--cache", help="fingerprint cache file (default: none, scan afresh)")
    parser.add_argument("-t", "--threshold", type=int, default=12)
    parser.add_argument("--rotations", action="store_true")
    args = parser.parse_args(argv)

    kinds: dict[str, str] = {}
    with open(os.path.join(args.corpus, "ground_truth.csv"), newline="") as f:
        for row in csv.DictReader(f):
            path = os.path.realpath(os.path.join(args.corpus, row["file"]))
            kinds[path] = _kind(row["transform"])
    store = FingerprintStore(args.cache) if args.cache else None
    result = run_scan(ScanOptions((os.path.join(args.corpus, "images"),)), store)
    if store is not None:
        store.close()
    before = tuple(r for r in DEFAULT_RULES if r not in ("upright", "clean"))
    print(
        f"{args.corpus}: {len(result.records)} images, T={args.threshold}, "
        f"rotations {'on' if args.rotations else 'off'}\n"
    )
    print(
        "| rules | groups | turned kept / groups | framed kept / groups | overlaid kept / groups "
        "| grouping s |"
    )
    print("|---|---|---|---|---|---|")
    for name, rules in (("without upright, clean", before), ("default", DEFAULT_RULES)):
        options = GroupingOptions(args.threshold, rules=rules, rotations=args.rotations)
        started = time.perf_counter()
        groups = SimilarityIndex(result.records).groups(options)  # a fresh index: no kept checks
        seconds = time.perf_counter() - started
        t = tally(groups, kinds)
        cells = " | ".join(
            f"{t[k + ' kept']} / {t[k + ' groups']}" for k in ("turned", "framed", "overlaid")
        )
        print(f"| {name} | {len(groups)} | {cells} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
