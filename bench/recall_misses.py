"""Where the "yes" copies of a labelled corpus are lost, stage by stage.

    python -m bench.recall_misses /tmp/edits-s1 --cache /tmp/acc-edits.sqlite3 [--threshold 12]

Groups the corpus as the default scan does (verification on, windows on) and, for every
"yes" or original file left out of its photo's main group (the group holding the original,
or else the largest group of the photo's files), looks at the pair (that group's keeper, the
file) the way the pair check does and names the first stage that lost it:

- ``not a candidate``: the hashes are more than T bits apart and no window brings them
  within reach;
- ``hopeless (16x16)``: ruled out by the 16x16 correlation before any alignment, also with
  one overlay's place left out (never a pair whose middles agree: "middles agree" in the
  numbers);
- ``32x32, no look``: failed the 32x32 check and not looked at again (residual over the
  local-edit look's bound, a higher one when the middles agree or the rest agrees without
  one overlay's place, "one overlay", or two shapes);
- ``local look: <why>``: failed the 32x32 check, and the 128x128 look for one local edit
  refused it (too few textured tiles, the differing box too large, too many differing tiles,
  a differing tile on a picture of flat areas and edges, the grey levels outside the box);
- ``text check``: passed, then rejected as two slides on one background (core.strokes);
- ``star``: the pair passes and is a candidate, but the file went to another keeper first,
  or its photo's group has a keeper the file was never compared with.

Prints one row per lost file and a table of stages by edit family.
"""

from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.accuracy import diagnostic_parser, grouped_pairs, scan_corpus, score
from dedupe_gui.core.align import align_halves, highpass, identity_params, smooth, warp
from dedupe_gui.core.candidates import Candidates
from dedupe_gui.core.fingerprint import FingerprintError, detail_grey
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.local_edits import (
    _BAND_OUTSIDE,
    _BOX,
    _DIFFERING,
    _EDGE_RADIUS,
    _FLAT_LIMIT_SHARE,
    _LIMIT_SHARE,
    _MIN_TEXTURED,
    CENTRED_LOOK_BELOW,
    LOOK_BELOW,
    _box,
    _edge_band,
    _grey_residual,
    _ordinary_beneath,
    _solid,
    _tiles,
)
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.prefilter import first_test, middles_agree, signatures
from dedupe_gui.core.strokes import two_sided_text
from dedupe_gui.core.thumbnails import fines_to_array, thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Look:
    """The 128x128 look for one local edit, with the numbers it decided on."""

    textured: int
    differing: int
    box: int
    grey: float  # in units of the check's limit share (inf: no grey reading)
    why: str  # "" when it passes


def local_look(a: U8, b: U8, flat_and_edges: bool, limit: float) -> Look:
    """core.local_edits for one pair, keeping the numbers of the warp it kept."""
    ma = a[None].astype(np.float32)
    fb = b[None].astype(np.float32)
    still = identity_params(1)
    params = align_halves(ma, fb, 6, 3)
    edges_a = highpass(smooth(ma), _EDGE_RADIUS)
    best: Look | None = None
    share = _FLAT_LIMIT_SHARE if flat_and_edges else _LIMIT_SHARE
    for p in (still, params):
        value, _, _, inside = warp(fb, p)
        covered = (inside > 0.5).astype(np.float32)
        edges_b = highpass(smooth(value), _EDGE_RADIUS) * covered
        textured, bad = _tiles(edges_a * covered, edges_b)
        n_t, n_b = int(textured.sum()), int(bad.sum())
        box = _box(bad)
        n_box = int(box.sum())
        why = ""
        if n_t < _MIN_TEXTURED:
            why = "few textured tiles"
        elif (
            flat_and_edges
            and n_b
            and not (_solid(ma, value, inside)[0] and _ordinary_beneath(edges_a, edges_b, box)[0])
        ):
            why = "a tile differs (flat and edged)"
        elif n_box > _BOX:
            why = "box too large"
        elif n_b > _DIFFERING * n_t and not (
            bool(_edge_band(box)[0]) and n_t - int((textured & box).sum()) >= _BAND_OUTSIDE
        ):
            why = "too many differing"
        grey = float("inf")
        if not why:
            grey = float(_grey_residual(ma, value, covered, box)[0]) / share
            if grey > limit:
                why = "grey levels"
        look = Look(n_t, n_b, n_box, grey, why)
        if best is None or n_b < best.differing:
            best = look
    assert best is not None
    return best


def _detail(path: str) -> U8 | None:
    try:
        return detail_grey(path)
    except FingerprintError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    args = diagnostic_parser(__doc__.split("\n")[0]).parse_args(argv)
    scanned = scan_corpus(args.corpus, args.cache)
    records, truth, index = scanned.records, scanned.truth, scanned.index
    t = args.threshold
    limit = DEFAULT_MAX_RESIDUAL

    sim = SimilarityIndex(records)
    groups = sim.groups(GroupingOptions(t))
    pairs = grouped_pairs(groups, index)
    p, r, per, _, listed, neg = score(truth, pairs)
    print(f"# {args.corpus} at T={t}: {len(pairs)} grouped pairs, ", end="")
    print(f"precision {p:.4f}, recall (yes) {r:.4f}, ", end="")
    print(f"look-alikes {listed} / {neg}\n")

    group_of: dict[int, int] = {}
    keeper_of: list[int] = []
    for g_i, g in enumerate(groups):
        keeper_of.append(index[g.members[0].path])
        for m in g.members:
            group_of[index[m.path]] = g_i

    # Candidate pairs at T: own hashes, and windows (as the grouping searched them).
    plain: Candidates = sim._plain(t)
    assert sim._windows is not None
    via: Candidates = sim._windows.at(t)
    if sim._centres is not None:
        via = Candidates.concat([via, sim._centres.at(t)])
    near = {(min(a, b), max(a, b)) for a, b in zip(plain.a.tolist(), plain.b.tolist(), strict=True)}
    through = {(min(a, b), max(a, b)) for a, b in zip(via.a.tolist(), via.b.tolist(), strict=True)}

    by_photo: dict[str, list[int]] = defaultdict(list)
    for i, oid in enumerate(truth.original_id):
        if oid and truth.expected[i] in ("yes", "original"):
            by_photo[oid].append(i)

    thumbs, _ = thumbs_to_array([rec.fingerprint.thumb for rec in records])
    rows: list[str] = []
    stages: dict[str, Counter[str]] = defaultdict(Counter)
    for files in by_photo.values():
        if len(files) < 2:
            continue
        counts = Counter(group_of[i] for i in files if i in group_of)
        originals = [i for i in files if truth.transform[i] == "original"]
        main_group = None
        if originals and originals[0] in group_of:
            main_group = group_of[originals[0]]
        elif counts:
            main_group = counts.most_common(1)[0][0]
        centre = keeper_of[main_group] if main_group is not None else originals[0]
        for f in files:
            if f == centre or (main_group is not None and group_of.get(f) == main_group):
                continue
            stage, detail = _stage(sim, records, thumbs, centre, f, t, limit, near, through)
            if originals and centre != originals[0] and f != originals[0]:
                # Kept under a copy: how the file stands with the original.
                alone, against = _stage(
                    sim, records, thumbs, originals[0], f, t, limit, near, through
                )
                detail += f"; vs original: {alone}, {against}"
            family = truth.transform[f] if truth.transform[f] != "original" else "original"
            stages[stage][family] += 1
            rows.append(
                f"| {truth.original_id[f]} | {truth.transform[centre]} | {family} "
                f"| {os.path.basename(records[f].path)} | {stage} | {detail} |"
            )
    print("| photo | keeper | lost file | file | stage | numbers |")
    print("|---|---|---|---|---|---|")
    print("\n".join(sorted(rows)))
    families = sorted({f for c in stages.values() for f in c})
    print("\n| stage | " + " | ".join(families) + " | all |")
    print("|---|" + "---|" * (len(families) + 1))
    for stage, c in sorted(stages.items()):
        print(
            f"| {stage} | " + " | ".join(str(c.get(f, 0)) for f in families) + f" | {c.total()} |"
        )
    print("\nPer family: " + ", ".join(f"{k} {v:.2f}" for k, v in per.items()))
    return 0


def _stage(
    sim: SimilarityIndex,
    records: Sequence[ImageRecord],
    thumbs: U8,
    keeper: int,
    f: int,
    t: int,
    limit: float,
    near: set[tuple[int, int]],
    through: set[tuple[int, int]],
) -> tuple[str, str]:
    key = (min(keeper, f), max(keeper, f))
    distance = int(np.bitwise_count(records[keeper].fingerprint.hash ^ records[f].fingerprint.hash))
    numbers = f"d={distance}"
    checker = sim._checker  # the grouping's own kept verdicts
    one = np.ones(1, np.int64)
    final = float(checker.check(keeper * one, f * one, 0 * one)[0])
    if key not in near and key not in through:
        # Would the check pass it, were it a candidate?
        return "not a candidate", numbers + f" check={final:.3f}"
    numbers += f" final={final:.3f}" + (" (window)" if key not in near else "")
    if final <= limit:
        return "star", numbers
    ta, tb = thumbs[keeper][None], thumbs[f][None]
    corr = float((signatures(ta) * signatures(tb)).sum())
    rk, rf = records[keeper].fingerprint, records[f].fingerprint
    fa, _ = fines_to_array([rk.fine])
    fb, _ = fines_to_array([rf.fine])
    both_fine = bool(rk.fine) and bool(rf.fine)
    aspects = np.array(
        [[rk.width / max(1, rk.height), rf.width / max(1, rf.height)]], dtype=np.float32
    )
    r32 = float(residuals(ta, tb, limit, fa, fb, None if both_fine else aspects)[0])
    numbers += f" corr16={corr:.2f} r32={r32:.3f}" + (" fine" if both_fine else "")
    centred = bool(middles_agree(ta, tb)[0])
    numbers += " middles agree" if centred else ""
    ruled, overlaid = first_test(signatures(ta), signatures(tb), np.zeros(1, dtype=bool))
    if ruled[0] and not centred:
        return "hopeless (16x16)", numbers
    # As the check does (core.pair_checker): one overlay's place left out, the rest agrees.
    far = centred or (bool(overlaid[0]) and not rk.fine and not rf.fine)
    numbers += " one overlay" if far and not centred else ""
    ratio = aspects[0, 0] / aspects[0, 1]
    if r32 <= limit:
        return "text check", numbers
    if r32 >= (CENTRED_LOOK_BELOW if far else LOOK_BELOW) or max(ratio, 1 / ratio) >= 1.1:
        return "32x32, no look", numbers
    da, db = _detail(records[keeper].path), _detail(records[f].path)
    if da is None or db is None:
        return "unreadable", numbers
    look = local_look(da, db, both_fine, limit)
    if look.why and not both_fine:  # the check reads a pair of photos both ways
        look = local_look(db, da, both_fine, limit)
    numbers += (
        f" textured={look.textured} differing={look.differing} box={look.box} grey={look.grey:.3f}"
    )
    if look.why:
        return f"local look: {look.why}", numbers
    if bool(two_sided_text(da[None], db[None])[0]):
        return "text check", numbers
    return "other", numbers


if __name__ == "__main__":
    sys.exit(main())
