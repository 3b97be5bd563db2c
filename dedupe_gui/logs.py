"""Where the application writes what it did: the standard ``logging`` module, set up once.

Every module logs to ``logging.getLogger(__name__)`` (under ``dedupe_gui``). The command line
and the window call ``setup_logging`` at start: messages go to a log file in the user's state
folder (``~/.local/state/dedupe-gui/dedupe-gui.log`` on Linux, kept to a few hundred kB by
rotation) and, for warnings or with ``-v``, to stderr. A log file that cannot be opened is
said once on stderr and logging goes on without it: a log is never a reason to stop.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

LOGGER = "dedupe_gui"
_HANDLER_NAME = "dedupe_gui"  # marks the handlers set up here, so a second setup replaces them
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
_MAX_BYTES = 512 * 1024
_BACKUPS = 2


def default_log_path() -> str:
    """``dedupe-gui.log`` in the user state folder of this platform."""
    return os.path.join(_state_folder(), "dedupe-gui.log")


def _state_folder() -> str:
    """The user state folder of this platform, as platformdirs names it.

    On Linux the XDG rule is read here (``$XDG_STATE_HOME`` when it is an absolute path,
    else ``~/.local/state``), which is what platformdirs gives there (tests/test_logs.py
    holds the two equal): importing platformdirs imports tempfile, shutil, lzma, bz2 and
    random, 10-15 ms before every command's first line of work. Anything less plain (other
    systems, Android, a home folder that is not an absolute path) asks platformdirs.
    """
    if sys.platform.startswith("linux") and not os.environ.get("ANDROID_DATA"):
        base = os.environ.get("XDG_STATE_HOME", "")
        if not os.path.isabs(base):
            base = os.path.expanduser("~/.local/state")
        if os.path.isabs(base):
            return os.path.join(base, "dedupe-gui")
    from platformdirs import user_state_dir

    return user_state_dir("dedupe-gui", appauthor=False)


class _RotatingFile(logging.FileHandler):
    """A log file that is renamed aside (``.1``, ``.2``, the oldest dropped) before a line
    would take it to ``max_bytes``: the rotation of ``logging.handlers.RotatingFileHandler``,
    without importing logging.handlers, which imports socket, pickle and queue (10-20 ms
    before every command's first line of work) for handlers a log file never uses."""

    def __init__(self, path: str, max_bytes: int, backups: int) -> None:
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
        except Exception:  # as logging's own handlers do: said on stderr, never raised
            self.handleError(record)  # and the line still goes to the file as it is
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.stream is None or not os.path.isfile(self.baseFilename):
            return False  # a log that is not a regular file (/dev/null, a pipe) never rotates
        self.stream.seek(0, os.SEEK_END)
        return self.stream.tell() + len(self.format(record)) + 1 >= self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
        try:
            for i in range(self.backups - 1, 0, -1):
                older, newer = f"{self.baseFilename}.{i}", f"{self.baseFilename}.{i + 1}"
                if os.path.exists(older):
                    os.replace(older, newer)
            if self.backups > 0:
                os.replace(self.baseFilename, f"{self.baseFilename}.1")
            else:
                os.remove(self.baseFilename)
        finally:
            # Opened again whether or not the renames went through (a folder that cannot be
            # written, another program holding a file): a log whose rotation failed goes on.
            self.stream = self._open()


def setup_logging(
    verbosity: int = 0, log_path: str | None = None, stream: TextIO | None = None
) -> str | None:
    """Log to ``log_path`` (default: the state folder) and to ``stream`` (stderr).

    ``verbosity`` 0 shows warnings on the stream and keeps INFO in the file; 1 (``-v``) shows
    INFO on the stream too; 2 (``-vv``) DEBUG everywhere. Returns the log file's path, or None
    when it could not be opened.
    """
    logger = logging.getLogger(LOGGER)
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
        handler.close()
    stream_level = (logging.WARNING, logging.INFO)[verbosity] if verbosity < 2 else logging.DEBUG
    file_level = logging.DEBUG if verbosity >= 2 else logging.INFO
    logger.setLevel(min(stream_level, file_level))
    logger.propagate = False
    formatter = logging.Formatter(_FORMAT)

    console = logging.StreamHandler(stream if stream is not None else sys.stderr)
    console.set_name(_HANDLER_NAME)
    console.setLevel(stream_level)
    console.setFormatter(logging.Formatter("dedupe-gui: %(levelname)s: %(message)s"))
    logger.addHandler(console)

    path = log_path or default_log_path()
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        to_file = _RotatingFile(path, _MAX_BYTES, _BACKUPS)
    except OSError as exc:
        logger.warning("no log file (%s): %s", path, exc.strerror or exc)
        return None
    to_file.set_name(_HANDLER_NAME)
    to_file.setLevel(file_level)
    to_file.setFormatter(formatter)
    logger.addHandler(to_file)
    return path


def verbosity_of(args: list[str]) -> tuple[int, list[str]]:
    """``-v``, ``-vv`` and ``--verbose`` taken out of ``args`` (anywhere before ``--``)."""
    level = 0
    rest: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg == "--verbose":
            level += 1
        elif len(arg) > 1 and arg.startswith("-") and set(arg[1:]) == {"v"}:
            level += len(arg) - 1
        else:
            rest.append(arg)
    return min(level, 2), rest
