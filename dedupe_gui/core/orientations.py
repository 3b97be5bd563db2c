"""The eight ways a photo can be turned or mirrored, and their dHashes without another decode.

A copy that was rotated or mirrored has an unrelated dHash, so it is found by hashing every
file in all eight orientations and comparing one file's upright hash with the others'
turned ones. Resizing and transposing commute (when the target size is transposed too), so
the seven extra hashes come from two tiny resizes of the image already decoded for the
upright hash: its 9x8 resize gives the mirror and 180° turns, the 9x8 resize of its
transpose the four quarter turns. Flips commute with Pillow's resize bit for bit, while a
transpose does not quite (the two resampling passes round in the other order), so the
transposed picture is resized itself. Each hash is then exactly
``imagehash.dhash(img.transpose(t))`` of the displayed image.

Orientations are numbered 0-7 in ``TRANSPOSES`` order; 0 is the image as it is displayed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

Grid = npt.NDArray[np.generic]

UPRIGHT: Final = 0
_TRANSPOSE: Final = 4
_FIRST_QUARTER_TURN: Final = 4

# Pillow's name for each orientation (None: as displayed), in the order of the stored hashes.
TRANSPOSES: Final[tuple[Image.Transpose | None, ...]] = (
    None,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.ROTATE_180,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_270,
    Image.Transpose.TRANSVERSE,
)

# The transform that undoes each one (quarter turns swap; flips undo themselves).
INVERSE: Final[tuple[int, ...]] = (0, 1, 2, 3, 4, 6, 5, 7)

# What a file looks like next to another when it equals the other turned by the orientation.
LABELS: Final[tuple[str, ...]] = (
    "",
    "mirrored",
    "rotated 180°",
    "upside down (mirrored vertically)",
    "mirrored and rotated 90° counter-clockwise",
    "rotated 90° counter-clockwise",
    "rotated 90° clockwise",
    "mirrored and rotated 90° clockwise",
)

# The same transposes on numpy grids: index 1-3 keep the shape, 4-7 swap the axes.
_ON_GRID: Final[tuple[Callable[[Grid], Grid], ...]] = (
    lambda g: g,
    lambda g: g[..., :, ::-1],
    lambda g: g[..., ::-1, ::-1],
    lambda g: g[..., ::-1, :],
    lambda g: np.swapaxes(g, -1, -2),
    lambda g: np.rot90(g, 1, axes=(-2, -1)),
    lambda g: np.rot90(g, -1, axes=(-2, -1)),
    lambda g: np.swapaxes(g[..., ::-1, ::-1], -1, -2),
)


def _flip_after_transpose() -> dict[int, int]:
    probe = np.arange(6).reshape(2, 3)
    base = transform_grid(probe, _TRANSPOSE)
    found = {}
    for k in range(_FIRST_QUARTER_TURN, len(TRANSPOSES)):
        target = transform_grid(probe, k)
        found[k] = next(
            f for f in range(_FIRST_QUARTER_TURN) if np.array_equal(transform_grid(base, f), target)
        )
    return found


def transform_grid(grid: Grid, orientation: int) -> Grid:
    """``grid`` (or a stack of grids, last two axes) as Pillow's transpose would turn it."""
    return _ON_GRID[orientation](grid)


def relation(orientation: int) -> str:
    """How a file looks next to its keeper when the keeper's upright hash matched the file's
    hash in ``orientation``: the file shows the keeper turned by the inverse transform."""
    return LABELS[INVERSE[orientation]]


def dhash_bits(grid: npt.NDArray[np.int16]) -> int:
    """The dHash of a 9-wide grey grid: pixel < right neighbour, row by row, first bit high."""
    bits = grid[:, 1:] > grid[:, :-1]
    return int.from_bytes(np.packbits(bits).tobytes(), "big")


@functools.cache
def compose(first: int, then: int) -> int:
    """The single orientation equal to applying ``first``, then ``then`` (a table of 64
    entries, worked out once)."""
    probe = np.arange(6).reshape(2, 3)
    target = transform_grid(transform_grid(probe, first), then)
    for k in range(len(TRANSPOSES)):
        candidate = transform_grid(probe, k)
        if candidate.shape == target.shape and np.array_equal(candidate, target):
            return k
    raise AssertionError("the eight orientations are closed under composition")


def small_pair(grey: Image.Image, shown: int = UPRIGHT) -> tuple[Image.Image, Image.Image]:
    """The 9x8 resizes of the displayed picture and of its transpose, from stored pixels
    ``grey`` that are displayed turned by orientation ``shown`` (from the EXIF tag).

    Only resizes and flips touch the large image; the one transpose that cannot be moved onto
    the small result is applied to the stored pixels before resizing.
    """
    shown_wide = compose(shown, UPRIGHT)
    across = compose(shown, _TRANSPOSE)
    return _resized_turn(grey, shown_wide), _resized_turn(grey, across)


def _resized_turn(grey: Image.Image, k: int) -> Image.Image:
    """``grey`` turned by ``k`` and resized to 9x8, turning the small image where exact."""
    if k < _FIRST_QUARTER_TURN:
        small = grey.resize((9, 8), Image.Resampling.LANCZOS)
        return small if k == UPRIGHT else small.transpose(_transpose(k))
    return grey.transpose(_transpose(k)).resize((9, 8), Image.Resampling.LANCZOS)


def reduced_pair(
    grey: Image.Image, shown: int = UPRIGHT, reducing_gap: int = 12
) -> tuple[Image.Image, Image.Image]:
    """``small_pair`` from a box-reduced copy: what a drafted JPEG is hashed from.

    The exact LANCZOS to 9x8 weighs every stored pixel of both the picture and its
    transpose (about 1 ms each from a 12-megapixel JPEG drafted to 500x375). A JPEG draft is
    already an 8x8 box average of the photo, so the stored pixels are first box-averaged
    further (``Image.reduce``) while at least ``reducing_gap`` pixels remain for each of the
    nine columns and rows, and both 9x8 resizes read the reduced copy over the exact extent
    of the picture, as Pillow's own ``reducing_gap`` does. The quarter turns are the
    transpose followed by a flip of the 9x8 result, and flips commute with the resize, so
    only the reduced copy is ever transposed.
    """
    width, height = grey.size
    fx = max(1, width // (9 * reducing_gap))
    fy = max(1, height // (9 * reducing_gap))
    if fx == fy == 1:
        return small_pair(grey, shown)
    reduced = grey.reduce((fx, fy))
    # The last block of a side that the factor does not divide is a partial one; the box
    # keeps the resize to the picture's own extent, as Pillow's reducing_gap does.
    extent = (width / fx, height / fy)
    stored = reduced.resize((9, 8), Image.Resampling.LANCZOS, box=(0.0, 0.0, *extent))
    swapped = reduced.transpose(Image.Transpose.TRANSPOSE).resize(
        (9, 8), Image.Resampling.LANCZOS, box=(0.0, 0.0, extent[1], extent[0])
    )
    return _flipped(stored, swapped, compose(shown, UPRIGHT)), _flipped(
        stored, swapped, compose(shown, _TRANSPOSE)
    )


def _flipped(stored: Image.Image, swapped: Image.Image, k: int) -> Image.Image:
    """Orientation ``k`` of the stored picture's 9x8 from the 9x8s of it and its transpose."""
    if k < _FIRST_QUARTER_TURN:
        return stored if k == UPRIGHT else stored.transpose(_transpose(k))
    flip = _FLIP_AFTER_TRANSPOSE[k]
    return swapped if flip == UPRIGHT else swapped.transpose(_transpose(flip))


def _transpose(k: int) -> Image.Transpose:
    t = TRANSPOSES[k]
    if t is None:
        raise ValueError("orientation 0 is no transpose")
    return t


def turned_hashes(wide: Image.Image, across: Image.Image) -> tuple[int, ...]:
    """dHashes of orientations 1-7 from the 9x8 resizes of the displayed picture (``wide``)
    and of its transpose (``across``), both greyscale."""
    return all_hashes(wide, across)[1:]


def all_hashes(wide: Image.Image, across: Image.Image) -> tuple[int, ...]:
    """dHashes of orientations 0-7 (``TRANSPOSES``), as ``turned_hashes`` with the upright
    one first: every comparison of all eight at once (``_PAIRS``), a few microseconds."""
    if wide.mode != "L" or across.mode != "L" or wide.size != (9, 8) or across.size != (9, 8):
        raise ValueError(f"need two 9x8 grey images, not {wide.size} and {across.size}")
    values = np.frombuffer(wide.tobytes() + across.tobytes(), dtype=np.uint8)
    bits = values[_PAIRS[1]] > values[_PAIRS[0]]  # (8, 64): right neighbour > pixel
    return tuple(np.packbits(bits, axis=1).view(">u8").ravel().tolist())


_FLIP_AFTER_TRANSPOSE: Final[dict[int, int]] = _flip_after_transpose()


def _pairs() -> npt.NDArray[np.intp]:
    """For each orientation, where each of its 64 bits reads its pixel and its right
    neighbour in the 144 values of the 9x8 picture followed by the 9x8 of its transpose."""
    stored = np.arange(72).reshape(8, 9)
    grids = [
        transform_grid(stored, k)
        if k < _FIRST_QUARTER_TURN
        else transform_grid(stored + 72, _FLIP_AFTER_TRANSPOSE[k])
        for k in range(len(TRANSPOSES))
    ]
    left = np.stack([g[:, :-1].reshape(-1) for g in grids])
    right = np.stack([g[:, 1:].reshape(-1) for g in grids])
    return np.stack([left, right]).astype(np.intp)


_PAIRS: Final = _pairs()
