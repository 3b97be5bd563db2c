"""The thumbnails kept with a fingerprint: how they are made from a decoded picture and
unpacked for a check.

Every fingerprint keeps a 32x32 greyscale thumbnail (1 KB raw), the pair check's material
(core.verify); pictures made of flat areas and edges (slides, documents, screenshots) also
keep a 128x128 one, compressed, because what tells two of them apart (their text) only
shows at that size. They live apart from the check because the fingerprint makes them on
the decoding threads and the cache stores them, neither of which needs the check's numpy
machinery.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.hashes import THUMB_SIDE

U8 = npt.NDArray[np.uint8]

THUMB_BYTES: Final = THUMB_SIDE * THUMB_SIDE
FINE_SIDE: Final = 128
# Compressed size (share of the raw 32x32 thumbnail) under which a picture counts as flat
# areas and edges and also gets a fine thumbnail. docs/ACCURACY.md
_FINE_WHEN: Final = 0.7
_FINE_SMOOTH: Final = 0.4
_SMOOTH_STEP: Final = 3
_FINE_DETAIL: Final = 3.0
# deflate's window for ``compressed_size``, and the longest data it reaches across whole:
# the window less deflate's look-ahead of 262 bytes (zlib's MAX_DIST).
_SMALL_WINDOW_BITS: Final = 11
_SMALL_WINDOW_MAX: Final = (1 << _SMALL_WINDOW_BITS) - 262


def thumbnail(grey: Image.Image, transpose: Image.Transpose | None = None) -> bytes:
    """The 32x32 greyscale thumbnail kept with a fingerprint, upright as displayed.

    ``reducing_gap`` lets Pillow box-reduce a large image before the LANCZOS step: the
    thumbnail is only compared with other thumbnails, so speed wins over bit-exactness.
    """
    small = grey.resize((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if transpose is not None:
        small = small.transpose(transpose)
    return small.tobytes()


def compressed_size(data: bytes) -> int:
    """``len(zlib.compress(data, 1))`` for data of at most 1,786 bytes (a thumbnail), in
    half the time: a 2 KiB window instead of 32 KiB. Below that length every match deflate
    could find in the larger window is within reach of the smaller one, so the stream is
    the same and only its header byte naming the window differs."""
    if len(data) > _SMALL_WINDOW_MAX:
        return len(zlib.compress(data, 1))
    packer = zlib.compressobj(1, zlib.DEFLATED, _SMALL_WINDOW_BITS)
    return len(packer.compress(data)) + len(packer.flush())


def fine_thumbnail(
    grey: Image.Image, thumb: bytes, transpose: Image.Transpose | None = None
) -> bytes:
    """The 128x128 detail thumbnail of a picture made of flat areas and edges, or b"".

    Only such pictures (slides, documents, chat screenshots, graphics) need it: their 32x32
    thumbnails agree wherever the layout does, and what tells two of them apart (the text)
    shows only at a higher resolution. They are also the pictures whose thumbnail
    compresses well, which is the test used: the fine thumbnail is kept when the 32x32 one
    compresses to under ``_FINE_WHEN`` of its size, when at least ``_FINE_SMOOTH`` of its
    pixels sit in smooth areas, or when its mean gradient is under ``_FINE_DETAIL`` (text
    on a blurred photo); most photos fail all three and store nothing.
    """
    t = np.frombuffer(thumb, dtype=np.uint8).reshape(THUMB_SIDE, THUMB_SIDE).astype(np.int16)
    step = np.zeros(t.shape, dtype=np.int16)
    step[:, 1:] = np.abs(t[:, 1:] - t[:, :-1])
    step[1:, :] += np.abs(t[1:, :] - t[:-1, :])
    calm = int(step.sum()) / step.size < 2 * _FINE_DETAIL  # both directions summed
    if (
        not calm
        and int(np.count_nonzero(step < _SMOOTH_STEP)) / step.size < _FINE_SMOOTH
        and compressed_size(thumb) > _FINE_WHEN * len(thumb)
    ):
        return b""
    small = grey.resize((FINE_SIDE, FINE_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if transpose is not None:
        small = small.transpose(transpose)
    return zlib.compress(small.tobytes(), 6)


def fines_to_array(fines: Sequence[bytes]) -> tuple[U8, npt.NDArray[np.bool_]]:
    """Stacked fine thumbnails (n, 128, 128) and which of them exist."""
    out = np.zeros((len(fines), FINE_SIDE, FINE_SIDE), dtype=np.uint8)
    present = np.zeros(len(fines), dtype=bool)
    for i, f in enumerate(fines):
        if not f:
            continue
        try:
            raw = zlib.decompress(f)
        except zlib.error:
            continue
        if len(raw) == FINE_SIDE * FINE_SIDE:
            out[i] = np.frombuffer(raw, dtype=np.uint8).reshape(FINE_SIDE, FINE_SIDE)
            present[i] = True
    return out, present


def thumbs_to_array(thumbs: Sequence[bytes]) -> tuple[U8, npt.NDArray[np.bool_]]:
    """Stacked thumbnails (n, 32, 32) and which of them exist (older records have none)."""
    out = np.zeros((len(thumbs), THUMB_SIDE, THUMB_SIDE), dtype=np.uint8)
    present = np.zeros(len(thumbs), dtype=bool)
    for i, t in enumerate(thumbs):
        if len(t) == THUMB_BYTES:
            out[i] = np.frombuffer(t, dtype=np.uint8).reshape(THUMB_SIDE, THUMB_SIDE)
            present[i] = True
    return out, present
