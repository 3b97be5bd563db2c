"""Keeper-centred groups: every file offered for removal was compared with the file that stays.

Files are visited best keeper first. An unassigned file becomes the keeper of every still
unassigned file within T of it. Chains (A~B~C with A far from C) cannot form, and a file is
never put under a keeper worse than itself: a file left with no unassigned neighbour stays
out of every group rather than join a worse file's group.

"Within T" means a dHash distance of at most T bits to the keeper and, with verification
on (the default), a thumbnail residual against the keeper of at most ``max_residual``
(core.verify). With ``rotations`` the distance is taken in whichever of the eight
orientations of the file matches the keeper best (core.orientations), and verification
compares the keeper with the file turned that way.

Over 500 lines on purpose: candidate expansion, the batched thumbnail checks, the words for
what differs and the keeper-first walk share the index's loaded thumbnails and kept verdicts
(one ``SimilarityIndex``); the array arithmetic of candidate pairs is in core.candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import (
    Candidates,
    adjacency,
    cross,
    file_id,
    pair_id,
    pairs_within_segments,
    said_id,
)
from dedupe_gui.core.companions import JPEG_PARTNER, RAW_PARTNER
from dedupe_gui.core.differences import describe, framed
from dedupe_gui.core.fingerprint import FingerprintError, detail_grey
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hamming import Pairs, cross_pairs, self_pairs
from dedupe_gui.core.keeper import NO_STANDING, Standing, keeper_key
from dedupe_gui.core.local_edits import LOOK_BELOW, local_edit_residuals
from dedupe_gui.core.models import FileKey, Group, GroupMember, ImageRecord
from dedupe_gui.core.orientations import INVERSE, relation, transform_grid
from dedupe_gui.core.second_look import worth_a_look
from dedupe_gui.core.standing import (
    Members,
    camera_originals,
    framed_beside_clean,
    losing_orientations,
)
from dedupe_gui.core.straighten import straightened_again
from dedupe_gui.core.strokes import two_sided_text
from dedupe_gui.core.verify import (
    DEFAULT_MAX_RESIDUAL,
    FLAT_DETAIL,
    THUMB_SIDE,
    border_of,
    detail,
    explain,
    fines_to_array,
    hopeless,
    residuals,
    signatures,
    thumbs_to_array,
)
from dedupe_gui.core.window_candidates import WindowCandidates, photo_box_of
from dedupe_gui.core.windows import photo_box

I64 = npt.NDArray[np.int64]
_T = TypeVar("_T", bound=np.generic)

# Where the verification thumbnails of records come from when the records do not hold them:
# the stored thumbnail of each file version asked for (empty bytes when there is none).
ThumbSource = Callable[[Sequence[FileKey]], Sequence[bytes]]

# Keepers whose thumbnail checks are batched together (see SimilarityIndex._prefetch).
_WAVE = 256
# Orientations from this one on swap width and height (core.orientations).
_FIRST_QUARTER_TURN = 4
# Rows added at least when the loaded thumbnails' buffers grow.
_GROW_ROWS = 1024
# Pairs whose fine thumbnails (16 KB each, decompressed) are checked at once.
_FINE_BATCH = 512
# Pairs aligned at once to say what differs: big enough to spread numpy's cost per call,
# small enough to keep the temporaries (some 80 KB a pair) in tens of megabytes.
_EXPLAIN_BATCH = 512
# Pictures decoded again at 128x128 for the text check kept at once (16 KB each): a file's
# pairs are mostly checked in one wave, and keeping every one decoded held 16 KB per checked
# file (480 MB of a 100,000-file library's cold scan).
_DETAILS_KEPT = 2048
# Pairs whose shapes differ by less than this ratio get the text check (core.strokes); the
# others are compared reframed (core.verify._second_chance).
_SAME_SHAPE = 1.1


class GroupingStopped(Exception):
    """The caller asked a running grouping to stop (a newer one replaces it, or the app closes).

    Nothing partial is returned: a grouping cut short would offer a wrong set of groups. What
    was checked so far is kept in the index, so the next grouping does not repeat it.
    """


StopCheck = Callable[[], bool]
GroupingProgress = Callable[[int, int], None]  # keepers visited, of all records


@dataclass(frozen=True, slots=True)
class GroupingSummary:
    groups: int
    duplicates: int
    reclaimable_bytes: int


def summarise(groups: Sequence[Group]) -> GroupingSummary:
    return GroupingSummary(
        len(groups),
        sum(sum(1 for m in g.members if not m.keep) for g in groups),
        sum(g.reclaimable_bytes for g in groups),
    )


class SimilarityIndex:
    """The records of one scan, ready to be grouped at any threshold without rehashing.

    Pairs are searched once at the largest threshold asked for so far and filtered for
    smaller ones, and each pair's verification residual is computed once and kept, so
    moving a threshold slider back and forth costs only the grouping.
    """

    def __init__(
        self,
        records: Sequence[ImageRecord],
        known_checks: Mapping[int, float] | None = None,
        thumbs: ThumbSource | None = None,
        fines: ThumbSource | None = None,
        known_words: Mapping[int, tuple[str, ...]] | None = None,
    ) -> None:
        """``known_checks``: residuals by ``pair_id`` from an earlier run (a cache), computed
        with the default limit (DEFAULT_MAX_RESIDUAL); pairs found there are not checked again.
        ``thumbs``: where to fetch verification thumbnails when the records do not carry them
        (FingerprintStore.thumbs); either way only files of checked pairs are loaded.
        ``fines``: the same for the fine thumbnails of slides and documents
        (FingerprintStore.fines). ``known_words``: what differs, by ``said_id`` of (keeper,
        file, turn), from an earlier run; those pairs are not aligned again.
        """
        self.records = tuple(records)
        n = len(self.records)
        hashes = np.fromiter((r.fingerprint.hash for r in self.records), dtype=np.uint64, count=n)
        self._unique, self._inverse = np.unique(hashes, return_inverse=True)
        self._inverse = self._inverse.reshape(-1)
        self._pairs = Pairs.empty()
        self._pairs_threshold = -1
        self._turned_pairs = Pairs.empty()
        self._turned_threshold = -1
        self._turned_index: tuple[npt.NDArray[np.uint64], I64, I64] | None = None
        self._windows: WindowCandidates | None = None
        # Records sharing each unique hash, in record order: order[bounds[u]:bounds[u + 1]].
        self._order: I64 = np.argsort(self._inverse, kind="stable").astype(np.int64)
        self._bounds: I64 = np.searchsorted(
            self._inverse[self._order], np.arange(self._unique.size + 1)
        ).astype(np.int64)
        self._thumb_source = thumbs
        # Records whose thumbnail (or fine thumbnail) should have come from the store but
        # did not: their pairs are never passed by the check.
        self._lost: npt.NDArray[np.bool_] = np.zeros(n, dtype=bool)
        # Thumbnails of the records that took part in a check so far, row _thumb_row[i] for
        # record i (-1: not loaded), with their signatures and flatness: a library's worth of
        # them at once cost 100 MB and, as floats, four times that again.
        self._thumb_row: I64 = np.full(n, -1, dtype=np.int64)
        self._loaded = 0
        self._thumbs = np.zeros((0, THUMB_SIDE, THUMB_SIDE), dtype=np.uint8)
        self._has_thumb = np.zeros(0, dtype=bool)
        self._signatures = np.zeros((0, 256), dtype=np.float32)
        self._flat = np.zeros(0, dtype=bool)
        self._framed = np.zeros(0, dtype=bool)  # a uniform border around the picture
        # Rows whose signature, flatness and frame are computed: only rows that take part in
        # a thumbnail check need them, not those loaded to say what differs or for the
        # keeper rules (most of a warm rescan's, whose checks are kept).
        self._featured = np.zeros(0, dtype=bool)
        # Which records have a fine thumbnail (core.verify), and a source for it when the
        # records do not carry it (loaded from a cache without thumbnails).
        self._fine_source = fines
        self._has_fine: npt.NDArray[np.bool_] = np.fromiter(
            (bool(r.fingerprint.fine) or r.fingerprint.detailed for r in self.records),
            dtype=bool,
            count=n,
        )
        self._shape: npt.NDArray[np.float32] | None = None
        # What tells a file from a keeper, by (keeper, file, turn): kept across thresholds.
        self._said: dict[tuple[int, int, int], tuple[str, ...]] = {}
        # The same from an earlier run (a cache), by said_id, and what was said since.
        self._known_words: Mapping[int, tuple[str, ...]] = known_words or {}
        self._new_words: dict[int, tuple[str, ...]] = {}
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
        self._checked: dict[int, float] = {}  # computed in this index
        self._new_checks: dict[int, float] = {}
        self._file_ids: npt.NDArray[np.uint64] | None = None
        # The residual limit the kept residuals were computed for: below it a pair's check
        # stops early (core.verify.residuals), so other limits need fresh checks.
        self._good_enough = DEFAULT_MAX_RESIDUAL
        self._rankings: dict[tuple[tuple[str, ...], Standing], tuple[list[int], I64]] = {}
        self._keys: dict[tuple[str, ...], list[tuple[float | int | str, ...]]] = {}
        self._index_of: dict[FileKey, int] | None = None
        self._cameras: npt.NDArray[np.bool_] | None = None
        # Width and height shares of each record's picture inside a uniform frame ((1, 1):
        # none; NaN: not computed yet), and the records' pixel shapes.
        self._inside = np.full((n, 2), np.nan, dtype=np.float64)
        self._pixel_shape: I64 | None = None
        self._shots: I64 | None = None
        # Pictures decoded again at 128x128 for the text check (_apart_by_text), by record.
        self._details: dict[int, npt.NDArray[np.uint8] | None] = {}

    # -- candidate pairs -----------------------------------------------------------------

    def _pairs_at(self, threshold: int) -> Pairs:
        if threshold > self._pairs_threshold:
            self._pairs = self_pairs(self._unique, threshold)
            self._pairs_threshold = threshold
        if threshold == self._pairs_threshold:
            return self._pairs
        keep = self._pairs.distance <= threshold
        return Pairs(self._pairs.a[keep], self._pairs.b[keep], self._pairs.distance[keep])

    def _plain(self, threshold: int) -> Candidates:
        """Record pairs whose upright hashes are within ``threshold`` (same hash included)."""
        pairs = self._pairs_at(threshold)
        same_a, same_b = pairs_within_segments(self._order, self._bounds)
        # Each unique-hash pair stands for every pairing of the files behind the two hashes.
        pos_a, pos_b, which = cross(self._bounds, pairs.a, self._bounds, pairs.b)
        cross_a, cross_b = self._order[pos_a], self._order[pos_b]
        a = np.concatenate([same_a, cross_a])
        return Candidates(
            a,
            np.concatenate([same_b, cross_b]),
            np.zeros(a.size, np.int64),
            np.concatenate(
                [np.zeros(same_a.size, np.int64), pairs.distance[which].astype(np.int64)]
            ),
        )

    def _turned(self, threshold: int) -> Candidates:
        """Record pairs where one file's upright hash is within ``threshold`` of another's
        hash in one of orientations 1-7."""
        if self._turned_index is None:
            values: list[int] = []
            owner: list[int] = []
            turns: list[int] = []
            for i, r in enumerate(self.records):
                for t, h in enumerate(r.fingerprint.turned, start=1):
                    values.append(h)
                    owner.append(i)
                    turns.append(t)
            all_values = np.array(values, dtype=np.uint64)
            uniq, inv = np.unique(all_values, return_inverse=True)
            order = np.argsort(inv.reshape(-1), kind="stable")
            self._turned_index = (
                uniq,
                np.searchsorted(inv.reshape(-1)[order], np.arange(uniq.size + 1)).astype(np.int64),
                np.stack([np.array(owner, np.int64)[order], np.array(turns, np.int64)[order]]),
            )
        uniq, bounds, owner_turn = self._turned_index
        if threshold > self._turned_threshold:
            self._turned_pairs = cross_pairs(self._unique, uniq, threshold)
            self._turned_threshold = threshold
        pairs = self._turned_pairs
        keep = pairs.distance <= threshold
        # Every file behind the upright hash against every (file, turn) behind the turned one.
        pos_a, slot, which = cross(self._bounds, pairs.a[keep], bounds, pairs.b[keep])
        a = self._order[pos_a]
        b, turn = owner_turn[0, slot], owner_turn[1, slot]
        other = a != b  # a file turned onto itself (a symmetric picture) is no pair
        return Candidates(
            a[other],
            b[other],
            turn[other],
            pairs.distance[keep][which][other].astype(np.int64),
        )

    def _without_shot_partners(self, c: Candidates) -> Candidates:
        """``c`` without pairs of a RAW and the JPEG the camera wrote with it: one shot, not
        two copies (core.companions)."""
        if self._shots is None:
            index_of = {r.path: i for i, r in enumerate(self.records)}
            n = len(self.records)
            pairs = [
                min(i, j) * n + max(i, j)
                for i, r in enumerate(self.records)
                for comp in r.companions
                if comp.kind in (RAW_PARTNER, JPEG_PARTNER)
                and (j := index_of.get(comp.path)) is not None
            ]
            self._shots = _distinct(np.array(pairs, dtype=np.int64))
        if self._shots.size == 0:
            return c
        n = len(self.records)
        keys = np.minimum(c.a, c.b) * n + np.maximum(c.a, c.b)
        keep = ~np.isin(keys, self._shots)
        return Candidates(c.a[keep], c.b[keep], c.turn[keep], c.distance[keep])

    # -- verification --------------------------------------------------------------------

    def _pair_keys(self, keepers: I64, others: I64, turns: I64) -> tuple[I64, I64, I64, I64]:
        """One key per unordered pair and turn, stable across runs (see ``pair_id``), and the
        pair in canonical order: (low, high, high's turn seen from low)."""
        ids = self._ids()
        inverse = np.asarray(INVERSE, dtype=np.int64)
        low_first = ids[others] > ids[keepers]
        lo = np.where(low_first, keepers, others)
        hi = np.where(low_first, others, keepers)
        turn = np.where(low_first, turns, inverse[turns])
        return pair_id(ids[lo], ids[hi], turn), lo, hi, turn

    def _ids(self) -> npt.NDArray[np.uint64]:
        """``file_id`` of every record, computed once."""
        if self._file_ids is None:
            self._file_ids = np.fromiter(
                (file_id(r) for r in self.records), dtype=np.uint64, count=len(self.records)
            )
        return self._file_ids

    def _check(self, keepers: I64, others: I64, turns: I64) -> npt.NDArray[np.float32]:
        """Residuals of keeper-candidate pairs, each computed at most once and then kept."""
        keys, lo, hi, turn = self._pair_keys(keepers, others, turns)
        res = np.full(keys.size, np.nan, dtype=np.float32)
        if self._known_pairs.size:
            pos = np.searchsorted(self._known_pairs, keys).clip(max=self._known_pairs.size - 1)
            hit = self._known_pairs[pos] == keys
            res[hit] = self._known_residuals[pos[hit]]
        if self._checked:
            rest = np.flatnonzero(np.isnan(res))
            res[rest] = [self._checked.get(k, np.nan) for k in keys[rest].tolist()]
        todo = np.isnan(res)
        if todo.any():
            fresh, unknown = self._residuals(lo[todo], hi[todo], turn[todo])
            res[todo] = fresh
            new = dict(zip(keys[todo].tolist(), fresh.tolist(), strict=True))
            self._checked.update(new)
            # A pair that could not be checked (a thumbnail the store no longer holds) is
            # not grouped now, and its verdict is not kept: the next scan decodes the files
            # again and checks the pair for real.
            self._new_checks.update(
                (k, v)
                for (k, v), lost in zip(new.items(), unknown.tolist(), strict=True)
                if not lost
            )
        return res

    def take_new_checks(self) -> tuple[dict[int, float], float]:
        """Residuals computed since the last call (by ``pair_id``) and the limit they stopped
        at, for a cache to keep (FingerprintStore.put_pair_checks)."""
        new, self._new_checks = self._new_checks, {}
        return new, self._good_enough

    def take_new_words(self) -> dict[int, tuple[str, ...]]:
        """What differs, said since the last call (by ``said_id``), for a cache to keep
        (FingerprintStore.put_pair_words). Only pairs whose thumbnails were both there: the
        words of a pair judged without them would stand in for the real ones next time."""
        new, self._new_words = self._new_words, {}
        return new

    def _prefetch(
        self,
        upcoming: Sequence[int],
        taken: npt.NDArray[np.bool_],
        rank: I64,
        indptr: I64,
        nbr: I64,
        turns: I64,
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
            lo, hi = int(indptr[best]), int(indptr[best + 1])
            cand = nbr[lo:hi]
            sel = ~taken[cand] & (rank[cand] > rank[best])
            if sel.any():
                others.append(cand[sel])
                ks.append(turns[lo:hi][sel])
                keepers.append(np.full(int(sel.sum()), best, dtype=np.int64))
        if others:
            self._check(np.concatenate(keepers), np.concatenate(others), np.concatenate(ks))

    def _thumb_rows(self, wanted: I64) -> I64:
        """The row of each record of ``wanted`` in the loaded thumbnails, loading the missing."""
        missing = _distinct(wanted[self._thumb_row[wanted] < 0])
        if missing.size:
            chosen = [self.records[i] for i in missing.tolist()]
            blobs: Sequence[bytes] = [r.fingerprint.thumb for r in chosen]
            if self._thumb_source is not None and not all(blobs):
                blobs = self._thumb_source([r.key for r in chosen])
                # The records were read without their thumbnails, which stay in the store:
                # one the store cannot give back now (it was damaged and rebuilt during the
                # scan) leaves the file unverifiable, never verified.
                lost = [i for i, blob in zip(missing.tolist(), blobs, strict=True) if not blob]
                self._lost[lost] = True
            thumbs, has = thumbs_to_array(blobs)
            start, end = self._loaded, self._loaded + missing.size
            if end > self._thumbs.shape[0]:
                # A quarter more at a time, never more than every record: doubling left up
                # to half of a 100,000-file library's buffers empty, and held both copies at
                # once while growing (2 KB a row).
                capacity = min(
                    len(self.records), max(end, self._thumbs.shape[0] * 5 // 4 + _GROW_ROWS)
                )
                self._thumbs = _grown(self._thumbs, capacity)
                self._has_thumb = _grown(self._has_thumb, capacity)
                self._signatures = _grown(self._signatures, capacity)
                self._flat = _grown(self._flat, capacity)
                self._framed = _grown(self._framed, capacity)
                self._featured = _grown(self._featured, capacity)
            self._thumbs[start:end] = thumbs
            self._has_thumb[start:end] = has
            self._thumb_row[missing] = np.arange(start, end, dtype=np.int64)
            self._loaded = end
        return self._thumb_row[wanted]

    def _featured_rows(self, *rows: I64) -> None:
        """Compute the signature, flatness and frame of these loaded rows, where not yet."""
        todo = _distinct(np.concatenate(rows))
        todo = todo[~self._featured[todo]]
        if todo.size:
            thumbs = self._thumbs[todo]
            self._signatures[todo] = signatures(thumbs)
            self._flat[todo] = detail(thumbs) < FLAT_DETAIL
            self._framed[todo] = [border_of(t, loose=True) is not None for t in thumbs]
            self._featured[todo] = True

    def _residuals(
        self, a: I64, b: I64, turn: I64
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """The residual of thumbnail ``a`` against thumbnail ``b`` turned by ``turn``, and
        which pairs could not be checked (their residual is infinite, not a verdict)."""
        rec_a, rec_b = a, b
        a = self._thumb_rows(a)
        b = self._thumb_rows(b)
        self._featured_rows(a, b)
        out = np.zeros(a.size, dtype=np.float32)
        both = self._has_thumb[a] & self._has_thumb[b]
        # Pairs ruled out by their 16x16 correlation (upright and turned signatures are
        # compared through the same transform as the thumbnails).
        sig_b = self._signatures[b].reshape(-1, 16, 16).copy()
        for k in _distinct(turn).tolist():
            sel = turn == k
            sig_b[sel] = transform_grid(sig_b[sel], k)
        # A framed copy, or one of another shape (a square crop), correlates poorly before
        # it is reframed (core.verify._second_chance): never ruled out here.
        shapes = self._aspects(rec_a, rec_b, turn)
        ratio = shapes[:, 0] / shapes[:, 1]
        spread = np.maximum(ratio, 1 / np.maximum(ratio, 1e-6))
        reframable = self._framed[a] | self._framed[b] | ((spread > 1.1) & (spread < 1.8))
        ruled_out = (
            both
            & ~reframable
            & hopeless(self._signatures[a], sig_b.reshape(-1, 256), self._flat[a] | self._flat[b])
        )
        out[ruled_out] = np.inf
        both &= ~ruled_out
        if both.any():
            out[both] = self._second_looks(
                a[both],
                b[both],
                turn[both],
                rec_a[both],
                rec_b[both],
                self._thumb_residuals(a[both], b[both], turn[both], rec_a[both], rec_b[both]),
            )
        # Without thumbnails (records loaded from a saved report) the hash decides alone;
        # records whose thumbnails the store lost are never passed.
        unknown = self._lost[rec_a] | self._lost[rec_b]
        out[unknown] = np.inf
        return out, unknown

    def _second_looks(
        self, a: I64, b: I64, turn: I64, rec_a: I64, rec_b: I64, res: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.float32]:
        """``res`` with the pairs that failed looked at again as a trimmed, cropped or framed
        copy through the window that brought them together (core.window_candidates), and
        as a straightened copy (core.straighten); both keep the check's limit. Pictures of
        flat areas and edges that both have fine thumbnails (slides, pages) are not
        straightened: their verdict rests on the fine check."""
        limit = self._good_enough
        if self._windows is not None:
            res = self._windows.looked_again(
                rec_a,
                rec_b,
                turn,
                res,
                limit,
                lambda records: self._thumbs[self._thumb_rows(records)],
                self._detail_of,
                self._has_fine,
            )
        upright = np.flatnonzero((turn == 0) & ~(self._has_fine[rec_a] & self._has_fine[rec_b]))
        if upright.size:
            shapes = self._aspects(rec_a[upright], rec_b[upright], turn[upright])
            out = res.copy()
            out[upright] = straightened_again(
                res[upright],
                limit,
                self._thumbs[a[upright]],
                self._thumbs[b[upright]],
                shapes[:, 0],
                shapes[:, 1],
            )
            res = out
        return res

    def _thumb_residuals(
        self, a: I64, b: I64, turn: I64, rec_a: I64, rec_b: I64
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
                ta = self._thumbs[a[part]]
                tb = _turn_stack(self._thumbs[b[part]], turn[part])
                fa = fb = None
                if with_fine:
                    fa, has_a = fines_to_array(self._fines_of(rec_a[part]))
                    fb, has_b = fines_to_array(self._fines_of(rec_b[part]))
                    fb = _turn_stack(fb, turn[part])
                    # A fine thumbnail the store no longer holds: not comparable (two blank
                    # ones would look identical).
                    self._lost[rec_a[part][~has_a]] = True
                    self._lost[rec_b[part][~has_b]] = True
                # Reframing (a border trimmed, a crop to the other's shape) is not offered
                # to two pictures of flat areas and edges: slides and pages have uniform
                # margins, and reframed pairs skip the fine check that tells them apart.
                shapes = None if with_fine else self._aspects(rec_a[part], rec_b[part], turn[part])
                out[part] = residuals(ta, tb, self._good_enough, fa, fb, shapes)
                out[part] = self._local_edits(out[part], rec_a[part], rec_b[part], turn[part])
                if shapes is not None:
                    out[part] = self._apart_by_text(
                        out[part], rec_a[part], rec_b[part], turn[part], shapes
                    )
        return out

    def _local_edits(
        self, res: npt.NDArray[np.float32], a: I64, b: I64, turn: I64
    ) -> npt.NDArray[np.float32]:
        """``res`` with the pairs that failed but are copies with one local edit (a caption
        bar, a sticker, darkened corners, a trim the 32x32 alignment missed: core.local_edits)
        given their residual from the second look. Both files are decoded again at 128x128;
        only pairs of one shape whose 32x32 residual is below ``LOOK_BELOW`` are looked at."""
        shapes = self._aspects(a, b, turn)
        ratio = shapes[:, 0] / np.maximum(shapes[:, 1], 1e-6)
        spread = np.maximum(ratio, 1 / np.maximum(ratio, 1e-6))
        look = np.flatnonzero(
            (res > self._good_enough) & (res < LOOK_BELOW) & (spread < _SAME_SHAPE)
        )
        picked, pa, pb = self._details_of_pairs(look, a, b, turn)
        if picked.size == 0:
            return res
        flat_and_edges = self._has_fine[a[picked]] & self._has_fine[b[picked]]
        out: npt.NDArray[np.float32] = res.copy()
        out[picked] = np.minimum(res[picked], local_edit_residuals(pa, pb, flat_and_edges))
        return out

    def _details_of_pairs(
        self, look: I64, a: I64, b: I64, turn: I64
    ) -> tuple[I64, npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
        """Of the pairs ``look``, those whose two files could be decoded again at 128x128,
        and the two stacks of pictures (the second file turned by the pair's turn)."""
        pa: list[npt.NDArray[np.uint8]] = []
        pb: list[npt.NDArray[np.uint8]] = []
        read: list[int] = []
        for k in look.tolist():
            x, y = self._detail_of(int(a[k])), self._detail_of(int(b[k]))
            if x is not None and y is not None:
                pa.append(x)
                pb.append(y)
                read.append(k)
        picked = np.array(read, dtype=np.int64)
        if not read:
            empty = np.zeros((0, 1, 1), dtype=np.uint8)
            return picked, empty, empty
        return picked, np.stack(pa), _turn_stack(np.stack(pb), turn[picked])

    def _apart_by_text(
        self,
        res: npt.NDArray[np.float32],
        a: I64,
        b: I64,
        turn: I64,
        shapes: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        """``res`` with the pairs that passed but are two slides on one background (each
        file has text of its own: core.strokes) set to infinity. Both files are decoded again
        at 128x128, once per file and grouping; pairs of other shapes (reframed by the check),
        pairs without a two-sided difference at 32x32 (core.second_look: re-encodes, resizes,
        re-grades, watermarks) and files that cannot be read again keep their verdict."""
        ratio = shapes[:, 0] / np.maximum(shapes[:, 1], 1e-6)
        spread = np.maximum(ratio, 1 / np.maximum(ratio, 1e-6))
        look = np.flatnonzero((res <= self._good_enough) & (spread < _SAME_SHAPE))
        if look.size:
            # Plain copies (no two-sided difference at 32x32) are not decoded again.
            rows_a, rows_b = self._thumb_rows(a[look]), self._thumb_rows(b[look])
            tb = _turn_stack(self._thumbs[rows_b], turn[look])
            look = look[worth_a_look(self._thumbs[rows_a], tb)]
        picked, pa, pb = self._details_of_pairs(look, a, b, turn)
        if picked.size == 0:
            return res
        apart = two_sided_text(pa, pb)
        out: npt.NDArray[np.float32] = res.copy()
        out[picked[apart]] = np.inf
        return out

    def _detail_of(self, record: int) -> npt.NDArray[np.uint8] | None:
        """The record's 128x128 picture (``detail_grey``), or None; the last ``_DETAILS_KEPT``
        decoded are kept, so a file in several pairs of a wave is decoded once."""
        if record in self._details:
            return self._details[record]
        if len(self._details) >= _DETAILS_KEPT:
            del self._details[next(iter(self._details))]  # the oldest
        try:
            picture: npt.NDArray[np.uint8] | None = detail_grey(self.records[record].path)
        except FingerprintError:
            picture = None
        self._details[record] = picture
        return picture

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

    def _explain_all(self, keepers: I64, others: I64, turns: I64, stop: Callable[[], bool]) -> None:
        """Say what tells each of ``others`` (turned by ``turns``) from its keeper, in words
        (core.differences), for the pairs not said yet; kept across thresholds like the
        residuals. The alignment behind it runs over many pairs at once: one group at a time,
        its fixed numpy cost per call made most of a warm rescan's grouping."""
        key_list = list(zip(keepers.tolist(), others.tolist(), turns.tolist(), strict=True))
        ids = self._ids()
        said_ids = said_id(ids[keepers], ids[others], turns).tolist()
        wanted: list[int] = []
        for j, key in enumerate(key_list):
            if key in self._said:
                continue
            kept = self._known_words.get(said_ids[j])
            if kept is None:
                wanted.append(j)
            else:
                self._said[key] = kept
        todo = np.array(wanted, np.int64)
        whole = (np.array([1.0, 1.0, 0.0, 0.0], np.float32), np.zeros((8, 8), dtype=bool))
        for start in range(0, todo.size, _EXPLAIN_BATCH):
            if stop():
                raise GroupingStopped
            part = todo[start : start + _EXPLAIN_BATCH]
            rows_k = self._thumb_rows(keepers[part])
            rows_o = self._thumb_rows(others[part])
            has = self._has_thumb[rows_k] & self._has_thumb[rows_o]
            params = np.tile(whole[0], (part.size, 1))
            differing = np.zeros((part.size, 8, 8), dtype=bool)
            if has.any():
                member = _turn_stack(self._thumbs[rows_o[has]], turns[part][has])
                params[has], differing[has] = explain(member, self._thumbs[rows_k[has]])
            for n, j in enumerate(part.tolist()):
                keeper, o, t = key_list[j]
                member_thumb = _turn_stack(self._thumbs[rows_o[n]][None], np.array([t]))[0]
                words = describe(
                    self.records[keeper],
                    self.records[o],
                    relation(t),
                    params[n],
                    differing[n],
                    border_of(member_thumb) if self._has_thumb[rows_o[n]] else None,
                    border_of(self._thumbs[rows_k[n]]) if self._has_thumb[rows_k[n]] else None,
                )
                self._said[(keeper, o, t)] = words
                if has[n]:
                    self._new_words[said_ids[j]] = words

    def _ranking(self, rules: tuple[str, ...], standing: Standing) -> tuple[list[int], I64]:
        """Records best keeper first, and each record's place in that order. The sort keys
        are kept per rule order; only the keys of the files ``standing`` names are computed
        again, so the second walk of a grouping does not recompute the rest."""
        cached = self._rankings.get((rules, standing))
        if cached is None:
            keys = self._keys.get(rules)
            if keys is None:
                plain = keeper_key(rules)
                keys = self._keys[rules] = [plain(r) for r in self.records]
            named = standing.turned | standing.framed
            if named:
                key = keeper_key(rules, standing)
                keys = list(keys)
                for i in self._indices_of(named):
                    keys[i] = key(self.records[i])
            order = sorted(range(len(self.records)), key=keys.__getitem__)
            rank = np.empty(len(self.records), dtype=np.int64)
            rank[order] = np.arange(len(self.records), dtype=np.int64)
            if len(self._rankings) > 8:  # one per rule order and threshold tried, not forever
                self._rankings.clear()
            cached = self._rankings[(rules, standing)] = (order, rank)
        return cached

    def _indices_of(self, keys: frozenset[FileKey]) -> list[int]:
        if self._index_of is None:
            self._index_of = {r.key: i for i, r in enumerate(self.records)}
        return [self._index_of[k] for k in keys]

    def _overlaid_keepers(self, formed: list[tuple[int, I64, I64, I64]], stop: StopCheck) -> I64:
        """Keepers of groups of three or more that most of their members see with an overlay
        in one place ("overlay at the bottom": a caption bar, a sticker). The words say where
        two files differ, not which one carries the overlay; when most of the others differ
        from the keeper in the same place, the keeper is the odd one out. A pair cannot tell.
        """
        wide = [(b, o, k) for b, o, _, k in formed if o.size >= 2]
        if not wide:
            return np.zeros(0, np.int64)
        self._explain_all(
            np.concatenate([np.full(o.size, b, dtype=np.int64) for b, o, _ in wide]),
            np.concatenate([o for _, o, _ in wide]),
            np.concatenate([k for _, _, k in wide]),
            stop,
        )
        out = []
        for best, others, turns in wide:
            places = Counter(
                w
                for o, t in zip(others.tolist(), turns.tolist(), strict=True)
                for w in self._said[(best, o, t)]
                if w.startswith("overlay at ")
            )
            if places and 2 * places.most_common(1)[0][1] > others.size:
                out.append(best)
        return np.array(out, np.int64)

    def _standing(
        self, formed: list[tuple[int, I64, I64, I64]], rules: tuple[str, ...], stop: StopCheck
    ) -> tuple[Standing, I64]:
        """What the formed groups say about their keepers (core.standing): a keeper turned
        against most of its group, or framed beside a clean member that shows the frame was
        added. Only groups whose keeper is such a file count; the files named are the members
        that lose within them. Nothing when no keeper is one."""
        none = (NO_STANDING, np.zeros(0, np.int64))
        upright, clean = "upright" in rules, "clean" in rules
        if not (upright or clean) or not formed:
            return none
        m = Members.of(formed)
        turned = np.zeros(0, np.int64)
        if upright and bool(m.turn.any()):
            if self._cameras is None:
                self._cameras = camera_originals(self.records)
            turned = m.record[losing_orientations(m, self._cameras[m.record])]
        boxed = np.zeros(0, np.int64)
        if clean:
            inside = self._inside_shares(m.record)
            if bool((inside < 1.0).any()):
                shape = self._shapes()
                lose = framed_beside_clean(m, inside, shape[m.record, 0], shape[m.record, 1])
                boxed = m.record[lose]
            boxed = np.concatenate((boxed, self._overlaid_keepers(formed, stop)))
        if not turned.size and not boxed.size:
            return none
        standing = Standing(
            frozenset(self.records[i].key for i in turned.tolist()),
            frozenset(self.records[i].key for i in boxed.tolist()),
        )
        return standing, _distinct(np.concatenate((turned, boxed)).astype(np.int64))

    def _shapes(self) -> I64:
        if self._pixel_shape is None:
            self._pixel_shape = np.array(
                [(r.fingerprint.width, max(1, r.fingerprint.height)) for r in self.records],
                dtype=np.int64,
            ).reshape(-1, 2)
        return self._pixel_shape

    def _inside_shares(self, wanted: I64) -> npt.NDArray[np.float64]:
        """For each record of ``wanted``, the width and height shares of the picture inside a
        uniform frame on two or more sides of its thumbnail (the border that "border added"
        names); (1, 1) for no frame or no thumbnail. Computed once per record."""
        missing = _distinct(wanted[np.isnan(self._inside[wanted, 0])])
        if missing.size:
            rows = self._thumb_rows(missing)
            for i, row in zip(missing.tolist(), rows.tolist(), strict=True):
                box = border_of(self._thumbs[row]) if self._has_thumb[row] else None
                # The photo inside a screenshot's chrome (a clock, a title, icons: not a
                # uniform border, which peels off one side at most) is framed too; placed on
                # the decoded picture, since a pixel of the thumbnail is 3 % of a phone
                # screenshot's height and the inside's shape is compared.
                if (
                    (box is None or not framed(box))
                    and self._has_thumb[row]
                    and photo_box(self._thumbs[row].astype(np.int16)) is not None
                ):
                    box = photo_box_of(self.records[i].path) or box
                ok = box is not None and framed(box)
                self._inside[i] = (box[2] - box[0], box[3] - box[1]) if box and ok else (1, 1)
        out: npt.NDArray[np.float64] = self._inside[wanted]
        return out

    # -- grouping ------------------------------------------------------------------------

    def groups(
        self,
        options: GroupingOptions,
        should_stop: StopCheck | None = None,
        progress: GroupingProgress | None = None,
    ) -> list[Group]:
        """Groups under ``options``, keeper first, sorted by the keeper's path.

        See the module docstring for what "within T" means with verification and rotations.
        ``should_stop`` is asked between batches of keepers (a few milliseconds apart) and
        ends the grouping with ``GroupingStopped``; ``progress`` hears how far it got.

        The rules that judge a file against its copies ("upright", "clean") learn what they
        need from the groups themselves, whose pairs were checked: when a group's keeper is
        a turned copy outvoted by its members, or a framed copy with a comparable clean one,
        the walk runs once more with those files ranked lower (core.standing). The candidate
        pairs alone are not enough: a plain picture is a candidate of dozens of unrelated ones.
        """
        threshold, verify = options.threshold, options.verify
        max_residual = (
            DEFAULT_MAX_RESIDUAL if options.max_residual is None else options.max_residual
        )
        stop = should_stop or (lambda: False)
        parts = [self._plain(threshold)]
        if options.rotations:
            parts.append(self._turned(threshold))
        if options.trims:
            if self._windows is None:
                self._windows = WindowCandidates(
                    self.records, self._unique, self._inverse, self._order, self._bounds
                )
            parts.append(self._windows.at(threshold))
        if stop():
            raise GroupingStopped
        candidates = Candidates.concat(parts)
        if not options.shot_partners:
            candidates = self._without_shot_partners(candidates)
        adjacent = adjacency(candidates, len(self.records))

        limit = np.float32(max_residual)
        if verify and max_residual != self._good_enough:
            self._known_pairs = self._known_pairs[:0]
            self._known_residuals = self._known_residuals[:0]
            self._checked.clear()
            self._new_checks.clear()
            self._good_enough = max_residual
        formed = self._walk(options.rules, NO_STANDING, adjacent, verify, limit, stop, progress)
        standing, affected = self._standing(formed, options.rules, stop)
        if affected.size:
            formed = self._walk(options.rules, standing, adjacent, verify, limit, stop, None)
        if formed:
            self._explain_all(
                np.concatenate([np.full(o.size, b, dtype=np.int64) for b, o, _, _ in formed]),
                np.concatenate([o for _, o, _, _ in formed]),
                np.concatenate([k for _, _, _, k in formed]),
                stop,
            )
        groups: list[Group] = []
        for best, others, d, k in formed:
            group = _make_group(
                self.records[best],
                [
                    (self.records[i], dd, relation(kk), self._said[(best, i, kk)])
                    for i, dd, kk in zip(others.tolist(), d.tolist(), k.tolist(), strict=True)
                ],
            )
            if group is not None:
                groups.append(group)
        groups.sort(key=lambda g: g.suggested_keeper.path)
        if progress is not None:
            progress(len(self.records), len(self.records))
        return groups

    def _walk(
        self,
        rules: tuple[str, ...],
        standing: Standing,
        adjacent: tuple[I64, I64, I64, I64],
        verify: bool,
        limit: np.float32,
        stop: StopCheck,
        progress: GroupingProgress | None,
    ) -> list[tuple[int, I64, I64, I64]]:
        """The keeper-first walk: groups as formed (keeper, others, distances, turns)."""
        indptr, nbr, dist, turns = adjacent
        rank_order, rank = self._ranking(rules, standing)
        taken = np.zeros(len(self.records), dtype=bool)
        formed: list[tuple[int, I64, I64, I64]] = []
        total = len(rank_order)
        for pos, best in enumerate(rank_order):
            if pos % _WAVE == 0:
                if stop():
                    raise GroupingStopped
                if progress is not None:
                    progress(pos, total)
                if verify:
                    self._prefetch(rank_order[pos : pos + _WAVE], taken, rank, indptr, nbr, turns)
            if taken[best]:
                continue
            taken[best] = True
            lo, hi = int(indptr[best]), int(indptr[best + 1])
            if lo == hi:
                continue
            free = ~taken[nbr[lo:hi]]
            if not free.any():
                continue
            others, d, k = nbr[lo:hi][free], dist[lo:hi][free], turns[lo:hi][free]
            if verify:
                keeper = np.full(others.size, best, dtype=np.int64)
                ok = self._check(keeper, others, k) <= limit
                others, d, k = others[ok], d[ok], k[ok]
                if others.size == 0:
                    continue
            taken[others] = True
            order = np.lexsort((rank[others], d))
            formed.append((best, others[order], d[order], k[order]))
        return formed


def _grown(array: npt.NDArray[_T], rows: int) -> npt.NDArray[_T]:
    """``array`` with room for ``rows`` rows, its rows kept (amortised growth)."""
    out = np.zeros((rows, *array.shape[1:]), dtype=array.dtype)
    out[: array.shape[0]] = array
    return out


def _distinct(values: I64) -> I64:
    """The sorted distinct values: ``np.unique(values)`` without its check for masked arrays,
    which imports numpy.ma (30-60 ms of every scan's start-up for a module never used)."""
    ordered = np.sort(values, axis=None)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _turn_stack(stack: npt.NDArray[np.uint8], turn: I64) -> npt.NDArray[np.uint8]:
    """Each square picture of ``stack`` turned by its orientation in ``turn``."""
    out: npt.NDArray[np.uint8] = stack.copy()
    for k in _distinct(turn).tolist():
        if k:
            sel = turn == k
            out[sel] = transform_grid(stack[sel], k)
    return out


def _make_group(
    keeper: ImageRecord, others: list[tuple[ImageRecord, int, str, tuple[str, ...]]]
) -> Group | None:
    """A group, or None when nothing in it could be removed (every other file is reference)."""
    if all(r.reference for r, _, _, _ in others):
        return None
    members = [GroupMember(keeper, 0, identical=False, keep=True)]
    for record, distance, turned, said in others:
        identical = (
            distance == 0
            and not turned
            and record.digest is not None
            and record.digest == keeper.digest
            and record.key.size == keeper.key.size
        )
        members.append(
            GroupMember(
                record,
                distance,
                identical=identical,
                keep=record.reference,
                orientation=turned,
                differences=() if identical else said,
            )
        )
    return Group(tuple(members))


def group_records(records: Sequence[ImageRecord], options: GroupingOptions) -> list[Group]:
    """One-shot grouping for callers that do not need to regroup."""
    return SimilarityIndex(records).groups(options)
