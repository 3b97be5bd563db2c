"""A copy with darkened corners (a vignette) is found by comparing the middles of the two
pictures (core.centre_candidates), which the whole pictures' hashes do not bring together."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PIL import Image

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.windows import CENTRE_SLOT
from tests.imaging import save, textured


def _vignette(img: Image.Image, strength: float) -> Image.Image:
    """Corners darkened by ``strength``, the middle left as it was (as photo editors do)."""
    pixels = np.asarray(img, dtype=np.float64)
    h, w = pixels.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot((x - w / 2) / (w / 2), (y - h / 2) / (h / 2)) / math.sqrt(2)
    gain = 1 - strength * np.clip((r - 0.35) / 0.65, 0, 1) ** 1.5
    return Image.fromarray(np.clip(pixels * gain[..., None], 0, 255).astype(np.uint8))


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def test_a_vignetted_copy_is_found_through_the_middle_of_the_picture(tmp_path: Path) -> None:
    img = textured(1, (640, 480))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(_vignette(img, 0.8), tmp_path / "b.jpg", quality=92)
    records = _records(a, b)
    fa, fb = records[0].fingerprint, records[1].fingerprint
    # The dark corners move the whole picture's hash beyond the threshold, not the middle's.
    assert (fa.hash ^ fb.hash).bit_count() > DEFAULT_THRESHOLD
    assert min((fa.hash ^ w).bit_count() for w in fb.windows) > DEFAULT_THRESHOLD
    assert (fa.windows[CENTRE_SLOT] ^ fb.windows[CENTRE_SLOT]).bit_count() <= 2
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [[m.path for m in g.members] for g in groups] == [[str(a), str(b)]]
    assert group_records(records, GroupingOptions(DEFAULT_THRESHOLD, trims=False)) == []
