"""Walking the chosen folders: which files are candidate images, and which are not reachable.

The walk never follows a directory twice (symlink loops, bind mounts) and yields each
physical file once (hard links and symlinks to files are one photo, and trashing one name
of a hard-linked file frees nothing). Anything unreadable becomes a ``FileError`` and the
walk goes on.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dedupe_gui.core.models import FileError, FileKey
from dedupe_gui.core.raw import RAW_EXTENSIONS

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


@dataclass(frozen=True, slots=True)
class FoundFile:
    key: FileKey
    reference: bool
    change_ns: int = 0  # st_ctime_ns: the cache re-reads a file's identity when it moved

    @property
    def path(self) -> str:
        return self.key.path


def normalise_root(path: str) -> str:
    """An absolute, symlink-resolved spelling of a folder, for prefix comparisons."""
    return os.path.realpath(os.path.abspath(os.path.expanduser(path)))


def is_under(path: str, roots: Iterable[str]) -> bool:
    """True when ``path`` (already absolute) lies inside one of ``roots`` (normalised)."""
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _excluded(name: str, full: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, pat) or fnmatch.fnmatchcase(full, pat) for pat in patterns)


def walk(
    paths: Iterable[str],
    options: WalkOptions,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[FoundFile | FileError]:
    """Yield every candidate image under ``paths`` (files or folders), sorted per folder.

    Sorting makes results deterministic across runs and file systems.
    """
    references = tuple(normalise_root(r) for r in options.references)
    excludes = options.excludes + DEFAULT_EXCLUDES
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def in_reference(path: str) -> bool:
        return bool(references) and is_under(path, references)

    def file_entry(path: str, st: os.stat_result, reference: bool) -> FoundFile | FileError | None:
        if not stat.S_ISREG(st.st_mode):
            return None
        ident = (st.st_dev, st.st_ino)
        if ident in seen_files:
            return None
        seen_files.add(ident)
        if st.st_size < options.min_size:
            if st.st_size == 0:
                return FileError(path, "empty file (0 bytes)")
            return None
        return FoundFile(FileKey(path, st.st_size, st.st_mtime_ns), reference, st.st_ctime_ns)

    for given in paths:
        top = os.path.abspath(os.path.expanduser(given))
        try:
            st = os.stat(top)
        except FileNotFoundError:
            yield FileError(top, "no such file or folder")
            continue
        except OSError as exc:
            yield FileError(top, f"cannot read: {exc.strerror or exc}")
            continue
        if stat.S_ISREG(st.st_mode):
            # A file named on purpose is scanned whatever its extension.
            given_file = file_entry(top, st, in_reference(top))
            if given_file is not None:
                yield given_file
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield FileError(top, "not a regular file or folder")
            continue

        stack = [top]
        while stack:
            if should_stop():
                return
            folder = stack.pop()
            try:
                fst = os.stat(folder)
            except OSError as exc:
                yield FileError(folder, f"cannot read folder: {exc.strerror or exc}")
                continue
            ident = (fst.st_dev, fst.st_ino)
            if ident in seen_dirs:
                continue  # a symlink loop, or a folder reached twice
            seen_dirs.add(ident)
            # Resolved once per folder: files inside lie where their folder lies, unless
            # they are links (resolved one by one below).
            folder_is_reference = in_reference(folder)
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                yield FileError(folder, f"cannot read folder: {exc.strerror or exc}")
                continue
            subdirs: list[str] = []
            for entry in entries:
                name = entry.name
                full = entry.path
                if not options.include_hidden and name.startswith("."):
                    continue
                if _excluded(name, full, excludes):
                    continue
                try:
                    est = entry.stat(follow_symlinks=True)
                except FileNotFoundError:
                    if entry.is_symlink():
                        yield FileError(full, "broken symbolic link")
                    continue  # vanished between listing and stat
                except OSError as exc:
                    if exc.errno == 40:  # ELOOP: a link that points at itself
                        yield FileError(full, "symbolic link loop")
                    else:
                        yield FileError(full, f"cannot read: {exc.strerror or exc}")
                    continue
                if stat.S_ISDIR(est.st_mode):
                    subdirs.append(full)
                elif os.path.splitext(name)[1].lower() in options.extensions:
                    reference = in_reference(full) if entry.is_symlink() else folder_is_reference
                    found = file_entry(full, est, reference)
                    if found is not None:
                        yield found
            stack.extend(reversed(subdirs))
