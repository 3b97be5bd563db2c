"""Keeper-centred groups: stars, not chains; deterministic; the keeper rule decides the centre."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe_gui.core.grouping import SimilarityIndex, group_records, summarise
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper import DEFAULT_RULES, keeper_key, validate_rules
from dedupe_gui.core.models import ImageRecord
from tests.core.records import record


def paths(groups: list) -> list[list[str]]:  # type: ignore[type-arg]
    return [[m.path for m in g.members] for g in groups]


def test_chain_is_cut_at_the_keeper() -> None:
    a = record("/a.jpg", 0b0, wh=(400, 300))  # best keeper: most pixels
    b = record("/b.jpg", 0b111, wh=(200, 150))  # 3 bits from a
    c = record("/c.jpg", 0b111111, wh=(100, 75))  # 3 bits from b, 6 from a
    groups = group_records([c, b, a], GroupingOptions(4))
    assert paths(groups) == [["/a.jpg", "/b.jpg"]]  # c is not chained in through b
    assert [m.distance for m in groups[0].members] == [0, 3]


def test_keeper_rule_order() -> None:
    big_jpeg = record("/x/big.jpg", 1, wh=(4000, 3000), size=1000)
    small_big_file = record("/x/small.png", 1, wh=(2000, 1500), size=9000)
    groups = group_records([small_big_file, big_jpeg], GroupingOptions(2))
    assert groups[0].suggested_keeper.path == "/x/big.jpg"  # pixels before bytes
    groups = group_records([small_big_file, big_jpeg], GroupingOptions(2, ("bytes", "pixels")))
    assert groups[0].suggested_keeper.path == "/x/small.png"


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        (dict(reference=True), dict(wh=(9000, 9000))),
        (dict(wh=(200, 200)), dict(size=10**6)),
        (dict(size=2000), dict(taken="2020-01-01T00:00:00", camera="Cam")),
        (dict(taken="2020-01-01T00:00:00"), dict(mtime_ns=0)),
        (dict(mtime_ns=0), dict()),
    ],
)
def test_default_rules_rank_in_the_documented_order(better: dict, worse: dict) -> None:  # type: ignore[type-arg]
    key = keeper_key(DEFAULT_RULES)
    a = record("/zzzzzzzzzz/long/name.jpg", 5, **better)
    b = record("/b.jpg", 5, **worse)
    assert key(a) < key(b)


def test_shorter_path_breaks_the_last_tie() -> None:
    groups = group_records(
        [record("/lib/backup/copy/a.jpg", 9), record("/lib/a.jpg", 9)], GroupingOptions(0)
    )
    assert groups[0].suggested_keeper.path == "/lib/a.jpg"


def test_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown keeper rule"):
        validate_rules(["pixels", "prettiest"])


def test_reference_files_are_kept_and_reference_only_groups_dropped() -> None:
    ref1 = record("/ref/a.jpg", 3, reference=True)
    ref2 = record("/ref/b.jpg", 3, reference=True)
    assert group_records([ref1, ref2], GroupingOptions(0)) == []
    lib = record("/lib/c.jpg", 3, wh=(4000, 4000))
    (group,) = group_records([ref1, ref2, lib], GroupingOptions(0))
    assert group.suggested_keeper.path == "/ref/a.jpg"
    assert {m.path: m.keep for m in group.members} == {
        "/ref/a.jpg": True,
        "/ref/b.jpg": True,
        "/lib/c.jpg": False,
    }
    assert group.reclaimable_bytes == lib.key.size


def test_identical_copies_are_marked() -> None:
    a = record("/a.jpg", 7, digest="d1")
    b = record("/b.jpg", 7, digest="d1")
    c = record("/c.jpg", 7, digest="d2")
    (group,) = group_records([a, b, c], GroupingOptions(0))
    flags = {m.path: m.identical for m in group.members[1:]}
    assert flags == {"/b.jpg": True, "/c.jpg": False}
    assert not group.exact
    (group2,) = group_records([a, b], GroupingOptions(0))
    assert group2.exact


def test_regrouping_at_smaller_threshold_reuses_the_search() -> None:
    recs = [record(f"/{i}.jpg", h) for i, h in enumerate([0, 1, 0b11, 0b1111, 0xFF])]
    index = SimilarityIndex(recs)
    loose = index.groups(GroupingOptions(8))
    strict = index.groups(GroupingOptions(1))
    assert summarise(loose).duplicates == 4
    assert paths(strict) == [["/0.jpg", "/1.jpg"]]
    assert paths(index.groups(GroupingOptions(8))) == paths(loose)
    with pytest.raises(ValueError):
        index.groups(GroupingOptions(65))


hashes = st.lists(st.integers(0, (1 << 64) - 1), min_size=0, max_size=60)


@st.composite
def clustered(draw: st.DrawFn) -> list[ImageRecord]:
    """Hashes in a few clusters, so that groups, overlaps and chains really occur."""
    centres = draw(st.lists(st.integers(0, (1 << 64) - 1), min_size=1, max_size=5))
    out = []
    for i in range(draw(st.integers(1, 40))):
        centre = centres[draw(st.integers(0, len(centres) - 1))]
        flips = draw(st.lists(st.integers(0, 63), max_size=8))
        h = centre
        for bit in flips:
            h ^= 1 << bit
        out.append(
            record(
                f"/p/{i:03d}.jpg",
                h,
                wh=(draw(st.integers(1, 4)) * 100, 100),
                size=draw(st.integers(1, 5)) * 1000,
                reference=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return out


@settings(max_examples=150, deadline=None)
@given(clustered(), st.integers(0, 12))
def test_star_invariants(recs: list[ImageRecord], threshold: int) -> None:
    groups = group_records(recs, GroupingOptions(threshold))
    seen: set[str] = set()
    key = keeper_key(DEFAULT_RULES)
    for g in groups:
        keeper = g.suggested_keeper.record
        assert g.suggested_keeper.keep and g.suggested_keeper.distance == 0
        assert any(not m.keep for m in g.members)  # something to do in every group
        for m in g.members:
            d = (m.record.fingerprint.hash ^ keeper.fingerprint.hash).bit_count()
            assert d == m.distance <= threshold  # compared directly with the keeper
            assert m.path not in seen  # no file in two groups
            seen.add(m.path)
            assert key(keeper) <= key(m.record)  # nobody is under a worse keeper
            if m.record.reference:
                assert m.keep
    # Deterministic whatever the input order.
    assert paths(group_records(list(reversed(recs)), GroupingOptions(threshold))) == paths(groups)


@settings(max_examples=60, deadline=None)
@given(clustered(), st.integers(0, 12))
def test_every_close_pair_is_grouped_unless_a_better_keeper_took_one(
    recs: list[ImageRecord], threshold: int
) -> None:
    """Maximality: an ungrouped file has no ungrouped neighbour it could have joined."""
    groups = group_records(recs, GroupingOptions(threshold))
    grouped = {m.path for g in groups for m in g.members}
    loose = [r for r in recs if r.path not in grouped and not r.reference]
    for i, a in enumerate(loose):
        for b in loose[i + 1 :]:
            assert (a.fingerprint.hash ^ b.fingerprint.hash).bit_count() > threshold
