"""What differs, kept in the cache: a rescan of unchanged files aligns no thumbnails again,
and says the same words as the scan that filled the cache."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

import dedupe_gui.core.cache_schema as cache_module
import dedupe_gui.core.pair_words as pair_words_module
from dedupe_gui.cli import main
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.candidates import file_id, pair_id, said_id
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Group, ImageRecord
from dedupe_gui.core.redecoded import Redecoded
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL
from tests.imaging import photo, save


def library(tmp_path: Path) -> Path:
    """Two pictures, each with a smaller copy, a trimmed copy and a greyscale copy."""
    lib = tmp_path / "lib"
    for seed in (1, 2):
        img = photo(seed, (200, 150))
        save(img, lib / f"{seed}.png")
        save(img.resize((150, 112), Image.Resampling.LANCZOS), lib / f"{seed}-small.jpg")
        w, h = img.size
        save(img.crop((12, 0, w, h)), lib / f"{seed}-trim.png")
        save(img.convert("L").convert("RGB"), lib / f"{seed}-grey.png")
    return lib


def words(groups: list[Group]) -> dict[str, tuple[str, ...]]:
    return {Path(m.path).name: m.differences for g in groups for m in g.members[1:]}


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pairs the grouping aligns to say what differs."""
    aligned: list[int] = []
    explain = pair_words_module.explain  # type: ignore[attr-defined]

    def spy(member: Any, keeper: Any) -> Any:
        aligned.append(len(member))
        return explain(member, keeper)

    monkeypatch.setattr(pair_words_module, "explain", spy)
    return aligned


def grouped(records: list[ImageRecord], store: FingerprintStore) -> tuple[list[Group], int]:
    index = SimilarityIndex(
        records, store.pair_checks(DEFAULT_MAX_RESIDUAL), known_words=store.pair_words()
    )
    groups = index.groups(GroupingOptions(12))
    store.put_pair_checks(*index.take_new_checks())
    new = index.take_new_words()
    store.put_pair_words(new)
    return groups, len(new)


def test_a_rescan_takes_what_differs_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    aligned = counting(monkeypatch)
    with FingerprintStore(db) as store:
        records = list(run_scan(ScanOptions((str(lib),)), store).records)
        first, said = grouped(records, store)
    told = words(first)
    assert len(first) == 2 and said == len(told) == 6
    assert sum(aligned) == 6
    assert any(w and w[0].startswith("smaller") for w in told.values())
    assert told["1-grey.png"] == ("greyscale",)

    aligned.clear()
    with FingerprintStore(db) as store:
        assert len(store.pair_words()) == 6
        again, said = grouped(records, store)
    assert again == first and said == 0
    assert aligned == []

    # A file that changes gets a new identity: what differs is said again for it alone.
    changed = lib / "2-trim.png"
    st = os.stat(changed)
    os.utime(changed, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with FingerprintStore(db) as store:
        records = list(run_scan(ScanOptions((str(lib),)), store).records)
        third, said = grouped(records, store)
    assert words(third) == told and said == 1 and sum(aligned) == 1


def test_words_of_pairs_judged_without_thumbnails_are_not_kept(tmp_path: Path) -> None:
    lib = library(tmp_path)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        lean = run_scan(ScanOptions((str(lib),), thumbs_in_store=True), store)
    with FingerprintStore(None) as empty:
        # The store lost every thumbnail: nothing passes the check, nothing is said.
        index = SimilarityIndex(lean.records, thumbs=empty.thumbs, fines=empty.fines)
        assert index.groups(GroupingOptions(12)) == []
    # Without the check, groups form on the hash alone, and their words are not kept.
    index = SimilarityIndex(lean.records)
    assert index.groups(GroupingOptions(12, verify=False)) != []
    assert index.take_new_words() == {}


@pytest.mark.parametrize(
    ("name", "kept_checks"), [("WORDS_VERSION", True), ("CHECK_VERSION", False)]
)
def test_a_new_words_or_check_version_forgets_the_kept_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, kept_checks: bool
) -> None:
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        store.put_pair_words({7: ("greyscale", "smaller (10×10)"), 8: ()})
        store.put_pair_checks({9: 0.5}, DEFAULT_MAX_RESIDUAL)
    with FingerprintStore(db) as store:
        assert store.pair_words() == {7: ("greyscale", "smaller (10×10)"), 8: ()}
    monkeypatch.setattr(cache_module, name, getattr(cache_module, name) + 1)
    with FingerprintStore(db) as store:
        assert store.pair_words() == {}
        assert (store.pair_checks(DEFAULT_MAX_RESIDUAL) == {9: 0.5}) == kept_checks


def test_words_are_keyed_from_the_keepers_side(tmp_path: Path) -> None:
    records = list(run_scan(ScanOptions((str(library(tmp_path)),))).records)
    ids = np.array([file_id(r) for r in records], dtype=np.uint64)
    a, b = ids[:4], ids[4:8]
    for turn in range(8):
        t = np.full(4, turn, dtype=np.int64)
        forward = said_id(a, b, t)
        assert np.all(forward >= 0)
        assert not np.any(forward == said_id(b, a, t))
        for other in range(8):
            checked = pair_id(a, b, np.full(4, other, dtype=np.int64))
            assert not np.any(np.isin(forward, checked))


def test_cold_and_warm_scans_print_the_same_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    docs = []
    for _ in ("cold", "warm"):
        assert main(["scan", str(lib), "--format", "json", "-q", "--cache", db]) == 0
        doc = json.loads(capsys.readouterr().out)
        docs.append(doc)
    cold, warm = docs
    assert cold["stats"]["hashed"] == 8 and warm["stats"]["hashed"] == 0
    assert len(cold["groups"]) == 2
    assert any(f.get("differences") for g in cold["groups"] for f in g["files"])
    assert warm["groups"] == cold["groups"]


def test_pictures_decoded_for_the_text_check_are_held_a_few_at_a_time(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    for seed in (1, 2):
        # Texture, so the pictures are photos (no fine thumbnail) and get the text check; a
        # caption bar (dark bar, light text) on the copies, so their pairs differ both ways
        # and are worth the second look (core.second_look): plain copies are not decoded.
        noise = Image.effect_noise((200, 150), 40).convert("RGB")
        img = Image.blend(photo(seed, (200, 150)), noise, 0.35)
        save(img, lib / f"{seed}.png")
        captioned = img.copy()
        draw = ImageDraw.Draw(captioned)
        draw.rectangle((0, 134, 200, 150), fill=(0, 0, 0))
        draw.text((6, 137), "a caption in a bar", fill=(255, 255, 255))
        save(captioned, lib / f"{seed}-caption.jpg", quality=90)
        small = captioned.resize((150, 112), Image.Resampling.LANCZOS)
        save(small, lib / f"{seed}-caption-small.jpg")
    records = list(run_scan(ScanOptions((str(lib),))).records)
    unbounded = SimilarityIndex(records)
    expected = unbounded.groups(GroupingOptions(12))
    assert [len(g.members) for g in expected] == [3, 3]
    # Every file of a same-shape pair that passed.
    assert len(unbounded._checker.again.texts.pictures) == 6
    bounded = SimilarityIndex(records)
    bounded._checker.again = Redecoded(tuple(records), texts_kept=2)
    assert bounded.groups(GroupingOptions(12)) == expected
    assert len(bounded._checker.again.texts.pictures) == 2
