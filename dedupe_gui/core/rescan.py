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

import bisect
import itertools
import logging
import operator
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast, overload

from dedupe_gui.core import companions
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.cache_identities import today
from dedupe_gui.core.cache_rescan import FINGERPRINT_AT
from dedupe_gui.core.cache_rows import (
    fingerprint_of_row,
    from_db_all,
    path_blobs,
    same_versions,
)
from dedupe_gui.core.exact_copies import add_digests
from dedupe_gui.core.fast_new import positional
from dedupe_gui.core.files import FollowedLink, Listing, walk_listings
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.identity import all_unchanged_since, unchanged_since
from dedupe_gui.core.kept_groupings import build, grouping_key, library_digest_of, parse, places
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
    scan_roots,
)

log = logging.getLogger(__name__)
# Records without __init__ (core.fast_new): one for each grouped file.
_record = positional(ImageRecord)
_file_key = positional(FileKey)
# The columns of a row of ``FingerprintStore.versions`` (core.cache_rescan.VERSION_COLUMNS).
_HASH, _DIGEST, _ERROR, _ROWID = (operator.itemgetter(n) for n in (3, 4, 5, 6))
# Where a row of ``FingerprintStore.fingerprint_rows`` holds its path.
_ROW_PATH = operator.itemgetter(1)


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
    """The scan's records in path order, each made when first asked for, of the fingerprint
    rows ``fetch`` read for it."""

    def __init__(
        self,
        order: list[int],
        paths: list[str],
        blobs: list[bytes],
        sizes: list[int],
        mtimes: list[int],
        changes: list[int],
        references: list[bool],
        digests: list[str | None],
        attached: dict[str, tuple[Companion, ...]],
    ) -> None:
        self.order, self.paths, self.blobs, self.sizes = order, paths, blobs, sizes
        self.mtimes, self.changes, self.references = mtimes, changes, references
        self.stored_digests, self.attached = digests, attached
        self.rows: dict[int, tuple[Any, ...]] = {}  # by file index: its fingerprint row
        self.quick: dict[bytes, tuple[Any, ...]] = {}  # (path, change_ns, quick) by path
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

    def fetch(self, store: FingerprintStore, wanted: list[int], rowids: list[int]) -> bool:
        """Read the fingerprint rows of files ``wanted`` (file indices; ``rowids`` by file
        index), and the head-and-tail digests kept; False when a row is no longer of the path
        and version the scan compared (another scan wrote the cache since)."""
        need = [i for i in wanted if i not in self.rows]
        if not need:
            return True
        if not self.quick:
            self.quick = store.kept_quick(self.blobs)
        got = store.fingerprint_rows([rowids[i] for i in need])
        rows = list(map(got.get, [rowids[i] for i in need]))
        if None in rows:
            return False
        fetched = cast("list[tuple[Any, ...]]", rows)
        if list(map(_ROW_PATH, fetched)) != [self.blobs[i] for i in need] or not same_versions(
            fetched, [self.sizes[i] for i in need], [self.mtimes[i] for i in need], at=2
        ):
            return False
        self.rows.update(zip(need, fetched, strict=True))
        return True

    def make_places(self, places: list[Any]) -> None:
        """The records at these places in path order (fetched), made at once: what
        ``self[place]`` makes, without a call of it a record (a third of the files of a
        library are grouped). Places that are not of these records are left to ``self[]``."""
        made, order, paths, rows, found = self.made, self.order, self.paths, self.rows, self.found
        attached, quick, blobs, changes = self.attached, self.quick, self.blobs, self.changes
        count = len(order)
        for place in places:
            if type(place) is not int or not 0 <= place < count or place in made:
                continue
            i = order[place]
            path = paths[i]
            comps = attached.get(path, ())
            record = found.get(i)
            if record is not None:
                made[place] = replace(record, companions=comps) if comps else record
                continue
            change = changes[i]
            kept = quick.get(blobs[i])
            made[place] = _record(
                _file_key(path, self.sizes[i], self.mtimes[i]),
                fingerprint_of_row(rows[i][FINGERPRINT_AT:], False),
                self.references[i],
                self.stored_digests[i],
                comps,
                kept[2] if kept is not None and unchanged_since(kept[1], change) else None,
                change,
            )

    def digests(self) -> list[str | None]:
        """``digest(i)`` of every file, by file index."""
        out = list(self.stored_digests)
        for i, record in self.found.items():
            out[i] = record.digest
        return out

    def digest(self, i: int) -> str | None:
        """File ``i``'s content digest: the cache's, or the one read for this scan."""
        record = self.found.get(i)
        return self.stored_digests[i] if record is None else record.digest

    def make(self, i: int, comps: tuple[Companion, ...] = ()) -> ImageRecord:
        """File ``i``'s record as ``run_scan`` makes it from a cache hit (its row fetched):
        the head-and-tail digest kept only when it was read at the change time the walk saw."""
        change = self.changes[i]
        kept = self.quick.get(self.blobs[i])
        return _record(
            _file_key(self.paths[i], self.sizes[i], self.mtimes[i]),
            fingerprint_of_row(self.rows[i][FINGERPRINT_AT:], False),
            self.references[i],
            self.digest(i),
            comps,
            kept[2] if kept is not None and unchanged_since(kept[1], change) else None,
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
    groups, errors and counts. Otherwise what it walked, for ``run_scan(..., walked=)``;
    None when it walked nothing (options it does not read back)."""
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
    walked = Walked(listings)
    if should_stop():
        return walked
    total = len(paths)
    blobs = path_blobs(paths)
    # Column by column, in C where it can be: these run once a file of the library. Only
    # what the decisions need is read here (core.cache_rescan); a scan that does not read
    # back reads its rows in full.
    versions = store.versions(blobs)
    found = list(map(versions.get, blobs))
    del versions
    if None in found:  # a file the cache does not hold: it is fingerprinted
        return _in_full(walked, store, blobs)
    rows = cast("list[tuple[Any, ...]]", found)
    if not same_versions(rows, sizes, mtimes, at=1):
        # A file not in the cache as it is now: it is fingerprinted again.
        return _in_full(walked, store, blobs)
    failed = list(map(_ERROR, rows))
    every = failed.count(None) == total  # every file has a fingerprint
    if every:
        kept = list(range(total))
    else:
        errors += [FileError(paths[i], str(e)) for i, e in enumerate(failed) if e is not None]
        kept = [i for i, e in enumerate(failed) if e is None]
    if options.follow_content:
        kept_blobs = blobs if every else [blobs[i] for i in kept]
        read_at = list(map(store.change_times(kept_blobs).get, kept_blobs))
        if not all_unchanged_since(read_at, changes if every else [changes[i] for i in kept]):
            # A content identity would be read again (core.identity.follow).
            return _in_full(walked, store, blobs)
        del read_at, kept_blobs
    rowids: list[int] = list(map(_ROWID, rows))
    stored_hashes: list[int] = list(map(_HASH, rows))
    digests: list[str | None] = list(map(_DIGEST, rows))
    if digests.count(None) != total:
        digests = [_as_digest(d) for d in digests]
    del rows, found, failed
    # The records in path order, as run_scan sorts them (the walk's order most often is).
    in_walk_order = all(map(operator.lt, paths, itertools.islice(paths, 1, None)))
    order = kept if in_walk_order else sorted(kept, key=paths.__getitem__)
    as_walked = every and in_walk_order  # place and file index are one
    in_order = paths if as_walked else [paths[i] for i in order]
    sizes_in_order = sizes if as_walked else [sizes[i] for i in order]
    hashes = from_db_all(stored_hashes if as_walked else [stored_hashes[i] for i in order])
    del stored_hashes
    attached = companions.find_companions(in_order, None, listed) if options.companions else {}
    records = _Records(order, paths, blobs, sizes, mtimes, changes, references, digests, attached)
    if not _add_digests(records, sizes_in_order, hashes, store, rowids, errors, should_stop):
        return _in_full(walked, store, blobs)
    library = library_digest_of(
        in_order,
        sizes_in_order,
        mtimes if as_walked else [mtimes[i] for i in order],
        hashes,
        _rare(records, as_walked),
    )
    formed = store.kept_grouping(grouping_key(records, grouping, library))
    kept_groups = None if formed is None else parse(formed)
    if kept_groups is None:
        return _in_full(walked, store, blobs)
    try:
        named = places(kept_groups)
        grouped = [order[p] for p in named]
    except (TypeError, IndexError):  # not of these records: the grouping is made again
        return _in_full(walked, store, blobs)
    if not records.fetch(store, grouped, rowids):
        return _in_full(walked, store, blobs)
    records.make_places(named)
    groups = build(kept_groups, records)
    if groups is None:
        return _in_full(walked, store, blobs)
    del listings, walked
    store.mark_seen(store.seen_before(blobs, today()))
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


def _in_full(walked: Walked, store: FingerprintStore, blobs: list[bytes]) -> Walked:
    """What was walked, with the cache rows ``run_scan`` makes its records of (read here,
    in full, only for a scan that does not read back), so that it reads them no more."""
    walked.rows = store.stored(blobs, thumbs=False)
    return walked


def _rare(
    records: _Records, as_walked: bool
) -> list[tuple[int, bool, str | None, tuple[Companion, ...]]]:
    """(place, reference, digest, companions) of each record in path order that is
    reference, has a digest or companions (``library_digest_of``), found without a step a
    file where the library has none of them."""
    digests = records.digests()
    paths, references, attached, order = (
        records.paths,
        records.references,
        records.attached,
        records.order,
    )
    if as_walked and digests.count(None) == len(digests) and not any(references):
        # Only companions, each known by its path: their places, not a pass over the files.
        with_companions = itertools.compress(attached, attached.values())
        places = sorted(i for p in with_companions if (i := _index_of(paths, p)) is not None)
        return [(i, False, None, attached[paths[i]]) for i in places]
    return [
        (place, references[i], digests[i], attached.get(paths[i], ()))
        for place, i in enumerate(order)
        if references[i] or digests[i] is not None or attached.get(paths[i])
    ]


def _add_digests(
    records: _Records,
    sizes: list[int],
    hashes: list[int],
    store: FingerprintStore,
    rowids: list[int],
    errors: list[FileError],
    should_stop: Callable[[], bool],
) -> bool:
    """What ``add_digests`` makes of the files that share a size and hash (``sizes`` and
    ``hashes`` in path order) with another where a digest is missing (it reads nothing when
    the cache kept what it needs), into ``records``; it leaves the others as they are. False
    when stopped, or when their rows changed since they were compared.

    Only files whose hash another file has can share both: those are found in C (the hashes
    sorted, neighbours compared), and only they are looked at one by one."""
    ordered = sorted(hashes)
    twice = set(itertools.compress(ordered, map(operator.eq, ordered, ordered[1:])))
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    if twice:
        order = records.order
        for place in itertools.compress(range(len(hashes)), map(twice.__contains__, hashes)):
            buckets[sizes[place], hashes[place]].append(order[place])
    wanted = [
        i
        for members in buckets.values()
        if len(members) > 1 and any(records.digest(i) is None for i in members)
        for i in members
    ]
    if should_stop():
        return False
    if wanted:
        if not records.fetch(store, wanted, rowids):
            return False
        made = add_digests([records.make(i) for i in wanted], store, errors, None, should_stop)
        records.found.update(zip(wanted, made, strict=True))
    return not should_stop()


def _index_of(paths: list[str], path: str) -> int | None:
    """Where ``path`` is in ``paths`` (sorted), or None."""
    i = bisect.bisect_left(paths, path)
    return i if i < len(paths) and paths[i] == path else None
