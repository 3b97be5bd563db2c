"""The thumbnail check of keeper-candidate pairs, batched and kept.

A pair's verdict costs an aligned 32x32 comparison at least and, for some pairs, a second
look through a window, a straightened copy, fine thumbnails or a picture decoded again at
128x128; moving the threshold slider asks for the same pairs again and again, and a rescan
asks for last run's. So every verdict is computed once per limit and kept (and handed to the
cache), pairs are checked many at once because each numpy pass has a fixed cost, and the
pictures a check needs are loaded only for the files of the pairs it is asked about.
Kept apart from the keeper-first walk (core.grouping), which only asks which pairs pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import Adjacent, distinct, file_id, pair_id
from dedupe_gui.core.chrome import photos_differ
from dedupe_gui.core.kept_residuals import KeptResiduals
from dedupe_gui.core.loaded_thumbs import LoadedThumbs, ThumbSource, turn_stack
from dedupe_gui.core.local_edits import (
    CENTRED_LOOK_BELOW,
    LOOK_BELOW,
    in_colour,
    local_edit_residuals,
)
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.orientations import INVERSE, transform_grid
from dedupe_gui.core.pair_order import PairOrder
from dedupe_gui.core.prefilter import first_test, middles_agree, signatures
from dedupe_gui.core.redecoded import Redecoded
from dedupe_gui.core.row_memo import RowMemo
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.second_look import worth_a_look
from dedupe_gui.core.straighten import straightened_looks
from dedupe_gui.core.strokes import two_sided_fine, two_sided_text
from dedupe_gui.core.thumbnails import fines_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from dedupe_gui.core.window_candidates import WindowCandidates
from dedupe_gui.core.window_glimpse import apart_through
from dedupe_gui.core.window_looks import FlatJudge
from dedupe_gui.core.windows import chrome_photo

I64 = npt.NDArray[np.int64]

# Orientations from this one on swap width and height (core.orientations).
_FIRST_QUARTER_TURN = 4
# Pairs whose fine thumbnails (16 KB each, decompressed) are checked at once.
_FINE_BATCH = 512
# Pairs whose pictures decoded again are stacked and compared at once (two 16 KB pictures a
# pair at 128x128, two 64 KB ones for the text check): a wave of a large library's cold
# scan looked at thousands of pairs, and stacked them all at once.
_DETAILS_AT_ONCE = 256
_TEXTS_AT_ONCE = 64
# Pairs checked at once (``PairChecker.check``, ``PairChecker.prefetch``).
_CHECKS_AT_ONCE = 1024
# Pairs whose shapes differ by less than this ratio get the text check (core.strokes); the
# others are compared reframed (core.verify._second_chance).
_SAME_SHAPE = 1.1
# Two screenshots whose photos' hashes (core.windows.chrome_photo) are further apart than
# this show different photos, however alike their chrome: two screenshots of different
# photos in one chrome measured 23-32 bits apart, the photo window of a screenshot 0-11
# bits from its photo's own hash when it was found whole.
_PHOTOS_APART_BITS = 20


def _same_shape(shapes: npt.NDArray[np.float32]) -> npt.NDArray[np.bool_]:
    """Which pairs of ``shapes`` (``PairChecker._aspects``) are of one shape: within
    ``_SAME_SHAPE`` of each other, either way. Those get the local-edit look and the text
    check; the others are compared reframed."""
    ratio = shapes[:, 0] / np.maximum(shapes[:, 1], 1e-6)
    spread = np.maximum(ratio, 1 / np.maximum(ratio, 1e-6))
    out: npt.NDArray[np.bool_] = spread < _SAME_SHAPE
    return out


def _apart_in_layout(
    res: npt.NDArray[np.float32],
    limit: float,
    fine_a: npt.NDArray[np.uint8],
    fine_b: npt.NDArray[np.uint8],
    shapes: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """``res`` of pairs that both have fine thumbnails (``fine_a``, ``fine_b``, the second
    turned as the pair is), with those that passed but are two pictures in one layout set to
    infinity: two screenshots in one chrome whose photos differ (core.chrome), two forms or
    pages whose own text is two-sided (core.strokes)."""
    passed = np.flatnonzero(res <= limit)
    if passed.size == 0:
        return res
    apart = photos_differ(fine_a[passed], fine_b[passed])
    rest = passed[~apart]
    if rest.size:
        apart[~apart] = two_sided_fine(fine_a[rest], fine_b[rest], shapes[rest])
    out: npt.NDArray[np.float32] = res.copy()
    out[passed[apart]] = np.inf
    return out


# ``INVERSE`` as an array, for looking up many turns at once (read-only: shared by all).
_INVERSE: Final = np.asarray(INVERSE, dtype=np.int64)
_INVERSE.flags.writeable = False


class PairChecker:
    """Residuals of (keeper, file, turn) pairs of one scan's records, each computed once."""

    def __init__(
        self,
        records: tuple[ImageRecord, ...],
        known_checks: Mapping[int, float] | None,
        thumbs: ThumbSource | None,
        fines: ThumbSource | None,
        pictures: ScanPictures | None = None,
    ) -> None:
        """``known_checks``: residuals by ``pair_id`` from an earlier run (a cache), computed
        with the default limit (DEFAULT_MAX_RESIDUAL); pairs found there are not checked again.
        ``thumbs``: where to fetch verification thumbnails when the records do not carry them
        (FingerprintStore.thumbs); either way only files of checked pairs are loaded.
        ``fines``: the same for the fine thumbnails of slides and documents
        (FingerprintStore.fines). ``pictures``: the scan's decoded pictures, for second
        looks that would decode them again (core.scan_pictures).
        """
        self.records = records
        n = len(records)
        self.loaded = LoadedThumbs(records, thumbs)
        # Windows that brought pairs together, for the second look (set by the grouping once
        # it has searched them: core.window_candidates).
        self.windows: WindowCandidates | None = None
        # Which records have a fine thumbnail (core.verify), and a source for it when the
        # records do not carry it (loaded from a cache without thumbnails).
        self._fine_source = fines
        self._has_fine: npt.NDArray[np.bool_] = np.fromiter(
            (r.fingerprint.flat_and_edged for r in records),
            dtype=bool,
            count=n,
        )
        self._shape: npt.NDArray[np.float32] | None = None
        # How a pair is read: the same whatever its files are called (core.pair_order).
        self._order = PairOrder(records)
        photos = [chrome_photo(r.fingerprint.windows) for r in records]
        self._has_photo = np.fromiter((p is not None for p in photos), dtype=bool, count=n)
        self._photo = np.fromiter((p or 0 for p in photos), dtype=np.uint64, count=n)
        # Residuals already computed, by pair_id: kept across thresholds.
        # Those from an earlier run, as sorted arrays: a library's worth of them is looked up
        # wave by wave, and a dictionary held some 100 bytes per pair and a call per look-up.
        known = known_checks or {}
        pairs = np.fromiter(known.keys(), dtype=np.int64, count=len(known))
        order = np.argsort(pairs)
        self._known_pairs: I64 = pairs[order]
        self._known_residuals: npt.NDArray[np.float32] = np.fromiter(
            known.values(), dtype=np.float32, count=len(known)
        )[order]
        # Computed by this checker, and of those the ones not yet handed to a cache.
        self._checked = KeptResiduals()
        self._new_checks = KeptResiduals()
        # Checked ahead of being asked for (``foresee``), not yet asked for.
        self._foreseen = KeptResiduals()
        self._file_ids: npt.NDArray[np.uint64] | None = None
        # The residual limit the kept residuals were computed for: below it a pair's check
        # stops early (core.verify.residuals), so other limits need fresh checks.
        self._good_enough = DEFAULT_MAX_RESIDUAL
        # Pictures decoded again for the local-edit look (128x128, _local_edits), the
        # colour reading and the text check (256x256, _apart_by_text).
        self.again = Redecoded(records, pictures=pictures)
        # What the first reading of the pairs being checked found (``check``).
        self._memo: RowMemo | None = None

    def use_limit(self, max_residual: float) -> None:
        """Check at ``max_residual`` from now on; verdicts kept for another limit are dropped."""
        if max_residual != self._good_enough:
            self._known_pairs = self._known_pairs[:0]
            self._known_residuals = self._known_residuals[:0]
            self._checked.clear()
            self._new_checks.clear()
            self._foreseen.clear()
            self._good_enough = max_residual

    def _pair_keys(self, keepers: I64, others: I64, turns: I64) -> tuple[I64, I64, I64, I64]:
        """One key per unordered pair and turn, stable across runs (see ``pair_id``), and the
        pair in the key's order: (low, high, high's turn seen from low). The check does not
        read it in this order, which the files' names and times set (core.pair_order)."""
        ids = self.ids()
        low_first = ids[others] > ids[keepers]
        lo = np.where(low_first, keepers, others)
        hi = np.where(low_first, others, keepers)
        turn = np.where(low_first, turns, _INVERSE[turns])
        return pair_id(ids[lo], ids[hi], turn), lo, hi, turn

    def ids(self) -> npt.NDArray[np.uint64]:
        """``file_id`` of every record, computed once."""
        if self._file_ids is None:
            self._file_ids = np.fromiter(
                (file_id(r) for r in self.records), dtype=np.uint64, count=len(self.records)
            )
        return self._file_ids

    def check(self, keepers: I64, others: I64, turns: I64) -> npt.NDArray[np.float32]:
        """Residuals of keeper-candidate pairs, each computed at most once and then kept."""
        keys, lo, hi, turn = self._pair_keys(keepers, others, turns)
        res = self._kept(keys)
        todo = np.flatnonzero(np.isnan(res))
        if todo.size and self._foreseen.held():
            ahead = self._foreseen.get(keys[todo])
            # Unless a file of the pair was found lost since: checked again, not passed.
            ahead[self.loaded.lost[lo[todo]] | self.loaded.lost[hi[todo]]] = np.nan
            hit = ~np.isnan(ahead)
            res[todo[hit]] = ahead[hit]
            self._checked.add(keys[todo[hit]], ahead[hit])
            self._new_checks.add(keys[todo[hit]], ahead[hit])
            todo = todo[~hit]
        for part, fresh, unknown in self._computed(lo, hi, turn, todo):
            res[part] = fresh
            self._checked.add(keys[part], fresh)
            # A pair that could not be checked (a thumbnail the store no longer holds) is
            # not grouped now, and its verdict is not kept: the next scan decodes the files
            # again and checks the pair for real.
            self._new_checks.add(keys[part][~unknown], fresh[~unknown])
        return res

    def foresee(self, keepers: I64, others: I64, turns: I64) -> None:
        """Check now, in one batch, pairs that a caller going one group at a time
        (core.leftovers) may ask ``check`` about one or a few at a time: one pair a call
        cost 2.6 times the CPU of a pair in a batch (a cold grouping of 10,000 files). Their
        residuals are held apart and count as checked only when asked for, so the pairs
        kept and handed to a cache are those asked about, with the residuals they would
        have had; those never asked for are forgotten at the next ``use_limit`` change or
        ``forget_foreseen``."""
        keys, first = np.unique(self._pair_keys(keepers, others, turns)[0], return_index=True)
        _, lo, hi, turn = self._pair_keys(keepers[first], others[first], turns[first])
        todo = np.flatnonzero(np.isnan(self._kept(keys)) & np.isnan(self._foreseen.get(keys)))
        for part, fresh, unknown in self._computed(lo, hi, turn, todo):
            # A pair that could not be checked is checked again when asked (as it would be).
            self._foreseen.add(keys[part][~unknown], fresh[~unknown])

    def forget_foreseen(self) -> None:
        """Let go of the residuals ``foresee`` computed and nobody asked for."""
        self._foreseen.clear()

    def _kept(self, keys: I64) -> npt.NDArray[np.float32]:
        """The residuals known from an earlier run or checked already; NaN for the others."""
        res = np.full(keys.size, np.nan, dtype=np.float32)
        if self._known_pairs.size:
            pos = np.minimum(self._known_pairs.searchsorted(keys), self._known_pairs.size - 1)
            hit = self._known_pairs[pos] == keys
            res[hit] = self._known_residuals[pos[hit]]
        rest = np.flatnonzero(np.isnan(res))
        res[rest] = self._checked.get(keys[rest])
        return res

    def _computed(
        self, lo: I64, hi: I64, turn: I64, todo: I64
    ) -> Iterator[tuple[I64, npt.NDArray[np.float32], npt.NDArray[np.bool_]]]:
        """The residuals of the pairs ``todo`` (positions in ``lo``, ``hi``, ``turn``), a
        bounded number at a time, whoever asks: the files left out after a large library's
        walk (core.leftovers) asked for 60,000 pairs in one call, and each pass of the check
        holds arrays by the pair (676 MB at 100,000 files). Each part: its positions, its
        residuals, and which pairs could not be checked."""
        for start in range(0, todo.size, _CHECKS_AT_ONCE):
            part = todo[start : start + _CHECKS_AT_ONCE]
            self.loaded.bound()
            pairs = (lo[part], hi[part], turn[part])
            # A pair read the other way takes what the first reading found with the same
            # pixels (core.row_memo); kept for the part's two readings only.
            self._memo = RowMemo()
            fresh, unknown = self._order.residuals(self._residuals, pairs, self._good_enough)
            self._memo = None
            yield part, fresh, unknown

    def verifiable(self, records: I64) -> npt.NDArray[np.bool_]:
        """Which of ``records`` have a thumbnail to check: pairs of the others pass on their
        hashes alone (records of a saved report), so only the hash distance may join them."""
        out = np.zeros(records.size, dtype=bool)
        for start in range(0, records.size, _CHECKS_AT_ONCE):
            part = records[start : start + _CHECKS_AT_ONCE]
            self.loaded.bound()  # the files left out ask about every grouped file
            rows = self.loaded.rows(part)  # may grow the loaded buffers: first
            out[start : start + part.size] = self.loaded.has_thumb[rows] & ~self.loaded.lost[part]
        return out

    def new_checks_held(self) -> int:
        """How many verdicts ``take_new_checks`` would hand over (repeats counted)."""
        return self._new_checks.held()

    def take_new_checks(self) -> tuple[Mapping[int, float], float]:
        """Residuals computed since the last call (by ``pair_id``) and the limit they stopped
        at, for a cache to keep (FingerprintStore.put_pair_checks)."""
        return self._new_checks.take(), self._good_enough

    def prefetch(
        self,
        upcoming: Sequence[int],
        taken: npt.NDArray[np.bool_],
        rank: I64,
        adjacent: Adjacent,
    ) -> None:
        """Check in one batch every pair the next keepers may ask for.

        The grouping is sequential (who is still free depends on earlier groups), but each
        numpy pass of the check has a fixed cost: checking the next keepers' free, worse-ranked
        neighbours together, before their turn, gives the same groups at a fraction of the
        cost. A keeper only ever takes files ranked below it, so only those are checked.
        """
        keepers: list[I64] = []
        others: list[I64] = []
        ks: list[I64] = []
        for best in upcoming:
            if taken[best]:
                continue
            cand, _, turns = adjacent.row(best)
            sel = ~taken[cand] & (rank[cand] > rank[best])
            if sel.any():
                others.append(cand[sel])
                ks.append(turns[sel])
                keepers.append(np.full(int(sel.sum()), best, dtype=np.int64))
        # ``check`` takes them a bounded number at a time (a large library's wave asks for
        # thousands of pairs).
        none = np.zeros(0, np.int64)
        self.check(*(np.concatenate([none, *x]) for x in (keepers, others, ks)))

    def _residuals(
        self, a: I64, b: I64, turn: I64
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """The residual of thumbnail ``a`` against thumbnail ``b`` turned by ``turn``, and
        which pairs could not be checked (their residual is infinite, not a verdict)."""
        rec_a, rec_b, memo = a, b, self._memo
        a = self.loaded.rows(a)
        b = self.loaded.rows(b)
        self.loaded.feature(a, b)
        out = np.zeros(a.size, dtype=np.float32)
        both = self.loaded.has_thumb[a] & self.loaded.has_thumb[b]
        # Pairs ruled out by their 16x16 correlation (upright and turned signatures are
        # compared through the same transform as the thumbnails), computed once per row of
        # the batch.
        rows, where = np.unique(np.concatenate([a, b]), return_inverse=True)
        sig = signatures(self.loaded.thumbs[rows])
        sig_a = sig[where[: a.size]]
        sig_b = sig[where[a.size :]].reshape(-1, 16, 16)
        del sig
        for k in distinct(turn).tolist():
            sel = turn == k
            sig_b[sel] = transform_grid(sig_b[sel], k)
        # Copies whose corners or edges were edited heavily (a strong vignette, a caption
        # bar over a quiet picture) correlate poorly as a whole but agree in the middle:
        # never ruled out here, and looked at again at 128x128 further over the limit.
        centred = middles_agree(self.loaded.thumbs[a], turn_stack(self.loaded.thumbs[b], turn))
        # A framed copy, or one of another shape (a square crop), correlates poorly before
        # it is reframed (core.verify._second_chance): never ruled out here.
        shapes = self._aspects(rec_a, rec_b, turn)
        ratio = shapes[:, 0] / shapes[:, 1]
        spread = np.maximum(ratio, 1 / np.maximum(ratio, 1e-6))
        reframed = self.loaded.framed[a] | self.loaded.framed[b] | ((spread > 1.1) & (spread < 1.8))
        reframable = reframed.copy()
        through = None
        if self.windows is not None:
            # A copy trimmed by a fifth, found through a window, is looked at through it.
            through = self.windows.through(rec_a, rec_b)
            reframable |= through[0]
        ruled, overlaid = first_test(
            sig_a, sig_b.reshape(-1, 256), self.loaded.flat[a] | self.loaded.flat[b]
        )
        ruled_out = both & ~reframable & ~centred & ruled
        if through is not None:
            # Unless the window's part of its owner fails it too (core.window_glimpse). A
            # framed copy or one of another shape is reframed by the check, not through the
            # window: the glance does not speak for it.
            asked = (
                both
                & ruled
                & ~centred
                & ~reframed
                & ~(self._has_fine[rec_a] & self._has_fine[rec_b])
            )
            pairs = (rec_a, rec_b, turn)
            ruled_out |= apart_through(through, self.records, pairs, asked, self._thumbs_of)
        # A sticker over most of a quiet photo's contrast leaves the rest agreeing at 16x16
        # and the 32x32 residual over the look's usual bound: looked at as far over it as a
        # pair whose middles agree. Not pictures of flat areas and edges, whose content the
        # overlay's place left out may be all of (core.prefilter.first_test).
        centred |= overlaid & ~self._has_fine[rec_a] & ~self._has_fine[rec_b]
        # Two screenshots of different photos agree on their chrome, which is most of them.
        # Only pictures of flat areas and edges (a photo with dark corners may seem to
        # have chrome too).
        ruled_out |= (
            both
            & (turn == 0)
            & self._has_fine[rec_a]
            & self._has_fine[rec_b]
            & self._has_photo[rec_a]
            & self._has_photo[rec_b]
            & (np.bitwise_count(self._photo[rec_a] ^ self._photo[rec_b]) > _PHOTOS_APART_BITS)
        )
        out[ruled_out] = np.inf
        both &= ~ruled_out
        if both.any():
            out[both] = self._second_looks(
                turn[both],
                rec_a[both],
                rec_b[both],
                self._thumb_residuals(
                    a[both], b[both], turn[both], rec_a[both], rec_b[both], centred[both], memo
                ),
                memo,
            )
        # Without thumbnails (records loaded from a saved report) the hash decides alone;
        # records whose thumbnails the store lost are never passed.
        unknown = self.loaded.lost[rec_a] | self.loaded.lost[rec_b]
        out[unknown] = np.inf
        return out, unknown

    def _second_looks(
        self,
        turn: I64,
        rec_a: I64,
        rec_b: I64,
        res: npt.NDArray[np.float32],
        memo: RowMemo | None = None,
    ) -> npt.NDArray[np.float32]:
        """``res`` with the pairs that failed looked at again as a trimmed, cropped or framed
        copy through the window that brought them together (core.window_candidates), and
        as a straightened copy (core.straighten); both keep the check's limit. Two pictures
        of flat areas and edges (slides, pages) are looked at through a window, and
        straightened, as they are checked whole (fine thumbnails, layout rules) and in
        colour."""
        limit = self._good_enough
        flat = FlatJudge(
            lambda records: fines_to_array(self._fines_of(records)),
            lambda r, fa, fb, shapes: _apart_in_layout(r, limit, fa, fb, shapes),
            self.again.colour_of,
        )
        if self.windows is not None:
            res = self.windows.looked_again(
                rec_a,
                rec_b,
                turn,
                res,
                limit,
                self._thumbs_of,
                self.again.text_of,
                self._has_fine,
                flat,
                memo,
            )
        pairs = (rec_a, rec_b, turn)
        return straightened_looks(
            res, limit, pairs, self._thumbs_of, self._aspects, self._has_fine, flat, memo
        )

    def _thumb_residuals(
        self,
        a: I64,
        b: I64,
        turn: I64,
        rec_a: I64,
        rec_b: I64,
        centred: npt.NDArray[np.bool_],
        memo: RowMemo | None = None,
    ) -> npt.NDArray[np.float32]:
        """``residuals`` of pairs that both have thumbnails (rows ``a``, ``b`` of the loaded
        thumbnails; records ``rec_a``, ``rec_b``); pairs where both also have fine
        thumbnails get them, fetched and decompressed a bounded batch at a time."""
        out = np.empty(a.size, dtype=np.float32)
        fine = self._has_fine[rec_a] & self._has_fine[rec_b]
        for sel, with_fine in ((~fine, False), (fine, True)):
            idx = np.flatnonzero(sel)
            step = _FINE_BATCH if with_fine else max(idx.size, 1)
            for start in range(0, idx.size, step):
                part = idx[start : start + step]
                ta = self.loaded.thumbs[a[part]]
                tb = turn_stack(self.loaded.thumbs[b[part]], turn[part])
                fa = fb = present = None
                if with_fine:
                    fa, has_a = fines_to_array(self._fines_of(rec_a[part]))
                    fb, has_b = fines_to_array(self._fines_of(rec_b[part]))
                    fb = turn_stack(fb, turn[part])
                    # A fine thumbnail the store no longer holds: not comparable (two blank
                    # ones would look identical).
                    self.loaded.lost[rec_a[part][~has_a]] = True
                    self.loaded.lost[rec_b[part][~has_b]] = True
                    present = has_a & has_b
                # The pairs' shapes, measured once for the check and both looks after it.
                shapes = self._aspects(rec_a[part], rec_b[part], turn[part])
                same_shape = _same_shape(shapes)
                # Reframing (a border trimmed, a crop to the other's shape) is not offered
                # to two pictures of flat areas and edges: slides and pages have uniform
                # margins, and reframed pairs skip the fine check that tells them apart.
                reframe_to = None if with_fine else shapes
                out[part] = residuals(ta, tb, self._good_enough, fa, fb, reframe_to, memo, present)
                if fa is not None and fb is not None:
                    out[part] = _apart_in_layout(out[part], self._good_enough, fa, fb, shapes)
                out[part] = self._local_edits(
                    out[part], rec_a[part], rec_b[part], turn[part], same_shape, centred[part], memo
                )
                # Pictures of flat areas and edges too: two slides on one plain background
                # (JPEGs) or two forms in small print agree on every tile of the fine
                # thumbnails, where their text is a pixel thin.
                out[part] = self._apart_by_text(
                    out[part], rec_a[part], rec_b[part], turn[part], shapes, same_shape
                )
        return out

    def _local_edits(
        self,
        res: npt.NDArray[np.float32],
        a: I64,
        b: I64,
        turn: I64,
        same_shape: npt.NDArray[np.bool_],
        centred: npt.NDArray[np.bool_],
        memo: RowMemo | None = None,
    ) -> npt.NDArray[np.float32]:
        """``res`` with the pairs that failed but are copies with one local edit (a caption
        bar, a sticker, darkened corners, a trim the 32x32 alignment missed: core.local_edits)
        given their residual from the second look. Both files are decoded again at 128x128;
        only pairs of one shape (``same_shape``) whose 32x32 residual is below
        ``LOOK_BELOW`` are looked at, or below ``CENTRED_LOOK_BELOW`` when most of the
        picture is known to agree (``centred``: the middles agree, core.prefilter
        .middles_agree, or two photos agree once one overlay's place is left out,
        core.prefilter.first_test): a caption or a sticker over much of it then pushes the
        32x32 residual far up without the picture being another."""
        below = np.where(centred, CENTRED_LOOK_BELOW, LOOK_BELOW)
        look = np.flatnonzero((res > self._good_enough) & (res < below) & same_shape)
        out: npt.NDArray[np.float32] = res.copy()
        # A bounded number of pairs' pictures stacked at once (a wave may look at thousands).
        for start in range(0, look.size, _DETAILS_AT_ONCE):
            part = look[start : start + _DETAILS_AT_ONCE]
            picked, pa, pb = self.again.of_pairs(part, a, b, turn)
            if picked.size:
                flat_and_edges = self._has_fine[a[picked]] & self._has_fine[b[picked]]
                edited = local_edit_residuals(pa, pb, flat_and_edges, None, self._good_enough, memo)
                in_colour(
                    edited,
                    self._good_enough,
                    (a[picked], b[picked], turn[picked]),
                    (pa, pb),
                    flat_and_edges,
                    self.again.colours_of,
                    memo,
                )
                out[picked] = np.minimum(res[picked], edited)
        return out

    def _apart_by_text(
        self,
        res: npt.NDArray[np.float32],
        a: I64,
        b: I64,
        turn: I64,
        shapes: npt.NDArray[np.float32],
        same_shape: npt.NDArray[np.bool_],
    ) -> npt.NDArray[np.float32]:
        """``res`` with the pairs that passed but are two slides on one background or two
        pages of one template (each file has text of its own: core.strokes) set to infinity.
        Both files are decoded again at 256x256, once per file and grouping; ``shapes``
        (``_aspects``) let a straightened copy be told from two slides. Pairs of other shapes
        (not ``same_shape``: reframed by the check), pairs without a two-sided difference at
        32x32 (core.second_look: re-encodes, resizes, re-grades, watermarks) and files that
        cannot be read again keep their verdict."""
        look = np.flatnonzero((res <= self._good_enough) & same_shape)
        if look.size:
            # Plain copies (no two-sided difference at 32x32) are not decoded again.
            rows_a, rows_b = self.loaded.rows(a[look]), self.loaded.rows(b[look])
            tb = turn_stack(self.loaded.thumbs[rows_b], turn[look])
            look = look[worth_a_look(self.loaded.thumbs[rows_a], tb)]
        out: npt.NDArray[np.float32] = res.copy()
        for start in range(0, look.size, _TEXTS_AT_ONCE):
            part = look[start : start + _TEXTS_AT_ONCE]
            picked, pa, pb = self.again.of_pairs(part, a, b, turn, text=True)
            if picked.size:
                out[picked[two_sided_text(pa, pb, shapes[picked])]] = np.inf
        return out

    def _thumbs_of(self, records: I64) -> npt.NDArray[np.uint8]:
        """The 32x32 thumbnails of these records (loaded when missing)."""
        out: npt.NDArray[np.uint8] = self.loaded.thumbs[self.loaded.rows(records)]
        return out

    def _fines_of(self, records: I64) -> list[bytes]:
        """The fine thumbnails of these records, from the records or from the source."""
        chosen = [self.records[i] for i in records.tolist()]
        if self._fine_source is None or all(r.fingerprint.fine for r in chosen):
            return [r.fingerprint.fine for r in chosen]
        return list(self._fine_source([r.key for r in chosen]))

    def _aspects(self, a: I64, b: I64, turn: I64) -> npt.NDArray[np.float32]:
        """(width / height of ``a``, of ``b`` turned by ``turn``) per pair, as displayed."""
        if self._shape is None:
            self._shape = np.array(
                [(r.fingerprint.width, max(1, r.fingerprint.height)) for r in self.records],
                dtype=np.float32,
            ).reshape(-1, 2)
        ratio = self._shape[:, 0] / self._shape[:, 1]
        rb = ratio[b]
        quarter = turn >= _FIRST_QUARTER_TURN
        rb[quarter] = 1 / rb[quarter]
        out: npt.NDArray[np.float32] = np.stack([ratio[a], rb], axis=1).astype(np.float32)
        return out
