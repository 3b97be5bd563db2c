"""Folders as they are on disk: real paths and identities (device + inode).

Shared by the walk and by the re-checks before a cleanup; kept apart from ``files`` so that
cleanup and reports load no image code. One folder reached through two paths (a symlink, a
bind mount) is one folder here.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable


def normalise_root(path: str) -> str:
    """An absolute, symlink-resolved spelling of a folder, for prefix comparisons."""
    return os.path.realpath(os.path.abspath(os.path.expanduser(path)))


def _prefixed(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class RootSet:
    """Folders as they are on disk *now*: real paths and device/inode of each.

    ``contains`` answers "does this file lie inside one of these folders?" by the file's real
    path and, for bind mounts and other second paths to one folder, by the identity of every
    folder above it. ``holds_inode`` answers "is this physical file also a file in one of
    these folders?" (a hard link elsewhere), walking the roots of that device once.
    """

    def __init__(self, paths: Iterable[str]) -> None:
        self.real: list[str] = []
        self.ids: set[tuple[int, int]] = set()
        for p in paths:
            real = normalise_root(p)
            try:
                st = os.stat(real)
            except OSError:
                continue  # a missing root holds nothing
            self.real.append(real)
            self.ids.add((st.st_dev, st.st_ino))
        self._inodes: dict[int, set[int]] = {}

    def __bool__(self) -> bool:
        return bool(self.real)

    def contains(self, path: str) -> bool:
        real = os.path.realpath(path)
        if any(_prefixed(real, root) for root in self.real):
            return True
        folder = real
        while True:
            try:
                st = os.stat(folder)
            except OSError:
                return False
            if (st.st_dev, st.st_ino) in self.ids:
                return True
            parent = os.path.dirname(folder)
            if parent == folder:
                return False
            folder = parent

    def holds_inode(self, dev: int, ino: int) -> bool:
        if dev not in self._inodes:
            found: set[int] = set()
            for root in self.real:
                _collect_inodes(root, dev, found)
            self._inodes[dev] = found
        return ino in self._inodes[dev]


def _collect_inodes(root: str, dev: int, out: set[int]) -> None:
    """Inodes of the regular files under ``root`` on device ``dev`` (links not followed)."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_dev != dev:
                if stat.S_ISDIR(st.st_mode):
                    stack.append(entry.path)  # a mount below may hold the device again
                continue
            if stat.S_ISDIR(st.st_mode):
                if st.st_ino not in seen:
                    seen.add(st.st_ino)
                    stack.append(entry.path)
            elif stat.S_ISREG(st.st_mode):
                out.add(st.st_ino)
