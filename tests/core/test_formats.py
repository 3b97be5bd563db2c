"""Every photo format people keep: content sniffing, HEIF/AVIF, RAW previews, thumbnails."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from PIL import Image

from dedupe_gui.core.decode import DecodeError, open_image, open_thumbnail, register_heif, sniff
from dedupe_gui.core.files import IMAGE_EXTENSIONS
from dedupe_gui.core.fingerprint import FingerprintError, fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.raw import NO_PREVIEW
from dedupe_gui.core.raw_kinds import RAW_EXTENSIONS
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import jpeg_with_orientation, photo, save

# -- building files -----------------------------------------------------------------------


def jpeg_bytes(img: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90, **params)
    return out.getvalue()


def with_exif(jpeg: bytes, exif: Image.Exif) -> bytes:
    """The same compressed picture with an EXIF block inserted: pixels decode identically."""
    block = exif.tobytes()
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block + jpeg[2:]


Entry = tuple[int, int, int, bytes | int]  # tag, type, count, value (int) or data (bytes)


def tiff_file(
    directories: list[list[Entry]],
    header: bytes = b"II*\x00",
    tail: bytes = b"",
    extra: bytes = b"",
) -> bytes:
    """A little-endian TIFF with the given chained directories, then ``tail``.

    ``extra`` follows the 8-byte header (Canon puts "CR" there). Values given as bytes
    longer than 4 are stored after the directories; a negative int value -1-k stands for
    the offset of byte k of ``tail``.
    """
    first = 8 + len(extra)
    sizes = [2 + 12 * len(d) + 4 for d in directories]
    data_start = first + sum(sizes)
    blobs = b""
    blob_offsets: list[list[int]] = []
    for d in directories:
        offsets = []
        for _tag, _typ, _n, value in d:
            offsets.append(data_start + len(blobs))
            if isinstance(value, bytes) and len(value) > 4:
                blobs += value + b"\x00" * (len(value) % 2)
        blob_offsets.append(offsets)
    tail_offset = data_start + len(blobs)
    out = bytearray(header + struct.pack("<I", first) + extra)
    position = first
    for d, offsets in zip(directories, blob_offsets, strict=True):
        out += struct.pack("<H", len(d))
        for (tag, typ, n, value), where in zip(d, offsets, strict=True):
            if isinstance(value, bytes):
                field = struct.pack("<I", where) if len(value) > 4 else value.ljust(4, b"\x00")
            else:
                if value < 0:
                    value = tail_offset - value - 1
                field = struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, typ, n) + field
        position += 2 + 12 * len(d) + 4
        out += struct.pack("<I", position if position < data_start else 0)
    return bytes(out) + blobs + tail


def ascii_entry(tag: int, text: str) -> Entry:
    data = text.encode() + b"\x00"
    return (tag, 2, len(data), data)


def tiff_raw(jpeg: bytes, orientation: int = 1, header: bytes = b"II*\x00") -> bytes:
    """A TIFF-based RAW in miniature: IFD0 points at the preview JPEG."""
    ifd0: list[Entry] = [
        ascii_entry(0x010F, "NIKON"),
        ascii_entry(0x0110, "NIKON D850"),
        (0x0112, 3, 1, orientation),
        (0x0201, 4, 1, -1),
        (0x0202, 4, 1, len(jpeg)),
    ]
    return tiff_file([ifd0], header, jpeg)


def lossless_jpeg(width: int, height: int) -> bytes:
    """A lossless (SOF3) JPEG stream, as RAW files hold sensor data: no picture for Pillow."""
    sof3 = b"\xff\xc3" + struct.pack(">HBHHB", 11, 12, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + sof3 + sos + bytes(range(0, 250)) * 40 + b"\xff\xd9"


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


CANON_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
PREVIEW_UUID = bytes.fromhex("eaf42b5e1c984b88b9fbb7dc406e4d16")


def cr3_file(preview: bytes | None, thumbnail: bytes | None, orientation: int = 1) -> bytes:
    """An ISO-BMFF container laid out like a CR3: metadata in moov, previews in uuid boxes."""
    cmt1 = tiff_file(
        [
            [
                ascii_entry(0x010F, "Canon"),
                ascii_entry(0x0110, "Canon EOS R5"),
                (0x0112, 3, 1, orientation),
            ]
        ]
    )
    canon = CANON_UUID + box(b"CNCV", b"CanonCR3_001/00.09.00/00.00.00")
    canon += box(b"CMT1", cmt1)
    if thumbnail is not None:
        canon += box(b"THMB", struct.pack(">IHHI", 0, 160, 120, len(thumbnail)) + thumbnail)
    out = box(b"ftyp", b"crx \x00\x00\x00\x01crx isom")
    out += box(b"moov", box(b"uuid", canon))
    if preview is not None:
        prvw = box(b"PRVW", struct.pack(">IHHI", 0, 320, 240, len(preview)) + preview)
        out += box(b"uuid", PREVIEW_UUID + b"\x00" * 8 + prvw)
    out += box(b"mdat", bytes(range(256)) * 64)
    return out


def raf_file(jpeg: bytes) -> bytes:
    header = b"FUJIFILMCCD-RAW 0201FF383501".ljust(28, b"\x00")
    header += b"X-T4".ljust(32, b"\x00") + b"0100" + b"\x00" * 20
    offset = len(header) + 8 + 32
    header += struct.pack(">II", offset, len(jpeg)) + b"\x00" * 32
    return header + jpeg + b"\x00" * 64


def write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


# -- one photo, every format --------------------------------------------------------------


def test_the_same_photo_in_every_format_is_one_group(tmp_path: Path) -> None:
    register_heif()
    original = photo(7, (256, 192))
    folder = tmp_path / "formats"
    save(original, folder / "photo.jpg", quality=88)
    save(original, folder / "photo.heic", quality=85)
    save(original, folder / "photo.webp", quality=85)
    save(original, folder / "photo.png")
    save(original, folder / "photo.tif")
    save(original, folder / "photo.avif", quality=70)
    save(original, folder / "photo.bmp")
    save(original.convert("P", palette=Image.Palette.ADAPTIVE), folder / "photo.gif")
    write(folder / "photo.dng", tiff_raw(jpeg_bytes(original)))
    save(photo(8, (256, 192)), folder / "other.jpg", quality=88)

    result = run_scan(ScanOptions((str(folder),), workers=2))

    assert result.errors == ()
    formats = {Path(r.path).suffix: r.fingerprint.format for r in result.records}
    assert formats == {
        ".jpg": "JPEG",
        ".heic": "HEIF",
        ".webp": "WEBP",
        ".png": "PNG",
        ".tif": "TIFF",
        ".avif": "AVIF",
        ".bmp": "BMP",
        ".gif": "GIF",
        ".dng": "DNG",
    }
    # photo.dng beside photo.jpg is a RAW+JPEG shot, kept apart by default (core.companions).
    groups = group_records(result.records, GroupingOptions(DEFAULT_THRESHOLD, shot_partners=True))
    assert len(groups) == 1
    assert sorted(Path(m.path).name for m in groups[0].members) == sorted(
        f"photo{ext}"
        for ext in (".jpg", ".heic", ".webp", ".png", ".tif", ".avif", ".bmp", ".gif", ".dng")
    )
    assert all(m.record.fingerprint.width == 256 for m in groups[0].members)


def test_raw_and_heif_extensions_are_walked() -> None:
    assert {".heic", ".heif", ".hif", ".avif", ".webp"} <= IMAGE_EXTENSIONS
    assert {".cr2", ".cr3", ".nef", ".arw", ".dng", ".raf", ".orf", ".rw2"} <= RAW_EXTENSIONS
    assert RAW_EXTENSIONS <= IMAGE_EXTENSIONS


def test_heic_rotation_is_applied_once(tmp_path: Path) -> None:
    """HEIF stores rotation as a transform the decoder applies; EXIF must not rotate again."""
    register_heif()
    upright = photo(9, (300, 200))
    heic = save(upright.transpose(Image.Transpose.ROTATE_90), tmp_path / "r.heic", exif=_rotated())
    jpeg = jpeg_with_orientation(upright, tmp_path / "r.jpg", 6)
    fp_heic, fp_jpeg = fingerprint_file(str(heic)), fingerprint_file(str(jpeg))
    assert (fp_heic.width, fp_heic.height) == (300, 200)
    assert (fp_heic.hash ^ fp_jpeg.hash).bit_count() <= 4
    assert open_thumbnail(str(heic), 90).size == (90, 60)


def _rotated() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif.tobytes()


def test_gif_is_hashed_by_its_first_frame(tmp_path: Path) -> None:
    first, second = photo(1, (96, 72)), photo(2, (96, 72))
    animated = str(tmp_path / "anim.gif")
    first.save(animated, save_all=True, append_images=[second], duration=100)
    still = save(first, tmp_path / "still.gif")
    assert fingerprint_file(animated).hash == fingerprint_file(str(still)).hash
    assert (
        fingerprint_file(animated).hash
        != fingerprint_file(str(save(second, tmp_path / "2.gif"))).hash
    )


# -- content, not names -------------------------------------------------------------------


def test_a_png_named_jpg_is_read_as_the_png_it_is(tmp_path: Path) -> None:
    img = photo(3)
    real = save(img, tmp_path / "real.png")
    disguised = write(tmp_path / "disguised.jpg", real.read_bytes())
    fp = fingerprint_file(disguised)
    assert fp.format == "PNG"
    assert fp.hash == fingerprint_file(str(real)).hash


@pytest.mark.parametrize("name", ["disguised.png", "no-extension", "odd.jpg.gif", "upper.JPEG"])
def test_a_jpeg_under_any_name_is_read_as_the_jpeg_it_is(tmp_path: Path, name: str) -> None:
    real = save(photo(3), tmp_path / "real.jpg", quality=90)
    named = write(tmp_path / name, real.read_bytes())
    fp = fingerprint_file(named)
    assert fp.format == "JPEG"
    assert fp == fingerprint_file(str(real))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"shopping list\nmilk\n", "a text file, not an image"),
        (b"\xef\xbb\xbfcaf\xc3\xa9 au lait\r\n", "a text file, not an image"),
        (b"  <!DOCTYPE html><html><body>404</body></html>", "an HTML page, not an image"),
        (b"<html lang=en><head>", "an HTML page, not an image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document, not an image"),
        (b"PK\x03\x04\x14\x00\x00\x00", "a ZIP archive (or an office document), not an image"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "an SVG drawing"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "a video file, not an image"),
    ],
)
def test_non_images_say_what_they_are(tmp_path: Path, content: bytes, reason: str) -> None:
    path = write(tmp_path / "not-a-photo.jpg", content)
    with pytest.raises(FingerprintError) as caught:
        fingerprint_file(path)
    assert str(caught.value).startswith(reason)
    assert len(str(caught.value)) < 60


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"GIF89a\x01\x00", "GIF"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"BM" + b"\x00" * 12 + b"\x28\x00\x00\x00" + b"\x00" * 8, "BMP"),
        (b"BMW service dates\n", "not:a text file"),
        (b"MM\x00*\x00\x00\x00\x08", "TIFF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf", "AVIF"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmif1", "AVIF"),
        (b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01crx isom", "CR3"),
        (b"FUJIFILMCCD-RAW 0201", "RAF"),
        (bytes(range(256)), "unknown"),
    ],
)
def test_sniff_reads_the_first_bytes(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


# -- camera RAW ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["shot.dng", "shot.nef", "shot.cr2", "shot.arw"])
def test_tiff_based_raw_fingerprints_as_its_preview(tmp_path: Path, name: str) -> None:
    preview = jpeg_bytes(photo(11, (240, 160)))
    raw_path = write(tmp_path / name, tiff_raw(preview))
    jpeg_path = write(tmp_path / "preview.jpg", preview)
    fp, expected = fingerprint_file(raw_path), fingerprint_file(jpeg_path)
    assert fp.hash == expected.hash
    assert (fp.width, fp.height) == (240, 160)
    assert fp.format == name.rsplit(".", 1)[1].upper()
    assert fp.camera == "NIKON D850"


def test_raw_orientation_applies_to_a_preview_without_exif(tmp_path: Path) -> None:
    preview = jpeg_bytes(photo(12, (240, 160)))
    raw_path = write(tmp_path / "portrait.nef", tiff_raw(preview, orientation=6))
    exif = Image.Exif()
    exif[0x0112] = 6
    oriented = write(tmp_path / "oriented.jpg", with_exif(preview, exif))
    fp = fingerprint_file(raw_path)
    assert fp.exif_orientation == 6
    assert (fp.width, fp.height) == (160, 240)
    assert fp.hash == fingerprint_file(oriented).hash
    assert fp.hash != fingerprint_file(write(tmp_path / "plain.jpg", preview)).hash


def test_canon_cr2_magic_and_sensor_data_are_skipped(tmp_path: Path) -> None:
    """The largest JPEG that is a picture wins; lossless sensor streams are not pictures."""
    small = jpeg_bytes(photo(13, (64, 48)))
    large = jpeg_bytes(photo(13, (320, 240)))
    sensor = lossless_jpeg(6000, 4000)
    ifd0: list[Entry] = [(0x0103, 3, 1, 6), (0x0111, 4, 1, -1), (0x0117, 4, 1, len(large))]
    ifd1: list[Entry] = [(0x0201, 4, 1, -1 - len(large)), (0x0202, 4, 1, len(small))]
    sensor_at = -1 - len(large) - len(small)
    ifd3: list[Entry] = [(0x0103, 3, 1, 6), (0x0111, 4, 1, sensor_at), (0x0117, 4, 1, len(sensor))]
    data = tiff_file(
        [ifd0, ifd1, ifd3], b"II*\x00", large + small + sensor, b"CR\x02\x00\x00\x00\x00\x00"
    )
    path = write(tmp_path / "IMG_0001.CR2", data)
    fp = fingerprint_file(path)
    assert fp.format == "CR2"
    assert (fp.width, fp.height) == (320, 240)
    assert fp.hash == fingerprint_file(write(tmp_path / "large.jpg", large)).hash


def test_a_preview_no_directory_points_at_is_found_by_its_markers(tmp_path: Path) -> None:
    preview = jpeg_bytes(photo(14, (200, 150)))
    ifd0: list[Entry] = [ascii_entry(0x010F, "OLYMPUS"), (0x0112, 3, 1, 1)]
    data = tiff_file([ifd0], b"IIRO", b"\x00" * 100 + preview + b"\x00" * 100)
    path = write(tmp_path / "P1010001.ORF", data)
    fp = fingerprint_file(path)
    assert fp.format == "ORF"
    assert fp.hash == fingerprint_file(write(tmp_path / "p.jpg", preview)).hash


def test_a_declared_thumbnail_does_not_hide_a_larger_preview(tmp_path: Path) -> None:
    picture = photo(24, (320, 240))
    thumbnail, preview = jpeg_bytes(picture.resize((64, 48))), jpeg_bytes(picture)
    ifd0: list[Entry] = [(0x0201, 4, 1, -1), (0x0202, 4, 1, len(thumbnail))]
    data = tiff_file([ifd0], b"II*\x00", thumbnail + b"\x00" * 64 + preview)
    fp = fingerprint_file(write(tmp_path / "IMGP0001.PEF", data))
    assert (fp.width, fp.height, fp.format) == (320, 240, "PEF")
    assert fp.hash == fingerprint_file(write(tmp_path / "p.jpg", preview)).hash


def test_cr3_uses_the_largest_embedded_jpeg_and_its_orientation(tmp_path: Path) -> None:
    picture = photo(15, (320, 240))
    preview, thumbnail = jpeg_bytes(picture), jpeg_bytes(picture.resize((160, 120)))
    path = write(tmp_path / "IMG_0002.CR3", cr3_file(preview, thumbnail, orientation=8))
    exif = Image.Exif()
    exif[0x0112] = 8
    expected = fingerprint_file(write(tmp_path / "expected.jpg", with_exif(preview, exif)))
    fp = fingerprint_file(path)
    assert fp.format == "CR3"
    assert fp.exif_orientation == 8
    assert (fp.width, fp.height) == (240, 320)
    assert fp.hash == expected.hash
    assert fp.camera == "Canon EOS R5"


def test_raf_preview_keeps_its_own_exif(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 3
    exif[0x010F] = "FUJIFILM"
    exif[0x0110] = "X-T4"
    preview = jpeg_bytes(photo(16, (240, 180)), exif=exif.tobytes())
    path = write(tmp_path / "DSCF0001.RAF", raf_file(preview))
    fp = fingerprint_file(path)
    expected = fingerprint_file(write(tmp_path / "expected.jpg", preview))
    assert fp.format == "RAF"
    assert (fp.hash, fp.exif_orientation, fp.camera) == (expected.hash, 3, "FUJIFILM X-T4")


def test_sensor_size_is_reported_when_the_preview_is_smaller(tmp_path: Path) -> None:
    preview = jpeg_bytes(photo(17, (240, 160)))
    ifd0: list[Entry] = [
        (0x0201, 4, 1, -1),
        (0x0202, 4, 1, len(preview)),
        (0xC612, 1, 4, b"\x01\x04\x00\x00"),
    ]
    raw_ifd: list[Entry] = [
        (0x00FE, 4, 1, 0),
        (0x0100, 4, 1, 6048),
        (0x0101, 4, 1, 4024),
        (0x0106, 3, 1, 32803),
    ]
    data = tiff_file([ifd0, raw_ifd], b"II*\x00", preview)
    fp = fingerprint_file(write(tmp_path / "big.dng", data))
    assert (fp.width, fp.height, fp.format) == (6048, 4024, "DNG")


@pytest.mark.parametrize("name", ["a.nef", "a.dng", "a.cr3"])
def test_raw_without_a_preview_is_a_clear_error(tmp_path: Path, name: str) -> None:
    if name.endswith(".cr3"):
        data = cr3_file(None, None)
    else:
        sensor_ifd: list[Entry] = [
            (0x0100, 4, 1, 64),
            (0x0101, 4, 1, 48),
            (0x0102, 3, 1, 16),
            (0x0103, 3, 1, 1),
            (0x0106, 3, 1, 32803),
            (0x0111, 4, 1, -1),
            (0x0117, 4, 1, 64 * 48 * 2),
        ]
        data = tiff_file([sensor_ifd], b"II*\x00", bytes(64 * 48 * 2))
    with pytest.raises(FingerprintError, match=NO_PREVIEW):
        fingerprint_file(write(tmp_path / name, data))


def test_a_raw_whose_preview_is_cut_off_is_a_clear_error(tmp_path: Path) -> None:
    preview = jpeg_bytes(photo(18, (240, 160)))
    data = tiff_raw(preview)
    with pytest.raises(FingerprintError, match=NO_PREVIEW):
        fingerprint_file(write(tmp_path / "cut.dng", data[: len(data) - len(preview) // 2]))


def test_a_tiff_photo_with_a_raw_name_is_still_a_photo(tmp_path: Path) -> None:
    img = photo(19)
    tif = save(img, tmp_path / "scan.tif")
    fp = fingerprint_file(write(tmp_path / "scan.nef", tif.read_bytes()))
    assert fp.format == "TIFF"
    assert fp.hash == fingerprint_file(str(tif)).hash


# -- thumbnails ---------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp", ".heic", ".avif", ".tif", ".bmp", ".gif"])
def test_thumbnails_for_every_format(tmp_path: Path, ext: str) -> None:
    register_heif()
    img = photo(20, (300, 200))
    if ext == ".gif":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE)
    path = save(img, tmp_path / f"t{ext}")
    thumb = open_thumbnail(str(path), 64)
    assert thumb.mode == "RGB"
    assert thumb.size == (64, 43)


def test_thumbnails_are_upright(tmp_path: Path) -> None:
    img = photo(21, (300, 200))
    jpeg = jpeg_with_orientation(img, tmp_path / "rotated.jpg", 6)
    assert open_thumbnail(str(jpeg), 90).size == (90, 60)
    raw = write(
        tmp_path / "rotated.nef", tiff_raw(jpeg_bytes(img.transpose(Image.Transpose.ROTATE_90)), 6)
    )
    assert open_thumbnail(raw, 90).size == (90, 60)


def test_thumbnails_of_transparent_and_16_bit_images(tmp_path: Path) -> None:
    clear = save(Image.new("RGBA", (40, 40), (0, 0, 0, 0)), tmp_path / "clear.png")
    assert open_thumbnail(str(clear), 32).getpixel((5, 5)) == (255, 255, 255)
    wide = Image.new("I;16", (40, 40), 60000)
    deep = save(wide, tmp_path / "deep.png")
    value = open_thumbnail(str(deep), 32).getpixel((5, 5))
    assert isinstance(value, tuple) and 200 < value[0] < 255


def test_thumbnail_errors_carry_a_reason(tmp_path: Path) -> None:
    with pytest.raises(DecodeError, match="a text file, not an image"):
        open_thumbnail(write(tmp_path / "x.jpg", b"hello\n"), 64)
    with pytest.raises(DecodeError, match="file not found"):
        open_thumbnail(str(tmp_path / "missing.jpg"), 64)
    half = jpeg_bytes(photo(22, (300, 200)))
    with pytest.raises(DecodeError):
        open_thumbnail(write(tmp_path / "half.jpg", half[: len(half) // 2]), 64)


def test_open_image_reports_the_stored_size_and_format(tmp_path: Path) -> None:
    path = save(photo(23, (120, 90)), tmp_path / "a.webp")
    with open_image(str(path)) as opened:
        assert (opened.format, opened.size, opened.image.size) == ("WEBP", (120, 90), (120, 90))
