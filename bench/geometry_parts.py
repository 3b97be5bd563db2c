"""What each part of the geometry-tolerant grouping adds, on a labelled corpus.

    python -m bench.geometry_parts /tmp/edits-s1 --cache /tmp/acc-edits.sqlite3

Groups the corpus at T (default 12, verification on) with everything on, then with the
straightened second look off (core.straighten), the window second look off
(core.window_candidates), both off, and without windows at all (``trims=False``), and prints
one Markdown row per variant: precision, recall (yes), the geometry families' recall and
the look-alike pairs grouped (listed / any), scored as ``bench.accuracy`` scores.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

import dedupe_gui.core.straighten as straighten_module
from bench.accuracy import diagnostic_parser, grouped_pairs, scan_corpus, score
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.window_candidates import WindowCandidates

FAMILIES = ("trim 6-10%", "trim 12-25%", "square crop", "border", "screenshot", "straightened")


def _unchanged(*args: Any, **_: Any) -> Any:
    """A second look that looks at nothing: the residuals it was given (first array)."""
    return next(a for a in args if isinstance(a, np.ndarray) and a.dtype == np.float32)


def main(argv: Sequence[str] | None = None) -> int:
    args = diagnostic_parser(__doc__.split("\n")[0]).parse_args(argv)
    scanned = scan_corpus(args.corpus, args.cache)
    records, truth, index = scanned.records, scanned.truth, scanned.index

    def row(label: str, trims: bool = True) -> str:
        groups = SimilarityIndex(records).groups(GroupingOptions(args.threshold, trims=trims))
        p, r, per, _, listed, neg = score(truth, grouped_pairs(groups, index))
        cells = " | ".join(f"{per.get(f, 0):.2f}" for f in FAMILIES)
        return f"| {label} | {p:.4f} | {r:.4f} | {cells} | {listed} / {neg} |"

    print("| variant | precision | recall (yes) | " + " | ".join(FAMILIES) + " | look-alikes |")
    print("|---|---|---|" + "---|" * len(FAMILIES) + "---|")
    print(row("all parts"))
    # The two looks are swapped for the identity where the grouping calls them.
    straighten = getattr(straighten_module, "straightened_again")  # noqa: B009
    look = getattr(WindowCandidates, "looked_again")  # noqa: B009
    try:
        setattr(straighten_module, "straightened_again", _unchanged)  # noqa: B010
        print(row("without the straightened look"))
        setattr(straighten_module, "straightened_again", straighten)  # noqa: B010
        setattr(WindowCandidates, "looked_again", _unchanged)  # noqa: B010
        print(row("without the window look"))
        setattr(straighten_module, "straightened_again", _unchanged)  # noqa: B010
        print(row("without both looks"))
        print(row("without windows (trims off)", trims=False))
    finally:
        setattr(straighten_module, "straightened_again", straighten)  # noqa: B010
        setattr(WindowCandidates, "looked_again", look)  # noqa: B010
    return 0


if __name__ == "__main__":
    sys.exit(main())
