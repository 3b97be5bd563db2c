"""Straightened copies of pictures made of flat areas and edges (a landscape of flat colours,
an object on a seamless backdrop): turned on their fine thumbnails too and grouped; an object
of another colour on the same backdrop, turned as much, stays apart by its colour."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

import dedupe_gui.core.straighten as straighten_module
from tests.core.test_flat_windows import _ORANGE, _PURPLE, _flat, _landscape, _on_backdrop
from tests.core.test_geometry import _grouped, _straightened
from tests.imaging import save

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]


def test_a_straightened_copy_of_a_picture_of_flat_areas_is_grouped_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = _landscape(2)
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(_straightened(img, 3.0), tmp_path / "b.jpg", quality=92)
    assert _flat(a) and _flat(b)
    assert _grouped(a, b) == [{str(a), str(b)}]
    monkeypatch.setattr(straighten_module, "ANGLES", ())
    assert _grouped(a, b) == []


def test_an_object_straightened_on_its_backdrop_is_grouped_and_another_colour_is_not(
    tmp_path: Path,
) -> None:
    a = save(_on_backdrop(_PURPLE), tmp_path / "a.jpg", quality=92)
    copy = save(_straightened(_on_backdrop(_PURPLE), 3.5), tmp_path / "b.jpg", quality=92)
    other = save(_straightened(_on_backdrop(_ORANGE), 3.5), tmp_path / "c.jpg", quality=92)
    assert _flat(a) and _flat(copy) and _flat(other)
    assert _grouped(a, copy) == [{str(a), str(copy)}]
    assert _grouped(a, other) == []


def test_without_its_colour_the_other_object_straightened_would_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pair above is told apart by colour alone: turned, in grey levels, it passes."""
    a = save(_on_backdrop(_PURPLE), tmp_path / "a.jpg", quality=92)
    other = save(_straightened(_on_backdrop(_ORANGE), 3.5), tmp_path / "c.jpg", quality=92)
    monkeypatch.setattr(straighten_module, "colours_apart", lambda *_: False)
    assert _grouped(a, other) == [{str(a), str(other)}]


def test_pairs_are_turned_a_few_dozen_at_a_time_with_the_verdicts_of_one_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wave of a large library hands over a thousand failing pairs: their turned crops
    (8 a pair, fine thumbnails included) are made and read a few dozen pairs at a time, and
    every pair keeps the reading it gets alone."""
    rng = np.random.default_rng(5)
    pairs = 3 * straighten_module._PAIRS_AT_ONCE + 5
    bases = [_smooth(rng) for _ in range(pairs)]
    straight = [k % 2 == 0 for k in range(pairs)]
    ta = np.stack([b[::4, ::4] for b in bases])
    fine_b = [
        straighten_module.turned_crop(b, 3.0, 1.0) if s else _smooth(rng)
        for b, s in zip(bases, straight, strict=True)
    ]
    tb = np.stack([f[::4, ::4] for f in fine_b])
    fa_all, fb_all = np.stack(bases), np.stack(fine_b)
    aspects = np.ones(pairs, dtype=np.float32)
    limit = 0.1
    res = np.full(pairs, 0.3, dtype=np.float32)
    asked: list[int] = []

    def fines(at: I64) -> tuple[U8, U8, B]:
        return fa_all[at], fb_all[at], np.ones(at.size, dtype=np.bool_)

    def judged(r: F32, fa: U8, fb: U8, shapes: F32) -> F32:
        asked.append(fa.shape[0])
        return r

    def looked(size: int) -> F32:
        monkeypatch.setattr(straighten_module, "_PAIRS_AT_ONCE", size)
        asked.clear()
        return straighten_module.straightened_again(
            res, limit, ta, tb, aspects, aspects, (fines, judged)
        )

    together = looked(10 * pairs)
    assert asked == [8 * pairs]
    apart = looked(straighten_module._PAIRS_AT_ONCE)
    assert max(asked) <= 8 * straighten_module._PAIRS_AT_ONCE and sum(asked) == 8 * pairs
    assert np.array_equal(together, apart)
    assert (apart[::2] < res[::2]).all()

    def alone(k: int) -> F32:
        def fines_of_k(at: I64) -> tuple[U8, U8, B]:
            return fines(at + k)

        one = slice(k, k + 1)
        return straighten_module.straightened_again(
            res[one], limit, ta[one], tb[one], aspects[one], aspects[one], (fines_of_k, judged)
        )

    one_by_one = np.concatenate([alone(k) for k in range(pairs)])
    assert np.array_equal(one_by_one, apart)


def _smooth(rng: np.random.Generator) -> U8:
    """A 128x128 picture of soft blobs: turned by 3 degrees it still reads as itself."""
    small = rng.integers(0, 256, size=(8, 8), dtype=np.uint8)
    big = Image.fromarray(small).resize((128, 128), Image.Resampling.BICUBIC)
    out: U8 = np.asarray(big, dtype=np.uint8)
    return out
