"""The window index answers every radius up to the largest from one search, and lets its
window hashes go once it has searched at the largest (core.window_index.WindowIndex)."""

from __future__ import annotations

import numpy as np
import pytest

from dedupe_gui.core.window_index import LAYOUTS, WindowIndex


def _flipped(value: int, bits: int, rng: np.random.Generator) -> int:
    for bit in rng.choice(64, bits, replace=False).tolist():
        value ^= 1 << bit
    return value


def test_smaller_radii_come_from_the_search_at_the_largest() -> None:
    rng = np.random.default_rng(5)
    own = rng.integers(0, 2**63, 40, dtype=np.int64).astype(np.uint64)
    # Each file's windows: three near another file's hash (1, 4 and 9 bits away), some far.
    windows: list[tuple[int, int, int]] = []
    for k in range(40):
        target = int(own[(k + 1) % 40])
        for slot, bits in enumerate((1, 4, 9)):
            windows.append((_flipped(target, bits, rng), k, slot))
        windows.append((int(rng.integers(0, 2**63)), k, 3))
    values = np.array([w[0] for w in windows], np.uint64)
    owner = np.array([w[1] for w in windows], np.int32)
    slots = np.array([w[2] for w in windows], np.int8)
    queries = np.sort(own)
    bounds = np.arange(queries.size + 1, dtype=np.int64)

    def found(index: WindowIndex, bits: int) -> set[tuple[int, int, int, int]]:
        got = index.pairs(queries, bounds, bits)
        return set(zip(*(x.tolist() for x in got), strict=True))

    fresh = {bits: found(WindowIndex(values, owner, slots, LAYOUTS), bits) for bits in (3, 10)}
    kept = WindowIndex(values, owner, slots, LAYOUTS, largest=10)
    assert found(kept, 10) == fresh[10]
    assert kept._values.size == 0  # let go: never searched again
    assert found(kept, 3) == fresh[3] and found(kept, 10) == fresh[10]
    with pytest.raises(ValueError, match="let go"):  # wider than the hashes were kept for
        found(kept, 11)
    assert len(fresh[10]) >= 80 and fresh[3] < fresh[10]  # 1 and 4 (mostly 9) bits found
    # Below the largest radius, the hashes stay for a wider search later.
    wider = WindowIndex(values, owner, slots, LAYOUTS, largest=10)
    assert found(wider, 3) == fresh[3] and wider._values.size == len(windows)
    assert found(wider, 10) == fresh[10]
