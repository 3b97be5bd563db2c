"""Paths shortened for people comparing copies: the shared start goes, the differences stay.

Two copies of a photo usually sit deep in the same tree (``~/Pictures/drive1/DCIM/101CANON``
and ``~/Pictures/drive2/DCIM/101CANON``). Shortening each path in the middle to fit a card
cuts out exactly the folder that tells them apart. Here the folders the whole group shares
are dropped instead, keeping the last shared folder's name as an anchor, so each card starts
with what is its own; the full path stays available for the tooltip.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class ShortPaths:
    """The group's shared folder (as shown, ``~`` for home) and each file's own part."""

    common: str
    folders: tuple[str, ...]  # one per path, in order: the folder from the anchor on
    names: tuple[str, ...]  # one per path: the file name


def _parts(folder: str, sep: str) -> list[str]:
    return [p for p in folder.split(sep) if p]


def _folder(path: str, sep: str) -> str:
    return path.rsplit(sep, 1)[0] if sep in path else ""


def home_relative(path: str, home: str, sep: str = os.sep) -> str:
    """``path`` with the home folder written as ``~`` (the way people read their own files)."""
    home = home.rstrip(sep)
    if home and (path == home or path.startswith(home + sep)):
        return "~" + path[len(home) :]
    return path


def common_folder(paths: Sequence[str], sep: str = os.sep) -> str:
    """The deepest folder that holds every one of ``paths`` (component-wise, not by letters)."""
    if not paths:
        return ""
    split = [_parts(_folder(p, sep), sep) for p in paths]
    shared: list[str] = []
    for column in zip(*split, strict=False):
        if any(c != column[0] for c in column):
            break
        shared.append(column[0])
    absolute = paths[0].startswith(sep)
    return (sep if absolute else "") + sep.join(shared)


def shorten(paths: Sequence[str], home: str = "", sep: str = os.sep) -> ShortPaths:
    """Each path's folder from the last shared folder on, e.g. ``…/Pictures/drive2/DCIM``.

    With a single path (or all in one folder) the folder is its own name after ``…/``, so
    every card still says where the file is. Paths that share nothing but the root keep
    their full folder.
    """
    folders = [_folder(p, sep) for p in paths]
    names = tuple(p.rsplit(sep, 1)[-1] for p in paths)
    common = common_folder(paths, sep)
    common_parts = _parts(common, sep)
    shown: list[str] = []
    for folder in folders:
        parts = _parts(folder, sep)
        if not common_parts:
            rooted = folder or (sep if paths and paths[0].startswith(sep) else "")
            shown.append(home_relative(rooted, home, sep) if home else rooted)
            continue
        own = [common_parts[-1], *parts[len(common_parts) :]]
        prefix = ELLIPSIS + sep if len(common_parts) > 1 or common.startswith(sep) else ""
        shown.append(prefix + sep.join(own))
    return ShortPaths(home_relative(common, home, sep), tuple(shown), names)
