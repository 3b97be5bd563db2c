"""The window hashes and the readings they are laid out by, against the plain Pillow and numpy
steps they stand for: the same bits on bordered, letterboxed and screenshot-like pictures, on
tiny and odd sizes, and on 16-bit and palette pictures taken to grey levels."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw

from dedupe_gui.core import frame_readings, windows
from dedupe_gui.core.fingerprint import _to_grey
from dedupe_gui.core.orientations import TRANSPOSES, dhash_bits
from tests.imaging import photo, textured

Transpose = Image.Transpose | None


def _old_small(grey: Image.Image, transpose: Transpose, side: int = 72) -> Image.Image:
    small = grey.copy()
    small.thumbnail((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return small if transpose is None else small.transpose(transpose)


def _old_window_hashes(grey: Image.Image, transpose: Transpose) -> tuple[int, ...]:
    """Every window cropped and resized by Pillow, the boxes read with ``content_box`` and
    ``photo_box`` each on its own, as the windows were first made."""
    small = _old_small(grey, transpose)
    if min(small.size) < 9:
        return ()
    pixels = np.asarray(small, dtype=np.int16)
    content, photo_in = frame_readings.content_box(pixels), frame_readings.photo_box(pixels)
    if content is not None or photo_in is not None:
        fine = np.asarray(_old_small(grey, transpose, windows.FINE_SIDE), dtype=np.int16)
        content = content and (frame_readings.content_box(fine) or content)
        photo_in = photo_in and (frame_readings.photo_box(fine) or photo_in)
    boxes = windows.window_boxes(small, lambda: _old_small(grey, transpose, windows.FINE_SIDE))
    expected = [] if content is None else [content]
    if photo_in is not None and (content is None or windows._differs(photo_in, content)):
        expected.append(windows.inset(photo_in, windows.INSIDE))
    assert [box for box, precise in boxes if precise] == expected
    out = []
    for box, precise in boxes:
        if precise:
            part = windows._crop_stored(grey, box, transpose)
        else:
            part = small.crop(windows.pixel_region(box, small.size))
        tiny = part.resize((9, 8), Image.Resampling.LANCZOS)
        out.append(dhash_bits(np.asarray(tiny, dtype=np.int16)))
    return tuple(out)


def _framed(size: tuple[int, int]) -> Image.Image:
    img = Image.new("L", size, 245)
    img.paste(photo(3, (size[0] - 40, size[1] - 30)).convert("L"), (20, 15))
    return img


def _letterboxed(size: tuple[int, int]) -> Image.Image:
    img = Image.new("L", size, 0)
    band = size[1] // 5
    img.paste(textured(4, (size[0], size[1] - 2 * band)).convert("L"), (0, band))
    return img


def _screenshot(size: tuple[int, int]) -> Image.Image:
    """Bars above and below with a clock, icons and buttons, a photo between them."""
    w, h = size
    img = Image.new("L", size, 20)
    draw = ImageDraw.Draw(img)
    draw.text((8, 4), "12:41", fill=230)
    for k in range(3):
        draw.rectangle((w - 60 + k * 18, 5, w - 50 + k * 18, 14), fill=230)
    img.paste(photo(5, (w, h // 2)).convert("L"), (0, h // 4))
    for k in range(4):
        draw.ellipse((20 + k * w // 4, h - 40, 40 + k * w // 4, h - 20), fill=200)
    return img


def _noise(size: tuple[int, int], seed: int = 1) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("L", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1])))


def _sixteen_bit(size: tuple[int, int]) -> Image.Image:
    ramp = np.linspace(0, 65535, size[0] * size[1]).reshape(size[1], size[0])
    grid = (ramp + np.asarray(photo(6, size).convert("L"), dtype=np.float64) * 40) % 65536
    return Image.fromarray(grid.astype(np.uint16))


def _palette(size: tuple[int, int]) -> Image.Image:
    return _framed(size).convert("RGB").quantize(16)


PICTURES: list[tuple[str, Callable[[], Image.Image]]] = [
    ("framed", lambda: _framed((500, 375))),
    ("framed portrait", lambda: _framed((301, 467))),
    ("letterboxed", lambda: _letterboxed((480, 360))),
    ("screenshot", lambda: _screenshot((270, 585))),
    ("photo", lambda: photo(9, (640, 427)).convert("L")),
    ("panorama", lambda: textured(2, (900, 120)).convert("L")),
    ("tiny", lambda: _noise((9, 9))),
    ("too narrow", lambda: _noise((200, 12))),
    ("odd", lambda: _noise((73, 51), 2)),
    ("as wide as the side", lambda: _framed((72, 130))),
    ("16-bit", lambda: _sixteen_bit((330, 250))),
    ("palette", lambda: _palette((350, 260))),
]


@pytest.mark.parametrize("make", [m for _, m in PICTURES], ids=[n for n, _ in PICTURES])
def test_window_hashes_are_the_plain_steps(make: Callable[[], Image.Image]) -> None:
    grey = _to_grey(make())
    for transpose in TRANSPOSES:
        assert windows.window_hashes(grey, transpose) == _old_window_hashes(grey, transpose)


def test_window_hashes_of_a_found_border_are_the_plain_steps() -> None:
    """The framed, letterboxed and screenshot pictures do hold windows inside what was
    found: the comparison above covers the windows taken from the decode."""
    for name in ("framed", "letterboxed", "screenshot"):
        grey = _to_grey(dict(PICTURES)[name]())
        finer = functools.partial(windows.shown_small, grey, side=windows.FINE_SIDE)
        boxes = windows.window_boxes(windows.shown_small(grey), finer)
        assert any(precise for _, precise in boxes), name


@pytest.mark.parametrize("side", [72, 288])
def test_shown_small_is_a_thumbnail_of_a_copy(side: int) -> None:
    rng = random.Random(side)
    sizes = [(1, 1), (1, 900), (900, 1), (side, side), (side + 1, side), (3, side + 1)]
    sizes += [(rng.randrange(1, 1200), rng.randrange(1, 1200)) for _ in range(300)]
    for size in sizes:
        want = Image.new("L", size)
        want.thumbnail((side, side), Image.Resampling.BILINEAR, reducing_gap=2.0)
        assert windows.thumbnail_size(size, side) == want.size, size
    for size in ((500, 375), (375, 500), (100, 60), (72, 72), (301, 299)):
        grey = photo(1, size).convert("L")
        for transpose in TRANSPOSES:
            got = windows.shown_small(grey, transpose, side)
            assert got.tobytes() == _old_small(grey, transpose, side).tobytes()
            assert got.size == _old_small(grey, transpose, side).size


def test_shares_are_the_mean_of_the_flags() -> None:
    rng = np.random.default_rng(3)
    for shape, share in (((54, 72), 0.7), ((216, 288), 0.95), ((1, 70_000), 0.99), ((9, 1), 0.5)):
        flags = rng.random(shape) < share  # rows of 288 count past 255
        for axis in (0, 1):
            assert np.array_equal(frame_readings._shares(flags, axis), flags.mean(axis=axis))
        part = flags[:, ::3]  # not contiguous
        assert np.array_equal(frame_readings._shares(part, 0), part.mean(axis=0))


def _numpy_longest_run(flags: np.ndarray[tuple[int, ...], np.dtype[np.bool_]]) -> tuple[int, int]:
    """The longest run as it was read with numpy steps: the first of the longest."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    if edges.size == 0:
        return 0, 0
    starts, ends = edges[::2], edges[1::2]
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k])


def test_longest_run_is_the_numpy_reading() -> None:
    rng = np.random.default_rng(5)
    cases = [np.zeros(0, bool), np.zeros(9, bool), np.ones(9, bool), np.array([True, False] * 5)]
    cases += [rng.random(n) < p for n in (1, 2, 54, 72, 288) for p in (0.1, 0.5, 0.9, 0.99)]
    cases += [rng.random(72) < 0.6 for _ in range(200)]
    for flags in cases:
        assert frame_readings._longest_run(flags) == _numpy_longest_run(flags), flags.tolist()
