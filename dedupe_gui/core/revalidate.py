"""Re-validation at the moment of acting: is this still the file the user chose to remove,
and is the copy kept still there?

One set of checks for every way a cleanup starts (``scan --apply``, ``apply REPORT``, the
window, a loaded report). They look at the disk *as it is now*, not as the scan saw it:
folders replaced by links, bind mounts, hard links and files rewritten with a forged mtime
are all caught here. ``core.actions`` calls them right before each file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from dedupe_gui.core.digests import file_digest, head_tail_digest
from dedupe_gui.core.models import Group, GroupMember, ImageRecord, ScanResult
from dedupe_gui.core.roots import RootSet


@dataclass(frozen=True, slots=True)
class Scope:
    """The folders a cleanup may act in: the scan roots (followed link targets included) and
    the reference roots, as the scan recorded them (real paths)."""

    roots: tuple[str, ...]
    references: tuple[str, ...] = ()

    @staticmethod
    def of(result: ScanResult) -> Scope:
        return Scope(result.roots, result.references)


# -- re-validation -------------------------------------------------------------------------


class Places:
    """The scope resolved once per cleanup, as the disk is now.

    A scan root counts only while its recorded path is still its real path: a chosen folder
    replaced by a link (to the reference folder, say) no longer holds anything to remove.
    Reference roots count by their recorded path *and* wherever they resolve now.
    """

    def __init__(self, scope: Scope) -> None:
        self.roots = RootSet(r for r in scope.roots if os.path.realpath(r) == os.path.abspath(r))
        self.references = RootSet(scope.references)
        self._literal_refs = tuple(os.path.abspath(r) for r in scope.references)

    def in_reference(self, path: str) -> bool:
        absolute = os.path.abspath(path)
        literal = any(
            absolute == r or absolute.startswith(r.rstrip(os.sep) + os.sep)
            for r in self._literal_refs
        )
        return literal or self.references.contains(path)


def _regular(path: str) -> tuple[os.stat_result | None, str]:
    """The file's own stat when it is a regular file now, else why it is not usable."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, "no longer exists"
    except OSError as exc:
        return None, f"cannot check it ({exc.strerror or exc})"
    if stat.S_ISLNK(st.st_mode):
        return None, "is a symbolic link now"
    if not stat.S_ISREG(st.st_mode):
        return None, "is no longer a regular file"
    return st, ""


def _same_version(member: GroupMember, st: os.stat_result) -> bool:
    key = member.record.key
    return st.st_size == key.size and st.st_mtime_ns == key.mtime_ns


def content_problem(member: GroupMember, full: bool) -> str | None:
    """None when the content is still what the scan saw.

    ``full``: compare the whole-file digest when the scan took one (the file about to go);
    otherwise the head-and-tail digest when recorded; else, when the scan noted the inode
    change time and it has not moved, nothing was written since (no read at all); else the
    whole-file digest, else the fingerprint itself.

    Two equal ends do not vouch for the middle of a large file: when the inode change time
    has moved since the scan (something wrote to it, or changed its metadata), the whole
    file is compared too, by its digest or else by its fingerprint.
    """
    record = member.record
    try:
        if full and record.digest:
            same = file_digest(record.path) == record.digest
        elif record.quick:
            same = head_tail_digest(record.path) == record.quick
            if same and record.change_ns and not _unchanged_inode(record):
                same = _same_whole(record)
        elif _unchanged_inode(record):
            same = True
        else:
            same = _same_whole(record)
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    return None if same else "content changed since the scan"


def _unchanged_inode(record: ImageRecord) -> bool:
    """The scan noted the inode change time and it has not moved: nothing was written."""
    return bool(record.change_ns) and os.lstat(record.path).st_ctime_ns == record.change_ns


def _same_whole(record: ImageRecord) -> bool:
    """The whole file against the scan: its digest when taken, else its fingerprint."""
    if record.digest:
        return file_digest(record.path) == record.digest
    from dedupe_gui.core.fingerprint import FingerprintError, fingerprint_file

    try:
        return fingerprint_file(record.path).hash == record.fingerprint.hash
    except FingerprintError:
        return False


def file_problem(path: str, size: int, mtime_ns: int, places: Places) -> str | None:
    """None when a file that goes along with a photo (a companion) may go now: a regular
    file, unchanged in size and mtime, inside a scan root and outside every reference."""
    st, why = _regular(path)
    if st is None:
        return why
    if st.st_size != size or st.st_mtime_ns != mtime_ns:
        return "changed since the scan"
    if places.in_reference(path):
        return "in a reference folder"
    if not places.roots.contains(path):
        return "not inside a chosen folder (as the folders are now)"
    return None


def keeper_problem(keeper: GroupMember, places: Places, content: bool = True) -> str | None:
    """None when ``keeper`` can be relied on as the copy that stays."""
    st, why = _regular(keeper.path)
    if st is None:
        return why
    if not _same_version(keeper, st):
        return "changed since the scan"
    if not (places.roots.contains(keeper.path) or places.in_reference(keeper.path)):
        return "is no longer inside a chosen folder"
    if content:
        return content_problem(keeper, full=False)
    return None


def target_problem(
    target: GroupMember, keeper: GroupMember, places: Places
) -> tuple[str | None, int]:
    """(None, bytes freed) when ``target`` may go now, else (the reason, 0)."""
    if target.record.reference:
        return "in a reference folder", 0
    st, why = _regular(target.path)
    if st is None:
        return why, 0
    if not _same_version(target, st):
        return "changed since the scan", 0
    try:
        kst = os.stat(keeper.path)
    except OSError:
        return f"the copy to keep ({keeper.path}) no longer exists", 0
    if (st.st_dev, st.st_ino) == (kst.st_dev, kst.st_ino):
        return f"same physical file as the copy to keep ({keeper.path})", 0
    if places.in_reference(target.path):
        return "in a reference folder", 0
    if not places.roots.contains(target.path):
        return "not inside a chosen folder (as the folders are now)", 0
    if st.st_nlink > 1 and places.references.holds_inode(st.st_dev, st.st_ino):
        return "a hard link of a file in a reference folder", 0
    problem = content_problem(target, full=True)
    if problem is not None:
        return problem, 0
    return None, (st.st_size if st.st_nlink == 1 else 0)


def with_quick_digests(
    groups: Iterable[Group], digest_of: Callable[[ImageRecord], str] | None = None
) -> list[Group]:
    """The groups with a head-and-tail digest on every file, so that a later cleanup of these
    results can re-check the copy it keeps: taken now (two small reads per file), or by
    ``digest_of`` (core.identity.quick_digest: the one the scan knew while the file's change
    time has not moved)."""
    out = []
    for g in groups:
        members = []
        changed = False
        for m in g.members:
            try:
                quick = head_tail_digest(m.path) if digest_of is None else digest_of(m.record)
            except OSError:
                quick = None  # re-checked by its fingerprint instead
            # A warm rescan knows most of them already: those members stay as they are (two
            # dataclass copies per file were a tenth of a rescan's report).
            if quick != m.record.quick:
                m = replace(m, record=replace(m.record, quick=quick))
                changed = True
            members.append(m)
        out.append(Group(tuple(members)) if changed else g)
    return out
