"""Trimmed and framed copies are found through window hashes, and each grouped file says how
it differs from its keeper."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.frame_readings import content_box
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, Group, ImageRecord, ScanStats
from dedupe_gui.core.report import Report, from_json, to_csv, to_json
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import captioned, save, textured


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def _group_of(paths: list[Path]) -> Group:
    groups = group_records(_records(*paths), GroupingOptions(DEFAULT_THRESHOLD))
    assert len(groups) == 1, groups
    return groups[0]


def test_a_copy_trimmed_on_two_edges_is_found_through_a_window(tmp_path: Path) -> None:
    img = textured(3)
    w, h = img.size
    trimmed = img.crop((int(w * 0.09), int(h * 0.08), w, h))
    a, b = save(img, tmp_path / "a.png"), save(trimmed, tmp_path / "b.jpg", quality=90)
    fa, fb = fingerprint_file(str(a)), fingerprint_file(str(b))
    assert (fa.hash ^ fb.hash).bit_count() > DEFAULT_THRESHOLD  # the hashes alone miss it
    assert min((fb.hash ^ x).bit_count() for x in fa.windows) <= DEFAULT_THRESHOLD
    group = _group_of([a, b])
    assert [m.path for m in group.members] == [str(a), str(b)]
    (said,) = [m.differences for m in group.members[1:]]
    assert any(d.startswith("trimmed") and "left" in d for d in said), said
    assert any(d.startswith("trimmed") and "top" in d for d in said), said
    assert group_records(_records(a, b), GroupingOptions(DEFAULT_THRESHOLD, trims=False)) == []


def test_a_copy_with_a_frame_is_found_and_said_to_have_a_border(tmp_path: Path) -> None:
    img = textured(9)
    framed = ImageOps.expand(img, 30, fill=(255, 255, 255))
    box = content_box(np.asarray(framed.convert("L").resize((192, 144)), dtype=np.int16))
    assert box is not None and 0.05 < box[0] < 0.1
    a, b = save(img, tmp_path / "a.jpg", quality=92), save(framed, tmp_path / "b.jpg", quality=92)
    group = _group_of([a, b])
    # The frame adds pixels, not picture: the clean photo is kept (keeper rule "clean").
    assert group.suggested_keeper.path == str(a)
    assert "border added" in group.members[1].differences


def test_differences_travel_through_json_and_csv(tmp_path: Path) -> None:
    img = textured(31)
    grey = img.convert("L")
    a = save(img, tmp_path / "a.png")
    b = save(captioned(img), tmp_path / "b.jpg", quality=90)
    c = save(grey, tmp_path / "c.png")
    group = _group_of([a, b, c])
    said = {m.path: m.differences for m in group.members}
    assert said[str(a)] == ()
    assert "overlay at the bottom" in said[str(b)]
    assert "greyscale" in said[str(c)]
    report = Report(DEFAULT_THRESHOLD, (str(tmp_path),), (group,), (), ScanStats())
    doc = json.loads(to_json(report))
    files = {f["path"]: f for f in doc["groups"][0]["files"]}
    assert files[str(c)]["differences"] == list(said[str(c)])
    loaded = from_json(to_json(report))
    assert {m.path: m.differences for m in loaded.groups[0].members} == said
    assert "overlay at the bottom" in to_csv(report)


def test_a_larger_copy_going_to_the_trash_says_it_is_larger(tmp_path: Path) -> None:
    """The keeper can win on a rule other than pixels (here: the user ranks the smallest
    file first); the larger copy offered for the trash must not read as a mere re-encode."""
    img = textured(5)
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(img.resize((200, 150), Image.Resampling.LANCZOS), tmp_path / "b.jpg", quality=92)
    groups = group_records(_records(a, b), GroupingOptions(DEFAULT_THRESHOLD, rules=("smallest",)))
    (group,) = groups
    assert group.suggested_keeper.path == str(b)
    said = group.members[1].differences
    assert "larger (400×300)" in said and "re-encoded" not in said
