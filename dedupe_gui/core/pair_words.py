"""What tells each grouped file from its keeper, in words, said once per pair and kept.

Saying it aligns the two thumbnails (core.verify.explain), whose fixed numpy cost per call
made most of a warm rescan's grouping when done one group at a time: pairs are aligned many
at once, the words are kept across thresholds like the checks' verdicts, and those of an
earlier run come from the cache. The words themselves are core.differences; the keeper
rules read them too (an overlay most members see marks the keeper: core.keeper_standing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import said_id
from dedupe_gui.core.differences import SAME_PROPORTIONS, Frames, Marks, describe, framed
from dedupe_gui.core.frame_readings import Box
from dedupe_gui.core.loaded_thumbs import LoadedThumbs, turn_stack
from dedupe_gui.core.models import ImageRecord
from dedupe_gui.core.orientations import relation
from dedupe_gui.core.overlays import bars, carriers, corner_shading, edge_bars
from dedupe_gui.core.picture_boxes import PictureBoxes
from dedupe_gui.core.verify import border_of, explain

I64 = npt.NDArray[np.int64]

# Called between batches of pairs; raises to stop the grouping that asked.
Halt = Callable[[], None]

# Pairs aligned at once to say what differs: big enough to spread numpy's cost per call,
# small enough to keep the temporaries (some 125 KB a pair: 64 MB traced at 512 pairs) small.
_EXPLAIN_BATCH = 128
# Orientations from here on swap width and height (core.orientations).
_FIRST_QUARTER_TURN = 4
# The warp that moves nothing.
_WHOLE = np.array([1.0, 1.0, 0.0, 0.0], np.float32)


class PairWords:
    """What differs, by (keeper, file, turn) of one scan's records."""

    def __init__(
        self,
        records: tuple[ImageRecord, ...],
        loaded: LoadedThumbs,
        boxes: PictureBoxes,
        ids: Callable[[], npt.NDArray[np.uint64]],
        known_words: Mapping[int, tuple[str, ...]] | None,
    ) -> None:
        """``loaded``: the thumbnails the words are read from; ``boxes``: where pictures
        sit inside frames or screenshot chrome; ``ids``: the records' ``file_id``s;
        ``known_words``: what differs, by ``said_id`` of (keeper, file, turn), from an
        earlier run; those pairs are not aligned again.
        """
        self.records = records
        self._loaded = loaded
        self._boxes = boxes
        self._ids = ids
        # What tells a file from a keeper, by (keeper, file, turn): kept across thresholds.
        self.said: dict[tuple[int, int, int], tuple[str, ...]] = {}
        # The same from an earlier run (a cache), by said_id, and what was said since.
        self._known_words: Mapping[int, tuple[str, ...]] = known_words or {}
        self._new_words: dict[int, tuple[str, ...]] = {}

    def explain_all(self, keepers: I64, others: I64, turns: I64, halt: Halt) -> None:
        """Say what tells each of ``others`` (turned by ``turns``) from its keeper, in words
        (core.differences), for the pairs not said yet; kept across thresholds like the
        residuals. The alignment behind it runs over many pairs at once: one group at a time,
        its fixed numpy cost per call made most of a warm rescan's grouping."""
        key_list = list(zip(keepers.tolist(), others.tolist(), turns.tolist(), strict=True))
        ids = self._ids()
        said_ids = said_id(ids[keepers], ids[others], turns).tolist()
        wanted: list[int] = []
        for j, key in enumerate(key_list):
            if key in self.said:
                continue
            kept = self._known_words.get(said_ids[j])
            if kept is None:
                wanted.append(j)
            else:
                self.said[key] = kept
        todo = np.array(wanted, np.int64)
        whole = (_WHOLE, np.zeros((8, 8), dtype=bool))
        for start in range(0, todo.size, _EXPLAIN_BATCH):
            halt()
            self._loaded.bound()
            part = todo[start : start + _EXPLAIN_BATCH]
            rows_k = self._loaded.rows(keepers[part])
            rows_o = self._loaded.rows(others[part])
            has = self._loaded.has_thumb[rows_k] & self._loaded.has_thumb[rows_o]
            params = np.tile(whole[0], (part.size, 1))
            differing = np.zeros((part.size, 8, 8), dtype=bool)
            carrier = np.zeros(part.size, dtype=np.int8)
            shading = np.zeros(part.size, dtype=np.int8)
            bar = np.zeros(part.size, dtype=np.int8)
            bar_place = np.zeros(part.size, dtype=np.int8)
            if has.any():
                member = turn_stack(self._loaded.thumbs[rows_o[has]], turns[part][has])
                keeper_thumbs = self._loaded.thumbs[rows_k[has]]
                found, differs = explain(member, keeper_thumbs)
                # A bar the warp was fitted to is an overlay on copies that compare unmoved.
                edge, edge_place = edge_bars(
                    member,
                    keeper_thumbs,
                    found,
                    self._one_canvas(keepers[part][has], others[part][has], turns[part][has]),
                )
                found[edge != 0] = _WHOLE
                params[has], differing[has] = found, differs
                carrier[has] = carriers(member, keeper_thumbs, differing[has])
                shading[has] = corner_shading(member, keeper_thumbs, params[has])
                told, place = bars(member, keeper_thumbs, params[has])
                bar[has] = np.where(edge != 0, edge, told)
                bar_place[has] = np.where(edge != 0, edge_place, place)
            for n, j in enumerate(part.tolist()):
                keeper, o, t = key_list[j]
                member_box, member_chrome = self._member_box(o, int(rows_o[n]), t)
                keeper_box, keeper_chrome = self._boxes.placed(keeper)
                words = describe(
                    self.records[keeper],
                    self.records[o],
                    relation(t),
                    params[n],
                    differing[n],
                    Frames(member_box, keeper_box, member_chrome, keeper_chrome),
                    Marks(int(carrier[n]), int(shading[n]), int(bar[n]), int(bar_place[n])),
                )
                self.said[(keeper, o, t)] = words
                if has[n]:
                    self._new_words[said_ids[j]] = words

    def _one_canvas(self, keepers: I64, others: I64, turns: I64) -> npt.NDArray[np.bool_]:
        """Per pair: whether the member, turned as it matches, has its keeper's proportions
        (to a pixel in 200: core.differences). Only the pairs' records are read: a warm
        rescan says few pairs' words, and reading every record's size took 42 ms for
        100,000 stand-in records."""
        kw, kh = self._sizes(keepers)
        mw, mh = self._sizes(others)
        quarter = turns >= _FIRST_QUARTER_TURN
        mw, mh = np.where(quarter, mh, mw), np.where(quarter, mw, mh)
        with np.errstate(divide="ignore", invalid="ignore"):
            apart = np.abs(np.log((mw * kh) / (mh * kw)))
        out: npt.NDArray[np.bool_] = np.asarray(apart < SAME_PROPORTIONS)
        return out

    def _sizes(self, records: I64) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The pixel widths and heights of ``records``."""
        fps = [self.records[i].fingerprint for i in records.tolist()]
        size = np.array([(f.width, f.height) for f in fps], dtype=np.float64).reshape(-1, 2)
        return size[:, 0], size[:, 1]

    def _member_box(self, i: int, row: int, turn: int) -> tuple[Box | None, bool]:
        """Where record ``i`` (loaded row ``row``) turned by ``turn`` sits inside a frame or
        chrome: placed once per record when upright (the keeper rules read the same), on
        the turned thumbnail otherwise."""
        if turn == 0 or not self._loaded.has_thumb[row]:
            return self._boxes.placed(i)
        box = border_of(turn_stack(self._loaded.thumbs[row][None], np.array([turn]))[0])
        return (box if framed(box) else None), False

    def new_words_held(self) -> int:
        """How many pairs' words ``take_new_words`` would hand over."""
        return len(self._new_words)

    def take_new_words(self) -> dict[int, tuple[str, ...]]:
        """What differs, said since the last call (by ``said_id``), for a cache to keep
        (FingerprintStore.put_pair_words). Only pairs whose thumbnails were both there: the
        words of a pair judged without them would stand in for the real ones next time."""
        new, self._new_words = self._new_words, {}
        return new
