"""A rescan of an unchanged library, read back in columns: no object per file.

Once a library's grouping is kept in the cache (core.kept_groupings), a rescan that finds
every file as it was spends its time making objects: a ``FoundFile`` per file from the
walk, a cache entry, a ``Fingerprint`` and an ``ImageRecord`` per file, for 100,000 files,
to group them into what was kept, of which a third are in any group. Here the walk gives
its files as columns (core.files.walk_listings), the cache gives its rows in one pass, the
versions are compared row by row, the key of the kept grouping is taken from the columns
(``library_digest_of``: the same key ``run_scan`` + ``group_kept`` compute) and records are
made only for the files the groups name, and for the few the exact-copy digests need.

This is the scan ``run_scan`` would make, not a guess at it: it only answers when every
file the walk found is a cache hit ``run_scan`` would take as it is (this size and mtime,
its change time the one its identity was read at, or a stored failure), and when the
grouping of those records is kept. Anything else (a file added, changed, touched, moved, a
grouping not kept) gives what it walked and read (``scan.Walked``), and the caller scans
and groups in full with them, as before, without walking and reading the cache again.
"""

from __future__ import annotations

import itertools
import logging
import operator
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, overload

from dedupe_gui.core import companions
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.cache_identities import today
from dedupe_gui.core.cache_rows import fingerprint_of_row, from_db, path_blobs, same_version
from dedupe_gui.core.files import FollowedLink, Listing, walk_listings
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.identity import unchanged_since
from dedupe_gui.core.kept_groupings import decode, grouping_key, library_digest_of
from dedupe_gui.core.models import (
    Companion,
    FileError,
    FileKey,
    Group,
    ImageRecord,
    Phase,
    Progress,
    ScanResult,
    ScanStats,
)
from dedupe_gui.core.roots import normalise_root
from dedupe_gui.core.scan import (
    ProgressCallback,
    Reporter,
    ScanOptions,
    Walked,
    add_digests,
    scan_roots,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReadBack:
    """A rescan read back: the scan's result and its groups. ``result.records`` holds only
    the records of grouped files (the others were never made); its stats count them all."""

    result: ScanResult
    groups: list[Group]


class _Records(Sequence[ImageRecord]):
    """The scan's records in path order, each made when first asked for."""

    def __init__(
        self,
        order: list[int],
        paths: list[str],
        sizes: list[int],
        mtimes: list[int],
        changes: list[int],
        references: list[bool],
        rows: list[tuple[Any, ...]],
        attached: dict[str, tuple[Companion, ...]],
    ) -> None:
        self.order, self.paths, self.sizes, self.mtimes = order, paths, sizes, mtimes
        self.changes, self.references, self.rows = changes, references, rows
        self.attached = attached
        self.found: dict[int, ImageRecord] = {}  # by file index: made early (digests read)
        self.made: dict[int, ImageRecord] = {}  # by place in path order

    def __len__(self) -> int:
        return len(self.order)

    @overload
    def __getitem__(self, place: int) -> ImageRecord: ...

    @overload
    def __getitem__(self, place: slice) -> Sequence[ImageRecord]: ...

    def __getitem__(self, place: int | slice) -> ImageRecord | Sequence[ImageRecord]:
        if isinstance(place, slice):
            return [self[i] for i in range(*place.indices(len(self)))]
        if place < 0:
            place += len(self.order)
        record = self.made.get(place)
        if record is None:
            i = self.order[place]  # IndexError beyond the end, as a list
            record = self.found.get(i) or self.make(i)
            comps = self.attached.get(self.paths[i])
            if comps:
                record = replace(record, companions=comps)
            self.made[place] = record
        return record

    def digest(self, i: int) -> str | None:
        """File ``i``'s content digest: the cache's, or the one read for this scan."""
        record = self.found.get(i)
        if record is not None:
            return record.digest
        digest = self.rows[i][3]
        return digest if digest is None or type(digest) is str else str(digest)

    def make(self, i: int) -> ImageRecord:
        """File ``i``'s record as ``run_scan`` makes it from a cache hit: the head-and-tail
        digest kept only when it was read at the change time the walk saw."""
        row, change = self.rows[i], self.changes[i]
        return ImageRecord(
            FileKey(self.paths[i], self.sizes[i], self.mtimes[i]),
            fingerprint_of_row(row[8:], False),
            self.references[i],
            self.digest(i),
            (),
            row[6] if unchanged_since(row[5], change) else None,
            change,
        )


def read_back_scan(
    options: ScanOptions,
    grouping: GroupingOptions,
    store: FingerprintStore,
    should_stop: Callable[[], bool] = lambda: False,
    progress: ProgressCallback | None = None,
) -> ReadBack | Walked | None:
    """The scan and kept grouping of an unchanged library (see the module docstring):
    ``run_scan(options, store)`` then ``group_kept(records, grouping, store)``, with the same
    groups, errors and counts. Otherwise what it walked and read, for ``run_scan(...,
    walked=)``; None when it walked nothing (options it does not read back)."""
    if not options.thumbs_in_store:
        return None  # records holding their thumbnails: read them the usual way
    started = time.monotonic()
    report = Reporter(progress, options.progress_interval)
    paths: list[str] = []
    sizes: list[int] = []
    mtimes: list[int] = []
    changes: list[int] = []
    references: list[bool] = []
    errors: list[FileError] = []
    link_roots: list[str] = []
    listed: dict[str, list[tuple[str, str]]] = {}
    listings: list[Listing] = []
    for listing in walk_listings(options.paths, options.walk, should_stop):
        listings.append(listing)
        if listing.files is not None:
            listed[listing.folder] = listing.files
        for _, item in listing.others:
            if isinstance(item, FollowedLink):
                if item.target not in link_roots:
                    link_roots.append(item.target)
            else:
                errors.append(item)
        paths += listing.paths
        sizes += listing.sizes
        mtimes += listing.mtimes
        changes += listing.changes
        references += [listing.reference] * len(listing.paths)
        report(Progress(Phase.WALKING, len(paths), 0, errors=len(errors)))
    if should_stop():
        return Walked(listings)
    total = len(paths)
    blobs = path_blobs(paths)
    stored = store.stored(blobs, thumbs=False)
    walked = Walked(listings, stored)
    rows: list[tuple[Any, ...]] = []
    kept: list[int] = []  # files with a fingerprint (the others are stored failures)
    unseen: list[bytes] = []
    day = today()
    trust_change = options.follow_content
    get = stored.get
    for i, blob in enumerate(blobs):
        row = get(blob)
        if row is None or not same_version(row, sizes[i], mtimes[i]):
            return walked  # not this version of the file: it is fingerprinted again
        rows.append(row)
        seen = row[7]
        if seen is not None and seen < day:
            unseen.append(blob)
        if row[2] is not None:
            errors.append(FileError(paths[i], str(row[2])))
            continue
        if trust_change and (row[4] is None or not unchanged_since(row[5], changes[i])):
            return walked  # its content identity would be read again (core.identity.follow)
        kept.append(i)
    # Every file had its row (now in ``rows``): the rows by path are let go while the
    # records and groups are made, and made again for a scan that does not read back.
    del stored, walked, get
    # The records in path order, as run_scan sorts them (the walk's order most often is).
    in_walk_order = all(map(operator.lt, paths, itertools.islice(paths, 1, None)))
    order = kept if in_walk_order else sorted(kept, key=paths.__getitem__)
    in_order = [paths[i] for i in order]
    sizes_in_order = [sizes[i] for i in order]
    hashes = [from_db(rows[i][8]) for i in order]
    attached = companions.find_companions(in_order, None, listed) if options.companions else {}
    records = _Records(order, paths, sizes, mtimes, changes, references, rows, attached)
    if not _add_digests(
        records, list(zip(sizes_in_order, hashes, strict=True)), store, errors, should_stop
    ):
        return Walked(listings, dict(zip(blobs, rows, strict=True)))
    rare: list[tuple[int, bool, str | None, tuple[Companion, ...]]] = []
    for place, i in enumerate(order):
        comps = attached.get(paths[i], ())
        digest = records.digest(i)
        if references[i] or digest is not None or comps:
            rare.append((place, references[i], digest, comps))
    library = library_digest_of(in_order, sizes_in_order, [mtimes[i] for i in order], hashes, rare)
    formed = store.kept_grouping(grouping_key(records, grouping, library))
    groups = None if formed is None else decode(formed, records)
    if groups is None:
        return Walked(listings, dict(zip(blobs, rows, strict=True)))
    del listings
    store.mark_seen(unseen)
    errors.sort(key=lambda e: e.path)
    seconds = time.monotonic() - started
    report(Progress(Phase.HASHING, total, total, total, len(errors)), force=True)
    log.info(
        "scan of %s: %d files read back from the cache, %d unreadable, %.1f s",
        ", ".join(options.paths),
        total,
        len(errors),
        seconds,
    )
    return ReadBack(
        ScanResult(
            paths=tuple(os.path.abspath(p) for p in options.paths),
            records=tuple(records.made[p] for p in sorted(records.made)),
            errors=tuple(errors),
            stats=ScanStats(
                files=total, images=len(order), hashed=0, from_cache=total, seconds=seconds
            ),
            roots=scan_roots(options, link_roots),
            references=tuple(normalise_root(r) for r in options.walk.references),
        ),
        groups,
    )


def _add_digests(
    records: _Records,
    versions: list[tuple[int, int]],
    store: FingerprintStore,
    errors: list[FileError],
    should_stop: Callable[[], bool],
) -> bool:
    """What ``add_digests`` makes of the files that share a size and hash (``versions``, in
    path order) with another where a digest is missing (it reads nothing when the cache kept
    what it needs), into ``records``; it leaves the others as they are. False when stopped."""
    shared = {v for v, n in Counter(versions).items() if n > 1}
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, v in zip(records.order, versions, strict=True):
        if v in shared:
            buckets[v].append(i)
    wanted = [
        i
        for members in buckets.values()
        if any(records.digest(i) is None for i in members)
        for i in members
    ]
    if should_stop():
        return False
    if wanted:
        made = add_digests([records.make(i) for i in wanted], store, errors, None, should_stop)
        records.found.update(zip(wanted, made, strict=True))
    return not should_stop()
