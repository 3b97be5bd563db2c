"""Which records make the best keepers, and what the formed groups say about their keepers.

The walk (core.grouping) visits files best keeper first, so its order decides every group.
The sort keys (core.keeper) are computed once per rule order; the rules that judge a file
against its copies ("upright", "clean") need the groups first, so what the formed groups say
(core.standing: a keeper turned against most of its group, framed beside a clean member, or
carrying an overlay most members see) ranks those files lower for a second walk. Only
the keys of the files named are computed again.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import distinct
from dedupe_gui.core.differences import (
    DARKENED,
    DIFFERS,
    FRAMED,
    KEEPER_CARRIES,
    LIGHTER,
    NOT_A_SHOT,
    TRIMMED,
    UNBORDERED,
    turned_round,
)
from dedupe_gui.core.keeper import NO_STANDING, Standing, keeper_key
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.pair_words import Halt, PairWords
from dedupe_gui.core.picture_boxes import PictureBoxes
from dedupe_gui.core.standing import (
    COMPARABLE_PIXELS,
    Members,
    camera_originals,
    framed_beside_clean,
    losing_orientations,
)
from dedupe_gui.core.stepwise import stable_order

I64 = npt.NDArray[np.int64]

# Groups whose overlaid-keeper verdict is held (a grouping's walks at one threshold form
# some 20,000 at 100,000 files, mostly the same ones each walk).
_OVERLAID_HELD: Final = 200_000


class KeeperRanking:
    """The keeper order of one scan's records under each rule order and standing."""

    def __init__(
        self, records: tuple[ImageRecord, ...], boxes: PictureBoxes, words: PairWords
    ) -> None:
        """``boxes``: where each file's picture sits inside a frame; ``words``: what
        differs, for the overlays a group's members see."""
        self.records = records
        self._boxes = boxes
        self._words = words
        self._rankings: dict[tuple[tuple[str, ...], Standing], tuple[list[int], I64]] = {}
        self._keys: dict[tuple[str, ...], list[tuple[float | int | str, ...]]] = {}
        self._index_of: dict[FileKey, int] | None = None
        self._cameras: npt.NDArray[np.bool_] | None = None
        # By group (keeper, members, turns): whether its keeper is an overlaid one.
        self._overlaid: dict[tuple[int, bytes, bytes], bool] = {}
        # The records' pixel shapes.
        self._pixel_shape: I64 | None = None

    def ranking(self, rules: tuple[str, ...], standing: Standing) -> tuple[list[int], I64]:
        """Records best keeper first, and each record's place in that order. The sort keys
        are kept per rule order; only the keys of the files ``standing`` names are computed
        again, so the second walk of a grouping does not recompute the rest."""
        cached = self._rankings.get((rules, standing))
        if cached is None:
            keys = self._keys.get(rules)
            if keys is None:
                plain = keeper_key(rules)
                keys = self._keys[rules] = [plain(r) for r in self.records]
            named = standing.turned | standing.framed
            if named:
                key = keeper_key(rules, standing)
                keys = list(keys)
                for i in self._indices_of(named):
                    keys[i] = key(self.records[i])
            # In short calls: the window's thread waits for one long sort (core.stepwise).
            order = stable_order(len(self.records), keys.__getitem__)
            rank = np.empty(len(self.records), dtype=np.int64)
            rank[order] = np.arange(len(self.records), dtype=np.int64)
            if len(self._rankings) > 8:  # one per rule order and threshold tried, not forever
                self._rankings.clear()
            cached = self._rankings[(rules, standing)] = (order, rank)
        return cached

    def _indices_of(self, keys: frozenset[FileKey]) -> list[int]:
        if self._index_of is None:
            self._index_of = {r.key: i for i, r in enumerate(self.records)}
        return [self._index_of[k] for k in keys]

    def _overlaid_keepers(self, formed: list[tuple[int, I64, I64, I64]], halt: Halt) -> I64:
        """Keepers that carry an overlay (a caption bar, a sticker) or darkened corners a
        member of comparable pixels does not: a member's words say so ("no overlay at the
        bottom", "lighter corners": core.overlays tells which copy carries it). Where the
        thumbnails cannot tell ("differs at the bottom"), a keeper most of the members of a
        group of three or more see differ in one place is the odd one out. A trimmed member
        says nothing of the sides it was trimmed on (``_witnessed``).
        """
        if not formed:
            return np.zeros(0, np.int64)
        self._words.explain_all(
            np.concatenate([np.full(o.size, b, dtype=np.int64) for b, o, _, _ in formed]),
            np.concatenate([o for _, o, _, _ in formed]),
            np.concatenate([k for _, _, _, k in formed]),
            halt,
        )
        out = []
        if len(self._overlaid) > _OVERLAID_HELD:
            self._overlaid.clear()
        for best, others, _, turns in formed:
            # The walks of one grouping form mostly the same groups again: each group's
            # verdict is a function of its files and their words, kept by group.
            group = (best, others.tobytes(), turns.tobytes())
            known = self._overlaid.get(group)
            if known is None:
                known = self._overlaid[group] = self._overlaid_keeper(best, others, turns)
            if known:
                out.append(best)
        return np.array(out, np.int64)

    def _overlaid_keeper(self, best: int, others: I64, turns: I64) -> bool:
        """Whether the keeper ``best`` of a group carries what its members say it does
        (``_overlaid_keepers``)."""
        pixels = self.records[best].pixels
        said = [
            (o, _witnessed(self._words.said[(best, o, t)]))
            for o, t in zip(others.tolist(), turns.tolist(), strict=True)
        ]
        comparable = [
            words for o, words in said if self.records[o].pixels >= COMPARABLE_PIXELS * pixels
        ]
        if any(_outvoted(w, comparable) for words in comparable for w in words):
            return True
        if _framed_keeper(comparable):
            return True
        places = Counter(w for _, words in said for w in words if w.startswith(DIFFERS))
        return others.size >= 2 and bool(places) and 2 * places.most_common(1)[0][1] > others.size

    def standing(
        self, formed: list[tuple[int, I64, I64, I64]], rules: tuple[str, ...], halt: Halt
    ) -> tuple[Standing, I64]:
        """What the formed groups say about their keepers (core.standing): a keeper turned
        against most of its group, or framed beside a clean member that shows the frame was
        added. Only groups whose keeper is such a file count; the files named are the members
        that lose within them. Nothing when no keeper is one."""
        none = (NO_STANDING, np.zeros(0, np.int64))
        upright, clean = "upright" in rules, "clean" in rules
        if not (upright or clean) or not formed:
            return none
        m = Members.of(formed)
        turned = np.zeros(0, np.int64)
        if upright and bool(m.turn.any()):
            if self._cameras is None:
                self._cameras = camera_originals(self.records)
            turned = m.record[losing_orientations(m, self._cameras[m.record])]
        boxed = np.zeros(0, np.int64)
        if clean:
            inside = self._boxes.inside(m.record)
            if bool((inside < 1.0).any()):
                shape = self._shapes()
                lose = framed_beside_clean(
                    m,
                    inside,
                    shape[m.record, 0],
                    shape[m.record, 1],
                    self._boxes.levels(m.record),
                )
                boxed = m.record[lose]
            boxed = np.concatenate((boxed, self._overlaid_keepers(formed, halt)))
        if not turned.size and not boxed.size:
            return none
        standing = Standing(
            frozenset(self.records[i].key for i in turned.tolist()),
            frozenset(self.records[i].key for i in boxed.tolist()),
        )
        return standing, distinct(np.concatenate((turned, boxed)).astype(np.int64))

    def edited_peer(
        self, keeper: int, peer: int, others: I64, rules: tuple[str, ...], halt: Halt
    ) -> bool:
        """Whether ``keeper``'s own words show ``peer``, one of its members, to be an edited
        copy of it, read as the rule "clean" reads a keeper's words about its members. Turned
        round, the words about ``peer`` say what ``peer`` carries beside ``keeper`` ("overlay
        at the bottom": ``peer`` has "no overlay at the bottom" on it). A frame or chrome
        counts as said; an overlay or darkened corners count when the keeper's other members
        (``others``) of comparable pixels vouch for the keeper there, more of them seeing it
        as they are at that place than differ (``_votes``): which copy carries what differs
        is read from the edges, and a sticker copy kept over its original said the original
        carried the sticker. Words said beside a trim tell nothing: ``peer`` has ``keeper``'s
        pixels, so a trim between them is an alignment an edit pulled off (a vignetted
        keeper read its clean peer as trimmed 15 % left and 12 % bottom with an overlay in
        the middle). A group is never taken over by an edited copy (core.leftovers): the
        take-over is there to move a group off an edited keeper, never onto one. False
        without the rule."""
        if "clean" not in rules:
            return False
        members = np.concatenate([[peer], others[others != peer]]).astype(np.int64)
        self._words.explain_all(
            np.full(members.size, keeper, np.int64), members, np.zeros_like(members), halt
        )
        said = self._words.said[(keeper, peer, 0)]
        if any(w.startswith(TRIMMED) for w in said):
            return False
        seen = tuple(t for t in map(turned_round, said) if t is not None)
        if _framed_keeper([seen]):
            return True
        pixels = self.records[keeper].pixels
        comparable = [
            _witnessed(self._words.said[(keeper, o, 0)])
            for o in members[1:].tolist()
            if self.records[o].pixels >= COMPARABLE_PIXELS * pixels
        ]
        for word in seen:
            if word.startswith(KEEPER_CARRIES):
                differ, blind = _votes(_place(word), comparable)
                if blind > differ:
                    return True
        return False

    def _shapes(self) -> I64:
        if self._pixel_shape is None:
            self._pixel_shape = np.array(
                [(r.fingerprint.width, max(1, r.fingerprint.height)) for r in self.records],
                dtype=np.int64,
            ).reshape(-1, 2)
        return self._pixel_shape

    # -- grouping ------------------------------------------------------------------------


def _outvoted(word: str, comparable: list[tuple[str, ...]]) -> bool:
    """Whether ``word``, said by one of a keeper's members (``comparable``: the words of
    those with comparable pixels, ``_witnessed``), shows the keeper to carry an overlay or
    darkened corners: it says so, and more of the members see the keeper differ at that
    place than see it as they are there. Which copy carries what differs is read from the
    edges (core.overlays), and a flat sticker over a busy texture takes edges away: its
    copy said the original carried an overlay, while another copy of the original saw
    nothing differ at all. A member sees the place as it is when its words name no place
    (the words name one place at most: one with a caption bar elsewhere says nothing of
    this one) and it was compared tile by tile there (``_compares``)."""
    if not word.startswith(KEEPER_CARRIES):
        return False
    differ, blind = _votes(_place(word), comparable)
    return differ > blind


def _votes(place: str, comparable: list[tuple[str, ...]]) -> tuple[int, int]:
    """How many of a keeper's members (their words, ``comparable``) see it differ at
    ``place``, and how many see it as they are there (``_outvoted``)."""
    differ = sum(any(_place(w) == place for w in words) for words in comparable)
    blind = sum(
        not any(_place(w) for w in words) and _compares(words, place) for words in comparable
    )
    return differ, blind


def _framed_keeper(comparable: list[tuple[str, ...]]) -> bool:
    """Whether the members of comparable pixels (their words, ``_witnessed``) show the keeper
    to be a framed copy or a screenshot of them: more of them see its frame or chrome added
    ("border removed", "not a screenshot") than see none. The words place one picture on the
    other's decode (core.picture_boxes), which tells a frame of the picture's own margin
    colour (a black frame around a night sky) that the thumbnails' border readings peel
    off with the margin."""
    framed = sum(any(w in (UNBORDERED, NOT_A_SHOT) for w in words) for words in comparable)
    plain = sum(not any(w in FRAMED for w in words) for words in comparable)
    return framed > plain


def _place(word: str) -> str:
    """The place a word says the keeper and a member differ ("the bottom", "corners"), or
    "" for a word of another kind."""
    if word in (DARKENED, LIGHTER):
        return "corners"
    for kind in ("overlay at ", "no overlay at ", DIFFERS):
        if word.startswith(kind):
            return word[len(kind) :]
    return ""


def _compares(words: tuple[str, ...], place: str) -> bool:
    """Whether a member whose words are ``words`` compared ``place`` with its keeper tile
    by tile: not a framed copy (its frame is compared with the picture), not one trimmed
    on a side of that place."""
    if any(w in FRAMED for w in words):
        return False
    sides = {w.rsplit(" ", 1)[-1] for w in words if w.startswith(TRIMMED)}
    return not sides & set(place.split()) and not (place == "corners" and sides)


def _witnessed(words: tuple[str, ...]) -> tuple[str, ...]:
    """A member's words without what it says of a place on a side it was trimmed on: the
    keeper shows there what the trim took away, which reads as an overlay the member has not
    ("no overlay at the bottom" of a copy trimmed at the bottom); taken as such, it ranked a
    clean original below its edited copies."""
    sides = {w.rsplit(" ", 1)[-1] for w in words if w.startswith(TRIMMED)}
    if not sides:
        return words
    return tuple(w for w in words if w.startswith(TRIMMED) or not sides & set(w.split()))
