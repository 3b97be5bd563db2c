"""Build a labelled corpus of edited copies and look-alikes from real photographs.

    python -m bench.edit_corpus ../shared/corpus/originals /tmp/accuracy-edits-s1 --seed 1

The corpus of ``../shared/corpus/make_corpus.py`` covers resizes, re-encodes, light crops and
re-grades. This one covers what a real library holds besides: copies with a caption bar, a
sticker, darkened corners, straightened, trimmed, framed, letterboxed, shown inside a phone
screenshot or passed through a filter chain, and different pictures that share a layout
(slides on one background, chat screenshots, forms of one template, night shots crushed to a
few grey levels, objects photographed on one backdrop), which a near-duplicate finder must not
group. Parameters are drawn from ranges per family with the seed, so two seeds give two
corpora with different photos and different edits: tune on one, report on the other.

The output has the layout of the shared generator (``images/``, ``ground_truth.csv``,
``hard_negatives.csv``), so ``bench.accuracy`` scores it unchanged. ``transform`` is the
family; ``expected_match`` is ``original``, ``yes`` (a person calls it a copy: trims up to
~10 %, overlays up to ~15 % of the area, filters, vignettes, re-encodes) or ``optional``
(heavier trims, square crops, borders, screenshots, straightened copies). Every look-alike
is its own ``original_id``; ``hard_negatives.csv`` lists every pair inside one look-alike set.
Only Pillow and numpy are needed.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import random
import sys
from collections.abc import Callable, Sequence

from PIL import Image, ImageOps

from bench.copy_edits import OPTIONAL, YES, Variant
from bench.corpus_drawing import rgb
from bench.layout_lookalikes import backdrop, chats, documents, night, slides

LONG_SIDE = 1600  # originals are brought down to this: the corpus stays small and quick
PHOTO_EXT = (".jpg", ".jpeg", ".png", ".webp")


def _load(path: str) -> Image.Image:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)
        im = rgb(im.convert("RGBA") if im.mode in ("P", "LA") else im)
        if max(im.size) > LONG_SIDE:
            im.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
        return im.copy()


class Writer:
    def __init__(self, root: str, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.rows: list[dict[str, object]] = []
        self.count = 0

    def save(self, img: Image.Image, original_id: str, family: str, expected: str, params: str,
             fmt: str = "JPEG", quality: int = 92, negative_group: str = "") -> str:  # fmt: skip
        self.count += 1
        ext = {"JPEG": ".jpg", "PNG": ".png"}[fmt]
        rel = os.path.join("images", f"d{self.rng.randint(0, 15):x}", f"f{self.count:05d}{ext}")
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if fmt == "JPEG":
            img.save(path, "JPEG", quality=quality)
        else:
            img.save(path, "PNG")
        self.rows.append(
            {
                "file": rel,
                "original_id": original_id,
                "transform": family,
                "params": params,
                "expected_match": expected,
                "origin": "generated",
                "width": img.size[0],
                "height": img.size[1],
                "bytes": os.path.getsize(path),
                "hard_negative_group": negative_group,
                "similar_category": family if negative_group else "",
            }
        )
        return rel


def build(
    originals: str, out: str, seed: int, photos: int, per_family: int, lookalikes: int = 1
) -> dict[str, int]:
    """Write the corpus; ``lookalikes`` 2 adds the harder look-alike sets of
    ``bench.lookalike_sets`` after the first version's files, which stay as they were."""
    rng = random.Random(seed)
    files = sorted(
        os.path.join(originals, f)
        for f in os.listdir(originals)
        if f.lower().endswith(PHOTO_EXT) and os.path.isfile(os.path.join(originals, f))
    )
    rng.shuffle(files)
    chosen = files[:photos]
    writer = Writer(out, rng)
    edits = list(YES + OPTIONAL)
    # Every family gets ``per_family`` photos; each photo gets a few families.
    plan: dict[int, list[Callable[[Image.Image, random.Random], Variant]]] = {
        i: [] for i in range(len(chosen))
    }
    for edit in edits:
        for i in rng.sample(range(len(chosen)), min(per_family, len(chosen))):
            plan[i].append(edit)
    for i, path in enumerate(chosen):
        if not plan[i]:
            continue
        img = _load(path)
        oid = f"p{i:04d}"
        writer.save(img, oid, "original", "original", os.path.basename(path))
        for edit in plan[i]:
            v = edit(img, rng)
            writer.save(v.image, oid, v.family, v.expected, v.params, v.fmt, v.quality)
    negatives: list[tuple[str, list[str]]] = []  # (family, [(rel)])
    spare = files[photos:] or files

    def add_set(
        family: str, images: Sequence[Image.Image], fmt: str = "PNG", r: random.Random = rng
    ) -> None:
        group = f"{family}-{len(negatives)}"
        rels = []
        for k, img in enumerate(images):
            oid = f"{group}-{k}"
            rel = writer.save(img, oid, family, "original", "", fmt, 90, group)
            rels.append(rel)
            if r.random() < 0.3:  # a re-encoded copy of a look-alike is still a copy
                small = img.resize(
                    (int(img.size[0] * 0.75), int(img.size[1] * 0.75)), Image.Resampling.LANCZOS
                )
                writer.save(small, oid, family + " copy", "yes", "75% JPEG q80", "JPEG", 80, group)
        negatives.append((group, rels))

    for _ in range(4):
        add_set("slides", slides(rng, _load(rng.choice(spare)), 6), rng.choice(("PNG", "JPEG")))
    for _ in range(2):
        add_set("chat screenshots", chats(rng, 5))
    for _ in range(3):
        add_set("documents", documents(rng, 5), rng.choice(("PNG", "JPEG")))
    add_set("night shots", [night(_load(p), rng) for p in rng.sample(spare, 10)], "JPEG")
    for _ in range(2):
        add_set("backdrop", backdrop(rng, 5), "JPEG")
    if lookalikes >= 2:
        # Drawn from a generator of their own, so the files above do not change.
        from bench import lookalike_sets as hard_sets

        hard = random.Random(seed * 7919 + 2)
        writer.rng = hard
        for _ in range(2):
            photo = _load(hard.choice(spare))
            add_set("slides one word", hard_sets.slides_one_word(hard, photo, 5), "PNG", hard)
        add_set("chats one line", hard_sets.chats_one_line(hard, 5), "PNG", hard)
        add_set("forms small print", hard_sets.forms_small_print(hard, 5), "JPEG", hard)
        add_set("backdrop one place", hard_sets.backdrop_one_place(hard, 5), "JPEG", hard)

    return write_labels(out, writer.rows, negatives)


def write_labels(
    out: str, rows: Sequence[dict[str, object]], negatives: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, int]:
    """Write ``ground_truth.csv`` (one row a file) and ``hard_negatives.csv`` (every pair of
    files inside each look-alike set of ``negatives``: its name and its files) into ``out``;
    the number of files of each transform."""
    by_file = {str(r["file"]): r for r in rows}
    with open(os.path.join(out, "ground_truth.csv"), "w", newline="", encoding="utf-8") as f:
        wr = csv.DictWriter(f, fieldnames=list(rows[0]))
        wr.writeheader()
        wr.writerows(rows)
    with open(os.path.join(out, "hard_negatives.csv"), "w", newline="", encoding="utf-8") as f:
        wr2 = csv.writer(f)
        wr2.writerow(["file_a", "file_b", "original_id_a", "original_id_b", "category"])
        for group, rels in negatives:
            for a, b in itertools.combinations(rels, 2):
                wr2.writerow([a, b, by_file[a]["original_id"], by_file[b]["original_id"], group])
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r["transform"])] = counts.get(str(r["transform"]), 0) + 1
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("originals")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--photos", type=int, default=140, help="originals to edit")
    parser.add_argument("--per-family", type=int, default=24, help="photos per edit family")
    parser.add_argument(
        "--lookalikes",
        type=int,
        choices=(1, 2),
        default=1,
        help="1: the first look-alike sets; 2: also the harder ones (bench.lookalike_sets)",
    )
    args = parser.parse_args(argv)
    if os.path.exists(os.path.join(args.out, "ground_truth.csv")):
        parser.error(f"{args.out} already holds a corpus")
    counts = build(
        args.originals, args.out, args.seed, args.photos, args.per_family, args.lookalikes
    )
    for family, n in sorted(counts.items()):
        print(f"{family:20} {n}")
    print(f"{sum(counts.values())} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
