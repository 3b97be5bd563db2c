"""Helpers for the fault suite: real files, real links, a redirected trash, exact checks."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dedupe_gui.cli import main
from tests.imaging import photo, save


def snapshot(*folders: Path) -> dict[str, str]:
    """Every regular file under ``folders`` (links not followed) -> sha256 of its bytes."""
    out: dict[str, str] = {}
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                p = os.path.join(dirpath, name)
                if os.path.islink(p):
                    continue
                with open(p, "rb") as f:
                    out[p] = hashlib.sha256(f.read()).hexdigest()
    return out


def trashed(home: Path) -> list[str]:
    files = home / ".local" / "share" / "Trash" / "files"
    return sorted(p.name for p in files.iterdir()) if files.exists() else []


def pair(folder: Path, seed: int, big: str, small: str) -> tuple[Path, Path]:
    """A photo and a smaller copy of it: the larger is the keeper."""
    img = photo(seed, (320, 240))
    a = save(img, folder / big)
    b = save(img.resize((200, 150)), folder / small)
    return a, b


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main([*args, "-q"] if args[0] == "scan" else args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@contextmanager
def mounted(args: list[str], target: Path) -> Iterator[None]:
    """``mount ARGS TARGET`` for the duration; skips the test where mounting is not allowed."""
    if os.geteuid() != 0:
        pytest.skip("mounting needs root")
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)
