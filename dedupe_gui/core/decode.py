"""Opening any supported file as a Pillow image, for fingerprints and for thumbnails.

The format is taken from the file's first bytes, never from its name: a PNG saved as
``.jpg`` opens as the PNG it is, and Pillow is only offered the one decoder that matches.
That also keeps Pillow's permissive decoders (TGA, for one, accepts almost any bytes) from
turning random data into a "picture". Files that are recognisably something else get a
short reason ("a PDF document, not an image") instead of a decoder's complaint.

HEIF comes from pillow-heif; AVIF from Pillow itself where it was built with it, else from
pillow-heif where that still provides it. Camera RAW files open as their embedded JPEG
preview (see ``raw``), carrying the RAW's own orientation, camera and date when the
preview lacks them.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Final

from PIL import Image, UnidentifiedImageError

from dedupe_gui.core.raw_kinds import RAW_EXTENSIONS, raw_kind
from dedupe_gui.core.regular import NotRegularFile, open_regular

_HEAD_BYTES: Final = 512

# Pixels per stored byte above which a picture bigger than Pillow's warning limit is refused.
# Photos and scans store well under 50; a flat 169-megapixel PNG of 650 KB stores 260 and
# would take 850 MB and seconds to decode. JPEGs are exempt: they are decoded scaled down.
_MAX_PIXELS_PER_BYTE: Final = 100

_HEIF_BRANDS: Final = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_BMP_HEADER_SIZES: Final = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_GENERIC_HEIF_BRANDS: Final = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_VIDEO_BRANDS: Final = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"qt  ",
     b"M4V ", b"M4A ", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"MSNV"}
)  # fmt: skip

# First bytes of things people keep next to photos, and what to call them.
_NOT_IMAGES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"ID3", "an audio file"),
    (b"OggS", "an audio or video file"),
    (b"fLaC", "an audio file"),
    (b"\x1aE\xdf\xa3", "a video file"),
    (b"8BPS", "a Photoshop document"),
    (b"SQLite format 3\x00", "a database file"),
)


class DecodeError(Exception):
    """A file that cannot be opened as an image; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class OpenedImage:
    """An image ready to be drafted, loaded and hashed.

    ``format`` is the file's format (``"CR3"`` for a RAW whose pixels come from its JPEG
    preview), ``size`` the photo's stored size before orientation, which for a RAW is its
    sensor image when the file declares one.
    """

    image: Image.Image
    format: str
    size: tuple[int, int]


@functools.cache
def register_heif() -> frozenset[str]:
    """Teach Pillow HEIF (and AVIF if it lacks it) once; the formats now available."""
    from PIL import features  # asked by the first HEIF or AVIF file only

    available: set[str] = set()
    if features.check("avif"):
        available.add("AVIF")
    try:
        import pillow_heif
    except ImportError:
        return frozenset(available)
    pillow_heif.register_heif_opener()
    available.add("HEIF")
    if "AVIF" not in available and hasattr(pillow_heif, "register_avif_opener"):
        pillow_heif.register_avif_opener()
        available.add("AVIF")
    return frozenset(available)


def sniff(head: bytes) -> str:
    """What the first bytes of a file show: a Pillow format name, a RAW kind, ``"unknown"``,
    or a short description of a non-image prefixed with ``"not:"`` (``"not:a text file"``)."""
    if not head:
        return "not:an empty file"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return "BMP"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"IIRO", b"IIRS", b"MMOR", b"IIU\x00"):
        return "TIFF"
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "RAF"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_media(head)
    if head[:4] == b"RIFF":
        return "not:an audio or video file" if head[8:12] != b"WEBP" else "WEBP"
    for magic, what in _NOT_IMAGES:
        if head.startswith(magic):
            return f"not:{what}"
    return _textual(head)


def _iso_media(head: bytes) -> str:
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if b"crx " in brands:
        return "CR3"
    if major in _AVIF_BRANDS:
        return "AVIF"
    if major in _HEIF_BRANDS - _GENERIC_HEIF_BRANDS:
        return "HEIF"
    if brands & _AVIF_BRANDS:
        return "AVIF"  # a generic "mif1" file whose pictures are AV1
    if brands & _HEIF_BRANDS:
        return "HEIF"
    if brands & _VIDEO_BRANDS:
        return "not:a video file"
    return "not:an ISO media file of a kind this app cannot read"


def _textual(head: bytes) -> str:
    """Text files, told apart from unknown binary data by the absence of control bytes."""
    body = head.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in body:
        return "unknown"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 3:  # not merely a character cut at the end
            return "unknown"
        text = body[: exc.start].decode("utf-8")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if not text or controls > len(text) // 100:
        return "unknown"
    start = text.lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body")):
        return "not:an HTML page"
    if start.startswith("<svg") or (start.startswith("<?xml") and "<svg" in start):
        return "not:an SVG drawing, which this app cannot read"
    if start.startswith("<?xml"):
        return "not:an XML file"
    return "not:a text file"


def _explain(kind: str) -> str:
    what = kind.removeprefix("not:")
    if what == "an empty file":
        return "empty file (0 bytes)"
    if what.endswith("cannot read"):
        return what
    return f"{what}, not an image"


@contextmanager
def open_image(path: str) -> Iterator[OpenedImage]:
    """Open ``path`` as an image whose pixels load lazily; DecodeError with a reason.

    Decoding errors that only show once pixels are read (a truncated stream) are raised by
    Pillow later, while the caller loads the image.
    """
    try:
        opened_file = open_regular(path)
    except NotRegularFile as exc:
        raise DecodeError(str(exc)) from exc
    with opened_file as f:
        head = f.read(_HEAD_BYTES)
        kind = sniff(head)
        if kind.startswith("not:"):
            raise DecodeError(_explain(kind))
        if kind == "unknown":
            raise DecodeError("not an image, or an image format this app cannot read")
        found_raw = raw_kind(head)
        if found_raw is not None:
            img, size = _open_raw(f, found_raw)
            fmt = found_raw
        elif kind == "TIFF":
            img, size, fmt = _open_tiff(f, os.path.splitext(path)[1].lower())
        else:
            img = _open_pillow(f, kind, path)
            fmt, size = img.format or kind, img.size
        try:
            _refuse_dense_giants(img, os.fstat(f.fileno()).st_size)
            yield OpenedImage(img, fmt, size)
        finally:
            img.close()


def _refuse_dense_giants(img: Image.Image, file_size: int) -> None:
    """Refuse a huge picture that a tiny file claims: a decompression bomb under Pillow's limit."""
    pixels = img.width * img.height
    limit = Image.MAX_IMAGE_PIXELS
    if img.format == "JPEG" or limit is None or pixels <= limit:
        return
    if pixels > _MAX_PIXELS_PER_BYTE * max(1, file_size):
        raise DecodeError(
            f"image too large to decode safely ({pixels:,} pixels from {file_size:,} bytes)"
        )


def _open_pillow(f: BinaryIO, kind: str, path: str | None = None) -> Image.Image:
    """``f`` (whose format was sniffed as ``kind``) opened by Pillow.

    A JPEG is opened by its ``path`` when there is one: given a bare file, Pillow loads its
    five common plugins (BMP, GIF, PPM, PNG, their palettes and sequences: 5-9 ms of CPU on
    a scan's first decode) where a name lets it load only the one its extension names. Only
    a JPEG, whose pixels are always decoded into memory: Pillow maps some uncompressed
    formats opened by name straight from the file, which a file cut short while it is
    being read would turn into a crash rather than one file's error.
    """
    if kind in ("HEIF", "AVIF") and kind not in register_heif():
        raise DecodeError(f"a {kind} image, which this installation cannot read")
    f.seek(0)
    try:
        return Image.open(path if path is not None and kind == "JPEG" else f, formats=[kind])
    except Image.DecompressionBombError as exc:
        if kind == "JPEG":
            return _open_large_jpeg(f, exc)
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(found.group(1)):,} pixels" if found else str(exc)
        raise DecodeError(f"image too large to decode safely ({pixels})") from exc
    except UnidentifiedImageError as exc:
        raise DecodeError(f"damaged {kind} file: its header cannot be read") from exc
    except (OSError, ValueError, EOFError, KeyError) as exc:
        # Pillow's plugins fail in their own ways on a damaged header (truncated reads, no
        # decoder for a variant): still this file's problem, with a reason.
        raise DecodeError(describe_error(exc)) from exc


# A baseline JPEG spends at least about 2 bits on each 8x8 block of each component: some
# 256 pixels per byte for a flat grey picture. Four times that is the most a real one holds.
_MAX_JPEG_PIXELS_PER_BYTE = 1024


def _open_large_jpeg(f: BinaryIO, bomb: Image.DecompressionBombError) -> Image.Image:
    """A JPEG over Pillow's pixel limit, opened anyway when it can be drafted.

    A baseline JPEG is decoded by the fingerprint at 1/8 scale in the DCT domain: a 192 MP
    panorama then needs about 3 MP of memory, so refusing it for its pixel count would be
    wrong. A progressive JPEG keeps every coefficient of the full image while decoding, so a
    giant one stays refused.
    """
    from PIL import JpegImagePlugin

    f.seek(0)
    try:
        img = JpegImagePlugin.JpegImageFile(f)  # the plugin itself: no pixel-count check
    except (OSError, ValueError, EOFError, KeyError) as exc:
        raise DecodeError(describe_error(exc)) from exc
    pixels = img.width * img.height
    if img.info.get("progressive") or img.info.get("progression"):
        img.close()
        raise DecodeError(
            f"progressive JPEG too large to decode safely ({pixels:,} pixels)"
        ) from bomb
    # Every 8x8 block costs a few bits even when flat: a real photo of this many pixels
    # cannot be this small. A header that claims otherwise is a bomb, not a panorama.
    file_size = os.fstat(f.fileno()).st_size
    limit = Image.MAX_IMAGE_PIXELS
    if pixels > _MAX_JPEG_PIXELS_PER_BYTE * file_size or (limit and pixels // 64 > limit):
        img.close()
        raise DecodeError(
            f"image too large to decode safely ({pixels:,} pixels from {file_size:,} bytes)"
        ) from bomb
    return img


def _open_tiff(f: BinaryIO, extension: str) -> tuple[Image.Image, tuple[int, int], str]:
    """A TIFF photo, or a TIFF-structured RAW (judged by its content, then its name)."""
    # The preview reader is loaded by the first file that may need it (core.raw_kinds).
    from dedupe_gui.core import raw

    f.seek(0)
    content_kind = raw.tiff_raw_kind(f)
    named_raw = extension in RAW_EXTENSIONS
    if content_kind is None and not named_raw:
        img = _open_pillow(f, "TIFF")
        return img, img.size, img.format or "TIFF"
    fmt = extension[1:].upper() if named_raw else (content_kind or "RAW")
    try:
        img, size = _open_raw(f, fmt)
    except DecodeError:
        if content_kind is not None:
            raise
        try:  # a TIFF photo that merely has a RAW extension
            img = _open_pillow(f, "TIFF")
        except DecodeError:
            raise DecodeError(raw.NO_PREVIEW) from None
        return img, img.size, img.format or "TIFF"
    return img, size, fmt


def _open_raw(f: BinaryIO, kind: str) -> tuple[Image.Image, tuple[int, int]]:
    from dedupe_gui.core import raw

    f.seek(0)
    try:
        preview = raw.extract_preview(f, kind)
    except raw.RawError as exc:
        raise DecodeError(str(exc)) from None
    img = _open_pillow(io.BytesIO(preview.jpeg), "JPEG")
    meta = preview.metadata
    exif = img.getexif()  # cached by Pillow: later getexif() calls see these additions
    if meta.orientation is not None and 0x0112 not in exif:
        exif[0x0112] = meta.orientation
    if meta.make and 0x010F not in exif:
        exif[0x010F] = meta.make
    if meta.model and 0x0110 not in exif:
        exif[0x0110] = meta.model
    if meta.datetime and 0x0132 not in exif:
        exif[0x0132] = meta.datetime
    exif_ifd = exif.get_ifd(0x8769)
    if meta.datetime_original and 0x9003 not in exif_ifd:
        exif_ifd[0x9003] = meta.datetime_original
    size = img.size
    if meta.sensor_size is not None and (
        meta.sensor_size[0] * meta.sensor_size[1] > size[0] * size[1]
    ):
        size = meta.sensor_size
    return img, size


# -- thumbnails --------------------------------------------------------------------------

# EXIF orientation -> the transpose that makes the stored pixels upright (as exif_transpose).
EXIF_TRANSPOSE: Final[dict[int, Image.Transpose]] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def orientation_of(img: Image.Image) -> int:
    """The EXIF orientation (1-8) of an open image; 1 when absent or unreadable."""
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def open_thumbnail(path: str, max_side: int) -> Image.Image:
    """An upright RGB image of ``path`` no larger than ``max_side`` on either side.

    Decodes JPEGs (and RAW previews) at a reduced scale where possible. Transparent areas
    are shown on white. Raises DecodeError with a reason for any file that cannot be shown.
    """
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    try:
        with open_image(path) as opened:
            img = opened.image
            orientation = orientation_of(img)
            img.thumbnail((max_side, max_side), Image.Resampling.BICUBIC)
            rgb = _to_rgb(img)
    except DecodeError:
        raise
    except FileNotFoundError as exc:
        raise DecodeError("file not found") from exc
    except PermissionError as exc:
        raise DecodeError("permission denied") from exc
    except Exception as exc:  # any decoder failure is this file's, shown as its reason
        raise DecodeError(describe_error(exc)) from exc
    transpose = EXIF_TRANSPOSE.get(orientation)
    return rgb.transpose(transpose) if transpose is not None else rgb


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img.copy()
    if img.mode.startswith("I"):
        img = wide_to_grey(img)
    if img.mode in ("P", "PA", "LA", "La", "RGBA", "RGBa"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


def wide_to_grey(img: Image.Image) -> Image.Image:
    """8-bit grey from 16- or 32-bit data, scaled rather than clipped to white."""
    import numpy as np  # only for these rare pictures: opening and decoding need Pillow alone

    arr = np.asarray(img.convert("I"), dtype=np.int64)
    peak = 65535 if arr.max(initial=0) > 255 else 255
    return Image.fromarray((arr.clip(0, None) * 255 // peak).clip(0, 255).astype(np.uint8), "L")


def describe_error(exc: BaseException) -> str:
    """A short reason for the user, without a traceback."""
    if isinstance(exc, FileNotFoundError):
        return "file vanished during the scan"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, Image.DecompressionBombError):
        return f"image too large to decode safely ({exc})"
    if isinstance(exc, UnidentifiedImageError):
        return "not an image, or an image format this app cannot read"
    if isinstance(exc, MemoryError):
        return "not enough memory to decode this image"
    if isinstance(exc, OSError) and exc.errno in (errno.EIO, errno.ENXIO):
        return f"read error: {exc.strerror}"
    text = str(exc).strip() or type(exc).__name__
    lowered = text.lower()
    if "truncated" in lowered or "broken data stream" in lowered or "premature end" in lowered:
        return f"truncated or corrupt image ({text})"
    return f"cannot decode image ({text})"
