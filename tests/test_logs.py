"""Logging: a file in the user state folder, more on stderr with -v, never a reason to stop."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

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
