"""Walking the chosen folders, and the path policy every part of the app shares.

The policy (scan, cleanup and the window all use it):
- no symbolic link is followed by default, file or folder: each is reported once as
  skipped, with its target, so the user can add that folder on purpose;
- with ``follow_links`` a link to a folder is followed and its target then counts as a
  chosen folder (``FollowedLink`` tells the caller); a link to a file is never a candidate
  (the real file is, when it lies in a chosen folder);
- every root, scan or reference, is known by its real path *and* its device/inode
  (``RootSet``), so one folder seen through two paths (a symlink, a bind mount) is one
  folder, and a file is inside a root when any folder above it *is* that root;
- each physical file (device + inode) is yielded once; reference roots are walked first,
  so a hard link of a reference file is found under its reference name (and is reference).

The walk never enters a directory twice (symlink loops, bind mounts). Anything unreadable
becomes a ``FileError`` and the walk goes on.
"""

from __future__ import annotations

import errno
import fnmatch
import operator
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from dedupe_gui.core.found import FileError, FileKey
from dedupe_gui.core.raw_kinds import RAW_EXTENSIONS
from dedupe_gui.core.roots import RootSet

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".webp",
        ".gif",
        ".bmp",
        ".dib",
        ".tif",
        ".tiff",
        ".heic",
        ".heif",
        ".avif",
        ".hif",
    }
    | RAW_EXTENSIONS  # camera RAW, read through its embedded preview
)

# Folders that photo managers and NAS boxes fill with their own thumbnails.
DEFAULT_EXCLUDES: tuple[str, ...] = ("@eaDir", ".@__thumb", ".thumbnails", "__MACOSX")


@dataclass(frozen=True, slots=True)
class WalkOptions:
    excludes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    min_size: int = 1
    include_hidden: bool = False
    extensions: frozenset[str] = IMAGE_EXTENSIONS
    follow_links: bool = False  # follow links to folders; their targets become chosen folders


@dataclass(frozen=True, slots=True)
class FoundFile:
    key: FileKey
    reference: bool
    change_ns: int = 0  # st_ctime_ns: the cache re-reads a file's identity when it moved
    dev: int = 0
    ino: int = 0

    @property
    def path(self) -> str:
        return self.key.path


@dataclass(frozen=True, slots=True)
class FollowedLink:
    """A link to a folder that the walk followed: ``target`` (its real path) is now a chosen
    folder, and cleanup must count it as one."""

    path: str
    target: str


def skipped_link_reason(path: str) -> str:
    """What the user is told about a link the walk did not follow (with its target)."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    shown = os.path.normpath(os.path.join(os.path.dirname(path), target))
    return f"skipped: symbolic link to {shown} (not followed; add that folder to scan it)"


def _exclusion(
    patterns: tuple[str, ...],
) -> tuple[frozenset[str], Callable[[str, str], bool] | None]:
    """Whether an entry (its name, its full path) matches any pattern, as ``fnmatchcase``
    would say: a pattern without wildcards matches only itself, so those are looked up in a
    set, and one regular expression serves the others, since the walk asks for every entry
    (eight ``fnmatchcase`` calls per file were a tenth of a 100,000-file rescan; the default
    patterns, all plain names, then cost two regular-expression matches per entry).

    An entry matches when its name or path is in the set, or the function (None when every
    pattern is plain: the walk then makes no call an entry) says it does."""
    literal = frozenset(p for p in patterns if not any(c in p for c in "*?["))
    wild = [p for p in patterns if p not in literal]
    if not wild:
        return literal, None
    match = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in wild)).match
    return literal, lambda name, full: match(name) is not None or match(full) is not None


@dataclass(slots=True)
class Listing:
    """The files one folder (or one named file) gave the walk, as columns, and what else it
    met there: a rescan of 100,000 files compares these with what the cache kept without an
    object per file (``walk`` makes a ``FoundFile`` of each; a fifth of a rescan's time).

    ``others`` are the errors and followed links in walk order: each with the count of
    files listed before it."""

    reference: bool
    paths: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    changes: list[int] = field(default_factory=list)  # st_ctime_ns
    devs: list[int] = field(default_factory=list)
    inos: list[int] = field(default_factory=list)
    others: list[tuple[int, FileError | FollowedLink]] = field(default_factory=list)
    # The folder listed, and every regular file in it, image or not, hidden or excluded
    # (name, path): what core.companions lists each folder for. None when not all known.
    folder: str = ""
    files: list[tuple[str, str]] | None = None

    def add(self, path: str, st: os.stat_result) -> None:
        self.paths.append(path)
        self.sizes.append(st.st_size)
        self.mtimes.append(st.st_mtime_ns)
        self.changes.append(st.st_ctime_ns)
        self.devs.append(st.st_dev)
        self.inos.append(st.st_ino)

    def other(self, item: FileError | FollowedLink) -> None:
        self.others.append((len(self.paths), item))

    def items(self) -> Iterator[FoundFile | FileError | FollowedLink]:
        """Its files and the rest, one object each, in walk order."""
        at = 0
        for before, item in [*self.others, (len(self.paths), None)]:
            for i in range(at, before):
                yield FoundFile(
                    FileKey(self.paths[i], self.sizes[i], self.mtimes[i]),
                    self.reference,
                    self.changes[i],
                    self.devs[i],
                    self.inos[i],
                )
            at = before
            if item is not None:
                yield item


def walk(
    paths: Iterable[str],
    options: WalkOptions,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[FoundFile | FileError | FollowedLink]:
    """Yield every candidate image under ``paths`` (files or folders), sorted per folder.

    Sorting makes results deterministic across runs and file systems. Paths inside a
    reference folder are walked first, so a physical file reachable from both sides is
    yielded once, as reference.
    """
    for listing in walk_listings(paths, options, should_stop):
        yield from listing.items()


def walk_listings(
    paths: Iterable[str],
    options: WalkOptions,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[Listing]:
    """What ``walk`` yields, a folder at a time, as columns (``Listing``)."""
    references = RootSet(options.references)
    excluded, excluded_wild = _exclusion(options.excludes + DEFAULT_EXCLUDES)
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()
    seen_links: set[tuple[int, int]] = set()
    given = [os.path.abspath(os.path.expanduser(p)) for p in paths]
    ordered = sorted(given, key=lambda p: not (references and references.contains(p)))

    def link_once(path: str, lst: os.stat_result) -> bool:
        ident = (lst.st_dev, lst.st_ino)
        if ident in seen_links:
            return False
        seen_links.add(ident)
        return True

    include_hidden, extensions, min_size = (
        options.include_hidden,
        options.extensions,
        options.min_size,
    )
    splitext, S_ISLNK, S_ISDIR, S_ISREG = os.path.splitext, stat.S_ISLNK, stat.S_ISDIR, stat.S_ISREG
    endings = _endings(extensions)
    stack: list[tuple[str, bool]] = []
    for top in ordered:
        out = Listing(False)
        try:
            lst = os.lstat(top)
            st = os.stat(top)
        except FileNotFoundError:
            out.other(FileError(top, "no such file or folder"))
            yield out
            continue
        except OSError as exc:
            out.other(FileError(top, _unreadable(exc)))
            yield out
            continue
        if stat.S_ISLNK(lst.st_mode) and stat.S_ISREG(st.st_mode):
            # A link to a file is never a candidate, even when named: the real file is.
            if link_once(top, lst):
                out.other(FileError(top, skipped_link_reason(top)))
                yield out
            continue
        # A folder named through a link is chosen on purpose: it is walked at its real path.
        top = os.path.realpath(top)
        reference = bool(references) and references.contains(top)
        if stat.S_ISREG(st.st_mode):
            # A file named on purpose is scanned whatever its extension.
            out.reference = reference
            ident = (st.st_dev, st.st_ino)
            if ident not in seen_files:
                seen_files.add(ident)
                if st.st_size >= options.min_size:
                    out.add(top, st)
                elif st.st_size == 0:
                    out.other(FileError(top, "empty file (0 bytes)"))
            yield out
            continue
        if not stat.S_ISDIR(st.st_mode):
            out.other(FileError(top, "not a regular file or folder"))
            yield out
            continue

        stack.append((top, reference))
        while stack:
            if should_stop():
                return
            folder, folder_is_reference = stack.pop()
            out = Listing(folder_is_reference)
            try:
                fst = os.stat(folder)
            except OSError as exc:
                out.other(FileError(folder, f"cannot read folder: {exc.strerror or exc}"))
                yield out
                continue
            ident = (fst.st_dev, fst.st_ino)
            if ident in seen_dirs:
                continue  # a symlink loop, or a folder reached twice
            seen_dirs.add(ident)
            # A folder is reference when it is (by identity: bind mounts) a reference root or
            # lies below one; files inside lie where their folder lies.
            folder_is_reference = folder_is_reference or ident in references.ids
            out.reference = folder_is_reference
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=_BY_NAME)
            except OSError as exc:
                out.other(FileError(folder, f"cannot read folder: {exc.strerror or exc}"))
                yield out
                continue
            subdirs: list[tuple[str, bool]] = []
            other = out.other
            out.folder, out.files = folder, []
            regular = out.files.append
            # The columns' appends, bound once: the loop runs for every file of the library.
            listed, sizes, mtimes = out.paths.append, out.sizes.append, out.mtimes.append
            changes, devs, inos = out.changes.append, out.devs.append, out.inos.append
            for entry in entries:
                name = entry.name
                full = entry.path
                if (
                    (not include_hidden and name[:1] == ".")
                    or name in excluded
                    or full in excluded
                    or (excluded_wild is not None and excluded_wild(name, full))
                ):
                    if out.files is not None:
                        try:
                            if entry.is_file(follow_symlinks=False):
                                regular((name, full))
                        except OSError:
                            out.files = None
                    continue
                try:
                    est = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # vanished between listing and stat
                except OSError as exc:
                    other(FileError(full, _unreadable(exc)))
                    out.files = None
                    continue
                mode = est.st_mode
                if S_ISREG(mode):
                    regular((name, full))
                    if not (
                        name.lower().endswith(endings)
                        and (name[0] != "." or splitext(name)[1].lower() in extensions)
                        if endings
                        else splitext(name)[1].lower() in extensions
                    ):
                        continue
                    dev, ino = ident = (est.st_dev, est.st_ino)
                    if ident in seen_files:
                        continue
                    seen_files.add(ident)
                    size = est.st_size
                    if size < min_size:
                        if size == 0:
                            other(FileError(full, "empty file (0 bytes)"))
                        continue
                    listed(full)
                    sizes(size)
                    mtimes(est.st_mtime_ns)
                    changes(est.st_ctime_ns)
                    devs(dev)
                    inos(ino)
                elif S_ISLNK(mode):
                    item = _link(full, est, options, link_once)
                    if isinstance(item, FollowedLink):
                        other(item)
                        real_ref = bool(references) and references.contains(item.target)
                        subdirs.append((item.target, real_ref))
                    elif item is not None and _wanted(name, options, item):
                        other(item)
                elif S_ISDIR(mode):
                    subdirs.append((full, folder_is_reference))
            yield out
            stack.extend(reversed(subdirs))


# A folder's entries are sorted by name: the key taken in C, not by a call a file.
_BY_NAME: Final = operator.attrgetter("name")


def _endings(extensions: frozenset[str]) -> tuple[str, ...]:
    """``extensions`` as ``str.endswith`` takes them, when that says what ``splitext`` says
    (every one a dot and lower-case letters or digits; else empty): a name whose extension
    is one of them ends with it, and for a name that does not start with a dot the converse
    holds too (its last dot starts its extension), so one call replaces ``splitext`` and a
    set look-up per file (a tenth of the walk). The usual photo endings come first:
    ``endswith`` stops at the first that matches, and there are thirty to try."""
    if all(e[:1] == "." and e[1:].isalnum() and e == e.lower() for e in extensions):
        usual = len(_USUAL)
        return tuple(
            sorted(extensions, key=lambda e: (_USUAL.index(e) if e in _USUAL else usual, e))
        )
    return ()


# The endings of most photos, most usual first.
_USUAL: Final = (".jpg", ".jpeg", ".heic", ".png")


def _unreadable(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:  # a link that points at itself
        return "symbolic link loop"
    return f"cannot read: {exc.strerror or exc}"


def _wanted(name: str, options: WalkOptions, item: FileError) -> bool:
    """Skipped links to files are reported only when they look like images; links to
    folders, broken links and loops always are."""
    if item.error.startswith("skipped:") and not os.path.isdir(item.path):
        return os.path.splitext(name)[1].lower() in options.extensions
    return True


def _link(
    full: str,
    lst: os.stat_result,
    options: WalkOptions,
    link_once: Callable[[str, os.stat_result], bool],
) -> FollowedLink | FileError | None:
    """What the walk does with one symbolic link under the path policy."""
    try:
        st = os.stat(full)
    except FileNotFoundError:
        return FileError(full, "broken symbolic link")
    except OSError as exc:
        return FileError(full, _unreadable(exc))
    if options.follow_links and stat.S_ISDIR(st.st_mode):
        target = os.path.realpath(full)
        here = os.path.realpath(os.path.dirname(full))
        if here == target or here.startswith(target.rstrip(os.sep) + os.sep):
            # A link to a folder that holds it (``ln -s / x``, ``ln -s .. up``) would make
            # the whole of that folder, up to the machine, a chosen folder: never followed.
            if not link_once(full, lst):
                return None
            return FileError(
                full,
                f"skipped: symbolic link to {target}, a folder that holds it (never followed)",
            )
        return FollowedLink(full, target)
    if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
        return None
    if not link_once(full, lst):
        return None
    return FileError(full, skipped_link_reason(full))
