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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.keeper import DEFAULT_RULES, keeper_key
from dedupe_gui.core.models import Group, GroupMember, ImageRecord
from dedupe_gui.core.orientations import INVERSE, relation, transform_grid
from dedupe_gui.core.search import Pairs, cross_pairs, self_pairs
from dedupe_gui.core.verify import (
    DEFAULT_MAX_RESIDUAL,
    FLAT_DETAIL,
    detail,
    hopeless,
    residuals,
    signatures,
    thumbs_to_array,
)

I64 = npt.NDArray[np.int64]


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


@dataclass(frozen=True, slots=True)
class _Candidates:
    """Record pairs: ``b`` turned by ``turn`` is within ``distance`` bits of ``a`` upright."""

    a: I64
    b: I64
    turn: I64
    distance: I64

    @staticmethod
    def concat(parts: Sequence[_Candidates]) -> _Candidates:
        return _Candidates(
            np.concatenate([p.a for p in parts]),
            np.concatenate([p.b for p in parts]),
            np.concatenate([p.turn for p in parts]),
            np.concatenate([p.distance for p in parts]),
        )


class SimilarityIndex:
    """The records of one scan, ready to be grouped at any threshold without rehashing.

    Pairs are searched once at the largest threshold asked for so far and filtered for
    smaller ones, and each pair's verification residual is computed once and kept, so
    moving a threshold slider back and forth costs only the grouping.
    """

    def __init__(self, records: Sequence[ImageRecord]) -> None:
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
        # Records sharing each unique hash, in record order.
        order = np.argsort(self._inverse, kind="stable")
        bounds = np.searchsorted(self._inverse[order], np.arange(self._unique.size + 1))
        self._members: list[list[int]] = [
            order[bounds[u] : bounds[u + 1]].tolist() for u in range(self._unique.size)
        ]
        self._thumbs: npt.NDArray[np.uint8] | None = None
        self._has_thumb: npt.NDArray[np.bool_] | None = None
        self._signatures: npt.NDArray[np.float32] | None = None
        self._flat: npt.NDArray[np.bool_] | None = None
        # Residuals already computed, by pair key (see _key), sorted by key.
        self._checked_keys: I64 = np.empty(0, np.int64)
        self._checked_residuals: npt.NDArray[np.float32] = np.empty(0, np.float32)

    # -- candidate pairs -----------------------------------------------------------------

    def _pairs_at(self, threshold: int) -> Pairs:
        if threshold > self._pairs_threshold:
            self._pairs = self_pairs(self._unique, threshold)
            self._pairs_threshold = threshold
        if threshold == self._pairs_threshold:
            return self._pairs
        keep = self._pairs.distance <= threshold
        return Pairs(self._pairs.a[keep], self._pairs.b[keep], self._pairs.distance[keep])

    def _plain(self, threshold: int) -> _Candidates:
        """Record pairs whose upright hashes are within ``threshold`` (same hash included)."""
        pairs = self._pairs_at(threshold)
        a: list[int] = []
        b: list[int] = []
        d: list[int] = []
        for members in self._members:
            for i, x in enumerate(members):
                for y in members[i + 1 :]:
                    a.append(x)
                    b.append(y)
                    d.append(0)
        for ua, ub, dist in zip(
            pairs.a.tolist(), pairs.b.tolist(), pairs.distance.tolist(), strict=True
        ):
            for x in self._members[ua]:
                for y in self._members[ub]:
                    a.append(x)
                    b.append(y)
                    d.append(dist)
        arr = np.array(a, dtype=np.int64)
        return _Candidates(
            arr, np.array(b, dtype=np.int64), np.zeros(arr.size, np.int64), np.array(d, np.int64)
        )

    def _turned(self, threshold: int) -> _Candidates:
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
        a: list[int] = []
        b: list[int] = []
        k: list[int] = []
        d: list[int] = []
        for uq, ut, dist in zip(
            pairs.a[keep].tolist(),
            pairs.b[keep].tolist(),
            pairs.distance[keep].tolist(),
            strict=True,
        ):
            for slot in range(int(bounds[ut]), int(bounds[ut + 1])):
                y, turn = int(owner_turn[0, slot]), int(owner_turn[1, slot])
                for x in self._members[uq]:
                    if x != y:
                        a.append(x)
                        b.append(y)
                        k.append(turn)
                        d.append(dist)
        return _Candidates(
            np.array(a, np.int64),
            np.array(b, np.int64),
            np.array(k, np.int64),
            np.array(d, np.int64),
        )

    # -- verification --------------------------------------------------------------------

    def _key(self, c: _Candidates) -> I64:
        n = max(len(self.records), 1)
        key: I64 = (c.a * n + c.b) * 8 + c.turn
        return key

    def _residuals(self, c: _Candidates) -> npt.NDArray[np.float32]:
        """Each candidate's residual, computed once per pair and orientation."""
        if self._thumbs is None:
            self._thumbs, self._has_thumb = thumbs_to_array(
                [r.fingerprint.thumb for r in self.records]
            )
            self._signatures = signatures(self._thumbs)
            self._flat = detail(self._thumbs) < FLAT_DETAIL
        assert self._has_thumb is not None
        assert self._signatures is not None and self._flat is not None
        keys = self._key(c)
        if self._checked_keys.size:
            pos = np.minimum(np.searchsorted(self._checked_keys, keys), self._checked_keys.size - 1)
            todo = self._checked_keys[pos] != keys
        else:
            todo = np.ones(keys.size, dtype=bool)
        if todo.any():
            new_keys, first = np.unique(keys[todo], return_index=True)
            a = c.a[todo][first]
            b = c.b[todo][first]
            turn = c.turn[todo][first]
            new = np.zeros(new_keys.size, dtype=np.float32)
            both = self._has_thumb[a] & self._has_thumb[b]
            # Pairs ruled out by their 16x16 correlation (upright and turned signatures are
            # compared through the same transform as the thumbnails).
            sig_b = self._signatures[b].reshape(-1, 16, 16).copy()
            for k in np.unique(turn).tolist():
                sel = turn == k
                sig_b[sel] = transform_grid(sig_b[sel], k)
            ruled_out = both & hopeless(
                self._signatures[a], sig_b.reshape(-1, 256), self._flat[a] | self._flat[b]
            )
            new[ruled_out] = np.inf
            both &= ~ruled_out
            if both.any():
                ta = self._thumbs[a[both]]
                tb = self._thumbs[b[both]].copy()
                for k in np.unique(turn[both]).tolist():
                    sel = turn[both] == k
                    tb[sel] = transform_grid(tb[sel], k)
                new[both] = residuals(ta, tb)
            # Without thumbnails (fingerprints from older versions) the hash decides alone.
            merged_keys = np.concatenate([self._checked_keys, new_keys])
            merged = np.concatenate([self._checked_residuals, new])
            order = np.argsort(merged_keys, kind="stable")
            self._checked_keys = merged_keys[order]
            self._checked_residuals = merged[order]
        pos = np.searchsorted(self._checked_keys, keys)
        out: npt.NDArray[np.float32] = self._checked_residuals[pos]
        return out

    # -- grouping ------------------------------------------------------------------------

    def groups(
        self,
        threshold: int,
        rules: Sequence[str] = DEFAULT_RULES,
        *,
        verify: bool = True,
        max_residual: float = DEFAULT_MAX_RESIDUAL,
        rotations: bool = False,
    ) -> list[Group]:
        """Groups at ``threshold`` (0-64 bits), keeper first, sorted by the keeper's path.

        ``verify``: also require each file's thumbnail to match the keeper's within
        ``max_residual``. ``rotations``: also group copies turned by 90/180/270 degrees or
        mirrored. See the module docstring for what "within T" means with each.
        """
        if not 0 <= threshold <= 64:
            raise ValueError(f"threshold must be between 0 and 64, not {threshold}")
        parts = [self._plain(threshold)]
        if rotations:
            parts.append(self._turned(threshold))
        c = _Candidates.concat(parts)
        if verify and c.a.size:
            keep = self._residuals(c) <= np.float32(max_residual)
            c = _Candidates(c.a[keep], c.b[keep], c.turn[keep], c.distance[keep])

        neighbours: list[dict[int, tuple[int, int]]] = [{} for _ in self.records]
        for a, b, turn, d in zip(
            c.a.tolist(), c.b.tolist(), c.turn.tolist(), c.distance.tolist(), strict=True
        ):
            # b turned by `turn` matches a: seen from a, b is a turned by the inverse.
            for x, y, k in ((a, b, turn), (b, a, INVERSE[turn])):
                old = neighbours[x].get(y)
                if old is None or (d, k) < old:
                    neighbours[x][y] = (d, k)

        key = keeper_key(rules)
        rank_order = sorted(range(len(self.records)), key=lambda i: key(self.records[i]))
        rank = {i: pos for pos, i in enumerate(rank_order)}
        taken = [False] * len(self.records)
        groups: list[Group] = []
        for best in rank_order:
            if taken[best]:
                continue
            taken[best] = True
            found = [(i, d, k) for i, (d, k) in neighbours[best].items() if not taken[i]]
            if not found:
                continue
            for i, _, _ in found:
                taken[i] = True
            found.sort(key=lambda item: (item[1], rank[item[0]]))
            group = _make_group(
                self.records[best], [(self.records[i], d, relation(k)) for i, d, k in found]
            )
            if group is not None:
                groups.append(group)
        groups.sort(key=lambda g: g.keeper.path)
        return groups


def _make_group(keeper: ImageRecord, others: list[tuple[ImageRecord, int, str]]) -> Group | None:
    """A group, or None when nothing in it could be removed (every other file is reference)."""
    if all(r.reference for r, _, _ in others):
        return None
    members = [GroupMember(keeper, 0, identical=False, keep=True)]
    for record, distance, turned in others:
        identical = (
            distance == 0
            and not turned
            and record.digest is not None
            and record.digest == keeper.digest
            and record.key.size == keeper.key.size
        )
        members.append(
            GroupMember(
                record, distance, identical=identical, keep=record.reference, orientation=turned
            )
        )
    return Group(tuple(members))


def group_records(
    records: Sequence[ImageRecord],
    threshold: int,
    rules: Sequence[str] = DEFAULT_RULES,
    *,
    verify: bool = True,
    max_residual: float = DEFAULT_MAX_RESIDUAL,
    rotations: bool = False,
) -> list[Group]:
    """One-shot grouping for callers that do not need to regroup."""
    return SimilarityIndex(records).groups(
        threshold, rules, verify=verify, max_residual=max_residual, rotations=rotations
    )
