"""Removing duplicates safely: re-checks at the moment of acting, one outcome per file, a
write-ahead journal.

Rules that hold whatever the caller asks for (the command line, a loaded report and the
window all go through ``apply_removals``):
- at least one file of every group stays: the copy kept must still be on disk, a regular
  file (not a link), unchanged since the scan (size, mtime, and a head-and-tail digest or
  its fingerprint), inside a chosen folder, before anything else of its group is touched,
  and it is checked again right before each file goes;
- a target is acted on only when, *as the disk is now*, it is a regular file (not a link),
  a different physical file (device + inode) from the copy kept, inside a scan root and
  outside every reference root (by real path and by folder identity, so a bind mount or a
  symlinked folder cannot smuggle a reference file in), not a hard link of a reference
  file, and unchanged (size, mtime, content digest);
- a failure on one file never stops the others; a journal that cannot be written, a
  closed output or any other fatal error stops the whole cleanup (``CleanupStopped``);
- nothing is deleted permanently unless the caller explicitly allows it for files whose
  drive has no trash, and then only those.

Every action is journalled write-ahead (``core.journal`` documents the format).

A removed photo takes its companions along (core.companions: the Live video, sidecars, the
RAW or JPEG of the same shot), each with its own re-check, outcome and journal lines, but
only once every photo the companion belongs to has left; a companion that is itself kept,
or removed in its own right, is left to that decision.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from dedupe_gui.core.companions import companion_name
from dedupe_gui.core.hashes import hash_to_hex
from dedupe_gui.core.journal import FileEntry, Journal, JournalError
from dedupe_gui.core.models import Companion, Group, GroupMember
from dedupe_gui.core.places import default_journal_path as default_journal_path
from dedupe_gui.core.regular import open_regular
from dedupe_gui.core.revalidate import Places, file_problem, keeper_problem, target_problem

# Part of the cleanup API, defined beside the checks that use them.
from dedupe_gui.core.revalidate import Scope as Scope
from dedupe_gui.core.revalidate import with_quick_digests as with_quick_digests

TrashFunction = Callable[[str], None]


class Status(str, Enum):
    TRASHED = "trashed"
    MOVED = "moved"
    DELETED = "deleted"  # only with allow_permanent_delete, where the trash was unavailable
    WOULD_TRASH = "would trash"
    WOULD_MOVE = "would move"
    LINKED = "linked"  # an exact copy replaced by a hard link to the keeper (core.links)
    WOULD_LINK = "would link"
    SKIPPED = "skipped"
    FAILED = "failed"

    @property
    def ok(self) -> bool:
        return self not in (Status.SKIPPED, Status.FAILED)

    @property
    def removed(self) -> bool:
        """The file is no longer where the scan found it."""
        return self in (Status.TRASHED, Status.MOVED, Status.DELETED)


@dataclass(frozen=True, slots=True)
class Outcome:
    path: str
    status: Status
    reason: str = ""
    bytes: int = 0
    keeper: str = ""
    trash_unavailable: bool = False  # failed only because its drive has no trash
    companion_of: str = ""  # the photo this file went with (a Live video, a sidecar, ...)
    destination: str = ""  # where a moved file now is


@dataclass(frozen=True, slots=True)
class Removal:
    """What to remove from one group: ``remove`` paths; the rest of the group stays."""

    group: Group
    remove: frozenset[str]

    @staticmethod
    def marked(group: Group) -> Removal:
        """The group's preselection: everything not marked to keep."""
        return Removal(group, frozenset(m.path for m in group.members if not m.keep))


@dataclass(frozen=True, slots=True)
class CleanupOptions:
    journal: str | None  # JSON-lines file; None writes no journal (tests, dry runs)
    dry_run: bool = False
    move_to: str | None = None  # move into this folder instead of the trash
    allow_permanent_delete: bool = False
    # Where files may be removed from; without it nothing is removed (see Scope).
    scope: Scope | None = field(default=None)


class TrashUnavailable(Exception):
    """The drive of this file has no usable trash (network drives, some removable media)."""


class UnrecordedOutcome(JournalError):
    """A file was acted on, but the journal line of its outcome could not be written: the
    cleanup stops, and the outcome still reaches the user."""

    def __init__(self, message: str, outcome: Outcome) -> None:
        super().__init__(message)
        self.outcome = outcome


class CleanupStopped(Exception):
    """A fatal error stopped the cleanup: ``outcomes`` holds what was done before it."""

    def __init__(self, message: str, outcomes: Sequence[Outcome] = ()) -> None:
        super().__init__(message)
        self.outcomes = list(outcomes)


def reported(
    out: Outcome,
    outcomes: list[Outcome],
    on_outcome: Callable[[Outcome], None] | None,
    action: str,
) -> None:
    """``out`` added to ``outcomes`` and handed to ``on_outcome``; a caller that cannot take
    it (a closed pipe) stops the ``action`` (CleanupStopped with what was done): nothing is
    touched that the user would not hear about."""
    outcomes.append(out)
    if on_outcome is not None:
        try:
            on_outcome(out)
        except Exception as exc:
            raise CleanupStopped(
                f"cannot report progress ({exc}); the {action} stopped", outcomes
            ) from exc


def stopped_unrecorded(
    exc: UnrecordedOutcome,
    outcomes: list[Outcome],
    on_outcome: Callable[[Outcome], None] | None,
) -> CleanupStopped:
    """The stop of a cleanup or a linking whose last file was acted on while its journal
    line was not written: the file went (or failed to), which is news even though the
    journal missed it, so its outcome still reaches ``outcomes`` and ``on_outcome``."""
    outcomes.append(exc.outcome)
    if on_outcome is not None:
        with contextlib.suppress(Exception):
            on_outcome(exc.outcome)
    return CleanupStopped(str(exc), outcomes)


def system_trash(path: str) -> None:
    """Send one file to the system trash; TrashUnavailable where the drive has none."""
    from send2trash import send2trash
    from send2trash.exceptions import TrashPermissionError

    from dedupe_gui.core.restore import forget_unfinished_trash

    try:
        send2trash(path)
    except (TrashPermissionError, OSError) as exc:
        # A trash that failed halfway may have left its record of the file behind.
        with contextlib.suppress(OSError):
            forget_unfinished_trash(path)
        if isinstance(exc, TrashPermissionError):
            raise TrashUnavailable(str(exc) or "no trash on this drive") from exc
        raise
    # So may one that had to copy the file (from a bind mount) after its rename failed.
    with contextlib.suppress(OSError):
        forget_unfinished_trash(path, home_only=True)


def _hard_link_note(path: str) -> str:
    try:
        links = os.lstat(path).st_nlink
    except OSError:
        return ""
    if links > 1:
        return f"frees no space: a hard link, {links - 1} other name(s) keep the data"
    return ""


# -- acting ---------------------------------------------------------------------------------


def _unique_destination(folder: str, name: str) -> str:
    stem, ext = os.path.splitext(name)
    candidate = os.path.join(folder, name)
    n = 1
    while os.path.lexists(candidate):
        candidate = os.path.join(folder, f"{stem} ({n}){ext}")
        n += 1
    return candidate


def move_file(source: str, dest: str) -> None:
    """Move one file without ever leaving a partial copy behind.

    Same file system: one rename. Across file systems: copy to a hidden temporary name
    beside ``dest``, fsync, rename into place, then remove the source; on any error the
    temporary copy is removed and the source is untouched.
    """
    if os.path.lexists(dest):
        raise FileExistsError(errno.EEXIST, "the destination exists", dest)
    try:
        os.rename(source, dest)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    folder, name = os.path.split(dest)
    temp = os.path.join(folder, f".{name}.partial-{os.getpid()}")
    try:
        with open_regular(source) as src, open(temp, "xb") as out:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        st = os.stat(source)
        os.utime(temp, ns=(st.st_atime_ns, st.st_mtime_ns))
        os.rename(temp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(temp)
        raise
    os.remove(source)


def apply_removals(
    removals: Iterable[Removal],
    options: CleanupOptions,
    trash: TrashFunction = system_trash,
    on_outcome: Callable[[Outcome], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Outcome]:
    """Carry out the removals under the module's safety rules; one outcome per named file
    and per companion that went (or failed to go) with a removed photo.

    Raises CleanupStopped (with the outcomes so far) when the journal cannot be written or
    ``on_outcome`` fails (a closed pipe): nothing more is touched after that.

    ``should_stop`` is asked before each removal (group): once it says yes, the remaining
    removals are left undone and have no outcome, and a group is never left half handled.
    """
    places = Places(options.scope) if options.scope is not None else None
    if options.move_to and places is not None and places.in_reference(options.move_to):
        # Moved there, the copies would be protected and preferred as keepers next time.
        raise CleanupStopped(
            f"cannot move the copies into {options.move_to}: it lies in a reference folder, "
            "whose files are never removed and are kept first; choose a folder outside it; "
            "nothing was touched"
        )
    journal = Journal(None if options.dry_run else options.journal)
    try:
        journal.open()
    except JournalError as exc:
        raise CleanupStopped(str(exc)) from exc
    outcomes: list[Outcome] = []
    plan = list(removals)
    # Companions named in the plan follow the plan's own decision about them.
    decided = {m.path for r in plan for m in r.group.members}
    gone: set[str] = set()  # photos removed so far (or that would be, in a dry run)
    done_companions: set[str] = set()

    def emit(out: Outcome) -> None:
        reported(out, outcomes, on_outcome, "cleanup")

    def follow(member: GroupMember, out: Outcome) -> None:
        # Until nothing changes: a RAW twin that left is itself an owner of a shared XMP.
        changed = True
        while changed and places is not None:
            changed = False
            for c in member.companions:
                owners = c.owners or (member.path,)
                if c.path in decided or c.path in done_companions:
                    continue
                if not all(o in gone for o in owners):
                    continue  # another photo it belongs to stays (or has yet to leave)
                done_companions.add(c.path)
                comp_out = _remove_companion(c, member, out, options, trash, places, journal)
                emit(comp_out)
                if _went(comp_out):
                    gone.add(c.path)
                    changed = True

    try:
        for removal in plan:
            if should_stop is not None and should_stop():
                break
            members = {m.path: m for m in removal.group.members}
            for out in _apply_one(removal, options, trash, places, journal):
                emit(out)
                m = members.get(out.path)
                if m is not None and _went(out):
                    gone.add(m.path)
                    # A companion shared with a photo of a later group leaves with that one.
                    follow(m, out)
    except UnrecordedOutcome as exc:
        raise stopped_unrecorded(exc, outcomes, on_outcome) from exc
    except JournalError as exc:
        raise CleanupStopped(str(exc), outcomes) from exc
    except CleanupStopped as exc:
        exc.outcomes = outcomes
        raise
    finally:
        journal.close()
    return outcomes


def _went(out: Outcome) -> bool:
    return out.status.removed or out.status in (Status.WOULD_TRASH, Status.WOULD_MOVE)


def _remove_companion(
    c: Companion,
    photo: GroupMember,
    photo_out: Outcome,
    options: CleanupOptions,
    trash: TrashFunction,
    places: Places,
    journal: Journal,
) -> Outcome:
    """Send one companion where its photo went, after the same re-checks as a photo."""
    keeper = photo_out.keeper
    problem = file_problem(c.path, c.size, c.mtime_ns, places)
    if problem is not None:
        return Outcome(
            c.path,
            Status.SKIPPED,
            f"left in place: {problem}",
            c.size,
            keeper,
            companion_of=photo.path,
        )
    if options.dry_run:
        status = Status.WOULD_MOVE if options.move_to else Status.WOULD_TRASH
        return Outcome(c.path, status, "", c.size, keeper, companion_of=photo.path)
    dest = None
    if options.move_to:
        name = os.path.basename(c.path)
        if photo_out.destination:
            name = os.path.basename(companion_name(photo_out.destination, photo.path, c.path))
        dest = _unique_destination(options.move_to, name)
    entry = FileEntry(c.path, c.size, c.mtime_ns, keeper, companion_of=photo.path)
    out = _journalled_remove(entry, options, trash, dest, c.size, "", journal)
    return replace(out, companion_of=photo.path)


def _apply_one(
    removal: Removal,
    options: CleanupOptions,
    trash: TrashFunction,
    places: Places | None,
    journal: Journal,
) -> Iterator[Outcome]:
    group = removal.group
    by_path = {m.path: m for m in group.members}
    for path in sorted(removal.remove - by_path.keys()):
        yield Outcome(path, Status.SKIPPED, "not part of this group")
    targets = [m for m in group.members if m.path in removal.remove]
    survivors = [m for m in group.members if m.path not in removal.remove]
    if not targets:
        return

    def skip_all(reason: str, keeper: str = "") -> Iterator[Outcome]:
        for m in targets:
            yield Outcome(m.path, Status.SKIPPED, reason, m.record.key.size, keeper)

    if places is None:
        yield from skip_all("refused: the chosen folders are not known")
        return
    if not survivors:
        yield from skip_all("refused: that would remove every copy")
        return
    keeper: GroupMember | None = None
    first_problem = ""
    for m in survivors:
        problem = keeper_problem(m, places)
        if problem is None:
            keeper = m
            break
        first_problem = first_problem or problem
    if keeper is None:
        yield from skip_all(
            f"the copy to keep ({survivors[0].path}) {first_problem}", survivors[0].path
        )
        return

    for m in targets:
        size = m.record.key.size
        problem, freed = target_problem(m, keeper, places)
        if problem is None:
            # The last line of defence: the copy that stays is still there, as it was.
            problem_k = keeper_problem(keeper, places, content=False)
            if problem_k is not None:
                problem = f"the copy to keep ({keeper.path}) {problem_k}"
        if problem is not None:
            yield Outcome(m.path, Status.SKIPPED, problem, size, keeper.path)
            continue
        note = _hard_link_note(m.path)
        if options.dry_run:
            status = Status.WOULD_MOVE if options.move_to else Status.WOULD_TRASH
            yield Outcome(m.path, status, note, freed, keeper.path)
            continue
        dest = None
        if options.move_to:
            dest = _unique_destination(options.move_to, os.path.basename(m.path))
        record = m.record
        entry = FileEntry(
            m.path,
            size,
            record.key.mtime_ns,
            keeper.path,
            hash_to_hex(record.fingerprint.hash),
            record.digest,
        )
        yield _journalled_remove(entry, options, trash, dest, freed, note, journal)


def _journalled_remove(
    entry: FileEntry,
    options: CleanupOptions,
    trash: TrashFunction,
    dest: str | None,
    freed: int,
    note: str,
    journal: Journal,
) -> Outcome:
    """Remove one file between its journal lines: the intent is on disk before the file
    moves, so a crash leaves a line for every file that may have gone."""
    action = "move" if options.move_to else "trash"
    journal.write("intent", action, entry, dest)
    out = _remove_path(entry.path, entry.size, options, trash, entry.keeper, dest, freed, note)
    try:
        journal.write(
            "outcome",
            "delete" if out.status is Status.DELETED else action,
            entry,
            dest,
            (out.status.value, out.reason),
        )
    except JournalError as exc:
        raise UnrecordedOutcome(str(exc), out) from exc
    return out


def _remove_path(
    path: str,
    size: int,
    options: CleanupOptions,
    trash: TrashFunction,
    keeper: str,
    dest: str | None,
    freed: int,
    note: str,
) -> Outcome:
    try:
        if options.move_to and dest is not None:
            os.makedirs(options.move_to, exist_ok=True)
            move_file(path, dest)
            reason = f"to {dest}" + (f"; {note}" if note else "")
            return Outcome(path, Status.MOVED, reason, freed, keeper, destination=dest)
        trash(path)
        return Outcome(path, Status.TRASHED, note, freed, keeper)
    except TrashUnavailable as exc:
        if not options.allow_permanent_delete:
            return Outcome(
                path,
                Status.FAILED,
                f"the trash is not available on this drive ({exc}); nothing was deleted",
                0,
                keeper,
                trash_unavailable=True,
            )
        try:
            os.remove(path)
        except OSError as exc2:
            return Outcome(
                path, Status.FAILED, f"cannot delete: {exc2.strerror or exc2}", 0, keeper
            )
        return Outcome(path, Status.DELETED, "permanently: the drive has no trash", freed, keeper)
    except OSError as exc:
        return Outcome(path, Status.FAILED, _os_reason(exc, path, dest), 0, keeper)
    except Exception as exc:  # a trash backend's own error type: still this file's failure
        return Outcome(path, Status.FAILED, str(exc) or type(exc).__name__, 0, keeper)


def _os_reason(exc: OSError, path: str, dest: str | None) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        where = "the destination" if dest else "the trash"
        return (
            f"the name is too long for {where} (it needs a few more bytes than the file "
            "system allows); rename the file or move it instead; nothing was changed"
        )
    if exc.errno == errno.ENOSPC:
        return "no space left on the destination; nothing was changed"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) and os.path.lexists(path):
        # A read-only folder, file or drive: the file has not moved.
        where = "to the destination" if dest else "to the trash"
        return f"cannot move it {where} ({exc.strerror or exc}); it was left in place"
    return exc.strerror or str(exc)


def freed_bytes(outcomes: Sequence[Outcome]) -> int:
    """The bytes of the outcomes that went as asked: what a cleanup freed (or would free)."""
    return sum(o.bytes for o in outcomes if o.status.ok)


def summarise_outcomes(outcomes: Sequence[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    return counts
