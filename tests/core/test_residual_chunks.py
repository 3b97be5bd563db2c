"""A batch of thumbnail checks is cut into chunks by the temporaries its pairs make: a pair
with fine thumbnails on both sides (128x128 readings) weighs as much as sixteen plain ones,
and every pair reads the same whichever chunk it falls in."""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

import dedupe_gui.core.verify as verify

U8 = npt.NDArray[np.uint8]


def _blobs(rng: np.random.Generator, side: int, n: int) -> U8:
    out = []
    for _ in range(n):
        small = rng.integers(0, 256, size=(6, 6), dtype=np.uint8)
        img = Image.fromarray(small).resize((side, side), Image.Resampling.BICUBIC)
        out.append(np.asarray(img, dtype=np.uint8))
    return np.stack(out)


def _pairs(n: int, fine_every: int) -> tuple[U8, U8, U8, U8]:
    """``n`` pairs: a copy with noise, or another picture; every ``fine_every``-th pair has
    fine thumbnails on both sides (the others none: all zeros)."""
    rng = np.random.default_rng(3)
    fa = _blobs(rng, 128, n)
    other = _blobs(rng, 128, n)
    copy = np.arange(n) % 3 != 0
    noise = rng.integers(-6, 7, size=fa.shape)
    fb = np.where(copy[:, None, None], np.clip(fa + noise, 0, 255), other).astype(np.uint8)
    a = fa.reshape(n, 32, 4, 32, 4).mean(axis=(2, 4)).astype(np.uint8)
    b = fb.reshape(n, 32, 4, 32, 4).mean(axis=(2, 4)).astype(np.uint8)
    plain = np.arange(n) % fine_every != 0
    fa[plain], fb[plain] = 0, 0
    return a, b, fa, fb


def _present(fa: U8, fb: U8) -> npt.NDArray[np.bool_]:
    """Which pairs have both fine thumbnails (here: those not left all zeros)."""
    return np.asarray(fa.any(axis=(1, 2)) & fb.any(axis=(1, 2)))


def test_pairs_with_fine_thumbnails_weigh_sixteen_plain_ones() -> None:
    count = 300
    _, _, fa, fb = _pairs(count, 5)
    spans = verify._spans(count, 2, _present(fa, fb))
    assert spans[0][0] == 0 and spans[-1][1] == count
    assert all(stop == start for (_, stop), (start, _) in itertools.pairwise(spans))
    fine = (np.arange(count) % 5 == 0).astype(np.int64)
    weights = [int(((verify._FINE_WEIGHT - 1) * fine[s:t] + 1).sum()) for s, t in spans]
    # A chunk holds about _CHUNK plain pairs' worth, overshooting by at most one pair.
    assert max(weights) <= verify._CHUNK + verify._FINE_WEIGHT - 1
    assert len(spans) >= sum(weights) // verify._CHUNK
    plain_spans = verify._spans(count, 2, None)
    assert plain_spans == [(0, 150), (150, 300)]
    assert len(spans) > len(plain_spans)


def test_every_pair_reads_the_same_in_one_chunk_or_many(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, fa, fb = _pairs(90, 2)
    chunked = verify.residuals(a, b, 0.13, fa, fb)
    monkeypatch.setattr(verify, "default_workers", lambda: 1)
    monkeypatch.setattr(verify, "_CHUNK", 10_000)
    assert len(verify._spans(90, 1, _present(fa, fb))) == 1
    whole = verify.residuals(a, b, 0.13, fa, fb)
    assert np.array_equal(chunked, whole)
    assert (whole[np.arange(90) % 3 == 0] > 0.13).all()  # other pictures stay apart


def test_a_batch_of_no_pairs_has_no_chunks() -> None:
    empty = np.zeros((0, 32, 32), dtype=np.uint8)
    assert verify._spans(0, 2, None) == []
    assert verify.residuals(empty, empty).shape == (0,)
