"""Keeper-centred groups: every file offered for removal was compared with the file that stays.

Files are visited best keeper first. An unassigned file becomes the keeper of every still
unassigned file within T of it. Chains (A~B~C with A far from C) cannot form, and a file is
never put under a keeper worse than itself: a file left with no unassigned neighbour stays
out of every group rather than join a worse file's group. A file the walk left in no group
because the keeper is an edited copy that it fails against may still be taken in, by a plain
copy of the keeper's size taking the group over (core.leftovers): every member is still
compared with the file that stays.

"Within T" means a dHash distance of at most T bits to the keeper and, with verification
on (the default), a thumbnail residual against the keeper of at most ``max_residual``
(core.verify). With ``rotations`` the distance is taken in whichever of the eight
orientations of the file matches the keeper best (core.orientations), and verification
compares the keeper with the file turned that way.

``SimilarityIndex`` holds what one scan's groupings share, so a threshold slider moved back
and forth costs only the walk: the candidate pairs (their array arithmetic in
core.candidates), the pairs' kept verdicts (core.pair_checker), the words for what differs
(core.pair_words) and the keeper order (core.keeper_standing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import (
    Adjacent,
    Candidates,
    adjacency,
    cross,
    distinct,
    pairs_within_segments,
)
from dedupe_gui.core.centre_candidates import CentreCandidates
from dedupe_gui.core.companions import JPEG_PARTNER, RAW_PARTNER
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hamming import Pairs
from dedupe_gui.core.heap import blocks_reused, give_back
from dedupe_gui.core.keeper import NO_STANDING, Standing
from dedupe_gui.core.keeper_standing import KeeperRanking, Passes
from dedupe_gui.core.kept_searches import Searches
from dedupe_gui.core.leftovers import Walked, peer_key, take_in_left
from dedupe_gui.core.loaded_thumbs import ROWS_KEPT, ThumbSource
from dedupe_gui.core.models import Group, GroupMember, Hashes, ImageRecord
from dedupe_gui.core.models import GroupingSummary as GroupingSummary  # where it was
from dedupe_gui.core.models import summarise as summarise
from dedupe_gui.core.orientations import relation
from dedupe_gui.core.pair_checker import PairChecker
from dedupe_gui.core.pair_words import Halt, PairWords
from dedupe_gui.core.picture_boxes import PictureBoxes
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from dedupe_gui.core.window_candidates import WindowCandidates

I64 = npt.NDArray[np.int64]

# Keepers whose thumbnail checks are batched together (see PairChecker.prefetch).
_WAVE = 256
# Verdicts (or words) held before they are handed to a cache during a grouping
# (``SimilarityIndex.hand_over``): each hand-over is one transaction of the cache.
KEEP_EVERY = 2048
# Walks after the first that may rank lower the keepers their groups show to be worse
# (core.keeper_standing); the checks of the first are kept, so each costs little.
_STANDING_WALKS = 3


class GroupingStopped(Exception):
    """The caller asked a running grouping to stop (a newer one replaces it, or the app closes).

    Nothing partial is returned: a grouping cut short would offer a wrong set of groups. What
    was checked so far is kept in the index, so the next grouping does not repeat it.
    """


StopCheck = Callable[[], bool]
GroupingProgress = Callable[[int, int], None]  # keepers visited, of all records


class PairKeeper(Protocol):
    """Where a grouping's new verdicts and words go as it runs (FingerprintStore): each call
    is kept on its own, so a grouping stopped, or a process killed, keeps what was handed
    over before it. Never raises for a store that cannot write (read-only, full): the
    grouping goes on without keeping."""

    def put_pair_checks(self, checks: Mapping[int, float], good_enough: float) -> None: ...

    def put_pair_words(self, words: Mapping[int, tuple[str, ...]]) -> None: ...

    def put_picture_boxes(self, boxes: Mapping[int, bytes]) -> None: ...


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
        pictures: ScanPictures | None = None,
        searches: Searches | None = None,
        known_boxes: Mapping[int, bytes] | None = None,
        *,
        one_grouping: bool = False,
    ) -> None:
        """``known_checks``: residuals by ``pair_id`` from an earlier run (a cache), computed
        with the default limit (DEFAULT_MAX_RESIDUAL); pairs found there are not checked again.
        ``thumbs``: where to fetch verification thumbnails when the records do not carry them
        (FingerprintStore.thumbs); either way only files of checked pairs are loaded.
        ``fines``: the same for the fine thumbnails of slides and documents
        (FingerprintStore.fines). ``known_words``: what differs, by ``said_id`` of (keeper,
        file, turn), from an earlier run; those pairs are not aligned again. ``pictures``:
        the scan's decoded pictures (core.scan_pictures), which second looks take instead of
        decoding the files again where they serve. ``searches``: where the candidate
        searches are made, completed from what a cache kept of them (core.kept_searches).
        ``known_boxes``: where files' pictures sit in their frames, by ``file_id``, from an
        earlier run (core.picture_boxes); those files are not placed again.
        ``one_grouping``: the index serves one grouping (a command's scan), not a slider:
        what only a grouping at another threshold reads again (the window hashes'
        indexes) goes once the candidates are made, and is made again if asked for.
        """
        self.records = tuple(records)
        # What each candidate search did (``Searches.done``) is there to be asked.
        self.searches = Searches() if searches is None else searches
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
        self._centres: CentreCandidates | None = None
        self._one_grouping = one_grouping
        # Records sharing each unique hash, in record order: order[bounds[u]:bounds[u + 1]].
        self._order: I64 = np.argsort(self._inverse, kind="stable").astype(np.int64)
        self._bounds: I64 = np.searchsorted(
            self._inverse[self._order], np.arange(self._unique.size + 1)
        ).astype(np.int64)
        self._shots: I64 | None = None
        self._checker = PairChecker(self.records, known_checks, thumbs, fines, pictures)
        boxes = PictureBoxes(
            self.records, self._checker.loaded, pictures, self._checker.ids, known_boxes
        )
        self._boxes = boxes
        self._words = PairWords(
            self.records, self._checker.loaded, boxes, self._checker.ids, known_words
        )
        self._keepers = KeeperRanking(self.records, boxes, self._words, self._checker.loaded)

    # -- candidate pairs -----------------------------------------------------------------

    def _pairs_at(self, threshold: int) -> Pairs:
        if threshold > self._pairs_threshold:
            self._pairs = self.searches.self_pairs("plain", self._unique, threshold)
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
            # Read from the fingerprints' packed hashes at once, not one int at a time.
            n = len(self.records)
            counts = np.fromiter((len(r.fingerprint.turned) for r in self.records), np.int64, n)
            packed = b"".join(Hashes.of(r.fingerprint.turned).packed for r in self.records)
            all_values = np.frombuffer(packed, dtype=">u8").astype(np.uint64)
            owner = np.repeat(np.arange(n, dtype=np.int64), counts)
            turns = np.arange(all_values.size, dtype=np.int64) + 1
            turns -= np.repeat(np.cumsum(counts) - counts, counts)
            uniq, inv = np.unique(all_values, return_inverse=True)
            order = np.argsort(inv.reshape(-1), kind="stable")
            self._turned_index = (
                uniq,
                np.searchsorted(inv.reshape(-1)[order], np.arange(uniq.size + 1)).astype(np.int64),
                np.stack([owner[order], turns[order]]),
            )
        uniq, bounds, owner_turn = self._turned_index
        if threshold > self._turned_threshold:
            self._turned_pairs = self.searches.cross_pairs("turned", self._unique, uniq, threshold)
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
            self._shots = distinct(np.array(pairs, dtype=np.int64))
        if self._shots.size == 0:
            return c
        n = len(self.records)
        keys = np.minimum(c.a, c.b) * n + np.maximum(c.a, c.b)
        keep = ~np.isin(keys, self._shots)
        return Candidates(c.a[keep], c.b[keep], c.turn[keep], c.distance[keep])

    # -- what the grouping leaves for a cache ------------------------------------------

    def take_new_checks(self) -> tuple[Mapping[int, float], float]:
        """Residuals computed since the last call (by ``pair_id``) and the limit they stopped
        at, for a cache to keep (FingerprintStore.put_pair_checks)."""
        return self._checker.take_new_checks()

    def take_new_words(self) -> dict[int, tuple[str, ...]]:
        """What differs, said since the last call (by ``said_id``), for a cache to keep
        (FingerprintStore.put_pair_words). Only pairs whose thumbnails were both there: the
        words of a pair judged without them would stand in for the real ones next time."""
        return self._words.take_new_words()

    def take_new_boxes(self) -> dict[int, bytes]:
        """Picture boxes placed since the last call (by ``file_id``), for a cache to keep
        (FingerprintStore.put_picture_boxes)."""
        return self._boxes.take_new()

    def hand_over(self, keeper: PairKeeper, least: int = 1) -> None:
        """Hand ``keeper`` the verdicts computed since the last hand-over, once there are at
        least ``least``, and the same for the words and the picture boxes. Verdicts computed
        with a limit other than the default are dropped, never kept: a cache reads only the
        default's (a pair's row holds one verdict), and a stricter check's would replace it."""
        if self._checker.new_checks_held() >= least:
            checks, good_enough = self.take_new_checks()
            if good_enough == DEFAULT_MAX_RESIDUAL and checks:
                keeper.put_pair_checks(checks, good_enough)
        if self._words.new_words_held() >= least:
            keeper.put_pair_words(self.take_new_words())
        if self._boxes.new_held() >= least:
            keeper.put_picture_boxes(self.take_new_boxes())

    # -- grouping ------------------------------------------------------------------------

    def groups(
        self,
        options: GroupingOptions,
        should_stop: StopCheck | None = None,
        progress: GroupingProgress | None = None,
        keeper: PairKeeper | None = None,
    ) -> list[Group]:
        """Groups under ``options``, keeper first, sorted by the keeper's path.

        See the module docstring for what "within T" means with verification and rotations.
        ``should_stop`` is asked between batches of keepers (a few milliseconds apart) and
        ends the grouping with ``GroupingStopped``; ``progress`` hears how far it got.
        ``keeper`` is handed the new verdicts and words as they come, ``KEEP_EVERY`` at a
        time, and the rest when the grouping ends or stops (``hand_over``): a cold grouping
        of a large library runs for an hour, and one stopped half-way (the window closed,
        Ctrl-C, a crash) starts the next from what it had checked.

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

        def halt() -> None:
            stopping = stop()
            if keeper is not None:
                self.hand_over(keeper, 1 if stopping else KEEP_EVERY)
            if stopping:
                raise GroupingStopped

        parts = [self._plain(threshold)]
        if options.rotations:
            parts.append(self._turned(threshold))
        if options.trims:
            if self._windows is None:
                self._windows = WindowCandidates(
                    self.records,
                    self._unique,
                    self._inverse,
                    self._order,
                    self._bounds,
                    self._checker.again.pictures,
                    self.searches,
                )
                self._checker.windows = self._windows
            parts.append(self._windows.at(threshold))
            if self._one_grouping:
                self._windows.let_go_of_indexes()
            if self._centres is None:
                self._centres = CentreCandidates(
                    self.records, self._unique[self._inverse], self.searches
                )
            parts.append(self._centres.at(threshold))
        halt()
        candidates = Candidates.concat(parts)
        del parts  # each search's rows are not held beside their concatenation
        if not options.shot_partners:
            candidates = self._without_shot_partners(candidates)
        adjacent = adjacency(candidates, len(self.records))
        del candidates
        # The searches' workers freed their tables in their own arenas (core.heap).
        give_back()

        limit = np.float32(max_residual)
        if verify:
            self._checker.use_limit(max_residual)
        # The walk's pair checks make and free the same arrays batch after batch (core.heap).
        with blocks_reused():
            formed = self._checked_walk(options, adjacent, verify, limit, halt, progress)
        groups: list[Group] = []
        for best, others, d, k in formed:
            group = _make_group(
                self.records[best],
                [
                    (self.records[i], dd, relation(kk), self._words.said[(best, i, kk)])
                    for i, dd, kk in zip(others.tolist(), d.tolist(), k.tolist(), strict=True)
                ],
            )
            if group is not None:
                groups.append(group)
        groups.sort(key=lambda g: g.suggested_keeper.path)
        if keeper is not None:
            self.hand_over(keeper)
        give_back()  # the thumbnail checks' batches and pictures decoded again
        if progress is not None:
            progress(len(self.records), len(self.records))
        return groups

    def _checked_walk(
        self,
        options: GroupingOptions,
        adjacent: Adjacent,
        verify: bool,
        limit: np.float32,
        halt: Halt,
        progress: GroupingProgress | None,
    ) -> list[tuple[int, I64, I64, I64]]:
        """The groups as formed by the walk, walked again as the groups' standing asks, with
        the files left out taken in, and what differs in each pair said."""
        formed = self._walk(options.rules, NO_STANDING, adjacent, verify, limit, halt, progress)
        # Each walk can bring up a keeper the one before did not show (the framed copy next
        # in line when a screenshot steps down), so what the groups say is asked again, a few
        # times at most: each pass only adds files.
        # ``standing`` is always the ranking the last walk used: the files taken in after it
        # (core.leftovers) are ranked as the walk ranked them.
        standing = NO_STANDING
        passes = Passes(adjacent, self._checker.check, float(limit)) if verify else None
        for _ in range(_STANDING_WALKS):
            found, affected = self._keepers.standing(formed, options.rules, halt, passes)
            more = standing.joined(found)
            if not affected.size or more == standing:
                break
            standing = more
            formed = self._walk(options.rules, standing, adjacent, verify, limit, halt, None)
        if verify and options.trims:
            _, rank = self._keepers.ranking(options.rules, standing)
            formed = take_in_left(
                formed,
                Walked(self.records, self._unique[self._inverse], rank, adjacent),
                peer_key(options.rules, standing),
                self._checker.check,
                self._checker.verifiable,
                limit,
                self._checker.foresee,
                lambda keeper, peer, others: self._keepers.edited_peer(
                    keeper, peer, others, options.rules, halt
                ),
            )
            self._checker.forget_foreseen()
        if formed:
            self._words.explain_all(
                np.concatenate([np.full(o.size, b, dtype=np.int64) for b, o, _, _ in formed]),
                np.concatenate([o for _, o, _, _ in formed]),
                np.concatenate([k for _, _, _, k in formed]),
                halt,
            )
        return formed

    def _walk(
        self,
        rules: tuple[str, ...],
        standing: Standing,
        adjacent: Adjacent,
        verify: bool,
        limit: np.float32,
        halt: Halt,
        progress: GroupingProgress | None,
    ) -> list[tuple[int, I64, I64, I64]]:
        """The keeper-first walk: groups as formed (keeper, others, distances, turns)."""
        rank_order, rank = self._keepers.ranking(rules, standing)
        taken = np.zeros(len(self.records), dtype=bool)
        formed: list[tuple[int, I64, I64, I64]] = []
        total = len(rank_order)
        for pos, best in enumerate(rank_order):
            if pos % _WAVE == 0:
                halt()
                if progress is not None:
                    progress(pos, total)
                if verify:
                    # The thumbnails of files the last wave did not ask for go, when many
                    # are loaded: a large library's walk asks for most of its files in turn.
                    self._checker.loaded.let_go(ROWS_KEPT)
                    self._checker.prefetch(rank_order[pos : pos + _WAVE], taken, rank, adjacent)
                    # A wave's checks free their batches, and pictures decoded again, in
                    # blocks the next wave's sizes do not reuse (core.heap).
                    give_back()
            if taken[best]:
                continue
            taken[best] = True
            if adjacent.indptr[best] == adjacent.indptr[best + 1]:
                continue
            near, dist, turns = adjacent.row(best)
            free = ~taken[near]
            if not free.any():
                continue
            others, d, k = near[free], dist[free], turns[free]
            if verify:
                keeper = np.full(others.size, best, dtype=np.int64)
                ok = self._checker.check(keeper, others, k) <= limit
                others, d, k = others[ok], d[ok], k[ok]
                if others.size == 0:
                    continue
            taken[others] = True
            order = np.lexsort((rank[others], d))
            formed.append((best, others[order], d[order], k[order]))
        return formed


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
    return SimilarityIndex(records, one_grouping=True).groups(options)
