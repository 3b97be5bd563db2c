"""File names in text formats: every name round-trips, printing never lies or crashes.

Python holds a name that is not valid UTF-8 as a ``str`` with surrogate escapes (PEP 383).
Such a string cannot be written as UTF-8, and JSON's ``\\udcXX`` escapes for it are not
turned back into the bytes by jq, Node or any other reader. So in JSON and CSV:

- ``path`` is always valid Unicode: the name itself when it is valid UTF-8, otherwise the
  name with each undecodable byte written as the four characters ``\\xNN``;
- ``path_bytes`` is present (JSON) or non-empty (CSV) only for such names: the exact bytes,
  base64-encoded. Readers take ``path_bytes`` when present (``decode_path``).

Text for people goes through ``printable``: undecodable bytes as ``\\xNN``, and control
and bidirectional-override characters (newlines, RLO ...) escaped, so a name cannot fake
another line or reverse what follows it on screen.
"""

from __future__ import annotations

import base64
import binascii
import os
import unicodedata
from collections.abc import Mapping


def is_clean(path: str) -> bool:
    """True when ``path`` is valid UTF-8 (no surrogate escapes)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(path: str) -> str:
    """Valid Unicode for any name: undecodable bytes become ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def encode_path(path: str, field: str = "path") -> dict[str, str]:
    """``{field: shown}`` plus ``{field}_bytes`` (base64) when the name is not valid UTF-8."""
    if is_clean(path):
        return {field: path}
    return {
        field: shown(path),
        f"{field}_bytes": base64.b64encode(os.fsencode(path)).decode("ascii"),
    }


def decode_path(d: Mapping[str, object], field: str = "path") -> str:
    """The real name from a mapping written by ``encode_path`` (or by hand, without bytes)."""
    raw = d.get(f"{field}_bytes")
    if isinstance(raw, str) and raw:
        try:
            return os.fsdecode(base64.b64decode(raw, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"{field}_bytes is not base64 ({exc})") from exc
    value = d.get(field)
    if not isinstance(value, str):
        raise ValueError(f"{field} is missing")
    return value


_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def printable(path: str) -> str:
    """A name for a terminal: bytes and invisible or reordering characters escaped."""
    text = shown(path)
    if text.isprintable() and not any(unicodedata.category(c) == "Cf" for c in text):
        return text
    out = []
    for c in text:
        if unicodedata.category(c) in _ESCAPED_CATEGORIES:
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(c)
    return "".join(out)
