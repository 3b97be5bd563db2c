"""Hamming searches kept in the cache and completed for the hashes that changed.

A library with a few files added, removed or edited is grouped again in full (its kept
grouping has another key: core.kept_groupings), and at 100,000 files most of that was the
candidate searches: the own hashes against each other, against the turned hashes, against
some four million window hashes, and the centres against each other.

Each of those searches answers a question about 64-bit values alone: which pairs of
(distinct) values lie within ``bits`` of each other and are met by the search's probes.
For the exact searches (core.hamming ``self_pairs``, ``cross_pairs``) that is every pair
within ``bits``; for the window searches, which probe only as far as a smaller radius needs
(core.window_index), it is the pairs within ``bits`` that agree on some chunk of the plan
within that chunk's radius, in one of the layouts. Either way whether a pair is found
depends on its two values and on the rule (the plan of chunks), never on which other values
are searched beside them. So what a search found is kept by value: the values searched and
the pairs found among them, with the rule. The next search of the same kind with the same
rule keeps the pairs whose values are both still there and compares only the values that
are new with all the others (``_compared``, under the rule), which gives the very pairs a
full search would, in the same order (sorted by the two positions, as the searches give
them). A different rule (another radius, or the plan of a window search changed with the
number of window hashes), or too many new values, makes the full search, kept in turn.

Kept by value, a search is never stale: a value's pairs are a fact about numbers, whoever
wrote them and whichever files hold the values now.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Sequence
from typing import Final, Protocol

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.hamming import BRUTE_MAX, Pairs, cross_pairs, self_pairs
from dedupe_gui.core.hamming_plan import Chunk, plan
from dedupe_gui.core.hamming_table import popcount
from dedupe_gui.core.window_index import laid, window_pairs

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

# Value comparisons a completion may make (new values times all values) before the full
# search is cheaper: at most this many (at 100,000 files a window search's new own hashes
# meet some two million window hashes each, so this is some 150 changed files' worth), and
# at most this many a value searched (a smaller library's full search is quicker: at 10,000
# files the window searches take 0.4-1.1 s, about what comparing 1,000 new files costs).
_MOST_COMPARED: Final = 300_000_000
_COMPARED_PER_VALUE: Final = 1000
# Comparisons made at once (some 40 MB of XORs and distances).
_BLOCK: Final = 1 << 22
# The layout of a kept search; another layout is simply not read.
_LAYOUT: Final = 1

# A search's rule: None for an exact search (every pair within the radius), else per layout
# (transposed, chunks) the chunks probed and their radii.
Rule = tuple[tuple[bool, tuple[Chunk, ...]], ...] | None


class SearchKeeper(Protocol):
    """Where searches are kept (FingerprintStore): blobs by name; never raises for a store
    that cannot read or write (the search is made in full and not kept)."""

    def kept_search(self, name: str) -> bytes | None: ...

    def keep_search(self, name: str, blob: bytes) -> None: ...


class Searches:
    """The candidate searches of one grouping, each completed from what ``keeper`` kept of
    the same kind, when it can be, and kept there after (without a keeper: the searches)."""

    def __init__(self, keeper: SearchKeeper | None = None) -> None:
        self._keeper = keeper
        # What each search did, for benchmarks and tests: kind -> "full" or "completed".
        self.done: dict[str, str] = {}

    def self_pairs(self, kind: str, values: U64, bits: int) -> Pairs:
        """``hamming.self_pairs(values, bits)`` (``values`` distinct and sorted)."""
        return self._search(kind, values, None, bits, None, lambda: self_pairs(values, bits))

    def cross_pairs(self, kind: str, queries: U64, index: U64, bits: int) -> Pairs:
        """``hamming.cross_pairs(queries, index, bits)`` (both distinct and sorted)."""
        return self._search(
            kind, queries, index, bits, None, lambda: cross_pairs(queries, index, bits)
        )

    def window_pairs(
        self,
        kind: str,
        queries: U64,
        index: U64,
        bits: int,
        layouts: Sequence[tuple[bool, int]],
        workers: int | None,
    ) -> Pairs:
        """``window_index.window_pairs`` with these arguments (both distinct and sorted)."""
        return self._search(
            kind,
            queries,
            index,
            bits,
            window_rule(int(queries.size), int(index.size), bits, layouts),
            lambda: window_pairs(queries, index, bits, layouts, workers),
        )

    def _search(
        self,
        kind: str,
        queries: U64,
        index: U64 | None,
        bits: int,
        rule: Rule,
        full: Callable[[], Pairs],
    ) -> Pairs:
        name = f"{kind}:{bits}"
        sorted_in = _ascending(queries) and (index is None or _ascending(index))
        kept = None
        if self._keeper is not None and sorted_in and bits >= 0:
            blob = self._keeper.kept_search(name)
            kept = None if blob is None else _unpack(blob, bits, rule, index is None)
        completed = None if kept is None else _completed(kept, queries, index, bits, rule)
        if completed is None:
            found, added = full(), True
            self.done[kind] = "full"
        else:
            found, added = completed
            self.done[kind] = "completed"
        # A search that met no new value is kept as it was: completing from it gives the
        # same pairs, and writing tens of megabytes again is most of what a rescan with a
        # file or two removed would spend here.
        if added and self._keeper is not None and sorted_in and bits >= 0:
            self._keeper.keep_search(name, _pack(bits, rule, queries, index, found))
        return found


def window_rule(
    n_queries: int, n_index: int, bits: int, layouts: Sequence[tuple[bool, int]]
) -> Rule:
    """The rule of ``window_pairs`` over that many distinct queries and index values: each
    layout's ``cross_pairs`` compares all against all up to ``BRUTE_MAX ** 2`` combinations
    (every pair within ``bits``), else probes the chunks of the plan sure to its radius."""
    if bits >= 64 or n_queries * n_index <= BRUTE_MAX**2:
        return None
    return tuple(
        (transposed, tuple(c for c in plan(n_index, max(0, min(sure, bits))) if c.radius >= 0))
        for transposed, sure in layouts
    )


def _ascending(values: U64) -> bool:
    return bool(values.size < 2 or (values[1:] > values[:-1]).all())


def _pack(bits: int, rule: Rule, queries: U64, index: U64 | None, found: Pairs) -> bytes:
    head = json.dumps(
        {
            "layout": _LAYOUT,
            "bits": bits,
            "rule": _rule_text(rule),
            "queries": int(queries.size),
            "index": -1 if index is None else int(index.size),
            "pairs": len(found),
        }
    ).encode()
    parts = [
        struct.pack("<I", len(head)),
        head,
        queries.astype("<u8").tobytes(),
        b"" if index is None else index.astype("<u8").tobytes(),
        found.a.astype("<i4").tobytes(),
        found.b.astype("<i4").tobytes(),
        found.distance.astype("i1").tobytes(),
    ]
    return b"".join(parts)


class _Kept:
    """A search as kept: the values searched and the pairs found, by position in them."""

    def __init__(self, queries: U64, index: U64 | None, pairs: Pairs) -> None:
        self.queries = queries
        self.index = index
        self.pairs = pairs


def _unpack(blob: bytes, bits: int, rule: Rule, alone: bool) -> _Kept | None:
    """The search kept in ``blob`` if it was made at ``bits`` under ``rule`` (a self-search
    when ``alone``), else None."""
    try:
        (size,) = struct.unpack_from("<I", blob)
        head = json.loads(blob[4 : 4 + size])
        if (
            head["layout"] != _LAYOUT
            or head["bits"] != bits
            or head["rule"] != _rule_text(rule)
            or (head["index"] < 0) != alone
        ):
            return None
        nq, ni, np_ = int(head["queries"]), max(0, int(head["index"])), int(head["pairs"])
        at = 4 + size
        # The values are read where they lie in the blob (20 MB of window hashes at
        # 100,000 files): only compared with the values searched now, never kept.
        queries = np.frombuffer(blob, "<u8", nq, at).astype(np.uint64, copy=False)
        at += 8 * nq
        index = None if alone else np.frombuffer(blob, "<u8", ni, at).astype(np.uint64, copy=False)
        at += 8 * ni
        a = np.frombuffer(blob, "<i4", np_, at).astype(np.int64)
        at += 4 * np_
        b = np.frombuffer(blob, "<i4", np_, at).astype(np.int64)
        at += 4 * np_
        d = np.frombuffer(blob, "i1", np_, at).astype(np.int8)
        if at + np_ != len(blob):
            return None
    except (ValueError, KeyError, TypeError, struct.error):
        return None
    return _Kept(queries, index, Pairs(a, b, d))


def _rule_text(rule: Rule) -> str:
    if rule is None:
        return "all"
    return repr([(t, [(c.shift, c.width, c.radius) for c in chunks]) for t, chunks in rule])


def _moved(old: U64, new: U64) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Where each of the ``old`` values is among the ``new`` (-1: gone), and which of the
    ``new`` values are not among the ``old``."""
    pos = np.searchsorted(new, old)
    there = pos < new.size
    there[there] = new[pos[there]] == old[there]
    where: I64 = np.where(there, pos, -1).astype(np.int64)
    added = np.ones(new.size, dtype=bool)
    added[where[there]] = False
    return where, added


def _unmoved(kept: _Kept, queries: U64, index: U64 | None) -> bool:
    """Whether ``kept`` searched these very values and holds its pairs in the order a search
    gives them (by the two positions): then they are the search's pairs as they are. An
    unchanged library's window search made arrays of positions, old to new, for each of its
    two million window hashes (some 60 MB at once), to find every value where it was."""
    if not np.array_equal(kept.queries, queries):
        return False
    if index is not None and (kept.index is None or not np.array_equal(kept.index, index)):
        return False
    key = kept.pairs.a * max(int(queries.size if index is None else index.size), 1)
    key += kept.pairs.b
    return bool((key[1:] > key[:-1]).all())


def _completed(
    kept: _Kept, queries: U64, index: U64 | None, bits: int, rule: Rule
) -> tuple[Pairs, bool] | None:
    """The search of ``queries`` (against ``index``, or each other when None) from ``kept``:
    its pairs whose values are still there, at their new positions, with the pairs of the
    values new since compared under ``rule``, and whether there were any such values; None
    when that is more work than ``_MOST_COMPARED`` comparisons, or ``_COMPARED_PER_VALUE`` a
    value searched (the full search is then made)."""
    if _unmoved(kept, queries, index):
        return kept.pairs, False
    q_where, q_added = _moved(kept.queries, queries)
    if index is None or kept.index is None:
        i_where, i_added, other = q_where, q_added, queries
    else:
        i_where, i_added = _moved(kept.index, index)
        other = index
    new_q = np.flatnonzero(q_added)
    new_i = np.flatnonzero(i_added)
    if index is None:
        work = new_q.size * queries.size
    else:
        work = new_q.size * other.size + queries.size * new_i.size
    searched = queries.size + (0 if index is None else index.size)
    if work > min(_MOST_COMPARED, _COMPARED_PER_VALUE * searched):
        return None
    a = q_where[kept.pairs.a]
    b = i_where[kept.pairs.b]
    stay = (a >= 0) & (b >= 0)
    parts_a, parts_b, parts_d = [a[stay]], [b[stay]], [kept.pairs.distance[stay]]
    if index is None:
        # Each new value against all values; a pair of two new values once (lower first).
        qa, qb, qd = _compared(queries[new_q], new_q, queries, np.arange(queries.size), bits, rule)
        keep = (qa != qb) & ~(q_added[qb] & (qb < qa))
        qa, qb, qd = qa[keep], qb[keep], qd[keep]
        parts_a.append(np.minimum(qa, qb))
        parts_b.append(np.maximum(qa, qb))
        parts_d.append(qd)
    else:
        # New queries against the whole index, the other queries against the new entries.
        qa, qb, qd = _compared(queries[new_q], new_q, other, np.arange(other.size), bits, rule)
        parts_a.append(qa)
        parts_b.append(qb)
        parts_d.append(qd)
        old_q = np.flatnonzero(~q_added)
        qa, qb, qd = _compared(queries[old_q], old_q, other[new_i], new_i, bits, rule)
        parts_a.append(qa)
        parts_b.append(qb)
        parts_d.append(qd)
    a, b = np.concatenate(parts_a), np.concatenate(parts_b)
    d = np.concatenate(parts_d)
    order = np.argsort(a * max(int(other.size), 1) + b, kind="stable")
    return Pairs(a[order], b[order], d[order].astype(np.int8)), bool(new_q.size or new_i.size)


def _compared(
    left: U64, left_at: I64, right: U64, right_at: I64, bits: int, rule: Rule
) -> tuple[I64, I64, npt.NDArray[np.int8]]:
    """Every pair of a ``left`` and a ``right`` value within ``bits`` that ``rule`` finds:
    their positions (``left_at``, ``right_at``) and distance."""
    out_a: list[I64] = []
    out_b: list[I64] = []
    out_d: list[npt.NDArray[np.int8]] = []
    if left.size and right.size:
        rows = max(1, _BLOCK // int(right.size))
        for start in range(0, int(left.size), rows):
            part = left[start : start + rows]
            xor = part[:, None] ^ right[None, :]
            dist = popcount(xor)
            r, c = np.nonzero(dist <= bits)
            if r.size and rule is not None:
                met = xor[r, c]
                found = np.zeros(r.size, dtype=bool)
                for transposed, chunks in rule:
                    seen = laid(met, transposed)
                    for chunk in chunks:
                        found |= popcount(chunk.values(seen)) <= chunk.radius
                r, c = r[found], c[found]
            out_a.append(left_at[start + r].astype(np.int64))
            out_b.append(right_at[c].astype(np.int64))
            out_d.append(dist[r, c].astype(np.int8))
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int8)
    return np.concatenate(out_a), np.concatenate(out_b), np.concatenate(out_d)
