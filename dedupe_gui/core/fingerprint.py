"""Decoding one image into its 64-bit difference hash and the facts the keeper rule needs.

The hash is imagehash's dHash (grey, LANCZOS to 9x8, left < right per row, first bit most
significant) of the image as it is displayed. Two things make it fast without changing its
meaning: JPEGs are decoded with ``draft()``, which lets libjpeg scale down in the DCT domain
(at least 64 px on the short side remain, so the 9x8 LANCZOS sees the same picture), and
EXIF flips are applied to the 9x8 result instead of the full image (core.orientations says
which turns commute with resizing exactly). HEIF files from phones carry a small preview
beside the tiled picture; when one is a faithful scaled copy and large enough, the
fingerprint is taken from it (``PREVIEW_MIN_SIDE``), which like a JPEG draft moves a few
near-tie bits at most and saves decoding 12 megapixels of HEVC tiles.

The same small decode also yields a 32x32 thumbnail (core.verify checks candidate pairs on
it) and the dHashes of the seven other orientations (core.orientations).

Opening and decoding (Pillow alone) live in core.decoded, hashing (numpy) here: a scan
starts decoding while this module is still being imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.budget import MemoryBudget
from dedupe_gui.core.decode import (
    EXIF_TRANSPOSE,
    DecodeError,
    describe_error,
    open_image,
    wide_to_grey,
)
from dedupe_gui.core.decoded import DRAFT_MIN_SIDE as DRAFT_MIN_SIDE
from dedupe_gui.core.decoded import PREVIEW_MIN_SIDE as PREVIEW_MIN_SIDE
from dedupe_gui.core.decoded import Decoded, draft, exif_facts
from dedupe_gui.core.decoded import FingerprintError as FingerprintError
from dedupe_gui.core.local_edits import SIDE as DETAIL_SIDE
from dedupe_gui.core.models import Fingerprint
from dedupe_gui.core.orientations import (
    TRANSPOSES,
    all_hashes,
    dhash_bits,
    reduced_pair,
    small_pair,
)
from dedupe_gui.core.strokes import SIDE as TEXT_SIDE
from dedupe_gui.core.thumbnails import fine_thumbnail, thumbnail
from dedupe_gui.core.windows import window_hashes

if TYPE_CHECKING:
    from dedupe_gui.core.scan_pictures import ScanPictures

# A drafted JPEG's 9x8 resizes read a copy box-averaged while at least this many pixels
# remain per hash column (core.orientations.reduced_pair): a fifth of their time. Measured
# on 360 JPEGs of the speed and development corpora against imagehash of the full decode:
# 0.56 bits apart on average (max 5), against 0.44 (max 7) for the plain draft.
HASH_REDUCING_GAP: Final = 12


def dhash_of_grey(small: Image.Image) -> int:
    """The 64 bits of a 9x8 greyscale image: pixel < right neighbour, row by row."""
    return dhash_bits(np.asarray(small, dtype=np.int16))


def _to_grey(img: Image.Image) -> Image.Image:
    """Greyscale as imagehash makes it, with 16-bit and palette images handled sensibly."""
    if img.mode == "L":
        return img
    if img.mode.startswith("I"):
        return wide_to_grey(img)  # convert("L") would clip every value above 255 to white
    if img.mode == "P":
        img = img.convert("RGBA")
    return img.convert("L")


# Largest spread between colour channels (grey levels, on a 16x16 average) of a picture that
# counts as having no colour: JPEG chroma noise in a greyscale photo stays well below it.
_GREY_SPREAD: Final = 6


def _is_grey(img: Image.Image, stored_mode: str) -> bool | None:
    """Whether the picture has no colour; None when telling would cost another decode.

    ``img`` is the image after any draft, ``stored_mode`` its mode before. Greyscale modes
    say so at once. A colour JPEG is decoded as luma only (``draft``), so its colour is not
    looked at: it counts as colour, which is what it nearly always is. Other colour pictures
    are decoded anyway (HEIF from its preview); a 16x16 box average of them shows whether
    the channels agree.
    """
    if stored_mode in ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"):
        return True
    if img.format in ("JPEG", "MPO"):
        return None if stored_mode == "CMYK" else False
    try:
        rgb = img if img.mode in ("RGB", "RGBA") else img.convert("RGBA")
        small = np.asarray(rgb.resize((16, 16), Image.Resampling.BOX), dtype=np.int16)[..., :3]
    except Exception:
        return None
    return bool(int(np.abs(small - small.mean(axis=2, keepdims=True)).max()) <= _GREY_SPREAD)


def dhash_of_image(img: Image.Image, orientation: int = 1) -> int:
    """dHash of ``img`` as it is displayed under the given EXIF orientation."""
    swap = orientation in (5, 6, 7, 8)
    small = _to_grey(img).resize((8, 9) if swap else (9, 8), Image.Resampling.LANCZOS)
    transpose = EXIF_TRANSPOSE.get(orientation)
    if transpose is not None:
        small = small.transpose(transpose)
    return dhash_of_grey(small)


def fingerprint_file(path: str, budget: MemoryBudget | None = None) -> Fingerprint:
    """Open, orient, downscale and hash one file. Raises ``FingerprintError`` with a reason.

    With a ``budget``, the decode waits until the pixels it is about to load fit in it.
    """
    with Decoded(path, budget) as decoded:
        return fingerprint_decoded(decoded)


def fingerprint_decoded(decoded: Decoded) -> Fingerprint:
    """The fingerprint of a decoded file (core.decoded). Raises ``FingerprintError``."""
    img = decoded.image
    orientation = decoded.orientation
    try:
        colourless = _is_grey(img, decoded.stored_mode)
        grey = _to_grey(img)
        transpose = EXIF_TRANSPOSE.get(orientation)
        shown = TRANSPOSES.index(transpose)
        if decoded.drafted:
            wide, across = reduced_pair(grey, shown, HASH_REDUCING_GAP)
        else:
            wide, across = small_pair(grey, shown)
        value, *turned = all_hashes(wide, across)
        thumb = thumbnail(grey, transpose)
        fine = fine_thumbnail(grey, thumb, transpose)
        windows = window_hashes(grey, transpose)
    except Exception as exc:  # every decoder failure is one file's problem, never the scan's
        raise FingerprintError(describe_error(exc)) from exc
    width, height = decoded.size
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Fingerprint(
        value,
        width,
        height,
        decoded.format,
        decoded.taken,
        decoded.camera,
        orientation,
        thumb=thumb,
        turned=tuple(turned),
        fine=fine,
        grey=colourless,
        detailed=bool(fine),
        windows=windows,
    )


def detail_grey(path: str, pictures: ScanPictures | None = None) -> npt.NDArray[np.uint8]:
    """The file's picture at 128x128 in grey levels, upright as displayed, decoded again.

    For the few candidate pairs that failed the 32x32 check but may be a copy with one
    local edit (core.local_edits); the fingerprint does not keep it, since most files never
    need it. ``pictures``: see ``upright_grey``. Raises ``FingerprintError`` with a reason.
    """
    grey = upright_grey(path, (DETAIL_SIDE, DETAIL_SIDE), pictures=pictures)
    out: npt.NDArray[np.uint8] = np.asarray(grey, dtype=np.uint8).copy()
    return out


def detail_colour(path: str) -> npt.NDArray[np.uint8]:
    """The file's picture at 128x128 in colour (3, 128, 128: red, green, blue planes),
    upright as displayed, decoded again; a greyscale file has three equal planes.

    For the few pairs the local-edit look (core.local_edits) finds one picture in structure
    but not in grey levels: a colour filter (a tint, a saturation change, sepia) gives each
    colour a grey level of its own, which only the other file's colours explain. Raises
    ``FingerprintError`` with a reason.
    """
    side = (DETAIL_SIDE, DETAIL_SIDE)
    rgb = _upright(path, _to_rgb, "RGB", side, None, DETAIL_SIDE)
    out: npt.NDArray[np.uint8] = np.asarray(rgb, dtype=np.uint8).transpose(2, 0, 1).copy()
    return out


def _to_rgb(img: Image.Image) -> Image.Image:
    """Red, green and blue, with 16-bit pictures taken to grey levels as ``_to_grey`` does."""
    rgb = _to_grey(img) if img.mode.startswith("I") else img
    return rgb.convert("RGBA").convert("RGB") if rgb.mode == "P" else rgb.convert("RGB")


def text_grey(path: str, pictures: ScanPictures | None = None) -> npt.NDArray[np.uint8]:
    """The file's picture at 256x256 in grey levels, upright as displayed, decoded again
    (a JPEG drafted to at least that size).

    For the few passing pairs whose 32x32 thumbnails cannot tell two slides on one
    background from an edited copy (core.strokes): at 128x128 their text is one or two
    pixels thin. ``pictures``: see ``upright_grey``. Raises ``FingerprintError`` with a
    reason.
    """
    grey = upright_grey(path, (TEXT_SIDE, TEXT_SIDE), draft_side=TEXT_SIDE, pictures=pictures)
    out: npt.NDArray[np.uint8] = np.asarray(grey, dtype=np.uint8).copy()
    return out


def upright_grey(
    path: str,
    size: tuple[int, int] | None = None,
    max_side: int | None = None,
    draft_side: int = DRAFT_MIN_SIDE,
    pictures: ScanPictures | None = None,
) -> Image.Image:
    """The file's picture in grey levels, upright as displayed, decoded again as the
    fingerprint decodes it (drafted JPEGs, HEIF previews); resized to ``size`` when given,
    or with its shape kept to at most ``max_side`` on its longer side. ``draft_side``: a
    JPEG is drafted to at least this many pixels on each side. ``pictures``: the scan's
    decoded pictures (core.scan_pictures), taken instead of a decode that would give the
    same pixels.

    For second looks at the few candidate pairs that need more than the stored thumbnails
    (core.strokes, core.window_candidates). Raises ``FingerprintError`` with a reason.
    """
    return _upright(path, _to_grey, "L", size, max_side, draft_side, pictures)


def _upright(
    path: str,
    convert: Callable[[Image.Image], Image.Image],
    mode: str,
    size: tuple[int, int] | None,
    max_side: int | None,
    draft_side: int,
    pictures: ScanPictures | None = None,
) -> Image.Image:
    """The file decoded again as the fingerprint decodes it (or its picture as the scan
    decoded it, when ``pictures`` kept one with the same pixels), taken to ``mode`` by
    ``convert``, resized (see ``upright_grey``) and turned upright."""
    kept = None if pictures is None else pictures.decoded(path, mode, draft_side)
    try:
        if kept is not None:
            return _shaped(convert(kept[0]), kept[1], size, max_side)
        with open_image(path) as opened:
            img = opened.image
            orientation = exif_facts(img)[0]
            draft(img, draft_side, mode)
            return _shaped(convert(img), orientation, size, max_side)
    except DecodeError as exc:
        raise FingerprintError(str(exc)) from exc
    except Exception as exc:  # every decoder failure is one file's problem, never the scan's
        raise FingerprintError(describe_error(exc)) from exc


def _shaped(
    picture: Image.Image,
    orientation: int,
    size: tuple[int, int] | None,
    max_side: int | None,
) -> Image.Image:
    """A decoded ``picture`` resized (see ``upright_grey``; a copy when it keeps its size)
    and turned upright by its EXIF ``orientation``."""
    if size is None and max_side is not None and max(picture.size) > max_side:
        scale = max_side / max(picture.size)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    if size is not None:
        picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
    else:
        picture = picture.copy()
    transpose = EXIF_TRANSPOSE.get(orientation)
    return picture if transpose is None else picture.transpose(transpose)
