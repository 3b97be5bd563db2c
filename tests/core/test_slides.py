"""Two slides on one busy or blurred photo background, differing only in their text, are two
pictures (core.strokes); a caption bar over a copy of a photo, a resized or a straightened
copy are still copies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.strokes import SIDE, two_sided_text
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.core.test_geometry import _straightened
from tests.imaging import photo, save, textured


def _busy(seed: int) -> Image.Image:
    """A photo-like background with texture everywhere, darkened as slide backgrounds are
    for white text: its 32x32 thumbnail looks like a photo, so no fine thumbnail is kept
    and the text is a smudge at that size."""
    img = photo(seed, (640, 480))
    noise = np.random.default_rng(seed).normal(0, 20, (480, 640, 1))
    return Image.fromarray(
        np.clip(np.asarray(img, dtype=np.float64) * 0.6 + noise, 0, 255).astype(np.uint8)
    )


def _with_text(background: Image.Image, lines: list[str]) -> Image.Image:
    slide = background.copy()
    font = ImageFont.load_default(size=60)
    for k, line in enumerate(lines):
        ImageDraw.Draw(slide).text((40, 150 + 70 * k), line, font=font, fill=(255, 255, 255))
    return slide


def _groups(paths: list[Path], photo_like: bool = False) -> set[frozenset[str]]:
    records = [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]
    if photo_like:  # judged on the 32x32 thumbnails alone before the text check
        assert not any(r.fingerprint.fine for r in records)
    return {
        frozenset(m.path for m in g.members)
        for g in group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    }


def test_two_slides_with_different_text_on_one_photo_are_not_grouped(tmp_path: Path) -> None:
    background = _busy(3)
    one = save(_with_text(background, ["Quarterly", "Revenue"]), tmp_path / "one.jpg", quality=90)
    two = save(
        _with_text(background, ["Thank you", "Questions?"]), tmp_path / "two.jpg", quality=90
    )
    assert _groups([one, two], photo_like=True) == set()


def test_a_caption_bar_over_the_same_photo_still_groups(tmp_path: Path) -> None:
    img = _busy(11)
    captioned = img.copy()
    draw = ImageDraw.Draw(captioned)
    draw.rectangle((0, 440, 640, 480), fill=(0, 0, 0))
    draw.text((12, 446), "Beach 2019 - caption", font=ImageFont.load_default(size=28), fill="white")
    a, b = (
        save(img, tmp_path / "a.jpg", quality=90),
        save(captioned, tmp_path / "b.jpg", quality=90),
    )
    assert _groups([a, b]) == {frozenset({str(a), str(b)})}


def _blurred(seed: int) -> Image.Image:
    """A photo blurred into a slide background, brighter in places than the text is: the
    text at 128x128 is a pixel or two thin and, against the bright parts, within the
    tolerance of a comparison normalised by the whole picture's contrast."""
    img = textured(seed, (1280, 720)).filter(ImageFilter.GaussianBlur(12))
    return Image.fromarray(
        np.clip(np.asarray(img, dtype=np.float64) * 0.7 + 70, 0, 255).astype(np.uint8)
    )


def _bullets(background: Image.Image, title: str, lines: list[str]) -> Image.Image:
    slide = background.copy()
    draw = ImageDraw.Draw(slide)
    draw.text((60, 50), title, font=ImageFont.load_default(size=56), fill="white")
    for k, line in enumerate(lines):
        draw.text((80, 170 + 60 * k), line, font=ImageFont.load_default(size=34), fill="white")
    return slide


def test_two_bullet_slides_on_one_blurred_photo_are_not_grouped(tmp_path: Path) -> None:
    background = _blurred(5)
    one = _bullets(
        background,
        "Quarterly plan review",
        ["- budget and hiring for next year", "- roadmap: migration, pricing", "- risks"],
    )
    two = _bullets(
        background,
        "Team update",
        ["- release dates and security fixes", "- metrics of the launch", "- dinner on Friday"],
    )
    a = save(one, tmp_path / "one.png")
    b = save(two, tmp_path / "two.png")
    assert _groups([a, b], photo_like=True) == set()


def test_the_text_of_two_slides_is_two_sided_at_256_and_a_resized_copy_is_not() -> None:
    background = _blurred(7)
    one = _bullets(
        background, "Results of the launch", ["- pricing and budget", "- security review"]
    )
    two = _bullets(
        background, "Summary", ["- growth of payments this quarter", "- customers and orders"]
    )
    copy = one.resize((960, 540), Image.Resampling.LANCZOS)
    pictures = [_grey256(p) for p in (one, two, copy)]
    apart = two_sided_text(
        np.stack([pictures[0], pictures[0]]), np.stack([pictures[1], pictures[2]])
    )
    assert apart.tolist() == [True, False]


def test_a_straightened_copy_is_not_taken_for_two_slides() -> None:
    """A photo of thin lines turned by 3 degrees and cropped, as a straightening tool does,
    leaves strokes of misfit on both sides at 256x256 that read as two texts; turned back,
    it is explained."""
    img = textured(3, (1280, 960))
    draw = ImageDraw.Draw(img)
    for x in range(0, 1280, 48):
        draw.line((x, 0, x + 300, 960), fill=(250, 250, 250), width=2)
    for y in range(0, 960, 48):
        draw.line((0, y, 1280, y + 100), fill=(250, 250, 250), width=2)
    a, b = _grey256(img)[None], _grey256(_straightened(img, 3.0))[None]
    assert two_sided_text(a, b).tolist() == [True]  # without the shapes: no turned look
    aspects = np.array([[4 / 3, 4 / 3]], dtype=np.float32)
    assert two_sided_text(a, b, aspects).tolist() == [False]


def _grey256(img: Image.Image) -> npt.NDArray[np.uint8]:
    grey = img.convert("L").resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    return np.asarray(grey, dtype=np.uint8)


def _banner_slide(title: str, lines: list[str]) -> Image.Image:
    """A slide of flat areas and edges: a coloured banner over a light page, dark text."""
    slide = Image.new("RGB", (1920, 1080), (245, 245, 245))
    draw = ImageDraw.Draw(slide)
    draw.rectangle((0, 0, 1920, 180), fill=(130, 85, 45))
    draw.text((160, 80), title, font=ImageFont.load_default(size=77), fill=(20, 20, 30))
    for k, line in enumerate(lines):
        font = ImageFont.load_default(size=45)
        draw.text((190, 270 + 108 * k), line, font=font, fill=(20, 20, 30))
    return slide


def test_a_caption_bar_over_a_slide_is_not_taken_for_another_slide(tmp_path: Path) -> None:
    """A black bar over the blank lower part of a slide pulls the alignment off (the picture
    squeezed a few per cent to shrink the bar's misfit), and the misfit of the text above
    it reads as strokes on both sides; the pair as it is reads as one solid region, which
    is what the aligned reading must agree with."""
    slide = _banner_slide(
        "Team update",
        [
            "- shipping sorry train",
            "- research idea number account budget",
            "- payment due support agenda quality design",
            "- due great number payment train idea strategy",
        ],
    )
    captioned = slide.copy()
    draw = ImageDraw.Draw(captioned)
    draw.rectangle((0, 960, 1920, 1080), fill=(0, 0, 0))
    draw.text(
        (40, 985), "Kickoff 2024 - shared", font=ImageFont.load_default(size=60), fill="white"
    )
    a, b = _grey256(slide), _grey256(captioned)
    assert two_sided_text(np.stack([a, b]), np.stack([b, a])).tolist() == [False, False]
    one = save(slide, tmp_path / "slide.jpg", quality=90)
    two = save(captioned, tmp_path / "captioned.jpg", quality=90)
    assert _groups([one, two]) == {frozenset({str(one), str(two)})}


def test_two_banner_slides_read_as_they_are_when_the_alignment_explains_little() -> None:
    """Two slides share their page and banner in place; their own text pulls the alignment
    a per cent off it, which explains a few pixels and can take one file's own strokes
    under the line. Such an aligned reading does not count; a resized copy's does."""
    one = _banner_slide(
        "Total Team Update",
        [
            "- weekend plan support sorry number",
            "- strategy shipping due",
            "- mobile payment goals account",
            "- order payment sorry support risks research",
        ],
    )
    two = _banner_slide(
        "Idea Timeline",
        [
            "- shipping strategy support",
            "- plan team hello thanks weekend",
            "- timeline budget release payment",
            "- roadmap risks design",
        ],
    )
    copy = one.resize((1440, 810), Image.Resampling.LANCZOS)
    a, b, c = (_grey256(p) for p in (one, two, copy))
    aspects = np.full((4, 2), 16 / 9, dtype=np.float32)
    apart = two_sided_text(np.stack([a, b, a, c]), np.stack([b, a, c, a]), aspects)
    assert apart.tolist() == [True, True, False, False]


def _bold_bullets(background: Image.Image, title: str, lines: list[str]) -> Image.Image:
    """Bold white text on lines at the same rows on every slide: where two slides' letters
    cross, pixels are unexplained both ways, as a solid region's are."""
    slide = background.copy()
    draw = ImageDraw.Draw(slide)
    for k, (text, size) in enumerate([(title, 56)] + [(line, 36) for line in lines]):
        at = (60, 50) if k == 0 else (80, 170 + 61 * (k - 1))
        font = ImageFont.load_default(size=size)
        draw.text(at, text, font=font, fill="white", stroke_width=2, stroke_fill="white")
    return slide


def test_two_slides_whose_letters_cross_on_shared_rows_are_two_texts() -> None:
    background = _blurred(5)
    one = _bold_bullets(
        background,
        "Strategy Number Meeting",
        [
            "- payment train agenda number meeting hello",
            "- support customer goals payment roadmap",
            "- support plan team research",
            "- pricing strategy quality cloud goals timeline",
            "- budget plan due order timeline",
            "- agenda total account timeline",
        ],
    )
    two = _bold_bullets(
        background,
        "Timeline Thanks Security",
        [
            "- budget quality thanks thanks research number",
            "- pricing thanks plan design agenda meeting",
            "- account account design number",
            "- pricing design sorry mobile research release",
            "- plan timeline cloud release",
            "- design weekend research number quality mobile",
        ],
    )
    copy = one.resize((960, 540), Image.Resampling.LANCZOS)
    a, b, c = (_grey256(p) for p in (one, two, copy))
    aspects = np.full((3, 2), 16 / 9, dtype=np.float32)
    apart = two_sided_text(np.stack([a, b, a]), np.stack([b, a, c]), aspects)
    assert apart.tolist() == [True, True, False]
