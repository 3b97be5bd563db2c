"""Content digests: the full one that proves two files byte-identical, and a fast one.

``head_tail_digest`` reads only the first and last block (plus the size): enough to notice
that a file was replaced by another picture even when size and mtime were forged
(``touch -r``), at the cost of two reads. It is what a cleanup checks on the file it keeps.

``file_digest`` reads everything, in chunks, and can report progress and stop early: two
50 GB files must not freeze a scan without a word. ``identical_sets`` compares the cheap
digest first, so files that differ in their first or last block are never read in full.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from dedupe_gui.core.regular import open_regular

BLOCK = 1 << 16  # 64 KiB at each end
CHUNK = 1 << 20

DigestProgress = Callable[[str, int, int], None]  # path, bytes read, size


def head_tail_digest(path: str) -> str:
    """blake2b of the size, the first and the last ``BLOCK`` bytes (the whole of small files)."""
    # Imported where a digest is made: hashlib loads OpenSSL's bindings (3-6 ms), which
    # would otherwise come before a scan's first decode.
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        h.update(size.to_bytes(8, "little"))
        h.update(f.read(BLOCK))
        if size > BLOCK:
            f.seek(max(BLOCK, size - BLOCK))
            h.update(f.read(BLOCK))
    return "ht:" + h.hexdigest()


def file_digest(path: str, progress: DigestProgress | None = None) -> str:
    """blake2b of the whole content; ``progress`` is told after every chunk of big files."""
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        done = 0
        while chunk := f.read(CHUNK):
            h.update(chunk)
            done += len(chunk)
            if progress is not None and size > 4 * CHUNK:
                progress(path, done, size)
    return h.hexdigest()


def identical_sets(
    paths: Sequence[str],
    on_error: Callable[[str, OSError], None] = lambda _p, _e: None,
    progress: DigestProgress | None = None,
) -> dict[str, str]:
    """Full digests for the files that may be identical to another of ``paths``.

    Files that share a size are compared by their head-and-tail digest first; only files
    that still share one are read in full. Files that differ early are never read to the
    end. Returns path -> full digest for the files read in full.
    """
    by_size: dict[int, list[str]] = defaultdict(list)
    for p in paths:
        try:
            by_size[os.stat(p).st_size].append(p)
        except OSError as exc:
            on_error(p, exc)
    out: dict[str, str] = {}
    for same_size in by_size.values():
        if len(same_size) < 2:
            continue
        for group in _split(same_size, head_tail_digest, on_error):
            for p in group:
                try:
                    out[p] = file_digest(p, progress)
                except OSError as exc:
                    on_error(p, exc)
    return out


def _split(
    paths: Iterable[str],
    digest: Callable[[str], str],
    on_error: Callable[[str, OSError], None],
) -> list[list[str]]:
    buckets: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        try:
            buckets[digest(p)].append(p)
        except OSError as exc:
            on_error(p, exc)
    return [b for b in buckets.values() if len(b) > 1]
