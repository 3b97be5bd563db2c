"""Kept residuals as sorted runs: what a dictionary of pair keys gave, batch by batch."""

from __future__ import annotations

import numpy as np

from dedupe_gui.core.kept_residuals import KeptResiduals


def test_many_batches_give_what_a_dictionary_gives() -> None:
    rng = np.random.default_rng(5)
    kept = KeptResiduals()
    reference: dict[int, float] = {}
    pool = rng.integers(0, 2**63 - 1, size=3000, dtype=np.int64)
    for size in rng.integers(0, 400, size=60).tolist():
        # Batches that repeat keys, within themselves and with earlier batches.
        keys = rng.choice(pool, size=size)
        values = rng.random(size).astype(np.float32)
        kept.add(keys, values)
        reference.update(zip(keys.tolist(), values.tolist(), strict=True))
        asked = np.concatenate([rng.choice(pool, size=200), np.array([-1, 2**63 - 1])])
        got = kept.get(asked)
        expected = np.array([reference.get(k, np.nan) for k in asked.tolist()], np.float32)
        np.testing.assert_array_equal(got, expected)
    # Merged as it goes: a few runs, not one per batch.
    assert len(kept._runs) <= 12
    assert len(kept) == len(reference)
    taken = kept.take()
    assert taken == reference
    assert list(taken.items()) == sorted(reference.items())
    assert taken[next(iter(reference))] == reference[next(iter(reference))]
    assert len(kept) == 0 and kept.take() == {}


def test_cleared_and_empty() -> None:
    kept = KeptResiduals()
    assert np.isnan(kept.get(np.array([3], np.int64))).all()
    kept.add(np.array([3, 1], np.int64), np.array([0.5, 0.25], np.float32))
    assert kept.get(np.array([1, 2, 3], np.int64)).tolist()[::2] == [0.25, 0.5]
    kept.clear()
    assert np.isnan(kept.get(np.array([1, 3], np.int64))).all()
