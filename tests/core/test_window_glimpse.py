"""The first glance through a window on the stored thumbnails (core.window_glimpse): where
the windows sit, a trimmed copy kept through its window though its whole thumbnail fails the
16x16 first test, and a different picture a window brought ruled out before any alignment."""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageOps

import dedupe_gui.core.pair_checker as pair_checker
from dedupe_gui.core.fingerprint import upright_grey
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.prefilter import first_test, signatures
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.verify import residuals
from dedupe_gui.core.window_candidates import WindowCandidates
from dedupe_gui.core.window_glimpse import apart_through_window
from dedupe_gui.core.windows import FINE_SIDE, placed_box, shown_small, window_boxes
from tests.core.test_geometry import _records
from tests.imaging import save, textured

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
# A pixel of the 72-px picture the windows are laid on, as a share of its side.
_PIXEL = 1 / 72


@pytest.mark.parametrize(
    "picture",
    [
        pytest.param(lambda: textured(3, (600, 400)), id="landscape"),
        pytest.param(lambda: textured(4, (300, 500)), id="portrait"),
        pytest.param(lambda: textured(5, (400, 400)), id="square"),
        pytest.param(
            lambda: ImageOps.expand(textured(6, (500, 300)), 40, (255, 255, 255)), id="framed"
        ),
    ],
)
def test_placed_boxes_are_where_the_windows_are(tmp_path: Path, picture: object) -> None:
    """Every window placed by the picture's shape is where ``window_boxes`` lays it (the
    squares within a pixel of the 72-px picture); a window inside a border, and the squares
    placed inside one, are not placed."""
    assert callable(picture)
    path = save(picture(), tmp_path / "p.jpg", quality=92)
    grey = upright_grey(str(path), max_side=512)
    boxes = window_boxes(shown_small(grey), partial(shown_small, grey, side=FINE_SIDE))
    aspect = grey.width / grey.height
    inside = [slot for slot, (_, precise) in enumerate(boxes) if precise]
    placed = 0
    for slot, (box, precise) in enumerate(boxes):
        found = placed_box(len(boxes), slot, aspect)
        if precise or (inside and found is None):
            assert found is None
            continue
        assert found is not None
        assert max(abs(x - y) for x, y in zip(box, found, strict=True)) <= _PIXEL
        placed += 1
    assert placed >= len(boxes) - 7
    assert placed_box(len(boxes), len(boxes), aspect) is None


def _through(records: list[ImageRecord]) -> tuple[bool, I64, I64]:
    """Whether a window brought records 0 and 1 together, its owner and its slot."""
    hashes = np.array([r.fingerprint.hash for r in records], dtype=np.uint64)
    unique, inverse = np.unique(hashes, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    order = np.argsort(inverse, kind="stable").astype(np.int64)
    bounds = np.searchsorted(inverse[order], np.arange(unique.size + 1)).astype(np.int64)
    windows = WindowCandidates(records, unique, inverse, order, bounds)
    windows.at(DEFAULT_THRESHOLD)
    came, owner, slot = windows.through(np.array([0]), np.array([1]))
    return bool(came[0]), owner, slot


def _thumbs(records: list[ImageRecord]) -> U8:
    return np.stack([np.frombuffer(r.fingerprint.thumb, np.uint8).reshape(32, 32) for r in records])


def _whole_ruled_out(records: list[ImageRecord]) -> bool:
    thumbs = _thumbs(records)
    ruled, _ = first_test(signatures(thumbs[:1]), signatures(thumbs[1:]), np.zeros(1, bool))
    return bool(ruled[0])


@pytest.mark.parametrize(
    ("seed", "cut"),
    [
        pytest.param(22, (126, 0, 486, 312), id="a fifth off three edges"),
        pytest.param(32, (144, 88, 600, 400), id="a corner trimmed by almost a quarter"),
    ],
)
def test_a_trimmed_copy_is_kept_through_its_window(
    tmp_path: Path, seed: int, cut: tuple[int, int, int, int]
) -> None:
    """A deep trim correlates poorly with its original as a whole (the 16x16 first test
    alone would rule it out), but its window's part of the original agrees with it: the
    pair is not apart through the window, and it is grouped."""
    img = textured(seed, (600, 400))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.crop(cut), tmp_path / "b.jpg", quality=92)
    records = _records(a, b)
    came, owner, slot = _through(records)
    assert came
    assert _whole_ruled_out(records)
    thumbs = _thumbs(records)
    other = 1 - owner
    assert not apart_through_window(records, (owner, slot, other), lambda r: thumbs[r])[0]
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [{m.path for m in g.members} for g in groups] == [{str(a), str(b)}]


def _met_through_a_window(
    tmp_path: Path, other_img: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[ImageRecord], list[int]]:
    """A textured photo and ``other_img`` whose hash is made to meet one of the photo's deep
    windows (as crops of one photo that overlap in part, or chance, do by the thousand in a
    dense library), both ruled out as whole thumbnails; and the sizes of the batches the
    pair check aligns from then on."""
    owner_path = save(textured(22, (600, 400)), tmp_path / "a.jpg", quality=92)
    other_path = save(other_img, tmp_path / "b.jpg", quality=92)
    owner, other = _records(owner_path, other_path)
    trimmed = _records(save(Image.open(owner_path).crop((126, 0, 486, 312)), tmp_path / "c.jpg"))
    _, _, slot = _through([owner, trimmed[0]])
    met = dataclasses.replace(other.fingerprint, hash=owner.fingerprint.windows[int(slot[0])])
    records = [owner, dataclasses.replace(other, fingerprint=met)]
    came, _, _ = _through(records)
    assert came
    assert _whole_ruled_out(records)
    aligned: list[int] = []

    def counted(a: U8, *args: Any, **kwargs: Any) -> npt.NDArray[np.float32]:
        aligned.append(a.shape[0])
        return residuals(a, *args, **kwargs)

    monkeypatch.setattr(pair_checker, "residuals", counted)
    return records, aligned


def test_a_different_picture_a_window_brought_is_ruled_out_unaligned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A picture that meets a deep window of another but shows something else, there as a
    whole: ruled out by its glance through the window, never aligned nor looked at again."""
    records, aligned = _met_through_a_window(tmp_path, textured(9, (450, 312)), monkeypatch)
    assert group_records(records, GroupingOptions(DEFAULT_THRESHOLD)) == []
    assert aligned == []


@pytest.mark.parametrize(
    "reshape",
    [
        pytest.param(lambda img: ImageOps.expand(img, 40, fill=(255, 255, 255)), id="framed"),
        pytest.param(lambda img: img.crop((0, 0, 312, 312)), id="square"),
    ],
)
def test_a_framed_or_reshaped_pair_a_window_brought_goes_to_the_full_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reshape: Any
) -> None:
    """A framed copy, or one of another shape, is reframed by the check itself (its frame
    taken off, the wider picture cropped to the other's shape), not looked at through the
    window that brought it: a glance that fails there does not rule it out."""
    other = reshape(textured(9, (450, 312)))
    records, aligned = _met_through_a_window(tmp_path, other, monkeypatch)
    assert group_records(records, GroupingOptions(DEFAULT_THRESHOLD)) == []  # still two photos
    assert aligned  # but judged by the whole check
