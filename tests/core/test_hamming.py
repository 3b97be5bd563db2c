"""The Hamming search must return exactly what comparing every pair returns, at every threshold.

The index has several paths (dense K x K blocks, the overflow of large buckets, per-hash
probes for wide chunks, the small-input shortcut), so the inputs mix unrelated hashes with
planted near-duplicates and with values crowded into a few buckets of some chunk.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe_gui.core.hamming import Pairs, brute_self_pairs, cross_pairs, self_pairs
from dedupe_gui.core.hamming_table import PAD_CANDIDATES

U64 = npt.NDArray[np.uint64]
MAX = (1 << 64) - 1


def as_set(p: Pairs) -> set[tuple[int, int, int]]:
    return set(zip(p.a.tolist(), p.b.tolist(), p.distance.tolist(), strict=True))


def brute_cross(queries: U64, index: U64, threshold: int) -> set[tuple[int, int, int]]:
    out = set()
    for i, q in enumerate(queries.tolist()):
        for j, v in enumerate(index.tolist()):
            d = (q ^ v).bit_count()
            if d <= threshold:
                out.add((i, j, d))
    return out


def flip(value: int, bits: list[int]) -> int:
    for b in bits:
        value ^= 1 << b
    return value


@st.composite
def hash_sets(draw: st.DrawFn, max_size: int = 300) -> U64:
    """Unique hashes: random ones, near copies (1..16 flips), and crowded low/high values."""
    n = draw(st.integers(0, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    values: list[int] = []
    for _ in range(n):
        kind = draw(st.sampled_from(["random", "near", "low", "high"])) if values else "random"
        if kind == "random":
            values.append(int(rng.integers(0, MAX, dtype=np.uint64, endpoint=True)))
        elif kind == "near":
            base = values[int(rng.integers(0, len(values)))]
            k = int(rng.integers(1, 17))
            values.append(flip(base, rng.choice(64, k, replace=False).tolist()))
        elif kind == "low":  # all in bucket 0 of every chunk but the lowest: big buckets
            values.append(int(rng.integers(0, 1 << 12)))
        else:
            values.append(int(rng.integers(0, 1 << 12)) << 52)
    return np.unique(np.array(values, dtype=np.uint64))


def check_self(hashes: U64, threshold: int) -> None:
    want = as_set(brute_self_pairs(hashes, threshold)) if threshold > 0 else set()
    got = self_pairs(hashes, threshold, brute_max=0)
    assert as_set(got) == want
    assert np.all(got.a < got.b)
    key = got.a * max(hashes.size, 1) + got.b
    assert np.all(np.diff(key) > 0)  # sorted by (a, b), each pair once


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hashes=hash_sets(), threshold=st.integers(0, 64))
def test_self_pairs_equal_brute_force(hashes: U64, threshold: int) -> None:
    check_self(hashes, threshold)


@pytest.mark.parametrize("threshold", range(65))
def test_every_threshold_on_planted_neighbours(threshold: int) -> None:
    rng = np.random.default_rng(threshold)
    base = rng.integers(0, MAX, size=150, dtype=np.uint64, endpoint=True)
    near = [
        flip(int(v), rng.choice(64, int(rng.integers(1, max(threshold, 1) + 1)), False).tolist())
        for v in base[:80]
    ]
    crowded = np.arange(60, dtype=np.uint64)  # one huge bucket in the upper chunks
    hashes = np.unique(np.concatenate([base, np.array(near, dtype=np.uint64), crowded]))
    check_self(hashes, threshold)


def test_large_input_takes_the_block_path_and_stays_exact() -> None:
    rng = np.random.default_rng(7)
    base = rng.integers(0, MAX, size=3000, dtype=np.uint64, endpoint=True)
    near = base[:1500] ^ (np.uint64(1) << rng.integers(0, 64, size=1500).astype(np.uint64))
    hashes = np.unique(np.concatenate([base, near, np.arange(400, dtype=np.uint64)]))
    for threshold in (1, 4, 10, 16):
        want = as_set(brute_self_pairs(hashes, threshold))
        assert as_set(self_pairs(hashes, threshold)) == want
        assert as_set(self_pairs(hashes, threshold, workers=1)) == want


@pytest.mark.parametrize("threshold", [-1, 0, 1, 10, 64])
def test_empty_and_single_inputs(threshold: int) -> None:
    empty = np.empty(0, np.uint64)
    one = np.array([12345], dtype=np.uint64)
    assert len(self_pairs(empty, threshold)) == 0
    assert len(self_pairs(one, threshold, brute_max=0)) == 0
    assert len(cross_pairs(empty, one, threshold)) == 0
    assert len(cross_pairs(one, empty, threshold)) == 0
    got = cross_pairs(one, one, threshold, brute_max=0)
    assert as_set(got) == ({(0, 0, 0)} if threshold >= 0 else set())


def test_far_apart_extremes() -> None:
    hashes = np.array([0, MAX], dtype=np.uint64)
    assert as_set(self_pairs(hashes, 63, brute_max=0)) == set()
    assert as_set(self_pairs(hashes, 64)) == {(0, 1, 64)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=hash_sets(max_size=200),
    extra=st.lists(st.integers(0, MAX), max_size=20),
    threshold=st.integers(0, 64),
)
def test_cross_pairs_equal_brute_force(index: U64, extra: list[int], threshold: int) -> None:
    # Queries: some index entries themselves (repeated), near copies of others, strangers.
    picked = index[: min(10, index.size)].tolist()
    near = [v ^ 0b1011 for v in index[10:20].tolist()]
    queries = np.array(picked + picked[:3] + near + extra, dtype=np.uint64)
    want = brute_cross(queries, index, threshold)
    got = cross_pairs(queries, index, threshold, brute_max=0)
    assert as_set(got) == want
    assert as_set(cross_pairs(queries, index, threshold)) == want


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=hash_sets(max_size=200), threshold=st.integers(1, 16), sure=st.integers(0, 16))
def test_cross_pairs_with_a_smaller_sure_radius(index: U64, threshold: int, sure: int) -> None:
    """Every pair within ``sure`` is found, nothing beyond ``threshold`` is returned, and
    every pair returned carries its true distance."""
    rng = np.random.default_rng(int(index.size))
    queries = np.array(
        [flip(v, rng.choice(64, int(rng.integers(0, 12)), replace=False).tolist()) for v in index],
        dtype=np.uint64,
    )
    want = brute_cross(queries, index, threshold)
    got = as_set(cross_pairs(queries, index, threshold, brute_max=0, sure=sure))
    assert got <= want
    assert {p for p in want if p[2] <= sure} <= got


def test_a_smaller_sure_radius_still_finds_unevenly_spread_pairs() -> None:
    """Pairs past ``sure`` whose differing bits sit in one chunk are found: the other chunks
    agree exactly, which the probes of every radius look at."""
    rng = np.random.default_rng(7)
    index = np.unique(rng.integers(0, MAX, size=5000, dtype=np.uint64, endpoint=True))
    queries = np.array([flip(v, list(range(9))) for v in index[:200].tolist()], np.uint64)
    got = cross_pairs(queries, index, 10, brute_max=0, sure=3)
    assert {(i, i, 9) for i in range(200)} <= as_set(got)


def test_cross_pairs_finds_each_pair_once_in_order() -> None:
    """Near copies agree on most chunks, and each chunk's probe meets them: every pair still
    comes back once, sorted by (query, entry), with its true distance."""
    rng = np.random.default_rng(11)
    index = np.unique(rng.integers(0, MAX, size=4000, dtype=np.uint64, endpoint=True))
    near = [
        flip(v, rng.choice(64, int(rng.integers(0, 3)), replace=False).tolist())
        for v in index[:300].tolist()
    ]
    queries = np.array(near + near[:50], dtype=np.uint64)
    got = cross_pairs(queries, index, 10, brute_max=0)
    pairs = list(zip(got.a.tolist(), got.b.tolist(), strict=True))
    assert pairs == sorted(set(pairs))
    assert as_set(got) == brute_cross(queries, index, 10)
    assert len(got) >= 350


def test_the_pads_tried_are_the_generators_first_draws() -> None:
    """Written out instead of drawn at each search: the same pads as when they were drawn."""
    drawn = np.random.default_rng(0x5EED).integers(0, MAX, size=8, dtype=np.uint64)
    assert list(PAD_CANDIDATES) == drawn.tolist()


def test_a_search_through_crowded_buckets_loads_no_random_or_masked_arrays() -> None:
    """numpy.random (for the pads) and numpy.ma (np.unique's check for masked arrays) cost
    20 ms of the first grouping that probed a large bucket, one core of two idle meanwhile."""
    code = (
        "import sys\n"
        "import numpy as np\n"
        "from dedupe_gui.core.hamming import brute_self_pairs, cross_pairs, self_pairs\n"
        "hashes = np.concatenate([np.arange(300, dtype=np.uint64),\n"
        "    np.arange(1, 60, dtype=np.uint64) << np.uint64(40)])\n"
        "got = self_pairs(hashes, 6, brute_max=0)\n"
        "want = brute_self_pairs(hashes, 6)\n"
        "assert sorted(zip(got.a.tolist(), got.b.tolist())) == "
        "sorted(zip(want.a.tolist(), want.b.tolist()))\n"
        "assert len(cross_pairs(hashes[:100], hashes, 6, brute_max=0)) > 0\n"
        "print(sorted(m for m in ('numpy.random', 'numpy.ma', 'random') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
