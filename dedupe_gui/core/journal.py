"""The write-ahead journal of cleanups: what was about to happen, and what happened.

Journal format (stable; ``restore`` reads it). UTF-8 text, one JSON object per line,
appended; each line is flushed and fsync'ed before the action it announces::

    {"time": "2026-12-02T19:40:00+00:00",  # UTC, ISO 8601
     "run": "20261202T194000Z-1234",         # one id per cleanup
     "action": "trash" | "move" | "delete" | "link",  # link: core.links
     "phase": "intent" | "outcome",          # intent: written before the file is touched
     "path": "/abs/copy.jpg",                # see "Names" below
     "size": 123, "mtime_ns": 1700000000000000000,
     "hash": "0f3c...",                      # dHash, 16 hex digits ("" for companions, links)
     "digest": "..." | null,                 # content digest from the scan, when one was taken
     "keeper": "/abs/kept.jpg",              # the copy that stays
     "dest": "/abs/dupes/copy.jpg" | null,   # where a move puts the file
     "companion_of": "/abs/copy.jpg",        # only on a companion's lines: its photo
     "outcome": null | "trashed" | "moved" | "deleted" | "linked" | "skipped" | "failed",
     "reason": ""}

An intent line without an outcome line means the program stopped while acting on that
file: it may or may not have moved. Names: ``path``, ``keeper``, ``dest`` and
``companion_of`` are Unicode; a name that is not valid UTF-8 is written with its
undecodable bytes as ``\\xNN`` text and the exact bytes in ``<field>_bytes`` (base64),
which readers prefer when present (``names.decode_path``).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from dedupe_gui.core.names import encode_path


@dataclass(frozen=True, slots=True)
class FileEntry:
    """What the journal says about one file, on both its lines."""

    path: str
    size: int
    mtime_ns: int
    keeper: str
    hash_hex: str = ""
    digest: str | None = None
    companion_of: str = ""


def _lock(fd: int) -> bool:
    """An exclusive lock on the open journal, not waited for: False when another process (or
    another open of it) holds one. Where locks are not supported it is not taken."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks to share with other programs
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    return True


class JournalError(Exception):
    """The journal cannot be written: the cleanup must not go on."""


class Journal:
    """Write-ahead JSON lines (format in the module docstring); every line is fsync'ed.

    ``open`` fails early (``JournalError``) when the file cannot be written, so a cleanup
    that cannot record what it does touches nothing, and when another cleanup holds the
    journal: two windows (or a window and a command) cleaning one library with different
    choices would each re-check its keeper before the other removed it, and could send every
    copy of a picture to the trash. Held from ``open`` to ``close``, one at a time.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self.run = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + f"-{os.getpid()}"

    def open(self) -> None:
        if self.path is None:
            return
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (held open)
            os.fsync(self._file.fileno())
        except OSError as exc:
            raise JournalError(
                f"cannot write the journal {self.path} ({exc.strerror or exc}); nothing was touched"
            ) from exc
        if not _lock(self._file.fileno()):
            self.close()
            raise JournalError(
                f"another cleanup is running with the journal {self.path} (another window or "
                "command): try again once it has finished, when its choices are on disk; "
                "nothing was touched"
            )

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def write(
        self,
        phase: str,
        action: str,
        entry: FileEntry,
        destination: str | None = None,
        outcome: tuple[str, str] | None = None,
    ) -> None:
        """One line; ``outcome`` is (status, reason) on outcome lines, None on intents."""
        if self._file is None:
            return
        line: dict[str, Any] = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run": self.run,
            "action": action,
            "phase": phase,
            "size": entry.size,
            "mtime_ns": entry.mtime_ns,
            "hash": entry.hash_hex,
            "digest": entry.digest,
            "outcome": None if outcome is None else outcome[0],
            "reason": "" if outcome is None else outcome[1],
            "dest": None,
        }
        line.update(encode_path(entry.path, "path"))
        line.update(encode_path(entry.keeper, "keeper"))
        if destination is not None:
            line.update(encode_path(destination, "dest"))
        if entry.companion_of:
            line.update(encode_path(entry.companion_of, "companion_of"))
        text = json.dumps(line, ensure_ascii=True) + "\n"
        with self._lock:
            try:
                self._file.write(text)
                self._file.flush()
                os.fsync(self._file.fileno())
            except OSError as exc:
                raise JournalError(
                    f"cannot write the journal {self.path} ({exc.strerror or exc}); "
                    "the cleanup stopped"
                ) from exc
