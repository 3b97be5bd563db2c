"""Undoing a cleanup: each file the journal says was trashed or moved goes back where it was.

The journal (core.actions) records, for every file acted on, its path, size, mtime and the
outcome. A trashed file is found again through the trash's own record of where it came from:
on Linux and other freedesktop systems the ``.trashinfo`` file beside it (in
``$XDG_DATA_HOME/Trash`` or a drive's ``.Trash/<uid>`` / ``.Trash-<uid>``); on Windows the
``$I`` record in the drive's ``$Recycle.Bin``; on macOS, which keeps no record of the original
place, by name, size and modification time in ``~/.Trash``. A moved file is found at the
destination the journal names.

Rules: a file that now exists at the original path is never overwritten (the trashed copy
stays where it is and the outcome says where); a file whose size or modification time no
longer matches what was removed is not put back in its place; every file gets its own
outcome and a journal line, and one failure never stops the rest (a journal that cannot
be written is said in each outcome: putting files back never overwrites, so it goes on).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from urllib.parse import unquote_to_bytes

from dedupe_gui.core.cleanup_history import Removed, read_journal, select


class RestoreStatus(str, Enum):
    RESTORED = "restored"
    WOULD_RESTORE = "would restore"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RestoreOutcome:
    path: str
    status: RestoreStatus
    reason: str = ""
    source: str = ""  # where the file was found (in the trash, or the move's destination)
    run: str = ""


# -- finding the file in the trash ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrashedFile:
    file: str  # the file inside the trash
    info: str | None  # its record (.trashinfo / $I file), removed once the file is back
    deleted: datetime | None


def _climb(path: str, found: Callable[[str], bool]) -> str:
    """``path`` or its nearest parent for which ``found`` holds (the root at worst)."""
    while not found(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _mount_point(path: str) -> str:
    return _climb(os.path.realpath(path), os.path.ismount)


def _existing_ancestor(path: str) -> str:
    """The nearest folder above ``path`` that exists (its own may be gone with it)."""
    return _climb(os.path.dirname(path), os.path.exists)


def _xdg_data_home() -> str:
    return os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )


def freedesktop_trash_dirs(original: str) -> list[tuple[str, str]]:
    """(trash folder, folder its relative names start from) that may hold ``original``."""
    home = _xdg_data_home()
    dirs = [(os.path.join(home, "Trash"), home)]
    top = _mount_point(_existing_ancestor(original))
    uid = os.getuid() if hasattr(os, "getuid") else 0
    for trash in (os.path.join(top, ".Trash", str(uid)), os.path.join(top, f".Trash-{uid}")):
        if os.path.isdir(trash):
            dirs.append((trash, top))
    return dirs


def _read_trashinfo(info: str) -> tuple[str, datetime | None] | None:
    try:
        with open(info, "rb") as f:
            text = f.read().decode("utf-8", "surrogateescape")
    except OSError:
        return None
    path: str | None = None
    deleted: datetime | None = None
    for line in text.splitlines():
        if line.startswith("Path="):
            path = os.fsdecode(unquote_to_bytes(line[5:].strip()))
        elif line.startswith("DeletionDate="):
            with contextlib.suppress(ValueError):
                deleted = datetime.fromisoformat(line[13:].strip()).astimezone(timezone.utc)
    return None if path is None else (path, deleted)


def _freedesktop_records(original: str) -> Iterator[TrashedFile]:
    """Every freedesktop trash record naming ``original``, whether its file is there or not."""
    for trash, top in freedesktop_trash_dirs(original):
        info_dir = os.path.join(trash, "info")
        try:
            names = os.listdir(info_dir)
        except OSError:
            continue
        for name in names:
            if not name.endswith(".trashinfo"):
                continue
            info = os.path.join(info_dir, name)
            parsed = _read_trashinfo(info)
            if parsed is None:
                continue
            recorded, deleted = parsed
            if not os.path.isabs(recorded):
                recorded = os.path.join(top, recorded)
            if os.path.normpath(recorded) != os.path.normpath(original):
                continue
            yield TrashedFile(
                os.path.join(trash, "files", name[: -len(".trashinfo")]), info, deleted
            )


def find_in_freedesktop_trash(entry: Removed) -> list[TrashedFile]:
    """Every file in a freedesktop trash recorded as coming from ``entry.path``."""
    return [t for t in _freedesktop_records(entry.path) if os.path.lexists(t.file)]


def forget_unfinished_trash(original: str, home_only: bool = False) -> list[str]:
    """Remove the freedesktop trash records of ``original`` that hold no file; the records
    removed. send2trash writes the record before it moves the file: a move that failed
    leaves one, and so does a move it had to redo as a copy (a file reached through a bind
    mount cannot be renamed into the trash), under the name it tried first. A file manager
    shows such a record as a trashed file that is not there.

    Only the names send2trash gives a file of that name are looked at (``name``,
    ``name 1``, ... while taken), not the whole trash: it runs after every file trashed,
    and then (``home_only``) in the user's own trash alone, where a copied file goes."""
    if sys.platform == "darwin" or sys.platform.startswith("win"):
        return []
    stem, ext = os.path.splitext(os.path.basename(original))
    gone = []
    home = _xdg_data_home()
    dirs = [(os.path.join(home, "Trash"), home)] if home_only else freedesktop_trash_dirs(original)
    for trash, top in dirs:
        n = 0
        while True:
            name = f"{stem} {n}{ext}" if n else stem + ext
            info = os.path.join(trash, "info", name + ".trashinfo")
            has_info = os.path.lexists(info)
            if os.path.lexists(os.path.join(trash, "files", name)):
                n += 1
                continue
            if not has_info:
                break
            parsed = _read_trashinfo(info)
            if parsed is not None:
                recorded = parsed[0] if os.path.isabs(parsed[0]) else os.path.join(top, parsed[0])
                if os.path.normpath(recorded) == os.path.normpath(original):
                    with contextlib.suppress(OSError):
                        os.remove(info)
                        gone.append(info)
            n += 1
    return gone


def find_in_macos_trash(entry: Removed) -> list[TrashedFile]:
    """macOS keeps no record of where a file came from: same name (or Finder's ``name 2``),
    same size and modification time in the user's trash or the drive's ``.Trashes``."""
    stem, ext = os.path.splitext(os.path.basename(entry.path))
    folders = [os.path.expanduser("~/.Trash")]
    top = _mount_point(_existing_ancestor(entry.path))
    if hasattr(os, "getuid"):
        folders.append(os.path.join(top, ".Trashes", str(os.getuid())))
    pattern = re.compile(re.escape(stem) + r"( \d+)?" + re.escape(ext) + "$", re.IGNORECASE)
    found = []
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if pattern.match(name):
                file = os.path.join(folder, name)
                if _matches(entry, file):
                    found.append(TrashedFile(file, None, None))
    return found


def parse_recycle_record(data: bytes) -> str | None:
    """The original path in a Windows ``$I`` record (formats 1 and 2), or None."""
    if len(data) < 24:
        return None
    version = int.from_bytes(data[:8], "little")
    if version == 1:
        text = data[24 : 24 + 520]
    elif version == 2 and len(data) >= 28:
        n = int.from_bytes(data[24:28], "little")
        text = data[28 : 28 + 2 * n]
    else:
        return None
    return text.decode("utf-16-le", "replace").split("\x00", 1)[0] or None


def find_in_windows_recycle_bin(entry: Removed) -> list[TrashedFile]:
    """``$Recycle.Bin\\<SID>\\$I...`` names the original path of ``$R...`` beside it."""
    drive = os.path.splitdrive(entry.path)[0]
    root = os.path.join(drive + os.sep, "$Recycle.Bin")
    found = []
    try:
        sids = os.listdir(root)
    except OSError:
        return []
    for sid in sids:
        folder = os.path.join(root, sid)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if not name.startswith("$I"):
                continue
            info = os.path.join(folder, name)
            try:
                with open(info, "rb") as f:
                    original = parse_recycle_record(f.read(4096))
            except OSError:
                continue
            if original is not None and os.path.normcase(original) == os.path.normcase(entry.path):
                file = os.path.join(folder, "$R" + name[2:])
                if os.path.lexists(file):
                    found.append(TrashedFile(file, info, None))
    return found


Finder = Callable[[Removed], list[TrashedFile]]


def platform_finder(platform: str = sys.platform) -> Finder:
    if platform == "darwin":
        return find_in_macos_trash
    if platform.startswith("win"):
        return find_in_windows_recycle_bin
    return find_in_freedesktop_trash


def _matches(entry: Removed, file: str) -> bool:
    try:
        st = os.stat(file)
    except OSError:
        return False
    if entry.size >= 0 and st.st_size != entry.size:
        return False
    return entry.mtime_ns is None or st.st_mtime_ns == entry.mtime_ns


def _best(entry: Removed, candidates: list[TrashedFile]) -> TrashedFile | None:
    """The trashed file that is this entry's: same size (and mtime), deleted nearest its time."""
    fitting = [c for c in candidates if _matches(entry, c.file)]
    if not fitting:
        return None

    def distance(c: TrashedFile) -> float:
        if c.deleted is None:
            return 0.0
        return abs((c.deleted - entry.time).total_seconds())

    return min(fitting, key=distance)


# -- putting back -----------------------------------------------------------------------------


def _linked_folder(path: str) -> str | None:
    """The nearest folder above ``path`` that is a symbolic link now, if any. The journal
    names real paths (the scan walks folders at their real paths, and a cleanup acts on
    nothing reached through a link): a folder replaced by a link since would put the file
    back somewhere else, into a reference folder perhaps."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.islink(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _put_back(source: str, target: str) -> None:
    """Move ``source`` to ``target`` without ever replacing a file at ``target``.

    A hard link fails when the name exists, so link + unlink cannot overwrite even a file
    that appears meanwhile; where links are not supported, a checked rename does the job.
    """
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EACCES):
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists", target) from None
        shutil.move(source, target)
        return
    os.unlink(source)


class RestoreJournal:
    """Restore's own lines in the cleanup journal, so a second restore skips what is back."""

    def __init__(self, path: str | None) -> None:
        self.path = path

    def write(self, entry: Removed, out: RestoreOutcome) -> None:
        if self.path is None:
            return
        line = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run": "",
            "action": "restore",
            "phase": "outcome",
            "path": entry.path,
            "size": entry.size,
            "source": out.source,
            "of_run": entry.run,
            "outcome": out.status.value,
            "reason": out.reason,
        }
        append_journal_line(self.path, line)


def append_journal_line(journal: str, line: dict[str, object]) -> None:
    """One JSON line at the end of the journal, on disk before the call returns."""
    Path(journal).parent.mkdir(parents=True, exist_ok=True)
    with open(journal, "a", encoding="utf-8", errors="surrogateescape") as f:
        f.write(json.dumps(line, ensure_ascii=True) + "\n")
        f.flush()
        os.fsync(f.fileno())


def restore(
    entries: Iterable[Removed],
    journal: str | None,
    *,
    dry_run: bool = False,
    finder: Finder | None = None,
    on_outcome: Callable[[RestoreOutcome], None] | None = None,
) -> list[RestoreOutcome]:
    """Put each entry's file back at its original path; one outcome per entry."""
    find = finder or platform_finder()
    log = RestoreJournal(None if dry_run else journal)
    outcomes: list[RestoreOutcome] = []
    for entry in entries:
        out = _restore_one(entry, find, dry_run)
        if out.status is not RestoreStatus.WOULD_RESTORE:
            try:
                log.write(entry, out)
            except OSError as exc:
                # The file is back (or was not) all the same: say so, and that the journal
                # could not record it; putting the others back goes on.
                note = f"the journal could not record this ({exc.strerror or exc})"
                out = replace(out, reason=f"{out.reason}; {note}" if out.reason else note)
        outcomes.append(out)
        if on_outcome is not None:
            on_outcome(out)
    return outcomes


def _restore_one(entry: Removed, find: Finder, dry_run: bool) -> RestoreOutcome:
    def result(status: RestoreStatus, reason: str = "", source: str = "") -> RestoreOutcome:
        return RestoreOutcome(entry.path, status, reason, source, entry.run)

    info: str | None = None
    if entry.action == "move":
        if entry.dest is None:
            return result(RestoreStatus.FAILED, "the journal does not say where it was moved")
        source = entry.dest
        if not os.path.lexists(source):
            return result(RestoreStatus.FAILED, f"no longer at {source}", source)
        if not _matches(entry, source):
            return result(
                RestoreStatus.SKIPPED, f"{source} has changed since it was moved there", source
            )
    else:
        try:
            candidates = find(entry)
        except OSError as exc:
            return result(RestoreStatus.FAILED, f"cannot look in the trash ({exc})")
        found = _best(entry, candidates)
        if found is None:
            where = (
                "it was not found in the trash (emptied, or restored by hand?)"
                if not candidates
                else "the file in the trash by that name is not the one removed "
                "(different size or modification time)"
            )
            return result(RestoreStatus.FAILED, where)
        source, info = found.file, found.info
    if os.path.lexists(entry.path):
        return result(
            RestoreStatus.SKIPPED,
            f"a file now exists at its place; the removed copy stays at {source}",
            source,
        )
    link = _linked_folder(entry.path)
    if link is not None:
        return result(
            RestoreStatus.SKIPPED,
            f"a folder on its way, {link}, is now a link to {os.path.realpath(link)}; "
            f"it stays at {source}",
            source,
        )
    if dry_run:
        return result(RestoreStatus.WOULD_RESTORE, f"from {source}", source)
    try:
        _put_back(source, entry.path)
    except FileExistsError:
        return result(
            RestoreStatus.SKIPPED,
            f"a file now exists at its place; the removed copy stays at {source}",
            source,
        )
    except OSError as exc:
        return result(
            RestoreStatus.FAILED,
            f"cannot put it back ({exc.strerror or exc}); it is still at {source}",
            source,
        )
    if info is not None:
        with contextlib.suppress(OSError):
            os.remove(info)
    return result(RestoreStatus.RESTORED, f"from {source}", source)


def restore_files(
    journal: str,
    paths: Iterable[str],
    on_outcome: Callable[[RestoreOutcome], None] | None = None,
) -> list[RestoreOutcome]:
    """Put back the latest removal of each of ``paths`` (and the companions that went with
    them): the window's "Undo Cleanup" of the cleanup it just ran."""
    removed, restored = read_journal(journal)
    wanted = set(paths)
    chosen = select(removed, restored, paths=wanted)
    runs = {r.run for r in chosen}
    chosen += [
        r
        for r in removed
        if r.companion_of in wanted and r.run in runs and (r.run, r.path) not in restored
    ]
    unique = {(r.run, r.path): r for r in chosen}
    return restore(sorted(unique.values(), key=lambda r: r.time), journal, on_outcome=on_outcome)


def restore_last(journal: str, *, dry_run: bool = False) -> list[RestoreOutcome]:
    """Undo the last cleanup recorded in ``journal``: the window's "Undo Cleanup"."""
    removed, restored = read_journal(journal)
    return restore(select(removed, restored, last=True), journal, dry_run=dry_run)


def summarise(outcomes: Sequence[RestoreOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    return counts
