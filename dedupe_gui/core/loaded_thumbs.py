"""The verification thumbnails of one grouping's records, loaded only as pairs ask for them.

A library's worth of 32x32 thumbnails at once cost 100 MB and, as floats, four times that
again, while a grouping looks at the files of its checked pairs only: rows are loaded on
first use, in buffers of a row per record whose pages the system maps only once a row is
written (zeroed allocations of this size are mapped apart and lazily): buffers grown a
quarter at a time held both copies while growing (at 100,000 files the last step held 80
and 100 MB of thumbnails at once). The thumbnail checks (core.pair_checker),
the words for what differs (core.pair_words) and the keeper rules (core.keeper_standing) read
the same rows, so a file is loaded once whichever asks first.

A walk over a large library asks for most of its files in turn, each mostly in one wave of
checks: ``let_go`` lets the rows of files not asked for lately go, so that the rows in use
stay about a bound (and a wave's) whatever the library's size, instead of a row per file
(100 MB at 100,000 files). A file asked for again is loaded again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import distinct
from dedupe_gui.core.frame_readings import Box
from dedupe_gui.core.hashes import THUMB_SIDE
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.orientations import transform_grid
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import FLAT_DETAIL, border_of, detail

I64 = npt.NDArray[np.int64]

# Where the verification thumbnails of records come from when the records do not hold them:
# the stored thumbnail of each file version asked for (empty bytes when there is none).
ThumbSource = Callable[[Sequence[FileKey]], Sequence[bytes]]

# Rows a walk keeps loaded between its waves (``LoadedThumbs.let_go``): 1 KB each, and a
# 100,000-file library's wave of 256 keepers asked for some 3,000 files.
ROWS_KEPT: Final = 16384


class LoadedThumbs:
    """Thumbnails of the records that took part in a check so far, row ``row[i]`` for record
    ``i`` (-1: not loaded), with their flatness and frame, and the strict border that "border
    added" names. Their 16x16 signatures (core.prefilter) are not kept: 1 KB a row as floats,
    as much as the thumbnail itself, they cost less to compute per batch of checks."""

    def __init__(self, records: Sequence[ImageRecord], source: ThumbSource | None) -> None:
        """``source``: where to fetch thumbnails when the records do not carry them
        (FingerprintStore.thumbs)."""
        self.records = records
        n = len(records)
        self._source = source
        # Records whose thumbnail (or fine thumbnail) should have come from the store but
        # did not: their pairs are never passed by the check.
        self.lost: npt.NDArray[np.bool_] = np.zeros(n, dtype=bool)
        self.row: I64 = np.full(n, -1, dtype=np.int64)
        self.count = 0
        # Rows are filled from the first on: only those loaded take memory (module docstring).
        self.thumbs = np.zeros((n, THUMB_SIDE, THUMB_SIDE), dtype=np.uint8)
        self.has_thumb = np.zeros(n, dtype=bool)
        self.flat = np.zeros(n, dtype=bool)
        self.framed = np.zeros(n, dtype=bool)  # a uniform border around the picture
        # Rows whose flatness and frame are computed: only rows that take part in
        # a thumbnail check need them, not those loaded to say what differs or for the
        # keeper rules (most of a warm rescan's, whose checks are kept).
        self.featured = np.zeros(n, dtype=bool)
        # The strict border of each row (``border_of``; NaN: none), measured when first asked
        # for: the words for what differs ask for a keeper's once per member, and the keeper
        # rules ask again for the same rows.
        self._borders = np.zeros((n, 4), dtype=np.float64)
        self._bordered = np.zeros(n, dtype=bool)
        # Records asked for since the last ``let_go``.
        self._asked = np.zeros(n, dtype=bool)
        # The rows ``bound`` keeps, and the most rows loaded at once so far: the pages of
        # the buffers stay mapped up to there.
        self.rows_kept = ROWS_KEPT
        self.most = 0

    def rows(self, wanted: I64) -> I64:
        """The row of each record of ``wanted`` in the loaded thumbnails, loading the missing."""
        self._asked[wanted] = True
        missing = distinct(wanted[self.row[wanted] < 0])
        if missing.size:
            chosen = [self.records[i] for i in missing.tolist()]
            blobs: Sequence[bytes] = [r.fingerprint.thumb for r in chosen]
            if self._source is not None and not all(blobs):
                blobs = self._source([r.key for r in chosen])
                # The records were read without their thumbnails, which stay in the store:
                # one the store cannot give back now (it was damaged and rebuilt during the
                # scan) leaves the file unverifiable, never verified.
                lost = [i for i, blob in zip(missing.tolist(), blobs, strict=True) if not blob]
                self.lost[lost] = True
            thumbs, has = thumbs_to_array(blobs)
            start, end = self.count, self.count + missing.size
            self.thumbs[start:end] = thumbs
            self.has_thumb[start:end] = has
            self.row[missing] = np.arange(start, end, dtype=np.int64)
            self.count = end
            self.most = max(self.most, end)
        return self.row[wanted]

    def let_go(self, bound: int) -> None:
        """With more than ``bound`` rows loaded, let go of those of the records not asked for
        since the last call; the rows kept move to the front, and the rows let go are filled
        again from there. Row numbers handed out before a call mean nothing after it."""
        if self.count > bound:
            keep = np.flatnonzero(self._asked & (self.row >= 0))
            old = self.row[keep]
            order = np.argsort(old)
            keep, old = keep[order], old[order]
            new = np.arange(keep.size, dtype=np.int64)
            per_row = (self.thumbs, self.has_thumb, self.flat, self.framed, self.featured)
            for values in (*per_row, self._borders, self._bordered):
                values[new] = values[old]
            for flags in (self.has_thumb, self.flat, self.framed, self.featured, self._bordered):
                flags[keep.size : self.count] = False
            self.row.fill(-1)
            self.row[keep] = new
            self.count = keep.size
        self._asked.fill(False)

    def bound(self) -> None:
        """``let_go(rows_kept)``, between the batches of the work after a walk that asks for
        rows (the checks' parts, the words' batches, the boxes' blocks): each asks for a
        batch's rows at a time and holds no row number across batches. Without it the
        words, the picture boxes and the files left out of a 100,000-file library loaded
        a row for each of 53,000 grouped files, 52 MB held to the end of the grouping."""
        self.let_go(self.rows_kept)

    def feature(self, *rows: I64) -> None:
        """Compute the flatness and frame of these loaded rows, where not yet."""
        todo = distinct(np.concatenate(rows))
        todo = todo[~self.featured[todo]]
        if todo.size:
            thumbs = self.thumbs[todo]
            self.flat[todo] = detail(thumbs) < FLAT_DETAIL
            self.framed[todo] = [border_of(t, loose=True) is not None for t in thumbs]
            self.featured[todo] = True

    def border(self, row: int) -> Box | None:
        """The content box inside the uniform border of loaded row ``row`` (``border_of``,
        strict: the border "border added" names), or None for no border or no thumbnail.
        Measured once per row."""
        if not self._bordered[row]:
            box = border_of(self.thumbs[row]) if self.has_thumb[row] else None
            self._borders[row] = np.nan if box is None else box
            self._bordered[row] = True
        if np.isnan(self._borders[row, 0]):
            return None
        left, top, right, bottom = self._borders[row].tolist()
        return (left, top, right, bottom)


def turn_stack(stack: npt.NDArray[np.uint8], turn: I64) -> npt.NDArray[np.uint8]:
    """Each square picture of ``stack`` turned by its orientation in ``turn``."""
    out: npt.NDArray[np.uint8] = stack.copy()
    for k in distinct(turn).tolist():
        if k:
            sel = turn == k
            out[sel] = transform_grid(stack[sel], k)
    return out
