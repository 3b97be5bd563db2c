"""Fingerprints from the EXIF thumbnail of camera JPEGs, against the real pixels: worth it?

    python -m bench.make_phone_library ORIGINALS /tmp/speed-exif -n 60 --no-heic --seed 9
    python -m bench.exif_previews /tmp/speed-exif [--repeat 3]

Three ways to fingerprint and group the JPEGs of a library from ``bench.make_phone_library``
(its manifest says which files show the same picture, and which carry a stale thumbnail):

- ``pixels``: the scan as it is (``fingerprint_file``: drafted decode of the real pixels);
- ``exif``: the fingerprint of the embedded 160x120 EXIF thumbnail, letterbox trimmed,
  turned by the EXIF orientation; the thumbnail check also on it. Reads a few KB per file;
- ``exif+confirm``: candidate groups from the EXIF fingerprints, then every file that is in
  a group fingerprinted again from its real pixels and the groups recomputed from those:
  nothing is shown that the pixels do not confirm.

For each: time on 2 threads in this process (median of ``--repeat``), bytes read per file
(``/proc/self/io`` rchar), and pair precision and recall against the manifest at the default
threshold with the thumbnail check. Files without an EXIF thumbnail fall back to the pixels.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PIL import Image

from bench.measured import io_counters
from dedupe_gui.core.decode import EXIF_TRANSPOSE
from dedupe_gui.core.fingerprint import FingerprintError, dhash_of_grey, fingerprint_file
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord
from dedupe_gui.core.orientations import TRANSPOSES, small_pair, turned_hashes
from dedupe_gui.core.thumbnails import thumbnail

_IFD1 = -1  # PIL.ExifTags.IFD.IFD1
_BLACK = 16  # grey level up to which an edge row or column counts as a letterbox bar


def exif_thumbnail(img: Image.Image) -> bytes | None:
    """The JPEG thumbnail in IFD1 of an opened JPEG's EXIF block, or None."""
    raw = img.info.get("exif")
    if not isinstance(raw, bytes):
        return None
    try:
        ifd1 = img.getexif().get_ifd(_IFD1)
    except Exception:
        return None
    offset, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if not isinstance(offset, int) or not isinstance(length, int) or length <= 0:
        return None
    tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    data = tiff[offset : offset + length]
    return data if len(data) == length and data.startswith(b"\xff\xd8") else None


def trim_letterbox(grey: Image.Image) -> Image.Image:
    """``grey`` without the black bars a camera adds to fit a 4:3 thumbnail."""
    mask = grey.point(lambda v: 255 if v > _BLACK else 0)
    box = mask.getbbox()
    return grey.crop(box) if box else grey


def fingerprint_from_exif(path: str) -> Fingerprint:
    """A fingerprint of the EXIF thumbnail (the real pixels when there is none)."""
    with Image.open(path) as img:
        width, height = img.size
        thumb = exif_thumbnail(img) if img.format == "JPEG" else None
        orientation = img.getexif().get(0x0112, 1)
    if thumb is None:
        return fingerprint_file(path)
    with Image.open(io.BytesIO(thumb)) as small:
        grey = trim_letterbox(small.convert("L"))
    transpose = EXIF_TRANSPOSE.get(orientation)
    wide, across = small_pair(grey, TRANSPOSES.index(transpose))
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Fingerprint(
        dhash_of_grey(wide),
        width,
        height,
        "JPEG",
        exif_orientation=orientation,
        thumb=thumbnail(grey, transpose),
        turned=turned_hashes(wide, across),
    )


def _records(paths: Sequence[str], fingerprint: Callable[[str], Fingerprint]) -> list[ImageRecord]:
    def one(p: str) -> ImageRecord | None:
        st = os.stat(p)
        try:
            return ImageRecord(FileKey(p, st.st_size, st.st_mtime_ns), fingerprint(p))
        except FingerprintError:
            return None

    with ThreadPoolExecutor(2) as pool:
        return [r for r in pool.map(one, paths) if r is not None]


def _pairs(groups: Sequence[Any]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for g in groups:
        names = sorted(m.path for m in g.members)
        out.update(itertools.combinations(names, 2))
    return out


def evaluate(folder: str, repeat: int) -> dict[str, Any]:
    with open(os.path.join(folder, "manifest.csv"), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if not r["file"].lower().endswith(".heic")]
    paths = [os.path.join(folder, r["file"]) for r in rows]
    picture = dict(zip(paths, (r["picture"] for r in rows), strict=True))
    truth = {
        (a, b) for a, b in itertools.combinations(sorted(paths), 2) if picture[a] == picture[b]
    }
    for p in paths:  # in the page cache for every contender
        with open(p, "rb") as fh:
            while fh.read(1 << 20):
                pass
    options = GroupingOptions()

    def pixels() -> set[tuple[str, str]]:
        return _pairs(SimilarityIndex(_records(paths, fingerprint_file)).groups(options))

    def exif() -> set[tuple[str, str]]:
        return _pairs(SimilarityIndex(_records(paths, fingerprint_from_exif)).groups(options))

    def confirmed() -> set[tuple[str, str]]:
        first = SimilarityIndex(_records(paths, fingerprint_from_exif)).groups(options)
        suspects = sorted({m.path for g in first for m in g.members})
        return _pairs(SimilarityIndex(_records(suspects, fingerprint_file)).groups(options))

    out: dict[str, Any] = {"files": len(paths), "true_pairs": len(truth)}
    for name, run in (("pixels", pixels), ("exif", exif), ("exif+confirm", confirmed)):
        times, reads = [], []
        found: set[tuple[str, str]] = set()
        for _ in range(repeat):
            before = io_counters().get("rchar", 0)
            start = time.perf_counter()
            found = run()
            times.append(time.perf_counter() - start)
            reads.append(io_counters().get("rchar", 0) - before)
        hits = len(found & truth)
        wrong = sorted(found - truth)
        out[name] = {
            "seconds": round(statistics.median(times), 3),
            "runs": [round(t, 3) for t in times],
            "kb_read_per_file": round(statistics.median(reads) / len(paths) / 1e3, 1),
            "pairs": len(found),
            "precision": round(hits / len(found), 3) if found else 1.0,
            "recall": round(hits / len(truth), 3) if truth else 1.0,
            "wrong_pairs": [[os.path.relpath(p, folder) for p in pair] for pair in wrong[:10]],
            "missed_pairs": [
                [os.path.relpath(p, folder) for p in pair] for pair in sorted(truth - found)[:10]
            ],
        }
        print(
            f"{name:>13}: {out[name]['seconds']:6.2f} s  read {out[name]['kb_read_per_file']:8.1f}"
            f" KB/file  pairs {len(found)}  precision {out[name]['precision']}  recall "
            f"{out[name]['recall']}"
        )
        for pair in out[name]["wrong_pairs"]:
            print(f"{'':>15}wrong: {pair[0]} ~ {pair[1]}")
        for pair in out[name]["missed_pairs"]:
            print(f"{'':>15}missed: {pair[0]} ~ {pair[1]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exif_previews", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = evaluate(os.path.abspath(args.folder), max(1, args.repeat))
    print(json.dumps(result | {"load": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
