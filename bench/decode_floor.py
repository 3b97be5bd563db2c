"""The decode floor as a whole process: decode the listed files as the scan must, nothing else.

    python -m bench.decode_floor FILE_LIST [--workers N]

FILE_LIST holds one path per line. JPEGs are decoded with the same ``draft()`` the fingerprint
uses, HEIF with the same embedded-preview choice, others in full, on N threads. Only Pillow
(and pillow-heif for HEIF) is imported: this is the least any tool that looks at every file's
pixels must spend, start-up included, which the whole ``dedupe-gui scan`` is held against.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

# The fingerprint's choices (dedupe_gui.core.fingerprint), repeated so that this process does
# not import the package.
DRAFT_MIN_SIDE = 128
PREVIEW_MIN_SIDE = 128


def decode(path: str) -> None:
    with Image.open(path) as img:
        if img.format in ("JPEG", "MPO"):
            img.draft("L", (DRAFT_MIN_SIDE, DRAFT_MIN_SIDE))
        elif img.format in ("HEIF", "AVIF"):
            img.draft(None, (PREVIEW_MIN_SIDE, PREVIEW_MIN_SIDE))
        img.load()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.decode_floor")
    parser.add_argument("file_list")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    with open(args.file_list, encoding="utf-8", errors="surrogateescape") as f:
        paths = [line.rstrip("\n") for line in f if line.strip()]
    if any(p.lower().endswith((".heic", ".heif", ".hif", ".avif")) for p in paths):
        import pillow_heif

        pillow_heif.register_heif_opener()
    with ThreadPoolExecutor(args.workers) as pool:
        list(pool.map(decode, paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
