"""The facts that set a copy apart from the keeper, with their direction."""

from __future__ import annotations

from dedupe_gui.core.models import FileKey, Fingerprint, GroupMember, ImageRecord
from dedupe_gui.review.differences import (
    Cue,
    Differences,
    against_keeper,
    compare,
    record_time,
    said_words,
)


def record(
    path: str,
    size: int = 1000,
    wh: tuple[int, int] = (400, 300),
    fmt: str = "JPEG",
    taken: str | None = "2021-05-01T10:00:00",
    mtime_ns: int = 1_600_000_000 * 10**9,
) -> ImageRecord:
    return ImageRecord(FileKey(path, size, mtime_ns), Fingerprint(0, wh[0], wh[1], fmt, taken))


def test_the_keeper_differs_from_nothing() -> None:
    k = record("/k.jpg")
    assert compare(k, k) == Differences()
    assert not compare(k, k)


def test_smaller_converted_later_copy() -> None:
    keeper = record("/k.jpg", size=5000, wh=(4000, 3000))
    copy = record("/c.png", size=9000, wh=(2000, 1500), fmt="PNG", taken="2021-05-02T09:00:00")
    d = compare(copy, keeper)
    assert d == Differences(Cue.LOWER, Cue.HIGHER, Cue.OTHER, Cue.HIGHER)
    assert d


def test_same_pixels_other_shape_is_flagged_without_an_order() -> None:
    d = compare(record("/a", wh=(300, 400)), record("/k", wh=(400, 300)))
    assert d.resolution is Cue.OTHER and d.size is None and d.format is None


def test_dates_count_to_the_minute_shown() -> None:
    keeper = record("/k", taken=None, mtime_ns=1_600_000_020 * 10**9)
    same_minute = record("/a", taken=None, mtime_ns=1_600_000_050 * 10**9)
    next_minute = record("/b", taken=None, mtime_ns=1_600_000_100 * 10**9)
    assert compare(same_minute, keeper).date is None
    assert compare(next_minute, keeper).date is Cue.HIGHER


def test_a_broken_capture_date_falls_back_to_the_file_time() -> None:
    r = record("/a", taken="not a date", mtime_ns=0)
    assert record_time(r).year in (1969, 1970)


def _member(path: str, *words: str, orientation: str = "") -> GroupMember:
    return GroupMember(record(path), 3, orientation=orientation, differences=words)


def test_what_the_check_saw_against_the_suggested_keeper() -> None:
    keeper = _member("/k.jpg")
    copy = _member(
        "/c.jpg",
        "rotated 180°",
        "trimmed 8 % left",
        "overlay at the bottom",
        "smaller (200×150)",
        "saved as PNG",
        orientation="rotated 180°",
    )
    # The turn has its badge, size and format their highlighted facts: not said twice.
    assert said_words(copy, keeper, keeper) == ("trimmed 8 % left", "overlay at the bottom")
    assert said_words(keeper, keeper, keeper) == ()
    d = against_keeper(copy, keeper, keeper)
    assert d.said == ("trimmed 8 % left", "overlay at the bottom") and d
    assert d.resolution is None  # same record shape in this test: only the words differ


def test_another_keeper_gets_the_suggested_keepers_words_reversed_and_no_guesses() -> None:
    suggested = _member("/k.jpg")
    chosen = _member("/c.jpg", "border added", "trimmed 5 % top", "overlay at the middle")
    other = _member("/d.jpg", "greyscale")
    assert said_words(suggested, chosen, suggested) == (
        "border removed",
        "5 % more at the top",
        "no overlay at the middle",
    )
    # Darkened corners one way are lighter ones the other; a place that differs differs.
    shaded = _member("/s.jpg", "darkened corners", "differs at the top", "screenshot of it")
    assert said_words(suggested, shaded, suggested) == (
        "lighter corners",
        "differs at the top",
        "not a screenshot",
    )
    # Never compared with the new keeper: nothing said, rather than a guess.
    assert said_words(other, chosen, suggested) == ()
    assert said_words(chosen, chosen, suggested) == ()
    grey_keeper = _member("/g.jpg", "greyscale", "re-encoded")
    assert said_words(suggested, grey_keeper, suggested) == ("in colour", "re-encoded")
