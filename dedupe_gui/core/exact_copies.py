"""Which files are exact copies of each other: content digests, read only where they can tell.

Two files can be byte-for-byte copies only if they share a size and a fingerprint; among
those, a digest of the first and last 64 KiB (kept in the cache) rules most out before any
file is read in full. Apart from core.scan, whose decoding threads never need it, and
shared with core.rescan, which reads a library back without scanning it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # SQLite and the records are loaded by whoever has records to compare
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.digests import DigestProgress
    from dedupe_gui.core.found import FileError
    from dedupe_gui.core.models import ImageRecord


def add_digests(
    records: Sequence[ImageRecord],
    store: FingerprintStore | None,
    errors: list[FileError],
    progress: DigestProgress | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> list[ImageRecord]:
    """Content digests for files that share size and fingerprint: the only possible exact
    copies. A head-and-tail digest is compared first, so files that differ in their first or
    last 64 KiB are never read in full (that digest is kept in the store for the next scans);
    big files read in full report ``progress``."""
    from dedupe_gui.core import identity
    from dedupe_gui.core.digests import file_digest

    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        buckets[(r.key.size, r.fingerprint.hash)].append(i)
    out = list(records)
    for members in buckets.values():
        if len(members) < 2 or stop():
            continue
        if all(out[i].digest is not None for i in members):
            continue  # every digest came from the cache: nothing to read
        by_quick: dict[str, list[int]] = defaultdict(list)
        for i in members:
            try:
                quick = identity.quick_digest(store, out[i])
            except OSError:
                continue  # not fatal: the file is then simply not marked identical
            if out[i].quick is None:
                out[i] = replace(out[i], quick=quick)
            by_quick[quick].append(i)
        for same in by_quick.values():
            if len(same) < 2:
                continue
            for i in same:
                r = out[i]
                if r.digest is not None:
                    continue  # read from the cache with the fingerprint
                digest = store.get_digest(r.key) if store is not None else None
                if digest is None:
                    try:
                        digest = file_digest(r.key.path, progress)
                    except OSError:
                        continue
                    if store is not None:
                        store.put_digest(r.key, digest)
                out[i] = replace(r, digest=digest)
    return out
