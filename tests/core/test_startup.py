"""What a scan loads at start-up: every module is paid for by every command, cold or warm.

And how it starts: decoding begins while the hashing modules (numpy) are still being imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from dedupe_gui.core import scan
from dedupe_gui.core.budget import MemoryBudget
from dedupe_gui.core.decoded import Decoded
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.models import Entry, Fingerprint
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.imaging import photo, save

# Never needed by a scan, and slow to import (numpy.ma alone is 30-60 ms of a start-up).
_NOT_FOR_A_SCAN = ("numpy.ma",)


def test_a_scan_with_a_group_loads_no_unused_heavy_module(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    img = photo(3, (240, 180))
    save(img, lib / "a.png")
    save(img.resize((180, 135), Image.Resampling.LANCZOS), lib / "b.jpg", quality=90)
    save(img.transpose(Image.Transpose.ROTATE_90), lib / "c.png")
    save(photo(4, (240, 180)), lib / "d.png")
    # A flat picture and its copy: their check reads a percentile of the differences.
    ramp = np.tile(128 + np.linspace(-4, 4, 192), (144, 1)).round().astype(np.uint8)
    save(Image.fromarray(ramp, "L"), lib / "e.png")
    save(Image.fromarray(ramp, "L"), lib / "f.jpg", quality=90)
    code = (
        "import json, sys\n"
        "from dedupe_gui.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('numpy.ma'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", str(lib), "--rotations", "--no-cache", "-q"],
        check=True,
        capture_output=True,
        text=True,
    )
    *listing, loaded = done.stdout.strip().splitlines()
    assert "b.jpg" in "\n".join(listing) and "c.png" in "\n".join(listing)  # one group of 3
    assert "f.jpg" in "\n".join(listing)
    assert not [m for m in json.loads(loaded) if m in _NOT_FOR_A_SCAN]


def test_a_scan_of_jpegs_loads_no_other_image_plugin(tmp_path: Path) -> None:
    """Pillow given a bare file loads its five common plugins on the first open; a JPEG is
    opened by name, which loads only its own (core.decode)."""
    lib = tmp_path / "lib"
    save(photo(3, (240, 180)), lib / "a.jpg", quality=90)
    save(photo(3, (240, 180)), lib / "b.jpeg", quality=80)
    save(photo(4, (240, 180)), lib / "c.JPG", quality=90)
    code = (
        "import json, sys\n"
        "from dedupe_gui.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.endswith('ImagePlugin'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", str(lib), "--no-cache", "-q"],
        check=True,
        capture_output=True,
        text=True,
    )
    *listing, loaded = done.stdout.strip().splitlines()
    assert "b.jpeg" in "\n".join(listing)  # a group of a and b
    assert json.loads(loaded) == ["PIL.JpegImagePlugin"]


def test_the_command_line_starts_decoding_before_numpy_is_imported() -> None:
    """Importing numpy takes as long as decoding a dozen large photos: the command line and
    the scan load it on the side (core.scan), so neither may need it at import."""
    code = (
        "import sys\n"
        "import dedupe_gui.cli, dedupe_gui.core.scan, dedupe_gui.core.decoded\n"
        "print(sorted(m for m in ('numpy', 'dedupe_gui.core.fingerprint') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_the_command_line_parses_a_scan_without_what_only_follows_the_decodes() -> None:
    """The keeper rules and the grouping's options, the exact-copy digests and the cache's
    identities, the companions, the records and results, the RAW preview reader and the name
    escaping load beside the first decodes (core.scan) or when used, not before the scan
    starts."""
    later = [
        f"dedupe_gui.core.{m}"
        for m in ("keeper", "grouping_options", "companions", "identity", "digests", "raw")
    ]
    later += ["dedupe_gui.core.names", "dedupe_gui.core.hashes", "PIL.features"]
    later.append("dedupe_gui.core.models")  # the records and results (core.found)
    code = (
        "import json, sys\n"
        "import dedupe_gui.cli as cli, dedupe_gui.core.scan, dedupe_gui.core.decoded\n"
        "cli.build_parser().parse_args(['scan', '.', '--no-cache', '-q', '--format', 'json'])\n"
        f"print(json.dumps([m for m in {later!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(done.stdout) == []


def test_a_scan_of_photos_without_raw_files_never_loads_the_raw_reader(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    save(photo(3, (240, 180)), lib / "a.jpg", quality=90)
    save(photo(3, (240, 180)), lib / "b.png")
    code = (
        "import json, sys\n"
        "from dedupe_gui.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps([m for m in sys.modules if m == 'dedupe_gui.core.raw']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", str(lib), "--no-cache", "-q"],
        check=True,
        capture_output=True,
        text=True,
    )
    *listing, loaded = done.stdout.strip().splitlines()
    assert "b.png" in "\n".join(listing)  # the two copies were grouped and printed
    assert json.loads(loaded) == []


def test_the_command_line_loads_the_cache_and_the_cleanup_only_when_used(tmp_path: Path) -> None:
    """Before the first decode the command line imports what starts the scan; the cleanup,
    the report and the other commands' modules load on the side while files decode, and a
    scan without a cache never loads SQLite."""
    later = [f"dedupe_gui.core.{m}" for m in ("cache", "actions", "journal", "report", "rescan")]
    later.append("sqlite3")
    code = (
        "import json, sys\n"
        "import dedupe_gui.cli\n"
        f"print(json.dumps([m for m in {later!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(done.stdout) == []
    lib = tmp_path / "lib"
    save(photo(3, (240, 180)), lib / "a.jpg", quality=90)
    save(photo(3, (240, 180)), lib / "b.png")
    # Nor the folders' library (the log's folder is found without it, the help's defaults
    # when shown) and what it imports, nor logging's network handlers, nor the cleanup and
    # its journal (a report's re-check digests are core.revalidate's).
    unused = ["sqlite3", "dedupe_gui.core.cache", "platformdirs", "tempfile", "logging.handlers"]
    unused += ["dedupe_gui.core.actions", "dedupe_gui.core.journal"]
    code = (
        "import json, sys\n"
        "from dedupe_gui.cli import main\n"
        "status = main(sys.argv[1:])\n"
        f"print(json.dumps([m for m in {unused!r} if m in sys.modules]))\n"
    )
    for output in ("text", "json"):
        done = subprocess.run(
            [sys.executable, "-c", code, "scan", str(lib), "--no-cache", "-q", "--format", output],
            check=True,
            capture_output=True,
            text=True,
        )
        *listing, loaded = done.stdout.strip().splitlines()
        assert "b.png" in "\n".join(listing)  # the two copies were grouped and printed
        assert json.loads(loaded) == []


def test_the_command_ends_with_its_output_written_its_exit_handlers_run_and_its_status(
    tmp_path: Path,
) -> None:
    """The command skips the interpreter's teardown (cli.run), not what an exit must do:
    piped output is flushed, exit handlers run after the command, and the status is the
    command's."""
    lib = tmp_path / "lib"
    save(photo(3, (240, 180)), lib / "a.jpg", quality=90)
    save(photo(3, (240, 180)), lib / "b.png")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # piped: buffered
    env.update(HOME=str(tmp_path / "home"), XDG_STATE_HOME=str(tmp_path / "state"))
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler', file=sys.stderr))\n"
        "class Torn:\n"  # says so when the interpreter is torn down
        "    def __del__(self): print('teardown', file=sys.stderr)\n"
        "torn = Torn()\n"
        "sys.argv = ['dedupe-gui', *sys.argv[1:]]\n"
        "from dedupe_gui.cli import run\n"
        "run()\n"
        "print('not reached', file=sys.stderr)\n"
    )
    args = [sys.executable, "-c", code, "scan", str(lib), "--no-cache", "-q", "--format", "json"]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["exit handler"]  # and no teardown
    (group,) = json.loads(done.stdout)["groups"]  # every byte of the piped report is there
    assert len(group["files"]) == 2
    missing = subprocess.run(
        [*args[:4], str(tmp_path / "nowhere"), *args[5:]], env=env, capture_output=True, timeout=120
    )
    if os.path.exists("/dev/full"):  # a report redirected to a full disk
        with open("/dev/full", "w") as full:
            failed = subprocess.run(
                args, env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120
            )
        assert failed.returncode == 1
        assert "could not be written" in failed.stderr
    assert missing.returncode == 2  # a PATH that is not there, as main() says
    assert json.loads(missing.stdout)["errors"]
    waited = code.replace(  # a thread still running once main() has returned
        "from dedupe_gui.cli import run\n",
        "import threading\n"
        "from dedupe_gui import cli\n"
        "def main():\n"
        "    status = command()\n"
        "    finish = lambda: (threading.main_thread().join(), print('thread done'))\n"
        "    threading.Thread(target=finish).start()  # alive until the main thread ends\n"
        "    return status\n"
        "command, cli.main = cli.main, main\n"
        "from dedupe_gui.cli import run\n",
    )
    done = subprocess.run(
        [sys.executable, "-c", waited, *args[3:]], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and "thread done" in done.stdout  # exits as usual, after it
    assert "teardown" in done.stderr


def _fields(fp: Entry) -> tuple[object, ...]:
    assert isinstance(fp, Fingerprint)
    return (fp.hash, fp.width, fp.height, fp.format, fp.exif_orientation, fp.thumb, fp.turned,
            fp.fine, fp.grey, fp.windows)  # fmt: skip


def _library(tmp_path: Path, count: int) -> list[Path]:
    lib = tmp_path / "lib"
    paths = [
        save(photo(seed, (320, 240)), lib / f"p{seed}.jpg", quality=90) for seed in range(count)
    ]
    paths.append(save(photo(99, (200, 150)), lib / "q.png"))
    (lib / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    return paths


def _slow_hashing(monkeypatch: pytest.MonkeyPatch, ready_at: int) -> list[Decoded]:
    """The hashing module counts as loaded from the ``ready_at``-th picture decoded on, as
    if its import were slow; returns the decoded pictures that were set aside to wait."""
    scans: list[scan._Hashing] = []
    decodes: list[str] = []
    set_aside: list[Decoded] = []

    class Counted(Decoded):
        def __init__(self, path: str, budget: MemoryBudget | None = None) -> None:
            super().__init__(path, budget)
            decodes.append(path)
            if len(decodes) == ready_at:
                scans[0].ready.set()

        def release_budget(self) -> None:
            set_aside.append(self)
            super().release_budget()

    def start(self: scan._Hashing, preload: object = ()) -> None:
        scans.append(self)

    monkeypatch.setattr(scan, "Decoded", Counted)
    monkeypatch.setattr(scan._Hashing, "start", start)
    return set_aside


def test_files_decoded_before_the_hashing_is_loaded_get_the_same_fingerprints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _library(tmp_path, 5)
    set_aside = _slow_hashing(monkeypatch, ready_at=6)
    result = run_scan(ScanOptions((str(tmp_path / "lib"),), workers=1, companions=False))
    assert len(set_aside) == 5  # all but the last picture waited; the broken file failed
    for decoded in set_aside:  # each was hashed, then its pixels were let go
        with pytest.raises(ValueError, match="closed image"):
            decoded.image.getpixel((0, 0))
    got = {r.path: _fields(r.fingerprint) for r in result.records}
    assert got == {str(p): _fields(fingerprint_file(str(p))) for p in paths}
    assert [os.path.basename(e.path) for e in result.errors] == ["broken.jpg"]


def test_at_most_a_few_decoded_pictures_wait_for_the_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _library(tmp_path, 8)
    monkeypatch.setattr(scan, "_AHEAD", 2)
    set_aside = _slow_hashing(monkeypatch, ready_at=6)
    result = run_scan(ScanOptions((str(tmp_path / "lib"),), workers=1, companions=False))
    # Two waited; the next three were hashed as they were decoded (waiting for the import).
    assert len(set_aside) == 2
    got = {r.path: _fields(r.fingerprint) for r in result.records}
    assert got == {str(p): _fields(fingerprint_file(str(p))) for p in paths}


def test_a_rescan_that_reads_its_groups_back_imports_no_numpy(tmp_path: Path) -> None:
    """The grouping kept in the cache (core.kept_groupings) is found and read without numpy
    or the grouping's modules, a fifth of such a rescan's time."""
    lib = tmp_path / "lib"
    img = photo(3, (240, 180))
    save(img, lib / "a.png")
    save(img.resize((180, 135), Image.Resampling.LANCZOS), lib / "b.jpg", quality=90)
    code = (
        "import json, sys\n"
        "from dedupe_gui.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'numpy'"
        " or m == 'dedupe_gui.core.grouping')))\n"
    )
    args = [sys.executable, "-c", code, "scan", str(lib), "-q", "--cache", str(tmp_path / "c")]
    loaded = []
    for _ in range(2):
        done = subprocess.run(args, check=True, capture_output=True, text=True)
        *listing, modules = done.stdout.strip().splitlines()
        assert "b.jpg" in "\n".join(listing)
        loaded.append(json.loads(modules))
    assert "numpy" in loaded[0] and "dedupe_gui.core.grouping" in loaded[0]  # grouped, kept
    assert loaded[1] == []  # read back


def test_the_scan_hands_out_its_first_files_before_it_starts_importing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decoding threads start before the thread that imports the hashing modules and
    before the heap's settings load ctypes: neither competes with them for the interpreter
    until the first files are handed out."""
    _library(tmp_path, 9)
    handed_out: list[str] = []
    seen: dict[str, int] = {}

    class Counting(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            handed_out.append(str(args[0]) if args else "")
            return super().submit(fn, *args, **kwargs)

    start = scan._Hashing.start

    def starting(self: scan._Hashing, preload: Sequence[str] = ()) -> None:
        seen["imports"] = len(handed_out)
        start(self, preload)

    def settings() -> bool:
        seen["heap"] = len(handed_out)
        return True

    monkeypatch.setattr(scan, "ThreadPoolExecutor", Counting)
    monkeypatch.setattr(scan._Hashing, "start", starting)
    monkeypatch.setattr(scan, "map_large_blocks_apart", settings)
    result = run_scan(ScanOptions((str(tmp_path / "lib"),), workers=2, companions=False))
    assert seen == {"imports": 8, "heap": 8}  # the first window: four files a thread
    assert len(result.records) == 10 and len(result.errors) == 1
