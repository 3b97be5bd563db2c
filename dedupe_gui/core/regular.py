"""Opening a file for reading only when it is a regular file.

A named pipe (FIFO) put in a photo's place after the walk would block ``open`` until some
other program writes to it: a scan, a thumbnail or a cleanup's re-check would hang on that
one file, and a thread blocked in ``open`` cannot be cancelled. A device file would be read
without end. The file is opened without blocking and looked at before anything is read.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


class NotRegularFile(OSError):
    """The path names a named pipe, a device, a socket or a folder, not a file's bytes."""

    def __str__(self) -> str:
        return self.strerror or "not a regular file"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def open_regular(path: str) -> BinaryIO:
    """``path`` opened for binary reading; NotRegularFile (an OSError) when it is not a
    regular file now, without waiting on it."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file: {_kind(mode)}", path)
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
