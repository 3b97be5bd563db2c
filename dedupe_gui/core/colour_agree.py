"""Whether two pictures of flat areas and edges agree in colour where both are of one colour.

Two different plain objects photographed on one backdrop (a purple box and an orange one, a
navy egg and a red one) agree in grey levels wherever the backdrop does, and their outlines
are alike enough that the grey-level checks at 32x32 and 128x128 pass them once the
alignment has moved one object onto the other (0.04-0.13 through a window of one of them, on
seeds 1-2 and 4-5 of bench.edit_corpus). What tells them apart is the colour of the
objects' flat insides. A copy of one photo (trimmed, cropped, framed) has the same colour in
every flat place: of 40-odd such pairs read this way none had a flat tile that differed in
colour, while every pair of different objects had 2-8 (docs/ACCURACY.md).

Read on the two 128x128 colour pictures (core.fingerprint.detail_colour), the first one's
window cut out, both brought to 32x32: in 8x8 tiles, a tile counts when it is flat in both
(its chroma's spread is small: not an edge the two place a pixel apart) and their mean
chroma differ by more than ``_CHROMA_APART``. A greyscale copy (its chroma is nil) against a
colour one differs everywhere: such pairs are refused too, which only matters when a grey
copy is compared with a crop (the keeper is the colour original: core.keeper).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.frame_readings import Box
from dedupe_gui.core.windows import pixel_region

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

# Side of the pictures compared and of their tiles.
_SIDE: Final = 32
_TILES: Final = 8
# A tile is flat when the spread of its chroma (both components, summed) is below this.
_FLAT_SPREAD: Final = 12.0
# Mean chroma further apart than this (in 8-bit levels) is another colour. Measured on seeds
# 1-2 and 4-5 of bench.edit_corpus, pairs that passed the looks through a window: every copy
# of a colour photo had no flat tile apart at 15, 20 or 30 (one at 10), every pair of
# different objects on one backdrop 2-8 at each of 10, 15, 20 and 30 (flat at a spread of 6,
# 8 or 12 alike).
_CHROMA_APART: Final = 20.0
# Flat tiles of another colour a copy may have: none, which leaves two objects of other
# colours a margin of one tile at least.
_TILES_ALLOWED: Final = 0


def _chroma(rgb: U8) -> F32:
    """Two chroma planes of a (3, h, w) picture: red against green, and their mean against
    blue; grey levels are 0 in both."""
    x = rgb.astype(np.float32)
    out: F32 = np.stack([x[0] - x[1], (x[0] + x[1]) / 2 - x[2]])
    return out


def _tiled(planes: F32) -> tuple[F32, F32]:
    """Per tile, the mean of each chroma plane (2, T, T) and the spread (T, T)."""
    k = _SIDE // _TILES
    shaped = planes.reshape(2, _TILES, k, _TILES, k)
    mean = shaped.mean(axis=(2, 4))
    square = (shaped * shaped).mean(axis=(2, 4))
    spread: F32 = np.sqrt(np.maximum(square - mean * mean, 0)).sum(axis=0).astype(np.float32)
    return mean.astype(np.float32), spread


def _small(rgb: U8, box: Box | None) -> U8:
    """A (3, h, w) picture, cut to ``box`` when given, at ``_SIDE`` x ``_SIDE``."""
    img = Image.fromarray(np.ascontiguousarray(rgb.transpose(1, 2, 0)))
    if box is not None:
        img = img.crop(pixel_region(box, img.size))
    small = img.resize((_SIDE, _SIDE), Image.Resampling.BOX)
    out: U8 = np.asarray(small, dtype=np.uint8).transpose(2, 0, 1)
    return out


def colours_apart(window_of: U8, box: Box, other: U8) -> bool:
    """Whether the part ``box`` of the colour picture ``window_of`` and the whole colour
    picture ``other`` (each (3, h, w), as ``detail_colour`` gives them) differ in colour where
    both are flat: two objects on one backdrop rather than one photo cropped."""
    ma, sa = _tiled(_chroma(_small(window_of, box)))
    mb, sb = _tiled(_chroma(_small(other, None)))
    flat = (sa < _FLAT_SPREAD) & (sb < _FLAT_SPREAD)
    apart = np.sqrt(((ma - mb) ** 2).sum(axis=0)) > _CHROMA_APART
    return int(np.count_nonzero(flat & apart)) > _TILES_ALLOWED
