"""Queries against a fingerprint database: every entry behind a matching hash, closest first."""

from __future__ import annotations

from dedupe_gui.core.lookup import Match, find_matches
from dedupe_gui.core.models import Fingerprint


def fp(h: int) -> Fingerprint:
    return Fingerprint(h, 10, 10, "PNG")  # no thumbnail: judged on the hash alone


def test_identical_hashes_all_match_and_closest_come_first() -> None:
    entries = [fp(0b1111), fp(0), fp(0b1), fp(0), fp(0b111 << 61)]
    found = find_matches(entries, [fp(0), fp(0xFFFF_0000_0000_0000)], threshold=2)
    assert found[0] == [Match(1, 0), Match(3, 0), Match(2, 1)]
    assert found[1] == []


def test_empty_inputs() -> None:
    assert find_matches([], [fp(1)], 4) == [[]]
    assert find_matches([fp(1)], [], 4) == []
