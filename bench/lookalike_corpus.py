"""Build a labelled corpus of look-alike kinds the edit corpus does not hold.

    python -m bench.lookalike_corpus ../shared/corpus/originals /tmp/lookalikes-s11 --seed 11

Near-uniform pictures (sky, snow, a white wall, a blank page, pocket shots, under-exposed
night frames), pages of one book photographed or scanned, spreadsheets, calendars, maps and
code with a few cells or lines changed, QR codes and barcodes, charts of different data on
one template, an app's screen with one value changed, memes on one template, phone
screenshots of different small photos, and one box on one backdrop turned a few degrees
between shots (a judgement case: its family is ``turned box``, scored apart).

Every picture of a set is its own ``original_id`` and every pair inside a set is listed in
``hard_negatives.csv``. Two members of every set also get true copies (``expected_match``
``yes``): a JPEG re-encode, a 6 % trim of one or two edges and a resize to 60 %, so recall on
these kinds is measured with their precision. The layout is that of the edit corpus, so
``bench.accuracy`` scores it unchanged. Only Pillow and numpy are needed.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
from collections.abc import Callable, Sequence

from PIL import Image

from bench import plain_lookalikes as plain
from bench import screen_lookalikes as screens
from bench.corpus_drawing import rgb
from bench.edit_corpus import PHOTO_EXT, Writer, _load, write_labels

SETS_PER_KIND = 2
MEMBERS = 5


def reencoded(img: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    buf = io.BytesIO()
    q = rng.randint(70, 88)
    rgb(img).save(buf, "JPEG", quality=q)
    buf.seek(0)
    return Image.open(buf).convert("RGB"), f"JPEG q{q}"


def trimmed(img: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    w, h = img.size
    edges = rng.sample(("left", "right", "top", "bottom"), rng.randint(1, 2))
    cut = {e: 0.06 if e in edges else 0.0 for e in ("left", "right", "top", "bottom")}
    box = (int(w * cut["left"]), int(h * cut["top"]),
           w - int(w * cut["right"]), h - int(h * cut["bottom"]))  # fmt: skip
    return img.crop(box), "6% off " + " ".join(edges)


def resized(img: Image.Image, rng: random.Random) -> tuple[Image.Image, str]:
    w, h = img.size
    return img.resize((int(w * 0.6), int(h * 0.6)), Image.Resampling.LANCZOS), "60%"


COPIES: tuple[tuple[str, Callable[[Image.Image, random.Random], tuple[Image.Image, str]]], ...] = (
    ("re-encode", reencoded),
    ("trim 6%", trimmed),
    ("resize", resized),
)


def build(originals: str, out: str, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    files = sorted(
        os.path.join(originals, f)
        for f in os.listdir(originals)
        if f.lower().endswith(PHOTO_EXT) and os.path.isfile(os.path.join(originals, f))
    )
    writer = Writer(out, rng)
    negatives: list[tuple[str, list[str]]] = []

    def photo() -> Image.Image:
        return _load(rng.choice(files))

    def photos(n: int) -> list[Image.Image]:
        return [_load(p) for p in rng.sample(files, n)]

    kinds: list[tuple[str, str, Callable[[], list[Image.Image]]]] = [
        ("sky", "JPEG", lambda: plain.sky(rng, MEMBERS)),
        ("snow", "JPEG", lambda: plain.snow(rng, MEMBERS)),
        ("white wall", "JPEG", lambda: plain.white_wall(rng, MEMBERS)),
        ("blank page", "JPEG", lambda: plain.blank_page(rng, MEMBERS)),
        ("pocket", "JPEG", lambda: plain.pocket(rng, MEMBERS)),
        ("under-exposed", "JPEG", lambda: [plain.under_exposed(p, rng) for p in photos(MEMBERS)]),
        ("book photographed", "JPEG", lambda: screens.book_pages(rng, MEMBERS, True)),
        ("pages scanned", "PNG", lambda: screens.book_pages(rng, MEMBERS, False)),
        ("spreadsheet", "PNG", lambda: screens.spreadsheets(rng, MEMBERS)),
        ("calendar", "PNG", lambda: screens.calendars(rng, MEMBERS)),
        ("map", "PNG", lambda: screens.maps(rng, MEMBERS)),
        ("code", "PNG", lambda: screens.code_editor(rng, MEMBERS)),
        ("qr code", "PNG", lambda: screens.qr_codes(rng, MEMBERS)),
        ("barcode", "PNG", lambda: screens.barcodes(rng, MEMBERS)),
        ("chart", "PNG", lambda: screens.charts(rng, MEMBERS)),
        ("app value", "PNG", lambda: screens.app_values(rng, MEMBERS)),
        ("meme", "JPEG", lambda: plain.memes(rng, photo(), MEMBERS)),
        ("small photo screen", "PNG", lambda: plain.small_photo_screens(rng, photos(MEMBERS))),
        ("turned box", "JPEG", lambda: plain.turned_box(rng, MEMBERS)),
    ]
    for family, fmt, draw in kinds:
        for _ in range(SETS_PER_KIND):
            group = f"{family}-{len(negatives)}"
            images = draw()
            rels = []
            for k, img in enumerate(images):
                rels.append(
                    writer.save(img, f"{group}-{k}", family, "original", "", fmt, 90, group)
                )
            for k in rng.sample(range(len(images)), 2):
                for name, copy in COPIES:
                    img, params = copy(images[k], rng)
                    writer.save(img, f"{group}-{k}", f"{family} {name}", "yes", params, "JPEG",
                                rng.randint(80, 92), group)  # fmt: skip
            negatives.append((group, rels))

    return write_labels(out, writer.rows, negatives)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("originals")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    if os.path.exists(os.path.join(args.out, "ground_truth.csv")):
        parser.error(f"{args.out} already holds a corpus")
    counts = build(args.originals, args.out, args.seed)
    print(f"{sum(counts.values())} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
