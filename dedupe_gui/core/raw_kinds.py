"""Which files are camera RAW: by name (``RAW_EXTENSIONS``) and by their first bytes
(``raw_kind``), apart from ``raw``, which reads their previews.

The walk and every decode ask these; only a RAW file needs the preview reader and its
structures, so a library without one never loads it.
"""

from __future__ import annotations

from typing import Final

RAW_EXTENSIONS: Final[frozenset[str]] = frozenset(
    {
        ".cr2",
        ".cr3",
        ".nef",
        ".nrw",
        ".arw",
        ".srf",
        ".sr2",
        ".dng",
        ".raf",
        ".orf",
        ".rw2",
        ".pef",
        ".srw",
    }
)


def raw_kind(head: bytes) -> str | None:
    """The RAW format a file's first bytes prove, or None.

    Formats that are plain TIFF inside (DNG, NEF, ARW, PEF, ...) are told apart from a TIFF
    photo only by their directories: see ``tiff_raw_kind``.
    """
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "RAF"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] == b"crx ":
        return "CR3"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR"):
        return "ORF"
    if head[:4] == b"IIU\x00":
        return "RW2"
    if head[:4] == b"II*\x00" and head[8:10] == b"CR":
        return "CR2"
    return None
