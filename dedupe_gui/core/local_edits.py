"""A copy with one local edit: pairs the 32x32 check failed, looked at again at 128x128.

The 32x32 check (core.verify) forgives one compact region only when the tiles that differ
there are few and the alignment found at 32x32 is right. A caption bar across the bottom
drags that alignment, a sticker on a fine texture (gravel, foliage) looks at 32x32 like a
different picture, darkened corners spread over four tiles, and a 6-10 % trim is at the
edge of what the alignment reaches from the identity. At 128x128 (both files decoded again,
only for these pairs) the structure tells what is going on:

1. The second file is compared with the first as it is and aligned onto it (scale and shift
   per axis); whichever leaves fewer differing tiles is kept. An overlay pulls the
   alignment off, a trim needs it.
2. Tile by tile (an 8x8 grid), edges (band-pass) are correlated. Tiles where either file has
   edges are textured; textured tiles whose edges do not correlate differ. Correlation does
   not see brightness, so darkened corners and filters leave tiles agreeing.
3. A copy with one local edit has its differing tiles in one box (a caption bar, a sticker)
   and agrees on most textured tiles; two different pictures that share a layout differ
   over most of them or all over. Pictures of flat areas and edges (both files with a fine
   thumbnail: slides, forms, screenshots) differ from their look-alikes exactly in one box
   (the text), so for them a tile may differ only where one file covers the other: the
   pixels neither explains in the other (as the text check finds them, core.strokes) are
   mostly the same pixels for a sticker or a caption bar, and each file's own for two
   slides or forms.
4. Structure alone would also pass two frames of one scene processed differently (an HDR
   and a plain frame): the grey levels are compared too, at 32x32 as in core.verify (smooth
   gain field divided out, here with the steeper fall-off of strong vignettes), with the
   differing box left out, against a stricter limit.

docs/ACCURACY.md has the measurements behind the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import (
    align_halves,
    highpass,
    identity_params,
    normalise,
    quantile,
    smooth,
    smooth_field,
    tile_sum,
    warp_values,
)
from dedupe_gui.core.loaded_thumbs import turn_stack
from dedupe_gui.core.row_memo import RowMemo
from dedupe_gui.core.strokes import HALF_TOLERANCE, _unexplained

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]

SIDE: Final = 128
_TILES: Final = 8
_TILE: Final = SIDE // _TILES
_COARSE_STEPS: Final = 6
_FINE_STEPS: Final = 3
# Band-pass of the edges: a light blur (JPEG noise, resampling) minus a 7x7 box average.
_EDGE_RADIUS: Final = 3
# A tile has edges when its edge energy per pixel is above this share of the picture's mean
# tile energy and above an absolute floor (grey levels squared: JPEG noise on a flat area).
_TEXTURED_SHARE: Final = 0.1
_TEXTURED_FLOOR: Final = 2.0
# Edge correlation below which a textured tile differs.
_AGREE: Final = 0.5
# Structure rule: at least _MIN_TEXTURED textured tiles (enough evidence), differing tiles in
# one box of at most _BOX tiles of 64 (a caption bar of 12 %, a sticker of 15 % with the
# tiles they touch) and at most _DIFFERING of the textured tiles. Measured on two edit
# corpora: copies with a caption or sticker 1-16 differing tiles in a box of 1-16; two
# slides, forms or backdrops of one layout also fit (hence no tile may differ for pictures
# of flat areas and edges), two different photos do not.
_MIN_TEXTURED: Final = 12
_BOX: Final = 20
_DIFFERING: Final = 0.45
# A caption bar over a quiet picture is most of its edges: every tile of the bar differs and
# few agree elsewhere (edit seeds 4-5: 14-16 of 23-24 textured tiles in a band of two rows).
# A band across the whole width along the top or bottom edge, at most this many rows high,
# may hold more than _DIFFERING of the textured tiles when at least _BAND_OUTSIDE textured
# tiles outside it agree (and the grey levels outside it, as for any box).
_BAND_ROWS: Final = 2
_BAND_OUTSIDE: Final = 6
# Pictures of flat areas and edges pass with one differing box only when at least this
# share of the pixels either file leaves unexplained are unexplained in both (one region
# covered: a sticker, a caption bar). Measured on edit seeds 1-2 over the pairs of such
# pictures that the box rule alone would pass: stickers and caption bars 0.51-0.57 (one
# caption bar 0.22-0.29), two forms of one template 0.00-0.29, slides 0.00-0.18, phone
# screenshots of two photos 0.10-0.22, two objects on one backdrop 0.35.
_SOLID: Final = 0.45
# ... and when the file covered holds at most this many times the box's share of the
# picture in edges inside it: the originals under stickers and caption bars 0.4-1.2 times,
# two phone screenshots of different photos (the photo in flat chrome) 2.4 times and more.
_BENEATH: Final = 1.5
# Grey levels at 32x32 (75th percentile of the normalised absolute differences, smooth gain
# field divided out, the differing box left out) at most this share of the check's limit.
# Measured: two frames of one scene processed differently (HDR) 0.136 and more, copies
# rescued 0.00-0.09 (the default limit is 0.13: 0.0975 here). Pictures of flat areas and
# edges get a stricter share: two forms of one template that agree on every tile 0.122,
# trimmed copies of such pictures 0.01-0.03.
_LIMIT_SHARE: Final = 0.75
_FLAT_LIMIT_SHARE: Final = 0.4
_QUANTILE: Final = 75
_LOG_OFFSET: Final = 8.0
# Grey levels this close to black or white (of 255) count as clipped: a filter that took a
# highlight to white says nothing about the mix of its channels.
_CLIPPED: Final = 4.0
# The colour reading (``_remixed``) has three more degrees of freedom than the grey one and
# counts against a stricter share of the limit. Measured (in units of the limit at share
# 0.75): copies through a tint, saturation or sepia filter 0.03-0.12, two frames of one
# scene processed differently (HDR on and off, first corpus) 0.133 and more; at 0.5 the
# latter read 0.2 and more.
_COLOUR_LIMIT_SHARE: Final = 0.5
# Only pairs whose 32x32 residual is below this are looked at again: the copies rescued on
# two edit corpora had up to 0.91 (trims, a sticker on gravel); a pair above it is not worth
# two decodes.
LOOK_BELOW: Final = 1.0
# ... or below this when the pair's middles agree (core.prefilter.centres_agree): strong
# vignettes and caption bars over quiet pictures measured 1.0-1.8, no pair of different
# pictures of one shape whose middles agree between 1.0 and 2.0 (edit seeds 1, 2, 4, 5, the
# first corpus).
CENTRED_LOOK_BELOW: Final = 2.0
# Two different pictures whose grey levels agree at 32x32 (two quiet gradients: a misty
# hillside's corner against a dark lake at dusk) differ in edges on nearly every textured
# tile at 128x128, either way round: ``apart_in_structure``. Measured over the pairs a window
# brought together whose look passed at 32x32 (edit seeds 1, 2, 4, 5, the first corpus):
# copies 0.00-0.86 of their textured tiles differing (the higher end a sticker on a square
# crop the window meets off by a few per cent), different pictures 0.95-1.00 (the first
# corpus's other scenes, at 32x32 residuals up to 0.3).
_APART_SHARE: Final = 0.9
# Pairs compared at once: some 1.4 MB of temporaries each (traced: 177 MB for 128 pairs, 44 MB
# for 32, at less CPU a pair). 16: late in a cold grouping of 100,000 files, the 32-pair
# batches were what took the process from 540 to 599 MB.
_BATCH: Final = 16


def local_edit_residuals(
    a: U8,
    b: U8,
    flat_and_edges: B,
    colours: tuple[U8, U8] | None = None,
    limit: float | None = None,
    memo: RowMemo | None = None,
) -> F32:
    """For each pair of 128x128 greyscale pictures ``a[k]``, ``b[k]``: the grey-level
    residual of the pair outside its one differing box, scaled so that it compares with the
    thumbnail check's own limit (core.verify), or infinity when the pair is not a copy with
    at most one local edit (see the module docstring). ``flat_and_edges[k]``: both pictures
    are made of flat areas and edges (no tile may differ, stricter grey levels).
    ``colours``: the same pictures in colour (n, 3, 128, 128; ``core.fingerprint.
    detail_colour``), for pairs whose grey levels may differ by a colour filter
    (``_remixed``).

    The look is read both ways, each file in turn the reference the other is aligned onto
    and evened against, and the smaller reading counts: a copy is a copy either way, but
    the readings are not symmetric. A smooth gain field taken out of the darkened copy of a
    vignette lifts its crushed corners, noise and all (strong vignettes 0.11-0.18 of the
    limit's units read from the original, 0.07-0.10 from the vignette), and a trimmed copy
    aligned onto its original from the identity may not reach the scale that the original
    aligned onto the trimmed copy finds. ``limit``: only pairs whose first reading is above
    it are read the other way (None: every pair). Not two pictures of flat areas and edges:
    their covering tests were measured one way, and read the other way two different
    photos of objects on one backdrop passed (0.05 of the limit's units). ``memo``: the
    readings of a pair already made with the same pictures (the pair read the other way,
    core.row_memo) are taken from it, and those made here kept in it."""
    if a.shape != b.shape or a.ndim != 3 or a.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"picture stacks must be (n, {SIDE}, {SIDE}): {a.shape} vs {b.shape}")
    shape = (a.shape[0], 3, SIDE, SIDE)
    if colours is not None and not colours[0].shape == colours[1].shape == shape:
        raise ValueError(f"colour stacks must be {shape}")
    out = _one_way_kept(a, b, flat_and_edges, colours, memo)
    again = np.flatnonzero((out > (-np.inf if limit is None else limit)) & ~flat_and_edges)
    if again.size:
        swapped = None if colours is None else (colours[1][again], colours[0][again])
        other_way = _one_way_kept(b[again], a[again], flat_and_edges[again], swapped, memo)
        out[again] = np.minimum(out[again], other_way)
    return out


def in_colour(
    looked: F32,
    limit: float,
    pairs: tuple[I64, I64, I64],
    pictures: tuple[U8, U8],
    flat_and_edges: B,
    colours_of: Callable[[int, int], tuple[U8, U8] | None],
    memo: RowMemo | None = None,
) -> None:
    """``looked`` (the look's residuals of the records ``pairs``: first, second, the second's
    turn; ``pictures`` their 128x128 grey levels) lowered where a pair is one picture in
    structure but not in grey levels and its grey levels are one mix of the other file's
    colours: a colour filter's copy (``_remixed``). Both files are decoded again in colour
    (``colours_of``; a few pairs). Not two pictures of flat areas and edges: two objects on
    one backdrop came closer in colour (docs/ACCURACY.md), and no filtered copy of such a
    picture needed it."""
    a, b, turn = pairs
    tinted = np.flatnonzero(np.isfinite(looked) & (looked > limit) & ~flat_and_edges)
    colours = [colours_of(int(a[k]), int(b[k])) for k in tinted]
    read = [k for k, c in zip(tinted.tolist(), colours, strict=True) if c is not None]
    if read:
        ca = np.stack([c[0] for c in colours if c is not None])
        cb = turn_stack(np.stack([c[1] for c in colours if c is not None]), turn[read])
        pa, pb = pictures
        again = local_edit_residuals(
            pa[read], pb[read], flat_and_edges[read], (ca, cb), limit, memo
        )
        looked[read] = np.minimum(looked[read], again)


def apart_in_structure(a: U8, b: U8) -> B:
    """Which pairs of 128x128 greyscale pictures ``a[k]``, ``b[k]`` are two different
    pictures by their structure: read each way round (as it is and aligned), at least
    ``_APART_SHARE`` of the textured tiles differ in edges, with ``_MIN_TEXTURED`` textured
    tiles at least (fewer say nothing). A look whose grey levels passed (through a window of
    one file: core.window_candidates) is refused where its structure says this: a copy,
    even with a sticker or a caption, or trimmed a little off the window, keeps most of its
    edges where its original has them."""
    if a.shape != b.shape or a.ndim != 3 or a.shape[1:] != (SIDE, SIDE):
        raise ValueError(f"picture stacks must be (n, {SIDE}, {SIDE}): {a.shape} vs {b.shape}")
    out = np.zeros(a.shape[0], dtype=bool)
    for start in range(0, a.shape[0], _BATCH):
        pa = a[start : start + _BATCH].astype(np.float32)
        pb = b[start : start + _BATCH].astype(np.float32)
        out[start : start + _BATCH] = _differs_all_over(pa, pb) & _differs_all_over(pb, pa)
    return out


def _differs_all_over(ma: F32, fb: F32) -> B:
    """``apart_in_structure`` one way: ``fb`` as it is and aligned onto ``ma``, the reading
    with fewer differing tiles counting (as in ``_batch``)."""
    count = ma.shape[0]
    edges_a = highpass(smooth(ma), _EDGE_RADIUS)
    best_bad = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    best_textured = np.zeros(count, dtype=np.int64)
    for warp_params in (identity_params(count), align_halves(ma, fb, _COARSE_STEPS, _FINE_STEPS)):
        value, inside = warp_values(fb, warp_params)
        covered = (inside > 0.5).astype(np.float32)
        textured, bad = _tiles(edges_a * covered, highpass(smooth(value), _EDGE_RADIUS) * covered)
        n_bad = bad.sum(axis=(1, 2))
        better = n_bad < best_bad
        best_bad[better] = n_bad[better]
        best_textured[better] = textured.sum(axis=(1, 2))[better]
    out: B = np.asarray(
        (best_textured >= _MIN_TEXTURED) & (best_bad >= _APART_SHARE * best_textured)
    )
    return out


def _one_way_kept(
    a: U8, b: U8, flat_and_edges: B, colours: tuple[U8, U8] | None, memo: RowMemo | None
) -> F32:
    """``_one_way``, each pair's reading taken from ``memo`` when it holds it."""
    if memo is None:
        return _one_way(a, b, flat_and_edges, colours)
    if colours is None:
        (out,) = memo.rows(
            "local_edits.one_way", lambda x, y, f: (_one_way(x, y, f, None),), a, b, flat_and_edges
        )
    else:
        (out,) = memo.rows(
            "local_edits.one_way_in_colour",
            lambda x, y, f, cx, cy: (_one_way(x, y, f, (cx, cy)),),
            a,
            b,
            flat_and_edges,
            *colours,
        )
    found: F32 = out
    return found


def _one_way(a: U8, b: U8, flat_and_edges: B, colours: tuple[U8, U8] | None) -> F32:
    """``local_edit_residuals`` with ``b`` aligned onto ``a``."""
    out = np.full(a.shape[0], np.inf, dtype=np.float32)
    for start in range(0, a.shape[0], _BATCH):
        stop = start + _BATCH
        part = None
        if colours is not None:
            part = (
                colours[0][start:stop].astype(np.float32),
                colours[1][start:stop].astype(np.float32),
            )
        out[start:stop] = _batch(
            a[start:stop].astype(np.float32),
            b[start:stop].astype(np.float32),
            flat_and_edges[start:stop],
            part,
        )
    return out


def _batch(ma: F32, fb: F32, flat_and_edges: B, colours: tuple[F32, F32] | None) -> F32:
    count = ma.shape[0]
    still = identity_params(count)
    params = align_halves(ma, fb, _COARSE_STEPS, _FINE_STEPS)
    edges_a = highpass(smooth(ma), _EDGE_RADIUS)
    best_bad = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    out = np.full(count, np.inf, dtype=np.float32)
    for warp_params in (still, params):
        value, inside = warp_values(fb, warp_params)
        covered = (inside > 0.5).astype(np.float32)
        edges_b = highpass(smooth(value), _EDGE_RADIUS) * covered
        textured, bad = _tiles(edges_a * covered, edges_b)
        n_bad = bad.sum(axis=(1, 2))
        better = n_bad < best_bad
        if not better.any():
            continue
        n_textured = textured.sum(axis=(1, 2))
        box = _box(bad)
        outside = n_textured - (textured & box).sum(axis=(1, 2))
        one_box = (box.sum(axis=(1, 2)) <= _BOX) & (
            (n_bad <= _DIFFERING * n_textured) | (_edge_band(box) & (outside >= _BAND_OUTSIDE))
        )
        # Pictures of flat areas and edges may differ in one box only where an overlay
        # covers it (measured at 128x128 as the text check does, core.strokes).
        # ... and only one region: tiles that differ apart from each other (a screenshot's
        # title line and its photo, each its own) are two differences, whatever box holds
        # them both.
        covering = np.flatnonzero(
            flat_and_edges & (n_bad > 0) & one_box & better & _in_one_piece(bad)
        )
        solid = np.zeros(count, dtype=bool)
        if covering.size:
            solid[covering] = _solid(
                ma[covering], value[covering], inside[covering]
            ) & _ordinary_beneath(edges_a[covering], edges_b[covering], box[covering])
        plausible = (n_textured >= _MIN_TEXTURED) & np.where(
            flat_and_edges, (n_bad == 0) | solid, one_box
        )
        grey = np.full(count, np.inf, dtype=np.float32)
        if plausible.any():
            colour = None
            if colours is not None:
                # The second file's colours warped as its grey levels were.
                ca, cb = colours[0][plausible], colours[1][plausible]
                moved = warp_values(
                    cb.reshape(-1, SIDE, SIDE), np.repeat(warp_params[plausible], 3, 0)
                )
                colour = (ca, moved[0].reshape(cb.shape))
            grey[plausible] = _grey_residual(
                ma[plausible], value[plausible], covered[plausible], box[plausible], colour
            )
        out[better] = grey[better]
        best_bad[better] = n_bad[better]
    share = np.where(flat_and_edges, _FLAT_LIMIT_SHARE, _LIMIT_SHARE).astype(np.float32)
    scaled: F32 = (out / share).astype(np.float32)
    return scaled


def _solid(ma: F32, value: F32, inside: F32) -> B:
    """Whether what differs between each aligned pair is one region covered in one file (a
    sticker, a caption bar), rather than each file's own strokes (two slides, two forms):
    the pixels neither file explains in the other (``core.strokes``) mostly coincide."""
    covered = inside > 0.5
    za, zb = normalise(ma, inside), normalise(value, inside)
    own_a = _unexplained(za, zb, HALF_TOLERANCE) & covered
    own_b = _unexplained(zb, za, HALF_TOLERANCE) & covered
    both = (own_a & own_b).sum(axis=(1, 2))
    either = (own_a | own_b).sum(axis=(1, 2))
    out: B = np.asarray(both >= _SOLID * np.maximum(either, 1))
    return out


def _ordinary_beneath(edges_a: F32, edges_b: F32, box: B) -> B:
    """Whether one of each pair holds no more of its edges inside ``box`` than the box's
    share of the picture allows (``_BENEATH`` times it): an overlay lands anywhere, on
    ordinary content. Two phone screenshots of different photos in one chrome differ
    where both hold most of their detail (the photo), which the box rule alone and the
    covering test both take for an overlay."""
    inside = np.repeat(np.repeat(box, _TILE, axis=1), _TILE, axis=2)
    area = box.mean(axis=(1, 2))
    shares = []
    for edges in (edges_a, edges_b):
        energy = edges * edges
        total = energy.sum(axis=(1, 2)) + np.float32(1e-6)
        shares.append((energy * inside).sum(axis=(1, 2)) / total)
    out: B = np.asarray(np.minimum(shares[0], shares[1]) <= _BENEATH * area)
    return out


def _tiles(edges_a: F32, edges_b: F32) -> tuple[B, B]:
    """Textured tiles (either picture has edges there) and those whose edges differ."""
    count = edges_a.shape[0]
    energy_a = tile_sum(edges_a * edges_a, _TILE)
    energy_b = tile_sum(edges_b * edges_b, _TILE)
    cross = tile_sum(edges_a * edges_b, _TILE)
    per_pixel = np.maximum(energy_a, energy_b) / np.float32(_TILE * _TILE)
    mean = per_pixel.reshape(count, -1).mean(axis=1)[:, None, None]
    textured = (per_pixel > _TEXTURED_SHARE * mean) & (per_pixel > _TEXTURED_FLOOR)
    correlation = cross / np.sqrt(energy_a * energy_b + np.float32(1e-6))
    bad: B = np.asarray(textured & (correlation < _AGREE))
    return np.asarray(textured), bad


def _edge_band(box: B) -> B:
    """Whether each box is a band across the whole width along the top or the bottom edge, at
    most ``_BAND_ROWS`` tiles high: where a caption bar sits."""
    rows: B = np.asarray(box.any(axis=2))
    full: B = np.asarray(box.all(axis=2))
    height = rows.sum(axis=1)
    out: B = np.asarray(
        (height > 0)
        & (height <= _BAND_ROWS)
        & (rows == full).all(axis=1)
        & (rows[:, 0] | rows[:, -1])
    )
    return out


# Tiles of one piece may be this many tiles apart: a caption bar over a slide's plain
# background differs only where the slide or the caption has lines, with plain tiles between.
_GAP: Final = 1


def _in_one_piece(bad: B) -> B:
    """Whether each grid's flagged tiles touch each other (sides or corners) as one piece:
    a sticker or a caption bar is one, two edits in two places are two."""
    count = bad.shape[0]
    first = bad.reshape(count, -1).argmax(axis=1)
    reached = np.zeros_like(bad)
    reached.reshape(count, -1)[np.arange(count), first] = True
    reached &= bad
    while True:
        grown = reached.copy()
        for step in range(1, _GAP + 2):
            grown[:, step:, :] |= reached[:, :-step, :]
            grown[:, :-step, :] |= reached[:, step:, :]
        wide = grown.copy()
        for step in range(1, _GAP + 2):
            wide[:, :, step:] |= grown[:, :, :-step]
            wide[:, :, :-step] |= grown[:, :, step:]
        wide &= bad
        if np.array_equal(wide, reached):
            break
        reached = wide
    out: B = np.asarray((reached == bad).all(axis=(1, 2)))
    return out


def _box(bad: B) -> B:
    """The smallest box of tiles holding every flagged tile of each grid (empty when none)."""
    rows: B = np.asarray(bad.any(axis=2))
    cols: B = np.asarray(bad.any(axis=1))
    index = np.arange(_TILES)
    top = np.where(rows.any(axis=1), rows.argmax(axis=1), _TILES)
    bottom = _TILES - rows[:, ::-1].argmax(axis=1)
    left = np.where(cols.any(axis=1), cols.argmax(axis=1), _TILES)
    right = _TILES - cols[:, ::-1].argmax(axis=1)
    in_rows = (index[None] >= top[:, None]) & (index[None] < bottom[:, None])
    in_cols = (index[None] >= left[:, None]) & (index[None] < right[:, None])
    out: B = np.asarray(in_rows[:, :, None] & in_cols[:, None, :])
    return out


def _grey_residual(
    ma: F32, value: F32, covered: F32, box: B, colours: tuple[F32, F32] | None = None
) -> F32:
    """The 32x32 residual of the aligned pair with the box left out: the smaller of the plain
    reading and the one with a smooth gain field (darkened corners) divided out. The field
    may fall off with the fourth power of the distance from the centre: measured, that took
    strong vignettes from 0.14-0.35 to 0.03-0.16 (in units of the limit) and left two frames
    of one scene processed differently (HDR) where they were (0.18 and more)."""
    count = ma.shape[0]
    f = SIDE // 32
    keep = covered * ~np.repeat(np.repeat(box, _TILE, axis=1), _TILE, axis=2)
    weight = keep.reshape(count, 32, f, 32, f).mean(axis=(2, 4))
    # The blur of the 32x32 comparison carries the box two pixels further.
    weight = (smooth(weight) > 0.99).astype(np.float32)
    a32 = smooth(ma.reshape(count, 32, f, 32, f).mean(axis=(2, 4)))
    b32 = smooth(value.reshape(count, 32, f, 32, f).mean(axis=(2, 4)))
    za = normalise(a32, weight)
    plain = quantile(np.abs(za - normalise(b32, weight)), weight, _QUANTILE)
    gain = smooth_field(np.log(b32 + _LOG_OFFSET) - np.log(a32 + _LOG_OFFSET), weight, True)
    evened = (b32 + _LOG_OFFSET) * np.exp(-gain) - _LOG_OFFSET
    forgiving = quantile(np.abs(za - normalise(evened, weight)), weight, _QUANTILE)
    out: F32 = np.minimum(plain, forgiving).astype(np.float32)
    if colours is not None:
        ca32, cb32 = (_small_colours(c) for c in colours)
        remixed = np.minimum(_remixed(ca32, b32, weight), _remixed(cb32, a32, weight))
        out = np.minimum(out, remixed * np.float32(_LIMIT_SHARE / _COLOUR_LIMIT_SHARE))
    # Too little left to judge (the box covers most of the picture): no verdict.
    out[weight.reshape(count, -1).mean(axis=1) < 0.5] = np.inf
    return out


def _small_colours(colour: F32) -> F32:
    """(n, 3, 128, 128) colours at 32x32, smoothed as the grey levels are compared."""
    count = colour.shape[0]
    f = SIDE // 32
    small = colour.reshape(count * 3, 32, f, 32, f).mean(axis=(2, 4))
    out: F32 = smooth(small).reshape(count, 3, 32, 32)
    return out


def _remixed(colour: F32, target: F32, weight: F32) -> F32:
    """The 32x32 residual of ``target`` against the grey levels best made of ``colour``'s
    channels (weighted least squares: a, b, c, d in a * red + b * green + c * blue + d),
    clipped to what a picture holds. A colour filter is such a mix: a tint multiplies each
    channel, a saturation change or sepia recombines them, a contrast change stretches the
    result; each colour of the picture gets a grey level of its own, which no smooth gain
    field explains and the copy's other colours do. Pixels either file shows clipped (a
    highlight that sepia or contrast took to white) are left out of the fit; the reading
    counts them, with the mix clipped as the filter clipped it. Two different pictures of
    one structure (a frame processed differently) are not one mix of each other's channels.
    No gain field on top: measured, mix and field together brought two objects on one
    backdrop to 0.06 of the limit's units (docs/ACCURACY.md).

    The smaller of that reading and a second one (``_toned``): the mix through one tone
    curve, read where neither file is clipped."""
    count = target.shape[0]
    unit = np.concatenate([colour / 255, np.ones_like(colour[:, :1])], axis=1)
    rows = unit.reshape(count, 4, -1).astype(np.float64)
    inside = ((colour > _CLIPPED) & (colour < 255 - _CLIPPED)).all(axis=1)
    inside &= (target > _CLIPPED) & (target < 255 - _CLIPPED)
    w = (weight * inside).reshape(count, 1, -1).astype(np.float64)
    mixed = _fitted(rows, w, target)
    zt = normalise(target, weight)
    out: F32 = quantile(np.abs(normalise(mixed.astype(np.float32), weight) - zt), weight, _QUANTILE)
    out = np.minimum(out, _toned(mixed, target, w, (weight * inside).astype(np.float32)))
    out[w.reshape(count, -1).mean(axis=1) < 0.5 * weight.reshape(count, -1).mean(axis=1)] = np.inf
    return out.astype(np.float32)


def _fitted(rows: F64, w: F64, target: F32) -> F64:
    """``target`` (n, 32, 32) as the weighted least-squares combination of ``rows`` (n, k,
    1024: the features of each pixel; ``w`` (n, 1, 1024) their weights), clipped to grey
    levels. A light ridge keeps the fit defined when features coincide (a grey picture's
    three equal channels)."""
    count, k = rows.shape[:2]
    ridge = 1e-3 * np.maximum(w.sum(axis=2, keepdims=True), 1)
    lhs = (rows * w) @ rows.transpose(0, 2, 1) + ridge * np.eye(k)
    rhs = (rows * w) @ target.reshape(count, -1, 1).astype(np.float64)
    coef = np.linalg.solve(lhs, rhs)
    out: F64 = np.clip((rows.transpose(0, 2, 1) @ coef).reshape(target.shape), 0, 255)
    return out


def _toned(mixed: F64, target: F32, w: F64, unclipped: F32) -> F32:
    """The residual of ``target`` against ``mixed`` (``_remixed``'s fit) through one tone
    curve (a + b * m + c * m * m of the mix m, fitted on the weights ``w``), read on the
    pixels neither file shows clipped (``unclipped``: the weights of the comparison there).
    A filter that clips (saturation raised by three quarters, sepia applied twice) loses
    its colours' mix where a channel hit black or white, and one that bends the tones after
    mixing (sepia through a gamma) is no straight mix. Measured on edit seeds 1, 2, 4 and 5
    and the first corpus over every pair the colour reading was asked about, as the look's
    final residual against the limit (0.13): such copies 0.157-0.229 through the plain mix,
    0.080-0.107 with this reading; two frames of one scene processed differently (HDR on and
    off, the first corpus) 0.182-0.242 before, 0.182-0.230 after; no other pair crossed the
    limit either way (docs/ACCURACY.md)."""
    m = mixed.reshape(mixed.shape[0], 1, -1) / 255
    toned = _fitted(np.concatenate([np.ones_like(m), m, m * m], axis=1), w, target)
    out: F32 = quantile(
        np.abs(normalise(toned.astype(np.float32), unclipped) - normalise(target, unclipped)),
        unclipped,
        _QUANTILE,
    )
    return out
