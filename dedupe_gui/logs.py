"""Where the application writes what it did: the standard ``logging`` module, set up once.

Every module logs to ``logging.getLogger(__name__)`` (under ``dedupe_gui``). The command line
and the window call ``setup_logging`` at start: messages go to a log file in the user's state
folder (``~/.local/state/dedupe-gui/dedupe-gui.log`` on Linux, kept to a few hundred kB by
rotation) and, for warnings or with ``-v``, to stderr. A log file that cannot be opened is
said once on stderr and logging goes on without it: a log is never a reason to stop.
"""

from __future__ import annotations

import logging
import logging.handlers
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
    from platformdirs import user_state_dir

    return os.path.join(user_state_dir("dedupe-gui", appauthor=False), "dedupe-gui.log")


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
        to_file = logging.handlers.RotatingFileHandler(
            path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8", delay=False
        )
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
