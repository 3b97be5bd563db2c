"""Groupings kept in the cache: a rescan of an unchanged library reads its groups back.

A warm rescan of 100,000 files spent nearly all of its time grouping again what it had
grouped before: the hash and window-hash searches over every file, the pair ids of every
candidate, the keeper rules over every grouped file. Yet the grouping is deterministic (the
same records and options give the same groups: design contract), so its result can be kept
under a digest of everything it depends on and read back when that digest comes again:

- every record in scan order: path, size and mtime (the version of the file, which decides
  its fingerprint, thumbnails and the pixels a keeper rule may decode again), the
  fingerprint's hash, whether it is in a reference folder, its content digest (exact copies)
  and its companions (keeper rule, RAW/JPEG partners);
- the grouping options;
- the fingerprint, check and words versions (core.hashes), and a digest of the core's own
  code, so a changed rule never reads a grouping made by the rules before it.

A file added, removed or changed, another threshold or another version gives another key:
the grouping is then made in full, as before, and kept in turn. What is kept are record
indices, distances, orientations and words; the groups are built again on the records of
this scan (their digests and change times are this scan's).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import zlib
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from dedupe_gui.core.fast_new import positional
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hashes import ALGORITHM_VERSION, CHECK_VERSION, WORDS_VERSION
from dedupe_gui.core.models import Companion, Group, GroupMember, ImageRecord

if TYPE_CHECKING:
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.scan_pictures import ScanPictures

# The layout of a kept grouping; another layout is simply another key.
_LAYOUT: Final = 1
# Members without __init__ (core.fast_new): a rescan reads back one a grouped file.
_member = positional(GroupMember)


@functools.cache
def code_digest() -> bytes:
    """A digest of the core's source files: a grouping kept by other code is not reused.

    Rules change without a version bump while they are worked on; reading their old groups
    back would hide the change. Where the sources are not there to read (a frozen build),
    the package's version stands for them.
    """
    import dedupe_gui

    folder = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256(dedupe_gui.__version__.encode())
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".py"))
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                h.update(name.encode() + b"\0" + f.read())
    except OSError:
        pass
    return h.digest()


def library_digest(records: Sequence[ImageRecord]) -> bytes:
    """The digest of what any grouping of ``records`` depends on, whatever its options: the
    window digests its records once and asks for a grouping at each slider position."""
    return library_digest_of(
        [r.key.path for r in records],
        [r.key.size for r in records],
        [r.key.mtime_ns for r in records],
        [r.fingerprint.hash for r in records],
        [
            (i, r.reference, r.digest, r.companions)
            for i, r in enumerate(records)
            if r.reference or r.digest is not None or r.companions
        ],
    )


def library_digest_of(
    paths: Sequence[str],
    sizes: Sequence[int],
    mtimes: Sequence[int],
    hashes: Sequence[int],
    rare: Sequence[tuple[int, bool, str | None, tuple[Companion, ...]]],
) -> bytes:
    """``library_digest`` of records given as columns (a rescan that makes no record per
    file, core.rescan): their paths, sizes, mtimes and hashes in order, and (place,
    reference, digest, companions) of each record that is reference or has a digest or
    companions, in order."""
    h = hashlib.sha256(
        repr((_LAYOUT, ALGORITHM_VERSION, CHECK_VERSION, WORDS_VERSION, len(paths))).encode()
    )
    h.update(code_digest())
    h.update("\0".join(paths).encode("utf-8", "surrogateescape"))
    # Plain arrays, not numpy: a rescan that reads its groups back never imports numpy.
    h.update(array("Q", sizes).tobytes())
    h.update(array("q", mtimes).tobytes())
    h.update(array("Q", hashes).tobytes())
    # Rarer facts, each with the record's place: reference files, digests, companions.
    h.update(repr(list(rare)).encode("utf-8", "surrogateescape"))
    return h.digest()


def grouping_key(
    records: Sequence[ImageRecord], options: GroupingOptions, library: bytes | None = None
) -> bytes:
    """The digest of everything the grouping of ``records`` under ``options`` depends on;
    ``library`` is ``library_digest(records)`` when the caller has it already."""
    if library is None:
        library = library_digest(records)
    return hashlib.sha256(library + repr(options).encode()).digest()


def encode(groups: Sequence[Group], records: Sequence[ImageRecord]) -> bytes:
    """``groups`` of ``records`` as kept: per group, per member its record's place, distance,
    whether identical, kept, orientation and words."""
    place = {id(r): i for i, r in enumerate(records)}
    kept = [
        [
            [place[id(m.record)], m.distance, m.identical, m.keep, m.orientation, m.differences]
            for m in g.members
        ]
        for g in groups
    ]
    return zlib.compress(json.dumps(kept, separators=(",", ":")).encode(), 1)


def decode(blob: bytes, records: Sequence[ImageRecord]) -> list[Group] | None:
    """The groups kept in ``blob``, on ``records``; None when it cannot be read."""
    kept = parse(blob)
    return None if kept is None else build(kept, records)


def parse(blob: bytes) -> list[list[list[Any]]] | None:
    """What ``blob`` keeps, per group per member (``encode``); None when it cannot be read.
    A reader that makes records only for the files the groups name takes their places from
    it (``places``) before it ``build``s the groups."""
    try:
        kept = json.loads(zlib.decompress(blob))
    except (ValueError, zlib.error):
        return None
    return kept if type(kept) is list else None


def places(kept: list[list[list[Any]]]) -> list[Any]:
    """The record place of every member ``kept`` names, as kept (``build`` checks them)."""
    return [member[0] for members in kept for member in members]


def build(kept: list[list[list[Any]]], records: Sequence[ImageRecord]) -> list[Group] | None:
    """The groups ``kept`` (``parse``) on ``records``; None when they do not fit them."""
    try:
        return [
            Group(
                tuple(
                    [
                        _member(records[i], d, identical, keep, turned, tuple(words))
                        for i, d, identical, keep, turned, words in members
                    ]
                )
            )
            for members in kept
        ]
    except (ValueError, TypeError, IndexError):
        return None


def read_back(
    key: bytes, records: Sequence[ImageRecord], store: FingerprintStore
) -> list[Group] | None:
    """The groups kept in ``store`` under ``key`` (grouping_key of ``records``), or None."""
    blob = store.kept_grouping(key)
    return None if blob is None else decode(blob, records)


def group_kept(
    records: Sequence[ImageRecord],
    options: GroupingOptions,
    store: FingerprintStore,
    pictures: ScanPictures | None = None,
) -> list[Group]:
    """The groups of ``records`` under ``options``: read back from ``store`` when this very
    grouping was kept there, else made (with the store's kept checks, words, picture boxes
    and candidate searches, and the scan's decoded ``pictures`` for its second looks) and
    kept, its new checks, words and boxes kept as it goes."""
    key = grouping_key(records, options)
    groups = read_back(key, records, store)
    if groups is not None:
        return groups
    # Imported only now: a rescan that reads its groups back needs neither these nor numpy
    # (a fifth of such a rescan of 10,000 files was importing them).
    from dedupe_gui.core.grouping import SimilarityIndex
    from dedupe_gui.core.kept_searches import Searches
    from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL

    index = SimilarityIndex(
        records,
        store.pair_checks(DEFAULT_MAX_RESIDUAL) if options.verify else None,
        store.thumbs,
        store.fines,
        store.pair_words(),
        pictures,
        Searches(store),
        store.picture_boxes(),
        one_grouping=True,
    )
    # The verdicts and words go to the store as they come (each batch its own
    # transaction): a grouping cut short leaves them for the next.
    try:
        groups = index.groups(options, keeper=store)
    finally:
        index.hand_over(store)  # a grouping cut short (Ctrl-C): what it checked since the last
    store.keep_grouping(key, encode(groups, records))
    return groups
