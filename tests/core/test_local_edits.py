"""A copy with one local edit that the 32x32 check fails is found by the second look at
128x128 (core.local_edits); a different picture sharing most of the frame is not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import dedupe_gui.core.local_edits as local_edits_module
from dedupe_gui.core.fingerprint import detail_grey, fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.local_edits import apart_in_structure, local_edit_residuals
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from tests.imaging import photo, save, textured, vignetted

SIZE = (640, 480)


def _gravel(seed: int) -> Image.Image:
    """A low-contrast picture of coarse grain (gravel, foliage): its 32x32 thumbnail is mostly
    grain, so a local edit there reads as a different picture."""
    rng = np.random.default_rng(seed)
    base = np.asarray(photo(seed, SIZE), dtype=np.float64)
    grain = np.kron(rng.normal(0, 30, (SIZE[1] // 16, SIZE[0] // 16, 1)), np.ones((16, 16, 1)))
    return Image.fromarray(np.clip(base * 0.3 + grain + 100, 0, 255).astype(np.uint8))


def _sticker(img: Image.Image) -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rounded_rectangle((380, 60, 560, 200), radius=20, fill=(250, 250, 250))
    draw.text((400, 110), "label", font=ImageFont.load_default(size=40), fill=(200, 0, 0))
    return out


def _caption(img: Image.Image) -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 425, SIZE[0], SIZE[1]), fill=(255, 255, 255))
    draw.text((12, 435), "summer 2019", font=ImageFont.load_default(size=30), fill=(0, 0, 0))
    return out


def _records(paths: list[Path]) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def _thumb_residual(a: ImageRecord, b: ImageRecord) -> float:
    thumbs, _ = thumbs_to_array([a.fingerprint.thumb, b.fingerprint.thumb])
    return float(residuals(thumbs[:1], thumbs[1:])[0])


def _grouped(original: Image.Image, edited: Image.Image, tmp_path: Path) -> bool:
    paths = [save(original, tmp_path / "a.jpg", quality=90), save(edited, tmp_path / "b.jpg")]
    records = _records(paths)
    # The 32x32 check alone fails the pair: only the second look can group it.
    assert _thumb_residual(*records) > DEFAULT_MAX_RESIDUAL
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    return [len(g.members) for g in groups] == [2]


def test_a_caption_bar_on_coarse_grain_is_still_a_copy(tmp_path: Path) -> None:
    img = _gravel(1)
    assert _grouped(img, _caption(img), tmp_path)


def _pictures(
    tmp_path: Path, *images: Image.Image
) -> np.ndarray[tuple[int, ...], np.dtype[np.uint8]]:
    return np.stack(
        [detail_grey(str(save(img, tmp_path / f"{k}.png"))) for k, img in enumerate(images)]
    )


def test_a_sticker_is_a_local_edit_and_another_subject_on_the_same_ground_is_not(
    tmp_path: Path,
) -> None:
    ground = _gravel(4)
    other = ground.copy()
    other.paste(_gravel(9).crop((100, 80, 420, 400)), (160, 80))  # a third of the frame
    pictures = _pictures(tmp_path, ground, _sticker(ground), other)
    sticker, subject = local_edit_residuals(
        pictures[[0, 0]], pictures[[1, 2]], np.zeros(2, dtype=bool)
    )
    assert sticker <= DEFAULT_MAX_RESIDUAL
    assert subject == np.inf


def test_pictures_of_flat_areas_and_edges_may_not_differ_in_any_tile(tmp_path: Path) -> None:
    """Two slides that differ in one line of text differ in one box, as a sticker does: for
    such pictures no differing tile is forgiven."""
    font = ImageFont.load_default(size=64)
    slides = []
    for title in ("Agenda 2024", "Hiring plan"):
        slide = _gravel(6)
        draw = ImageDraw.Draw(slide)
        draw.text((60, 200), title, font=font, fill=(255, 255, 255))
        slides.append(slide)
    pictures = _pictures(tmp_path, *slides)
    as_photos, as_slides = local_edit_residuals(
        pictures[[0, 0]], pictures[[1, 1]], np.array([False, True])
    )
    assert as_photos <= DEFAULT_MAX_RESIDUAL
    assert as_slides == np.inf


def test_corners_darkened_steeply_are_not_a_difference(tmp_path: Path) -> None:
    """A strong vignette keeps the centre and darkens the corners with the fourth power of
    the distance: a gain field of slopes and squares alone leaves the corners differing."""
    img = _gravel(2)
    arr = np.asarray(img, dtype=np.float64)
    yy, xx = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
    r = np.hypot((xx - SIZE[0] / 2) / (SIZE[0] / 2), (yy - SIZE[1] / 2) / (SIZE[1] / 2))
    gain = 1 - 0.6 * (r / np.sqrt(2))[..., None] ** 4
    vignette = Image.fromarray(np.clip(arr * gain, 0, 255).astype(np.uint8))
    pictures = _pictures(tmp_path, img, vignette)
    found = local_edit_residuals(pictures[:1], pictures[1:], np.zeros(1, dtype=bool))
    assert found[0] <= DEFAULT_MAX_RESIDUAL


def _slide() -> Image.Image:
    img = Image.new("RGB", SIZE, (30, 40, 70))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, SIZE[0], 70), fill=(200, 60, 40))
    draw.text((30, 20), "Quarterly review", font=ImageFont.load_default(size=32), fill="white")
    font = ImageFont.load_default(size=22)
    for i in range(8):
        draw.text((40, 100 + i * 44), f"- point {i}: item {i * 7}", font=font, fill="white")
    return img


def _smiley(img: Image.Image) -> Image.Image:
    out = img.copy()
    draw = ImageDraw.Draw(out)
    draw.ellipse((380, 240, 560, 420), fill=(255, 205, 40), outline=(120, 80, 0), width=6)
    draw.ellipse((430, 290, 450, 310), fill=(0, 0, 0))
    draw.ellipse((490, 290, 510, 310), fill=(0, 0, 0))
    draw.arc((420, 310, 520, 390), 20, 160, fill=(0, 0, 0), width=5)
    return out


def _phone_screen(seed: int) -> Image.Image:
    """A photo in a band of dark viewer chrome, as a phone screenshot shows it."""
    img = Image.new("RGB", (480, 640), (18, 18, 18))
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=22)
    draw.text((20, 10), "12:30", font=font, fill=(220, 220, 220))
    draw.text((20, 590), "Share   Edit   Delete", font=font, fill=(220, 220, 220))
    img.paste(textured(seed, (480, 110)), (0, 260))
    return img


def test_a_sticker_on_a_slide_is_an_overlay_but_another_photo_in_one_chrome_is_not(
    tmp_path: Path,
) -> None:
    """Pictures of flat areas and edges may differ in one box only where one file covers
    the other: a sticker on a slide, not two photos in one screenshot layout."""
    slide, screens = _slide(), [_phone_screen(1), _phone_screen(2)]
    files = [slide, _smiley(slide), *screens]
    paths = [save(img, tmp_path / f"{k}.png") for k, img in enumerate(files)]
    assert all(fingerprint_file(str(p)).fine for p in paths)  # all flat and edged
    pictures = np.stack([detail_grey(str(p)) for p in paths])
    sticker, other_photo = local_edit_residuals(
        pictures[[0, 2]], pictures[[1, 3]], np.ones(2, dtype=bool)
    )
    assert sticker <= DEFAULT_MAX_RESIDUAL
    assert other_photo == np.inf


def _object_on_white(seed: int) -> Image.Image:
    """A product shot: an object in the middle of a white page, whose corners a vignette
    takes from clipped white to grey."""
    out = Image.new("RGB", (320, 240), (255, 255, 255))
    out.paste(textured(seed, (180, 130)), (70, 55))
    return out


def test_a_strong_vignette_over_an_object_on_white_is_grouped(tmp_path: Path) -> None:
    """The darkened corners are most of such a picture's contrast: its 16x16 correlation with
    the original falls under the pre-filter's bar and its 32x32 residual over the local
    look's bound, while the middle, where the object is, agrees as any copy's does
    (core.prefilter.centres_agree)."""
    img = _object_on_white(5)
    original = save(img, tmp_path / "a.jpg", quality=90)
    dark = save(vignetted(img, 0.85), tmp_path / "b.jpg", quality=90)
    records = _records([original, dark])
    assert _thumb_residual(*records) > 1.0
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [len(g.members) for g in groups] == [2]
    other = save(_object_on_white(6), tmp_path / "c.jpg", quality=90)
    groups = group_records(_records([original, other]), GroupingOptions(DEFAULT_THRESHOLD))
    assert groups == []


def test_the_look_reads_a_pair_the_same_both_ways(tmp_path: Path) -> None:
    """Either file of a pair may be the first of it (the order is the files' ids): a copy is
    a copy either way. Each reading alone is not symmetric (the gain field taken out of the
    darker file lifts its noise), so the smaller counts."""
    img = _object_on_white(3)
    pictures = np.stack(
        [
            detail_grey(str(save(picture, tmp_path / f"{name}.jpg", quality=90)))
            for name, picture in (("a", img), ("b", vignetted(img, 0.75)))
        ]
    )
    flat = np.zeros(1, dtype=bool)
    one = local_edit_residuals(pictures[:1], pictures[1:], flat)
    other = local_edit_residuals(pictures[1:], pictures[:1], flat)
    assert one[0] == other[0] < DEFAULT_MAX_RESIDUAL


def _quiet(seed: int) -> Image.Image:
    """A soft, low-contrast picture (a misty landscape): few of its tiles have edges."""
    img = photo(seed, SIZE).filter(ImageFilter.GaussianBlur(6))
    pixels = np.asarray(img, dtype=np.float32)
    return Image.fromarray(np.clip((pixels - pixels.mean()) * 0.5 + 128, 0, 255).astype(np.uint8))


def test_a_caption_bar_over_a_quiet_picture_is_one_local_edit(tmp_path: Path) -> None:
    """A caption bar over a picture with few edges is most of the edges there are: every
    tile of the bar differs, more than a copy's share of the textured tiles, but they make a
    band along the bottom edge and the picture agrees above it. A different picture under
    the same bar does not."""
    flat = np.zeros(1, dtype=bool)

    def look(a: Image.Image, b: Image.Image) -> float:
        pictures = [
            detail_grey(str(save(p, tmp_path / f"{name}.jpg", quality=90)))
            for name, p in (("a", a), ("b", b))
        ]
        return float(local_edit_residuals(pictures[0][None], pictures[1][None], flat)[0])

    img = _quiet(5)
    assert look(img, _caption(img)) <= DEFAULT_MAX_RESIDUAL
    assert look(img, _caption(_quiet(6))) == np.inf


def test_pictures_of_flat_areas_and_edges_are_read_one_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Their covering tests were measured one way; read the other way, two different photos
    of objects on one backdrop passed. Photos are read the other way when the first reading
    fails."""
    first = np.zeros((2, 128, 128), dtype=np.uint8)
    second = np.full((2, 128, 128), 9, dtype=np.uint8)

    def one_way(a: np.ndarray, b: np.ndarray, flat: np.ndarray, colours: object) -> np.ndarray:
        # Only the second file as the reference passes.
        return np.where(a[:, 0, 0] == 9, 0.0, np.inf).astype(np.float32)

    monkeypatch.setattr(local_edits_module, "_one_way", one_way)
    flat = np.array([False, True])
    found = local_edit_residuals(first, second, flat, None, DEFAULT_MAX_RESIDUAL)
    assert found.tolist() == [0.0, np.inf]


def _at_128(img: Image.Image) -> np.ndarray[tuple[int, ...], np.dtype[np.uint8]]:
    grey = img.convert("L").resize((128, 128), Image.Resampling.BOX)
    return np.asarray(grey, dtype=np.uint8)


def test_structure_tells_two_quiet_pictures_apart_but_not_a_copy_with_an_edit() -> None:
    """Two quiet pictures of one light (one gradient) with detail of their own differ in
    edges on nearly every tile, either way round; a copy with a sticker, a caption bar,
    a colour filter, darkened corners or a light trim keeps most of its edges."""
    base = textured(7, SIZE).filter(ImageFilter.GaussianBlur(3))
    rng = np.random.default_rng(3)
    other_detail = np.kron(rng.normal(0, 12, (SIZE[1] // 8, SIZE[0] // 8, 1)), np.ones((8, 8, 1)))
    smooth_other = Image.fromarray(
        np.clip(
            np.asarray(base.filter(ImageFilter.GaussianBlur(12)), np.float64) + other_detail,
            0,
            255,
        ).astype(np.uint8)
    )
    grey = np.asarray(base.convert("L"), dtype=np.float64)
    sepia = Image.fromarray(
        np.clip(grey[..., None] * np.array([1.07, 0.88, 0.69]), 0, 255).astype(np.uint8)
    )
    copies = [
        _sticker(base),
        _caption(base),
        sepia,
        vignetted(base, 0.6),
        base.crop((19, 14, 621, 466)).resize(SIZE),
    ]
    original = _at_128(base)
    assert not apart_in_structure(
        np.stack([original] * len(copies)), np.stack([_at_128(c) for c in copies])
    ).any()
    assert apart_in_structure(original[None], _at_128(smooth_other)[None]).all()
    assert apart_in_structure(_at_128(smooth_other)[None], original[None]).all()


def test_every_pair_reads_the_same_whatever_the_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The look reads its pairs a few at a time to bound its temporaries: a pair's reading
    never depends on which others share its batch."""
    local_edits = local_edits_module
    rng = np.random.default_rng(11)
    n = 40
    small = rng.integers(0, 256, size=(n, 8, 8), dtype=np.uint8)
    a = np.stack(
        [np.asarray(Image.fromarray(s).resize((128, 128), Image.Resampling.BICUBIC)) for s in small]
    )
    b = a.copy()
    b[::2, 40:70, 50:80] = rng.integers(0, 256, size=(n // 2, 30, 30), dtype=np.uint8)  # a patch
    b[1::4] = np.roll(a[1::4], 3, axis=2)  # shifted
    b[3::4] = a[rng.permutation(n)[3::4]]  # mostly other pictures
    flat = np.arange(n) % 5 == 0
    readings = {}
    for batch in (1, 7, local_edits._BATCH, 64):
        monkeypatch.setattr(local_edits, "_BATCH", batch)
        readings[batch] = local_edits.local_edit_residuals(a, b, flat, None, 0.13)
    first = readings[1]
    assert np.isfinite(first).any() and np.isinf(first).any()
    for batch, values in readings.items():
        assert np.array_equal(values, first), batch


def _grids(*cells: list[tuple[int, int]]) -> np.ndarray:
    out = np.zeros((len(cells), 8, 8), dtype=bool)
    for k, where in enumerate(cells):
        for r, c in where:
            out[k, r, c] = True
    return out


def test_differing_tiles_of_one_edit_are_one_piece_and_of_two_edits_two() -> None:
    """A sticker's tiles touch; a caption bar over a plain background differs where there
    are lines, with a plain tile between; a screenshot's title line and its photo, two rows
    of plain chrome apart, are two differences, though one box of 20 tiles holds them."""
    sticker = [(3, 3), (3, 4), (4, 3), (4, 4), (5, 5)]
    caption = [(7, 0), (7, 2), (7, 3), (6, 5), (7, 7)]
    title_and_photo = [(0, 2), (3, 2), (3, 3), (3, 4), (3, 5), (4, 2), (4, 4), (4, 5)]
    corners = [(0, 0), (7, 7)]
    found = local_edits_module._in_one_piece(_grids(sticker, caption, title_and_photo, corners))
    assert found.tolist() == [True, True, False, False]
