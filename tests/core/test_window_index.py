"""The window index answers every radius up to the largest from one search, and lets its
window hashes go once it has searched at the largest (core.window_index.WindowIndex)."""

from __future__ import annotations

import numpy as np
import pytest

from dedupe_gui.core.models import FileKey, Fingerprint, Hashes, ImageRecord
from dedupe_gui.core.window_index import LAYOUTS, WindowIndex, windows_of
from dedupe_gui.core.windows import CENTRE_SLOT, far_windows


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


def test_each_kind_of_window_is_read_with_its_record_and_number() -> None:
    """``windows_of``: the far windows, or the others but the centre's, in record and window
    order, from records with no windows, with the few every fingerprint holds, and with
    squares and deep edges (counts at which ``far_windows`` gives none, some and many)."""
    rng = np.random.default_rng(9)
    counts = [0, 3, 44, 0, 12, 41, 13, 5, 0]
    records = [
        ImageRecord(
            FileKey(f"/lib/{i}.jpg", 1, i),
            Fingerprint(
                int(rng.integers(0, 2**63)),
                160,
                120,
                "JPEG",
                windows=Hashes(int(v) for v in rng.integers(0, 2**63, c, dtype=np.int64)),
            ),
        )
        for i, c in enumerate(counts)
    ]
    assert any(far_windows(c) for c in counts) and not far_windows(3)
    for far in (True, False):
        expected = [
            (value, i, slot)
            for i, r in enumerate(records)
            for slot, value in enumerate(r.fingerprint.windows)
            if slot != CENTRE_SLOT
            and (slot >= len(r.fingerprint.windows) - far_windows(len(r.fingerprint.windows)))
            == far
        ]
        values, owner, slot = windows_of(records, far)
        assert values.dtype == np.uint64 and owner.dtype == np.int32 and slot.dtype == np.int8
        got = list(zip(values.tolist(), owner.tolist(), slot.tolist(), strict=True))
        assert got == expected and len(got) > 10
