"""The benchmark helpers measure what the app does: same decode choices, real EXIF thumbnails."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from PIL import Image

from bench import changed_library, decode_floor, kept_as, window_regroup
from bench.exif_previews import exif_thumbnail, fingerprint_from_exif, trim_letterbox
from bench.make_phone_library import exif_with_thumbnail, thumbnail_jpeg
from dedupe_gui.core import fingerprint, kept_groupings
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.kept_groupings import group_kept
from dedupe_gui.core.rescan import ReadBack, read_back_scan
from dedupe_gui.core.scan import ScanOptions, Walked, run_scan
from tests.imaging import photo, save


def test_floor_decodes_like_the_fingerprint() -> None:
    assert decode_floor.DRAFT_MIN_SIDE == fingerprint.DRAFT_MIN_SIDE
    assert decode_floor.PREVIEW_MIN_SIDE == fingerprint.PREVIEW_MIN_SIDE


def test_written_exif_thumbnail_reads_back_letterboxed_and_turned(tmp_path: Path) -> None:
    displayed = photo(3, (320, 180))  # 16:9: letterboxed in a 4:3 thumbnail
    stored = displayed.transpose(Image.Transpose.ROTATE_90)
    thumb = thumbnail_jpeg(stored)
    path = tmp_path / "cam.jpg"
    stored.save(path, "JPEG", quality=92, exif=exif_with_thumbnail(thumb, 6))
    with Image.open(path) as img:
        assert img.getexif()[0x0112] == 6
        found = exif_thumbnail(img)
    assert found == thumb
    with Image.open(io.BytesIO(thumb)) as small:
        assert small.size == (120, 160)
        trimmed = trim_letterbox(small.convert("L"))
    assert trimmed.size[0] < 100  # the bars are gone
    from_thumb = fingerprint_from_exif(str(path))
    from_pixels = fingerprint.fingerprint_file(str(path))
    assert (from_thumb.width, from_thumb.height) == (320, 180)
    assert (from_thumb.hash ^ from_pixels.hash).bit_count() <= 8


def test_a_grouping_kept_by_another_build_is_read_back_by_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = tmp_path / "lib"
    for name, seed in (("a.jpg", 1), ("b.jpg", 2)):
        img = photo(seed, (240, 180))
        save(img, lib / name, quality=90)
        save(img, lib / f"{name}-q60.jpg", quality=60)
    source, cache = tmp_path / "other.sqlite3", tmp_path / "this.sqlite3"
    options = ScanOptions((str(lib),), thumbs_in_store=True)
    with FingerprintStore(str(source)) as store:
        made = group_kept(run_scan(options, store).records, GroupingOptions(), store)
    assert len(made) == 2
    shutil.copy(source, cache)
    # Another build: other code, another key, so its first rescan would group in full.
    monkeypatch.setattr(kept_groupings, "code_digest", lambda: b"this build")
    with FingerprintStore(str(cache)) as store:
        assert isinstance(read_back_scan(options, GroupingOptions(), store), Walked)
    assert kept_as.main([str(lib), "--cache", str(cache), "--source", str(source)]) == 0
    with FingerprintStore(str(cache)) as store:
        back = read_back_scan(options, GroupingOptions(), store)
        assert isinstance(back, ReadBack) and back.groups == made
    assert kept_as.last_kept(str(source), 1)[1:] == (1, 2)


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="reads /proc (Linux)")
def test_the_wall_shape_probes_find_what_the_scan_calls(tmp_path: Path) -> None:
    """The probes wrap the scan's functions by name: a renamed one fails here, not silently."""
    from bench import wall_shape

    lib = tmp_path / "lib"
    save(photo(3, (240, 180)), lib / "a.jpg", quality=90)
    save(photo(3, (240, 180)), lib / "b.jpg", quality=80)
    save(photo(4, (240, 180)), lib / "c.png")
    shape = wall_shape._run(wall_shape._SCAN, wall_shape.HERE, str(lib))
    assert 0 < shape["python"] < shape["first"] < shape["last"] <= shape["grouping"] < shape["end"]
    assert shape["decode cpu"] > 0 and shape["hash cpu"] > 0 and shape["imports cpu"] > 0
    assert shape["slept"] >= 0 and shape["grouping s"] > 0
    bare = wall_shape._run(wall_shape._SCAN, wall_shape.HERE, str(lib), bare=True)
    assert bare["hash cpu"] > 0 and bare["first"] < bare["end"]
    listing = tmp_path / "files.txt"
    listing.write_text("".join(f"{lib / n}\n" for n in ("a.jpg", "b.jpg", "c.png")))
    floor = wall_shape._run(wall_shape._FLOOR, wall_shape.HERE, str(listing))
    assert 0 < floor["first"] < floor["last"] <= floor["end"] and "hash cpu" not in floor


def test_core_use_counts_the_run_time_of_every_thread_of_the_command() -> None:
    """Read from outside, the run time of a process with a busy second thread adds up to
    about the CPU it spent: a thread started between two reads counts from its start."""
    from bench import core_use

    spin = (
        "import threading, time\n"
        "def spin():\n"
        "    t = time.thread_time()\n"
        "    while time.thread_time() - t < 0.15: pass\n"
        "worker = threading.Thread(target=spin); worker.start(); spin(); worker.join()\n"
    )
    wall, cores = core_use.busy_cores([sys.executable, "-c", spin], 0.05)
    ran = sum(cores.values()) * 0.05
    assert wall > 0 and ran >= 0.27  # 0.3 s spun, less what ran after the last read


def test_the_changed_library_bench_compares_reports_but_their_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert changed_library.same_report(
        '{"groups": [1], "stats": {"files": 2, "seconds": 0.5}}',
        '{"groups": [1], "stats": {"files": 2, "seconds": 0.7}}',
    )
    assert not changed_library.same_report(
        '{"groups": [1], "stats": {"files": 2}}', '{"groups": [], "stats": {"files": 2}}'
    )
    lib = tmp_path / "lib"
    for seed in (1, 2):
        save(photo(seed, (240, 180)), lib / f"p{seed}.jpg", quality=92)
        save(photo(seed, (240, 180)), lib / f"q{seed}.jpg", quality=60)
    save(photo(1, (240, 180)), tmp_path / "more" / "r1.jpg", quality=80)
    cache = str(tmp_path / "c.sqlite3")
    with FingerprintStore(cache) as store:
        run_scan(ScanOptions((str(lib),), thumbs_in_store=True), store)
    argv = [str(lib), "--cache", cache, "--other", changed_library.HERE]
    argv += ["--prime-exclude", "q2.jpg", "--exclude", "p2.jpg"]
    argv += ["--add", str(tmp_path / "more"), "--rounds", "1"]
    assert changed_library.main(argv) == 0
    out = capsys.readouterr().out
    assert "round 1: reports the same, 1 groups" in out
    assert '"cpu_seconds"' in out


def test_the_window_regroup_bench_groups_a_copy_of_the_cache_as_the_window_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    for seed in (1, 2, 3):
        save(photo(seed, (240, 180)), lib / f"p{seed}.jpg", quality=92)
        save(photo(seed, (240, 180)), lib / f"q{seed}.jpg", quality=60)
    cache = str(tmp_path / "c.sqlite3")
    with FingerprintStore(cache) as store:
        records = run_scan(ScanOptions((str(lib),), thumbs_in_store=True), store).records
        group_kept(records, GroupingOptions(12), store)
    before = Path(cache).read_bytes()
    assert window_regroup.main([str(lib), "--cache", cache, "--thresholds", "12,0,12"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("scan: 6 files")
    assert lines[1].startswith("at 12 bits: 3 groups")
    assert lines[2].startswith("at  0 bits: ")
    assert lines[3].startswith("at 12 bits: 3 groups")
    assert lines[1].split("groups ")[-1] == lines[3].split("groups ")[-1]  # the same groups
    assert Path(cache).read_bytes() == before  # only a copy was grouped
