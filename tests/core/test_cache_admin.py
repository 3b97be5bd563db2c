"""``dedupe-gui cache prune`` and ``clear`` reach every table the cache keeps: what was
worked out about a file's version goes with the file, and a cleared cache holds nothing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from PIL import ImageOps

from dedupe_gui.cli import main
from dedupe_gui.core.cache_admin import prune
from dedupe_gui.core.file_ids import version_id
from tests.imaging import save, textured


def _rows(db: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT * FROM {table}").fetchall()


def _box_ids(db: Path) -> set[int]:
    with sqlite3.connect(db) as conn:
        files: list[tuple[int]] = conn.execute("SELECT file FROM picture_boxes").fetchall()
    return {f & ((1 << 64) - 1) for (f,) in files}


def _id(path: Path) -> int:
    st = path.stat()
    return version_id(str(path), st.st_size, st.st_mtime_ns)


@pytest.fixture
def grouped(tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    """A cache written by a scan of two photos, each with a framed copy: the keeper rule
    placed every grouped file's picture in its frame."""
    lib, db = tmp_path / "lib", tmp_path / "cache.sqlite3"
    files = []
    for k in range(2):
        img = textured(k + 3, (240, 180))
        files.append(save(img, lib / f"photo{k}.png"))
        framed = ImageOps.expand(img, border=24, fill=(255, 255, 255))
        files.append(save(framed, lib / f"framed{k}.png"))
    assert main(["scan", str(lib), "--cache", str(db), "-q"]) == 0
    return lib, db, files


def test_prune_forgets_the_boxes_of_removed_files(grouped: tuple[Path, Path, list[Path]]) -> None:
    _, db, files = grouped
    ids = {f: _id(f) for f in files}
    assert set(ids.values()) <= _box_ids(db)
    os.remove(files[1])
    result = prune(str(db))
    assert result.removed_gone == 1
    assert _box_ids(db) == {ids[f] for f in files if f != files[1]}


def test_prune_forgets_the_boxes_of_an_edited_file_s_old_version(
    grouped: tuple[Path, Path, list[Path]],
) -> None:
    lib, db, files = grouped
    before = _id(files[0])
    save(textured(9, (240, 180)), files[0])  # another picture at the same path
    assert main(["scan", str(lib), "--cache", str(db), "-q"]) == 0
    assert before in _box_ids(db)
    prune(str(db))
    assert before not in _box_ids(db)
    assert _id(files[1]) in _box_ids(db)


def test_clear_empties_every_table(
    grouped: tuple[Path, Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, db, _ = grouped
    with sqlite3.connect(db) as conn:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "meta"
        ]
    assert {"fingerprints", "picture_boxes", "searches", "pair_checks"} <= set(tables)
    assert all(_rows(db, t) for t in ("picture_boxes", "searches", "pair_checks"))
    assert main(["cache", "clear", "--cache", str(db)]) == 0
    assert "cleared 4 entries" in capsys.readouterr().out
    assert {t: _rows(db, t) for t in tables} == {t: [] for t in tables}
    assert _rows(db, "meta")  # the versions the file was written with stay
