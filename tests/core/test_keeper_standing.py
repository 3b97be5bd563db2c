"""Keeper rules that judge a file against its copies: the picture the way it was taken over a
turned or mirrored copy, the clean picture over a copy with a frame added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

import dedupe_gui.core.differences as differences_module
import dedupe_gui.core.pair_words as pair_words_module
import dedupe_gui.core.verify as verify_module
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.keeper import DEFAULT_RULES, EXPLAINED, RULES, with_new_rules
from dedupe_gui.core.keeper_standing import KeeperRanking, _witnessed
from dedupe_gui.core.models import FileKey, Group, ImageRecord
from dedupe_gui.core.standing import Members, framed_beside_clean, losing_orientations
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import captioned, save, textured, vignetted


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def _one_group(paths: list[Path], **options: object) -> Group:
    groups = group_records(_records(*paths), GroupingOptions(DEFAULT_THRESHOLD, **options))  # type: ignore[arg-type]
    assert len(groups) == 1, groups
    return groups[0]


def _camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 80D"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:04 18:30:05"
    return exif


# -- the turned copy ---------------------------------------------------------------------


def test_the_upside_down_copy_is_not_kept_when_most_copies_are_upright(tmp_path: Path) -> None:
    img = textured(21)
    original = save(img, tmp_path / "a.jpg", quality=90)
    smaller = save(img.resize((320, 240), Image.Resampling.LANCZOS), tmp_path / "b.jpg")
    # Same pixels as the original and, as a PNG, the largest file: without the rule it wins.
    turned = save(img.transpose(Image.Transpose.ROTATE_180), tmp_path / "c.png")
    group = _one_group([original, smaller, turned], rotations=True)
    assert group.suggested_keeper.path == str(original)
    said = {m.path: m.orientation for m in group.members}
    assert said[str(turned)] == "rotated 180°"
    rules = tuple(r for r in DEFAULT_RULES if r != "upright")
    without = _one_group([original, smaller, turned], rotations=True, rules=rules)
    assert without.suggested_keeper.path == str(turned)


def test_the_camera_original_decides_the_way_up_between_as_many_files(
    tmp_path: Path,
) -> None:
    img = textured(22)
    original = save(img, tmp_path / "a.jpg", quality=80, exif=_camera_exif())
    # Same pixels, the larger file: without the camera EXIF it would be kept.
    turned = save(img.transpose(Image.Transpose.ROTATE_90), tmp_path / "b.png")
    group = _one_group([original, turned], rotations=True)
    assert group.suggested_keeper.path == str(original)
    plain = save(img, tmp_path / "c.jpg", quality=80)
    group = _one_group([plain, turned], rotations=True)
    assert group.suggested_keeper.path == str(turned)


def test_a_tie_leaves_the_choice_to_the_other_rules(tmp_path: Path) -> None:
    img = textured(23)
    original = save(img, tmp_path / "a.jpg", quality=70)
    mirrored = save(img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), tmp_path / "b.png")
    group = _one_group([original, mirrored], rotations=True)
    assert group.suggested_keeper.path == str(mirrored)  # larger file, same pixels


def _one(turns: list[int]) -> Members:
    k = np.array(turns[1:], np.int64)
    return Members.of([(0, np.arange(1, len(turns), dtype=np.int64), k, k)])


def test_the_losing_orientations_of_a_group() -> None:
    no_camera = np.zeros(4, dtype=bool)
    # Keeper alone against three copies turned 180°: it and nothing else loses.
    assert losing_orientations(_one([0, 2, 2, 2]), no_camera).tolist() == [
        True,
        False,
        False,
        False,
    ]
    # A third way up loses with the keeper; the largest class wins.
    assert losing_orientations(_one([0, 2, 2, 5]), no_camera).tolist() == [
        True,
        False,
        False,
        True,
    ]
    # Between as many files each way, the camera original's way wins ...
    camera = np.array([False, False, True, False])
    assert losing_orientations(_one([0, 0, 6, 6]), camera).tolist() == [True, True, False, False]
    # ... but it does not outweigh more files.
    camera = np.array([False, False, False, True])
    assert not losing_orientations(_one([0, 0, 0, 6]), camera).any()
    # A tie changes nothing.
    assert not losing_orientations(_one([0, 0, 1, 1]), no_camera).any()


def test_groups_are_judged_each_on_its_own() -> None:
    two = Members.of(
        [
            (0, np.array([1, 2], np.int64), np.zeros(2, np.int64), np.array([2, 2], np.int64)),
            (3, np.array([4], np.int64), np.zeros(1, np.int64), np.array([2], np.int64)),
        ]
    )
    assert two.group.tolist() == [0, 0, 0, 1, 1] and two.start.tolist() == [0, 3]
    pairs = set(zip(*(p.tolist() for p in two.pairs()), strict=True))
    assert pairs == {(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (3, 4), (4, 3)}
    flags = losing_orientations(two, np.zeros(5, dtype=bool))
    assert flags.tolist() == [True, False, False, False, False]  # the pair is a tie


# -- the framed copy ---------------------------------------------------------------------


def test_the_clean_photo_is_kept_over_a_framed_copy_with_more_pixels(tmp_path: Path) -> None:
    img = textured(9)
    framed = ImageOps.expand(img, 30, fill=(255, 255, 255))
    a, b = save(img, tmp_path / "a.jpg", quality=92), save(framed, tmp_path / "b.jpg", quality=92)
    group = _one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    assert "border added" in group.members[1].differences


def test_each_thumbnail_border_is_measured_once_for_the_words_and_the_clean_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words measure the keeper's border beside every member and the "clean" rule
    measures the same files again: one measurement per file serves them all."""
    img = textured(9)
    framed = ImageOps.expand(img, 30, fill=(255, 255, 255))
    paths = [save(framed, tmp_path / "framed.png")]
    for n, quality in enumerate((95, 85, 75, 65, 55)):
        paths.append(save(img, tmp_path / f"copy-{n}.jpg", quality=quality))
    records = _records(*paths)
    strict: list[int] = []
    content_box = verify_module.content_box  # type: ignore[attr-defined]

    def spy(pixels: Any, *tolerance: int) -> Any:
        if tolerance:  # the strict border (border_of), not the loose frame
            strict.append(1)
        return content_box(pixels, *tolerance)

    monkeypatch.setattr(verify_module, "content_box", spy)
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert len(groups) == 1 and len(groups[0].members) == len(paths)
    group = groups[0]
    assert group.suggested_keeper.path != str(paths[0])
    assert "border added" in {w for m in group.members[1:] for w in m.differences}
    assert 0 < len(strict) <= len(paths)


def test_a_letterboxed_copy_loses_to_the_clean_one(tmp_path: Path) -> None:
    img = textured(14)
    canvas = Image.new("RGB", (400, 350), (0, 0, 0))
    canvas.paste(img, (0, 25))
    a = save(img, tmp_path / "a.jpg", quality=85)
    b = save(canvas, tmp_path / "b.png")
    group = _one_group([a, b])
    assert group.suggested_keeper.path == str(a)


def test_a_much_smaller_clean_copy_does_not_beat_a_framed_original(tmp_path: Path) -> None:
    img = textured(9, (800, 600))
    framed = ImageOps.expand(img, 60, fill=(255, 255, 255))
    a = save(framed, tmp_path / "a.jpg", quality=92)
    # A fifth of the pixels inside the frame: a loss of detail, the framed file stays.
    b = save(img.resize((360, 270), Image.Resampling.LANCZOS), tmp_path / "b.jpg", quality=92)
    group = _one_group([a, b])
    assert group.suggested_keeper.path == str(a)
    # Two thirds of them: comparable, the clean copy is kept.
    c = save(img.resize((660, 495), Image.Resampling.LANCZOS), tmp_path / "c.jpg", quality=92)
    group = _one_group([a, c])
    assert group.suggested_keeper.path == str(c)
    assert "border added" in group.members[1].differences


def test_a_frame_counts_as_added_only_beside_a_copy_of_the_inner_shape() -> None:
    group = _one([0, 0])
    inside = np.array([[400 / 460, 300 / 360], [1.0, 1.0]])  # a 30 px frame on 400x300
    width, height = np.array([460, 400]), np.array([360, 300])
    assert framed_beside_clean(group, inside, width, height).tolist() == [True, False]
    # Too few pixels: a 100x75 copy is a loss of detail.
    assert not framed_beside_clean(group, inside, np.array([460, 100]), np.array([360, 75])).any()
    # The same canvas, only looking clean (a stamp in the margin): not a frame added.
    assert not framed_beside_clean(group, inside, np.array([460, 460]), np.array([360, 360])).any()
    # A copy of another shape than the picture inside (a crop): not a frame added either.
    assert not framed_beside_clean(group, inside, width, np.array([360, 200])).any()
    # A framed copy that is not the keeper names nobody: the keeper stays as it is.
    flipped = _one([0, 0])
    inside = inside[::-1].copy()
    assert not framed_beside_clean(flipped, inside, width[::-1], height[::-1]).any()


def test_a_copy_with_a_margin_of_its_own_is_clean_beside_a_frame_of_another_grey() -> None:
    """A 400x300 picture whose own dark margin reads as a frame (the second file), letterboxed
    in white to 534x300 (the first): the bars end at the picture's whole canvas."""
    group = _one([0, 0])
    inside = np.array([[400 / 534, 1.0], [360 / 400, 270 / 300]])
    width, height = np.array([534, 400]), np.array([300, 300])
    white_bars = np.array([255.0, 18.0])
    assert framed_beside_clean(group, inside, width, height, white_bars).tolist() == [True, False]
    # Without the frames' colours, or with a margin of the bars' own grey (the bars' reading
    # would have run on into it: a crop that left part of a natural margin looks the same),
    # the second file is no clean copy.
    assert not framed_beside_clean(group, inside, width, height).any()
    same_grey = np.array([250.0, 238.0])
    assert not framed_beside_clean(group, inside, width, height, same_grey).any()
    unknown = np.array([255.0, np.nan])
    assert not framed_beside_clean(group, inside, width, height, unknown).any()
    # Another grey does not make the same canvas clean (a recoloured frame): shapes decide.
    same_canvas = np.array([534, 534])
    assert not framed_beside_clean(group, inside, same_canvas, height, white_bars).any()


def test_the_relational_rules_are_explained_and_listed() -> None:
    for name in ("upright", "clean"):
        assert name in DEFAULT_RULES and name in RULES and EXPLAINED[name]
    assert DEFAULT_RULES.index("colour") < DEFAULT_RULES.index("upright")
    assert DEFAULT_RULES.index("clean") < DEFAULT_RULES.index("pixels")


def test_an_order_saved_before_the_new_rules_gets_them_at_their_default_place() -> None:
    old_default = ("reference", "companions", "pixels", "bytes", "metadata", "oldest")
    assert with_new_rules(old_default, None) == (
        "reference",
        "companions",
        "colour",
        "upright",
        "clean",
        "pixels",
        "bytes",
        "metadata",
        "oldest",
    )
    # A rule the user unticked after it existed stays unticked; unknown names are dropped.
    mine = ("pixels", "reference", "gone")
    assert with_new_rules(mine, tuple(RULES)) == ("pixels", "reference")
    # The user's order is kept; a new rule goes right after the default rule before it.
    known = tuple(r for r in RULES if r not in ("upright", "clean"))
    assert with_new_rules(("bytes", "colour", "reference"), known) == (
        "bytes",
        "colour",
        "upright",
        "clean",
        "reference",
    )


def test_a_captioned_copy_most_of_its_group_sees_differ_at_the_bottom_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the thumbnails cannot tell which copy carries what differs ("differs at the
    bottom"), the keeper most of a group's members see differ in one place is the odd one
    out; a pair cannot tell, and the other rules decide."""
    img = textured(31)
    captioned = img.copy()
    draw = ImageDraw.Draw(captioned)
    draw.rectangle((0, 268, 400, 300), fill=(0, 0, 0))
    draw.text((10, 275), "a caption over the bottom", fill=(255, 255, 255))
    original = save(img, tmp_path / "a.jpg", quality=85)
    again = save(img, tmp_path / "b.jpg", quality=70)
    # Same pixels as the original, and the largest file: without the rule it is kept.
    caption = save(captioned, tmp_path / "c.png")
    # The bar's straight edge tells which copy carries it (see test_overlay_keeper); here it
    # is not looked at, and a flat bar with small words over a busy picture shows no more
    # edges where the two differ than the picture does.
    monkeypatch.setattr(pair_words_module, "bars", lambda m, k, w: (np.zeros(len(m), np.int8),) * 2)
    group = _one_group([original, again, caption])
    assert group.suggested_keeper.path == str(original)
    said = {m.path: m.differences for m in group.members}
    assert "differs at the bottom" in said[str(caption)]
    rules = tuple(r for r in DEFAULT_RULES if r != "clean")
    assert _one_group([original, again, caption], rules=rules).suggested_keeper.path == str(caption)
    assert _one_group([original, caption]).suggested_keeper.path == str(caption)
    monkeypatch.undo()
    # With the bar's edge looked at, a pair tells too.
    pair = _one_group([original, caption])
    assert pair.suggested_keeper.path == str(original)
    assert "overlay at the bottom" in pair.members[1].differences


def test_a_copy_trimmed_at_the_bottom_does_not_say_the_original_carries_an_overlay_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original shows what a copy trimmed at the bottom lost, which the words may read as
    an overlay the copy has not ("no overlay at the bottom", as seen on the edit corpus). A
    member says nothing of a side it was trimmed on: the clean original stays the keeper of
    its captioned and trimmed copies."""
    img = textured(33, (800, 600))
    original = save(img, tmp_path / "a.jpg", quality=85)
    # Same pixels as the original, and the largest file: kept but for the "clean" rule.
    caption = save(captioned(img), tmp_path / "c.png")
    trimmed = save(img.crop((0, 0, 800, 552)), tmp_path / "t.jpg", quality=85)
    describe = differences_module.describe

    def seen_from_the_trim(*args: Any) -> tuple[str, ...]:
        words: tuple[str, ...] = describe(*args)
        member = args[1]
        trim = member.path == str(trimmed) and any(w.startswith("trimmed") for w in words)
        return (*words, "no overlay at the bottom") if trim else words

    monkeypatch.setattr(pair_words_module, "describe", seen_from_the_trim)
    group = _one_group([original, caption, trimmed])
    said = {m.path: m.differences for m in group.members}
    assert "no overlay at the bottom" in said[str(trimmed)]
    assert group.suggested_keeper.path == str(original)
    assert {m.path for m in group.members} == {str(original), str(caption), str(trimmed)}
    # Words of a side it was not trimmed on still count.
    assert _witnessed(("trimmed 10 % top", "no overlay at the bottom")) == (
        "trimmed 10 % top",
        "no overlay at the bottom",
    )
    assert _witnessed(("trimmed 10 % bottom", "no overlay at the bottom")) == (
        "trimmed 10 % bottom",
    )


def test_one_copy_saying_the_original_carries_an_overlay_is_outvoted_by_a_copy_seeing_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which copy carries what differs is read from the edges, and a flat sticker over a busy
    texture takes edges away: its copy may say the original carries an overlay ("no overlay
    at the top right corner", as seen on the edit corpus). Another copy of the original that
    sees nothing differ there outvotes it, and the original stays the keeper; with no copy
    to say otherwise (a pair), the word still decides."""
    img = textured(34)
    stickered = img.copy()
    ImageDraw.Draw(stickered).ellipse((290, 30, 350, 90), fill=(230, 60, 60))
    # The original is the largest file, kept but for the "clean" rule.
    original = save(img, tmp_path / "a.png")
    again = save(img, tmp_path / "b.jpg", quality=70)
    sticker = save(stickered, tmp_path / "c.jpg", quality=90)
    describe = differences_module.describe

    def read_the_wrong_way(*args: Any) -> tuple[str, ...]:
        words: tuple[str, ...] = describe(*args)
        keeper, member = args[0], args[1]
        if keeper.path == str(original) and member.path == str(sticker):
            return (
                *(w for w in words if "overlay at" not in w),
                "no overlay at the top right corner",
            )
        return words

    monkeypatch.setattr(pair_words_module, "describe", read_the_wrong_way)
    group = _one_group([original, again, sticker])
    said = {m.path: m.differences for m in group.members}
    assert group.suggested_keeper.path == str(original)
    assert "no overlay at the top right corner" in said[str(sticker)]
    assert said[str(again)] == ("saved as JPEG",)
    assert _one_group([original, sticker]).suggested_keeper.path == str(sticker)


def test_an_object_on_white_is_kept_over_its_vignetted_copy(tmp_path: Path) -> None:
    """A product shot's white margins read as a frame beside a copy whose corners a vignette
    darkened; the two are one canvas, so no frame is said between them ("border added"
    would hide which copy carries the darkened corners) and the original is kept, though
    its copy is the larger file."""
    img = Image.new("RGB", (320, 240), (255, 255, 255))
    img.paste(textured(35, (180, 130)), (70, 55))
    original = save(img, tmp_path / "a.jpg", quality=85)
    dark = save(vignetted(img, 0.6), tmp_path / "b.jpg", quality=95)
    assert dark.stat().st_size > original.stat().st_size
    group = _one_group([original, dark])
    said = {m.path: m.differences for m in group.members}
    assert group.suggested_keeper.path == str(original)
    assert said[str(dark)] == ("darkened corners",)


def test_a_group_formed_again_by_a_later_walk_is_not_judged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = textured(31)
    captioned = img.copy()
    draw = ImageDraw.Draw(captioned)
    draw.rectangle((0, 268, 400, 300), fill=(0, 0, 0))
    draw.text((10, 275), "a caption over the bottom", fill=(255, 255, 255))
    paths = [save(img, tmp_path / "a.jpg", quality=85), save(img, tmp_path / "b.jpg", quality=70)]
    paths.append(save(captioned, tmp_path / "c.png"))
    paths.append(save(textured(32), tmp_path / "d.jpg", quality=85))
    paths.append(save(textured(32), tmp_path / "e.jpg", quality=60))
    monkeypatch.setattr(pair_words_module, "bars", lambda m, k, w: (np.zeros(len(m), np.int8),) * 2)
    judged: list[tuple[int, tuple[int, ...]]] = []
    walks: list[int] = []
    judge = KeeperRanking._overlaid_keeper
    overlaid = KeeperRanking._overlaid_keepers

    def counted(self: KeeperRanking, best: int, others: Any, turns: Any) -> bool:
        judged.append((best, tuple(others.tolist())))
        return judge(self, best, others, turns)

    def walked(self: KeeperRanking, formed: Any, halt: Any) -> Any:
        walks.append(len(formed))
        return overlaid(self, formed, halt)

    monkeypatch.setattr(KeeperRanking, "_overlaid_keeper", counted)
    monkeypatch.setattr(KeeperRanking, "_overlaid_keepers", walked)
    groups = group_records(_records(*paths), GroupingOptions(DEFAULT_THRESHOLD))
    assert [len(g.members) for g in groups] == [3, 2]
    assert groups[0].suggested_keeper.path == str(paths[0])
    assert len(walks) >= 2 and len(judged) < sum(walks)
    assert len(judged) == len(set(judged))
