"""The first half of a fingerprint: one file opened, its EXIF facts read, its pixels decoded.

Split from ``core.fingerprint`` (which hashes the decoded pixels with numpy) so that it needs
Pillow alone: a scan's decoding threads can start on the first files while numpy and the
hashing modules are still being imported (core.scan), instead of after. Importing numpy
takes about as long as decoding a dozen 12-megapixel JPEGs.

JPEGs are decoded with ``draft()``, which lets libjpeg scale down in the DCT domain; HEIF
files from phones are decoded from their embedded preview when one is a faithful scaled
copy and large enough (``PREVIEW_MIN_SIDE``); everything else is decoded in full.
"""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType
from typing import Final

from PIL import Image

from dedupe_gui.core.budget import MemoryBudget, decode_cost
from dedupe_gui.core.decode import DecodeError, describe_error, open_image

# Shortest side left after draft decoding. The dHash sees 9x8 pixels; 64 gives LANCZOS
# enough source pixels that the drafted and the full decode mostly agree or differ by a bit;
# near-tie bits of low-contrast photos can move more (up to 7 measured on real photos).
# The 128x128 detail thumbnail of slides and documents (core.verify) needs 128: drafted
# smaller, a small JPEG's text would be blurred by upsampling and no longer match its
# original's. JPEGs of 1024 px and more on the short side decode at 1/8 either way.
DRAFT_MIN_SIDE: Final = 128

# Shortest side an embedded HEIF preview needs before the fingerprint is taken from it
# instead of the full picture. Phones store one of about 320x240 beside tiles that take
# 10-40x longer to decode. The hash needs DRAFT_MIN_SIDE; the 32x32 verification thumbnail
# (core.hashes.THUMB_SIDE) is box-reduced from it, so twice its side keeps that sharp too
# (tests/core/test_heif_previews.py holds both). A file whose previews are all smaller, or
# none agrees with the picture, is decoded in full.
PREVIEW_MIN_SIDE: Final = 128

# Formats whose Pillow plugin can swap the picture for an embedded preview in ``draft()``:
# pillow-heif picks the smallest preview at least that large that is a scaled copy of the
# picture (same aspect ratio, crop, turn, mirroring and colour profile).
PREVIEW_FORMATS: Final = frozenset({"HEIF", "AVIF"})
# Formats decoded at a reduced scale by ``draft()`` (RAW previews and phone MPO files too).
DRAFTED_FORMATS: Final = frozenset({"JPEG", "MPO"})

_ORIENTATION_TAG: Final = 0x0112
_EXIF_IFD: Final = 0x8769
_DATETIME_ORIGINAL: Final = 0x9003
_DATETIME: Final = 0x0132
_MAKE: Final = 0x010F
_MODEL: Final = 0x0110


class FingerprintError(Exception):
    """A file that cannot be fingerprinted; the message is meant for the user."""


class Decoded:
    """A file's pixels, decoded as the fingerprint needs them, and its EXIF facts.

    Holds the open image and its share of the scan's memory budget until ``close`` (or the
    end of a ``with`` block). ``stored_mode`` is the picture's mode before a draft turned a
    JPEG grey; ``size`` the photo's stored size before orientation; ``undrafted`` the size
    of the picture decoded (a RAW's preview) before a draft scaled it.
    """

    __slots__ = (
        "_budget",
        "_image",
        "camera",
        "drafted",
        "format",
        "image",
        "orientation",
        "size",
        "stored_mode",
        "taken",
        "undrafted",
    )

    def __init__(self, path: str, budget: MemoryBudget | None = None) -> None:
        self._budget = ExitStack()
        self._image = ExitStack()
        try:
            opened = self._image.enter_context(open_image(path))
            img = opened.image
            if budget is not None:
                # Before anything loads pixels (a PNG's EXIF may sit after its image data):
                # JPEGs are drafted at 1/8 below, everything else is decoded in full.
                scale = 8 if img.format in DRAFTED_FORMATS else 1
                cost = decode_cost(img.width, img.height, len(img.getbands()), scale)
                self._budget.enter_context(budget.hold(cost))
            self.orientation, self.taken, self.camera = exif_facts(img)
            self.format = opened.format
            self.size = opened.size
            self.stored_mode = img.mode
            self.drafted = img.format in DRAFTED_FORMATS
            self.undrafted = img.size
            draft(img)
            img.load()
            self.image = img
        except BaseException as exc:
            self.close()
            if isinstance(exc, DecodeError):
                raise FingerprintError(str(exc)) from exc
            if isinstance(exc, Exception):  # every decoder failure is one file's problem
                raise FingerprintError(describe_error(exc)) from exc
            raise

    @property
    def pixel_bytes(self) -> int:
        """Bytes the decoded pixels take (Pillow keeps 3-band pictures in 4 a pixel)."""
        bands = len(self.image.getbands())
        return self.image.width * self.image.height * (4 if bands == 3 else bands)

    def release_budget(self) -> None:
        """Give back this decode's share of the memory budget while keeping the pixels: for
        a small picture set aside until the hashing modules are loaded, so that the pixels
        it holds never keep a big picture from its turn."""
        self._budget.close()

    def close(self) -> None:
        self._image.close()  # the pixels first, then the budget they were counted in
        self._budget.close()

    def __enter__(self) -> Decoded:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def draft(img: Image.Image, side: int = DRAFT_MIN_SIDE, mode: str = "L") -> None:
    """Ask the decoder for the smallest picture the fingerprint can work from (JPEG at a
    reduced DCT scale, at least ``side`` pixels each way, in ``mode``: grey levels unless a
    second look needs the colours; HEIF from a large enough preview); other formats decode
    in full."""
    if img.format in DRAFTED_FORMATS:
        img.draft(mode, (side, side))
    elif img.format in PREVIEW_FORMATS:
        img.draft(None, (PREVIEW_MIN_SIDE, PREVIEW_MIN_SIDE))


def exif_facts(img: Image.Image) -> tuple[int, str | None, str | None]:
    """Orientation, capture time and camera; a malformed EXIF block only loses the facts."""
    try:
        exif = img.getexif()
    except Exception:
        return 1, None, None
    orientation = exif.get(_ORIENTATION_TAG, 1)
    if not isinstance(orientation, int) or orientation not in range(1, 9):
        orientation = 1
    taken = None
    try:
        raw = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if isinstance(raw, str) and len(raw) >= 19 and raw[4] == ":" and raw[7] == ":":
            taken = f"{raw[0:4]}-{raw[5:7]}-{raw[8:10]}T{raw[11:19]}"
    except Exception:
        taken = None
    make = exif.get(_MAKE)
    model = exif.get(_MODEL)
    parts = [str(p).strip("\x00 ") for p in (make, model) if isinstance(p, str) and p.strip()]
    if len(parts) == 2 and parts[1].lower().startswith(parts[0].split()[0].lower()):
        # "Canon" + "Canon EOS 5D", "NIKON CORPORATION" + "NIKON D850": the model says it all.
        parts = parts[1:]
    camera = " ".join(parts) or None
    return orientation, taken, camera
