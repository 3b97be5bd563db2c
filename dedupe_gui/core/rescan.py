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
from typing import Any, cast, overload

from dedupe_gui.core import companions
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.cache_identities import today
from dedupe_gui.core.cache_rows import fingerprint_of_row, from_db, path_blobs, same_versions
from dedupe_gui.core.fast_new import positional
from dedupe_gui.core.files import FollowedLink, Listing, walk_listings
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.identity import all_unchanged_since, unchanged_since
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
# Records without __init__ (core.fast_new): one for each grouped file.
_record = positional(ImageRecord)
_file_key = positional(FileKey)
# The columns of a row of ``FingerprintStore.stored``.
_ERROR, _DIGEST, _IDENT, _IDENT_READ_AT, _SEEN = (operator.itemgetter(n) for n in (2, 3, 4, 5, 7))


@dataclass(frozen=True, slots=True)
class ReadBack:
    """A rescan read back: the scan's result and its groups. ``result.records`` holds only
    the records of grouped files (the others were never made); its stats count them all."""

    result: ScanResult
    groups: list[Group]


def _as_digest(value: Any) -> str | None:
    """A cache row's digest column as a record holds it (a number stored by SQLite read as
    text)."""
    return value if value is None or type(value) is str else str(value)


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
            comps = self.attached.get(self.paths[i], ())
            record = self.found.get(i)
            if record is None:
                record = self.make(i, comps)
            elif comps:
                record = replace(record, companions=comps)
            self.made[place] = record
        return record

    def digests(self) -> list[str | None]:
        """``digest(i)`` of every file, by file index."""
        out = [_as_digest(d) for d in map(_DIGEST, self.rows)]
        for i, record in self.found.items():
            out[i] = record.digest
        return out

    def digest(self, i: int) -> str | None:
        """File ``i``'s content digest: the cache's, or the one read for this scan."""
        record = self.found.get(i)
        if record is not None:
            return record.digest
        return _as_digest(_DIGEST(self.rows[i]))

    def make(self, i: int, comps: tuple[Companion, ...] = ()) -> ImageRecord:
        """File ``i``'s record as ``run_scan`` makes it from a cache hit: the head-and-tail
        digest kept only when it was read at the change time the walk saw."""
        row, change = self.rows[i], self.changes[i]
        return _record(
            _file_key(self.paths[i], self.sizes[i], self.mtimes[i]),
            fingerprint_of_row(row[8:], False),
            self.references[i],
            self.digest(i),
            comps,
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
    # Column by column, in C where it can be: these run once a file of the library.
    get: Callable[[bytes], tuple[Any, ...] | None] = stored.get
    found = list(map(get, blobs))
    if None in found:
        return walked  # a file the cache does not hold: it is fingerprinted
    rows = cast("list[tuple[Any, ...]]", found)
    if not same_versions(rows, sizes, mtimes):
        return walked  # a file not in the cache as it is now: it is fingerprinted again
    day = today()
    seen = list(map(_SEEN, rows))
    unseen = (
        []
        if None not in seen and min(seen, default=day) >= day
        else [b for b, d in zip(blobs, seen, strict=True) if d is not None and d < day]
    )
    failed = list(map(_ERROR, rows))
    if failed.count(None) == total:
        kept = list(range(total))  # every file has a fingerprint
    else:
        errors += [FileError(paths[i], str(e)) for i, e in enumerate(failed) if e is not None]
        kept = [i for i, e in enumerate(failed) if e is None]
    if options.follow_content:
        kept_rows = rows if len(kept) == total else [rows[i] for i in kept]
        kept_changes = changes if len(kept) == total else [changes[i] for i in kept]
        if None in map(_IDENT, kept_rows) or not all_unchanged_since(
            list(map(_IDENT_READ_AT, kept_rows)), kept_changes
        ):
            return walked  # a content identity would be read again (core.identity.follow)
    # Every file had its row (now in ``rows``): the rows by path are let go while the
    # records and groups are made, and made again for a scan that does not read back.
    del stored, walked, get, found
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
    digests = records.digests()
    rare = [
        (place, references[i], digests[i], attached.get(paths[i], ()))
        for place, i in enumerate(order)
        if references[i] or digests[i] is not None or attached.get(paths[i])
    ]
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
