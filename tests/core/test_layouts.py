"""Two pages of one template (forms, invoices) differ in the text filled into their fields:
they are two pictures, while a re-encoded or resized copy of one page is a copy
(core.strokes.two_sided_fine, on the fine thumbnails of core.verify)."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import save

_WORDS = ("team", "photos", "budget", "review", "launch", "results", "hiring", "order")


def _form(seed: int, print_size: int = 24) -> Image.Image:
    """A form of one template: a title, a rule, labelled field boxes in a column, each
    filled with a few words drawn from ``seed`` in letters ``print_size`` pixels high, and a
    total."""
    rng = random.Random(seed)
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.text((80, 60), "FORM", font=ImageFont.load_default(size=56), fill=(30, 50, 120))
    draw.line((80, 140, 1160, 140), fill=(30, 50, 120), width=4)
    small = ImageFont.load_default(size=24)
    filled_in = ImageFont.load_default(size=print_size)
    for k in range(14):
        y = 200 + 100 * k
        draw.text((80, y + 10), f"Field {k + 1}:", font=small, fill=(60, 60, 60))
        draw.rectangle((400, y, 1160, y + 50), outline=(120, 120, 120), width=2)
        filled = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))
        draw.text((415, y + 10), filled, font=filled_in, fill=(20, 30, 110))
    draw.text(
        (800, 1660),
        f"TOTAL {rng.randint(1000, 9999)}.{rng.randint(10, 99)}",
        font=small,
        fill="black",
    )
    return page


def _groups(paths: list[Path]) -> set[frozenset[str]]:
    records = [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]
    assert all(r.fingerprint.fine for r in records)  # pictures of flat areas and edges
    return {
        frozenset(m.path for m in g.members)
        for g in group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    }


def test_two_forms_of_one_template_are_not_grouped_but_a_copy_of_one_is(
    tmp_path: Path,
) -> None:
    one, two = _form(1), _form(2)
    a = save(one, tmp_path / "one.png")
    b = save(two, tmp_path / "two.png")
    copy = save(
        one.resize((930, 1316), Image.Resampling.LANCZOS), tmp_path / "copy.jpg", quality=85
    )
    assert _groups([a, b, copy]) == {frozenset({str(a), str(copy)})}


def test_forms_filled_in_small_print_are_not_grouped(tmp_path: Path) -> None:
    """Field text 16 pixels high on a 1754-pixel page is a pixel or two at 128x128, where the
    fine thumbnails agree on every tile; read again at 256x256 (core.strokes), each form has
    text of its own."""
    a = save(_form(1, print_size=16), tmp_path / "one.png")
    b = save(_form(2, print_size=16), tmp_path / "two.png")
    assert _groups([a, b]) == set()


def test_a_resized_copy_of_a_form_in_small_print_still_groups(tmp_path: Path) -> None:
    one = _form(1, print_size=20)
    a = save(one, tmp_path / "one.png")
    b = save(_form(2, print_size=20), tmp_path / "two.png")
    copy = save(
        one.resize((930, 1316), Image.Resampling.LANCZOS), tmp_path / "copy.jpg", quality=85
    )
    assert _groups([a, b, copy]) == {frozenset({str(a), str(copy)})}
