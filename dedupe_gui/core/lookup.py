"""Checking images against a fingerprint database: "do I already have this photo?"

The same two signals as grouping: a Hamming search finds the database entries within T of
each query's hash, and the thumbnail check (core.verify) drops the candidates that only share
a hash neighbourhood (a different frame of the same scene, a flat picture). Entries stored
without a thumbnail (older databases) are judged on the hash alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedupe_gui.core.hamming import cross_pairs
from dedupe_gui.core.models import Fingerprint
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals


@dataclass(frozen=True, slots=True)
class Match:
    entry: int  # index into the database entries
    distance: int


def find_matches(
    entries: Sequence[Fingerprint],
    queries: Sequence[Fingerprint],
    threshold: int,
    *,
    verify: bool = True,
    max_residual: float = DEFAULT_MAX_RESIDUAL,
) -> list[list[Match]]:
    """For each query, the entries within ``threshold`` bits (and passing the thumbnail check
    with ``verify``), closest first."""
    out: list[list[Match]] = [[] for _ in queries]
    if not entries or not queries:
        return out
    hashes = np.fromiter((e.hash for e in entries), np.uint64, len(entries))
    unique, inverse = np.unique(hashes, return_inverse=True)
    order = np.argsort(inverse.reshape(-1), kind="stable")
    bounds = np.searchsorted(inverse.reshape(-1)[order], np.arange(unique.size + 1))
    q_hashes = np.fromiter((q.hash for q in queries), np.uint64, len(queries))
    pairs = cross_pairs(q_hashes, unique, threshold)
    # Expand unique-hash pairs to (query, entry, distance).
    count = (bounds[1:] - bounds[:-1])[pairs.b]
    q = np.repeat(pairs.a, count)
    d = np.repeat(pairs.distance.astype(np.int64), count)
    k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    e = order[np.repeat(bounds[:-1][pairs.b], count) + k]
    if verify and q.size:
        q_thumbs, q_has = thumbs_to_array([queries[i].thumb for i in q.tolist()])
        e_thumbs, e_has = thumbs_to_array([entries[i].thumb for i in e.tolist()])
        both = q_has & e_has
        ok = np.ones(q.size, dtype=bool)
        if both.any():
            ok[both] = (
                residuals(q_thumbs[both], e_thumbs[both], good_enough=max_residual) <= max_residual
            )
        q, d, e = q[ok], d[ok], e[ok]
    for qi, di, ei in zip(q.tolist(), d.tolist(), e.tolist(), strict=True):
        out[qi].append(Match(ei, di))
    for matches in out:
        matches.sort(key=lambda m: (m.distance, m.entry))
    return out
