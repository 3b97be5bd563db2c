"""Named thresholds: the largest Hamming distance (bits of 64) between a file and its keeper.

The numbers come from the development corpus (docs/ACCURACY.md): "strict" groups only
re-encodes and resizes, "default" also finds format conversions, light crops, re-grades and
watermarks without grouping different shots of one scene, "loose" trades precision for
recall on heavier edits.
"""

from __future__ import annotations

from typing import Final

PRESETS: Final[dict[str, int]] = {"exact": 0, "strict": 4, "default": 8, "loose": 12}
DEFAULT_THRESHOLD: Final = PRESETS["default"]
MAX_THRESHOLD: Final = 64


def preset_for(threshold: int) -> str | None:
    """The preset name of a threshold, when it is one."""
    for name, value in PRESETS.items():
        if value == threshold:
            return name
    return None


def parse_threshold(text: str) -> int:
    """A preset name or a number of bits from 0 to 64; ValueError otherwise."""
    text = text.strip().lower()
    if text in PRESETS:
        return PRESETS[text]
    try:
        value = int(text)
    except ValueError:
        raise ValueError(
            f"threshold must be a number of bits (0-64) or one of {', '.join(PRESETS)}"
        ) from None
    if not 0 <= value <= MAX_THRESHOLD:
        raise ValueError(f"threshold must be between 0 and {MAX_THRESHOLD} bits, not {value}")
    return value
