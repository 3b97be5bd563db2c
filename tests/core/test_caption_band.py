"""A caption bar is not another slide's text (core.strokes): a difference confined to a band
along one edge, running along it as a bar does, is an edit, unless the rest of the picture
differs too; two slides one word apart are two slides even when the word is in that band."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core import strokes
from dedupe_gui.core.strokes import two_sided_text
from tests.core.test_slides import _bullets, _busy, _grey256

_LINES = ["- budget and hiring for next year", "- roadmap: migration, pricing"]


def _captioned(img: Image.Image) -> Image.Image:
    """``img`` with a translucent dark bar over its bottom 11 % and white words in it, as
    share sheets caption a picture: the texture under the bar is hidden, not covered."""
    out = img.convert("RGBA")
    w, h = out.size
    bar = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(bar)
    draw.rectangle((0, int(h * 0.89), w, h), fill=(0, 0, 0, 150))
    font = ImageFont.load_default(size=int(h * 0.05))
    words = "shared by the team - release budget design"
    draw.text((int(w * 0.04), int(h * 0.91)), words, font=font)
    return Image.alpha_composite(out, bar).convert("RGB")


def _with_footer(img: Image.Image, word: str) -> Image.Image:
    """``img`` with one word at the left of its lower edge, as a slide's status line."""
    out = img.copy()
    w, h = out.size
    font = ImageFont.load_default(size=int(h * 0.12))
    ImageDraw.Draw(out).text((int(w * 0.06), int(h * 0.85)), word, font=font, fill="white")
    return out


def _read(pairs: list[tuple[Image.Image, Image.Image]]) -> list[bool]:
    a = np.stack([_grey256(x) for x, _ in pairs])
    b = np.stack([_grey256(y) for _, y in pairs])
    out: list[bool] = two_sided_text(a, b).tolist()
    return out


def test_a_caption_copy_of_a_slide_is_not_another_slide(monkeypatch: pytest.MonkeyPatch) -> None:
    slide = _bullets(_busy(12), "Quarterly plan review", _LINES)
    copy = _captioned(slide)
    assert _read([(slide, copy), (copy, slide)]) == [False, False]
    # The band is what gives it back: without it the texture the bar hides and the bar's
    # words read as strokes of each file's own.
    monkeypatch.setattr(strokes, "_BAND_LENGTH", 2.0)
    assert _read([(slide, copy), (copy, slide)]) == [True, True]


def test_two_slides_one_word_apart_in_their_footer_are_two_slides() -> None:
    """The word is inside a band along the lower edge, but in one place of it, not along it."""
    slide = _bullets(_busy(12), "Quarterly plan review", _LINES)
    one, two = _with_footer(slide, "DRAFT"), _with_footer(slide, "FINAL")
    assert _read([(one, two), (two, one)]) == [True, True]


def test_a_caption_over_another_slide_is_not_a_copy() -> None:
    """The bar explains the band, not the other slide's text above it."""
    background = _busy(12)
    one = _bullets(background, "Quarterly plan review", _LINES)
    two = _captioned(_bullets(background, "Team update", ["- release dates", "- metrics"]))
    assert _read([(one, two), (two, one)]) == [True, True]
