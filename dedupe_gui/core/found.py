"""What the walk and a running scan say before any picture is decoded: a version of a file
(``FileKey``), a file that could not be used (``FileError``), a file without a fingerprint
(``Failure``) and the scan's progress (``Progress``).

Apart from core.models, which holds them too, so that the command line starts its first
decodes without creating the records, groups and results (eight more frozen dataclasses,
about 5 ms of a start-up) that a scan needs only after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class FileKey:
    """What identifies one version of a file: a change of size or mtime means new content."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a file has no fingerprint, in words a person can act on.

    A value rather than an exception so that the scan, the cache (which keeps failures too, so
    a broken file is not decoded on every scan) and the callers can pass it along like a
    fingerprint; a type of its own so it cannot be mistaken for any other string.
    """

    reason: str


@dataclass(frozen=True, slots=True)
class FileError:
    """A file or folder that could not be used, with a reason a person can act on."""

    path: str
    error: str


class Phase(str, Enum):
    WALKING = "walking"
    HASHING = "hashing"


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a running scan, cheap to copy across threads."""

    phase: Phase
    done: int
    total: int
    from_cache: int = 0
    errors: int = 0
    current: str = ""
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        """Files per second so far (0 before any work)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining_seconds(self) -> float | None:
        """Estimated time left, or None while there is nothing to estimate from."""
        if self.done == 0 or self.total <= self.done:
            return None
        return (self.total - self.done) / self.rate if self.rate > 0 else None
