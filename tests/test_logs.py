"""Logging: a file in the user state folder, more on stderr with -v, never a reason to stop."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

from dedupe_gui import logs
from dedupe_gui.cli import main
from dedupe_gui.logs import setup_logging, verbosity_of
from tests.imaging import photo, save


def test_verbosity_flags_are_taken_out_of_the_arguments() -> None:
    assert verbosity_of(["-v", "scan", "lib"]) == (1, ["scan", "lib"])
    assert verbosity_of(["scan", "--verbose", "-vv", "lib"]) == (2, ["scan", "lib"])
    assert verbosity_of(["scan", "--", "-v"]) == (0, ["scan", "--", "-v"])
    assert verbosity_of(["scan", "-x"]) == (0, ["scan", "-x"])


def test_the_command_line_logs_to_the_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    lib = tmp_path / "lib"
    save(photo(1), lib / "a.png")
    assert main(["scan", str(lib), "--no-cache", "--format", "json"]) == 0
    log = tmp_path / "state" / "dedupe-gui" / "dedupe-gui.log"
    assert "scan" in log.read_text(encoding="utf-8")
    assert "INFO" not in capsys.readouterr().err  # quiet without -v
    assert main(["-v", "scan", str(lib), "--no-cache", "--format", "json"]) == 0
    assert "INFO" in capsys.readouterr().err


def test_an_unwritable_log_is_said_once_and_logging_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    err = io.StringIO()
    assert setup_logging(0, str(blocker / "sub" / "x.log"), stream=err) is None
    assert "no log file" in err.getvalue()
    logging.getLogger("dedupe_gui.test").warning("still heard")
    assert "still heard" in err.getvalue()


def test_setting_up_twice_does_not_double_the_lines(tmp_path: Path) -> None:
    err = io.StringIO()
    path = tmp_path / "x.log"
    setup_logging(0, str(path), stream=err)
    setup_logging(0, str(path), stream=err)
    logging.getLogger("dedupe_gui.test").warning("once")
    assert err.getvalue().count("once") == 1
    assert path.read_text(encoding="utf-8").count("once") == 1


def test_the_log_is_rotated_before_it_grows_past_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_MAX_BYTES", 400)
    path = tmp_path / "x.log"
    setup_logging(0, str(path), stream=io.StringIO())
    log = logging.getLogger("dedupe_gui.test")
    for i in range(40):
        log.info("line %02d %s", i, "x" * 20)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["x.log", "x.log.1", "x.log.2"]  # two kept aside, the oldest dropped
    assert all(p.stat().st_size < 400 for p in tmp_path.iterdir())
    newest, older, oldest = (
        (tmp_path / n).read_text(encoding="utf-8") for n in ("x.log", "x.log.1", "x.log.2")
    )
    assert "line 39" in newest and "line 39" not in older + oldest
    lines = [int(s.split("line ")[1][:2]) for s in (oldest + older + newest).splitlines()]
    assert lines == list(range(lines[0], 40))  # in order, none lost between the files


@pytest.mark.parametrize("state_home", [None, "", "relative/state", "/abs/state"])
def test_the_log_folder_is_the_state_folder_platformdirs_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, state_home: str | None
) -> None:
    """The log's folder is found without importing platformdirs on Linux, the same one."""
    from platformdirs import user_state_dir

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if state_home is None:
        monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_STATE_HOME", state_home)
    want = os.path.join(user_state_dir("dedupe-gui", appauthor=False), "dedupe-gui.log")
    assert logs.default_log_path() == want


def test_a_rotation_that_fails_leaves_the_log_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "_MAX_BYTES", 1200)
    path = tmp_path / "x.log"
    setup_logging(0, str(path), stream=io.StringIO())
    log = logging.getLogger("dedupe_gui.test")
    real_replace = os.replace
    failures: list[str] = []

    def refuse_once(src: str, dst: str) -> None:
        if not failures:
            failures.append(src)
            raise PermissionError(13, "Permission denied", src)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_once)
    monkeypatch.setattr(logging, "raiseExceptions", False)  # said on stderr, as in use
    for i in range(30):
        log.info("line %02d %s", i, "x" * 20)
    assert failures  # the first rotation was refused
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(tmp_path.iterdir()))
    lines = [int(s.split("line ")[1][:2]) for s in text.splitlines()]
    assert sorted(lines) == list(range(30))  # no line lost, before or after the refusal
    assert (tmp_path / "x.log.1").exists()  # and a later rotation went through
