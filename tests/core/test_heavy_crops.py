"""Copies cropped further than the edge windows reach: a square cut off-centre, a trim of
12-25 % on one or two edges; and what keeps the windows that find them from joining
look-alikes (pictures of one layout, screenshots of different photos in one chrome)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

import dedupe_gui.core.pair_checker as pair_checker_module
import dedupe_gui.core.window_candidates as window_module
import dedupe_gui.core.window_looks as window_looks
from dedupe_gui.core.candidates import Candidates
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.window_candidates import WindowCandidates
from dedupe_gui.core.windows import chrome_photo, far_windows
from tests.core.test_geometry import _grouped, _records, _screenshot
from tests.imaging import save
from tests.imaging import textured as _textured


def _apart(a: Path, b: Path) -> int:
    return (fingerprint_file(str(a)).hash ^ fingerprint_file(str(b)).hash).bit_count()


def test_a_square_cut_off_centre_is_grouped_with_its_photo(tmp_path: Path) -> None:
    img = _textured(31, (600, 400))
    a = save(img, tmp_path / "a.jpg", quality=92)
    # A third of the way along the spare width: 33 px off the centred square.
    b = save(img.crop((67, 0, 467, 400)), tmp_path / "b.jpg", quality=92)
    assert _apart(a, b) > DEFAULT_THRESHOLD
    assert _grouped(a, b) == [{str(a), str(b)}]


def test_a_fifth_trimmed_off_one_edge_is_grouped_with_its_photo(tmp_path: Path) -> None:
    img = _textured(32, (600, 400))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.crop((120, 0, 600, 400)), tmp_path / "b.jpg", quality=92)
    assert _apart(a, b) > DEFAULT_THRESHOLD
    assert _grouped(a, b) == [{str(a), str(b)}]


def test_a_corner_trimmed_by_a_sixth_and_a_fifth_is_grouped_with_its_photo(
    tmp_path: Path,
) -> None:
    img = _textured(33, (600, 400))
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.crop((0, 68, 480, 400)), tmp_path / "b.jpg", quality=92)  # top 17 %, right 20 %
    assert _apart(a, b) > DEFAULT_THRESHOLD
    assert _grouped(a, b) == [{str(a), str(b)}]


def test_two_screenshots_of_different_photos_are_ruled_out_by_their_photos(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = save(_screenshot(_textured(35, (640, 427)), "album"), tmp_path / "one.png")
    second = save(_screenshot(_textured(36, (640, 427)), "album"), tmp_path / "two.png")
    again = save(_screenshot(_textured(35, (640, 427)), "album", dark=False), tmp_path / "3.png")
    records = _records(first, second, again)
    assert all(chrome_photo(r.fingerprint.windows) is not None for r in records)

    def residuals() -> npt.NDArray[np.float32]:
        index = SimilarityIndex(records)
        index.groups(GroupingOptions(DEFAULT_THRESHOLD))
        return index._checker.check(np.array([0, 0]), np.array([1, 2]), np.array([0, 0]))

    res = residuals()
    assert np.isinf(res[0])  # different photos: ruled out whatever the chrome says
    assert np.isfinite(res[1])  # the same photo in a light chrome: checked as usual
    monkeypatch.setattr(pair_checker_module, "_PHOTOS_APART_BITS", 64)
    assert np.isfinite(residuals()[0])


def _record(name: str, value: int, windows: tuple[int, ...], flat: bool) -> ImageRecord:
    fp = Fingerprint(value, 600, 400, "JPEG", windows=windows, detailed=flat)
    return ImageRecord(FileKey(name, 1, 1), fp)


def _window_pairs(records: list[ImageRecord]) -> set[tuple[int, int]]:
    hashes = np.array([r.fingerprint.hash for r in records], dtype=np.uint64)
    unique, inverse = np.unique(hashes, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable").astype(np.int64)
    bounds = np.searchsorted(inverse[order], np.arange(unique.size + 1)).astype(np.int64)
    found: Candidates = WindowCandidates(
        records, unique, inverse.astype(np.int64), order, bounds
    ).at(DEFAULT_THRESHOLD)
    return set(zip(found.a.tolist(), found.b.tolist(), strict=True))


def test_far_windows_pair_two_pictures_of_flat_areas_only_when_near() -> None:
    """A deep trim or an off-centre square of a slide, a page or an object on a backdrop
    is often near another of the same layout: between two such pictures a far window makes
    a pair only within ``_ALONE_BITS`` (the pair is then judged through it alone); nearer
    windows pair them as any."""
    rng = np.random.default_rng(5)
    others = [int(v) for v in rng.integers(0, 1 << 63, size=50, dtype=np.uint64)]
    # Twelve trimmed edges, the middle half, five squares, 24 deep windows.
    windows = tuple(others[:42])
    assert far_windows(len(windows)) == 28
    deep, edge = 0x0F0F_3C3C_5A5A_A5A5, 0x1234_5678_9ABC_DEF0
    nine_off = deep ^ 0x1FF
    for flat in (False, True):
        owner = _record("owner", others[49], (*windows[:-1], deep), flat)
        for copy_hash, apart in ((deep, False), (nine_off, flat)):
            copy = _record("copy", copy_hash, (), flat)
            assert _window_pairs([owner, copy]) == (set() if apart else {(1, 0)})
    near = _record("owner", others[49], (edge, *windows[1:]), True)
    assert _window_pairs([near, _record("copy", edge, (), True)]) == {(1, 0)}


def test_a_window_that_cannot_be_read_leaves_the_other_second_looks_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three framed copies looked at through their windows in one batch, the first one's
    window unreadable now: each of the other two is still judged by its own window."""
    paths: list[Path] = []
    for k in range(3):
        img = _textured(40 + k, (480, 320))
        framed = Image.new("RGB", (640, 640), (240, 236, 228))
        framed.paste(img, (80, 160))
        paths.append(save(img, tmp_path / f"{k}a.jpg", quality=92))
        paths.append(save(framed, tmp_path / f"{k}b.jpg", quality=92))
    records = _records(*paths)
    index = SimilarityIndex(records)
    index.groups(GroupingOptions(DEFAULT_THRESHOLD))
    windows, checker = index._windows, index._checker
    assert windows is not None
    windows._looks.clear()  # decoded again from here on
    read = window_looks.window_look
    monkeypatch.setattr(
        window_looks,
        "window_look",
        lambda path, slot, decoded=None, detail=True: (
            None if "/0" in path else read(path, slot, None, detail)
        ),
    )
    compared: list[tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]] = []

    def text_check(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
        compared.extend(zip(a, b, strict=True))
        return np.zeros(len(a), dtype=bool)

    monkeypatch.setattr(window_module, "two_sided_text", text_check)
    again = windows.looked_again(
        np.array([0, 2, 4]),
        np.array([1, 3, 5]),
        np.zeros(3, dtype=np.int64),
        np.ones(3, dtype=np.float32),
        0.13,
        lambda rows: checker.loaded.thumbs[checker.loaded.rows(rows)],
        checker.again.detail_of,
        checker._has_fine,
    )
    assert again[0] == 1.0  # not looked at
    assert (again[1:] <= 0.13).all()
    # The text check saw each window beside its own pair's other picture.
    assert len(compared) == 2
    assert all(np.abs(_small(a) - _small(b)).mean() < 20 for a, b in compared)


def _small(picture: npt.NDArray[np.uint8]) -> npt.NDArray[np.int16]:
    """``picture`` at 32x32, to compare pictures of two detail sizes."""
    resized = Image.fromarray(picture).resize((32, 32), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.int16)
