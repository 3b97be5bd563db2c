"""Sorting in short calls (core.stepwise): the order of one sort, in calls that each compare
few keys, so another thread can take the interpreter in between."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from dedupe_gui.core.stepwise import RUN, stable_order


def test_the_order_is_the_one_of_a_single_stable_sort() -> None:
    rng = random.Random(5)
    for n in (0, 1, 2, 7, RUN - 1, RUN, RUN + 1, 3 * RUN + 17, 20_000):
        # Few distinct keys: many ties, which must keep their index order.
        keys = [(rng.randrange(4), rng.choice("abc"), rng.random() < 0.5) for _ in range(n)]
        expected = sorted(range(n), key=keys.__getitem__)
        assert stable_order(n, keys.__getitem__) == expected, n
        assert stable_order(n, keys.__getitem__, run=3) == expected, n


def test_merging_runs_whose_items_all_go_one_side_first() -> None:
    # The merge path crosses from one run to the other in one step: pieces hold one run's
    # items only.
    keys = [float(i % 50) for i in range(100)]  # 0..49 twice: each tie, first run first
    for run in (1, 7, 50, 64, 200):
        assert stable_order(100, keys.__getitem__, run) == sorted(range(100), key=keys.__getitem__)
    high_first = list(range(100, 0, -1))
    assert stable_order(100, high_first.__getitem__, 8) == list(range(99, -1, -1))


def test_a_run_of_one_merges_single_items() -> None:
    keys = [5, 3, 3, 9, 0, 3]
    assert stable_order(len(keys), keys.__getitem__, run=1) == [4, 1, 2, 5, 0, 3]
    with pytest.raises(ValueError):
        stable_order(3, keys.__getitem__, run=0)


@dataclass
class Counted:
    """A key that counts its comparisons, and tells when a new sort call starts: a sort asks
    for every key of its list first, then compares."""

    value: float
    meter: Meter

    def __lt__(self, other: Counted) -> bool:
        self.meter.compares[-1] += 1
        return self.value < other.value


@dataclass
class Meter:
    compares: list[int] = field(default_factory=lambda: [0])

    def key(self, values: list[float]) -> object:
        def key(i: int) -> Counted:
            if self.compares[-1]:  # keys asked for after compares: another sort call
                self.compares.append(0)
            return Counted(values[i], self)

        return key


def test_no_call_compares_more_than_a_run_needs() -> None:
    # One sort of n keys compares about n log2 n times in one call (14 n at 20,000): the
    # interpreter lock is held all along. In runs cut along their merge paths, no call
    # sorts more than RUN keys: at most about RUN log2 RUN compares (12 RUN).
    n = 20_000
    rng = random.Random(8)
    values = [rng.random() for _ in range(n)]
    meter = Meter()
    order = stable_order(n, meter.key(values))  # type: ignore[arg-type]
    assert order == sorted(range(n), key=values.__getitem__)
    assert len(meter.compares) > 1
    assert max(meter.compares) < 13 * RUN, max(meter.compares)
