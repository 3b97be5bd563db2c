"""Fault suite, resources: a memory budget for decoding, giant JPEGs decoded drafted, and
identical-copy digests that read no more than they must."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from dedupe_gui.core import digests
from dedupe_gui.core.budget import MemoryBudget, decode_cost
from dedupe_gui.core.fingerprint import FingerprintError, fingerprint_file
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save


def test_big_pictures_decode_one_at_a_time_within_the_budget(tmp_path: Path) -> None:
    paths = [str(save(photo(40 + i, (800, 600)), tmp_path / f"{i}.png")) for i in range(6)]
    one = decode_cost(800, 600, 3)
    budget = MemoryBudget(one + one // 2)  # room for one picture, not two
    with ThreadPoolExecutor(4) as pool:
        prints = list(pool.map(lambda p: fingerprint_file(p, budget), paths))
    assert len({fp.hash for fp in prints}) == 6
    assert budget.peak == one  # never two decodes held at once
    roomy = MemoryBudget(10 * one)
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda p: fingerprint_file(p, roomy), paths)) == prints


def test_a_picture_larger_than_the_budget_still_decodes_alone() -> None:
    budget = MemoryBudget(100)
    order: list[str] = []
    with budget.hold(50):
        started = threading.Event()

        def big() -> None:
            started.set()
            with budget.hold(1000):
                order.append("big")

        t = threading.Thread(target=big)
        t.start()
        started.wait()
        order.append("small done")
    t.join(10)
    assert order == ["small done", "big"] and budget.peak == 1000


def test_a_scan_with_a_tiny_budget_gives_the_same_fingerprints(tmp_path: Path) -> None:
    for i in range(4):
        save(photo(50 + i, (400, 300)), tmp_path / f"{i}.png")
    roomy = run_scan(ScanOptions((str(tmp_path),), workers=4))
    tight = run_scan(ScanOptions((str(tmp_path),), workers=4, memory_budget=1))
    assert [r.fingerprint for r in tight.records] == [r.fingerprint for r in roomy.records]


def test_giant_baseline_jpeg_decodes_drafted_and_others_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pillow refuses pictures over twice MAX_IMAGE_PIXELS; lower it instead of writing a
    # 192-megapixel file in a unit test (bench/giant_jpeg.py measures the real one).
    img = photo(60, (1600, 1200))
    baseline = save(img, tmp_path / "pano.jpg", quality=85)
    progressive = save(img, tmp_path / "pano-progressive.jpg", quality=85, progressive=True)
    png = save(img, tmp_path / "pano.png")
    expected = fingerprint_file(str(baseline))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1600 * 1200 // 4)
    fp = fingerprint_file(str(baseline))
    assert (fp.hash, fp.width, fp.height) == (expected.hash, 1600, 1200)
    with pytest.raises(FingerprintError, match="progressive JPEG too large to decode safely"):
        fingerprint_file(str(progressive))
    with pytest.raises(FingerprintError, match="too large to decode safely"):
        fingerprint_file(str(png))


def test_identical_copy_digest_reads_only_the_ends_of_files_that_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = 5 << 20
    a = tmp_path / "a.bin"
    b = tmp_path / "b.bin"
    c = tmp_path / "c.bin"
    data = os.urandom(size)
    a.write_bytes(data)
    b.write_bytes(data)
    c.write_bytes(bytes([data[0] ^ 1]) + data[1:])  # differs in its first byte
    read: dict[str, int] = {}
    real_open = open

    class Counting:
        def __init__(self, path: str) -> None:
            self.f = real_open(path, "rb")
            self.path = path

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

        def fileno(self) -> int:
            return self.f.fileno()

        def seek(self, pos: int) -> int:
            return self.f.seek(pos)

        def read(self, n: int = -1) -> bytes:
            chunk = self.f.read(n)
            read[os.path.basename(self.path)] = read.get(os.path.basename(self.path), 0) + len(
                chunk
            )
            return chunk

    monkeypatch.setattr(digests, "open_regular", Counting)
    seen: list[tuple[str, int, int]] = []
    full = digests.identical_sets(
        [str(a), str(b), str(c)], progress=lambda p, d, s: seen.append((p, d, s))
    )
    assert set(full) == {str(a), str(b)} and full[str(a)] == full[str(b)]
    assert read["c.bin"] <= 2 * digests.BLOCK  # only its ends
    assert read["a.bin"] == 2 * digests.BLOCK + size
    assert seen and seen[-1] == (str(b), size, size)  # progress on big files
