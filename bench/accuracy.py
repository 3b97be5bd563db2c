"""Score grouping against a labelled corpus (../shared/corpus/make_corpus.py output).

    python -m bench.accuracy /tmp/corpus-dev [--cache /tmp/acc.sqlite3] [--thresholds 0-20]

Scans the corpus once (``run_scan``, as the command line does) and groups it at every
threshold in four modes (verification off/on x rotations off/on). Scores are pairwise, as
the corpus README defines them:

- precision: grouped pairs that show the same photo / all grouped pairs;
- recall: grouped pairs among all pairs of ``yes``/``original`` files of one photo;
- per transform: share of (original, variant) pairs grouped, for each kind of variant;
- rotations: share of (rotated/mirrored variant, ``yes``/``original`` file of the same photo)
  pairs grouped;
- hard negatives: listed pairs of different photos of one scene that were grouped, and
  pairs between any files of those photos that were grouped.

It also prints the dHash distance distribution of true pairs, hard-negative pairs and other
different photos, which is what the thresholds are chosen from.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Group, ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL

ROTATION_TRANSFORMS = ("rotate_physical", "mirror", "exif_tag_only")
Pair = tuple[int, int]


@dataclass(frozen=True)
class Truth:
    """The corpus labels, by record index."""

    original_id: list[str]
    transform: list[str]
    expected: list[str]
    yes_pairs: set[Pair]
    per_transform: dict[str, set[Pair]]
    rotation_pairs: set[Pair]
    listed_negatives: set[Pair]
    negative_ids: set[tuple[str, str]]


def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def load_truth(root: str, records: Sequence[ImageRecord]) -> Truth:
    index = {os.path.realpath(r.path): i for i, r in enumerate(records)}
    n = len(records)
    oid = [""] * n
    transform = [""] * n
    expected = [""] * n
    with open(os.path.join(root, "ground_truth.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            i = index.get(os.path.realpath(os.path.join(root, row["file"])))
            if i is None:
                continue  # unreadable in this build: listed among the scan errors
            oid[i] = row["original_id"]
            t = row["transform"]
            transform[i] = "natural" if t.startswith("natural:") else t
            expected[i] = row["expected_match"]
    by_id: dict[str, list[int]] = defaultdict(list)
    for i, original_id in enumerate(oid):
        if original_id:
            by_id[original_id].append(i)
    yes: set[Pair] = set()
    per: dict[str, set[Pair]] = defaultdict(set)
    rot: set[Pair] = set()
    for files in by_id.values():
        upright = [i for i in files if expected[i] in ("yes", "original")]
        yes.update(_pair(a, b) for a, b in itertools.combinations(upright, 2))
        # a look-alike of a set is its own original under its family's name
        originals = [i for i in files if expected[i] == "original"]
        for o in originals:
            for v in files:
                if v != o:
                    per[transform[v]].add(_pair(o, v))
        for v in files:
            if transform[v] in ROTATION_TRANSFORMS:
                rot.update(_pair(v, u) for u in upright)
    listed: set[Pair] = set()
    neg_ids: set[tuple[str, str]] = set()
    with open(os.path.join(root, "hard_negatives.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a = index.get(os.path.realpath(os.path.join(root, row["file_a"])))
            b = index.get(os.path.realpath(os.path.join(root, row["file_b"])))
            if a is not None and b is not None:
                listed.add(_pair(a, b))
            neg_ids.add((row["original_id_a"], row["original_id_b"]))
            neg_ids.add((row["original_id_b"], row["original_id_a"]))
    return Truth(oid, transform, expected, yes, dict(per), rot, listed, neg_ids)


def grouped_pairs(groups: Iterable[Group], index: dict[str, int]) -> set[Pair]:
    out: set[Pair] = set()
    for g in groups:
        members = [index[m.path] for m in g.members]
        out.update(_pair(a, b) for a, b in itertools.combinations(members, 2))
    return out


@dataclass(frozen=True)
class Score:
    threshold: int
    verify: bool
    rotations: bool
    grouped: int
    precision: float
    recall: float
    per_transform: dict[str, float]
    rotation_recall: float
    listed_negatives: int
    negative_pairs: int
    seconds: float


def score(truth: Truth, pairs: set[Pair]) -> tuple[float, float, dict[str, float], float, int, int]:
    same = sum(1 for a, b in pairs if truth.original_id[a] == truth.original_id[b])
    precision = same / len(pairs) if pairs else 1.0
    recall = len(pairs & truth.yes_pairs) / len(truth.yes_pairs) if truth.yes_pairs else 1.0
    per = {t: len(pairs & ps) / len(ps) for t, ps in sorted(truth.per_transform.items()) if ps}
    rot = (
        len(pairs & truth.rotation_pairs) / len(truth.rotation_pairs)
        if truth.rotation_pairs
        else 1.0
    )
    listed = len(pairs & truth.listed_negatives)
    neg = sum(
        1 for a, b in pairs if (truth.original_id[a], truth.original_id[b]) in truth.negative_ids
    )
    return precision, recall, per, rot, listed, neg


def distance_report(records: Sequence[ImageRecord], truth: Truth) -> list[str]:
    """Percentiles of dHash distances for true pairs, hard negatives and different photos."""
    hashes = np.array([r.fingerprint.hash for r in records], dtype=np.uint64)
    n = hashes.size
    a, b = np.triu_indices(n, 1)
    d = np.bitwise_count(hashes[a] ^ hashes[b]).astype(np.int64)
    oid = np.array(truth.original_id)
    same = oid[a] == oid[b]
    yes = np.array([_pair(int(x), int(y)) in truth.yes_pairs for x, y in zip(a, b, strict=True)])
    neg = np.array(
        [
            (truth.original_id[x], truth.original_id[y]) in truth.negative_ids
            for x, y in zip(a, b, strict=True)
        ]
    )
    lines = [
        "| pairs | count | min | 1% | 5% | 50% | 95% | 99% | max |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, mask in (
        ("same photo (yes/original)", same & yes),
        ("hard negatives (any files of the two photos)", neg),
        ("different photos", ~same & ~neg),
    ):
        v = d[mask]
        if v.size == 0:
            continue
        q = np.percentile(v, [1, 5, 50, 95, 99])
        lines.append(
            f"| {name} | {v.size} | {v.min()} | "
            + " | ".join(f"{x:.0f}" for x in q)
            + f" | {v.max()} |"
        )
    return lines


def parse_range(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        else:
            out.append(int(part))
    return out


@dataclass(frozen=True)
class ScannedCorpus:
    """A labelled corpus scanned as the command line scans it, with its truth lined up on the
    records: what every diagnostic here starts from."""

    records: list[ImageRecord]
    truth: Truth
    index: dict[str, int]


def diagnostic_parser(description: str) -> argparse.ArgumentParser:
    """The arguments the per-stage diagnostics share: a corpus, a cache and one threshold."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("corpus")
    parser.add_argument("--cache", help="fingerprint cache file (default: none)")
    parser.add_argument("--threshold", type=int, default=12)
    return parser


def scan_corpus(corpus: str, cache: str | None) -> ScannedCorpus:
    store = FingerprintStore(cache) if cache else None
    result = run_scan(ScanOptions((os.path.join(corpus, "images"),)), store)
    if store is not None:
        store.close()
    records = list(result.records)
    index = {r.path: i for i, r in enumerate(records)}
    return ScannedCorpus(records, load_truth(corpus, records), index)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--cache", help="fingerprint cache file (default: none, scan afresh)")
    parser.add_argument("--thresholds", default="0-20", type=parse_range)
    parser.add_argument("--max-residual", type=float, default=DEFAULT_MAX_RESIDUAL)
    parser.add_argument(
        "--transforms", action="store_true", help="per-transform table for all rows"
    )
    args = parser.parse_args(argv)

    store = FingerprintStore(args.cache) if args.cache else None
    started = time.perf_counter()
    result = run_scan(ScanOptions((os.path.join(args.corpus, "images"),)), store)
    if store is not None:
        store.close()
    scan_seconds = time.perf_counter() - started
    records = result.records
    truth = load_truth(args.corpus, records)
    index = {r.path: i for i, r in enumerate(records)}
    print(f"# Accuracy on {args.corpus}\n")
    print(
        f"{len(records)} images, {len(result.errors)} unreadable, scanned in {scan_seconds:.1f} s; "
        f"{len(truth.yes_pairs)} true pairs, {len(truth.rotation_pairs)} rotated/mirrored pairs, "
        f"{len(truth.listed_negatives)} listed hard-negative pairs. "
        f"max_residual={args.max_residual}\n"
    )
    print("## dHash distance distribution\n")
    print("\n".join(distance_report(records, truth)) + "\n")

    sim = SimilarityIndex(records)
    scores: list[Score] = []
    false_pairs: dict[tuple[int, bool, bool], Counter[str]] = {}
    for verify, rotations in ((False, False), (True, False), (False, True), (True, True)):
        for t in args.thresholds:
            t0 = time.perf_counter()
            groups = sim.groups(
                GroupingOptions(
                    t, verify=verify, rotations=rotations, max_residual=args.max_residual
                )
            )
            seconds = time.perf_counter() - t0
            pairs = grouped_pairs(groups, index)
            false_pairs[(t, verify, rotations)] = Counter(
                " / ".join(sorted((truth.transform[a], truth.transform[b])))
                for a, b in pairs
                if truth.original_id[a] != truth.original_id[b]
            )
            p, r, per, rot, listed, neg = score(truth, pairs)
            scores.append(
                Score(t, verify, rotations, len(pairs), p, r, per, rot, listed, neg, seconds)
            )

    print("## Pairwise scores by threshold and mode\n")
    print(
        "| T | verify | rotations | grouped pairs | precision | recall (yes) | rotated recall "
        "| hard neg. listed | hard neg. any | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for s in scores:
        print(
            f"| {s.threshold} | {'on' if s.verify else 'off'} | {'on' if s.rotations else 'off'} "
            f"| {s.grouped} | {s.precision:.4f} | {s.recall:.4f} | {s.rotation_recall:.3f} "
            f"| {s.listed_negatives} | {s.negative_pairs} | {s.seconds:.2f} |"
        )
    transforms = sorted(truth.per_transform)
    print("\n## Recall per transform (original, variant) pairs\n")
    print("| T | verify | rotations | " + " | ".join(transforms) + " |")
    print("|---|---|---|" + "---|" * len(transforms))
    for s in scores:
        if not args.transforms and s.threshold % 4 and s.threshold not in (10, 14, 18):
            continue
        print(
            f"| {s.threshold} | {'on' if s.verify else 'off'} | {'on' if s.rotations else 'off'} | "
            + " | ".join(f"{s.per_transform.get(t, 0):.2f}" for t in transforms)
            + " |"
        )
    print("\n## Pairs of different pictures grouped, by the two files' kinds (verify on)\n")
    for (t, verify, rotations), counts in false_pairs.items():
        if verify and counts:
            mode = "with rotations" if rotations else "upright"
            listing = ", ".join(f"{kinds}: {n}" for kinds, n in counts.most_common())
            print(f"- T={t}, {mode}: {listing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
