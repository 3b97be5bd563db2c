"""The fine-thumbnail test's compressed size: the same as zlib's at level 1, in less time."""

from __future__ import annotations

import random
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe_gui.core.hashes import THUMB_SIDE
from dedupe_gui.core.thumbnails import compressed_size, thumbnail
from tests.imaging import photo


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2500))
def test_compressed_size_is_zlibs(data: bytes) -> None:
    assert compressed_size(data) == len(zlib.compress(data, 1))


def test_compressed_size_of_thumbnails_and_far_repeats() -> None:
    """Photos' thumbnails, flat and striped ones, and data that repeats itself from the
    farthest distances the small window still reaches (and beyond: the plain call)."""
    rng = random.Random(3)
    samples = [thumbnail(photo(seed, (120, 90)).convert("L")) for seed in range(20)]
    samples += [bytes(THUMB_SIDE * THUMB_SIDE), bytes(range(256)) * 4]
    for length in (1024, 1700, 1786, 1787, 2400):
        for period in (3, 100, 700, 1000, 1500, 1780):
            block = bytes(rng.randrange(256) for _ in range(period))
            samples.append((block * (length // period + 1))[:length])
    for data in samples:
        assert compressed_size(data) == len(zlib.compress(data, 1)), len(data)
