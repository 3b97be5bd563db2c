"""Which of the chosen folders the scan could not read at all, so the window can say so.

A folder that is missing (a drive not plugged in, a renamed folder) yields no photos, and
"no duplicates found" would then be a false reassurance: the files were never looked at.
The walk reports such a folder as an error on the folder's own path; here those errors are
picked out from the per-file ones.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from dedupe_gui.core.models import FileError


def _same(a: str, b: str) -> bool:
    return os.path.normpath(os.path.abspath(a)) == os.path.normpath(os.path.abspath(b))


def unreadable_roots(roots: Sequence[str], errors: Sequence[FileError]) -> list[FileError]:
    """The errors about the chosen folders themselves (not about files inside them)."""
    return [e for e in errors if any(_same(e.path, root) for root in roots)]


def unreadable_label(roots: Sequence[str], errors: Sequence[FileError]) -> str:
    """The words of the window's problems button: a chosen folder that was not there is
    not "an unreadable file", and the person looking for a missing drive should read so."""
    folders = len(unreadable_roots(roots, errors))
    files = len(errors) - folders
    parts = []
    if folders:
        parts.append(f"{folders:,} folder{'' if folders == 1 else 's'} not read")
    if files:
        parts.append(f"{files:,} unreadable file{'' if files == 1 else 's'}")
    return " · ".join(parts)


def describe_unreadable(missing: Sequence[FileError], all_missing: bool) -> tuple[str, str]:
    """A title and a sentence for the window: what was not scanned, and why."""
    if len(missing) == 1:
        e = missing[0]
        title = "Folder not found" if "no such" in e.error else "Folder could not be read"
        body = f"{e.path}: {e.error}."
    else:
        title = "Folders not found" if all_missing else "Some folders could not be read"
        body = "; ".join(f"{e.path}: {e.error}" for e in missing) + "."
    if all_missing:
        body += (
            " Nothing was compared. If it is on a drive, connect the drive and scan again, "
            "or choose another folder."
        )
    else:
        body += " The groups come from the other folders only."
    return title, body
