"""A large library of small photos, fast: for memory and warm-rescan benchmarks at 100k files.

    python -m bench.make_small_library ORIGINALS OUT [-n 100000] [--seed 3] [--jobs 2]

Each original is decoded once (drafted to about 1024 px); every output is a crop of 3-30 % of
its area (either orientation) with an inset, a crop of another original over a quarter of it,
resized to 160x120 or 120x160 and saved as a small JPEG, 1000 files per sub-folder. Flat
crops (sky, walls) are drawn again, and the inset makes crops of one original differ, so
the hashes spread like a real library's instead of piling hundreds of files on one value.
A share of the crops (``--copies``) also gets a copy (recompressed at another quality,
resized to 128x96, or made brighter), so the library has real duplicate groups.
Generating from decoded bases instead of the original files keeps it at a few milliseconds
per file: 100,000 files take a few minutes on two cores and about 600 MB of disk.
Deterministic for a seed, the originals and the Pillow version.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Final

from PIL import Image, ImageEnhance, ImageOps, ImageStat

PER_FOLDER: Final = 1000
_EXTENSIONS: Final = (".jpg", ".jpeg", ".png", ".webp")
# Grey-level standard deviation below which a crop counts as flat and is drawn again.
_MIN_STDDEV: Final = 18.0

# original, originals for insets, first index, count, seed, out folder, share of copies
Job = tuple[str, tuple[str, ...], int, int, int, str, float]


def originals(folder: str) -> list[str]:
    return sorted(
        os.path.join(dp, f)
        for dp, _dn, fn in os.walk(folder)
        for f in fn
        if f.lower().endswith(_EXTENSIONS)
    )


def _save(img: Image.Image, out: str, index: int, quality: int) -> None:
    folder = os.path.join(out, f"d{index // PER_FOLDER:03d}")
    os.makedirs(folder, exist_ok=True)
    img.save(os.path.join(folder, f"p{index:06d}.jpg"), quality=quality)


def _copy_of(img: Image.Image, r: random.Random) -> tuple[Image.Image, int]:
    kind = r.randrange(3)
    if kind == 0:
        return img, r.choice((60, 70, 95))
    if kind == 1:
        return img.resize((img.width * 4 // 5, img.height * 4 // 5), Image.Resampling.BILINEAR), 85
    return ImageEnhance.Brightness(img).enhance(r.uniform(1.1, 1.25)), 85


def _decoded(path: str) -> Image.Image:
    with Image.open(path) as src:
        src.draft("RGB", (1024, 1024))
        return ImageOps.exif_transpose(src.convert("RGB"))


def _crop(base: Image.Image, r: random.Random, size: tuple[int, int]) -> Image.Image:
    """A crop of 3-30 % of ``base`` with the aspect of ``size``, resized to it; never flat."""
    width, height = base.size
    for _ in range(20):
        area = r.uniform(0.03, 0.3) * width * height
        cw = min(width, int((area * size[0] / size[1]) ** 0.5))
        ch = max(8, min(height, int(cw * size[1] / size[0])))
        cw = max(8, min(cw, int(ch * size[0] / size[1])))
        x0, y0 = r.randint(0, max(0, width - cw)), r.randint(0, max(0, height - ch))
        img = base.crop((x0, y0, x0 + cw, y0 + ch)).resize(size, Image.Resampling.BILINEAR)
        if ImageStat.Stat(img.convert("L")).stddev[0] >= _MIN_STDDEV:
            break
    return img


def work(job: Job) -> int:
    """Write ``count`` crops of one original (and their copies); how many files were written."""
    path, inset_sources, first, count, seed, out, copies = job
    r = random.Random(seed)
    base = _decoded(path)
    others = [_decoded(p) for p in inset_sources]
    written = 0
    index = first
    while written < count:
        upright = r.random() < 0.2
        size = (120, 160) if upright else (160, 120)
        img = _crop(base, r, size)
        inset = _crop(r.choice(others), r, (size[0] // 2, size[1] // 2))
        img.paste(inset, (r.randrange(size[0] // 2), r.randrange(size[1] // 2)))
        _save(img, out, index, r.randint(75, 92))
        index += 1
        written += 1
        if written < count and r.random() < copies:
            copy, quality = _copy_of(img, r)
            _save(copy, out, index, quality)
            index += 1
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.make_small_library", description=__doc__)
    parser.add_argument("originals")
    parser.add_argument("out")
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--copies", type=float, default=0.2, help="share of crops with a copy")
    args = parser.parse_args(argv)
    sources = originals(args.originals)
    if not sources:
        parser.error(f"no images in {args.originals}")
    per = -(-args.n // len(sources))
    jobs: list[Job] = []
    pick = random.Random(args.seed)
    for i, path in enumerate(sources):
        first = i * per
        count = min(per, args.n - first)
        if count > 0:
            insets = tuple(pick.sample(sources, min(2, len(sources))))
            jobs.append(
                (path, insets, first, count, args.seed * 1_000_003 + i, args.out, args.copies)
            )
    started = time.monotonic()
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        total = sum(pool.map(work, jobs))
    print(f"{total} files in {args.out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
