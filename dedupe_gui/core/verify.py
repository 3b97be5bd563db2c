"""A second look at candidate pairs: do the two small greyscale thumbnails show the same picture?

The 64-bit dHash cannot tell a lightly cropped copy (up to 15 bits away) from a different shot
of the same scene (an HDR and a non-HDR frame of one moment sit 3 bits apart), and on flat
pictures its bits are noise. So pairs are searched at a generous dHash radius and each one is
checked on a 32x32 greyscale thumbnail kept with the fingerprint:

1. Both thumbnails are smoothed and brought to zero mean and unit contrast, which makes
   re-grades, greyscale conversion and recompression disappear.
2. A crop is undone by aligning one thumbnail onto the other: a scale and a shift per axis,
   found by a few Gauss-Newton (Lucas-Kanade) steps, tried in both directions since either
   file may be the cropped one. Pairs that already agree, or clearly do not, skip this.
3. The residual is the smaller of two readings. The plain one is the 75th percentile of the
   absolute differences of the aligned, normalised thumbnails: it ignores what covers less
   than a quarter of the picture (a watermark, a date stamp), while a different frame,
   re-lit or moved, differs almost everywhere. The forgiving one allows for one local edit
   that covers more (a caption bar over the bottom tenth, a sticker, darkened corners): the
   worst fifth of an 8x8 tile grid is left out of the normalisation, a smooth gain field
   (fitted to the log ratio: a vignette multiplies grey levels) is divided out, and the
   75th percentile is read over the tiles kept. It only counts when the tiles that still
   differ fit in one box of at most 30 % of the picture; differences spread over the
   picture (two slides, two forms) get no forgiveness.
4. Pictures made of flat areas and edges (slides, documents, chat screenshots, graphics)
   also keep a 128x128 thumbnail (core.thumbnails). When both files of a pair have one,
   the pair must also agree on its edges there (``_detail_share``): at 32x32 the text that
   makes two slides on one background different is a grey smudge, at 128x128 it is lines
   and words. Such pairs only get the plain reading at 32x32: forgiving a region there
   would forgive the text.

Flat thumbnails (little gradient anywhere: fog, a wall, a blank frame) would have their noise
magnified by step 1; they are compared on raw grey levels instead (and on their fine
thumbnails), so only near-identical flat pictures pass.

Everything is vectorised over pairs so that thousands of candidates cost well under a second.
docs/ACCURACY.md has the measurements behind each choice.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.align import (
    compact_tiles,
    gauss_newton,
    highpass,
    normalise,
    percentile,
    quantile,
    smooth,
    smooth_field,
    tile_sum,
    warp_values,
)
from dedupe_gui.core.frame_readings import content_box, may_have_border
from dedupe_gui.core.prefilter import hopeless, signatures
from dedupe_gui.core.row_memo import RowMemo
from dedupe_gui.core.workers import default_workers

F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]

# The residual accepted by default (75th percentile of the absolute differences of the
# aligned, normalised thumbnails). On the development corpus 99.5 % of true copies stay
# below 0.12 (crops, watermarks and re-grades included), the closest different frame of one
# scene (an HDR pair) sits at 0.146 and other different photos above 0.29. docs/ACCURACY.md
DEFAULT_MAX_RESIDUAL: Final = 0.13
_QUANTILE: Final = 75

# Mean absolute gradient (grey levels per thumbnail pixel) below which a thumbnail is flat.
FLAT_DETAIL: Final = 1.5
# For flat pairs: raw grey-level difference that counts as a residual of 1.0.
FLAT_SCALE: Final = 10.0

# Unaligned correlation (of the smoothed thumbnails) below which alignment is not tried:
# copies that only alignment lets through stay above 0.79 on the development corpora.
_PREFILTER: Final = 0.7
# Unaligned residual below which alignment cannot change the verdict that matters.
_SKIP_ALIGN: Final = 0.03
# Share of a thumbnail that must land inside the other after alignment.
_MIN_COVERAGE: Final = 0.85
# Pictures whose shapes differ by more than this ratio are also compared as a crop of the
# wider one (_second_chance). _WHOLE: warp parameters of the whole picture.
_ASPECT_FROM: Final = 1.1
_ASPECT_TO: Final = 1.8  # beyond: a portrait and a landscape picture, not a crop
_WHOLE: Final = (1.0, 1.0, 0.0, 0.0)
# On a 32x32 thumbnail a border is flat to within a grey level or two; a smooth sky is not
# quite, which keeps it from counting as one.
_THUMB_BORDER_TOLERANCE: Final = 3
# Tile error (normalised units) above which ``explain`` calls a tile different.
_EXPLAIN_TILE: Final = 0.6
_COARSE_STEPS: Final = 6
_FINE_STEPS: Final = 3
# The forgiving reading (see _judge): an 8x8 grid of tiles, of which the best 80 % set the
# normalisation (an overlay, a caption bar may cover the rest); tiles still differing by more
# than _BAD_TILE (normalised units) must fit in one box of at most align.OVERLAY_AREA of the
# picture. _LOG_OFFSET keeps the log ratio of the smooth gain field finite on black.
_TILES: Final = 8
_INLIER_SHARE: Final = 0.8
_INLIER_TILES: Final = int(_TILES * _TILES * _INLIER_SHARE)
_BAD_TILE: Final = 0.35
_LOG_OFFSET: Final = 8.0
# Detail check: edges are the fine thumbnail minus its 5x5 box average; Gauss-Newton steps
# refine the 32x32 alignment on the 128x128 pair.
_FINE_RADIUS: Final = 2
_DETAIL_STEPS: Final = 3
_FINE_TILES: Final = 8
# Detail check (128x128): tiles whose edges correlate below _FINE_AGREE disagree; the share
# of disagreeing detail converts to residual units so that _FINE_SHARE meets the default
# limit; only pairs whose 32x32 residual is at most _FINE_GATE are worth the look.
_FINE_AGREE: Final = 0.7
_FINE_SHARE: Final = 0.5
_RESIDUAL_PER_SHARE: Final = DEFAULT_MAX_RESIDUAL / _FINE_SHARE
_FINE_GATE: Final = 0.5
# Tiles with less edge energy than this (per pixel, in normalised units) are flat: they
# cannot disagree on detail.
_FINE_MIN_ENERGY: Final = 0.03
# Pairs processed at once by each thread: some 90 KB of temporaries a pair (traced, two
# threads: 185 MB at 1024 pairs each, 47 MB at 256, the same CPU).
_CHUNK: Final = 256
# Below this many pairs a batch is not worth splitting over threads.
_MIN_SHARE: Final = 64
# A pair that both have fine thumbnails of counts as this many pairs in a chunk: its 128x128
# reading makes 16 times the temporaries (sampled at 100,000 files: chunks of 128 such pairs
# a thread took the process from 430 to 630 MB).
_FINE_WEIGHT: Final = 16


def detail(thumbs: U8 | F32) -> F32:
    """Mean absolute gradient of each thumbnail: how much structure its hash can rest on."""
    t = thumbs.astype(np.float32)
    gx = np.abs(np.diff(t, axis=-1)).mean(axis=(-2, -1))
    gy = np.abs(np.diff(t, axis=-2)).mean(axis=(-2, -1))
    out: F32 = ((gx + gy) / 2).astype(np.float32)
    return out


def residuals(
    a: U8,
    b: U8,
    good_enough: float = 0.0,
    fine_a: U8 | None = None,
    fine_b: U8 | None = None,
    aspects: F32 | None = None,
    memo: RowMemo | None = None,
    fine_present: npt.NDArray[np.bool_] | None = None,
) -> F32:
    """The residual of each pair of thumbnails ``a[k]``, ``b[k]`` (shape (P, 32, 32) each).

    ``fine_a``/``fine_b``: the pairs' 128x128 detail thumbnails (``fines_to_array``), all
    zeros where a file has none; pairs where both have one also get the detail check.
    ``fine_present``: which pairs have both (``fines_to_array`` says which exist); without
    it, a fine thumbnail that is not all zeros. A black picture's is all zeros: told by
    that alone, a black photo passed against a black screenshot of a photo on its 32x32
    thumbnails, where nearly every pixel is black in both.
    ``aspects``: shape (P, 2), each picture's width / height as displayed; with them, a pair
    that fails is tried again as a crop of the wider picture to the other's shape, and
    either picture with its uniform border trimmed (``_second_chance``).

    ``good_enough``: a caller that only asks "at most this?" lets the check stop as soon as
    one way of aligning the pair gets there; such pairs then report that first residual, an
    upper bound of the exact one that is still at most ``good_enough``. The default (0) gives
    exact residuals. Large batches are split over threads: the work is whole-array numpy
    arithmetic, which runs without the interpreter lock, so every core takes a share.
    ``memo``: alignments already found for the same pixels (a pair read the other way,
    core.row_memo) are taken from it, and those found here kept in it.
    """
    if a.shape != b.shape or a.ndim != 3:
        raise ValueError(f"thumbnail stacks must match: {a.shape} vs {b.shape}")
    count = a.shape[0]
    workers = default_workers()
    present = None
    if fine_a is not None and fine_b is not None:
        present = fine_present
        if present is None:
            present = np.asarray(fine_a.any(axis=(1, 2)) & fine_b.any(axis=(1, 2)))
    spans = _spans(count, workers, present)
    out = np.empty(count, dtype=np.float32)

    def run(span: tuple[int, int]) -> None:
        start, stop = span
        fines = None
        if fine_a is not None and fine_b is not None and present is not None:
            fines = (fine_a[start:stop], fine_b[start:stop], present[start:stop])
        ta, tb = a[start:stop].astype(np.float32), b[start:stop].astype(np.float32)
        res = _residuals(ta, tb, good_enough, fines, memo)
        if aspects is not None:
            again = np.flatnonzero(res > max(good_enough, _SKIP_ALIGN))
            if again.size:
                second = _second_chance(
                    ta[again], tb[again], aspects[start:stop][again], good_enough, memo
                )
                res[again] = np.minimum(res[again], second)
        out[start:stop] = res

    if len(spans) <= 1 or workers == 1:
        for span in spans:
            run(span)
    else:
        with ThreadPoolExecutor(min(workers, len(spans))) as pool:
            list(pool.map(run, spans))
    return out


def _spans(
    count: int, workers: int, present: npt.NDArray[np.bool_] | None
) -> list[tuple[int, int]]:
    """The (start, stop) pairs of a batch's chunks: about ``_CHUNK`` pairs each, a pair with
    fine thumbnails on both sides counting ``_FINE_WEIGHT``, so the temporaries of a chunk stay
    about the same whatever its pairs are; a small batch still gives each thread a share."""
    if count == 0:
        return []
    weight = np.ones(count, dtype=np.int64)
    if present is not None:
        weight[present] = _FINE_WEIGHT
    before = np.cumsum(weight) - weight
    total = int(before[-1] + weight[-1])
    step = min(_CHUNK, max(_MIN_SHARE, -(-total // workers)))
    chunk = before // step
    starts = np.flatnonzero(np.diff(chunk, prepend=-1)).tolist()
    return list(zip(starts, [*starts[1:], count], strict=True))


def _residuals(
    a: F32,
    b: F32,
    good_enough: float,
    fines: tuple[U8, U8, npt.NDArray[np.bool_]] | None,
    memo: RowMemo | None = None,
    forgive: bool = True,
) -> F32:
    """The residuals of ``residuals`` before any reframing. ``fines``: the pairs' fine
    thumbnails and which pairs have both. ``forgive``: whether a pair may have the forgiving
    reading (``_judge``)."""
    flat = np.minimum(detail(a), detail(b)) < FLAT_DETAIL
    sa, sb = smooth(a), smooth(b)
    out = np.empty(a.shape[0], dtype=np.float32)
    if flat.any():
        raw = np.abs(sa[flat] - sb[flat])
        out[flat] = percentile(raw, _QUANTILE) / FLAT_SCALE
        if fines is not None:
            # A nearly blank slide or page: what tells two apart is its few lines of text.
            fa, fb = fines[0][flat], fines[1][flat]
            pick = fines[2][flat]
            if pick.any():
                same = np.tile(
                    np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32), (int(pick.sum()), 1)
                )
                share, _ = _detail_share(
                    fa[pick].astype(np.float32), fb[pick].astype(np.float32), same
                )
                sub = out[flat]
                sub[pick] = np.maximum(sub[pick], share * np.float32(_RESIDUAL_PER_SHARE))
                out[flat] = sub
    rest = ~flat
    if not rest.any():
        return out
    ra, rb = sa[rest], sb[rest]
    za, zb = normalise(ra), normalise(rb)
    correlation = (za * zb).mean(axis=(1, 2))
    m = int(rest.sum())
    params = np.tile(np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32), (m, 1))
    backward_won = np.zeros(m, dtype=bool)
    robust = np.full(m, forgive, dtype=bool)
    result = _judge(ra, rb, np.ones_like(ra), robust)
    # Pairs that will also be compared on fine thumbnails need the alignment even when
    # their 32x32 thumbnails already agree: a 2 % crop is a quarter pixel at 32x32 and
    # three pixels at 128x128. They keep the aligned warp whenever it still passes.
    fine: npt.NDArray[np.bool_] = np.zeros(m, dtype=bool)
    if fines is not None:
        fine = fines[2][rest]
    enough = np.where(fine, _SKIP_ALIGN / 3, max(_SKIP_ALIGN, good_enough))
    align = (result > enough) & (correlation >= _PREFILTER)
    if align.any():
        idx = np.flatnonzero(align)
        pa, pb = a[rest][align], b[rest][align]
        sa2, sb2 = ra[align], rb[align]
        fwd, fwd_params = _aligned(pa, pb, sa2, sb2, robust[align], memo)
        limit = np.where(fine[idx], np.maximum(result[idx], good_enough), result[idx])
        better = (fwd < result[idx]) | (fine[idx] & (fwd <= limit))
        result[idx[better]] = np.minimum(result[idx[better]], fwd[better])
        params[idx[better]] = fwd_params[better]
        # The other direction only where the first did not already settle the question.
        again = (result[idx] > good_enough) | (fine[idx] & ~better)
        if again.any():
            back, back_params = _aligned(
                pb[again], pa[again], sb2[again], sa2[again], robust[idx[again]], memo
            )
            j = idx[again]
            better = back < result[j]
            result[j[better]] = back[better]
            params[j[better]] = back_params[better]
            backward_won[j[better]] = True
    if fines is not None:
        # Pictures of flat areas and edges that both have a fine thumbnail are judged on it
        # too, and their 32x32 thumbnails only on the plain reading: forgiving a region
        # there would forgive the few lines of text that make two slides or forms different.
        fa, fb = fines[0][rest], fines[1][rest]
        both = np.flatnonzero(fines[2][rest] & (result <= _FINE_GATE))
        if both.size:
            back = backward_won[both, None, None]
            fm = np.where(back, fb[both], fa[both]).astype(np.float32)
            ff = np.where(back, fa[both], fb[both]).astype(np.float32)
            share, _ = _detail_share(fm, ff, params[both])
            # Measured: forgiving a region where the fine details agree in all but one box
            # still let forms of one template through, so these pairs never get it.
            spread = both
            if spread.size:
                back = backward_won[spread, None, None]
                ms = np.where(back, rb[spread], ra[spread])
                fs = np.where(back, ra[spread], rb[spread])
                value, inside = warp_values(fs, params[spread])
                plain = _judge(ms, value, inside, np.zeros(spread.size, dtype=bool))
                result[spread] = np.maximum(result[spread], plain)
            result[both] = np.maximum(result[both], share * np.float32(_RESIDUAL_PER_SHARE))
    out[rest] = result
    return out


def _second_chance(
    a: F32, b: F32, aspects: F32, good_enough: float, memo: RowMemo | None = None
) -> F32:
    """Residuals of pairs looked at again as a heavier crop or a framed copy.

    A square crop of a 4:3 photo keeps three quarters of its width, further than the
    alignment reaches from an identity start; a letterboxed or framed copy, or the photo in
    a screenshot, holds the picture in part of its thumbnail. So: the wider picture is
    cropped to the other's shape around its centre (the alignment then finds the offset),
    and a picture with a uniform border is reduced to what is inside it; the pair is checked
    again as usual (without the fine thumbnails: a reframed pair is compared at 32x32).
    """
    count = a.shape[0]
    out = np.full(count, np.inf, dtype=np.float32)
    # (picture a, picture b, the pairs, whether the forgiving reading may count).
    attempts: list[tuple[F32, F32, npt.NDArray[np.int64], bool]] = []
    # A border around either picture.
    boxes_a = _border_boxes(a)
    boxes_b = _border_boxes(b)
    framed = [k for k in range(count) if boxes_a[k] is not None or boxes_b[k] is not None]
    if framed:
        idx = np.array(framed, dtype=np.int64)
        pa = np.array([boxes_a[k] or _WHOLE for k in framed], dtype=np.float32)
        pb = np.array([boxes_b[k] or _WHOLE for k in framed], dtype=np.float32)
        # Read without forgiving a region: the border taken off is the one edit allowed. A
        # caption bar across a picture's bottom is uniform, so it is taken off as a border
        # too, and the photo above it, stretched to the whole, aligned and forgiven the
        # worst fifth of its tiles, passed against an unrelated photo (a field under fog
        # against a lake at night, 0.12).
        attempts.append((warp_values(a[idx], pa)[0], warp_values(b[idx], pb)[0], idx, False))
    # The wider picture cropped to the narrower one's shape.
    ratio = aspects[:, 0] / np.maximum(aspects[:, 1], np.float32(1e-6))
    spread = np.maximum(ratio, 1 / np.maximum(ratio, np.float32(1e-6)))
    differ = np.flatnonzero((spread > _ASPECT_FROM) & (spread < _ASPECT_TO))
    if differ.size:
        r = ratio[differ]
        crop = np.tile(np.array(_WHOLE, dtype=np.float32), (differ.size, 1))
        # The wider picture's width is cropped, a's or b's: cropping b's height instead (as
        # before check version 23) left a pair that passed read one way failing the other.
        wide = r > 1  # a wider than b
        crop[:, 0] = np.where(wide, 1 / r, r)
        crop[:, 2] = (1 - crop[:, 0]) / 2
        crop[:, 3] = (1 - crop[:, 1]) / 2
        ca, cb = a[differ].copy(), b[differ].copy()
        ca[wide] = warp_values(a[differ][wide], crop[wide])[0]
        cb[~wide] = warp_values(b[differ][~wide], crop[~wide])[0]
        attempts.append((ca, cb, differ, True))
    for ta, tb, idx, forgive in attempts:
        # Reframed pairs that still do not correlate are not worth the alignment.
        keep = ~hopeless(signatures(ta), signatures(tb), np.zeros(idx.size, dtype=bool))
        if keep.any():
            found = _residuals(ta[keep], tb[keep], good_enough, None, memo, forgive)
            out[idx[keep]] = np.minimum(out[idx[keep]], found)
    return out


def _border_boxes(thumbs: F32) -> list[tuple[float, float, float, float] | None]:
    """``_border_box`` of each thumbnail. Most have no border, which ``may_have_border``
    tells for the whole stack in a few array passes (as core.picture_boxes asks it); only
    the others are read one by one."""
    grey = np.rint(thumbs).astype(np.int16)
    maybe = may_have_border(grey).tolist()
    return [_border_box(t) if m else None for t, m in zip(grey, maybe, strict=True)]


def _border_box(thumb: npt.NDArray[np.int16]) -> tuple[float, float, float, float] | None:
    """Warp parameters (scale x, scale y, shift x, shift y) that map a thumbnail's content
    (grey levels rounded) inside a uniform border onto the whole thumbnail, or None without
    a border."""
    box = content_box(thumb)
    if box is None:
        return None
    left, top, right, bottom = box
    return (right - left, bottom - top, left, top)


def _judge(moving: F32, fixed: F32, inside: F32, robust: npt.NDArray[np.bool_]) -> F32:
    """The residual of aligned, smoothed thumbnails (``inside``: where ``fixed`` covers).

    The smaller of two readings. The plain one: the 75th percentile of the absolute
    differences once both are normalised to zero mean and unit contrast. The robust one
    forgives one compact region: the worst fifth of the tiles is left out of the
    normalisation, a smooth brightness field (darkened corners, a graduated re-grade) is
    taken out, and the residual is read over the tiles kept; it only counts when the
    tiles that still disagree fit in one box of at most ``align.OVERLAY_AREA`` of the picture
    (a caption bar, a sticker), not when they are spread over it (two different slides),
    and only for the pairs marked in ``robust``.
    """
    p, n, _ = moving.shape
    k = n // _TILES
    zm, zf = normalise(moving, inside), normalise(fixed, inside)
    plain = quantile(np.abs(zm - zf), inside, _QUANTILE)
    tile_area = tile_sum(inside, k) + np.float32(1e-6)
    tile_d = tile_sum(np.abs(zm - zf) * inside, k) / tile_area
    # Tiles that hardly overlap count as the worst, so they are the ones dropped.
    tile_d = np.where(tile_area > 0.5 * k * k, tile_d, np.inf)
    cut = np.sort(tile_d.reshape(p, -1), axis=1)[:, _INLIER_TILES - 1]
    keep = (tile_d <= cut[:, None, None]).astype(np.float32)
    weight = inside * np.repeat(np.repeat(keep, k, axis=1), k, axis=2)
    # Darkened corners and graduated filters multiply grey levels by a factor that varies
    # smoothly across the picture: fitted on the log ratio and divided out. A different
    # exposure of the same scene (an HDR frame) bends the tones instead and stays apart.
    gain = smooth_field(np.log(moving + _LOG_OFFSET) - np.log(fixed + _LOG_OFFSET), weight)
    evened = (moving + _LOG_OFFSET) * np.exp(-gain) - _LOG_OFFSET
    zm, zf = normalise(evened, weight), normalise(fixed, weight)
    absdiff = np.abs(zm - zf)
    forgiving = quantile(absdiff, weight, _QUANTILE)
    bad = (tile_sum(absdiff * inside, k) / tile_area > _BAD_TILE) & (tile_area > 0.5 * k * k)
    compact = compact_tiles(bad)
    forgiven = np.where(compact & robust, forgiving, np.inf)
    out: F32 = np.minimum(plain, forgiven).astype(np.float32)
    out[(inside.reshape(p, -1).mean(axis=1) < _MIN_COVERAGE) | ~np.isfinite(out)] = np.inf
    return out


def _detail_share(moving: F32, fixed: F32, params: F32) -> tuple[F32, npt.NDArray[np.bool_]]:
    """Share of the textured tiles (edges: text, lines, outlines) on which two aligned
    128x128 thumbnails disagree, and whether those tiles fit in one compact box.

    Flat areas carry no weight, so two slides on one background differ on the text that
    makes them different; a re-encoded or resized copy agrees nearly everywhere.
    """
    # The 32x32 alignment is a quarter pixel off at best here: refine it on the fine pair
    # (at half its size, which is four times cheaper and precise enough). Pairs that needed
    # no alignment (re-encodes, resizes: most of them) need no refinement either.
    params = params.copy()
    moved = np.flatnonzero(np.any(params != np.array([1.0, 1.0, 0.0, 0.0], np.float32), axis=1))
    if moved.size:
        half = moving.shape[1] // 2
        mh = moving[moved].reshape(-1, half, 2, half, 2).mean(axis=(2, 4))
        fh = fixed[moved].reshape(-1, half, 2, half, 2).mean(axis=(2, 4))
        params[moved] = gauss_newton(smooth(mh), smooth(fh), params[moved], _DETAIL_STEPS)
    value, inside = fixed.copy(), np.ones_like(fixed)
    if moved.size:
        value[moved], inside[moved] = warp_values(fixed[moved], params[moved])
    hm = highpass(normalise(moving, inside), _FINE_RADIUS) * inside
    hf = highpass(normalise(value, inside), _FINE_RADIUS) * inside
    k = moving.shape[1] // _FINE_TILES
    em, ef, cross = tile_sum(hm * hm, k), tile_sum(hf * hf, k), tile_sum(hm * hf, k)
    energy = em + ef + np.float32(1e-6)
    textured = energy > _FINE_MIN_ENERGY * k * k
    bad = ((2 * cross / energy) < _FINE_AGREE) & textured
    # Each textured tile counts once: weighted by energy, one long high-contrast edge (a
    # banner, a frame) would outweigh the lines of text that tell two slides apart.
    out: F32 = (bad.sum(axis=(1, 2)) / np.maximum(textured.sum(axis=(1, 2)), 1)).astype(np.float32)
    return out, compact_tiles(bad)


def _aligned(
    moving: F32,
    fixed: F32,
    moving_s: F32,
    fixed_s: F32,
    robust: npt.NDArray[np.bool_],
    memo: RowMemo | None,
) -> tuple[F32, F32]:
    """``_aligned_residual``, each row taken from ``memo`` when it holds it."""
    if memo is None:
        return _aligned_residual(moving, fixed, moving_s, fixed_s, robust)
    res, params = memo.rows(
        "verify.aligned", _aligned_residual, moving, fixed, moving_s, fixed_s, robust
    )
    return res, params


def _aligned_residual(
    moving: F32, fixed: F32, moving_s: F32, fixed_s: F32, robust: npt.NDArray[np.bool_]
) -> tuple[F32, F32]:
    """Residual after warping ``fixed`` onto ``moving`` with per-axis scale and shift, and
    the warp's parameters (scale x, scale y, shift x, shift y; see ``warp``)."""
    params = np.tile(np.array([1.0, 1.0, 0.0, 0.0], dtype=np.float32), (moving.shape[0], 1))
    params = gauss_newton(moving_s, fixed_s, params, _COARSE_STEPS)
    params = gauss_newton(moving, fixed, params, _FINE_STEPS)
    value, inside = warp_values(fixed_s, params)
    return _judge(moving_s, value, inside, robust), params


def explain(member: U8, keeper: U8) -> tuple[F32, npt.NDArray[np.bool_]]:
    """How each member thumbnail relates to its keeper's, for saying what differs.

    Returns the warp found by the alignment (scale x, scale y, shift x, shift y: the
    member's point ``u`` shows the keeper's point ``scale * u + shift``; the identity when
    aligning does not help) and the member's 8x8 tiles that still differ under the
    forgiving reading (an overlay shows up there).
    """
    m, k = member.astype(np.float32), keeper.astype(np.float32)
    ms, ks = smooth(m), smooth(k)
    count = m.shape[0]
    robust = np.ones(count, dtype=bool)
    params = np.tile(np.array(_WHOLE, dtype=np.float32), (count, 1))
    score = _judge(ms, ks, np.ones_like(ms), robust)
    aligned, found = _aligned_residual(m, k, ms, ks, robust)
    better = aligned < score - _SKIP_ALIGN / 3
    params[better] = found[better]
    value, inside = warp_values(ks, params)
    n = m.shape[1]
    t = n // _TILES
    zm, zf = normalise(ms, inside), normalise(value, inside)
    area = tile_sum(inside, t) + np.float32(1e-6)
    bad: npt.NDArray[np.bool_] = np.asarray(
        (tile_sum(np.abs(zm - zf) * inside, t) / area > _EXPLAIN_TILE) & (area > 0.5 * t * t)
    )
    return params, bad


def border_of(thumb: U8, loose: bool = False) -> tuple[float, float, float, float] | None:
    """The content box (left, top, right, bottom, shares) inside a thumbnail's uniform
    border, or None. ``loose``: the tolerance that finds borders for a second look at a
    pair (a smooth sky may pass); otherwise the strict one used to say "border added"."""
    if loose:
        return content_box(thumb.astype(np.int16))
    return content_box(thumb.astype(np.int16), _THUMB_BORDER_TOLERANCE)
