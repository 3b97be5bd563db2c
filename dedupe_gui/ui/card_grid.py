"""How big the pictures of one group can be: the keeper's column plus a wrapping grid.

Plain arithmetic, free of Qt so it can be checked for every window size. The keeper takes
the left column at the same size as the others, so a comparison is never between a large
and a small picture. In "fit" mode the pictures grow until the whole group is on screen,
unless that would make them too small to judge; then the grid scrolls (vertically, where
the wheel goes) with as many columns as keep each picture at a useful size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PADDING = 10  # inside a card, around its contents
SPACING = 10  # between cards
MARGIN = 8  # around the cards
DIVIDER = 12  # the gap that sets the keeper's column apart
SCROLLBAR = 16  # room for the grid's scroll bar when it scrolls
MIN_LONG = 120  # never smaller than this, whatever the window
MIN_FIT = 200  # below this, scroll rather than squeeze the whole group on screen
MIN_SCROLL = 260  # once the grid scrolls anyway, pictures at least this large
MAX_LONG = 1600
MIN_ASPECT, MAX_ASPECT = 0.6, 1.8


@dataclass(frozen=True, slots=True)
class GridPlan:
    box_width: int  # the picture frame of every card
    box_height: int
    columns: int  # columns of the grid beside the keeper
    scrolls: bool  # the grid is taller than the pane

    @property
    def long_side(self) -> int:
        return max(self.box_width, self.box_height)


def box_of(long_side: float, aspect: float) -> tuple[int, int]:
    """The frame whose longer side is ``long_side`` for pictures of ``aspect`` (w / h)."""
    aspect = min(MAX_ASPECT, max(MIN_ASPECT, aspect))
    long_side = math.floor(long_side)
    if aspect >= 1:
        return long_side, max(1, math.floor(long_side / aspect))
    return max(1, math.floor(long_side * aspect)), long_side


def _long_from_width(box_width: float, aspect: float) -> float:
    aspect = min(MAX_ASPECT, max(MIN_ASPECT, aspect))
    return box_width if aspect >= 1 else box_width / aspect


def _long_from_height(box_height: float, aspect: float) -> float:
    aspect = min(MAX_ASPECT, max(MIN_ASPECT, aspect))
    return box_height * aspect if aspect >= 1 else box_height


def plan_grid(
    width: int,
    height: int,
    others: int,
    text_height: int,
    aspect: float = 4 / 3,
    zoom: int | None = None,
) -> GridPlan:
    """The frame size and grid columns for a group of 1 + ``others`` cards in ``width`` x
    ``height`` pixels, each card ``text_height`` taller than its picture frame.

    ``zoom`` is the long side the user chose with the size slider; None fits to the pane.
    """
    others = max(0, others)

    def by_width(columns: int, scrollbar: bool) -> float:
        room = width - 2 * MARGIN - DIVIDER - columns * SPACING - (SCROLLBAR if scrollbar else 0)
        per_card = room / (columns + 1) - 2 * PADDING
        return _long_from_width(per_card, aspect)

    def by_height(rows: int) -> float:
        rows = max(1, rows)
        per_card = (height - 2 * MARGIN - (rows - 1) * SPACING) / rows - text_height - 2 * PADDING
        return _long_from_height(per_card, aspect)

    def plan(long_side: float, columns: int) -> GridPlan:
        long_side = max(MIN_LONG, min(MAX_LONG, long_side))
        w, h = box_of(long_side, aspect)
        rows = math.ceil(others / columns) if others else 0
        tall = rows * (h + text_height + 2 * PADDING) + max(0, rows - 1) * SPACING + 2 * MARGIN
        return GridPlan(w, h, columns, tall > height)

    one_row = by_height(1)  # the keeper's column never scrolls: its card fits the pane
    if zoom is not None:
        long_side = min(float(zoom), one_row, by_width(1, True))
        columns = 1
        while columns < max(1, others) and by_width(columns + 1, True) >= long_side:
            columns += 1
        return plan(long_side, columns)

    if others == 0:
        return plan(min(one_row, by_width(1, False)), 1)
    best_long, best_columns = 0.0, 1
    for columns in range(1, others + 1):
        rows = math.ceil(others / columns)
        fit = min(by_width(columns, False), by_height(rows))
        if fit > best_long:
            best_long, best_columns = fit, columns
    if best_long >= MIN_FIT:
        return plan(best_long, best_columns)
    # Too many to show at a useful size at once: a scrolling grid, as many columns as
    # keep every picture at MIN_SCROLL (or one column in a narrow pane).
    columns = 1
    while columns < others and min(by_width(columns + 1, True), one_row) >= MIN_SCROLL:
        columns += 1
    return plan(min(by_width(columns, True), one_row), columns)
