"""The engine of dedupe_gui: everything that finds, groups and removes duplicates, without Qt.

The command line and the window both drive this pipeline; neither adds rules of its own.

1. **walk** (``files.walk``): the chosen folders, each physical file once, never outside
   them; links are not followed unless asked (the path policy in ``files``); unreachable
   paths become ``FileError`` values.
2. **fingerprint** (``fingerprint.fingerprint_file``, opened through ``decode``): the 64-bit
   dHash of the image as displayed, a 32x32 thumbnail and the hashes of the seven other
   orientations; a file that cannot be read yields a ``Failure`` with the reason.
3. **cache** (``cache.FingerprintStore``): fingerprints and failures by path, size and mtime,
   so a rescan decodes only what changed. ``scan.run_scan`` runs steps 1-3 on a thread pool
   with progress and cancellation.
4. **candidates** (``hamming``): every pair of hashes within the threshold, found by an exact
   multi-index Hamming search.
5. **verify** (``verify``): the thumbnails of each candidate pair, aligned to undo a crop,
   must show the same picture.
6. **groups** (``grouping.SimilarityIndex``): keeper-centred groups under one
   ``GroupingOptions``; regrouping at another threshold reuses the search and the checks.
7. **keeper** (``keeper``): the ordered rules that pick the suggested keeper of a group.
8. **actions** (``actions.apply_removals``): the user's removals, re-checked as the disk is
   at that moment (``revalidate``), to the trash (or a folder), journalled write-ahead
   (``journal``), never every copy of a group.

``report`` writes and reads results (JSON, CSV); ``hashes`` is the hash as a value (text form,
distance) without Pillow; ``models`` holds the plain data every step passes on.

The names below are loaded on first use, so ``import dedupe_gui.core`` costs nothing: numpy
and Pillow are imported only by the steps that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    # plain data
    "FileKey": "models",
    "Fingerprint": "models",
    "Failure": "models",
    "Entry": "models",
    "ImageRecord": "models",
    "FileError": "models",
    "Phase": "models",
    "Progress": "models",
    "ScanStats": "models",
    "ScanResult": "models",
    "GroupMember": "models",
    "Group": "models",
    # 1-3: walk, fingerprint, cache, the scan that runs them
    "WalkOptions": "files",
    "walk": "files",
    "fingerprint_file": "fingerprint",
    "FingerprintError": "fingerprint",
    "FingerprintStore": "cache",
    "default_cache_path": "cache",
    "ScanOptions": "scan",
    "run_scan": "scan",
    "fingerprint_entry": "scan",
    # 4-7: candidates, verification, groups, keeper
    "GroupingOptions": "grouping_options",
    "SimilarityIndex": "grouping",
    "GroupingStopped": "grouping",
    "group_records": "grouping",
    "summarise": "models",
    "DEFAULT_RULES": "keeper",
    "RULES": "keeper",
    "DEFAULT_THRESHOLD": "threshold",
    "PRESETS": "threshold",
    "parse_threshold": "threshold",
    # 8: actions
    "CleanupOptions": "actions",
    "CleanupStopped": "actions",
    "Scope": "actions",
    "Removal": "actions",
    "Outcome": "actions",
    "Status": "actions",
    "apply_removals": "actions",
    "default_journal_path": "actions",
    # results files and the hash as a value
    "Report": "report",
    "ReportError": "report",
    "hash_to_hex": "hashes",
    "hex_to_hash": "hashes",
    "distance": "hashes",
}

__all__ = [
    "DEFAULT_RULES",
    "DEFAULT_THRESHOLD",
    "PRESETS",
    "RULES",
    "CleanupOptions",
    "CleanupStopped",
    "Entry",
    "Failure",
    "FileError",
    "FileKey",
    "Fingerprint",
    "FingerprintError",
    "FingerprintStore",
    "Group",
    "GroupMember",
    "GroupingOptions",
    "GroupingStopped",
    "ImageRecord",
    "Outcome",
    "Phase",
    "Progress",
    "Removal",
    "Report",
    "ReportError",
    "ScanOptions",
    "ScanResult",
    "ScanStats",
    "Scope",
    "SimilarityIndex",
    "Status",
    "WalkOptions",
    "apply_removals",
    "default_cache_path",
    "default_journal_path",
    "distance",
    "fingerprint_entry",
    "fingerprint_file",
    "group_records",
    "hash_to_hex",
    "hex_to_hash",
    "parse_threshold",
    "run_scan",
    "summarise",
    "walk",
]

if TYPE_CHECKING:
    from dedupe_gui.core.actions import (
        CleanupOptions,
        CleanupStopped,
        Outcome,
        Removal,
        Scope,
        Status,
        apply_removals,
        default_journal_path,
    )
    from dedupe_gui.core.cache import FingerprintStore, default_cache_path
    from dedupe_gui.core.files import WalkOptions, walk
    from dedupe_gui.core.fingerprint import FingerprintError, fingerprint_file
    from dedupe_gui.core.grouping import GroupingStopped, SimilarityIndex, group_records
    from dedupe_gui.core.grouping_options import GroupingOptions
    from dedupe_gui.core.hashes import distance, hash_to_hex, hex_to_hash
    from dedupe_gui.core.keeper import DEFAULT_RULES, RULES
    from dedupe_gui.core.models import (
        Entry,
        Failure,
        FileError,
        FileKey,
        Fingerprint,
        Group,
        GroupMember,
        ImageRecord,
        Phase,
        Progress,
        ScanResult,
        ScanStats,
        summarise,
    )
    from dedupe_gui.core.report import Report, ReportError
    from dedupe_gui.core.scan import ScanOptions, fingerprint_entry, run_scan
    from dedupe_gui.core.threshold import DEFAULT_THRESHOLD, PRESETS, parse_threshold


def __getattr__(name: str) -> Any:
    """Load the submodule that defines ``name`` on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
