"""Pictures decoded again from the files for a pair's second looks, kept within a bound.

The 32x32 thumbnails of the fingerprint are all a first check needs; a few pairs need more:
the local-edit look compares 128x128 pictures, the text check of slides and pages 256x256
ones, and the colour reading 128x128 pictures in colour. Those are decoded from the files
when a pair asks for them. A file's pairs are mostly checked in one wave, so the most recent
decodes are kept (a file in several pairs is decoded once) but only a bounded number: keeping
every one held 16 KB per checked file, 480 MB of a 100,000-file library's cold scan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.fingerprint import FingerprintError, detail_colour, detail_grey, text_grey
from dedupe_gui.core.loaded_thumbs import turn_stack
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.workers import default_workers

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

# Pictures decoded again at 128x128 for the local-edit look kept at once (16 KB each): the
# two of each pair of one of its batches (core.pair_checker ``_DETAILS_AT_ONCE``), and so
# the files met again in the next. A file's pairs are checked in one wave or in waves close
# together: 2,048 kept filled up in a 100,000-file library's walk and held 32 MB, a third of
# what its first 30 waves grew by, where 512 decode 5 % more pictures (4,309 against 4,118).
DETAILS_KEPT = 512
# The same for the 256x256 pictures of the text check (64 KB each; ``_TEXTS_AT_ONCE`` pairs).
TEXTS_KEPT = 128


class _Kept:
    """The last ``bound`` pictures ``decode`` made, by record (None: not readable)."""

    def __init__(self, decode: Callable[[str], U8], bound: int) -> None:
        self._decode = decode
        self._bound = bound
        self.pictures: dict[int, U8 | None] = {}

    def of(self, record: int, path: str) -> U8 | None:
        if record in self.pictures:
            return self.pictures[record]
        picture = self._read(path)
        self._keep(record, picture)
        return picture

    def fill(self, wanted: Sequence[tuple[int, str]], workers: int) -> None:
        """Decode the records of ``wanted`` (record, path) not kept yet, as many as the
        bound keeps, side by side on up to ``workers`` threads, so that ``of`` finds them.
        Decoding and resizing run without the interpreter's lock: one file after another,
        a pair's second looks were most of a 150-photo scan's grouping, on one core."""
        for record in dict.fromkeys(r for r, _ in wanted):
            if record in self.pictures:  # this batch's: the newest, so its own are not dropped
                self.pictures[record] = self.pictures.pop(record)
        todo = list({r: p for r, p in wanted if r not in self.pictures}.items())[: self._bound]
        if workers <= 1 or len(todo) < 2:
            return
        # Each picture is kept as it comes, so the oldest go while the batch decodes rather
        # than a whole batch (up to the bound, 32-64 MB) being held beside the kept ones.
        with ThreadPoolExecutor(min(workers, len(todo)), thread_name_prefix="again") as pool:
            pictures = pool.map(lambda item: self._read(item[1]), todo)
            for (record, _), picture in zip(todo, pictures, strict=True):
                self._keep(record, picture)

    def _read(self, path: str) -> U8 | None:
        try:
            return self._decode(path)
        except FingerprintError:
            return None

    def _keep(self, record: int, picture: U8 | None) -> None:
        if len(self.pictures) >= self._bound:
            del self.pictures[next(iter(self.pictures))]  # the oldest
        self.pictures[record] = picture


class Redecoded:
    """The pictures of one scan's records decoded again: 128x128 grey (``detail_of``),
    256x256 grey (``text_of``), 128x128 colour of a record or a pair (``colour_of``,
    ``colours_of``, not kept: few pairs ask for it). ``pictures``: the scan's decoded
    pictures (core.scan_pictures), taken where they are what a decode would give; the
    second looks that decode elsewhere (core.window_candidates) take them from here."""

    def __init__(
        self,
        records: tuple[ImageRecord, ...],
        details_kept: int = DETAILS_KEPT,
        texts_kept: int = TEXTS_KEPT,
        pictures: ScanPictures | None = None,
    ) -> None:
        self._records = records
        self._workers = default_workers()
        self.pictures = pictures
        self.details = _Kept(partial(detail_grey, pictures=pictures), details_kept)
        self.texts = _Kept(partial(text_grey, pictures=pictures), texts_kept)

    def detail_of(self, record: int) -> U8 | None:
        """The record's 128x128 picture (``detail_grey``), or None."""
        return self.details.of(record, self._records[record].path)

    def text_of(self, record: int) -> U8 | None:
        """The record's 256x256 picture (``text_grey``), or None."""
        return self.texts.of(record, self._records[record].path)

    def colour_of(self, record: int) -> U8 | None:
        """The record's 128x128 picture in colour (``detail_colour``), or None."""
        try:
            return detail_colour(self._records[record].path)
        except FingerprintError:
            return None

    def colours_of(self, a: int, b: int) -> tuple[U8, U8] | None:
        """Both records' 128x128 pictures in colour (``colour_of``), or None."""
        first = self.colour_of(a)
        second = None if first is None else self.colour_of(b)
        return None if first is None or second is None else (first, second)

    def of_pairs(
        self, look: I64, a: I64, b: I64, turn: I64, text: bool = False
    ) -> tuple[I64, U8, U8]:
        """Of the pairs ``look``, those whose two files could be decoded again at 128x128
        (at 256x256 for the ``text`` check), and the two stacks of pictures (the second
        file turned by the pair's turn)."""
        kept, picture = (self.texts, self.text_of) if text else (self.details, self.detail_of)
        records = [int(r) for k in look.tolist() for r in (a[k], b[k])]
        kept.fill([(r, self._records[r].path) for r in records], self._workers)
        pa: list[U8] = []
        pb: list[U8] = []
        read: list[int] = []
        for k in look.tolist():
            x, y = picture(int(a[k])), picture(int(b[k]))
            if x is not None and y is not None:
                pa.append(x)
                pb.append(y)
                read.append(k)
        picked = np.array(read, dtype=np.int64)
        if not read:
            empty = np.zeros((0, 1, 1), dtype=np.uint8)
            return picked, empty, empty
        return picked, np.stack(pa), turn_stack(np.stack(pb), turn[picked])
