"""Small helpers for the window's sentences."""

from __future__ import annotations


def plural(n: int, word: str) -> str:
    """``1 file``, ``2 files``, ``1,024 files``: counts as people write them."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
