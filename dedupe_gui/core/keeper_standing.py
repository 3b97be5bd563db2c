"""Which records make the best keepers, and what the formed groups say about their keepers.

The walk (core.grouping) visits files best keeper first, so its order decides every group.
The sort keys (core.keeper) are computed once per rule order; the rules that judge a file
against its copies ("upright", "clean") need the groups first, so what the formed groups say
(core.standing: a keeper turned against most of its group, framed beside a clean member, or
carrying an overlay most members see, or an edit of a copy of its canvas that the other
members were made from: core.keeper_votes) ranks those files lower for a second walk. Only
the keys of the files named are computed again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from dedupe_gui.core.candidates import Adjacent, distinct
from dedupe_gui.core.differences import (
    DARKENED,
    DIFFERS,
    FRAMED,
    KEEPER_CARRIES,
    LIGHTER,
    NOT_A_SHOT,
    SAME_PROPORTIONS,
    TRIMMED,
    UNBORDERED,
    turned_round,
)
from dedupe_gui.core.keeper import NO_STANDING, Standing, keeper_key
from dedupe_gui.core.keeper_votes import made_from
from dedupe_gui.core.loaded_thumbs import LoadedThumbs
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


@dataclass(frozen=True)
class Passes:
    """What one grouping's walk goes by: the candidate pairs (core.candidates) and the
    thumbnail check (core.pair_checker) with its limit."""

    adjacent: Adjacent
    residuals: Callable[[I64, I64, I64], npt.NDArray[np.float32]]
    limit: float

    def takes(self, keeper: int, others: I64, turns: I64) -> bool:
        """Whether a walk from ``keeper`` would take in every file of ``others`` (each
        turned as ``turns`` says): each is its candidate so turned, and passes the check."""
        near, _, turned = self.adjacent.row(keeper)
        known = set(zip(near.tolist(), turned.tolist(), strict=True))
        if not all(pair in known for pair in zip(others.tolist(), turns.tolist(), strict=True)):
            return False
        keepers = np.full(others.size, keeper, np.int64)
        return bool((self.residuals(keepers, others, turns) <= np.float32(self.limit)).all())


# Groups whose overlaid-keeper verdict is held (a grouping's walks at one threshold form
# some 20,000 at 100,000 files, mostly the same ones each walk).
_OVERLAID_HELD: Final = 200_000


class KeeperRanking:
    """The keeper order of one scan's records under each rule order and standing."""

    def __init__(
        self,
        records: tuple[ImageRecord, ...],
        boxes: PictureBoxes,
        words: PairWords,
        loaded: LoadedThumbs,
    ) -> None:
        """``boxes``: where each file's picture sits inside a frame; ``words``: what
        differs, for the overlays a group's members see; ``loaded``: the thumbnails the
        members vote with for the copy they were made from (core.keeper_votes)."""
        self.records = records
        self._boxes = boxes
        self._words = words
        self._loaded = loaded
        self._rankings: dict[tuple[tuple[str, ...], Standing], tuple[list[int], I64]] = {}
        self._keys: dict[tuple[str, ...], list[tuple[float | int | str, ...]]] = {}
        self._index_of: dict[FileKey, int] | None = None
        self._cameras: npt.NDArray[np.bool_] | None = None
        # By group (keeper, members, turns): whether its keeper is an overlaid one, and
        # whether its members were made from a copy of its canvas other than the keeper.
        self._overlaid: dict[tuple[int, bytes, bytes], bool] = {}
        self._remade: dict[tuple[int, bytes, bytes], bool] = {}
        # What the verdicts held in ``_remade`` were reached by: one grouping's.
        self._remade_by: Passes | None = None
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
        self,
        formed: list[tuple[int, I64, I64, I64]],
        rules: tuple[str, ...],
        halt: Halt,
        passes: Passes | None = None,
    ) -> tuple[Standing, I64]:
        """What the formed groups say about their keepers (core.standing): a keeper turned
        against most of its group, or framed beside a clean member that shows the frame was
        added. Only groups whose keeper is such a file count; the files named are the members
        that lose within them. Nothing when no keeper is one. ``passes``: the thumbnail
        check under the grouping's limit (``Passes``), without which no keeper is judged
        by its members' votes (``_remade_keepers``)."""
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
            boxed = np.concatenate(
                (
                    boxed,
                    self._overlaid_keepers(formed, halt),
                    self._remade_keepers(formed, m, rules, halt, passes),
                )
            )
        if not turned.size and not boxed.size:
            return none
        standing = Standing(
            frozenset(self.records[i].key for i in turned.tolist()),
            frozenset(self.records[i].key for i in boxed.tolist()),
        )
        return standing, distinct(np.concatenate((turned, boxed)).astype(np.int64))

    def _remade_keepers(
        self,
        formed: list[tuple[int, I64, I64, I64]],
        m: Members,
        rules: tuple[str, ...],
        halt: Halt,
        passes: Passes | None,
    ) -> I64:
        """Keepers that a copy of their very canvas outvotes as the copy the group's other
        members were made from (core.keeper_votes): an edit over the whole picture (a
        filter, a vignette) whose words say nothing, or say it the wrong way round. Only
        the members shown the keeper's way up and of its proportions vote. Not a camera
        original beside a copy without the camera's EXIF (an edit made over and shared
        from more than the original was), nor beside a copy its own words show to be an
        edited one (``edited_peer``), nor beside one that a walk from it would not
        take every member in (a candidate that passes the check): the member would be left
        out of the group, or put in another (a sticker copy within the threshold of a
        filtered keeper and not of the original: edit seed 7). Without the check
        (``passes`` None), nothing."""
        if passes is None:
            return np.zeros(0, np.int64)
        shape = self._shapes()
        w, h = shape[m.record, 0], shape[m.record, 1]
        kw, kh = w[m.start][m.group], h[m.start][m.group]
        upright = m.turn == 0
        upright[m.start] = False
        peer = upright & (w == kw) & (h == kh)
        voter = upright & (np.abs(np.log((w * kh) / (h * kw))) < SAME_PROPORTIONS)
        groups = m.start.size
        asked = (np.bincount(m.group[peer], minlength=groups) > 0) & (
            np.bincount(m.group[voter], minlength=groups) >= 2
        )
        if not asked.any():
            return np.zeros(0, np.int64)
        if self._cameras is None:
            self._cameras = camera_originals(self.records)
        if len(self._remade) > _OVERLAID_HELD or passes is not self._remade_by:
            self._remade.clear()
            self._remade_by = passes
        out = []
        for g in np.flatnonzero(asked).tolist():
            best, others, _, turns = formed[g]
            group = (best, others.tobytes(), turns.tobytes())
            known = self._remade.get(group)
            if known is None:
                first = int(m.start[g]) + 1
                part = slice(first, first + others.size)
                known = self._remade[group] = self._remade_keeper(
                    best,
                    (others, turns),
                    (others[voter[part]], others[peer[part]]),
                    rules,
                    halt,
                    passes,
                )
            if known:
                out.append(best)
        return np.array(out, np.int64)

    def _remade_keeper(
        self,
        best: int,
        members: tuple[I64, I64],
        asked: tuple[I64, I64],
        rules: tuple[str, ...],
        halt: Halt,
        passes: Passes,
    ) -> bool:
        """Whether one of the keeper's copies of its canvas outvotes the keeper ``best``,
        every member of the group passing against it (``members``: files and turns;
        ``asked``: the members that vote, and the copies of the canvas among them;
        ``_remade_keepers``)."""
        others, turns = members
        voters, peers = asked
        self._loaded.bound()
        rows = self._loaded.rows(np.concatenate([[best], voters]).astype(np.int64))
        has = self._loaded.has_thumb[rows]
        if not has[0]:
            return False
        thumbs = self._loaded.thumbs[rows]  # a copy: the rows may move while words are said
        assert self._cameras is not None
        for p in peers.tolist():
            at = int(np.flatnonzero(voters == p)[0]) + 1
            rest = has.copy()
            rest[[0, at]] = False
            if not has[at] or not rest.any():
                continue
            if self._cameras[best] and not self._cameras[p]:
                continue
            if not made_from(thumbs[0], thumbs[at], thumbs[rest]):
                continue
            if self.edited_peer(best, p, others, rules, halt):
                continue
            # The peer is upright to the keeper: each member is turned to it as to the keeper.
            them = np.concatenate([[best], others[others != p]]).astype(np.int64)
            turned = np.concatenate([[0], turns[others != p]]).astype(np.int64)
            if passes.takes(p, them, turned):
                return True
        return False

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
