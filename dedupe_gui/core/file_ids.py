"""The 64 bits that name one version of one file, by which the cache keeps what was worked
out about it (checks, words, picture boxes): apart from core.candidates, which needs numpy,
so that ``dedupe-gui cache prune`` can tell which kept rows still name a file it holds."""

from __future__ import annotations

import hashlib


def version_id(path: str, size: int, mtime_ns: int) -> int:
    """64 bits naming the file at ``path`` with this size and modification time, the same in
    every run."""
    text = f"{path}\0{size}\0{mtime_ns}".encode("utf-8", "surrogateescape")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def stored_id(value: int) -> int:
    """A 64-bit id as SQLite keeps it: its integers are signed."""
    return value - (1 << 64) if value >> 63 else value
