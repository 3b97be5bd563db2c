"""Helpers for the fault suite: real files, real links, a redirected trash, exact checks."""

from __future__ import annotations

import contextlib
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


def journal_fills_up(journal: Path) -> None:
    """From now on, every write of this process through a descriptor already open on
    ``journal`` fails as on a full disk: each such descriptor is pointed at ``/dev/full``."""
    if not os.path.exists("/dev/full") or not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /dev/full and /proc")
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/self/fd/{fd}") == os.path.realpath(journal):
                    os.dup2(full, int(fd))
    finally:
        os.close(full)


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """No name in ``folder`` can be added, removed or renamed for the duration: the folder is
    made immutable as root (permissions do not stop root), read-only otherwise; skips the
    test where neither holds."""
    if os.geteuid() == 0:
        try:
            done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        except OSError:
            pytest.skip("chattr is not available")
        if done.returncode != 0:
            pytest.skip(f"chattr not permitted here: {done.stderr.strip()!r}")
    else:
        folder.chmod(0o555)
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip("the folder could not be made read-only")
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        else:
            folder.chmod(0o755)
