"""The clean picture over a screenshot of it and over a framed copy, each placed on the decoded
picture: a frame measured on the 32x32 thumbnail is a pixel off, too coarse to compare the
shape inside it with a clean copy's."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps

from bench.copy_edits import screenshot
from dedupe_gui.core.keeper import DEFAULT_RULES
from tests.grouped import one_group
from tests.imaging import photo, save, textured


def _screenshot(img: Image.Image, size: tuple[int, int] = (540, 1100)) -> Image.Image:
    """A phone screenshot of ``img``: dark chrome with a clock and icons, the photo at its own
    size in the middle."""
    shot = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(shot)
    draw.text((20, 12), "12:40", fill=(240, 240, 240))
    for k in range(3):
        draw.rectangle((430 + 30 * k, 12, 450 + 30 * k, 30), fill=(240, 240, 240))
    shot.paste(img, ((size[0] - img.width) // 2, (size[1] - img.height) // 2))
    for k in range(4):
        draw.ellipse((60 + 120 * k, size[1] - 90, 100 + 120 * k, size[1] - 50), outline=(230,) * 3)
    return shot


def test_a_light_frame_is_placed_on_the_decoded_picture(tmp_path: Path) -> None:
    """A 50 px frame the colour of paper around a 1600-px photo: on the thumbnail, under one
    pixel on each side, where the strict reading sees no frame."""
    img = textured(41, (1600, 1067))
    a = save(img, tmp_path / "a.jpg", quality=85)
    b = save(ImageOps.expand(img, 50, fill=(240, 236, 228)), tmp_path / "b.jpg", quality=85)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    assert "border added" in group.members[1].differences
    without = tuple(r for r in DEFAULT_RULES if r != "clean")
    assert one_group([a, b], without).suggested_keeper.path == str(b)


def test_the_photo_is_kept_over_its_screenshot_and_then_over_its_framed_copy(
    tmp_path: Path,
) -> None:
    """With the screenshot passed over, the framed copy (more pixels than the photo) is next in
    line: what its group says about it is asked too."""
    img = textured(42)
    photo = save(img, tmp_path / "a.jpg", quality=85)
    framed = save(ImageOps.expand(img, 40, fill=(255, 255, 255)), tmp_path / "b.jpg", quality=85)
    shot = save(_screenshot(img), tmp_path / "c.png")
    group = one_group([photo, framed, shot])
    assert group.suggested_keeper.path == str(photo)
    said = {m.path: m.differences for m in group.members}
    assert "screenshot of it" in said[str(shot)] and "border added" in said[str(framed)]
    without = tuple(r for r in DEFAULT_RULES if r != "clean")
    assert one_group([photo, framed, shot], without).suggested_keeper.path == str(shot)


def test_a_thin_black_frame_around_a_photo_is_placed_and_loses_to_the_clean_copy(
    tmp_path: Path,
) -> None:
    """A 24 px black frame around a 1024x768 photo: under a pixel of the thumbnail, where
    neither border reading sees it (only an outermost ring darker than the one inside it),
    and it changes the picture's shape by 1.5 % only. The clean photo is kept."""
    img = textured(42, (1024, 768))
    a = save(img, tmp_path / "a.jpg", quality=85)
    b = save(ImageOps.expand(img, 24, fill=(0, 0, 0)), tmp_path / "b.jpg", quality=85)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    assert "border added" in group.members[1].differences


def _on_margin(img: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """``img`` on a backdrop of ``colour`` showing on its left and top (and a sliver on the
    right): an object photographed on a plain background, whose own margin a uniform-border
    reading peels off as if it were a frame."""
    canvas = Image.new("RGB", (img.width + 44, img.height + 30), colour)
    canvas.paste(img, (40, 30))
    return canvas


def _letterboxed(img: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """``img`` in bars of ``colour`` on its left and right, to a 16:9 shape."""
    width = round(img.height * 16 / 9)
    canvas = Image.new("RGB", (width, img.height), colour)
    canvas.paste(img, ((width - img.width) // 2, 0))
    return canvas


@pytest.mark.parametrize(
    ("margin", "bars"),
    [
        ((18, 18, 18), (255, 255, 255)),  # a dark backdrop, white bars
        ((250, 250, 250), (0, 0, 0)),  # a white backdrop, black bars
        ((250, 250, 250), (40, 90, 200)),  # a white backdrop, blue bars
    ],
)
def test_a_letterboxed_copy_loses_to_a_clean_copy_with_a_margin_of_its_own(
    tmp_path: Path, margin: tuple[int, int, int], bars: tuple[int, int, int]
) -> None:
    """The clean copy's own backdrop reads as a frame too, but of another colour than the
    bars: had it been the bars' colour, the bars' reading would have run on into it. So the
    bars were added around the clean copy's whole canvas, and the clean copy is kept."""
    picture = _on_margin(textured(43, (360, 270)), margin)
    a = save(picture, tmp_path / "a.jpg", quality=90)
    b = save(_letterboxed(picture, bars), tmp_path / "b.jpg", quality=90)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    without = tuple(r for r in DEFAULT_RULES if r != "clean")
    assert one_group([a, b], without).suggested_keeper.path == str(b)


def test_a_crop_that_left_part_of_a_natural_margin_does_not_pass_for_the_clean_picture(
    tmp_path: Path,
) -> None:
    """A photo on a white backdrop and a crop of it that cut most of the backdrop away, to
    the shape of the photo inside it: the crop's margin is the original's, of the same
    colour, so nothing shows a frame was added. The original keeps its place."""
    inner = textured(44, (360, 270))
    original = Image.new("RGB", (480, 390), (250, 250, 250))
    original.paste(inner, (60, 60))
    crop = original.crop((48, 51, 432, 339))  # 384x288: the inner 4:3 shape, margins left
    a = save(original, tmp_path / "a.jpg", quality=90)
    b = save(crop, tmp_path / "b.jpg", quality=90)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)


def _banded(img: Image.Image, colour: tuple[int, int, int], band: int) -> Image.Image:
    """``img`` below a plain band of ``colour``: a sky or a studio backdrop above the subject,
    which the thumbnails' border readings peel off as if it were a frame."""
    canvas = Image.new("RGB", (img.width, img.height + band), colour)
    canvas.paste(img, (0, band))
    return canvas


@pytest.mark.parametrize(
    ("backdrop", "bars"),
    [
        ((20, 20, 20), (24, 24, 24)),  # a night sky, framed in near black
        ((236, 232, 224), (240, 236, 228)),  # a paper backdrop, framed in paper white
    ],
)
@pytest.mark.parametrize("letterbox", [False, True])
def test_a_frame_of_the_backdrops_own_grey_loses_to_the_clean_copy(
    tmp_path: Path, backdrop: tuple[int, int, int], bars: tuple[int, int, int], letterbox: bool
) -> None:
    """The frame and the clean copy's backdrop are of one grey, so the thumbnails read a frame
    on both and cannot say which was added; placed on the decoded pictures, the clean copy
    sits inside the other's frame ("border removed"). That is what the group says about the
    framed keeper, and the clean copy is kept."""
    picture = _banded(textured(43, (360, 270)), backdrop, 40)
    a = save(picture, tmp_path / "a.jpg", quality=90)
    framed = _letterboxed(picture, bars) if letterbox else ImageOps.expand(picture, 22, bars)
    b = save(framed, tmp_path / "b.jpg", quality=90)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    assert "border added" in group.members[1].differences
    without = tuple(r for r in DEFAULT_RULES if r != "clean")
    assert one_group([a, b], without).suggested_keeper.path == str(b)


def test_a_close_crop_of_an_object_on_a_page_is_a_trim_and_not_kept(tmp_path: Path) -> None:
    """An object on a white page and a crop that took the page away and a strip of the object
    with it: the page reads as the original's frame, but the crop does not show all that is
    inside it, so what tells them apart is the trims, not a border removed, and the original,
    with more of the picture, is kept."""
    page = Image.new("RGB", (360, 260), (250, 250, 250))
    page.paste(textured(41, (320, 220)), (20, 20))
    a = save(page, tmp_path / "a.jpg", quality=90)
    b = save(page.crop((50, 20, 340, 240)), tmp_path / "b.jpg", quality=90)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    said = group.members[1].differences
    assert "border removed" not in said
    assert any(w.startswith("trimmed") and w.endswith("left") for w in said), said


@pytest.mark.parametrize(
    ("seed", "size", "draw"),
    [
        (3, (320, 180), photo),
        (11, (320, 180), photo),
        (2, (300, 200), textured),
        (9, (300, 200), photo),
    ],
)
def test_a_small_photo_is_kept_over_a_phone_screenshot_of_it(
    tmp_path: Path,
    seed: int,
    size: tuple[int, int],
    draw: Callable[[int, tuple[int, int]], Image.Image],
) -> None:
    """A photo of some 300 px shown at its size in a phone screenshot (1080 px wide): a few
    rows of the screenshot's 32x32 thumbnail, under a tenth of its height. Its chrome is
    placed on the decoded picture all the same, and the photo, not the file with the most
    pixels, is kept. (Seed 3: the photo's own backdrop reads as a frame too; seed 11: the
    photo is 7.5 % of the screen's height; seeds 2 and 9: three rows of the thumbnail.)"""
    img = draw(seed, size)
    shot = screenshot(img, random.Random(seed)).image
    assert img.height < 0.1 * shot.height
    a = save(img, tmp_path / "a.jpg", quality=90)
    b = save(shot, tmp_path / "b.png")
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    assert "screenshot of it" in group.members[1].differences


def test_a_square_crop_of_an_object_on_a_backdrop_is_not_its_screenshot(tmp_path: Path) -> None:
    """The picture inside the photo's backdrop is square, as is a square crop of the photo:
    the photo is not a screen that holds the crop (neither of a screen's shape nor of many
    more pixels), and it is kept."""
    picture = Image.new("RGB", (320, 238), (0, 0, 0))
    picture.paste(textured(46, (190, 190)), (65, 24))
    a = save(picture, tmp_path / "a.jpg", quality=92)
    b = save(picture.crop((41, 0, 279, 238)), tmp_path / "b.jpg", quality=92)
    group = one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    assert not {"screenshot of it", "not a screenshot"} & set(group.members[1].differences)
