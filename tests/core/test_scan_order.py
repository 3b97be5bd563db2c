"""The order a scan hands its files to the decoding threads: largest first, so that no big
file is left to decode alone at the end; what the scan returns does not depend on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dedupe_gui.core import scan
from dedupe_gui.core.budget import MemoryBudget
from dedupe_gui.core.decoded import Decoded
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save

# Names in walk order, sizes in another: (name, picture size).
_FILES = (
    ("a.jpg", (160, 120)),
    ("b.jpg", (640, 480)),
    ("c.png", (320, 240)),
    ("d.jpg", (480, 360)),
)


def _library(tmp_path: Path) -> Path:
    lib = tmp_path / "lib"
    for seed, (name, size) in enumerate(_FILES):
        save(photo(seed, size), lib / name, quality=90)
    (lib / "e.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")  # small, and unreadable
    return lib


def _decode_order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    order: list[str] = []

    class Recorded(Decoded):
        def __init__(self, path: str, budget: MemoryBudget | None = None) -> None:
            order.append(os.path.basename(path))
            super().__init__(path, budget)

    monkeypatch.setattr(scan, "Decoded", Recorded)
    return order


def test_files_are_decoded_largest_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = _library(tmp_path)
    order = _decode_order(monkeypatch)
    # One thread takes the files in the order they are handed out.
    result = run_scan(ScanOptions((str(lib),), workers=1))
    by_size = sorted(os.listdir(lib), key=lambda n: -(lib / n).stat().st_size)
    assert by_size != sorted(os.listdir(lib))  # the walk's order is not the sizes'
    assert order == by_size
    # What comes out is in path order, the unreadable file among the errors.
    assert [os.path.basename(r.path) for r in result.records] == [
        "a.jpg",
        "b.jpg",
        "c.png",
        "d.jpg",
    ]
    assert [os.path.basename(e.path) for e in result.errors] == ["e.png"]
