"""Trims the windows of one edge or one corner do not cover: three edges cut (a light trim
and a deep one), both sides of the picture cut, and two depths for the deep windows; each
checked against the windows as they were before (the new ones replaced by old ones, so the
fingerprint keeps its layout), which must miss it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

import dedupe_gui.core.window_looks as window_looks
import dedupe_gui.core.windows as windows_module
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.windows import CENTRE_SLOT, DEEP_TRIM, TRIM, far_windows
from tests.core.test_geometry import _grouped, _records
from tests.core.test_heavy_crops import _record, _window_pairs
from tests.imaging import save
from tests.imaging import textured as _textured

# Shares cut off (left, top, right, bottom).
Cut = tuple[float, float, float, float]


def _trimmed_pair(tmp_path: Path, seed: int, cut: Cut) -> tuple[Path, Path]:
    img = _textured(seed, (600, 400))
    w, h = img.size
    box = (
        round(cut[0] * w),
        round(cut[1] * h),
        w - round(cut[2] * w),
        h - round(cut[3] * h),
    )
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.crop(box), tmp_path / "b.jpg", quality=92)
    return a, b


def _apart(a: Path, b: Path) -> int:
    return (fingerprint_file(str(a)).hash ^ fingerprint_file(str(b)).hash).bit_count()


def _as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """The windows of the version before: three-edge windows, opposite edges and the second
    deep depth replaced by windows it had (an edge, a corner at 18 %), the count kept."""
    one = windows_module._ONE
    corners = windows_module._CORNERS
    edges = windows_module._edges(TRIM, one + corners + one)
    deep = windows_module._edges(DEEP_TRIM, one + corners)
    deep = deep + deep * 2
    assert len(edges) == len(windows_module._EDGES)
    monkeypatch.setattr(windows_module, "_EDGES", edges)
    monkeypatch.setattr(windows_module, "_DEEP_EDGES", deep[: len(windows_module._DEEP_EDGES)])


CASES = [
    pytest.param(30, (0.07, 0.10, 0.09, 0.0), id="light trim of three edges"),
    pytest.param(22, (0.20, 0.0, 0.19, 0.22), id="a fifth off three edges"),
    pytest.param(23, (0.0, 0.15, 0.0, 0.14), id="top and bottom trimmed by a seventh"),
    pytest.param(32, (0.24, 0.22, 0.0, 0.0), id="a corner trimmed by almost a quarter"),
]


@pytest.mark.parametrize(("seed", "cut"), CASES)
def test_trimmed_copy_is_grouped_with_its_photo(tmp_path: Path, seed: int, cut: Cut) -> None:
    a, b = _trimmed_pair(tmp_path, seed, cut)
    assert _apart(a, b) > DEFAULT_THRESHOLD
    assert _grouped(a, b) == [{str(a), str(b)}]


@pytest.mark.parametrize(("seed", "cut"), CASES)
def test_the_windows_before_miss_it(
    tmp_path: Path, seed: int, cut: Cut, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _trimmed_pair(tmp_path, seed, cut)
    _as_before(monkeypatch)
    assert _grouped(a, b) == []


def test_new_deep_windows_are_far_windows() -> None:
    """Every deep window is searched as a far window: between two pictures of flat areas
    and edges (slides, pages, objects on one backdrop), which share their layout's trimmed
    parts, only within ``_ALONE_BITS``; the near windows, the light three-edge ones among
    them, as far as any."""
    rng = np.random.default_rng(8)
    others = [int(v) for v in rng.integers(0, 1 << 63, size=60, dtype=np.uint64)]
    count = len(windows_module._EDGES) + 1 + len(windows_module._DEEP_EDGES)
    windows = tuple(others[:count])
    far = far_windows(count)
    assert far == len(windows_module._DEEP_EDGES)
    probe = 0x0F0F_3C3C_5A5A_A5A5
    nine_off = probe ^ 0x1FF
    for slot in range(count):
        if slot == CENTRE_SLOT:
            continue
        owned = (*windows[:slot], probe, *windows[slot + 1 :])
        for flat in (False, True):
            owner = _record("owner", others[59], owned, flat)
            assert _window_pairs([owner, _record("copy", probe, (), flat)]) == {(1, 0)}
            copy = _record("copy", nine_off, (), flat)
            apart = flat and slot >= count - far
            assert _window_pairs([owner, copy]) == (set() if apart else {(1, 0)})


def _grained(coarse: Image.Image, seed: int, levels: float = 30, blob: int = 3) -> Image.Image:
    """``coarse`` with grain of its own: blobs of ``blob`` px, ``levels`` grey levels."""
    w, h = coarse.size
    noise = np.random.default_rng(seed).normal(0, levels, (h // blob, w // blob))
    grain = Image.fromarray(np.clip(noise + 128, 0, 255).astype(np.uint8))
    fine = np.asarray(grain.resize((w, h), Image.Resampling.BICUBIC), np.float32) - 128
    out = np.asarray(coarse, dtype=np.float32) + fine[..., None]
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))


def test_different_pictures_met_through_a_deep_window_are_not_grouped(tmp_path: Path) -> None:
    """Two pictures of one layout (one smooth scene under different grain), the second cut
    as a deep three-edge window: only that window brings them within reach (the windows
    before do not, and without the check they group), and the check tells them apart."""
    coarse = _textured(41, (600, 400)).convert("RGB").filter(ImageFilter.GaussianBlur(8))
    a = save(_grained(coarse, 1), tmp_path / "a.jpg", quality=92)
    cut = (126, 0, 474, 316)  # a fifth off the left, right and bottom edges
    b = save(_grained(coarse, 2).crop(cut), tmp_path / "b.jpg", quality=92)
    unchecked = GroupingOptions(DEFAULT_THRESHOLD, verify=False)
    assert len(group_records(_records(a, b), unchecked)) == 1
    assert _grouped(a, b) == []
    with pytest.MonkeyPatch.context() as patch:
        _as_before(patch)
        assert group_records(_records(a, b), unchecked) == []


def test_quiet_pictures_of_one_light_but_other_detail_are_not_grouped_through_a_window(
    tmp_path: Path,
) -> None:
    """Two quiet pictures whose light agrees (one smooth scene) but whose detail does not
    (faint grain of their own, as a misty hillside and a lake at dusk share a gradient):
    a deep window of one meets the other, and its 32x32 grey levels pass against it, but
    the edges at 128x128 differ on nearly every tile (core.local_edits.apart_in_structure).
    The same picture cut the same way is grouped."""
    coarse = _textured(41, (600, 400)).convert("RGB").filter(ImageFilter.GaussianBlur(8))
    a = save(_grained(coarse, 1, 8, 5), tmp_path / "a.jpg", quality=92)
    cut = (126, 0, 474, 316)  # a fifth off the left, right and bottom edges
    b = save(_grained(coarse, 2, 8, 5).crop(cut), tmp_path / "b.jpg", quality=92)
    copy = save(_grained(coarse, 1, 8, 5).crop(cut), tmp_path / "c.jpg", quality=92)
    unchecked = GroupingOptions(DEFAULT_THRESHOLD, verify=False)
    assert len(group_records(_records(a, b), unchecked)) == 1
    assert _grouped(a, b) == []
    assert _grouped(a, copy) == [{str(a), str(copy)}]


def test_a_window_that_cannot_be_decoded_again_passes_no_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pair that passed through a window has the window decoded again for the text check;
    when that decode fails (the file changed or went away meanwhile) the pair is not passed
    unread."""
    a, b = _trimmed_pair(tmp_path, 22, (0.20, 0.0, 0.19, 0.22))
    assert _grouped(a, b) == [{str(a), str(b)}]
    asked: list[str] = []

    def gone(
        items: list[tuple[str, list[int]]], workers: int, pictures: object = None
    ) -> list[list[np.ndarray | None]]:
        asked.extend(path for path, _ in items)
        return [[None] * len(slots) for _, slots in items]

    monkeypatch.setattr(window_looks, "details_of", gone)
    assert _grouped(a, b) == []
    assert asked  # the pair did reach the second decode
