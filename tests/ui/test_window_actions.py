"""Which commands are available, as a pure function of the window's state."""

from __future__ import annotations

from dataclasses import replace

from dedupe_gui.ui.window_actions import ACTIONS, WindowFacts, enabled_actions

REVIEWING = WindowFacts(
    has_scan_folders=True, groups=3, has_group=True, group_has_marks=True, has_errors=True
)


def test_every_command_has_a_rule() -> None:
    assert {s.name for s in ACTIONS} <= set(enabled_actions(WindowFacts()))


def test_while_reviewing_everything_is_offered() -> None:
    on = enabled_actions(REVIEWING)
    for name in ("start_scan", "trash_current_group", "clean_up_all", "reset_marks"):
        assert on[name], name
    assert not on["cancel"] and not on["undo"] and not on["show_outcomes"]


def test_a_cleanup_freezes_the_groups_on_show() -> None:
    on = enabled_actions(replace(REVIEWING, cleaning=True, can_undo=True))
    for name in ("threshold", "rotations", "edit_rules", "edit_preferences", "reset_marks",
                 "undo", "choose_export_file", "start_scan", "clean_up_all",
                 "trash_current_group", "choose_results_file", "undo_cleanup"):  # fmt: skip
        assert not on[name], name
    assert on["cancel"]  # Esc stops it


def test_a_scan_allows_no_second_scan_and_no_cleanup() -> None:
    on = enabled_actions(replace(REVIEWING, scanning=True))
    for name in ("start_scan", "clean_up_all", "trash_current_group", "choose_results_file"):
        assert not on[name], name
    assert on["cancel"] and on["threshold"]  # the groups on show can still be regrouped


def test_nothing_to_act_on_without_a_group() -> None:
    on = enabled_actions(WindowFacts(has_scan_folders=False))
    for name in ("start_scan", "toggle_current", "keep_current", "clean_up_all"):
        assert not on[name], name
