"""The scan's decoded pictures, kept for the grouping's second looks (core.scan_pictures):
taken only where a decode of the file would give the same pixels, within their bound, and
the grouping made with them is the grouping made by decoding again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import dedupe_gui.core.fingerprint as fingerprint
from dedupe_gui.core.decode import open_image
from dedupe_gui.core.fingerprint import FingerprintError, detail_grey, text_grey, upright_grey
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.window_looks import LOOK_SIDE
from tests.core.test_trim_windows import _trimmed_pair
from tests.imaging import jpeg_with_orientation, photo, save

# (name, size): a JPEG drafted at 1/8 for both the 128 and the 256 px decodes; one drafted
# at 1/8 for 128 px but at 1/4 for the text check's 256 px; one too small for any draft.
_JPEGS = (("both", (2200, 2100)), ("text apart", (1600, 1200)), ("small", (300, 200)))


def _files(tmp_path: Path) -> dict[str, str]:
    made = {
        name: str(save(photo(k, size), tmp_path / f"{k}.jpg", quality=85))
        for k, (name, size) in enumerate(_JPEGS)
    }
    made["turned"] = str(jpeg_with_orientation(photo(7, (1700, 1300)), tmp_path / "t.jpg", 6))
    made["png"] = str(save(photo(8, (500, 400)), tmp_path / "p.png"))
    made["grey"] = str(save(photo(9, (1800, 1400)).convert("L"), tmp_path / "g.jpg"))
    return made


def _kept(tmp_path: Path, bound: int = 1 << 30) -> tuple[dict[str, str], ScanPictures]:
    files = _files(tmp_path)
    pictures = ScanPictures(bound)
    result = run_scan(ScanOptions((str(tmp_path),), pictures=pictures))
    assert len(result.records) == len(files)
    return files, pictures


def test_kept_pictures_give_the_pixels_a_decode_gives(tmp_path: Path) -> None:
    files, pictures = _kept(tmp_path)
    assert len(pictures) == len(files)
    for path in files.values():
        for decode in (
            lambda p, kept: np.asarray(upright_grey(p, max_side=LOOK_SIDE, pictures=kept)),
            lambda p, kept: detail_grey(p, kept),
            lambda p, kept: text_grey(p, kept),
        ):
            assert np.array_equal(decode(path, pictures), decode(path, None)), path


def test_kept_only_where_a_decode_would_give_the_same(tmp_path: Path) -> None:
    files, pictures = _kept(tmp_path)
    for name, path in files.items():
        assert pictures.decoded(path, "L", 128) is not None, name
        # Colour is decoded apart: a JPEG is kept in grey levels; a PNG in full, as it is.
        assert (pictures.decoded(path, "RGB", 128) is not None) == (name == "png"), name
    assert pictures.decoded(files["both"], "L", 256) is not None
    assert pictures.decoded(files["text apart"], "L", 256) is None
    assert pictures.decoded(files["small"], "L", 256) is not None  # never drafted
    # Taken from memory, not the file: the files' pictures are there when the files are not.
    for path in files.values():
        Path(path).unlink()
    upright = upright_grey(files["turned"], max_side=LOOK_SIDE, pictures=pictures)
    assert upright.size == ((1700 + 7) // 8, (1300 + 7) // 8)  # drafted at 1/8, turned upright
    detail_grey(files["both"], pictures)
    text_grey(files["both"], pictures)
    with pytest.raises(FingerprintError):
        text_grey(files["text apart"], pictures)


def test_kept_within_the_bound_then_let_go(tmp_path: Path) -> None:
    files, everything = _kept(tmp_path / "all")
    sizes = sorted(
        picture.width * picture.height * len(picture.getbands())
        for picture in (everything.decoded(p, "L", 128)[0] for p in files.values())  # type: ignore[index]
    )
    # Room for the two smallest pictures, not for a third.
    _, pictures = _kept(tmp_path / "some", bound=sizes[0] + sizes[1] + sizes[2] - 1)
    assert len(pictures) == 2
    pictures.clear()
    assert len(pictures) == 0


def test_grouping_with_kept_pictures_is_the_grouping_decoding_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy trimmed by a fifth on three edges is found through a window, and looked at
    through it again: from the kept picture, the same verdict with fewer files opened."""
    _trimmed_pair(tmp_path, 22, (0.20, 0.0, 0.19, 0.22))
    save(photo(3, (600, 400)), tmp_path / "other.jpg", quality=92)
    pictures = ScanPictures()
    records = run_scan(ScanOptions((str(tmp_path),), pictures=pictures)).records
    opened: list[str] = []
    real_open = open_image

    def counted(path: str) -> object:
        opened.append(path)
        return real_open(path)

    monkeypatch.setattr(fingerprint, "open_image", counted)
    groups = {}
    opens = {}
    for name, kept in (("again", None), ("kept", pictures)):
        opened.clear()
        found = SimilarityIndex(records, pictures=kept).groups(GroupingOptions())
        groups[name] = [
            (g.suggested_keeper.path, [(m.path, m.distance, m.differences) for m in g.members])
            for g in found
        ]
        opens[name] = len(opened)
    assert groups["kept"] == groups["again"]
    # The looks at the scan's scale come from memory; a colour reading or a text check at a
    # larger draft still opens its file.
    assert opens["kept"] < opens["again"], opens
    assert [{m for m, _, _ in members} for _, members in groups["kept"]] == [
        {str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg")}
    ]


def test_pictures_are_kept_while_they_fit_and_a_missing_one_is_decoded(tmp_path: Path) -> None:
    save(photo(1, (900, 700)), tmp_path / "a.jpg")
    save(photo(2, (900, 700)), tmp_path / "b.jpg")
    roomy = ScanPictures()
    run_scan(ScanOptions((str(tmp_path),), pictures=roomy))
    assert len(roomy) == 2
    pictures = ScanPictures(bound=1)  # not even one fits
    run_scan(ScanOptions((str(tmp_path),), pictures=pictures))
    assert len(pictures) == 0
    # A picture whose file is gone and was never kept: the decode says why.
    (tmp_path / "a.jpg").unlink()
    with pytest.raises(FingerprintError):
        upright_grey(str(tmp_path / "a.jpg"), pictures=pictures)


def test_a_kept_picture_is_the_decode_itself_and_outlives_its_close(tmp_path: Path) -> None:
    """The scan closes each decode right after keeping it: the kept picture holds the very
    pixels decoded (no copy of them) and reads the same after the close."""
    from dedupe_gui.core.decoded import Decoded

    path = str(save(photo(3, (1600, 1200)), tmp_path / "a.jpg", quality=85))
    pictures = ScanPictures()
    decoded = Decoded(path)
    before = np.asarray(decoded.image).copy()
    pictures.keep(path, decoded)
    found = pictures.decoded(path, "L", 128)
    assert found is not None
    assert found[0].im is decoded.image.im
    decoded.close()
    with pytest.raises(ValueError):
        decoded.image.load()
    assert np.array_equal(np.asarray(found[0]), before)
