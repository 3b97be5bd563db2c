"""Building ImageRecords directly, for tests of grouping and cleanup logic without decoding."""

from __future__ import annotations

from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord


def record(
    path: str,
    hash_: int,
    *,
    size: int = 1000,
    wh: tuple[int, int] = (100, 100),
    mtime_ns: int = 1,
    reference: bool = False,
    taken: str | None = None,
    camera: str | None = None,
    digest: str | None = None,
) -> ImageRecord:
    return ImageRecord(
        FileKey(path, size, mtime_ns),
        Fingerprint(hash_, wh[0], wh[1], "JPEG", taken, camera),
        reference,
        digest,
    )
