"""Grouping for the review, run off the GUI thread: the request, and the index it runs on.

The session hands out a ``GroupingRequest`` (the records and options of that moment, a
generation number, and a copy of the user's decisions and of the files looked at); a worker
runs ``IndexHolder.groups`` on it, then ``prepare_groups`` builds the review's groups, the
file-to-group map and the totals there too, so the GUI thread only swaps in a finished set
(at 100,000 files building them took it 150-500 ms). The session takes the set back only if
nothing newer was asked for since, and brings up to date the few groups whose files the user
decided on while the worker ran. The similarity index keeps its pair search and thumbnail
checks between requests of one generation, so moving the slider costs only the grouping; it
is not safe to share between threads, so one worker owns it.

With a cache, each grouping is kept there (core.kept_groupings), as the command line keeps
its own: reopening a library, or a rescan that changed nothing, reads its groups back instead
of building the index (at 100,000 files, minutes of searching and checking and some hundreds
of megabytes); the index is built only when a grouping not kept is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Group, ImageRecord
from dedupe_gui.review.decisions import Decision, FileIdentity, identity_of
from dedupe_gui.review.group import ReviewGroup
from dedupe_gui.review.totals import Totals

if TYPE_CHECKING:
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.grouping import SimilarityIndex


@dataclass(frozen=True, slots=True)
class GroupingRequest:
    generation: int  # which records: a rescan, a loaded report or a cleanup makes a new one
    records: tuple[ImageRecord, ...]
    options: GroupingOptions
    # The user's decisions and the files looked at when the request was made (copies: the
    # worker reads them while the user goes on), and the session's count of changes then.
    decisions: Mapping[FileIdentity, Decision] = field(default_factory=dict, compare=False)
    seen: frozenset[FileIdentity] = field(default=frozenset(), compare=False)
    changes: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class PreparedGroups:
    """The review's groups of one request, ready to show: built off the GUI thread."""

    request: GroupingRequest
    groups: list[ReviewGroup]
    where: dict[FileIdentity, ReviewGroup]  # each file's group
    totals: Totals


def prepare_groups(request: GroupingRequest, groups: Iterable[Group]) -> PreparedGroups:
    """The review groups of ``groups``, marked by the request's copy of the decisions."""
    get, seen = request.decisions.get, request.seen
    built: list[ReviewGroup] = []
    where: dict[FileIdentity, ReviewGroup] = {}
    for g in groups:
        ids = [identity_of(m) for m in g.members]
        rg = ReviewGroup(g, get, bool(seen) and all(i in seen for i in ids))
        built.append(rg)
        for i in ids:
            where[i] = rg
    return PreparedGroups(request, built, where, Totals.of(built))


class IndexHolder:
    """The similarity index of the latest generation, touched only by one worker thread.

    With a cache, the thumbnail checks of earlier sessions are read when a generation's index
    is built and the new ones are written back as the grouping goes, as the command line
    does: reopening a library, or a grouping after one that was stopped, repeats none of
    them. The scan leaves the thumbnails in the cache
    (``ScanOptions.thumbs_in_store``: a record without them is about a kilobyte lighter, 100 MB
    at 100,000 files), and the index fetches those of the pairs it checks from there.
    """

    def __init__(self, cache_path: str | None = None) -> None:
        self.generation = -1
        self.index: SimilarityIndex | None = None
        self.cache_path = cache_path
        self._store: FingerprintStore | None = None
        # The digest of the generation's records (core.kept_groupings.library_digest).
        self._library: tuple[int, bytes] | None = None

    def store(self) -> FingerprintStore | None:
        """The cache, opened once by the thread that groups."""
        if self._store is None and self.cache_path is not None:
            from dedupe_gui.core.cache import FingerprintStore

            self._store = FingerprintStore(self.cache_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def groups(
        self,
        request: GroupingRequest,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Group]:
        """The groups of ``request``; ``core.grouping.GroupingStopped`` when told to stop."""
        from dedupe_gui.core import kept_groupings

        store = self.store()
        key = b""
        if store is not None:
            if self._library is None or self._library[0] != request.generation:
                self._library = (request.generation, kept_groupings.library_digest(request.records))
            key = kept_groupings.grouping_key(request.records, request.options, self._library[1])
            kept = kept_groupings.read_back(key, request.records, store)
            if kept is not None:
                return kept
        from dedupe_gui.core.grouping import SimilarityIndex
        from dedupe_gui.core.kept_searches import Searches

        if self.index is None or self.generation != request.generation:
            self.index = None  # the old index goes before the new one is built
            self.index = SimilarityIndex(
                request.records,
                self._kept_checks(),
                store.thumbs if store is not None else None,
                store.fines if store is not None else None,
                store.pair_words() if store is not None else None,
                searches=Searches(store),
                known_boxes=store.picture_boxes() if store is not None else None,
            )
            self.generation = request.generation
        try:
            groups = self.index.groups(request.options, should_stop, progress, keeper=store)
        finally:
            # What a grouping stopped between two hand-overs had checked since the last;
            # without a cache, let go of (the index keeps its own verdicts either way).
            if store is not None:
                self.index.hand_over(store)
            else:
                self.index.take_new_checks()
                self.index.take_new_words()
                self.index.take_new_boxes()
        if store is not None:
            store.keep_grouping(key, kept_groupings.encode(groups, request.records))
            store.flush()
        return groups

    def _kept_checks(self) -> dict[int, float]:
        store = self.store()
        if store is None:
            return {}
        from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL

        return store.pair_checks(DEFAULT_MAX_RESIDUAL)
