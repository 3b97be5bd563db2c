"""Damaged bytes never escape as exceptions or hang: fuzzing the decode-and-fingerprint path.

Small valid images of every format the scan reads are mutated (bits flipped, bytes set to
boundary values, cut short, bytes inserted). ``fingerprint_entry`` must return a Fingerprint
or a reason, and ``open_thumbnail`` may only raise DecodeError, each within a time bound.

DEDUPE_FUZZ_EXAMPLES sets the number of examples (default 60, a few seconds).
"""

from __future__ import annotations

import io
import os
import struct
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from dedupe_gui.core.decode import DecodeError, open_thumbnail
from dedupe_gui.core.models import Failure, Fingerprint
from dedupe_gui.core.scan import fingerprint_entry
from tests.imaging import photo

EXAMPLES = int(os.environ.get("DEDUPE_FUZZ_EXAMPLES", "60"))
CALL_TIMEOUT = 10.0  # seconds; a healthy call on these tiny files takes milliseconds


def _encode(fmt: str, **params: Any) -> bytes:
    img = photo(42, (40, 30))
    if fmt == "GIF":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE, colors=32)
    out = io.BytesIO()
    img.save(out, fmt, **params)
    return out.getvalue()


def _dng_like(jpeg: bytes) -> bytes:
    """A TIFF whose IFD0 points at an embedded JPEG, as camera RAW files do."""
    entries = [(0x0112, 3, 1, 6), (0x0201, 4, 1, 8 + 2 + 3 * 12 + 4), (0x0202, 4, 1, len(jpeg))]
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack("<HHI", tag, typ, count) + struct.pack("<I", value)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + jpeg


SEEDS: dict[str, bytes] = {
    "a.jpg": _encode("JPEG", quality=80),
    "b.jpg": _encode("JPEG", quality=80, progressive=True),
    "c.png": _encode("PNG"),
    "d.gif": _encode("GIF"),
    "e.webp": _encode("WEBP", quality=80),
    "f.webp": _encode("WEBP", lossless=True),
    "g.tif": _encode("TIFF"),
    "h.tif": _encode("TIFF", compression="tiff_deflate"),
    "i.bmp": _encode("BMP"),
    "j.dng": _dng_like(_encode("JPEG", quality=80)),
}

_position = st.one_of(st.integers(0, 96), st.integers(0, 1 << 20))
_mutation = st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(1, 255)),
    st.tuples(st.just("set"), _position, st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF])),
    st.tuples(st.just("cut"), _position, st.just(0)),
    st.tuples(st.just("insert"), _position, st.binary(min_size=1, max_size=24)),
)


def mutate(data: bytes, mutations: list[tuple[str, int, Any]]) -> bytes:
    buf = bytearray(data)
    for op, where, arg in mutations:
        if not buf:
            break
        at = where % len(buf)
        if op == "flip":
            buf[at] ^= arg
        elif op == "set":
            buf[at] = arg
        elif op == "cut":
            del buf[max(1, at) :]
        else:
            buf[at:at] = arg
    return bytes(buf)


def within_time_limit(call: Any, *args: Any) -> Any:
    """The result of ``call(*args)``, or the exception it raised; fails the test on a hang."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call(*args)
        except BaseException as exc:
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(CALL_TIMEOUT)
    if worker.is_alive():
        pytest.fail(f"{getattr(call, '__name__', call)} did not finish in {CALL_TIMEOUT} s")
    return box.get("value", box.get("error"))


def test_every_seed_is_a_valid_image(tmp_path: Path) -> None:
    """The mutations start from files that decode: otherwise the fuzzing proves little."""
    for name, data in SEEDS.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert isinstance(fingerprint_entry(str(path)), Fingerprint), name


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    name=st.sampled_from(sorted(SEEDS)),
    mutations=st.lists(_mutation, min_size=1, max_size=6),
)
def test_mutated_images_give_a_fingerprint_or_a_reason(
    tmp_path_factory: pytest.TempPathFactory, name: str, mutations: list[tuple[str, int, Any]]
) -> None:
    path = tmp_path_factory.getbasetemp() / f"fuzz-{threading.get_ident()}-{name}"
    path.write_bytes(mutate(SEEDS[name], mutations))

    entry = within_time_limit(fingerprint_entry, str(path))
    assert isinstance(entry, (Fingerprint, Failure)), repr(entry)
    if isinstance(entry, Failure):
        reason = entry.reason
        assert reason.strip() and "\n" not in reason and len(reason) < 300, reason
    else:
        assert 0 <= entry.hash < 1 << 64 and entry.width > 0 and entry.height > 0

    thumb = within_time_limit(open_thumbnail, str(path), 48)
    if isinstance(thumb, BaseException):
        assert isinstance(thumb, DecodeError), repr(thumb)
    else:
        assert thumb.mode == "RGB" and max(thumb.size) <= 48
