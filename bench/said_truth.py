"""Whether the words a grouped file carries (core.differences) say its edit, judged against a
labelled edit corpus (bench.edit_corpus's ``ground_truth.csv``: each file's transform and its
parameters).

Only pairs whose keeper is the file's original are judged: the truth says how a copy differs
from its original, not from another copy. A pair's words are right when they say the edit
(what the family's parameters say a person would see: which edges were trimmed and by about
how much, where an overlay sits, "border added", "greyscale", "CMYK", ...) and say nothing
the edit did not do (a trim of a caption copy, an overlay on a re-encode). Families whose
edit the check cannot see (a filter) are judged on the second part only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

# Words that place something on the picture: said of a family that did not, they are wrong.
_TRIMMED = re.compile(r"trimmed (\d+) % (left|right|top|bottom)")
_GEOMETRY: Final = (
    "trimmed ",
    "border ",
    "overlay",
    "no overlay",
    "differs at",
    "darkened corners",
    "lighter corners",
    "screenshot of it",
    "straightened",
    "rotated",
    "turned",
    "mirrored",
)
# How far a stated trim may be from the edit's, in percent of the side.
_TRIM_SLACK: Final = 4


@dataclass(frozen=True, slots=True)
class Verdict:
    says_edit: bool  # the edit's own words are there (True for families the check cannot see)
    nothing_wrong: bool  # no word the edit does not explain

    @property
    def right(self) -> bool:
        return self.says_edit and self.nothing_wrong


def _sides(params: str) -> dict[str, int]:
    return {side: int(p) for side, p in re.findall(r"(left|right|top|bottom) (\d+)%", params)}


def _square_sides(params: str, width: int, height: int) -> dict[str, int]:
    """The edges a square crop cut (bench.edit_corpus: the long side cut to the short, the
    offset placing the square along it), in percent."""
    offset = float(params.split()[-1])
    cut = 1 - min(width, height) / max(width, height)
    first, second = ("left", "right") if width >= height else ("top", "bottom")
    sides = {first: round(100 * offset * cut), second: round(100 * (1 - offset) * cut)}
    return {s: v for s, v in sides.items() if v >= 3}


def _sticker_place(params: str) -> str:
    """Where core.differences would place a sticker centred at the params' x, y."""
    x, y = (float(v) for v in params.rsplit(" at ", 1)[1].split(","))
    vertical = "top" if y < 1 / 3 else "bottom" if y > 2 / 3 else ""
    horizontal = "left" if x < 1 / 3 else "right" if x > 2 / 3 else ""
    if vertical and horizontal:
        return f"the {vertical} {horizontal} corner"
    return f"the {vertical or horizontal}" if vertical or horizontal else "the middle"


def judge(
    transform: str, params: str, words: tuple[str, ...], width: int, height: int
) -> Verdict | None:
    """Whether ``words`` say a ``transform`` copy's difference from its original (``width``
    and ``height``: the original's); None for families with no truth to judge (originals,
    hard negatives)."""
    geometry = [w for w in words if w.startswith(_GEOMETRY)]
    trims = {m[2]: int(m[1]) for w in words if (m := _TRIMMED.fullmatch(w))}

    def only(*allowed: str) -> bool:
        return all(w.startswith(allowed) for w in geometry) if allowed else not geometry

    def trims_match(expected: dict[str, int]) -> tuple[bool, bool]:
        says = set(trims) == set(expected) and all(
            abs(trims[s] - v) <= _TRIM_SLACK for s, v in expected.items()
        )
        return says, only("trimmed ") and set(trims) <= set(expected)

    if transform.startswith("trim "):
        return Verdict(*trims_match(_sides(params)))
    if transform == "square crop":
        return Verdict(*trims_match(_square_sides(params, width, height)))
    if transform == "border":
        return Verdict("border added" in words, only("border added"))
    if transform == "screenshot":
        return Verdict("screenshot of it" in words, only("screenshot of it"))
    if transform == "caption":
        return Verdict("overlay at the bottom" in words, only("overlay at the bottom"))
    if transform == "sticker":
        place = f"overlay at {_sticker_place(params)}"
        return Verdict(place in words, only("overlay at "))
    if transform == "vignette":
        return Verdict("darkened corners" in words, only("darkened corners"))
    if transform == "straightened":
        return Verdict(any(w.startswith("straightened") for w in words), only("straightened"))
    if transform == "png 16-bit":
        return Verdict("greyscale" in words, only())
    if transform == "chat re-share":
        side = int(params.split()[0])
        if max(width, height) <= side:  # not made smaller: only re-encoded
            return Verdict("re-encoded" in words, only())
        return Verdict(any(w.startswith("smaller") for w in words), only())
    if transform == "jpeg chain":
        return Verdict("re-encoded" in words, only())
    if transform == "cmyk":
        return Verdict("CMYK" in words, only() and "greyscale" not in words)
    if transform == "filter":
        return Verdict(True, only() and "greyscale" not in words)
    return None
