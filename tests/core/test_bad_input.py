"""Bad input through the whole scan: each bad file gets its own reason, nothing else is lost."""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import textwrap
import traceback
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dedupe_gui.cli import main
from dedupe_gui.core.actions import CleanupOptions, Removal, Scope, Status, apply_removals
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Failure, Phase, Progress, ScanResult
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import photo, save

NOBODY = 65534


def scan(*paths: Path | str, store: FingerprintStore | None = None) -> ScanResult:
    return run_scan(ScanOptions(tuple(str(p) for p in paths), workers=2), store)


def good_images(folder: Path) -> set[str]:
    """Two healthy photos that every scan below must still fingerprint."""
    a = save(photo(1, (96, 72)), folder / "good-a.jpg", quality=90)
    b = save(photo(2, (96, 72)), folder / "good-b.png")
    return {str(a), str(b)}


def errors_of(result: ScanResult) -> dict[str, str]:
    return {e.path: e.error for e in result.errors}


def assert_only_error(result: ScanResult, path: Path | str, *words: str) -> str:
    """``path`` is the scan's single error, its reason mentions one of ``words``."""
    errors = errors_of(result)
    assert list(errors) == [str(path)], errors
    reason = errors[str(path)]
    assert any(w in reason for w in words), reason
    assert len(reason) < 120, reason
    return reason


def jpeg_bytes(seed: int, size: tuple[int, int] = (160, 120)) -> bytes:
    out = io.BytesIO()
    photo(seed, size).save(out, "JPEG", quality=90)
    return out.getvalue()


# -- damaged and foreign files ------------------------------------------------------------


def test_zero_byte_file(tmp_path: Path) -> None:
    good = good_images(tmp_path)
    empty = tmp_path / "empty.jpg"
    empty.touch()
    result = scan(tmp_path)
    assert_only_error(result, empty, "empty file")
    assert {r.path for r in result.records} == good


@pytest.mark.parametrize("ext", [".jpg", ".png"])
def test_file_cut_in_half(tmp_path: Path, ext: str) -> None:
    good = good_images(tmp_path)
    whole = save(photo(3, (160, 120)), tmp_path / "whole" / f"w{ext}", quality=90)
    data = whole.read_bytes()
    cut = tmp_path / f"cut{ext}"
    cut.write_bytes(data[: len(data) // 2])
    shutil.rmtree(whole.parent)
    result = scan(tmp_path)
    assert_only_error(result, cut, "truncated", "corrupt", "damaged")
    assert {r.path for r in result.records} == good


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("noise.jpg", random.Random(5).randbytes(4096), ("not an image",)),
        ("noise.png", random.Random(6).randbytes(300), ("not an image",)),
        ("readme.jpg", b"This folder holds the holiday photos.\n" * 20, ("a text file",)),
        ("page.webp", b"<!doctype html>\n<html><body>Not found</body></html>\n", ("HTML page",)),
        ("invoice.tif", b"%PDF-1.4\n1 0 obj << >> endobj\n", ("PDF document",)),
    ],
)
def test_non_image_content_with_an_image_name(
    tmp_path: Path, name: str, content: bytes, words: tuple[str, ...]
) -> None:
    good = good_images(tmp_path)
    bad = tmp_path / name
    bad.write_bytes(content)
    result = scan(tmp_path)
    assert_only_error(result, bad, *words)
    assert {r.path for r in result.records} == good


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bombs(folder: Path, side: int) -> list[Path]:
    """Small files whose headers claim ``side`` x ``side`` pixels, one per format."""
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )
    gif = (
        b"GIF89a"
        + struct.pack("<HHBBB", side, side, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"
        + b","
        + struct.pack("<HHHHB", 0, 0, side, side, 0)
        + b"\x02\x02\x44\x01\x00;"
    )
    bmp_info = struct.pack("<IiiHHIIiiII", 40, side, side, 1, 24, 0, 0, 2835, 2835, 0, 0)
    bmp = b"BM" + struct.pack("<IHHI", 14 + 40 + 64, 0, 0, 54) + bmp_info + b"\x00" * 64
    jpeg = bytearray(jpeg_bytes(4, (16, 16)))
    sof = jpeg.index(b"\xff\xc0")
    struct.pack_into(">HH", jpeg, sof + 5, side, side)
    tiff = bytearray()
    tiff += b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 6)
    for tag, typ, value in ((256, 4, side), (257, 4, side), (258, 3, 8), (262, 3, 1),
                            (273, 4, 100), (279, 4, 16)):  # fmt: skip
        tiff += struct.pack("<HHI", tag, typ, 1) + struct.pack("<I", value)
    tiff += b"\x00" * 40
    files = {"bomb.png": png, "bomb.gif": gif, "bomb.bmp": bmp, "bomb.jpg": bytes(jpeg)}
    files["bomb.tif"] = bytes(tiff)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def test_decompression_bombs_are_refused_without_allocating(tmp_path: Path) -> None:
    good = good_images(tmp_path)
    bombs = _bombs(tmp_path, 50_000)
    # Under Pillow's hard limit but far more pixels than a file this small can hold.
    dense = tmp_path / "dense" / "dense.png"
    dense.parent.mkdir()
    dense.write_bytes(
        (tmp_path / "bomb.png")
        .read_bytes()
        .replace(
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)),
            _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 10_000, 10_000, 8, 6, 0, 0, 0)),
        )
    )
    # A fresh interpreter, so that its peak memory is this scan's alone.
    script = textwrap.dedent(
        f"""
        import json, resource
        from dedupe_gui.core.scan import ScanOptions, run_scan
        result = run_scan(ScanOptions(({str(tmp_path)!r},), workers=2))
        print(json.dumps({{
            "errors": {{e.path: e.error for e in result.errors}},
            "records": [r.path for r in result.records],
            "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout)
    assert set(report["errors"]) == {str(b) for b in bombs} | {str(dense)}
    for path in bombs:
        reason = report["errors"][str(path)]
        assert "too large" in reason and "2,500,000,000 pixels" in reason, (path, reason)
    assert report["errors"][str(dense)].startswith(
        "image too large to decode safely (100,000,000 pixels from "
    )
    assert set(report["records"]) == good
    # The interpreter with Pillow, numpy and the grouping imported, plus up to 32 small decoded
    # pictures waiting while those imports run, peaks at 100-155 MiB here; one decoded
    # 50000x50000 RGB image would need 7 GiB, and the 10000x10000 RGBA one 400 MiB.
    assert report["peak_kib"] < 256 * 1024, report["peak_kib"]


# -- links and names ----------------------------------------------------------------------


def test_broken_symlink_and_links_to_files_seen_once(tmp_path: Path) -> None:
    good = good_images(tmp_path)
    broken = tmp_path / "gone.jpg"
    broken.symlink_to(tmp_path / "nowhere.jpg")
    (tmp_path / "alias.jpg").symlink_to(tmp_path / "good-a.jpg")
    result = scan(tmp_path)
    assert errors_of(result) == {
        str(tmp_path / "alias.jpg"): f"skipped: symbolic link to {tmp_path / 'good-a.jpg'} "
        "(not followed; add that folder to scan it)",
        str(broken): "broken symbolic link",
    }
    assert {r.path for r in result.records} == good
    assert len(result.records) == 2


def test_symlink_loops_are_walked_once(tmp_path: Path) -> None:
    good = good_images(tmp_path)
    (tmp_path / "sub").mkdir()
    save(photo(7, (64, 48)), tmp_path / "sub" / "deep.jpg")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "sub" / "again").symlink_to(tmp_path / "sub")
    selfish = tmp_path / "self.jpg"
    selfish.symlink_to(selfish)
    result = scan(tmp_path)
    errors = errors_of(result)
    assert errors.pop(str(selfish)) == "symbolic link loop"
    assert sorted(errors) == [str(tmp_path / "sub" / "again"), str(tmp_path / "sub" / "up")]
    assert all(e.startswith("skipped: symbolic link to ") for e in errors.values())
    followed = run_scan(ScanOptions((str(tmp_path),), WalkOptions(follow_links=True), workers=2))
    # Followed, a link to a folder that holds it is still not followed (it would widen the
    # scan to that whole folder), and says so.
    followed_errors = errors_of(followed)
    assert followed_errors.pop(str(selfish)) == "symbolic link loop"
    assert followed_errors == {
        str(tmp_path / "sub" / "again"): f"skipped: symbolic link to {tmp_path / 'sub'}, "
        "a folder that holds it (never followed)",
        str(tmp_path / "sub" / "up"): f"skipped: symbolic link to {tmp_path}, "
        "a folder that holds it (never followed)",
    }
    real = [os.path.realpath(r.path) for r in followed.records]
    assert sorted(real) == sorted(good | {str(tmp_path / "sub" / "deep.jpg")})


def test_non_utf8_names_are_kept_and_round_trip_through_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = os.fsencode(tmp_path)
    img = photo(8, (160, 120))
    keeper = os.path.join(folder, b"caf\xe9.png")
    copy = os.path.join(folder, b"caf\xe9-copy.jpg")
    broken = os.path.join(folder, b"\xff\xfe-broken.jpg")
    img.save(keeper.decode("utf-8", "surrogateescape"), "PNG")
    img.resize((120, 90)).save(copy.decode("utf-8", "surrogateescape"), "JPEG", quality=90)
    with open(broken, "wb") as f:
        f.write(b"\xff\xd8\xff\xe0" + b"\x00" * 30)

    result = scan(tmp_path)
    assert {os.fsencode(r.path) for r in result.records} == {keeper, copy}
    assert [os.fsencode(e.path) for e in result.errors] == [broken]

    assert main(["scan", str(tmp_path), "--format", "json", "--no-cache", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    [group] = doc["groups"]
    # The exact bytes travel as base64 in path_bytes; path itself is valid Unicode.
    assert {base64.b64decode(f["path_bytes"]) for f in group["files"]} == {keeper, copy}
    assert {f["path"] for f in group["files"]} == {
        os.fsdecode(folder) + "/caf\\xe9.png",
        os.fsdecode(folder) + "/caf\\xe9-copy.jpg",
    }
    assert [base64.b64decode(e["path_bytes"]) for e in doc["errors"]] == [broken]


# -- files that move under our feet ------------------------------------------------------


def test_a_file_vanishing_between_walk_and_decode(tmp_path: Path) -> None:
    good = good_images(tmp_path)
    doomed = save(photo(9, (64, 48)), tmp_path / "doomed.jpg")

    def on_progress(p: Progress) -> None:
        if p.phase is Phase.HASHING and doomed.exists():
            doomed.unlink()

    result = run_scan(ScanOptions((str(tmp_path),), workers=2), progress=on_progress)
    assert_only_error(result, doomed, "vanished")
    assert {r.path for r in result.records} == good
    assert result.stats.files == 3


def test_files_changed_or_gone_before_cleanup_are_skipped(tmp_path: Path) -> None:
    img = photo(10, (256, 192))
    save(img, tmp_path / "keeper.png")
    intact = save(img.resize((200, 150)), tmp_path / "intact.jpg", quality=90)
    changed = save(img.resize((190, 142)), tmp_path / "changed.jpg", quality=90)
    gone = save(img.resize((180, 135)), tmp_path / "gone.webp")
    [group] = group_records(scan(tmp_path).records, GroupingOptions(DEFAULT_THRESHOLD))
    assert group.suggested_keeper.path == str(tmp_path / "keeper.png")

    with open(changed, "ab") as f:
        f.write(b"edited")
    gone.unlink()
    trashed: list[str] = []
    scope = Scope((str(tmp_path),))
    outcomes = apply_removals(
        [Removal.marked(group)], CleanupOptions(journal=None, scope=scope), trashed.append
    )

    by_path = {o.path: o for o in outcomes}
    assert trashed == [str(intact)]
    assert by_path[str(intact)].status is Status.TRASHED
    assert (by_path[str(changed)].status, by_path[str(changed)].reason) == (
        Status.SKIPPED,
        "changed since the scan",
    )
    assert (by_path[str(gone)].status, by_path[str(gone)].reason) == (
        Status.SKIPPED,
        "no longer exists",
    )


# -- the cache cannot be written ----------------------------------------------------------


def test_cache_path_under_a_file_scans_without_cache(tmp_path: Path) -> None:
    good = good_images(tmp_path / "photos")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    warnings: list[str] = []
    with FingerprintStore(str(blocker / "cache" / "fp.sqlite3"), warnings.append) as store:
        result = scan(tmp_path / "photos", store=store)
    assert len(warnings) == 1 and "this scan runs without it" in warnings[0]
    assert result.errors == ()
    assert {r.path for r in result.records} == good
    assert result.stats.hashed == 2


def test_a_full_disk_mid_scan_keeps_the_results(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    good = good_images(photos)
    long_name = "x" * 200  # rows too long for the pages the empty cache already has
    for seed in range(20, 40):
        good.add(str(save(photo(seed, (48, 36)), photos / f"more-{seed}-{long_name}.png")))
    warnings: list[str] = []
    with FingerprintStore(str(tmp_path / "fp.sqlite3"), warnings.append) as store:
        # SQLite's page limit makes every further write fail exactly as a full disk does.
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")
        result = scan(photos, store=store)
    assert any("stopped working" in w and "full" in w for w in warnings), warnings
    assert result.errors == ()
    assert {r.path for r in result.records} == good


# -- permissions (as an unprivileged user: root reads everything) ---------------------------


def _as_nobody(work: Callable[[], Any]) -> Any:
    """Run ``work`` as the unprivileged user in a forked child; its result comes back pickled.

    Everything the work needs must be imported already: after dropping privileges the child
    may not be able to read the interpreter's own files.
    """
    if os.geteuid() != 0:
        return work()
    if not hasattr(os, "fork"):
        pytest.skip("needs fork() to drop root privileges")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload: tuple[str, Any] = ("ok", work())
        except BaseException:
            payload = ("error", traceback.format_exc())
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(payload))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as inp:
        data = inp.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind != "ok":
        pytest.fail(f"unprivileged scan failed:\n{value}")
    return value


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder the unprivileged user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="dedupe-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def test_unreadable_files_folders_and_cache(shared_dir: Path) -> None:
    photos = shared_dir / "photos"
    good = good_images(photos)
    secret = save(photo(11, (64, 48)), photos / "secret.jpg")
    secret.chmod(0o000)
    locked = photos / "locked"
    save(photo(12, (64, 48)), locked / "inside.jpg")
    locked.chmod(0o000)
    cache_dir = shared_dir / "cache"
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    fingerprint_file(sorted(good)[0])  # import every decoder before privileges are dropped
    fingerprint_file(sorted(good)[1])

    def work() -> dict[str, Any]:
        warnings: list[str] = []
        with FingerprintStore(str(cache_dir / "fp.sqlite3"), warnings.append) as store:
            result = scan(photos, store=store)
        return {
            "errors": errors_of(result),
            "records": sorted(r.path for r in result.records),
            "warnings": warnings,
        }

    found = _as_nobody(work)
    assert found["records"] == sorted(good)
    assert set(found["errors"]) == {str(secret), str(locked)}
    assert found["errors"][str(secret)] == "permission denied"
    assert "cannot read folder" in found["errors"][str(locked)]
    assert "Permission denied" in found["errors"][str(locked)]
    assert len(found["warnings"]) == 1 and "runs without it" in found["warnings"][0]
    assert not (cache_dir / "fp.sqlite3").exists()
    assert Image.open(secret).size == (64, 48)  # root can still read it: nothing was lost


def test_raw_with_a_long_run_of_fill_bytes_is_a_reason(tmp_path: Path) -> None:
    """Erased flash (0xFF) after a JPEG start: skipped in runs, and no preview is found."""
    from dedupe_gui.core.scan import fingerprint_entry

    path = tmp_path / "erased.nef"
    path.write_bytes(b"\xff\xd8" + b"\xff" * 300_000 + b"\xd9")
    entry = fingerprint_entry(str(path))
    assert isinstance(entry, Failure) and entry.reason
