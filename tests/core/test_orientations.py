"""Turned hashes: each equals imagehash's dHash of the physically turned picture."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import imagehash
import numpy as np
import pytest
from PIL import Image

from dedupe_gui.cli import main
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.orientations import (
    INVERSE,
    LABELS,
    TRANSPOSES,
    all_hashes,
    dhash_bits,
    relation,
    transform_grid,
    turned_hashes,
)
from dedupe_gui.core.report import load
from tests.imaging import jpeg_with_orientation, photo, save


def _dhash(img: Image.Image) -> int:
    return int(str(imagehash.dhash(img)), 16)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_turned_hashes_equal_the_dhash_of_the_turned_picture(tmp_path: Path, seed: int) -> None:
    img = photo(seed, (160, 120))
    fp = fingerprint_file(str(save(img, tmp_path / "p.png")))
    assert len(fp.turned) == 7
    for k, transpose in enumerate(TRANSPOSES[1:], start=1):
        assert transpose is not None
        assert fp.turned[k - 1] == _dhash(img.transpose(transpose)), transpose.name


@pytest.mark.parametrize("orientation", [3, 6, 8, 5])
def test_turned_hashes_start_from_the_displayed_picture(tmp_path: Path, orientation: int) -> None:
    """A file shown rotated by its EXIF tag is turned from how it is shown, not stored."""
    upright = photo(11, (160, 120))
    lossless = tmp_path / "u.png"
    save(upright, lossless)
    tagged = fingerprint_file(str(jpeg_with_orientation(upright, tmp_path / "t.jpg", orientation)))
    plain = fingerprint_file(str(lossless))
    close = [bin(a ^ b).count("1") for a, b in zip(tagged.turned, plain.turned, strict=True)]
    assert max(close) <= 6  # JPEG and draft decoding move a few bits, never the orientation


def test_a_physically_rotated_copy_matches_a_turned_hash(tmp_path: Path) -> None:
    img = photo(5, (160, 120))
    original = fingerprint_file(str(save(img, tmp_path / "o.png")))
    rotated = fingerprint_file(
        str(save(img.transpose(Image.Transpose.ROTATE_90), tmp_path / "r.png"))
    )
    assert bin(original.hash ^ rotated.hash).count("1") > 16
    k = TRANSPOSES.index(Image.Transpose.ROTATE_270)
    assert rotated.turned[k - 1] == original.hash
    assert relation(k) == "rotated 90° counter-clockwise"


@pytest.mark.parametrize("k", range(8))
def test_grid_transforms_match_pillow_and_invert(k: int) -> None:
    grid = np.arange(12, dtype=np.uint8).reshape(3, 4)
    img = Image.fromarray(grid)
    transpose = TRANSPOSES[k]
    expected = np.asarray(img if transpose is None else img.transpose(transpose))
    assert np.array_equal(transform_grid(grid, k), expected)
    assert np.array_equal(transform_grid(transform_grid(grid, k), INVERSE[k]), grid)
    assert (LABELS[k] == "") == (k == 0)


def test_turned_hashes_refuse_wrong_sizes() -> None:
    with pytest.raises(ValueError):
        turned_hashes(Image.new("L", (9, 8)), Image.new("L", (8, 9)))


def _scan_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["scan", *args, "--format", "json", "--no-cache", "-q"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_rotations_group_a_turned_copy_and_plain_mode_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    img = photo(21, (240, 180))
    save(img, tmp_path / "lib" / "original.png")
    save(img.transpose(Image.Transpose.ROTATE_90), tmp_path / "lib" / "turned.jpg", quality=90)
    save(img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), tmp_path / "lib" / "mirror.png")
    save(photo(22, (240, 180)), tmp_path / "lib" / "other.png")
    lib = str(tmp_path / "lib")

    assert _scan_json([lib], capsys)["groups"] == []

    (group,) = _scan_json([lib, "--rotations"], capsys)["groups"]
    files = {os.path.basename(f["path"]): f for f in group["files"]}
    assert set(files) == {"original.png", "turned.jpg", "mirror.png"}
    assert files["original.png"]["keep"] and files["original.png"]["orientation"] == ""
    assert files["turned.jpg"]["orientation"] == "rotated 90° counter-clockwise"
    assert files["mirror.png"]["orientation"] == "mirrored"
    assert files["turned.jpg"]["differences"] == ["rotated 90° counter-clockwise", "saved as JPEG"]
    assert not group["exact"]

    assert main(["scan", lib, "--rotations", "--no-cache", "-q"]) == 0
    text = capsys.readouterr().out
    # The notes after a file: how it looks next to the keeper, then what else differs.
    assert "(rotated 90° counter-clockwise, saved as JPEG)" in text
    assert "(mirrored)" in text


def test_orientation_round_trips_through_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    img = photo(23, (200, 150))
    save(img, tmp_path / "a.png")
    save(img.transpose(Image.Transpose.ROTATE_180), tmp_path / "b.png")
    doc = _scan_json([str(tmp_path), "--rotations"], capsys)
    (path := tmp_path / "r.json").write_text(json.dumps(doc))
    (group,) = load(str(path)).groups
    assert [m.orientation for m in group.members] == ["", "rotated 180°"]


@pytest.mark.parametrize("levels", [2, 5, 256])
def test_all_hashes_compare_each_turned_grid_as_the_plain_dhash_does(levels: int) -> None:
    """Few grey levels make ties everywhere: a tie is a 0 bit whichever way the grid turns."""
    rng = np.random.default_rng(levels)
    for _ in range(50):
        grid = rng.integers(0, levels, (8, 9), dtype=np.uint8)
        turned = rng.integers(0, levels, (8, 9), dtype=np.uint8)  # stands for the transpose's
        got = all_hashes(Image.fromarray(grid), Image.fromarray(turned))
        for k, value in enumerate(got):
            if k < 4:
                want = transform_grid(grid, k)
            else:  # a quarter turn: the transpose, then the flip that makes it this turn
                want = next(
                    transform_grid(turned, f)
                    for f in range(4)
                    if np.array_equal(
                        transform_grid(transform_grid(np.arange(6).reshape(2, 3), 4), f),
                        transform_grid(np.arange(6).reshape(2, 3), k),
                    )
                )
            assert value == dhash_bits(want.astype(np.int16)), k
