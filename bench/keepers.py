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
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from bench.said_truth import judge
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper import DEFAULT_RULES
from dedupe_gui.core.models import Group
from dedupe_gui.core.scan import ScanOptions, run_scan

TURNED = ("mirror", "exif_tag_only", "rotate_physical", "natural:rotated180")
FRAMED = ("border", "screenshot")
OVERLAID = ("caption", "sticker")
# Families a person would not keep beside a copy without the mark, pixels comparable.
MARKED = frozenset(("caption", "sticker", "border", "screenshot", "vignette", "png 16-bit"))


class Row(NamedTuple):
    original: str
    transform: str
    params: str
    w: int  # the original's size
    h: int


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


def _families(corpus: str) -> dict[str, Row]:
    """Each file's (original id, transform, params, original's width and height)."""
    rows: dict[str, Row] = {}
    sizes: dict[str, tuple[int, int]] = {}
    with open(os.path.join(corpus, "ground_truth.csv"), newline="") as f:
        table = list(csv.DictReader(f))
    for row in table:
        if row["transform"] == "original":
            sizes[row["original_id"]] = (int(row["width"]), int(row["height"]))
    for row in table:
        path = os.path.realpath(os.path.join(corpus, row["file"]))
        w, h = sizes.get(row["original_id"], (int(row["width"]), int(row["height"])))
        rows[path] = Row(row["original_id"], row["transform"], row["params"], w, h)
    return rows


def family_tables(groups: Sequence[Group], rows: dict[str, Row]) -> list[str]:
    """Per edit family: which file its groups keep when the original is among them, who is
    kept in groups without the original, and how often a copy's words say its edit."""
    kept: dict[str, Counter[str]] = defaultdict(Counter)
    words: dict[str, Counter[str]] = defaultdict(Counter)
    orphan: Counter[str] = Counter()
    for g in groups:
        fam = [rows.get(os.path.realpath(m.path)) for m in g.members]
        keeper = fam[0]
        if keeper is None:
            continue
        for member, row in zip(g.members[1:], fam[1:], strict=True):
            if row is None or row.transform == "original" or row.original != keeper.original:
                continue
            if keeper.transform == "original":
                verdict = judge(row.transform, row.params, member.differences, row.w, row.h)
                if verdict is not None:
                    c = words[row.transform]
                    c["pairs"] += 1
                    c["says"] += verdict.says_edit
                    c["clean"] += verdict.nothing_wrong
                    c["right"] += verdict.right
        by_original = [r for r in fam if r is not None and r.original == keeper.original]
        present = {r.transform for r in by_original}
        if "original" in present:
            for t in present - {"original"}:
                kept[t]["groups"] += 1
                kept[t]["original kept" if keeper.transform == "original" else
                        "this kept" if keeper.transform == t else "other kept"] += 1  # fmt: skip
        elif len(present) > 1:
            orphan["groups"] += 1
            marked = MARKED.intersection(present)
            if marked and present - MARKED:
                orphan["marked beside unmarked"] += 1
                orphan["marked kept"] += keeper.transform in MARKED
    out = ["| family | groups with the original | original kept | this copy kept | other kept |"]
    out.append("|---|---|---|---|---|")
    for t in sorted(kept):
        c = kept[t]
        out.append(
            f"| {t} | {c['groups']} | {c['original kept']} | {c['this kept']} | {c['other kept']} |"
        )
    out.append(
        f"\nGroups without their original: {orphan['groups']}; with a marked copy (caption, "
        f"sticker, border, screenshot, vignette, greyscale) beside an unmarked one: "
        f"{orphan['marked beside unmarked']}, a marked copy kept in {orphan['marked kept']}.\n"
    )
    out.append("| family | pairs (original kept) | says the edit | says nothing wrong | both |")
    out.append("|---|---|---|---|---|")
    total: Counter[str] = Counter()
    for t in sorted(words):
        c = words[t]
        total.update(c)
        out.append(f"| {t} | {c['pairs']} | {c['says']} | {c['clean']} | {c['right']} |")
    out.append(
        f"| all | {total['pairs']} | {total['says']} | {total['clean']} | {total['right']} |"
    )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--cache", help="fingerprint cache file (default: none, scan afresh)")
    parser.add_argument("-t", "--threshold", type=int, default=12)
    parser.add_argument("--rotations", action="store_true")
    parser.add_argument(
        "--families",
        action="store_true",
        help="per edit family (bench.edit_corpus): the keeper, and whether the words say the edit",
    )
    args = parser.parse_args(argv)

    rows = _families(args.corpus)
    kinds = {path: _kind(row.transform) for path, row in rows.items()}
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
    groups: list[Group] = []
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
    if args.families:
        print("\nDefault rules, per family:\n")
        print("\n".join(family_tables(groups, rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
