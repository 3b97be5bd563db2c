"""The 64-bit image hash as a value: its text form, the distance between two, its version.

Kept apart from ``core.fingerprint`` (which decodes images) so that what only stores, writes
or compares hashes - the cache, reports, cleanup journals, the window - does not load Pillow.
"""

from __future__ import annotations

from typing import Final

# Bump when the meaning of a stored fingerprint changes: cached values are then recomputed.
# 2: thumbnail and turned hashes; 3: fine thumbnail, grey flag, windows; 4: the photo inside a
# screenshot's chrome as a window, border windows from the decode; 5: drafted JPEGs hashed
# from a box-reduced copy; 6: the middle half of the picture as a window (core.windows.CENTRE);
# 7: square windows off-centre, edges and corners trimmed deeper, the photo window inside;
# 8: windows trimmed on three edges, deep windows at two depths (corners, opposite edges,
# three edges).
ALGORITHM_VERSION: Final = 8
# Most window hashes one fingerprint holds (core.windows: twelve trimmed edges, the middle
# half, the picture inside a border, the photo inside chrome, five squares, 24 deep
# windows); the cache reads that many back.
MAX_WINDOWS: Final = 44
# Bump when the thumbnail check's verdicts change meaning: kept pair checks are then
# forgotten (a pair an older check passed must be checked again), fingerprints are kept.
# 2: text on a shared background at 128x128; 3: one local edit at 128x128; 4: second looks
# through windows and for straightened copies; 5: steep vignettes in the local-edit look;
# 6: the 16x16 pre-filter leaves the cells that differ most out before ruling a pair out;
# 7: pictures of flat areas and edges may differ in one box where one file covers the other;
# 8: the text check at 256x256, with a second look for straightened copies;
# 9: screenshots of different photos ruled out by their photo windows, pairs found through a
# window not ruled out by the 16x16 correlation, each second look's text check on its window;
# 10: pictures of flat areas and edges that pass get the text check at 256x256 too, whose
# aligned reading counts as two texts only when the pair as it is reads so too;
# 11: the local-edit look also reads a pair's grey levels as a mix of the other's colours;
# 12: pairs whose middles agree are not ruled out at 16x16 and get the local-edit look up
# to twice as far over the limit, the look reads a pair both ways, a caption band over a
# quiet picture may hold most of its textured tiles;
# 13: two pictures of flat areas and edges looked at through a window, with fine thumbnails,
# the layout rules and the colour of their flat parts; through a far window, only so;
# 14: pictures of flat areas and edges read one way only by the local-edit look;
# 15: two pictures of flat areas and edges straightened too, on their fine thumbnails, with
# the layout rules and the colour of their flat parts;
# 16: photos that pass through a window but whose edges differ on nearly every tile at
# 128x128 are refused (two quiet gradients, not a crop);
# 17: a difference in a band along one edge that a caption bar explains is not two texts
# (core.strokes), unless the rest of the picture differs too;
# 18: the colour reading also fits the mix through one tone curve, read where neither file
# is clipped; a pair whose 16x16 correlation is low but high with one overlay's place left
# out (not pictures of flat areas and edges) gets the local-edit look as far over the limit
# as a pair whose middles agree.
# 19: an object on a plain backdrop is not framed (core.windows.framed): looks through
# its deep trims and squares;
# 20: the text check's aligned reading counts only when it explains clearly more than the
# pair as it is, and its overlap line is 0.2 (core.strokes).
# 21: a pair a window brought together whose whole thumbnails fail the 16x16 first test is
# ruled out when the window's part of its owner's thumbnail fails it too
# (core.window_glimpse);
# 22: ... but not a framed pair or one of two shapes, which the check reframes.
# 23: a pair of two shapes is compared as a crop of the wider picture also when that is the
# second one (core.verify._second_chance cropped its height);
# 24: a pair is read the same whatever its files are called (core.pair_order): first from
# the side with more pixels, then the other way where that decides (two sizes: either
# reading passes it; one size: both must).
# 25: a pair read again with a uniform border taken off either picture gets no forgiving
# reading on top (core.verify._second_chance).
# 26: a black picture's fine thumbnail (all zeros) counts as one (core.verify.residuals took
# it for none and judged the pair on its 32x32 thumbnails alone).
# 27: two pictures of flat areas and edges pass the local-edit look only when their differing
# tiles are one piece (core.local_edits._in_one_piece).
CHECK_VERSION: Final = 27
# Bump when what core.differences says for a pair changes (its words, or the alignment and
# borders of core.verify it reads, or where core.picture_boxes places a picture in its
# frame): the words kept in the cache are then said again, and the boxes placed again.
# 2: frames placed on the decoded picture, "screenshot of it", "darkened corners", which
# copy carries an overlay; 3: no frame said between two pictures of one canvas; 4: frames
# thinner than a thumbnail pixel placed (the groupings a cache keeps are formed again too:
# keepers and files left in no group are chosen differently); 5: "border removed" only for a
# copy that shows all of the picture inside the keeper's frame (the keeper rule "clean"
# reads it); 6: a solid bar across one edge of one copy, where the other copy of the same
# proportions shows picture, is an overlay, not a trim the alignment fitted to it; 7: a
# photo a few rows of the thumbnail tall is looked for in screenshot chrome.
WORDS_VERSION: Final = 7


def hash_to_hex(value: int) -> str:
    """16 hex digits, the same text as ``str(imagehash.dhash(img))``."""
    return f"{value:016x}"


def hex_to_hash(text: str) -> int:
    """The hash written by ``hash_to_hex``; ValueError for anything else."""
    value = int(text, 16)
    if not 0 <= value < 1 << 64 or len(text) != 16:
        raise ValueError(f"not a 64-bit hash: {text!r}")
    return value


def distance(a: int, b: int) -> int:
    """Hamming distance: the number of bits in which two hashes differ."""
    return (a ^ b).bit_count()


# Side of the greyscale thumbnail each fingerprint keeps for the pair check (its bits are part
# of the fingerprint: changing it needs an ALGORITHM_VERSION bump).
THUMB_SIDE: Final = 32
