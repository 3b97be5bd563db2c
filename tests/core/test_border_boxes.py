"""The boxes inside a uniform border and inside a screenshot's chrome are found exactly as
the first, plainer implementation found them (kept here as the reference): the window
hashes of every stored fingerprint depend on them to the pixel."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from dedupe_gui.core.frame_readings import content_box, photo_box

Pixels = np.ndarray[tuple[int, ...], np.dtype[np.int16]]
Box = tuple[float, float, float, float]


def _colour(pixels: Pixels) -> int:
    corners = [int(pixels[0, 0]), int(pixels[0, -1]), int(pixels[-1, 0]), int(pixels[-1, -1])]
    return max(set(corners), key=corners.count)


def reference_content_box(pixels: Pixels, tolerance: int = 10) -> Box | None:
    h, w = pixels.shape
    border = np.abs(pixels - _colour(pixels)) <= tolerance
    rows = border.mean(axis=1) >= 0.9
    cols = border.mean(axis=0) >= 0.9
    if rows.all() or cols.all():
        return None
    top = int(np.argmin(rows))
    bottom = h - int(np.argmin(rows[::-1]))
    left = int(np.argmin(cols))
    right = w - int(np.argmin(cols[::-1]))
    box = (left / w, top / h, right / w, bottom / h)
    if max(box[0], box[1], 1 - box[2], 1 - box[3]) < 0.02:
        return None
    if (right - left) < 9 or (bottom - top) < 9:
        return None
    return box


def _longest_run(flags: np.ndarray[tuple[int, ...], np.dtype[np.bool_]]) -> tuple[int, int]:
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    if edges.size == 0:
        return 0, 0
    starts, ends = edges[::2], edges[1::2]
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k])


def _row_runs(flags: np.ndarray[tuple[int, ...], np.dtype[np.bool_]]) -> np.ndarray[Any, Any]:
    w = flags.shape[1]
    col = np.arange(w, dtype=np.int64)
    last_false = np.maximum.accumulate(np.where(flags, -1, col), axis=1)
    return (col - last_false).max(axis=1, initial=0) * flags.any(axis=1)  # type: ignore[no-any-return]


def reference_photo_box(pixels: Pixels, tolerance: int = 10) -> Box | None:
    h, w = pixels.shape
    bar = np.abs(pixels - _colour(pixels)) <= tolerance
    runs = _row_runs(~bar)
    top, bottom = _longest_run(runs >= 0.08 * w)
    if bottom - top < max(6, 0.08 * h):
        return None
    left, right = _longest_run((~bar[top:bottom]).mean(axis=0) >= 0.5)
    if right - left < max(6, 0.08 * w):
        return None
    outside = np.ones_like(bar)
    outside[top:bottom, left:right] = False
    margins = (left / w, top / h, 1 - right / w, 1 - bottom / h)
    framed_across = min(margins[1], margins[3]) >= 0.02
    framed_beside = min(margins[0], margins[2]) >= 0.02
    if not (framed_across or framed_beside) or bar[outside].mean() < 0.85:
        return None
    return (left / w, top / h, right / w, bottom / h)


def _pictures(count: int, seed: int) -> list[Pixels]:
    """Pictures of many sizes: a background near one grey level (some of it just past the
    tolerance), a block of texture inside at a random place and size, bars with a few
    icons and lines of text, stripes of noise across the whole width: bordered, framed in
    chrome, neither, and every case near the rules' limits."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        h, w = (int(x) for x in rng.integers(9, 300, size=2))
        colour = int(rng.integers(0, 256))
        jitter = int(rng.integers(0, 14))
        picture = colour + rng.integers(-jitter, jitter + 1, size=(h, w))
        top, left = int(rng.integers(0, h // 3 + 1)), int(rng.integers(0, w // 3 + 1))
        bottom = int(rng.integers(top + 1, h + 1))
        right = int(rng.integers(left + 1, w + 1))
        picture[top:bottom, left:right] = rng.integers(0, 256, size=(bottom - top, right - left))
        for _ in range(int(rng.integers(0, 8))):  # icons and text in the bars, short runs
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            picture[y : y + int(rng.integers(1, 4)), x : x + int(rng.integers(1, w // 6 + 2))] = (
                255 - colour
            )
        if rng.random() < 0.3:  # a stripe of noise across the whole picture
            y = int(rng.integers(0, h))
            picture[y : y + int(rng.integers(1, 5))] = rng.integers(0, 256, size=w)
        out.append(np.clip(picture, 0, 255).astype(np.int16))
    return out


@pytest.mark.parametrize("tolerance", [10, 24])
def test_boxes_as_the_reference_finds_them(tolerance: int) -> None:
    pictures = _pictures(600, seed=tolerance)
    contents = [content_box(p, tolerance) for p in pictures]
    photos = [photo_box(p, tolerance) for p in pictures]
    assert contents == [reference_content_box(p, tolerance) for p in pictures]
    assert photos == [reference_photo_box(p, tolerance) for p in pictures]
    # Every outcome is met: boxes found and not, for both kinds.
    assert 50 < sum(b is not None for b in contents) < 550
    assert 50 < sum(b is not None for b in photos) < 550


def test_runs_of_every_length_near_the_width_share() -> None:
    """A row's photo run counts from 8 % of the width: runs one pixel either side of it."""
    for w in range(9, 160):
        need = int(np.ceil(0.08 * w))
        for run in (need - 1, need, need + 1):
            if not 0 < run <= w - 4:
                continue
            picture = np.zeros((60, w), dtype=np.int16)
            picture[10:50, 2 : 2 + run] = 200  # a narrow photo, chrome around it
            assert photo_box(picture) == reference_photo_box(picture), (w, run)


def test_an_edge_line_just_under_or_at_the_border_share() -> None:
    """A border is looked for only when an outermost row or column is border at 90 %: each
    edge with one pixel short of that share, exactly that share, and one over, with a
    uniform band inside the picture that is no border at all (it touches no edge)."""
    rng = np.random.default_rng(4)
    found: list[Box | None] = []
    for h, w in ((20, 30), (54, 72), (72, 41), (97, 13)):
        for edge in range(4):
            length = w if edge < 2 else h
            need = int(np.ceil(0.9 * length))
            for count in (need - 1, need, need + 1):
                if count > length:
                    continue
                picture = rng.integers(100, 256, size=(h, w)).astype(np.int16)
                picture[[0, 0, -1, -1], [0, -1, 0, -1]] = 0  # the corners: the border colour
                picture[h // 3 : h // 3 + 4, :] = 0  # a uniform band inside
                line = np.full(length, 200, dtype=np.int16)
                line[: count - 1] = 0
                line[-1] = 0  # both ends are corners
                if edge == 0:
                    picture[0, :] = line
                elif edge == 1:
                    picture[-1, :] = line
                elif edge == 2:
                    picture[:, 0] = line
                else:
                    picture[:, -1] = line
                found.append(content_box(picture))
                assert found[-1] == reference_content_box(picture), (h, w, edge, count)
    assert 0 < sum(box is not None for box in found) < len(found)
