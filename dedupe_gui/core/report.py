"""Results as JSON (the documented schema, version 1) and CSV, and loading them back.

Loaded results carry each file's size, mtime_ns and digests, and the report carries the
scan's real roots and reference folders, so a cleanup started from a saved report
(``dedupe-gui apply``, or the window) re-checks every file against what the scan saw.

Names: every path field is valid Unicode; a name that is not valid UTF-8 is written with
its undecodable bytes as ``\\xNN`` and its exact bytes, base64, in ``<field>_bytes``
(``path_bytes``, ``keeper_bytes``), which loading prefers (see ``core.names``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from json.encoder import encode_basestring_ascii as _ascii_string
from typing import Any, Final

from dedupe_gui.core.companions import describe
from dedupe_gui.core.hashes import hash_to_hex, hex_to_hash
from dedupe_gui.core.models import (
    Companion,
    FileError,
    FileKey,
    Fingerprint,
    Group,
    GroupMember,
    ImageRecord,
    ScanStats,
)
from dedupe_gui.core.names import decode_path, encode_path, shown

REPORT_VERSION = 1

CSV_FIELDS = (
    "group",
    "keeper",
    "path",
    "keep",
    "distance",
    "identical",
    "width",
    "height",
    "bytes",
    "format",
    "mtime",
    "mtime_ns",
    "taken",
    "camera",
    "reference",
    "hash",
    "orientation",
    "differences",
    "digest",
    "companions",
    "quick",
    "change_ns",
    "path_bytes",
    "keeper_bytes",
)


@dataclass(frozen=True, slots=True)
class Report:
    threshold: int
    paths: tuple[str, ...]
    groups: tuple[Group, ...]
    errors: tuple[FileError, ...]
    stats: ScanStats
    roots: tuple[str, ...] = ()  # real paths of the scanned folders (see ScanResult.roots)
    references: tuple[str, ...] = ()


class ReportError(ValueError):
    """A file that is not a results file of this app, with the reason."""


def iso_mtime(mtime_ns: int) -> str:
    return datetime.fromtimestamp(mtime_ns / 1e9, timezone.utc).isoformat(timespec="seconds")


def _file_dict(m: GroupMember) -> dict[str, Any]:
    r = m.record
    fp = r.fingerprint
    return {
        **encode_path(r.path),
        "distance": m.distance,
        "width": fp.width,
        "height": fp.height,
        "bytes": r.key.size,
        "format": fp.format,
        "mtime": iso_mtime(r.key.mtime_ns),
        "hash": hash_to_hex(fp.hash),
        "keep": m.keep,
        "identical": m.identical,
        "reference": r.reference,
        "taken": fp.taken,
        "camera": fp.camera,
        "mtime_ns": r.key.mtime_ns,
        # Content digest, where the scan computed one: lets a loaded report tell exact copies.
        "digest": r.digest,
        # Head-and-tail digest (core.digests): re-checks the copy kept, cheaply.
        "quick": r.quick,
        # Inode change time at the scan (0: unknown): a file written since, even with its
        # size, modification time and both ends as they were, is compared whole.
        "change_ns": r.change_ns,
        # How the file looks next to the keeper: "" (same way up), "mirrored", "rotated 180°",
        # ... (only files found by a rotation-aware scan are turned).
        "orientation": m.orientation,
        # How it differs from the keeper where the check can tell: ["trimmed 8 % left",
        # "overlay at the bottom", "greyscale", ...]; empty for the keeper (core.differences).
        "differences": list(m.differences),
        # Files that go with this one when it is removed (Live video, sidecars, RAW twin).
        "companions": _companions_of(m),
    }


def _companions_of(m: GroupMember) -> list[dict[str, Any]]:
    """The report's entries of a file's companions (the JSON written whole or in parts)."""
    return [
        {
            **encode_path(c.path),
            "kind": c.kind,
            "bytes": c.size,
            "mtime_ns": c.mtime_ns,
            "owners": list(c.owners),
        }
        for c in m.companions
    ]


def to_dict(report: Report) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "threshold": report.threshold,
        "paths": [shown(p) for p in report.paths],
        "roots": [encode_path(p) for p in report.roots],
        "references": [encode_path(p) for p in report.references],
        "groups": [
            {
                **encode_path(g.suggested_keeper.path, "keeper"),
                "exact": g.exact,
                "files": [_file_dict(m) for m in g.members],
            }
            for g in report.groups
        ],
        "errors": [{**encode_path(e.path), "error": shown(e.error)} for e in report.errors],
        "stats": {
            "files": report.stats.files,
            "images": report.stats.images,
            "hashed": report.stats.hashed,
            "from_cache": report.stats.from_cache,
            "seconds": round(report.stats.seconds, 3),
        },
    }


def to_json(report: Report, pretty: bool = True) -> str:
    """The report as JSON; ``pretty=False`` is one line (``json_parts`` joined), and several
    times faster to write for large results (the indenting encoder is pure Python)."""
    if pretty:
        # ensure_ascii keeps names that are not valid UTF-8 representable (\udcXX escapes).
        return json.dumps(to_dict(report), indent=2, ensure_ascii=True)
    return "".join(json_parts(report))


def json_parts(report: Report) -> Iterator[str]:
    """The report as JSON on one line, a group at a time: the same text as
    ``json.dumps(to_dict(report))`` (tests compare them), written file by file
    (``_file_json``) without the dictionaries of ``to_dict``, at a third of the cost a file,
    which was most of a rescan of 100,000 files with tens of thousands of them grouped. The
    command line writes the parts as they come: the report of 70,000 grouped files (34 MB)
    is never held whole."""
    doc = to_dict(
        Report(
            report.threshold,
            report.paths,
            (),
            report.errors,
            report.stats,
            report.roots,
            report.references,
        )
    )
    head, _, tail = json.dumps(doc, ensure_ascii=True).partition('"groups": []')
    yield head + '"groups": ['
    between = ""
    texts = _Texts()
    for g in report.groups:
        yield "".join(
            (
                between,
                "{",
                _json_pairs(encode_path(g.suggested_keeper.path, "keeper")),
                ', "exact": ',
                "true" if g.exact else "false",
                ', "files": [',
                ", ".join([_file_json(m, texts) for m in g.members]),
                "]}",
            )
        )
        between = ", "
    yield "]" + tail


@dataclass(slots=True)
class _Texts:
    """Parts of the JSON that many files share, each made once for a report: the words of
    each set of differences (a few sets for all files), the time of each whole second."""

    words: dict[tuple[str, ...], str] = field(default_factory=dict)
    seconds: dict[int, str] = field(default_factory=dict)


# One file of ``_file_dict`` as json.dumps writes it, but for its path (first) and its
# differences and companions (last), which are written apart.
_FILE_FIELDS: Final = (
    ', "distance": %d, "width": %d, "height": %d, "bytes": %d, "format": %s, "mtime": "%s", '
    '"hash": "%016x", "keep": %s, "identical": %s, "reference": %s, "taken": %s, '
    '"camera": %s, "mtime_ns": %d, "digest": %s, "quick": %s, "change_ns": %d, '
    '"orientation": %s, '
    '"differences": '
)


def _json_pairs(fields: dict[str, str]) -> str:
    return ", ".join([f"{_ascii_string(k)}: {_ascii_string(v)}" for k, v in fields.items()])


def _mtime_text(mtime_ns: int, seconds_texts: dict[int, str]) -> str:
    """``iso_mtime(mtime_ns)``, from the whole second: the same text wherever the float
    ``iso_mtime`` divides cannot round up to the next second (2 us from it), else its own.
    ``seconds_texts``: the text of each whole second written so far, added to here (files
    copied, saved or shot together share their second)."""
    seconds, rest = divmod(mtime_ns, 1_000_000_000)
    if rest > 999_998_000 or not 0 <= seconds < _YEAR_10000:
        return iso_mtime(mtime_ns)
    text = seconds_texts.get(seconds)
    if text is None:
        text = seconds_texts[seconds] = time.strftime(
            "%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(seconds)
        )
    return text


_YEAR_10000: Final = 253_402_300_800  # seconds from 1970: where isoformat's years end


def _file_json(m: GroupMember, texts: _Texts) -> str:
    """``json.dumps(_file_dict(m))``, without the dictionary (see ``to_json``); values of
    another type than the scan makes (a number that is not an int) go through json.dumps.
    ``texts``: what was written for earlier files, added to here."""
    r = m.record
    fp = r.fingerprint
    key = r.key
    taken, camera, digest, quick = fp.taken, fp.camera, r.digest, r.quick
    if not (
        type(m.distance) is int
        and type(fp.width) is int
        and type(fp.height) is int
        and type(key.size) is int
        and type(key.mtime_ns) is int
        and type(fp.hash) is int
        and type(m.keep) is bool
        and type(m.identical) is bool
        and type(r.reference) is bool
        and type(fp.format) is str
        and type(m.orientation) is str
        and (taken is None or type(taken) is str)
        and (camera is None or type(camera) is str)
        and (digest is None or type(digest) is str)
        and (quick is None or type(quick) is str)
        and type(r.change_ns) is int
    ):
        return json.dumps(_file_dict(m), ensure_ascii=True)
    path = r.path
    # A name in ASCII is valid UTF-8: no path_bytes (core.names).
    head = (
        '{"path": ' + _ascii_string(path)
        if path.isascii()
        else "{" + _json_pairs(encode_path(path))
    )
    return "".join(
        (
            head,
            _FILE_FIELDS
            % (
                m.distance,
                fp.width,
                fp.height,
                key.size,
                _ascii_string(fp.format),
                _mtime_text(key.mtime_ns, texts.seconds),
                fp.hash,
                "true" if m.keep else "false",
                "true" if m.identical else "false",
                "true" if r.reference else "false",
                "null" if taken is None else _ascii_string(taken),
                "null" if camera is None else _ascii_string(camera),
                key.mtime_ns,
                "null" if digest is None else _ascii_string(digest),
                "null" if quick is None else _ascii_string(quick),
                r.change_ns,
                _ascii_string(m.orientation),
            ),
            _words_json(m.differences, texts.words) if m.differences else "[]",
            ', "companions": ',
            json.dumps(_companions_of(m), ensure_ascii=True) if m.companions else "[]",
            "}",
        )
    )


def _words_json(differences: Sequence[str], words: dict[tuple[str, ...], str]) -> str:
    """``json.dumps(list(differences))``, made once for each tuple of differences."""
    if type(differences) is not tuple:
        return json.dumps(list(differences), ensure_ascii=True)
    text = words.get(differences)
    if text is None:
        text = words[differences] = json.dumps(list(differences), ensure_ascii=True)
    return text


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for n, g in enumerate(report.groups, 1):
        for m in g.members:
            row = _file_dict(m)
            row.update(
                group=n,
                companions=shown(describe(m.companions)),
                differences="; ".join(m.differences),
                **encode_path(g.suggested_keeper.path, "keeper"),
            )
            writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in CSV_FIELDS})
    return out.getvalue()


def _member(d: dict[str, Any]) -> GroupMember:
    try:
        mtime_ns = d.get("mtime_ns")
        if mtime_ns is None:
            mtime_ns = int(datetime.fromisoformat(str(d["mtime"])).timestamp() * 1e9)
        fp = Fingerprint(
            hex_to_hash(str(d["hash"])),
            int(d["width"]),
            int(d["height"]),
            str(d["format"]),
            d.get("taken") or None,
            d.get("camera") or None,
        )
        record = ImageRecord(
            FileKey(decode_path(d), int(d["bytes"]), int(mtime_ns)),
            fp,
            _bool(d.get("reference", False)),
            str(d["digest"]) if d.get("digest") else None,
            _companions(d.get("companions")),
            quick=str(d["quick"]) if d.get("quick") else None,
            change_ns=int(d.get("change_ns") or 0),
        )
        return GroupMember(
            record,
            int(d["distance"]),
            _bool(d.get("identical", False)),
            _bool(d["keep"]),
            orientation=str(d.get("orientation") or ""),
            differences=_differences(d.get("differences")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"a file entry is incomplete or malformed ({exc})") from exc


def _companions(value: object) -> tuple[Companion, ...]:
    """Companions of a JSON report (a CSV holds only their description: none come back)."""
    if not isinstance(value, list):
        return ()
    return tuple(
        Companion(
            decode_path(c),
            str(c["kind"]),
            int(c["bytes"]),
            int(c["mtime_ns"]),
            tuple(str(o) for o in c.get("owners", ())),
        )
        for c in value
        if isinstance(c, dict)
    )


def _differences(value: object) -> tuple[str, ...]:
    """A list (JSON) or a "; "-joined text (CSV); absent in reports of older versions."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(";") if part.strip())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _group(members: Sequence[GroupMember]) -> Group:
    keepers = [m for m in members if m.distance == 0 and m.keep]
    first = keepers[0] if keepers else members[0]
    ordered = [first, *(m for m in members if m is not first)]
    return Group(tuple(ordered))


def from_json(text: str) -> Report:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("version") != REPORT_VERSION:
        raise ReportError("not a dedupe-gui results file (version 1)")
    try:
        return _from_doc(doc)
    except ReportError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # A list where an object belongs, a number that is not one, ...: still this file's
        # problem, said as such, never a crash of the caller.
        raise ReportError(
            f"a results file with a malformed part ({type(exc).__name__}: {exc})"
        ) from exc


def _from_doc(doc: dict[str, Any]) -> Report:
    groups = []
    for g in doc.get("groups", []):
        members = [_member(f) for f in g.get("files", [])]
        if len(members) >= 2:
            groups.append(_group(members))
    stats = doc.get("stats", {})
    return Report(
        int(doc.get("threshold", 0)),
        tuple(str(p) for p in doc.get("paths", [])),
        tuple(groups),
        tuple(FileError(decode_path(e), str(e["error"])) for e in doc.get("errors", [])),
        ScanStats(
            int(stats.get("files", 0)),
            int(stats.get("images", 0)),
            int(stats.get("hashed", 0)),
            int(stats.get("from_cache", 0)),
            float(stats.get("seconds", 0.0)),
        ),
        tuple(_root(r) for r in doc.get("roots", [])),
        tuple(_root(r) for r in doc.get("references", [])),
    )


def _root(item: object) -> str:
    if isinstance(item, dict):
        try:
            return decode_path(item)
        except ValueError as exc:
            raise ReportError(f"a folder entry is malformed ({exc})") from exc
    return str(item)


def from_csv(text: str, threshold: int = 0) -> Report:
    try:
        return _from_csv(text, threshold)
    except csv.Error as exc:
        raise ReportError(f"not a readable CSV file ({exc})") from exc


def _from_csv(text: str, threshold: int) -> Report:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"group", "path", "hash"} <= set(reader.fieldnames):
        raise ReportError("not a dedupe-gui CSV export (needs group, path and hash columns)")
    by_group: dict[str, list[GroupMember]] = {}
    for row in reader:
        by_group.setdefault(row["group"], []).append(_member(dict(row)))
    groups = tuple(_group(ms) for ms in by_group.values() if len(ms) >= 2)
    # A CSV names no scanned folders: the folders its files were in stand for them, so a
    # cleanup from it still refuses files whose folder is now elsewhere (a link) and keeps
    # the reference files' folders protected as the disk is now.
    members = [m for g in groups for m in g.members]
    roots = tuple(sorted({os.path.dirname(m.path) for m in members}))
    refs = tuple(sorted({os.path.dirname(m.path) for m in members if m.record.reference}))
    return Report(threshold, (), groups, (), ScanStats(), roots, refs)


def load(path: str) -> Report:
    """A saved JSON or CSV report, told apart by content."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    if text.lstrip().startswith("{"):
        return from_json(text)
    return from_csv(text)
