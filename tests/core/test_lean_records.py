"""Large libraries: batched cache reads, thumbnails left in the store until a pair needs them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw

from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Failure, FileKey, Fingerprint, Group
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save

FP = Fingerprint(0x0123456789ABCDEF, 640, 480, "JPEG", None, None, 1, b"t" * 1024, (1, 2, 3))


def _library(folder: Path) -> Path:
    """Three pictures with copies (one resized, one recompressed), two loners, one broken file."""
    for seed in range(5):
        img = photo(seed, (160, 120))
        save(img, folder / f"a{seed}.jpg", quality=90)
        if seed < 3:
            copy = img.resize((128, 96), Image.Resampling.BILINEAR) if seed % 2 else img
            save(copy, folder / "copies" / f"c{seed}.jpg", quality=70)
    slide = Image.new("RGB", (320, 240), "white")
    draw = ImageDraw.Draw(slide)
    for row in range(6):
        draw.rectangle((20, 20 + 34 * row, 60 + 37 * row, 36 + 34 * row), fill="black")
    save(slide, folder / "slide.png")
    save(slide, folder / "copies" / "slide.jpg", quality=85)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    return folder


def _shape(groups: Sequence[Group]) -> list[list[str]]:
    return sorted(sorted(Path(m.path).name for m in g.members) for g in groups)


def test_get_many_agrees_with_get(tmp_path: Path) -> None:
    keys = [FileKey(f"/p/{i}.jpg", 10 + i, 100 + i) for i in range(2000)]
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        for i, key in enumerate(keys):
            store.put(key, Failure("broken") if i % 7 == 0 else FP)
        store.put_digest(keys[1], "d1")
        asked = [*keys, FileKey("/p/1.jpg", 11, 999), FileKey("/p/none.jpg", 1, 1)]
        many = store.get_many(asked)
        assert [m[0] if m else None for m in many] == [store.get(k) for k in asked]
        assert many[1] == (FP, "d1")
        assert many[-2] is None  # another version of a stored file
        lean = store.get_many(asked, thumbs=False)
        assert lean[1] == (Fingerprint(FP.hash, 640, 480, "JPEG", turned=(1, 2, 3)), "d1")
        thumbs = store.thumbs([keys[1], keys[0], asked[-2], asked[-1]])
        assert thumbs == [b"t" * 1024, b"", b"", b""]


def test_fines_only_for_the_stored_version(tmp_path: Path) -> None:
    fine = b"f" * 4096
    with_fine = replace(FP, fine=fine, detailed=True)
    keys = [FileKey("/p/fine.jpg", 10, 100), FileKey("/p/plain.jpg", 11, 101)]
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        store.put(keys[0], with_fine)
        store.put(keys[1], FP)
        store.flush()
        other = FileKey("/p/fine.jpg", 10, 999)  # another version of a stored file
        asked = [keys[1], keys[0], other, FileKey("/p/none.jpg", 1, 1), keys[0]]
        assert store.fines(asked) == [b"", fine, b"", b"", fine]


def test_thumbs_left_in_the_store_give_the_same_groups(tmp_path: Path) -> None:
    folder = _library(tmp_path / "lib")
    with FingerprintStore(None) as plain_store:
        plain = run_scan(ScanOptions((str(folder),), workers=2), plain_store)
    options = GroupingOptions(12)
    expected = SimilarityIndex(plain.records).groups(options)
    assert len(expected) == 4
    assert any(r.fingerprint.fine for r in plain.records)  # the slide keeps a fine thumbnail

    db = str(tmp_path / "c.sqlite3")
    for run in ("cold", "warm"):
        with FingerprintStore(db) as store:
            lean = run_scan(ScanOptions((str(folder),), workers=2, thumbs_in_store=True), store)
            assert (lean.stats.hashed == 0) == (run == "warm")
            assert all(r.fingerprint.thumb == r.fingerprint.fine == b"" for r in lean.records)
            assert any(r.fingerprint.detailed for r in lean.records)
            assert [e.path for e in lean.errors] == [str(folder / "broken.jpg")]
            asked: list[list[str]] = []

            def source(
                keys: Sequence[FileKey],
                store: FingerprintStore = store,
                asked: list[list[str]] = asked,
            ) -> list[bytes]:
                asked.append([Path(k.path).name for k in keys])
                return store.thumbs(keys)

            groups = SimilarityIndex(lean.records, thumbs=source, fines=store.fines).groups(options)
            assert _shape(groups) == _shape(expected)
            loaded = {name for batch in asked for name in batch}
            # Only files of checked pairs were loaded, each once.
            assert loaded and loaded <= {Path(m.path).name for g in groups for m in g.members}
            assert sum(len(b) for b in asked) == len(loaded)


def test_without_a_source_the_records_thumbs_are_used(tmp_path: Path) -> None:
    folder = _library(tmp_path / "lib")
    result = run_scan(ScanOptions((str(folder),), workers=2, thumbs_in_store=True))
    # No store: the records keep their thumbnails whatever the option says.
    assert all(len(r.fingerprint.thumb) == 1024 for r in result.records)
    assert len(SimilarityIndex(result.records).groups(GroupingOptions(12))) == 4


def test_thumbnails_the_store_lost_never_pass_the_check(tmp_path: Path) -> None:
    """A store damaged and rebuilt during a scan cannot give the thumbnails back: the pairs of
    those files are not grouped on the hash alone, and no verdict about them is kept."""
    folder = _library(tmp_path / "lib")
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        lean = run_scan(ScanOptions((str(folder),), workers=2, thumbs_in_store=True), store)
    with FingerprintStore(str(tmp_path / "rebuilt.sqlite3")) as empty:
        index = SimilarityIndex(lean.records, thumbs=empty.thumbs, fines=empty.fines)
        assert index.groups(GroupingOptions(12)) == []
        new, _limit = index.take_new_checks()
        assert new == {}


def test_one_lost_thumbnail_leaves_the_other_pairs_checked(tmp_path: Path) -> None:
    folder = _library(tmp_path / "lib")
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        lean = run_scan(ScanOptions((str(folder),), workers=2, thumbs_in_store=True), store)
        gone = str(folder / "copies" / "c0.jpg")

        def source(keys: Sequence[FileKey], store: FingerprintStore = store) -> list[bytes]:
            return [
                b"" if k.path == gone else t for k, t in zip(keys, store.thumbs(keys), strict=True)
            ]

        index = SimilarityIndex(lean.records, thumbs=source, fines=store.fines)
        groups = index.groups(GroupingOptions(12))
    assert _shape(groups) == [
        ["a1.jpg", "c1.jpg"],
        ["a2.jpg", "c2.jpg"],
        ["slide.jpg", "slide.png"],
    ]
    new, _limit = index.take_new_checks()
    assert new  # the intact pairs were checked and their verdicts kept
