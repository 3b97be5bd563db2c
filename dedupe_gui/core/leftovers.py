"""Files the keeper-first walk left in no group because the keeper is an edited copy.

The walk (core.grouping) compares each keeper with its own candidates only. When a group's
keeper is an edited copy of the original's size that the later keeper rules picked (a
vignetted, filtered or captioned copy saved as a larger file), the original's other copies
are one edit from the original and two from that keeper: a trimmed copy fails the check
against it, and ends up in no group although it is a candidate of the original in the
keeper's group. Such a group is centred again: a member that the keeper rules rank alike
with the keeper down to its pixels (``peer_key``: only the tie-breaks after that, the larger
file, metadata, age, chose the keeper), that the left file passes against and that passes
against every file of the group, keeper included, becomes the group's keeper and takes the
file in. Every member of a group still passed the check against its keeper. Never a peer
that the keeper shows to be an edited copy of itself (a caption bar, a sticker, a frame,
darkened corners, a trim: what the keeper rule "clean" judges, core.keeper_standing): the
move is there to take a group off an edited keeper, not to hand a clean one's group to an
edited copy, which a file passing against it (another copy of that edit, or a look-alike
it passes with) would otherwise do.

A left file that passes against the keeper is out because its hash is beyond the threshold
from the keeper's, which is what the threshold says: it is taken in only under a peer of the
keeper that has it and every file of the group among its own candidates (a re-encoded copy
saved larger kept, the original's stickered copy met through the original's window), so
that every member stays within reach of its keeper. Not for pictures of flat areas and
edges: a slide beyond the threshold of another on one background is more often another
slide. Upright pairs only (a turn through a member is not worked out), never under a keeper
the rules rank below the file, and only files with thumbnails to check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import Adjacent
from dedupe_gui.core.keeper import Standing, keeper_key
from dedupe_gui.core.models import ImageRecord

I64 = npt.NDArray[np.int64]
Formed = list[tuple[int, I64, I64, I64]]  # (keeper, others, distances, turns) per group
PeerKey = Callable[[ImageRecord], tuple[float | int | str, ...]]
Check = Callable[[I64, I64, I64], npt.NDArray[np.float32]]  # PairChecker.check
PeerOf = Callable[[int], tuple[float | int | str, ...]]  # ``peer_key`` of record i
Foresee = Callable[[I64, I64, I64], None]  # PairChecker.foresee
# Whether a peer (second) is an edited copy of a keeper (first) with those members (third):
# KeeperRanking.edited_peer.
Edited = Callable[[int, int, I64], bool]


@dataclass(frozen=True)
class Walked:
    """What the walk went by: the records, their own hashes, each record's place in the
    keeper order, and the candidate pairs as CSR rows (core.candidates.adjacency)."""

    records: Sequence[ImageRecord]
    hashes: npt.NDArray[np.uint64]
    rank: I64
    adjacent: Adjacent


def peer_key(rules: tuple[str, ...], standing: Standing) -> PeerKey | None:
    """The keeper rules down to "pixels" (without the path): files equal under it are peers,
    whose order only the later rules (the larger file, metadata, age) break. None when the
    rules do not weigh pixels."""
    if "pixels" not in rules:
        return None
    key = keeper_key(rules[: rules.index("pixels") + 1], standing)
    return lambda record: key(record)[:-1]


def take_in_left(
    formed: Formed,
    walked: Walked,
    peer: PeerKey | None,
    check: Check,
    verifiable: Callable[[I64], npt.NDArray[np.bool_]],
    limit: np.float32,
    foresee: Foresee | None = None,
    edited: Edited | None = None,
) -> Formed:
    """``formed`` with groups centred again to take in files left in no group (see the
    module docstring). ``verifiable``: which records have a thumbnail to check
    (PairChecker.verifiable); a file without one is never taken in, since its pairs would
    pass on the hash alone, beyond the threshold. ``foresee``: told the pairs about to be
    checked one group at a time, to check them in one batch (``PairChecker.foresee``).
    ``edited``: whether a peer is an edited copy of the keeper (a caption, a frame,
    darkened corners, a trim: the keeper rule "clean", core.keeper_standing); such a peer
    never takes a group over."""
    n = len(walked.records)
    group_of = np.full(n, -1, dtype=np.int64)
    turn_of = np.zeros(n, dtype=np.int64)
    for g, (best, others, _, k) in enumerate(formed):
        group_of[best] = g
        group_of[others] = g
        turn_of[others] = k
    if peer is None:
        return formed
    peer_of = _peers_of(walked.records, peer)
    # A group whose keeper has no thumbnail takes no one in; a member without one is no
    # way in (-2: grouped, but not a way in). Their thumbnails are loaded: they were checked.
    heads = np.array([best for best, _, _, _ in formed], dtype=np.int64)
    if heads.size:
        for g in np.flatnonzero(~verifiable(heads)).tolist():
            group_of[formed[g][1]] = -2
            group_of[formed[g][0]] = -2
    grouped = np.flatnonzero(group_of >= 0)
    if grouped.size:
        group_of[grouped[~verifiable(grouped)]] = -2
    # Left files that are candidates of a peer of a group's keeper: only those can be taken
    # in, and only their thumbnails are loaded.
    files: list[int] = []
    groups: list[int] = []
    for f in np.flatnonzero(group_of == -1).tolist():
        seen: set[int] = set()
        for m in _near(f, walked, group_of, turn_of).tolist():
            g = int(group_of[m])
            best = formed[g][0]
            if g in seen or m == best or walked.rank[f] < walked.rank[best]:
                continue
            if peer_of(m) == peer_of(best):
                seen.add(g)
                files.append(f)
                groups.append(g)
    if not files:
        return formed
    sure = verifiable(np.array(files, dtype=np.int64))
    files = [f for f, ok in zip(files, sure.tolist(), strict=True) if ok]
    groups = [g for g, ok in zip(groups, sure.tolist(), strict=True) if ok]
    if not files:
        return formed
    keepers = np.array([formed[g][0] for g in groups], dtype=np.int64)
    res = check(keepers, np.array(files, dtype=np.int64), np.zeros(len(files), dtype=np.int64))
    # Only files that failed against the keeper: one that passes is left out by the
    # threshold, not by the keeper's edit (see the module docstring).
    passed = {f for f, r in zip(files, res.tolist(), strict=True) if r <= limit}
    # Left files in the keeper order (the rank, not the listing order): where two compete
    # for one group, the better ranked is taken in.
    failed = sorted(set(files) - passed, key=lambda f: int(walked.rank[f]))
    joins: dict[int, list[int]] = {}
    out = list(formed)

    def recentre(left: list[int], within_reach: bool) -> None:
        _recentre(
            out,
            left,
            walked,
            group_of,
            turn_of,
            peer_of,
            check,
            limit,
            joins,
            within_reach,
            foresee,
            edited,
        )

    if failed:
        recentre(failed, False)
    # A file that passes against the keeper but is no candidate of it (its hash beyond the
    # threshold) joins only under a peer that has it and every member as candidates: then
    # it is within reach of its keeper, as every member is.
    # Not pictures of flat areas and edges: a slide beyond the threshold of another slide on
    # one background is more often another slide than a copy.
    beyond = sorted(
        (f for f in passed if not _flat(walked.records[f])), key=lambda f: int(walked.rank[f])
    )
    if beyond:
        recentre(beyond, True)
    for g, added in joins.items():
        best, others, d, k = out[g]
        new = np.array(added, dtype=np.int64)
        members = np.concatenate([others, new])
        distance = np.concatenate([d, _distance(walked, new, best)])
        order = np.lexsort((walked.rank[members], distance))
        turned = np.concatenate([k, np.zeros(new.size, dtype=np.int64)])
        out[g] = (best, members[order], distance[order], turned[order])
    return out


def _peers_of(records: Sequence[ImageRecord], peer: PeerKey) -> PeerOf:
    """``peer`` of record i, worked out once a record: the files left out of a large
    library ask about the same few keepers and members again and again (at 100,000 photos
    some 600,000 times for 100,000 records), and each key runs every keeper rule."""
    known: dict[int, tuple[float | int | str, ...]] = {}

    def peer_of(i: int) -> tuple[float | int | str, ...]:
        key = known.get(i)
        if key is None:
            key = known[i] = peer(records[i])
        return key

    return peer_of


def _asked(
    out: Formed,
    m: int,
    f: int,
    walked: Walked,
    group_of: I64,
    peer_of: PeerOf,
    joins: dict[int, list[int]],
    within_reach: bool,
) -> I64 | None:
    """The files ``_recentre`` checks against ``m`` to centre its group (not yet moved) on it
    and take ``f`` in, or None when ``m`` cannot be its keeper: the keeper itself, a group
    with a turned member, not a peer of the keeper, or (``within_reach``) a file not among
    ``m``'s upright candidates."""
    g = int(group_of[m])
    best, others, _, k = out[g]
    if m == best or not (k == 0).all():
        return None
    if peer_of(m) != peer_of(best):
        return None
    rest: I64 = np.concatenate([[best], others[others != m], joins.get(g, []), [f]]).astype(
        np.int64
    )
    if within_reach:
        near, _, turns = walked.adjacent.row(m)
        if not np.isin(rest, near[turns == 0]).all():
            return None
    return rest


def _flat(record: ImageRecord) -> bool:
    """Whether a file is a picture of flat areas and edges (it has a fine thumbnail)."""
    return record.fingerprint.flat_and_edged


def _near(f: int, walked: Walked, group_of: I64, turn_of: I64) -> I64:
    """The candidates of ``f`` that are in a group, upright to ``f`` and to their keeper,
    best ranked first: the first peer that qualifies becomes the keeper, so the choice
    follows the keeper rules and the paths, never the order the files were listed in."""
    cand, _, t = walked.adjacent.row(f)
    out: I64 = cand[(group_of[cand] >= 0) & (t == 0) & (turn_of[cand] == 0)]
    by_rank: I64 = out[np.argsort(walked.rank[out], kind="stable")]
    return by_rank


def _distance(walked: Walked, files: I64, keeper: int) -> I64:
    out: I64 = np.bitwise_count(walked.hashes[files] ^ walked.hashes[keeper]).astype(np.int64)
    return out


def _recentre(
    out: Formed,
    left: list[int],
    walked: Walked,
    group_of: I64,
    turn_of: I64,
    peer_of: PeerOf,
    check: Check,
    limit: np.float32,
    joins: dict[int, list[int]],
    within_reach: bool = False,
    foresee: Foresee | None = None,
    edited: Edited | None = None,
) -> None:
    """Groups of ``out`` centred again on a peer of their keeper, to take in files of
    ``left`` that failed against the keeper (see the module docstring); the files taken in
    are added to ``joins``, by group. ``within_reach``: only on a peer that has every file
    of the group, and the one taken in, among its upright candidates. ``foresee``: told
    the pairs about to be checked (``PairChecker.foresee``); ``edited``: whether a peer is
    an edited copy of the keeper, never made the keeper (``take_in_left``)."""
    moved: set[int] = set()
    if foresee is not None:
        _foresee(out, left, walked, group_of, turn_of, peer_of, joins, within_reach, foresee)
    for f in left:
        for m in _near(f, walked, group_of, turn_of).tolist():
            g = int(group_of[m])
            best = out[g][0]
            if g in moved:
                # Centred again for another left file: the new keeper has every member checked
                # against it already, so a second file it has among its candidates needs only
                # its own check (each left file may be the one that moved the group).
                if (
                    m == best
                    and check(np.array([m]), np.array([f]), np.zeros(1, np.int64))[0] <= limit
                ):
                    joins[g].append(f)
                    break
                continue
            rest = _asked(out, m, f, walked, group_of, peer_of, joins, within_reach)
            if rest is None:
                continue
            res = check(np.full(rest.size, m, dtype=np.int64), rest, np.zeros_like(rest))
            if (res <= limit).all() and not (edited is not None and edited(best, m, out[g][1])):
                members = rest[:-1]
                out[g] = (m, members, _distance(walked, members, m), np.zeros_like(members))
                joins[g] = [f]  # the group's earlier joins are among its members now
                moved.add(g)
                break


# Files asked about gathered before they are joined into one array (``_foresee``).
_GATHERED: Final = 4096


def _foresee(
    out: Formed,
    left: list[int],
    walked: Walked,
    group_of: I64,
    turn_of: I64,
    peer_of: PeerOf,
    joins: dict[int, list[int]],
    within_reach: bool,
    foresee: Foresee,
) -> None:
    """Tell ``foresee`` the pairs ``_recentre`` asks about as things stand, to check them in
    one batch (each of its calls is a pair or a few): where it moves a group, it asks about
    a few others. The files asked about are joined into one array every ``_GATHERED``:
    at 100,000 files the files left out ask about some 160,000 small arrays, 24 MB as they
    were, held to the end of the files left out."""
    keepers: list[int] = []
    sizes: list[int] = []
    joined: list[I64] = []
    files: list[I64] = []
    for f in left:
        for m in _near(f, walked, group_of, turn_of).tolist():
            rest = _asked(out, m, f, walked, group_of, peer_of, joins, within_reach)
            if rest is not None:
                keepers.append(m)
                sizes.append(rest.size)
                files.append(rest)
                if len(files) >= _GATHERED:
                    joined.append(np.concatenate(files))
                    files = []
    if keepers:
        together = np.concatenate([*joined, *files])
        del joined, files
        asked = np.repeat(np.array(keepers, dtype=np.int64), sizes)
        foresee(asked, together, np.zeros_like(together))
