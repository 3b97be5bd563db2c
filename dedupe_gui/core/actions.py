"""Removing duplicates safely: re-checks before every file, one outcome per file, a journal.

Rules that hold whatever the caller asks for:
- at least one file of every group stays, and it must still be on disk, unchanged since
  the scan, before anything else of that group is touched;
- a file in a reference folder is never removed;
- a file whose size or modification time changed since the scan is skipped (it may be a
  different picture now);
- a failure on one file never stops the others;
- nothing is deleted permanently unless the caller explicitly allows it for files whose
  drive has no trash, and then only those.
Every attempted action is appended to a JSON-lines journal before the call returns.

A removed photo takes its companions along (core.companions: the Live video, sidecars, the
RAW or JPEG of the same shot), each with its own re-check, outcome and journal line, but only
once every photo the companion belongs to has left; a companion that is itself kept, or
removed in its own right, is left to that decision.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path

from dedupe_gui.core.companions import companion_name
from dedupe_gui.core.hashes import hash_to_hex
from dedupe_gui.core.models import Companion, Group, GroupMember

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


class TrashUnavailable(Exception):
    """The drive of this file has no usable trash (network drives, some removable media)."""


def default_journal_path() -> str:
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("dedupe-gui", appauthor=False), "journal.jsonl")


def system_trash(path: str) -> None:
    """Send one file to the system trash; TrashUnavailable where the drive has none."""
    from send2trash import send2trash
    from send2trash.exceptions import TrashPermissionError

    try:
        send2trash(path)
    except TrashPermissionError as exc:
        raise TrashUnavailable(str(exc) or "no trash on this drive") from exc


def _unchanged(member: GroupMember) -> str | None:
    """None when the file is as the scan saw it, else the reason it is not."""
    key = member.record.key
    return _same_file(key.path, key.size, key.mtime_ns)


def _same_file(path: str, size: int, mtime_ns: int) -> str | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "no longer exists"
    except OSError as exc:
        return f"cannot check it ({exc.strerror or exc})"
    if st.st_size != size or st.st_mtime_ns != mtime_ns:
        return "changed since the scan"
    return None


class Journal:
    """Append-only JSON lines; each line is flushed so a crash loses nothing already done."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        # One id per cleanup: ``restore --last`` puts back the files of the last one.
        self.run = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"

    def write(self, action: str, member: GroupMember, keeper: str, outcome: Outcome) -> None:
        key = member.record.key
        self.write_file(
            action,
            member.path,
            key.size,
            key.mtime_ns,
            hash_to_hex(member.record.fingerprint.hash),
            keeper,
            outcome,
        )

    def write_file(
        self,
        action: str,
        path: str,
        size: int,
        mtime_ns: int,
        hash_hex: str,
        keeper: str,
        outcome: Outcome,
    ) -> None:
        """One line for one file; a companion's line names the photo it went with."""
        if self.path is None:
            return
        line = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run": self.run,
            "action": action,
            "phase": "outcome",
            "path": path,
            "size": size,
            "mtime_ns": mtime_ns,
            "hash": hash_hex,
            "keeper": keeper,
            "dest": outcome.destination or None,
            "outcome": outcome.status.value,
            "reason": outcome.reason,
        }
        if outcome.companion_of:
            line["companion_of"] = outcome.companion_of
        with self._lock:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8", errors="surrogateescape") as f:
                f.write(json.dumps(line, ensure_ascii=True) + "\n")


def _unique_destination(folder: str, name: str) -> str:
    stem, ext = os.path.splitext(name)
    candidate = os.path.join(folder, name)
    n = 1
    while os.path.lexists(candidate):
        candidate = os.path.join(folder, f"{stem} ({n}){ext}")
        n += 1
    return candidate


def apply_removals(
    removals: Iterable[Removal],
    options: CleanupOptions,
    trash: TrashFunction = system_trash,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Carry out the removals under the module's safety rules; one outcome per named file
    and per companion that went (or failed to go) with a removed photo."""
    journal = Journal(None if options.dry_run else options.journal)
    action = "move" if options.move_to else "trash"
    outcomes: list[Outcome] = []
    plan = list(removals)
    # Companions named in the plan follow the plan's own decision about them.
    decided = {m.path for r in plan for m in r.group.members}
    gone: dict[str, Outcome] = {}  # photos removed so far (or that would be, in a dry run)
    done_companions: set[str] = set()

    def record(out: Outcome, member: GroupMember | None = None) -> None:
        outcomes.append(out)
        if member is not None:
            journal.write(action, member, out.keeper, out)
        if on_outcome is not None:
            on_outcome(out)

    def went(out: Outcome) -> bool:
        return out.status.removed or out.status in (Status.WOULD_TRASH, Status.WOULD_MOVE)

    def follow(member: GroupMember, out: Outcome) -> None:
        # Until nothing changes: a RAW twin that left is itself an owner of a shared XMP.
        changed = True
        while changed:
            changed = False
            for c in member.companions:
                owners = c.owners or (member.path,)
                if c.path in decided or c.path in done_companions:
                    continue
                if not all(o in gone for o in owners):
                    continue  # another photo it belongs to stays (or has yet to leave)
                done_companions.add(c.path)
                comp_out = _remove_companion(c, member.path, out, options, trash)
                outcomes.append(comp_out)
                journal.write_file(
                    action, c.path, c.size, c.mtime_ns, "", comp_out.keeper, comp_out
                )
                if on_outcome is not None:
                    on_outcome(comp_out)
                if went(comp_out):
                    gone[c.path] = comp_out
                    changed = True

    for removal in plan:
        members = {m.path: m for m in removal.group.members}
        for out, member in _apply_one(removal, options, trash):
            record(out, member)
            m = members.get(out.path)
            if m is not None and went(out):
                gone[m.path] = out
                # A companion shared with a photo of a later group leaves with that one.
                follow(m, out)
    return outcomes


def _remove_companion(
    c: Companion, photo: str, photo_out: Outcome, options: CleanupOptions, trash: TrashFunction
) -> Outcome:
    """Send one companion where its photo went, after the same re-check as a photo."""
    keeper = photo_out.keeper
    problem = _same_file(c.path, c.size, c.mtime_ns)
    if problem is not None:
        return Outcome(
            c.path, Status.SKIPPED, f"left in place: {problem}", c.size, keeper, companion_of=photo
        )
    if options.dry_run:
        status = Status.WOULD_MOVE if options.move_to else Status.WOULD_TRASH
        return Outcome(c.path, status, "", c.size, keeper, companion_of=photo)
    dest_name = None
    if options.move_to and photo_out.destination:
        dest_name = companion_name(photo_out.destination, photo, c.path)
    out = _remove_path(c.path, c.size, options, trash, keeper, dest_name)
    return Outcome(
        out.path,
        out.status,
        out.reason,
        out.bytes,
        out.keeper,
        out.trash_unavailable,
        companion_of=photo,
        destination=out.destination,
    )


def _apply_one(
    removal: Removal, options: CleanupOptions, trash: TrashFunction
) -> Iterable[tuple[Outcome, GroupMember | None]]:
    group = removal.group
    by_path = {m.path: m for m in group.members}
    unknown = sorted(removal.remove - by_path.keys())
    for path in unknown:
        yield Outcome(path, Status.SKIPPED, "not part of this group"), None
    targets = [m for m in group.members if m.path in removal.remove]
    survivors = [m for m in group.members if m.path not in removal.remove]
    keeper = survivors[0].path if survivors else ""

    if not survivors:
        for m in targets:
            yield (
                Outcome(
                    m.path,
                    Status.SKIPPED,
                    "refused: that would remove every copy",
                    m.record.key.size,
                ),
                m,
            )
        return
    intact = [m for m in survivors if _unchanged(m) is None]
    if not intact:
        why = _unchanged(survivors[0])
        for m in targets:
            yield (
                Outcome(
                    m.path,
                    Status.SKIPPED,
                    f"the copy to keep ({survivors[0].path}) {why}",
                    m.record.key.size,
                    keeper,
                ),
                m,
            )
        return
    keeper = intact[0].path

    for m in targets:
        size = m.record.key.size
        if m.record.reference:
            yield Outcome(m.path, Status.SKIPPED, "in a reference folder", size, keeper), m
            continue
        problem = _unchanged(m)
        if problem is not None:
            yield Outcome(m.path, Status.SKIPPED, problem, size, keeper), m
            continue
        if options.dry_run:
            status = Status.WOULD_MOVE if options.move_to else Status.WOULD_TRASH
            yield Outcome(m.path, status, "", size, keeper), None
            continue
        yield _remove(m, options, trash, keeper), m


def _remove(m: GroupMember, options: CleanupOptions, trash: TrashFunction, keeper: str) -> Outcome:
    return _remove_path(m.path, m.record.key.size, options, trash, keeper)


def _remove_path(
    path: str,
    size: int,
    options: CleanupOptions,
    trash: TrashFunction,
    keeper: str,
    dest_name: str | None = None,
) -> Outcome:
    try:
        if options.move_to:
            os.makedirs(options.move_to, exist_ok=True)
            dest = _unique_destination(options.move_to, dest_name or os.path.basename(path))
            shutil.move(path, dest)
            return Outcome(path, Status.MOVED, f"to {dest}", size, keeper, destination=dest)
        trash(path)
        return Outcome(path, Status.TRASHED, "", size, keeper)
    except TrashUnavailable as exc:
        if not options.allow_permanent_delete:
            return Outcome(
                path,
                Status.FAILED,
                f"the trash is not available on this drive ({exc}); nothing was deleted",
                size,
                keeper,
                trash_unavailable=True,
            )
        try:
            os.remove(path)
        except OSError as exc2:
            return Outcome(
                path, Status.FAILED, f"cannot delete: {exc2.strerror or exc2}", size, keeper
            )
        return Outcome(path, Status.DELETED, "permanently: the drive has no trash", size, keeper)
    except OSError as exc:
        return Outcome(path, Status.FAILED, exc.strerror or str(exc), size, keeper)
    except Exception as exc:  # a trash backend's own error type: still this file's failure
        return Outcome(path, Status.FAILED, str(exc) or type(exc).__name__, size, keeper)


def summarise_outcomes(outcomes: Sequence[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    return counts
