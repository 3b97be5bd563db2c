"""The scan pipeline: walk, take what the cache knows, fingerprint the rest on every core.

The window and the command line both call ``run_scan``. It reports progress through a
callback at most every ``progress_interval`` seconds (cheap enough for a GUI signal), checks
for cancellation after every file, and always returns what it has: a cancelled scan's
result holds every fingerprint finished before the stop.

Decoding runs on a thread pool: Pillow releases the GIL while it decodes and resizes, so
threads keep every core busy without the start-up cost and fork hazards of processes
(the window runs the scan from a Qt thread).

A fresh process (the command line) has not imported numpy and the hashing modules yet:
that takes as long as decoding a dozen large photos. So the threads start decoding at once
(core.decoded needs Pillow alone) while a thread of the scan, started once the first files
are handed out, imports core.fingerprint; small decoded pictures wait for it, and are hashed
as soon as it is loaded. The same thread then
imports what the scan needs only after its decodes (the exact-copy digests, the companions).
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from dedupe_gui.core.budget import MemoryBudget, default_budget
from dedupe_gui.core.decoded import Decoded, FingerprintError
from dedupe_gui.core.exact_copies import add_digests
from dedupe_gui.core.files import FollowedLink, FoundFile, Listing, WalkOptions, walk_listings
from dedupe_gui.core.found import Failure, FileError, Phase, Progress
from dedupe_gui.core.heap import give_back, map_large_blocks_apart
from dedupe_gui.core.roots import normalise_root
from dedupe_gui.core.workers import default_workers

if TYPE_CHECKING:  # SQLite is loaded by whoever opens a cache, not by a scan without one
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.models import Entry, ImageRecord, ScanResult
    from dedupe_gui.core.scan_pictures import ScanPictures

log = logging.getLogger(__name__)
ProgressCallback = Callable[[Progress], None]
# The records and results (core.models) are made only after the first decodes.
Fingerprinter = Callable[[str], "Entry"]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    paths: tuple[str, ...]
    walk: WalkOptions = field(default_factory=WalkOptions)
    workers: int = field(default_factory=default_workers)
    progress_interval: float = 0.1
    # Find each photo's Live video, sidecars and RAW/JPEG twin (core.companions).
    companions: bool = True
    # Look the cache up by content as well as by path (core.identity).
    follow_content: bool = True
    # With a store, the verification thumbnails can stay in it instead of in the records
    # (``Fingerprint.thumb`` empty; the grouping fetches them with ``FingerprintStore.thumbs``
    # for the files of candidate pairs): what a large library holds per file drops from
    # about 1.9 KB to under 1 KB, and a warm rescan reads a tenth of the bytes. The fine
    # thumbnails of slides and documents stay there too (``Fingerprint.detailed`` says one
    # is stored; the grouping fetches it with ``FingerprintStore.fines``).
    thumbs_in_store: bool = False
    # Bytes the decoding threads may hold at once (core.budget); big pictures take turns.
    memory_budget: int = field(default_factory=default_budget)
    # Modules the caller needs after the scan (the command line's grouping), imported on the
    # side after the hashing modules, while files decode, when the scan has files to decode.
    preload: tuple[str, ...] = ()
    # Keeps the pictures decoded for the grouping's second looks (core.scan_pictures).
    pictures: ScanPictures | None = None


@dataclass(slots=True)
class Walked:
    """A walk made already, and the cache rows read for it (``FingerprintStore.stored`` of
    its paths, without thumbnails): a rescan that could not be read back (core.rescan) hands
    them to ``run_scan``, which would otherwise walk and read the whole cache again (1.5 s of
    a 100,000-file library where one file changed)."""

    listings: list[Listing]
    rows: Mapping[bytes, tuple[Any, ...]] | None = None

    def take(self) -> tuple[list[Listing], Mapping[bytes, tuple[Any, ...]] | None]:
        """Its listings and rows, let go here: the scan holds them no longer than it uses
        them (the rows of 100,000 files are tens of MB)."""
        listings, rows = self.listings, self.rows
        self.listings, self.rows = [], None
        return listings, rows


def fingerprint_entry(path: str, budget: MemoryBudget | None = None) -> Entry:
    """A fingerprint, or the reason there is none; never raises for a bad file."""
    from dedupe_gui.core.fingerprint import fingerprint_file

    try:
        return fingerprint_file(path, budget)
    except FingerprintError as exc:
        return Failure(str(exc))


# The hashing module, imported by a thread of the scan while the first files decode.
_HASHING = "dedupe_gui.core.fingerprint"
# What the scan itself needs only after its decodes (the exact-copy digests, the companions),
# imported by that thread after the hashing module, before the caller's ``preload``.
_AFTER_DECODES = ("dedupe_gui.core.identity", "dedupe_gui.core.companions")
# Decoded pictures that may wait for it: at most this many, each of at most this many bytes
# (a 12-megapixel JPEG drafted at 1/8 takes 190 KB). Other pictures wait while decoding
# (the import holds the module's lock), which is what every picture did before.
_AHEAD = 32
_AHEAD_BYTES = 1 << 20


class _Hashing:
    """Whether core.fingerprint is loaded yet: ``ready`` is set once a thread started by
    ``start`` has imported it (or failed to; the hashing then reports the error per file).

    The same thread then imports ``preload``: one thread imports at a time, so two imports
    never wait on each other's module locks.
    """

    def __init__(self) -> None:
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._set_aside = 0

    def start(self, preload: Sequence[str] = ()) -> None:
        threading.Thread(
            target=self._load, args=(tuple(preload),), name="scan-imports", daemon=True
        ).start()

    def set_aside(self, decoded: Decoded) -> bool:
        """Whether ``decoded`` waits for the hashing module rather than for its import
        lock: while it is not loaded, for at most ``_AHEAD`` small pictures a scan."""
        if self.ready.is_set() or decoded.pixel_bytes > _AHEAD_BYTES:
            return False
        with self._lock:
            if self._set_aside >= _AHEAD:
                return False
            self._set_aside += 1
        decoded.release_budget()
        return True

    def _load(self, preload: tuple[str, ...]) -> None:
        try:
            importlib.import_module(_HASHING)
        except Exception:
            log.exception("importing %s", _HASHING)
        finally:
            self.ready.set()
        for name in preload:
            try:
                importlib.import_module(name)
            except Exception:  # the caller's own import says what is wrong
                log.exception("importing %s", name)


def _decode_entry(
    path: str,
    budget: MemoryBudget | None,
    hashing: _Hashing,
    pictures: ScanPictures | None = None,
) -> Entry | Decoded:
    """The fingerprint of ``path``, or its decoded pixels when they wait for the hashing
    module (``_Hashing.set_aside``; ``_hash_entry`` finishes them)."""
    try:
        decoded = Decoded(path, budget)
    except FingerprintError as exc:
        return Failure(str(exc))
    return decoded if hashing.set_aside(decoded) else _hash_entry(decoded, path, pictures)


def _hash_entry(decoded: Decoded, path: str, pictures: ScanPictures | None = None) -> Entry:
    """The fingerprint of decoded pixels (kept in ``pictures``), or why none; closes them."""
    from dedupe_gui.core.fingerprint import fingerprint_decoded

    with decoded:
        try:
            entry = fingerprint_decoded(decoded)
        except FingerprintError as exc:
            return Failure(str(exc))
        if pictures is not None:
            pictures.keep(path, decoded)
        return entry


class Reporter:
    """A progress callback called at most every ``interval`` seconds (unless forced), with
    the time elapsed since the reporter was made."""

    def __init__(self, callback: ProgressCallback | None, interval: float) -> None:
        self.callback = callback
        self.interval = interval
        self.start = time.monotonic()
        self.last = 0.0

    def __call__(self, progress: Progress, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if force or now - self.last >= self.interval:
            self.last = now
            self.callback(replace(progress, elapsed=now - self.start))


def run_scan(
    options: ScanOptions,
    store: FingerprintStore | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    fingerprinter: Fingerprinter = fingerprint_entry,
    thread_setup: Callable[[], object] | None = None,
    walked: Walked | None = None,
) -> ScanResult:
    """Fingerprint every image under ``options.paths``; see the module docstring.

    ``thread_setup`` runs once on each decoding thread before its first file (the window
    lowers their priority with it). It is not a wrapper around ``fingerprinter``: the default
    fingerprinter is what gets the memory budget and the decoding started before the hashing
    modules are imported, and a wrapped one is no longer recognised as the default.

    ``walked``: the walk (and the cache rows, with a store keeping the thumbnails) a caller
    made already for these options; it is taken as this scan's walk.
    """
    started = time.monotonic()
    stop = cancel or threading.Event()
    report = Reporter(progress, options.progress_interval)
    errors: list[FileError] = []
    found: list[FoundFile] = []
    link_roots: list[str] = []
    given, rows = walked.take() if walked is not None else (None, None)
    # The walk's own listings of the folders, for the companions (none listed twice).
    listings: Iterable[Listing] = (
        walk_listings(options.paths, options.walk, stop.is_set) if given is None else given
    )
    del given
    listed: dict[str, list[tuple[str, str]]] = {}

    def items() -> Iterable[FoundFile | FileError | FollowedLink]:
        for listing in listings:
            if listing.files is not None:
                listed[listing.folder] = listing.files
            yield from listing.items()

    for item in items():
        if isinstance(item, FollowedLink):
            # The target of a followed folder link counts as a chosen folder from now on.
            if item.target not in link_roots:
                link_roots.append(item.target)
            continue
        if isinstance(item, FileError):
            errors.append(item)
        else:
            found.append(item)
        if progress is not None:  # (a Progress a file costs a rescan of 100,000 files 0.2 s)
            report(Progress(Phase.WALKING, len(found), 0, errors=len(errors), current=item.path))
    listings = ()  # each file is a FoundFile now
    total = len(found)

    records: list[ImageRecord] = []
    stored_idents: list[tuple[bytes, int] | None] = []
    from_cache = 0
    hashed = 0
    todo: list[FoundFile] = []
    lean = options.thumbs_in_store and store is not None
    if store is not None:
        # The cache follows files by content (core.identity) and its records are made
        # before anything is decoded.
        from dedupe_gui.core import identity
        from dedupe_gui.core.models import ImageRecord
    known = (
        store.lookup(
            [f.key for f in found],
            thumbs=not lean,
            rows=rows if lean else None,
        )
        if store is not None
        else [None] * len(found)
    )
    del rows
    for f, cached in zip(found, known, strict=True):
        if cached is None:
            todo.append(f)
            continue
        entry, digest, ident, stored_change_ns, quick = cached
        from_cache += 1
        if isinstance(entry, Failure):
            errors.append(FileError(f.key.path, entry.reason))
            continue
        # A head-and-tail digest read while the file's change time was the one the walk saw
        # is still the file's (core.identity.quick_digest).
        change_ns = f.change_ns
        same = identity.unchanged_since(stored_change_ns, change_ns)
        # Positional (key, fingerprint, reference, digest, companions, quick, change_ns): a
        # warm rescan makes one a file.
        records.append(
            ImageRecord(f.key, entry, f.reference, digest, (), quick if same else None, change_ns)
        )
        stored_idents.append(None if ident is None else (ident, stored_change_ns))
    del known
    idents: dict[str, bytes] = {}
    if store is not None and options.follow_content:
        # The cache follows renamed, moved and copied photos, and distrusts a known path
        # holding other content (core.identity).
        followed = identity.follow(
            store,
            ((r, r.change_ns, ident) for r, ident in zip(records, stored_idents, strict=True)),
            ((f.key, f.reference, f.change_ns) for f in todo),
        )
        records, idents = followed.records, followed.idents
        errors.extend(followed.errors)
        todo = [FoundFile(key, ref, change_ns) for key, ref, change_ns in followed.todo]
        from_cache += followed.by_content - followed.distrusted

    def snapshot(current: str = "") -> Progress:
        return Progress(Phase.HASHING, from_cache + hashed, total, from_cache, len(errors), current)

    def take(f: FoundFile, entry: Entry) -> None:
        nonlocal hashed
        hashed += 1
        if isinstance(entry, Failure):
            errors.append(FileError(f.key.path, entry.reason))
        else:
            # Loaded with the hashing module, beside the first decodes (_Hashing).
            from dedupe_gui.core.models import ImageRecord

            records.append(
                ImageRecord(
                    f.key,
                    replace(entry, thumb=b"", fine=b"") if lean else entry,
                    f.reference,
                    change_ns=f.change_ns,
                )
            )
        if store is not None:
            store.put(f.key, entry)
            if options.follow_content:
                identity.remember(store, f.key, f.change_ns, idents.get(f.key.path))

    report(snapshot(), force=True)
    budget = MemoryBudget(options.memory_budget)
    decode: Callable[[str], Entry | Decoded] = fingerprinter
    hashing = _Hashing()
    if fingerprinter is fingerprint_entry:
        decode = functools.partial(
            _decode_entry, budget=budget, hashing=hashing, pictures=options.pictures
        )
    else:
        hashing.ready.set()
    first_round = True
    in_flight: dict[Future[Entry | Decoded], FoundFile] = {}
    waiting: list[tuple[Decoded, FoundFile]] = []  # decoded before the hashing was loaded
    # Largest first (the walk's sizes; equal sizes in walk order): a big file handed out
    # last would leave the other threads idle while it decodes alone. The records are
    # sorted by path at the end, so nothing after the scan sees this order.
    pending = iter(sorted(todo, key=_larger_first))
    window = max(1, options.workers) * 4
    try:
        with ThreadPoolExecutor(
            options.workers, thread_name_prefix="fingerprint", initializer=thread_setup
        ) as pool:
            while True:
                if waiting and hashing.ready.is_set():
                    for decoded, f in waiting:
                        in_flight[
                            pool.submit(_hash_entry, decoded, f.key.path, options.pictures)
                        ] = f
                    waiting.clear()
                while not stop.is_set() and len(in_flight) < window:
                    nxt = next(pending, None)
                    if nxt is None:
                        break
                    in_flight[pool.submit(decode, nxt.key.path)] = nxt
                if first_round:
                    # What can wait for the first files to be handed out: the decoding
                    # threads start without competing with it for the interpreter.
                    first_round = False
                    # The scan and the grouping after it free large arrays phase after
                    # phase (core.heap).
                    map_large_blocks_apart()
                    if todo and fingerprinter is fingerprint_entry:
                        hashing.start((*_AFTER_DECODES, *options.preload))
                if not in_flight:
                    if waiting and not stop.is_set():
                        hashing.ready.wait()
                        continue
                    break
                done, _ = wait(in_flight, timeout=0.25, return_when=FIRST_COMPLETED)
                for future in done:
                    f = in_flight.pop(future)
                    got = future.result()
                    if isinstance(got, Decoded):
                        waiting.append((got, f))
                        continue
                    take(f, got)
                    report(snapshot(f.key.path))
                if stop.is_set():
                    for future in in_flight:
                        future.cancel()
                    # Let the files already being decoded finish: their work is not wasted.
                    for future, f in list(in_flight.items()):
                        if not future.cancelled():
                            got = future.result()
                            if isinstance(got, Decoded):
                                waiting.append((got, f))
                            else:
                                take(f, got)
                    in_flight.clear()
                    break
    finally:
        for decoded, _ in waiting:
            decoded.close()
    # The decoding threads' arenas hold the freed pixels of every picture they decoded.
    give_back()

    if not stop.is_set():

        def digest_progress(path: str, done: int, size: int) -> None:
            report(snapshot(f"{path} (comparing content: {done * 100 // max(1, size)}%)"))

        records = add_digests(records, store, errors, digest_progress, stop.is_set)
    if store is not None:
        store.flush()
    if options.companions:
        from dedupe_gui.core import companions

        # Also for a cancelled scan: a cleanup of its part must still take companions along.
        records = companions.attach(records, listed)
    records.sort(key=lambda r: r.key.path)
    errors.sort(key=lambda e: e.path)
    report(snapshot(), force=True)
    log.info(
        "scan of %s: %d files, %d fingerprinted now, %d from the cache, %d unreadable, %.1f s%s",
        ", ".join(options.paths),
        total,
        hashed,
        from_cache,
        len(errors),
        time.monotonic() - started,
        " (cancelled)" if stop.is_set() else "",
    )
    from dedupe_gui.core.models import ScanResult, ScanStats

    return ScanResult(
        paths=tuple(os.path.abspath(p) for p in options.paths),
        records=tuple(records),
        errors=tuple(errors),
        stats=ScanStats(
            files=total,
            images=len(records),
            hashed=hashed,
            from_cache=from_cache,
            seconds=time.monotonic() - started,
        ),
        cancelled=stop.is_set(),
        roots=scan_roots(options, link_roots),
        references=tuple(normalise_root(r) for r in options.walk.references),
    )


def _larger_first(f: FoundFile) -> int:
    return -f.key.size


def scan_roots(options: ScanOptions, link_roots: Sequence[str]) -> tuple[str, ...]:
    """The real paths of the chosen folders and of the followed links' targets
    (ScanResult.roots)."""
    return tuple(
        dict.fromkeys(
            [*(normalise_root(p) for p in options.paths if not _file_link(p)), *link_roots]
        )
    )


def _file_link(path: str) -> bool:
    """A named link to a file: skipped by the walk, so its target is no chosen folder."""
    return os.path.islink(path) and not os.path.isdir(path)
