"""Shared fixtures: nothing here imports Qt, so core tests stay Qt-free."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Under CI the property tests draw the same examples on every run, so a clean clone gives
# the same answer each time; elsewhere they explore new examples on every run.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def private_state_folder(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logs of the command line and the window go to a temporary state folder, never the
    user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.getbasetemp() / "state"))


@pytest.fixture
def trash_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME so that send2trash and the journal never touch the real user folders."""
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    # send2trash reads XDG_DATA_HOME once, at import: point its module paths here as well.
    from send2trash import plat_other

    data = os.fsencode(home / ".local" / "share")
    monkeypatch.setattr(plat_other, "XDG_DATA_HOME", data)
    monkeypatch.setattr(plat_other, "HOMETRASH_B", os.path.join(data, b"Trash"))
    monkeypatch.setattr(plat_other, "HOMETRASH", os.fsdecode(os.path.join(data, b"Trash")))
    return home
