"""Heavy trims of pictures made of flat areas and edges (a landscape of flat colours, an object
on a seamless backdrop): found through a far window and judged through it as such pictures
are, with their colour; an object of another colour on the same backdrop stays apart."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import dedupe_gui.core.window_candidates as window_module
import dedupe_gui.core.window_looks as window_looks
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.windows import FINE_SIDE, shown_small, window_boxes
from tests.core.test_geometry import _grouped
from tests.imaging import save


def _flat(path: Path) -> bool:
    fingerprint = fingerprint_file(str(path))
    return bool(fingerprint.fine) or fingerprint.detailed


def _landscape(seed: int, size: tuple[int, int] = (600, 400)) -> Image.Image:
    """Flat hills under a graded sky with a few clouds, over sand with strokes."""
    rng = np.random.default_rng(seed)
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    horizon = int(h * rng.uniform(0.55, 0.7))
    for row in range(horizon):
        t = row / horizon
        sky = (int(90 + 80 * t), int(140 + 70 * t), int(200 + 40 * t))
        draw.line([(0, row), (w, row)], fill=sky)
    for _ in range(5):
        cx, cy = rng.uniform(0, w), rng.uniform(0, 0.2 * h)
        draw.ellipse((cx - 60, cy - 12, cx + 60, cy + 12), fill=(245, 245, 250))
    draw.rectangle((0, horizon, w, h), fill=(214, 186, 130))
    for _ in range(3):
        x, top = rng.uniform(0, w), horizon - rng.uniform(0.2, 0.45) * h
        half = rng.uniform(0.15, 0.35) * w
        shade = int(rng.uniform(150, 200))
        hill = [(x - half, horizon), (x, top), (x + half, horizon)]
        draw.polygon(hill, fill=(shade, int(shade * 0.8), 90))
    for _ in range(40):
        sx, sy = rng.uniform(0, w), rng.uniform(horizon, h)
        end = (sx + rng.uniform(20, 80), sy + rng.uniform(-5, 5))
        draw.line([(sx, sy), end], fill=(90, 70, 40), width=3)
    return img


def _on_backdrop(colour: tuple[int, int, int], size: tuple[int, int] = (600, 450)) -> Image.Image:
    """A rounded box of ``colour`` with its shadow on a seamless graded backdrop."""
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=(int(200 + 40 * t), int(196 + 40 * t), int(206 + 36 * t)))
    draw.ellipse((170, 300, 430, 330), fill=(150, 148, 156))
    draw.rounded_rectangle((180, 110, 420, 315), radius=30, fill=colour)
    return img


# Two colours of nearly one grey level (121 and 123): apart in colour only.
_PURPLE = (180, 80, 180)
_ORANGE = (190, 105, 40)


def test_a_picture_of_flat_areas_trimmed_by_a_fifth_is_grouped_with_it(tmp_path: Path) -> None:
    img = _landscape(2)
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.crop((114, 0, 600, 400)), tmp_path / "b.jpg", quality=92)  # left 19 %
    assert _flat(a) and _flat(b)
    assert (fingerprint_file(str(a)).hash ^ fingerprint_file(str(b)).hash).bit_count() > (
        DEFAULT_THRESHOLD
    )
    assert _grouped(a, b) == [{str(a), str(b)}]


def test_an_object_trimmed_on_its_backdrop_is_grouped_and_another_colour_is_not(
    tmp_path: Path,
) -> None:
    a = save(_on_backdrop(_PURPLE), tmp_path / "a.jpg", quality=92)
    copy = save(_on_backdrop(_PURPLE).crop((114, 0, 600, 450)), tmp_path / "b.jpg", quality=92)
    other = save(_on_backdrop(_ORANGE).crop((114, 0, 600, 450)), tmp_path / "c.jpg", quality=92)
    assert _flat(a) and _flat(copy) and _flat(other)
    assert _grouped(a, copy) == [{str(a), str(copy)}]
    assert _grouped(a, other) == []


def test_without_its_colour_the_other_object_would_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pair above is told apart by colour alone: in grey levels it passes."""
    a = save(_on_backdrop(_PURPLE), tmp_path / "a.jpg", quality=92)
    other = save(_on_backdrop(_ORANGE).crop((114, 0, 600, 450)), tmp_path / "c.jpg", quality=92)
    monkeypatch.setattr(window_module, "colours_apart", lambda *_: False)
    assert _grouped(a, other) == [{str(a), str(other)}]


def test_a_band_of_one_colour_along_one_edge_is_no_frame(tmp_path: Path) -> None:
    """The backdrop's top rows are one colour, read as a border; a picture with a border on
    one side only is still looked at through its trimmed edges, a framed one is not."""
    img = _on_backdrop(_PURPLE)
    framed = Image.new("RGB", (680, 530), (0, 0, 0))
    framed.paste(img, (40, 40))
    for picture, looked in ((img, True), (framed, False)):
        path = save(picture, tmp_path / f"{looked}.png")
        grey = picture.convert("L")
        boxes = window_boxes(shown_small(grey), partial(shown_small, grey, side=FINE_SIDE))
        assert any(precise for _, precise in boxes)  # a border was read
        edge = next(k for k, (_, precise) in enumerate(boxes) if not precise)
        assert (window_looks.window_look(str(path), edge) is not None) is looked
