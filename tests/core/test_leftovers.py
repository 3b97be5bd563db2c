"""A copy that fails against its group's keeper because the keeper is an edited copy of the
original's size, saved larger, is taken in by a plain peer of the keeper taking the group
over (core.leftovers)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PIL import Image

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from tests.imaging import save, textured

_BASE = 0x0123456789ABCDEF


def _record(path: Path, flipped: range, size: int) -> ImageRecord:
    """The file's real fingerprint with its hash set ``flipped`` bits away from a base (and no
    windows), so that which pairs are candidates is chosen by the test; ``size`` in bytes
    sets the keeper among copies of one size (the larger file is kept)."""
    fp = fingerprint_file(str(path))
    value = _BASE
    for bit in flipped:
        value ^= 1 << bit
    fake = dataclasses.replace(fp, hash=value, windows=())
    return ImageRecord(FileKey(str(path), size, path.stat().st_mtime_ns), fake)


def _vignette(img: Image.Image) -> Image.Image:
    """Corners darkened by 85 %, the middle left as it was."""
    pixels = np.asarray(img, dtype=np.float64)
    h, w = pixels.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot((x - w / 2) / (w / 2), (y - h / 2) / (h / 2)) / np.sqrt(2)
    gain = 1 - 0.85 * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5
    return Image.fromarray(np.clip(pixels * gain[..., None], 0, 255).astype(np.uint8))


def _trimmed(img: Image.Image) -> Image.Image:
    w, h = img.size
    return img.crop((0, 0, int(w * 0.92), int(h * 0.92)))


def _paths(tmp_path: Path, *images: Image.Image) -> list[Path]:
    return [save(img, tmp_path / f"{k}.jpg", quality=92) for k, img in enumerate(images)]


def _members(records: list[ImageRecord]) -> list[list[str]]:
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    return [[m.path for m in g.members] for g in groups]


def test_a_plain_peer_of_an_edited_keeper_takes_over_to_keep_a_copy_in(tmp_path: Path) -> None:
    img = textured(5, (640, 480))
    original, vignetted, trimmed = _paths(tmp_path, img, _vignette(img), _trimmed(img))
    records = [
        _record(original, range(0), 100_000),
        _record(vignetted, range(5), 120_000),  # the first keeper: a larger file
        _record(trimmed, range(20, 28), 90_000),  # 8 bits from the original, 13 from it
    ]
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    # The trimmed copy and the vignetted one are two edits apart: not copies of each other.
    assert residuals(thumbs[1:2], thumbs[2:3])[0] > DEFAULT_MAX_RESIDUAL
    assert _members(records) == [[str(original), str(vignetted), str(trimmed)]]
