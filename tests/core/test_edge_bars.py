"""A solid bar across one edge of one copy, where the other copy of the same proportions shows
picture, is said as an overlay even when the alignment fitted a zoom to it (core.overlays
``edge_bars``): over a smooth, pale picture the bar holds most of the thumbnail's contrast,
and the zoom was said as a trim on four sides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw

import dedupe_gui.core.pair_words as pair_words_module
import dedupe_gui.core.verify as verify_module
from dedupe_gui.core.differences import Frames, Marks, describe
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.overlays import BOTTOM, RIGHT, edge_bars
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from tests.imaging import save, textured

# The warp the alignment fitted to a caption bar over a foggy landscape (a 1600x1200 photo
# and its copy with a bar of grey 20 over the bottom tenth): the copy's point u shows the
# original's 0.88 u + 0.07, and the original placed on the copy the other way round.
_ZOOM = np.array([[0.883, 0.886, 0.066, 0.045]], np.float32)
_ZOOM_BACK = np.array([[1.081, 1.033, -0.045, -0.011]], np.float32)
# A crop of 6 % on every side, placed on its original.
_CROP = np.array([[0.88, 0.88, 0.06, 0.06]], np.float32)
_ONE = np.ones(1, dtype=bool)


def _stamped(img: Image.Image) -> Image.Image:
    """A date on a dark bar over the bottom tenth, as a messaging app's "add text" leaves it."""
    out = img.copy()
    draw = ImageDraw.Draw(out)
    bar = img.height // 10
    draw.rectangle((0, img.height - bar, img.width, img.height), fill=(20, 20, 20))
    draw.text((img.width // 20, img.height - bar * 2 // 3), "2019-07-12", fill=(255, 160, 0))
    return out


def _thumbs(*paths: Path) -> npt.NDArray[np.uint8]:
    thumbs, _ = thumbs_to_array([fingerprint_file(str(p)).thumb for p in paths])
    return thumbs


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def test_a_bar_the_alignment_fitted_a_zoom_to_is_the_overlay_of_the_copy_with_it(
    tmp_path: Path,
) -> None:
    img = textured(2, (640, 480))
    original = save(img, tmp_path / "a.png")
    stamped = save(_stamped(img), tmp_path / "b.jpg", quality=88)
    thumbs = _thumbs(original, stamped)
    carrier, place = edge_bars(thumbs[1:2], thumbs[0:1], _ZOOM, _ONE)
    assert (carrier.tolist(), place.tolist()) == ([1], [BOTTOM])
    # Seen from the copy with the bar: the keeper carries it.
    carrier, place = edge_bars(thumbs[0:1], thumbs[1:2], _ZOOM_BACK, _ONE)
    assert (carrier.tolist(), place.tolist()) == ([-1], [BOTTOM])
    # Copies of other proportions are no one canvas: their warp stands.
    assert edge_bars(thumbs[1:2], thumbs[0:1], _ZOOM, ~_ONE)[0].tolist() == [0]


def test_a_bar_down_one_side_is_an_overlay_there(tmp_path: Path) -> None:
    img = textured(2, (640, 480))
    banded = img.copy()
    ImageDraw.Draw(banded).rectangle((576, 0, 640, 480), fill=(20, 20, 20))
    original = save(img, tmp_path / "a.png")
    copy = save(banded, tmp_path / "b.jpg", quality=88)
    thumbs = _thumbs(original, copy)
    sideways = np.array([[0.886, 0.883, 0.045, 0.066]], np.float32)
    carrier, place = edge_bars(thumbs[1:2], thumbs[0:1], sideways, _ONE)
    assert (carrier.tolist(), place.tolist()) == ([1], [RIGHT])
    a, b = _records(original, copy)
    whole = np.array([1.0, 1.0, 0.0, 0.0], np.float32)
    said = describe(
        a, b, "", whole, np.zeros((8, 8), bool), Frames(), Marks(bar=1, bar_place=RIGHT)
    )
    assert "overlay at the right" in said


def test_a_crop_with_a_bar_keeps_the_warp_of_its_crop(tmp_path: Path) -> None:
    """A crop of the same proportions with a bar of its own agrees with its original better
    under the crop's warp than unmoved: what it says is its trims."""
    img = textured(2, (640, 480))
    w, h = img.size
    crop = img.crop((int(w * 0.06), int(h * 0.06), int(w * 0.94), int(h * 0.94)))
    original = save(img, tmp_path / "a.png")
    stamped = save(_stamped(crop), tmp_path / "b.jpg", quality=88)
    thumbs = _thumbs(original, stamped)
    assert edge_bars(thumbs[1:2], thumbs[0:1], _CROP, _ONE)[0].tolist() == [0]


def test_the_words_of_a_caption_copy_aligned_as_a_zoom_say_the_overlay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alignment fitting the zoom is what the smooth photo did; no generated picture
    makes it fit one, so the alignment is told to (``_ZOOM`` for the pair with the bar)."""
    img = textured(2, (640, 480))
    original = save(img, tmp_path / "a.png")
    stamped = save(_stamped(img), tmp_path / "b.jpg", quality=88)
    explain = verify_module.explain

    def zoomed(member: Any, keeper: Any) -> tuple[Any, Any]:
        params, differing = explain(member, keeper)
        params[:] = _ZOOM
        return params, differing

    monkeypatch.setattr(pair_words_module, "explain", zoomed)
    (group,) = group_records(_records(original, stamped), GroupingOptions(DEFAULT_THRESHOLD))
    assert [m.path for m in group.members] == [str(original), str(stamped)]
    said = group.members[1].differences
    assert "overlay at the bottom" in said, said
    assert not any(w.startswith("trimmed") for w in said), said
