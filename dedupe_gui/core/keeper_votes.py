"""Which of two copies of one canvas the group's other copies were made from.

An edit made over the whole picture (a filter, a tone curve, a vignette) leaves a copy of the
original's very size, often the larger file: a noisier or more saturated picture compresses
less well. Nothing in the file says which of the two is the edit, and the words between them
can read either way (a vignette's dark corners align as a zoom, so the clean copy beside it
reads as trimmed on three sides; a translucent caption bar over a dark sky shows no edge).
The group's other copies can tell: each was made from the original, one edit away from it and
two from the edited copy, so each looks more like the original. Seen on the edit corpora
(mean absolute difference of the 32x32 thumbnails, grey levels): a greyscale or CMYK copy of
the original within 1 level of it and 1.7-41 from a filtered or vignetted copy of it; a
captioned or stickered copy 3-10 from the original and further from the edit.

A member votes for the copy it is nearer to, by at least ``NEARER`` of the distance between
the two copies (and by half a grey level at least, ``LEAST_APART``): two edits that overlap
(a dark caption bar where a vignette darkened the corners) leave the third copy about as near
to either, and it says nothing (at a third of the distance, such a copy voted an original
down on the seed-7 edit corpus; at half, none of five edit corpora had one). Only members
shown the keeper's way up and of the keeper's proportions vote (a trimmed or framed copy's
thumbnail is another framing, nearer to neither for a reason of its own); a copy of the
keeper's canvas that more members vote for than for the keeper shows the keeper to be the
edited one.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]

# A member votes for the copy it is nearer to by this share of the two copies' distance...
NEARER: Final = 0.5
# ... and by at least half this many grey levels (the mean absolute difference of 32x32
# thumbnails): a JPEG re-saved or shared through a chat app sits 0.3-0.7 from its original.
LEAST_APART: Final = 1.0


def votes(keeper: U8, peer: U8, members: U8) -> tuple[int, int]:
    """How many of ``members`` (their thumbnails) look clearly more like ``keeper``, and
    how many like ``peer`` (see the module docstring)."""
    k = keeper.astype(np.float32)
    p = peer.astype(np.float32)
    m = members.astype(np.float32).reshape(-1, *k.shape)
    apart = float(np.abs(k - p).mean())
    span = NEARER * max(apart, LEAST_APART)
    to_keeper = np.abs(m - k).mean(axis=(1, 2))
    to_peer = np.abs(m - p).mean(axis=(1, 2))
    return int((to_peer - to_keeper > span).sum()), int((to_keeper - to_peer > span).sum())


def made_from(keeper: U8, peer: U8, members: U8) -> bool:
    """Whether the members (their thumbnails; neither ``keeper`` nor ``peer``) vote for
    ``peer``, a copy of the keeper's canvas, more than for the keeper: the keeper is the
    edited copy."""
    for_keeper, for_peer = votes(keeper, peer, members)
    return for_peer > for_keeper
