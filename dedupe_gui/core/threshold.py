"""Named thresholds: the largest Hamming distance (bits of 64) between a file and its keeper.

What T means depends on the grouping mode (core.grouping):

- verification on (the default): a file joins a keeper when its dHash is at most T bits from
  the keeper's AND its 32x32 thumbnail, aligned onto the keeper's to undo a crop, differs
  from it by a residual of at most ``core.verify.DEFAULT_MAX_RESIDUAL``. T then bounds the
  search: how far an edit may move the hash (a 5 % crop moves it up to 15 bits), while the
  thumbnail decides whether two close hashes really show the same photo.
- verification off: the hash alone decides; T is then also the only guard against
  different photos, which sit as close as 3 bits on the development corpus.
- with rotations, the distance is taken in the orientation of the file (one of eight) that
  matches the keeper best.

The presets come from the development corpus and were checked on a second one built with
another seed (docs/ACCURACY.md). With verification on, "exact" groups files whose hashes are
equal, "strict" (T=6) re-encodes, resizes, format and greyscale conversions, "default" (T=12)
also crops of up to 5 % per edge, watermarks and re-grades (pairwise precision 1.000, recall
0.995 on the first corpus, no different shot of one scene grouped; trims of 6-10 % on some
edges, caption bars and stickers through the window hashes and the forgiving check), "loose" (T=16)
reaches the last few heavier crops at a higher cost of checking candidate pairs.
"""

from __future__ import annotations

from typing import Final

PRESETS: Final[dict[str, int]] = {"exact": 0, "strict": 6, "default": 12, "loose": 16}
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
