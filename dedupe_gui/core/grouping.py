"""Keeper-centred groups: every file offered for removal was compared with the file that stays.

Files are visited best keeper first. An unassigned file becomes the keeper of every still
unassigned file within T of it. Chains (A~B~C with A far from C) cannot form, and a file is
never put under a keeper worse than itself: a file left with no unassigned neighbour stays
out of every group rather than join a worse file's group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedupe_gui.core.keeper import DEFAULT_RULES, keeper_key
from dedupe_gui.core.models import Group, GroupMember, ImageRecord
from dedupe_gui.core.search import Pairs, self_pairs


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
    smaller ones, so moving a threshold slider back and forth costs only the grouping.
    """

    def __init__(self, records: Sequence[ImageRecord]) -> None:
        self.records = tuple(records)
        hashes = np.fromiter(
            (r.fingerprint.hash for r in self.records), dtype=np.uint64, count=len(self.records)
        )
        self._unique, self._inverse = np.unique(hashes, return_inverse=True)
        self._pairs = Pairs.empty()
        self._pairs_threshold = -1
        # Records sharing each unique hash, in record order.
        order = np.argsort(self._inverse, kind="stable")
        bounds = np.searchsorted(self._inverse[order], np.arange(self._unique.size + 1))
        self._members: list[list[int]] = [
            order[bounds[u] : bounds[u + 1]].tolist() for u in range(self._unique.size)
        ]

    def _pairs_at(self, threshold: int) -> Pairs:
        if threshold > self._pairs_threshold:
            self._pairs = self_pairs(self._unique, threshold)
            self._pairs_threshold = threshold
        if threshold == self._pairs_threshold:
            return self._pairs
        keep = self._pairs.distance <= threshold
        return Pairs(self._pairs.a[keep], self._pairs.b[keep], self._pairs.distance[keep])

    def groups(self, threshold: int, rules: Sequence[str] = DEFAULT_RULES) -> list[Group]:
        """Groups at ``threshold`` (0-64 bits), keeper first, sorted by the keeper's path."""
        if not 0 <= threshold <= 64:
            raise ValueError(f"threshold must be between 0 and 64, not {threshold}")
        pairs = self._pairs_at(threshold)
        neighbours: list[list[tuple[int, int]]] = [[] for _ in range(self._unique.size)]
        for a, b, d in zip(
            pairs.a.tolist(), pairs.b.tolist(), pairs.distance.tolist(), strict=True
        ):
            neighbours[a].append((b, d))
            neighbours[b].append((a, d))

        key = keeper_key(rules)
        rank_order = sorted(range(len(self.records)), key=lambda i: key(self.records[i]))
        rank = {i: pos for pos, i in enumerate(rank_order)}
        taken = [False] * len(self.records)
        groups: list[Group] = []
        for best in rank_order:
            if taken[best]:
                continue
            taken[best] = True
            u = int(self._inverse[best])
            found = [(i, 0) for i in self._members[u] if not taken[i]]
            for v, d in neighbours[u]:
                found.extend((i, d) for i in self._members[v] if not taken[i])
            if not found:
                continue
            for i, _ in found:
                taken[i] = True
            found.sort(key=lambda item: (item[1], rank[item[0]]))
            group = _make_group(self.records[best], [(self.records[i], d) for i, d in found])
            if group is not None:
                groups.append(group)
        groups.sort(key=lambda g: g.keeper.path)
        return groups


def _make_group(keeper: ImageRecord, others: list[tuple[ImageRecord, int]]) -> Group | None:
    """A group, or None when nothing in it could be removed (every other file is reference)."""
    if all(r.reference for r, _ in others):
        return None
    members = [GroupMember(keeper, 0, identical=False, keep=True)]
    for record, distance in others:
        identical = (
            distance == 0
            and record.digest is not None
            and record.digest == keeper.digest
            and record.key.size == keeper.key.size
        )
        members.append(GroupMember(record, distance, identical=identical, keep=record.reference))
    return Group(tuple(members))


def group_records(
    records: Sequence[ImageRecord], threshold: int, rules: Sequence[str] = DEFAULT_RULES
) -> list[Group]:
    """One-shot grouping for callers that do not need to regroup."""
    return SimilarityIndex(records).groups(threshold, rules)
