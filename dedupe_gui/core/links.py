"""Exact copies as hard links: every path keeps working, the space of the copies is freed.

Only for byte-identical copies (the scan marks them ``identical`` by content digest, and the
whole content is compared again here, byte by byte, just before acting), never for near-copies
(a resized or recompressed copy is another file). Only on the same file system (a hard link
cannot cross one), never for a file in a reference folder, and never for a file of another
owner (the path would take the keeper's owner and permissions).

Each copy is replaced atomically: a link to the keeper is made under a temporary name in the
copy's folder and renamed over the copy, so at every moment the path names either the old copy
or the keeper's identical bytes. Every action is journalled (an intent line before, an outcome
line after, both flushed to disk; ``action`` "link"), in the cleanup journal, and a journal
that cannot be written stops the linking as it stops a cleanup.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dedupe_gui.core.actions import (
    CleanupStopped,
    Outcome,
    Status,
    UnrecordedOutcome,
    reported,
    stopped_unrecorded,
)
from dedupe_gui.core.journal import FileEntry, Journal, JournalError
from dedupe_gui.core.models import Group, GroupMember
from dedupe_gui.core.regular import open_regular
from dedupe_gui.core.revalidate import Places, Scope

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class LinkOptions:
    journal: str | None  # JSON-lines file; None writes no journal
    dry_run: bool = False
    # The scan's folders (core.revalidate.Scope): a copy is replaced only while it lies inside
    # a scanned folder and outside every reference folder as the disk is now (bind mounts,
    # folders replaced by links). None: the scan-time reference flag alone.
    scope: Scope | None = None


def same_content(a: str, b: str) -> bool:
    """Byte-for-byte comparison of two files (after a size check by the caller)."""
    with open_regular(a) as fa, open_regular(b) as fb:
        while True:
            ca, cb = fa.read(_CHUNK), fb.read(_CHUNK)
            if ca != cb:
                return False
            if not ca:
                return True


def link_copies(
    groups: Iterable[Group],
    options: LinkOptions,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Replace each group's exact copies of its keeper by hard links to it; one outcome per copy.

    The keeper is the group's first member (its suggested keeper); files that are not exact
    copies get no outcome: they are simply not this action's business.

    Like a cleanup, it raises CleanupStopped (with the outcomes so far) when the journal
    cannot be written, before the first copy is touched when it cannot be opened, or when
    ``on_outcome`` fails: nothing more is touched after that.
    """
    journal = Journal(None if options.dry_run else options.journal)
    try:
        journal.open()
    except JournalError as exc:
        raise CleanupStopped(str(exc)) from exc
    places = Places(options.scope) if options.scope is not None else None
    outcomes: list[Outcome] = []
    try:
        for group in groups:
            keeper = group.members[0]
            for m in group.members[1:]:
                if not m.identical:
                    continue
                try:
                    out = _link_one(keeper, m, options, journal, places)
                except UnrecordedOutcome as exc:
                    raise stopped_unrecorded(exc, outcomes, on_outcome) from exc
                except JournalError as exc:
                    raise CleanupStopped(str(exc), outcomes) from exc
                reported(out, outcomes, on_outcome, "linking")
    finally:
        journal.close()
    return outcomes


def _problem(
    keeper: GroupMember, m: GroupMember, places: Places | None = None
) -> tuple[str | None, int]:
    """Why ``m`` cannot become a link to ``keeper`` (None when it can), and the bytes freed."""
    if m.record.reference:
        return "in a reference folder", 0
    if places is not None:
        if places.in_reference(m.path):
            return "in a reference folder", 0
        if not places.roots.contains(m.path):
            return "not inside a chosen folder (as the folders are now)", 0
    try:
        ks, ms = os.lstat(keeper.path), os.lstat(m.path)
    except FileNotFoundError as exc:
        return f"{exc.filename} no longer exists", 0
    except OSError as exc:
        return f"cannot check it ({exc.strerror or exc})", 0
    if not (stat.S_ISREG(ks.st_mode) and stat.S_ISREG(ms.st_mode)):
        return "not a regular file (a symbolic link?)", 0
    for member, st in ((keeper, ks), (m, ms)):
        key = member.record.key
        if st.st_size != key.size or st.st_mtime_ns != key.mtime_ns:
            which = "the keeper" if member is keeper else "it"
            return f"{which} changed since the scan", 0
    if (ks.st_dev, ks.st_ino) == (ms.st_dev, ms.st_ino):
        return "already the same file as the keeper (a hard link)", 0
    if ks.st_dev != ms.st_dev:
        return "on another file system than the keeper: a hard link cannot cross it", 0
    if ks.st_uid != ms.st_uid:
        return "owned by another user than the keeper", 0
    if ks.st_size != ms.st_size:
        return "not an exact copy (sizes differ)", 0
    return None, ms.st_size if ms.st_nlink == 1 else 0


def _link_one(
    keeper: GroupMember,
    m: GroupMember,
    options: LinkOptions,
    journal: Journal,
    places: Places | None = None,
) -> Outcome:
    size = m.record.key.size
    problem, freed = _problem(keeper, m, places)
    if problem is None:
        try:
            if not same_content(keeper.path, m.path):
                problem = "not an exact copy (the contents differ)"
        except OSError as exc:
            problem = f"cannot compare it ({exc.strerror or exc})"
    if problem is not None:
        return Outcome(m.path, Status.SKIPPED, problem, 0, keeper.path)
    if options.dry_run:
        return Outcome(m.path, Status.WOULD_LINK, "", freed, keeper.path)
    entry = FileEntry(m.path, size, m.record.key.mtime_ns, keeper.path)
    journal.write("intent", "link", entry)
    out = _replace_with_link(keeper.path, m, freed)
    try:
        journal.write("outcome", "link", entry, None, (out.status.value, out.reason))
    except JournalError as exc:
        raise UnrecordedOutcome(str(exc), out) from exc
    return out


def _replace_with_link(keeper: str, m: GroupMember, freed: int) -> Outcome:
    folder, name = os.path.split(m.path)
    temp = os.path.join(folder, f".{name}.link-{os.getpid()}")
    try:
        os.link(keeper, temp)
        try:
            # Compared a moment ago; the rename is refused if the copy changed since.
            st = os.lstat(m.path)
            key = m.record.key
            if st.st_size != key.size or st.st_mtime_ns != key.mtime_ns:
                raise _Changed
            os.replace(temp, m.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temp)
            raise
    except _Changed:
        return Outcome(m.path, Status.SKIPPED, "changed while being compared", 0, keeper)
    except OSError as exc:
        return Outcome(
            m.path, Status.FAILED, f"cannot link it ({exc.strerror or exc}); unchanged", 0, keeper
        )
    return Outcome(m.path, Status.LINKED, f"now a hard link to {keeper}", freed, keeper)


class _Changed(Exception):
    pass
