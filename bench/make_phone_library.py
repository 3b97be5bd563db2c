"""A phone-like library: HEIC as iPhones write it, JPEG as cameras and Android phones write it.

    python -m bench.make_phone_library ORIGINALS OUT [-n 16] [--seed 5] [--jobs 2] [--no-heic]

Per picture (an original resized to 8-16 MP, a quarter of them portrait, stored turned with
EXIF orientation 6 as phones do):

- ``jpeg/IMG_NNNN.JPG``: quality 90, EXIF with the orientation and a 160x120 thumbnail of the
  stored pixels (letterboxed with black bars when the picture is not 4:3, as cameras do);
- ``heic/IMG_NNNN.HEIC``: 512 px grid tiles and a 320 px preview, the same orientation;
- every third picture: ``shared/IMG_NNNN.jpg``, a 2048 px re-encoded copy (what messaging
  apps and exports make), with a fresh thumbnail;
- every fifth picture: ``edited/IMG_NNNN.jpg``, cropped to its middle 60 % and brightened by
  an editor that kept the original's thumbnail (stale on purpose);
- every seventh picture: ``impostor/IMG_NNNN.jpg``, a different original carrying this
  picture's thumbnail: a file whose thumbnail lies outright.

``manifest.csv`` names each file's picture (``picture``), what it is (``kind``) and which
picture its thumbnail shows (``thumb_of``). Deterministic for a seed, the originals and the
Pillow/pillow-heif versions. HEIC encoding is slow (x265, fastest preset: seconds per
picture); ``--no-heic`` leaves it out.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import struct
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Final

from PIL import Image, ImageEnhance, ImageOps

from bench.make_small_library import originals

THUMB_SIZE: Final = (160, 120)
HEIC_PREVIEW: Final = 320
HEIC_TILE: Final = 512
_ORIENTATION: Final = 0x0112

Row = dict[str, str]


def exif_with_thumbnail(thumb_jpeg: bytes, orientation: int) -> bytes:
    """An EXIF block (``Exif\\0\\0`` + little-endian TIFF) with IFD0 holding the orientation
    and IFD1 the JPEG thumbnail, laid out as cameras write it."""
    ifd0_offset = 8
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHIHH", _ORIENTATION, 3, 1, orientation, 0)
    ifd1_offset = ifd0_offset + len(ifd0) + 4
    ifd1_size = 2 + 3 * 12 + 4
    thumb_offset = ifd1_offset + ifd1_size
    ifd1 = struct.pack("<H", 3)
    ifd1 += struct.pack("<HHIHH", 0x0103, 3, 1, 6, 0)  # compression: JPEG
    ifd1 += struct.pack("<HHII", 0x0201, 4, 1, thumb_offset)
    ifd1 += struct.pack("<HHII", 0x0202, 4, 1, len(thumb_jpeg))
    tiff = b"II*\x00" + struct.pack("<I", ifd0_offset)
    tiff += ifd0 + struct.pack("<I", ifd1_offset) + ifd1 + struct.pack("<I", 0) + thumb_jpeg
    return b"Exif\x00\x00" + tiff


def thumbnail_jpeg(stored: Image.Image) -> bytes:
    """A 160x120 thumbnail of the stored pixels, letterboxed when the aspect differs."""
    small = stored.copy()
    small.thumbnail(THUMB_SIZE, Image.Resampling.BICUBIC)
    box = Image.new("RGB", THUMB_SIZE if small.width >= small.height else THUMB_SIZE[::-1])
    box.paste(small, ((box.width - small.width) // 2, (box.height - small.height) // 2))
    out = io.BytesIO()
    box.save(out, "JPEG", quality=80)
    return out.getvalue()


def _stored(picture: Image.Image, orientation: int) -> Image.Image:
    """The pixels a phone stores for a displayed ``picture`` under ``orientation`` (1 or 6)."""
    return picture.transpose(Image.Transpose.ROTATE_90) if orientation == 6 else picture


def _save_jpeg(
    path: str, displayed: Image.Image, orientation: int, thumb_from: Image.Image | None = None
) -> None:
    stored = _stored(displayed, orientation)
    thumb = thumbnail_jpeg(stored if thumb_from is None else thumb_from)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    stored.save(path, "JPEG", quality=90, exif=exif_with_thumbnail(thumb, orientation))


def _picture(path: str, r: random.Random) -> tuple[Image.Image, int]:
    """An original at 8-16 MP (4:3, 3:2 or 16:9), and the orientation it is stored with."""
    with Image.open(path) as src:
        img = ImageOps.exif_transpose(src.convert("RGB"))
    aw, ah = r.choice([(4, 3), (4, 3), (3, 2), (16, 9)])
    width, height = img.size
    if width * ah > height * aw:
        cw, ch = height * aw // ah, height
    else:
        cw, ch = width, width * ah // aw
    img = img.crop(((width - cw) // 2, (height - ch) // 2, (width + cw) // 2, (height + ch) // 2))
    mp = r.uniform(8, 16) * 1e6
    w = int((mp * aw / ah) ** 0.5) // 2 * 2
    h = int(w * ah / aw) // 2 * 2
    img = img.resize((w, h), Image.Resampling.BICUBIC)
    portrait = r.random() < 0.25
    if portrait:
        img = img.transpose(Image.Transpose.ROTATE_270)  # displayed upright, taller than wide
    return img, 6 if portrait else 1


Job = tuple[int, str, str, int, str, bool]  # index, original, impostor, seed, out, heic


def work(job: Job) -> list[Row]:
    index, path, impostor_path, seed, out, heic = job
    r = random.Random(seed)
    name = f"IMG_{index:04d}"
    picture, orientation = _picture(path, r)
    stored = _stored(picture, orientation)
    rows: list[Row] = []

    def row(rel: str, kind: str, thumb_of: int = index) -> None:
        rows.append({"file": rel, "picture": str(index), "kind": kind, "thumb_of": str(thumb_of)})

    _save_jpeg(os.path.join(out, "jpeg", f"{name}.JPG"), picture, orientation)
    row(f"jpeg/{name}.JPG", "camera")
    if heic:
        import pillow_heif

        pillow_heif.register_heif_opener()
        exif = Image.Exif()
        exif[_ORIENTATION] = orientation
        os.makedirs(os.path.join(out, "heic"), exist_ok=True)
        stored.save(
            os.path.join(out, "heic", f"{name}.HEIC"),
            quality=80,
            tile_size=HEIC_TILE,
            thumbnails=[HEIC_PREVIEW],
            exif=exif.tobytes(),
            enc_params={"preset": "ultrafast"},
        )
        row(f"heic/{name}.HEIC", "phone")
    if index % 3 == 0:
        shared = picture.copy()
        shared.thumbnail((2048, 2048), Image.Resampling.BICUBIC)
        _save_jpeg(os.path.join(out, "shared", f"{name}.jpg"), shared, 1)
        row(f"shared/{name}.jpg", "shared copy")
    if index % 5 == 0:
        w, h = picture.size
        edited = picture.crop((w // 5, h // 5, w - w // 5, h - h // 5))
        edited = ImageEnhance.Brightness(edited).enhance(1.15)
        _save_jpeg(os.path.join(out, "edited", f"{name}.jpg"), edited, 1, thumb_from=stored)
        # A 60 % crop is too far from the picture for a near-duplicate: it is its own picture.
        rows.append(
            {
                "file": f"edited/{name}.jpg",
                "picture": f"{index}-edited",
                "kind": "edited, stale thumbnail",
                "thumb_of": str(index),
            }
        )
    if index % 7 == 0:
        other, _ = _picture(impostor_path, r)
        _save_jpeg(os.path.join(out, "impostor", f"{name}.jpg"), other, 1, thumb_from=stored)
        rows.append(
            {
                "file": f"impostor/{name}.jpg",
                "picture": f"{index}-impostor",
                "kind": "other picture, stale thumbnail",
                "thumb_of": str(index),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.make_phone_library", description=__doc__)
    parser.add_argument("originals")
    parser.add_argument("out")
    parser.add_argument("-n", type=int, default=16)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-heic", action="store_true")
    args = parser.parse_args(argv)
    sources = originals(args.originals)
    pick = random.Random(args.seed)
    chosen = pick.sample(sources, min(args.n, len(sources)))
    others = [s for s in sources if s not in chosen] or sources
    jobs: list[Job] = [
        (i, path, pick.choice(others), args.seed * 1_000_003 + i, args.out, not args.no_heic)
        for i, path in enumerate(chosen)
    ]
    started = time.monotonic()
    os.makedirs(args.out, exist_ok=True)
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        rows = [row for rows in pool.map(work, jobs) for row in rows]
    with open(os.path.join(args.out, "manifest.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["file", "picture", "kind", "thumb_of"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} files in {args.out} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
