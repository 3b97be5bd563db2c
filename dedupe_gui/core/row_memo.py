"""Rows of a pair's check kept by their inputs' bytes, for the pair read the other way.

A pair of two sizes that fails read one way is read the other way too (core.pair_order),
and most of what the second reading computes the first one already did with the same
pixels: the alignment of each picture onto the other (core.verify tries both directions
whichever picture comes first), the local-edit look at 128x128 (read both ways), the look
through a window (its owner is the owner whichever way the pair is read) and the
straightened turns (of either side). Each of those computes every row of its batch from
that row's inputs alone, so a row's outputs can be looked up by the bytes of its inputs:
the second reading takes them instead of computing them again, and gets the same bits. A
memo lives as long as one batch's two readings: the bytes it keys by are the batch's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

Rows = tuple[npt.NDArray[Any], ...]


class RowMemo:
    """Outputs of row-by-row computations, by the computation's name and the bytes of the
    row's inputs (a 16-byte digest)."""

    def __init__(self) -> None:
        self._kept: dict[bytes, Rows] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def rows(self, name: str, compute: Callable[..., Rows], *inputs: npt.NDArray[Any]) -> Rows:
        """``compute(*inputs)``, whose outputs' row ``k`` depends on the inputs' rows ``k``
        alone (the first axis), with the rows seen before under ``name`` taken as kept and
        only the others computed (in one call, in their order)."""
        count = inputs[0].shape[0]
        if count == 0:
            return compute(*inputs)
        keys = [_key(name, inputs, k) for k in range(count)]
        missing = [k for k, key in enumerate(keys) if key not in self._kept]
        made: Rows = ()
        if missing:
            at = np.array(missing, dtype=np.int64)
            made = compute(*(x[at] for x in inputs))
            for j, k in enumerate(missing):
                # Copies: a view would hold the whole batch's output.
                self._kept[keys[k]] = tuple(np.array(out[j]) for out in made)
            if len(missing) == count:
                return made
        first = self._kept[keys[0]]
        return tuple(
            np.stack([self._kept[key][i] for key in keys]).astype(first[i].dtype, copy=False)
            for i in range(len(first))
        )


def _key(name: str, inputs: tuple[npt.NDArray[Any], ...], k: int) -> bytes:
    digest = hashlib.blake2b(name.encode(), digest_size=16)
    for x in inputs:
        row = np.ascontiguousarray(x[k])
        digest.update(f"{row.dtype.str}{row.shape}".encode())
        digest.update(row.tobytes())
    return digest.digest()
