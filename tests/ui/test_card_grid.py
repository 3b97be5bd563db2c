"""Picture sizes of the group view at the window sizes people use (plain arithmetic)."""

from __future__ import annotations

import pytest

from dedupe_gui.ui.card_grid import MIN_FIT, MIN_LONG, box_of, plan_grid

TEXT = 150  # a card's text and controls, about what the real card measures


def test_two_files_share_a_1280_wide_pane_at_a_large_size() -> None:
    plan = plan_grid(1000, 640, 1, TEXT, 4 / 3)
    assert plan.columns == 1 and not plan.scrolls
    assert plan.long_side >= 450


def test_portrait_pictures_get_a_portrait_frame() -> None:
    plan = plan_grid(1000, 640, 1, TEXT, 3 / 4)
    assert plan.box_height > plan.box_width
    assert plan.long_side >= 420


@pytest.mark.parametrize("others", [1, 3, 6])
@pytest.mark.parametrize(("width", "height"), [(1000, 640), (1300, 840), (520, 400)])
def test_every_card_fits_across_and_the_keeper_fits_down(
    others: int, width: int, height: int
) -> None:
    plan = plan_grid(width, height, others, TEXT)
    scrollbar = 16 if plan.scrolls else 0
    across = (plan.columns + 1) * (plan.box_width + 20) + plan.columns * 10 + 12 + 16 + scrollbar
    assert across <= width or plan.long_side == MIN_LONG
    assert plan.box_height + TEXT + 20 + 16 <= height or plan.long_side == MIN_LONG
    assert plan.columns <= others


def test_a_large_group_scrolls_rather_than_shrinks() -> None:
    plan = plan_grid(1000, 640, 6, TEXT)
    assert plan.scrolls and plan.long_side >= MIN_FIT


def test_three_files_fit_without_scrolling_when_there_is_room() -> None:
    plan = plan_grid(1300, 840, 3, TEXT)
    assert not plan.scrolls and plan.long_side >= MIN_FIT


def test_zoom_sets_the_size_and_the_columns_follow() -> None:
    small = plan_grid(1000, 640, 6, TEXT, zoom=180)
    large = plan_grid(1000, 640, 6, TEXT, zoom=400)
    assert small.long_side == 180 and large.long_side == 400
    assert small.columns > large.columns >= 1
    capped = plan_grid(1000, 640, 6, TEXT, zoom=5000)
    assert capped.box_height + TEXT + 20 + 16 <= 640


def test_box_of_clamps_extreme_shapes() -> None:
    assert box_of(400, 4 / 3) == (400, 300)
    assert box_of(400, 3 / 4) == (300, 400)
    assert box_of(400, 10.0) == (400, 222)
    assert box_of(400.9, 1.0) == (400, 400)
