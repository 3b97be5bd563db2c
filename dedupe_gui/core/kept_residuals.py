"""Residuals of checked pairs by ``pair_id``, held as sorted arrays rather than a dictionary.

A cold grouping of a large library checks every candidate pair once and keeps each verdict
for the rest of the grouping (and hands it to the cache): 650,000 pairs at 100,000 small
photos. A dictionary of Python ints and floats held some 100-200 bytes a pair, twice (the
verdicts and those not yet handed over); these arrays hold 12 bytes a pair.

Verdicts come a wave of keepers at a time (core.grouping), so they are kept as a few sorted
runs, the newest small: a run is merged into the one before it once it is at least half as
long, so a library's worth of verdicts is found through a few binary searches, and each
verdict is copied a few times in all.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]


class KeptResiduals:
    """Residuals by pair key (63-bit ``pair_id``), added in batches and looked up in batches."""

    def __init__(self) -> None:
        self._runs: list[tuple[I64, F32]] = []

    def __len__(self) -> int:
        """Distinct keys kept (runs may share keys until merged: merges them all)."""
        self._runs = [self._all()]
        return int(self._runs[0][0].size)

    def clear(self) -> None:
        self._runs = []

    def held(self) -> int:
        """Keys held, counted with repeats (at most ``len``'s merge would keep): without
        merging the runs, for a caller that hands them over once there are enough."""
        return sum(int(keys.size) for keys, _ in self._runs)

    def get(self, keys: I64) -> F32:
        """The residual kept for each of ``keys``; NaN where none is."""
        out = np.full(keys.size, np.nan, dtype=np.float32)
        for run_keys, run_values in self._runs:
            if not run_keys.size:
                continue
            pos = np.minimum(run_keys.searchsorted(keys), run_keys.size - 1)
            hit = run_keys[pos] == keys
            out[hit] = run_values[pos[hit]]
        return out

    def add(self, keys: I64, values: F32) -> None:
        """Keep ``values`` for ``keys``; a key added again takes its newest value."""
        if not keys.size:
            return
        # The last of a key's values within the batch (as a dictionary's update would).
        last = keys.size - 1 - np.unique(keys[::-1], return_index=True)[1]
        self._runs.append((keys[last].astype(np.int64), np.asarray(values, dtype=np.float32)[last]))
        while len(self._runs) > 1 and 2 * self._runs[-1][0].size >= self._runs[-2][0].size:
            newer = self._runs.pop()
            self._runs[-1] = _merged(self._runs[-1], newer)

    def take(self) -> ResidualsByPair:
        """Everything kept, as a mapping, and nothing kept any more."""
        keys, values = self._all()
        self._runs = []
        return ResidualsByPair(keys, values)

    def _all(self) -> tuple[I64, F32]:
        """Every run merged into one."""
        out = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        for run in self._runs:
            out = _merged(out, run)
        return out


def _merged(older: tuple[I64, F32], newer: tuple[I64, F32]) -> tuple[I64, F32]:
    """Two sorted runs as one; where both hold a key, the newer one's value."""
    keys = np.concatenate([newer[0], older[0]])
    values = np.concatenate([newer[1], older[1]])
    # np.unique's first index of each key is within ``newer`` when the key is there.
    uniq, first = np.unique(keys, return_index=True)
    return uniq.astype(np.int64), values[first]


class ResidualsByPair(Mapping[int, float]):
    """Residuals by pair key over two sorted arrays: what a cache is handed
    (FingerprintStore.put_pair_checks) without a dictionary of a library's pairs."""

    def __init__(self, keys: I64, values: F32) -> None:
        self._keys = keys
        self._values = values

    def __getitem__(self, key: int) -> float:
        pos = int(np.searchsorted(self._keys, key))
        if pos < self._keys.size and int(self._keys[pos]) == key:
            return float(self._values[pos])
        raise KeyError(key)

    def __len__(self) -> int:
        return int(self._keys.size)

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys.tolist())

    def items(self) -> ItemsView[int, float]:
        """(key, residual) in key order, without a look-up per key."""
        return _Items(self)

    def in_order(self) -> Iterator[tuple[int, float]]:
        """(key, residual) in key order."""
        return zip(self._keys.tolist(), self._values.tolist(), strict=True)


class _Items(ItemsView[int, float]):
    """A mapping's items read from its arrays in one pass."""

    def __init__(self, of: ResidualsByPair) -> None:
        super().__init__(of)
        self._of = of

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return self._of.in_order()
