"""Candidate pairs through window hashes: one file's own hash near a window of another's.

A trimmed, square-cropped or framed copy has a dHash far from its original's, but close to
the dHash of the matching window of the other picture (core.windows). Every file's own hash
is searched against every window hash of the library (core.window_index).

The search itself, its radius and its layouts, lives in core.window_index.

Which window matched is kept per pair, so that a pair that fails the thumbnail check can be
looked at again through that window (``looked_again``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core import window_looks
from dedupe_gui.core.candidates import Candidates
from dedupe_gui.core.colour_agree import colours_apart
from dedupe_gui.core.fingerprint import FingerprintError, upright_grey
from dedupe_gui.core.frame_readings import Box, border_level, content_box, photo_box
from dedupe_gui.core.kept_searches import Searches
from dedupe_gui.core.local_edits import SIDE as LOOK_EDIT_SIDE
from dedupe_gui.core.local_edits import apart_in_structure
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.row_memo import RowMemo
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.standing import screen_shaped
from dedupe_gui.core.strokes import two_sided_text
from dedupe_gui.core.verify import residuals
from dedupe_gui.core.window_index import (
    FAR_LAYOUTS,
    FAR_WORKERS,
    LAYOUTS,
    WindowIndex,
    windows_of,
)
from dedupe_gui.core.window_looks import LOOK_SIDE, FlatJudge, Glance
from dedupe_gui.core.windows import FINE_SIDE, far_windows, shown_small
from dedupe_gui.core.workers import default_workers

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

# Largest distance between a file's hash and a window hash of another that makes a
# candidate (never more than the grouping's threshold).
WINDOW_BITS: Final = 10
# A photo box differing from the uniform-border box by more than this share of a side on
# some edge sits in a screenshot's chrome, not in a plain frame.
_CHROME_GAP: Final = 0.02
# Placed on the decoded picture of a screen's shape (core.standing ``SCREEN_SHAPE``), a
# photo may be a smaller share of it than the candidate search looks for (core.frame_readings
# ``_PHOTO_MIN_SHARE``): a 180 px photo shown at its size in a 1080x2400 screen is 7.5 % of
# its height, still 21 px of the 288 px picture, and a line of the title is 5 or 6 there.
# In a picture of other proportions that share found the box of an object on a backdrop.
_PLACED_PHOTO_SHARE: Final = 0.04
# Bits by which a window must be nearer the other picture's hash than the picture's own
# hash is, for the pair to get a second look through it.
_GAIN_BITS: Final = 4
# Largest distance of a far window from the other picture's hash that makes two pictures of
# flat areas and edges a candidate pair (their looks are decoded again, pair by pair).
# Measured: the heavy trims and square crops of such pictures on seeds 1-2 of
# bench.edit_corpus sat 2-8 bits from their window; of the 39,490 such pairs of 100,000 small
# photos, 28,890 sat 9 or 10 bits away.
_ALONE_BITS: Final = 8
# Windows decoded again held at once (1 KB each, 17 KB with a fine thumbnail): a window is
# looked at for the pairs of one wave, or of the next few.
_LOOKS_HELD: Final = 512


class WindowCandidates:
    """The window hashes of one set of records, searched once per largest radius asked."""

    def __init__(
        self,
        records: Sequence[ImageRecord],
        unique: U64,
        inverse: I64,
        order: I64,
        bounds: I64,
        pictures: ScanPictures | None = None,
        searches: Searches | None = None,
    ) -> None:
        """``unique``: the records' distinct own hashes, record i's being
        ``unique[inverse[i]]``; the records sharing unique hash u are
        ``order[bounds[u]:bounds[u + 1]]`` (as core.grouping keeps them). ``pictures``: the
        scan's decoded pictures, looked through instead of decoding again where they serve
        (core.scan_pictures). ``searches``: where the searches are made (core.kept_searches)."""
        self._records = records
        self._pictures = pictures
        self._hashes = unique[inverse]
        self._unique = unique
        self._order = order
        self._bounds = bounds
        self._searches = searches
        self._indexes: tuple[WindowIndex, WindowIndex] | None = self._indexed()
        # Pictures of flat areas and edges (slides, pages, objects on one backdrop).
        self._flat = np.fromiter(
            (r.fingerprint.flat_and_edged for r in records),
            dtype=bool,
            count=len(records),
        )
        # Per record, the number of its first far window (core.windows.far_windows).
        counts = np.fromiter((len(r.fingerprint.windows) for r in records), np.int64, len(records))
        far_of = np.array([far_windows(c) for c in range(int(counts.max(initial=0)) + 1)])
        self._first_far: I64 = (counts - far_of[counts]).astype(np.int64)
        # Per pair of records (lower first, as ``_key``), the window that came closest: its
        # owner and slot, as arrays sorted by key (a dictionary held some 200 bytes a pair).
        self._via_keys: I64 = np.zeros(0, np.int64)
        self._via_owner: npt.NDArray[np.int32] = np.zeros(0, np.int32)
        self._via_slot: npt.NDArray[np.int8] = np.zeros(0, np.int8)
        # Windows decoded again for a second look: (owner, slot) -> what is kept of it.
        self._looks: dict[tuple[int, int], Glance | None] = {}
        self._workers = default_workers()

    def _indexed(self) -> tuple[WindowIndex, WindowIndex]:
        """The far and the near windows' indexes."""
        # The far search on one thread: its tables are the largest (two million window
        # hashes at 100,000 files), and each thread probes with its own (``FAR_WORKERS``).
        # Its index is made first, while nothing else of the windows is held.
        far = WindowIndex(
            *windows_of(self._records, far=True),
            FAR_LAYOUTS,
            FAR_WORKERS,
            WINDOW_BITS,
            searches=self._searches,
            kind="far windows",
        )
        near = WindowIndex(
            *windows_of(self._records, far=False),
            LAYOUTS,
            largest=WINDOW_BITS,
            searches=self._searches,
            kind="near windows",
        )
        return far, near

    @property
    def indexed(self) -> bool:
        """Whether the windows' indexes are held (``let_go_of_indexes``)."""
        return self._indexes is not None

    def let_go_of_indexes(self) -> None:
        """Let go of the windows' indexes and the pairs their searches found: at 100,000
        files 68 MB, which a grouping asking for no other threshold held through its walk
        and the files left out, where its memory peaks. What a second look needs (the
        window kept per pair) stays. Made again if ``at`` is asked again, their searches
        read back from where they were kept (core.kept_searches) or made anew."""
        self._indexes = None

    def at(self, threshold: int) -> Candidates:
        """Record pairs where one file's own hash is within ``min(threshold, WINDOW_BITS)``
        of a window of another (``a``: the file, ``b``: the window's owner). ``distance`` is
        still the one between the two files' own hashes."""
        bits = min(threshold, WINDOW_BITS)
        parts: list[tuple[I64, I32, I8, I8, U8]] = []
        # The far search first, while no other search's pairs are held: it is the larger of
        # the two (twice the windows), and it made a 100,000-file cold scan's peak. Its parts
        # go second all the same (``_remember`` keeps the last found of equal windows).
        if self._indexes is None:
            self._indexes = self._indexed()
        far, near = self._indexes
        for index in (far, near):
            a, b, slot, window_distance = index.pairs(self._unique, self._bounds, bits)
            a = self._order[a]
            other = a != b
            # The two files' own hashes apart, in bits (for the filter below, for which
            # window is kept for a pair and for the candidates' distance).
            apart = self._hashes[a]
            apart ^= self._hashes[b]
            own = np.bitwise_count(apart)
            del apart
            if index is far:
                # Two pictures of flat areas and edges within the threshold of each other
                # are candidates as they are, and judged whole as before; a far window
                # brings the others, to be judged through it alone (``looked_again``).
                # Those further than ``_ALONE_BITS`` from the window are left out: of a
                # library's pairs of flat pictures, most are met that far by chance.
                alone = (own > threshold) & (window_distance <= _ALONE_BITS)
                other &= ~(self._flat[a] & self._flat[b] & ~alone)
            parts.append((a[other], b[other], slot[other], window_distance[other], own[other]))
            del a, b, slot, window_distance, other, own
        del far, near, index
        parts.reverse()
        a, b, slot, window_distance, own = (np.concatenate(p) for p in zip(*parts, strict=True))
        del parts
        self._remember(a, b, slot, window_distance, own)
        del slot, window_distance
        return Candidates(a, b.astype(np.int64), np.zeros(a.size, np.int64), own.astype(np.int64))

    def _remember(self, a: I64, b: I32, slot: I8, window_distance: I8, own: U8) -> None:
        """Keep, per pair of records, the window that came closest (for ``looked_again``):
        of a pair's windows, the one at the least distance (the last found of those), a far
        window between two pictures of flat areas and edges only when no other brought the
        pair (through it the pair is judged alone); a pair found again replaces what an
        earlier search kept for it. ``own``: the pairs' own hashes apart, in bits."""
        # Only where the window explains the pair better than the pictures' own hashes do
        # by ``_GAIN_BITS``: otherwise the two are framed alike, and a failed check is
        # about their content (two slides on one background), not about a crop.
        gain = np.flatnonzero(own.astype(np.int64) - window_distance >= _GAIN_BITS)
        keys = self._key(a[gain], b[gain])
        alone = self._flat[a[gain]] & self._flat[b[gain]] & (slot[gain] >= self._first_far[b[gain]])
        order = np.lexsort((-gain, window_distance[gain], alone, keys))
        keys = keys[order]
        first = np.ones(keys.size, dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        best = gain[order[first]]
        keys = keys[first]
        owner = b[best].astype(np.int32)
        window = slot[best].astype(np.int8)
        if self._via_keys.size:
            old = ~np.isin(self._via_keys, keys, assume_unique=True)
            keys = np.concatenate([self._via_keys[old], keys])
            owner = np.concatenate([self._via_owner[old], owner])
            window = np.concatenate([self._via_slot[old], window])
            order = np.argsort(keys, kind="stable")
            keys, owner, window = keys[order], owner[order], window[order]
        self._via_keys, self._via_owner, self._via_slot = keys, owner, window

    def _key(self, a: I64, b: I64 | I32) -> I64:
        """One key per unordered pair of records."""
        n = len(self._records)
        out: I64 = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
        return out

    def _via(self, a: I64, b: I64) -> tuple[npt.NDArray[np.bool_], I64]:
        """Which pairs of records ``a``, ``b`` a window brought together, and where that
        pair's window is kept (meaningful where it was)."""
        keys = self._key(a, b)
        if self._via_keys.size == 0:
            return np.zeros(keys.size, dtype=bool), np.zeros(keys.size, np.int64)
        pos = np.minimum(self._via_keys.searchsorted(keys), self._via_keys.size - 1)
        found: npt.NDArray[np.bool_] = self._via_keys[pos] == keys
        return found, pos.astype(np.int64)

    def through(self, a: I64, b: I64) -> tuple[npt.NDArray[np.bool_], I64, I64]:
        """Which pairs of records ``a``, ``b`` a window brought together (one that explains
        them better than their own hashes: crop candidates, whose whole pictures need not
        correlate), and for those pairs the window kept: its owner and slot (zeros for the
        other pairs)."""
        found, pos = self._via(a, b)
        if not found.any():
            return found, np.zeros(found.size, np.int64), np.zeros(found.size, np.int64)
        owner = np.where(found, self._via_owner[pos], 0).astype(np.int64)
        slot = np.where(found, self._via_slot[pos], 0).astype(np.int64)
        return found, owner, slot

    def looked_again(
        self,
        a: I64,
        b: I64,
        turn: I64,
        res: F32,
        limit: float,
        thumbs: Callable[[I64], U8],
        details: Callable[[int], U8 | None],
        fine: npt.NDArray[np.bool_],
        flat: FlatJudge | None = None,
        memo: RowMemo | None = None,
    ) -> F32:
        """``res`` (residuals of record pairs ``a``, ``b[k]`` turned by ``turn[k]``) with the
        pairs that failed it and that a window brought together checked again through that
        window: the window's part of its owner, decoded again, against the other file's
        thumbnail. A trimmed copy's thumbnail then shows the same part of the scene as the
        original's window, and a framed copy's photo fills its window; the 32x32 thumbnails
        of the whole pictures meet only after an alignment that reaches 10-20 % at most.
        Pairs that pass are also given the 256x256 text check (core.strokes), as pairs of
        one shape are in core.pair_checker: the window of a slide must not pass for another
        slide on the same background.

        Pairs of two pictures of flat areas and edges (``fine``, by record: slides, pages,
        chats, screenshots, objects on a backdrop) are looked at only with ``flat``, and
        judged as such pictures are: with fine thumbnails, the layout rules and the colour
        of their flat parts (``_flat_verdicts``). Those a far window brought together (a
        deep trim, an off-centre square) are judged through it alone, passed or not: their
        whole pictures agree wherever a backdrop or a layout does, which is what such a
        window of one of them meets in another picture.
        """
        todo = np.flatnonzero((turn == 0) & np.isfinite(res))
        found, pos = self._via(a[todo], b[todo])
        todo, pos = todo[found], pos[found]
        owners = self._via_owner[pos].astype(np.int64)
        slots = self._via_slot[pos].astype(np.int64)
        both_flat = fine[a[todo]] & fine[b[todo]]
        far = slots >= self._first_far[owners]
        if flat is None:
            wanted = ~both_flat & (res[todo] > limit)
        else:
            wanted = (res[todo] > limit) | (both_flat & far)
        todo, owners, slots = todo[wanted], owners[wanted], slots[wanted]
        judged_alone = (both_flat & far)[wanted]
        if not todo.size:
            return res
        out: F32 = res.copy()
        crops: list[U8] = []
        others: list[int] = []
        picked: list[int] = []
        looks: list[Glance] = []
        # By owner, so that a file's windows are cut from one decode.
        order = np.lexsort((slots, owners)).tolist()
        found_looks = self._looks_at(
            [(int(owners[n]), int(slots[n])) for n in order], fine[owners[order]].tolist()
        )
        for n, look in zip(order, found_looks, strict=True):
            k, owner = int(todo[n]), int(owners[n])
            if look is not None:
                crops.append(look.thumb)
                others.append(int(b[k]) if owner == int(a[k]) else int(a[k]))
                picked.append(n)
                looks.append(look)
        # A pair judged through its window alone whose window cannot be looked at is not one.
        out[todo[judged_alone]] = np.inf
        if not picked:
            return out
        at = np.array(picked, dtype=np.int64)
        idx = todo[at]
        other = np.array(others, np.int64)
        pair_flat = fine[a[idx]] & fine[b[idx]]
        other_thumbs = thumbs(other)
        again = residuals(np.stack(crops), other_thumbs, limit, memo=memo)
        if flat is not None and pair_flat.any():
            both = np.flatnonzero(pair_flat)
            again[both] = self._flat_verdicts(
                [looks[i] for i in both.tolist()],
                [owners[at][i] for i in both.tolist()],
                other[both],
                other_thumbs[both],
                limit,
                flat,
                memo,
            )
        passed = np.flatnonzero(again <= limit).tolist()
        owner_at, slot_at = owners[at], slots[at]
        windows = self._details_at([(int(owner_at[n]), int(slot_at[n])) for n in passed])
        text_a: list[U8] = []
        text_b: list[U8] = []
        read: list[int] = []
        for n, window in zip(passed, windows, strict=True):
            detail = details(others[n])
            if detail is not None and window is not None:
                text_a.append(window)
                text_b.append(detail)
                read.append(n)
        apart = np.zeros(len(picked), dtype=bool)
        # A window that cannot be decoded again (the file changed or went away since its
        # look) cannot be read for text: its pair is not passed unread.
        lost = [n for n, window in zip(passed, windows, strict=True) if window is None]
        apart[lost] = True
        if read:
            at_read = np.array(read)
            detail_a, detail_b = np.stack(text_a), np.stack(text_b)
            apart[at_read] = two_sided_text(detail_a, detail_b)
            # Two photos (not pictures of flat areas and edges, judged above) whose grey
            # levels met through the window but whose edges differ all over: two quiet
            # gradients, not a crop (core.local_edits.apart_in_structure).
            photos = np.flatnonzero(~pair_flat[at_read])
            if photos.size:
                apart[at_read[photos]] |= apart_in_structure(
                    _at_look_side(detail_a[photos]), _at_look_side(detail_b[photos])
                )
        ok = (again <= limit) & ~apart
        alone = judged_alone[at]
        out[idx[ok & ~alone]] = np.minimum(out[idx[ok & ~alone]], again[ok & ~alone])
        out[idx[ok & alone]] = again[ok & alone]
        return out

    def _flat_verdicts(
        self,
        looks: Sequence[Glance],
        owners: Sequence[int],
        others: I64,
        other_thumbs: U8,
        limit: float,
        flat: FlatJudge,
        memo: RowMemo | None = None,
    ) -> F32:
        """Residuals of windows of pictures of flat areas and edges (``looks``, of records
        ``owners``) against the records ``others``, checked as such pictures are in
        core.pair_checker (with fine thumbnails, then the layout rules), with those that
        pass but whose flat parts differ in colour (core.colour_agree) set to infinity."""
        fine_b, found = flat.fines(others)
        fine_a = np.stack([_fine_kept(look) for look in looks])
        out = residuals(
            np.stack([look.thumb for look in looks]), other_thumbs, limit, fine_a, fine_b, memo=memo
        )
        out[~found] = np.inf
        shapes = np.array(
            [(look.aspect, self._aspect(int(o))) for look, o in zip(looks, others, strict=True)],
            dtype=np.float32,
        ).reshape(-1, 2)
        out = flat.apart(out, fine_a, fine_b, shapes)
        for n in np.flatnonzero(out <= limit).tolist():
            window_of, other = flat.colours(owners[n]), flat.colours(int(others[n]))
            if window_of is None or other is None or colours_apart(window_of, looks[n].box, other):
                out[n] = np.inf
        return out

    def _aspect(self, record: int) -> float:
        """Width / height of a record's picture as displayed."""
        fp = self._records[record].fingerprint
        return fp.width / max(1, fp.height)

    def _looks_at(
        self, keys: Sequence[tuple[int, int]], fine: Sequence[bool]
    ) -> list[Glance | None]:
        """Window ``slot`` of record ``owner`` decoded again, for each (owner, slot) of
        ``keys`` (None when the file cannot be read now or has no such window), with its fine
        thumbnail where ``fine``: those not kept from an earlier call are made together,
        files side by side (``window_looks.looks_of``)."""
        missing: dict[int, list[int]] = {}
        wants_fine: dict[int, bool] = {}
        for (owner, slot), with_fine in zip(keys, fine, strict=True):
            slots = missing.setdefault(owner, [])
            wants_fine[owner] = wants_fine.get(owner, False) or with_fine
            key = (owner, slot)
            kept = self._looks.get(key)
            lacks = key not in self._looks or (with_fine and kept is not None and kept.fine is None)
            if lacks and slot not in slots:
                slots.append(slot)
        missing = {owner: slots for owner, slots in missing.items() if slots}
        made = window_looks.looks_of(
            [
                (self._records[owner].path, slots, wants_fine[owner])
                for owner, slots in missing.items()
            ],
            self._workers,
            self._pictures,
        )
        new = {
            (owner, slot): look
            for (owner, slots), looks in zip(missing.items(), made, strict=True)
            for slot, look in zip(slots, looks, strict=True)
        }
        out = [new[key] if key in new else self._looks[key] for key in keys]
        if len(self._looks) + len(new) > _LOOKS_HELD:
            self._looks.clear()
        self._looks.update(new)
        return out

    def _details_at(self, keys: Sequence[tuple[int, int]]) -> list[U8 | None]:
        """The 256x256 detail picture of window ``slot`` of record ``owner`` for each (owner,
        slot) of ``keys``, decoded again (None when the file cannot be read now): asked only
        for the pairs that passed through their window, so it is not kept."""
        asked: dict[int, list[int]] = {}
        for owner, slot in keys:
            slots = asked.setdefault(owner, [])
            if slot not in slots:
                slots.append(slot)
        made = window_looks.details_of(
            [(self._records[owner].path, slots) for owner, slots in asked.items()],
            self._workers,
            self._pictures,
        )
        found = {
            (owner, slot): detail
            for (owner, slots), details in zip(asked.items(), made, strict=True)
            for slot, detail in zip(slots, details, strict=True)
        }
        return [found[key] for key in keys]


def _fine_kept(look: Glance) -> U8:
    """The fine thumbnail of the look through a window of a picture of flat areas and edges
    (``_looks_at`` makes it for those)."""
    if look.fine is None:
        raise ValueError("a flat picture's window was looked at without its fine thumbnail")
    return look.fine


def _at_look_side(pictures: U8) -> U8:
    """A stack of square pictures brought to the local-edit look's side (means of blocks):
    the 256x256 pictures of the text check at 128x128."""
    n, side = pictures.shape[0], pictures.shape[1]
    k = max(1, side // LOOK_EDIT_SIDE)
    if k == 1:
        return pictures
    blocks = pictures.reshape(n, side // k, k, side // k, k).mean(axis=(2, 4))
    out: U8 = blocks.round().astype(np.uint8)
    return out


def picture_box_of(path: str, pictures: ScanPictures | None = None) -> tuple[Box, bool, int] | None:
    """The picture inside the chrome of a screenshot, or else inside a uniform border, of the
    file at ``path``, placed on the picture decoded again at ``FINE_SIDE``, whether it sits
    in chrome, and the grey level of the border (the most common of the four corners, as the
    readings take it); None when there is neither or the file cannot be read. A pixel of the
    32x32 thumbnail is 3 % of a side: too coarse to compare the shape of what is inside a
    frame with another copy's. ``pictures``: the scan's, taken where they serve.
    """
    try:
        full = upright_grey(path, max_side=LOOK_SIDE, pictures=pictures)
    except FingerprintError:
        return None
    pixels = np.asarray(shown_small(full, side=FINE_SIDE), dtype=np.int16)
    h, w = pixels.shape
    share = _PLACED_PHOTO_SHARE if screen_shaped(w, h) else None
    photo = photo_box(pixels) if share is None else photo_box(pixels, min_share=share)
    uniform = content_box(pixels)
    level = border_level(pixels)
    if photo is None:
        return None if uniform is None else (uniform, False, level)
    # Bars of one colour around a photo are chrome when the uniform-border reading stops
    # elsewhere: at a status bar's clock, a title, icons.
    chrome = uniform is None or max(abs(a - b) for a, b in zip(photo, uniform, strict=True)) > (
        _CHROME_GAP
    )
    return photo, chrome, level
