"""Fault suite, command line: a journal that cannot be written, a closed pipe, a cancelled
scan, odd names, full disks, the outcomes of applying a report.

Every test asserts the exit status and that the files it did not mean to touch are still
there, byte for byte.
"""

from __future__ import annotations

import _thread
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from dedupe_gui import cli_running
from dedupe_gui.core.actions import (
    CleanupOptions,
    Removal,
    Scope,
    Status,
    apply_removals,
    system_trash,
)
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import ScanResult
from dedupe_gui.core.names import decode_path
from dedupe_gui.core.report import load
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.faults import cli as run
from tests.core.faults import mounted, pair, snapshot, trashed
from tests.imaging import photo, save

# -- 6. the journal -------------------------------------------------------------------------------


def test_unwritable_journal_stops_before_anything_is_touched(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 27, "a.png", "b.png")
    before = snapshot(lib)
    folder = tmp_path / "journal-is-a-folder"
    folder.mkdir()
    status, _, err = run(
        ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(folder)], capsys
    )
    assert status == 2 and "cannot write the journal" in err and "nothing was touched" in err
    # The error is the only line: a blocked cleanup did not find "nothing to do".
    assert err.startswith("dedupe-gui: cannot write the journal") and "nothing to do" not in err
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_journal_on_a_full_disk_stops_the_cleanup(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, disk = tmp_path / "lib", tmp_path / "disk"
    pair(lib, 28, "a.png", "b.png")
    disk.mkdir()
    before = snapshot(lib)
    with mounted(["-t", "tmpfs", "-o", "size=64k", "tmpfs"], disk):
        with open(disk / "filler", "wb", buffering=0) as f, pytest.raises(OSError):
            while True:
                f.write(b"\0" * 4096)
        status, _, err = run(
            ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(disk / "j")],
            capsys,
        )
    assert status == 2 and "cannot write the journal" in err
    assert snapshot(lib) == before and trashed(trash_home) == []


def test_intent_is_on_disk_before_the_file_is_touched(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    _, copy = pair(lib, 29, "a.png", "b.png")
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    journal = tmp_path / "journal.jsonl"
    seen: list[dict[str, Any]] = []

    def trash(path: str) -> None:
        seen.extend(json.loads(line) for line in journal.read_text().splitlines())
        system_trash(path)

    (out,) = apply_removals(
        [Removal.marked(group)],
        CleanupOptions(str(journal), scope=Scope.of(result)),
        trash,
    )
    assert out.status is Status.TRASHED
    assert [(line["phase"], line["path"]) for line in seen] == [("intent", str(copy))]
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["phase"] for line in lines] == ["intent", "outcome"]
    for line in lines:  # the documented fields
        assert {"time", "action", "phase", "path", "size", "hash", "digest", "keeper"} <= set(line)
        assert "outcome" in line


# -- 8. a closed pipe, a cancelled scan ---------------------------------------------------------


def test_broken_pipe_stops_the_cleanup_with_a_non_zero_exit(
    tmp_path: Path, trash_home: Path
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 30, "a.png", "b.png")
    before = snapshot(lib)
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `| head -1` that has already gone
    env = {**os.environ, "HOME": str(trash_home), "XDG_DATA_HOME": str(trash_home / ".local/share")}
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dedupe_gui",
                "scan",
                str(lib),
                "--no-cache",
                "-q",
                "--apply",
                "trash",
            ],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode != 0
    assert snapshot(lib) == before and trashed(trash_home) == []


@pytest.fixture
def ctrl_c_reaches_python() -> Iterator[None]:
    """Python's own SIGINT handler, as a terminal's program has it: a program started in
    the background of a script inherits SIGINT ignored, and Ctrl-C never reaches it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupted_scan(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    folder: Path,
    press: Callable[[], None],
) -> tuple[int, str, list[bool]]:
    """``scan FOLDER`` whose scan calls ``press`` (a Ctrl-C, one way or another), then waits
    for the cancel flag: the exit status, stderr, and whether the scan saw the flag."""
    seen: list[bool] = []

    def scan(
        options: ScanOptions, store: object, progress: object, cancel: threading.Event
    ) -> ScanResult:
        press()
        # The flag is set while this scan is still running; the wait only bounds a lost
        # interrupt.
        seen.append(cancel.wait(60))
        return ScanResult((), (), (), run_scan(ScanOptions(())).stats, cancelled=True)

    monkeypatch.setattr(cli_running, "run_scan", scan)
    status, _, err = run(["scan", str(folder), "--no-cache"], capsys)
    return status, err, seen


def test_ctrl_c_sets_cancel_before_the_scan_unwinds(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ctrl_c_reaches_python: None,
) -> None:
    status, err, seen = _interrupted_scan(monkeypatch, capsys, tmp_path, _thread.interrupt_main)
    assert status == 130, err
    assert seen == [True], err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # as it was


def test_a_second_ctrl_c_leaves_a_scan_slow_to_unwind(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ctrl_c_reaches_python: None,
) -> None:
    release = threading.Event()  # the scan unwinds only once the command has returned
    pressed: list[bool] = []

    def scan(
        options: ScanOptions, store: object, progress: object, cancel: threading.Event
    ) -> ScanResult:
        _thread.interrupt_main()
        pressed.append(cancel.wait(60))  # the first Ctrl-C is seen...
        _thread.interrupt_main()  # ...and the user, tired of waiting, presses again
        release.wait(60)
        unwound.append(True)
        return ScanResult((), (), (), run_scan(ScanOptions(())).stats, cancelled=True)

    unwound: list[bool] = []
    monkeypatch.setattr(cli_running, "run_scan", scan)
    try:
        status, _, err = run(["scan", str(tmp_path), "--no-cache"], capsys)
        assert unwound == []  # the command did not wait for the scan
    finally:
        release.set()
    assert status == 130, err
    assert pressed == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


class _Garbage:
    """An object of no interest collected on the main thread, while Ctrl-C is pressed."""

    def __del__(self) -> None:
        _thread.interrupt_main()
        for _ in range(3):  # Python code of the finalizer, where the interrupt is handled
            len(self.__class__.__name__)


# The main thread, waiting for the scan, runs these calls in each round of its wait (the
# lock handling of Event.wait and Condition.wait); a Ctrl-C can be handled at any of them.
_CALLS_OF_A_WAIT = 8


@pytest.mark.parametrize("call", range(_CALLS_OF_A_WAIT))
@pytest.mark.parametrize("how", ["signal", "in a finalizer"])
def test_ctrl_c_wherever_the_main_thread_handles_it_cancels_the_scan(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    ctrl_c_reaches_python: None,
    how: str,
    call: int,
) -> None:
    """Once the scan runs, the ``call``-th Python call on the main thread presses Ctrl-C, or
    drops garbage whose finalizer does. A KeyboardInterrupt raised there was swallowed (a
    finalizer) or broke the wait's lock: the scan ran to its end uncancelled."""
    running = threading.Event()
    calls: list[str] = []

    def hook(frame: FrameType, event: str, arg: object) -> None:
        if event != "call" or not running.is_set() or len(calls) > call:
            return
        calls.append(frame.f_code.co_name)
        if len(calls) > call:
            if how == "signal":
                _thread.interrupt_main()
            else:
                _Garbage()

    def press() -> None:
        running.set()

    sys.setprofile(hook)
    try:
        status, err, seen = _interrupted_scan(monkeypatch, capsys, tmp_path, press)
    finally:
        sys.setprofile(None)
    assert len(calls) > call, calls
    assert status == 130, (calls, err)
    assert seen == [True], (calls, err)


# -- 7. names ------------------------------------------------------------------------------------


def _odd_library(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    lib = tmp_path / "lib"
    lib.mkdir()
    raw_dir = os.fsencode(lib)
    img = photo(31, (320, 240))
    keeper = raw_dir + b"/caf\xe9.png"
    copy = raw_dir + b"/copy\xff.png"
    img.save(os.fsdecode(keeper))
    img.resize((200, 150)).save(os.fsdecode(copy))
    return lib, keeper, copy


def _en_us_locale(tmp_path: Path) -> dict[str, str]:
    """An environment running under a freshly built en_US.UTF-8 (strict stdout errors)."""
    if shutil.which("localedef") is None:
        pytest.skip("localedef is not available")
    locales = tmp_path / "locales"
    locales.mkdir()
    built = subprocess.run(
        ["localedef", "-i", "en_US", "-f", "UTF-8", str(locales / "en_US.UTF-8")],
        capture_output=True,
        text=True,
    )
    if not (locales / "en_US.UTF-8").exists():
        pytest.skip(f"cannot build en_US.UTF-8: {built.stderr.strip()}")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONUTF8", "PYTHONIO"))
    }
    env.update(LOCPATH=str(locales), LANG="en_US.UTF-8", LC_ALL="en_US.UTF-8")
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.stdout.encoding, sys.stdout.errors)"],
        env=env,
        capture_output=True,
        text=True,
    )
    if probe.stdout.split() != ["utf-8", "strict"]:
        pytest.skip(f"the locale did not take: {probe.stdout.strip()}")
    return env


def test_csv_under_en_us_utf8_with_a_non_utf8_name(tmp_path: Path) -> None:
    env = _en_us_locale(tmp_path)
    lib, keeper, copy = _odd_library(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dedupe_gui",
            "scan",
            str(lib),
            "--no-cache",
            "-q",
            "--format",
            "csv",
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))
    assert {os.fsencode(decode_path(r)) for r in rows} == {keeper, copy}
    assert {decode_path(r, "keeper") for r in rows} == {os.fsdecode(keeper)}
    saved = tmp_path / "report.csv"
    saved.write_bytes(done.stdout)
    (group,) = load(str(saved)).groups  # loading reads the exact bytes back
    assert {os.fsencode(m.path) for m in group.members} == {keeper, copy}
    text = subprocess.run(
        [sys.executable, "-m", "dedupe_gui", "scan", str(lib), "--no-cache", "-q"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert text.returncode == 0 and b"caf\\xe9.png" in text.stdout


def test_json_report_of_non_utf8_names_applies(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, keeper, copy = _odd_library(tmp_path)
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    assert status == 0
    out.encode("ascii")  # readable by any JSON reader
    report = tmp_path / "report.json"
    report.write_text(out)
    keeper_bytes = Path(os.fsdecode(keeper)).read_bytes()
    status, out, _ = run(["apply", str(report), "--journal", str(tmp_path / "j")], capsys)
    assert status == 0, out
    assert os.listdir(lib) == [os.fsdecode(keeper).rsplit("/", 1)[1]]
    assert Path(os.fsdecode(keeper)).read_bytes() == keeper_bytes
    assert trashed(trash_home) == [os.fsdecode(copy).rsplit("/", 1)[1]]
    journal = [json.loads(line) for line in (tmp_path / "j").read_text().splitlines()]
    assert {os.fsencode(decode_path(line)) for line in journal} == {copy}


def test_text_output_escapes_control_and_bidi_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    pair(lib, 32, "a.png", "evil\ngroup 9\u202egnp.png")
    status, out, _ = run(["scan", str(lib), "--no-cache"], capsys)
    assert status == 0
    assert "evil\\x0agroup 9\\u202egnp.png" in out
    assert "\u202e" not in out and "\ngroup 9" not in out


# -- 10. smaller ones ---------------------------------------------------------------------------


def test_a_255_byte_name_gets_a_clear_reason(tmp_path: Path, trash_home: Path) -> None:
    lib = tmp_path / "lib"
    img = photo(33, (320, 240))
    save(img, lib / "keeper.png")
    long = save(img.resize((200, 150)), lib / ("x" * 251 + ".png"))
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    before = snapshot(lib)
    (out,) = apply_removals([Removal.marked(group)], CleanupOptions(None, scope=Scope.of(result)))
    assert out.status is Status.FAILED and out.path == str(long)
    assert out.reason.startswith("the name is too long for the trash")
    assert snapshot(lib) == before


def test_move_onto_a_full_disk_leaves_no_partial_file(tmp_path: Path, trash_home: Path) -> None:
    lib, disk = tmp_path / "lib", tmp_path / "disk"
    img = photo(34, (640, 480))
    keeper = save(img, lib / "keeper.bmp")
    save(img.resize((600, 450)), lib / "copy.bmp")  # ~800 kB, more than the disk holds
    disk.mkdir()
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    assert group.suggested_keeper.path == str(keeper)
    before = snapshot(lib)
    with mounted(["-t", "tmpfs", "-o", "size=256k", "tmpfs"], disk):
        (out,) = apply_removals(
            [Removal.marked(group)],
            CleanupOptions(None, move_to=str(disk / "dupes"), scope=Scope.of(result)),
        )
        assert out.status is Status.FAILED
        assert out.reason == "no space left on the destination; nothing was changed"
        assert [p for p in disk.rglob("*") if p.is_file()] == []
    assert snapshot(lib) == before


# -- 3. apply REPORT: outcomes and exit codes like scan --apply --------------------------------


def test_apply_report_outcomes_and_exit_codes(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    keeper, copy = pair(lib, 36, "a.png", "b.png")
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    report = tmp_path / "plan.json"
    report.write_text(out)
    journal = tmp_path / "journal.jsonl"
    before = snapshot(lib)

    status, out, _ = run(["apply", str(report), "--dry-run", "--journal", str(journal)], capsys)
    assert status == 0 and f"would trash: {copy}" in out
    assert snapshot(lib) == before and not journal.exists()

    # The user flips the keep marks in the saved report: the other copy goes.
    doc = json.loads(report.read_text())
    for f in doc["groups"][0]["files"]:
        f["keep"] = not f["keep"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    status, out, _ = run(["apply", str(edited), "--journal", str(journal)], capsys)
    assert status == 0 and f"trashed: {keeper}" in out
    assert trashed(trash_home) == ["a.png"]
    assert snapshot(lib) == {str(copy): before[str(copy)]}

    # The first plan now: its copy to keep is gone, so its last copy stays: not done as
    # asked, exit 1 (as restore has it).
    status, out, _ = run(["apply", str(report), "--journal", str(journal)], capsys)
    assert status == 1
    assert f"skipped: {copy}: the copy to keep ({keeper}) no longer exists" in out
    assert snapshot(lib) == {str(copy): before[str(copy)]}

    # A file that cannot be trashed (a 255-byte name): exit 1, the file stays.
    other = tmp_path / "other"
    _, long = pair(other, 37, "a.png", "x" * 251 + ".png")
    status, out, _ = run(["scan", str(other), "--no-cache", "--format", "json"], capsys)
    report.write_text(out)
    status, out, _ = run(["apply", str(report), "--journal", str(journal)], capsys)
    assert status == 1 and f"failed: {long}: the name is too long for the trash" in out
    assert long.exists()

    # Not a report: exit 2.
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run(["apply", str(bad)], capsys)[0] == 2
    assert run(["apply", str(tmp_path / "missing.json")], capsys)[0] == 2


def test_a_cleanup_whose_every_file_changed_since_the_scan_exits_1_like_restore(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib = tmp_path / "lib"
    _, copy = pair(lib, 39, "a.png", "b.png")
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "json"], capsys)
    assert status == 0
    report = tmp_path / "plan.json"
    report.write_text(out)
    journal = tmp_path / "journal.jsonl"
    # Every file the plan would remove changed since the scan: all skipped, nothing done.
    os.utime(copy, ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(lib)
    for args in (["apply", str(report)], ["apply", str(report), "--dry-run"]):
        status, out, _ = run([*args, "--journal", str(journal)], capsys)
        assert status == 1 and f"skipped: {copy}" in out and "1 skipped" in out
    assert snapshot(lib) == before and trashed(trash_home) == []
    # Nothing marked at all is nothing to do: done as asked.
    doc = json.loads(report.read_text())
    for f in doc["groups"][0]["files"]:
        f["keep"] = True
    report.write_text(json.dumps(doc))
    status, out, _ = run(["apply", str(report), "--journal", str(journal)], capsys)
    assert status == 0 and "nothing to do" in out
    # restore in the same situation (its file is not where the journal says): 1 as well.
    status, out, _ = run(
        ["scan", str(lib), "--no-cache", "--apply", "trash", "--journal", str(journal)], capsys
    )
    assert status == 0 and f"trashed: {copy}" in out
    copy.write_bytes(b"a new file at the old place")
    status, out, _ = run(["restore", "--last", "--journal", str(journal)], capsys)
    assert status == 1 and f"skipped: {copy}" in out


def test_a_csv_report_applies_within_the_folders_of_its_files(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, elsewhere = tmp_path / "lib", tmp_path / "elsewhere"
    keeper, copy = pair(lib / "sub", 38, "a.png", "b.png")
    status, out, _ = run(["scan", str(lib), "--no-cache", "--format", "csv"], capsys)
    plan = tmp_path / "plan.csv"
    plan.write_text(out)
    assert load(str(plan)).roots == (str(lib / "sub"),)
    # The folder moved away and a link took its place: nothing is removed.
    shutil.move(str(lib / "sub"), str(elsewhere))
    (lib / "sub").symlink_to(elsewhere)
    before = snapshot(elsewhere)
    status, out, _ = run(["apply", str(plan), "--journal", str(tmp_path / "j")], capsys)
    assert status == 1 and "skipped:" in out
    assert snapshot(elsewhere) == before and trashed(trash_home) == []
    # Put back: the copy goes.
    (lib / "sub").unlink()
    shutil.move(str(elsewhere), str(lib / "sub"))
    status, out, _ = run(["apply", str(plan), "--journal", str(tmp_path / "j")], capsys)
    assert status == 0 and f"trashed: {copy}" in out
    assert trashed(trash_home) == ["b.png"] and keeper.exists()
