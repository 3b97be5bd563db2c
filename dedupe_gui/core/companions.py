"""Files that belong to a photo: its Live video, edit and metadata sidecars, its RAW or JPEG twin.

A photo library keeps such files beside the picture, named after it: ``IMG_0001.HEIC`` with
``IMG_0001.MOV`` (the Live Photo video), ``IMG_0001.AAE`` (iOS edits), ``IMG_0001.xmp`` or
``IMG_0001.HEIC.xmp`` (XMP sidecars), ``IMG_0001.HEIC.json`` (Google Takeout metadata), and a
camera's ``DSC_0001.NEF`` + ``DSC_0001.JPG`` written for one shot. Removing the photo without
them leaves orphans; grouping a RAW with its own JPEG offers one shot as its own duplicate.

Companions are found by folder and name, case-insensitively, once per scan: each folder that
holds a scanned photo is listed once. A companion may belong to several photos (``IMG_0001.xmp``
beside both ``IMG_0001.NEF`` and ``IMG_0001.JPG``); ``owners`` names all of them, and cleanup
moves a companion only when every owner leaves.

Google Takeout names its JSON after the photo's full name (``IMG_0001.JPG.json``, since 2024
``IMG_0001.JPG.supplemental-metadata.json``), but cuts the name before ``.json`` to 46
characters (51 in all), puts a copy number after the extension (``IMG_0001(1).JPG`` ->
``IMG_0001.JPG(1).json``) and gives an edited copy (``IMG_0001-edited.JPG``) no JSON of its own:
it shares the original's.
"""

from __future__ import annotations

import contextlib
import itertools
import operator
import os
import re
import stat
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

from dedupe_gui.core.models import Companion, GroupMember, ImageRecord

LIVE_VIDEO: Final = "live"
AAE: Final = "aae"
XMP: Final = "xmp"
TAKEOUT_JSON: Final = "json"
RAW_PARTNER: Final = "raw"  # on a JPEG: the RAW file shot with it
JPEG_PARTNER: Final = "jpeg"  # on a RAW: the JPEG the camera wrote with it

LABELS: Final[Mapping[str, str]] = {
    LIVE_VIDEO: "Live video",
    AAE: "AAE edits",
    XMP: "XMP",
    TAKEOUT_JSON: "Takeout JSON",
    RAW_PARTNER: "RAW",
    JPEG_PARTNER: "JPEG",
}

# How much each kind counts for the keeper rule, which sits above "most pixels": a Live
# video is part of the moment itself; edits and a RAW are work or data that no copy without
# them has. Takeout JSON and a RAW's JPEG twin hold nothing the photo lacks (a downscaled
# Takeout copy must not beat a full-size original for its JSON): they only break ties, in
# the metadata rule (``metadata_files``).
WEIGHTS: Final[Mapping[str, int]] = {LIVE_VIDEO: 8, RAW_PARTNER: 4, AAE: 4, XMP: 2}
_METADATA_KINDS: Final = frozenset({TAKEOUT_JSON, JPEG_PARTNER})

# Extensions of files that are companions without sharing a photo's stem.
_SIDECAR_EXTENSIONS: Final = frozenset({".aae", ".xmp", ".json"})

# The order companions are listed in: what matters most to a person first.
_ORDER: Final = (LIVE_VIDEO, RAW_PARTNER, JPEG_PARTNER, AAE, XMP, TAKEOUT_JSON)

VIDEO_EXTENSIONS: Final = frozenset({".mov", ".mp4"})
# What a camera writes beside its RAW file for the same shot.
CAMERA_JPEG_EXTENSIONS: Final = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".hif"})
TAKEOUT_NAME_LIMIT: Final = 46  # characters before ".json"
TAKEOUT_SUPPLEMENT: Final = ".supplemental-metadata"
# Suffixes Google Photos gives edited copies, in the languages its exports are known to use.
EDITED_SUFFIXES: Final = (
    "-edited",
    "-bearbeitet",
    "-modifié",
    "-modificato",
    "-editado",
    "-bewerkt",
    "-編集済み",
    "-edytowane",
    "-redigeret",
)

_COPY_NUMBER = re.compile(r"^(?P<stem>.*)\((?P<n>\d+)\)(?P<ext>\.[^.]*)$")
_IOS_NAME = re.compile(r"^(?P<prefix>img_)(?P<digits>\d+)$")


def describe(companions: Iterable[Companion]) -> str:
    """``+ Live video 2.1 MB, + XMP``: what a person reads next to a photo."""
    from dedupe_gui.core.units import human_bytes

    parts = []
    for c in companions:
        label = LABELS.get(c.kind, c.kind)
        parts.append(f"+ {label} {human_bytes(c.size)}" if c.kind == LIVE_VIDEO else f"+ {label}")
    return ", ".join(parts)


def weight(companions: Iterable[Companion]) -> int:
    """The keeper rule's measure: higher for a photo whose companions no other copy has."""
    return sum(WEIGHTS.get(c.kind, 0) for c in companions)


def metadata_files(companions: Iterable[Companion]) -> int:
    """1 when a Takeout JSON or a JPEG twin goes with the photo: a tie-breaker only."""
    return int(any(c.kind in _METADATA_KINDS for c in companions))


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    path: str
    stem: str  # lower case, without the extension
    ext: str  # lower case, with its dot ("" when none)


def _entry(name: str, path: str) -> _Entry:
    lower = name.lower()
    dot = lower.rfind(".")
    if dot <= 0:
        return _Entry(name, path, lower, "")
    return _Entry(name, path, lower[:dot], lower[dot:])


def _takeout_titles(name: str) -> list[str]:
    """Lower-case JSON file names Google Takeout may have given the metadata of ``name``."""
    bracket = ""
    base = name
    m = _COPY_NUMBER.match(name)
    if m:
        base = m["stem"] + m["ext"]
        bracket = f"({m['n']})"
    bases = [base]
    stem, ext = os.path.splitext(base)
    for suffix in EDITED_SUFFIXES:
        if stem.lower().endswith(suffix):
            bases.append(stem[: -len(suffix)] + ext)
    out: list[str] = []
    for b in bases:
        titles = [b, os.path.splitext(b)[0]]
        full = b + TAKEOUT_SUPPLEMENT
        # The supplement is cut wherever the 51-character limit falls.
        titles += [full[:k] for k in range(len(b) + 2, len(full) + 1)]
        for t in titles:
            for cut in {t, t[:TAKEOUT_NAME_LIMIT]}:
                out.append(f"{cut}{bracket}.json".lower())
                if bracket:
                    # Seen in some exports: the number cut off with the rest of a long name.
                    out.append(f"{(cut + bracket)[:TAKEOUT_NAME_LIMIT]}.json".lower())
    return list(dict.fromkeys(out))


def _partner_kind(photo_ext: str, other_ext: str, raw: frozenset[str]) -> str | None:
    if photo_ext in raw and other_ext in CAMERA_JPEG_EXTENSIONS:
        return JPEG_PARTNER
    if photo_ext in CAMERA_JPEG_EXTENSIONS and other_ext in raw:
        return RAW_PARTNER
    return None


def _list_folder(folder: str) -> list[tuple[str, str]]:
    """The folder's files (name, path); no stat here (the listing says what is a file on most
    file systems): only companions found are stat'ed, so a folder of photos alone costs one
    read."""
    entries: list[tuple[str, str]] = []
    try:
        with os.scandir(folder) as it:
            for e in it:
                with contextlib.suppress(OSError):
                    if e.is_file(follow_symlinks=False):
                        entries.append((e.name, e.path))
    except OSError:
        return []  # an unreadable folder: its photos simply have no companions
    return entries


def _alone(files: Sequence[tuple[str, str]]) -> bool:
    """No file of the folder can be a companion of another: none is a sidecar (.aae, .xmp,
    Takeout .json) and no two share a stem (a Live video, a RAW/JPEG twin). Most folders of
    a library are such; telling it needs no entry per file (a tenth of a warm rescan).

    Told without a Python step a file where every name has a stem and an extension (the
    stems and extensions split in C); a folder with another name is looked at name by name.
    """
    parts = list(map(str.rpartition, map(str.lower, map(_NAME, files)), itertools.repeat(".")))
    stems = set(map(_NAME, parts))
    if "" not in stems:
        return len(stems) == len(parts) and _SIDECAR_ENDINGS.isdisjoint(map(_ENDING, parts))
    stems = set()
    for name, _ in files:
        lower = name.lower()
        dot = lower.rfind(".")
        stem, ext = (lower, "") if dot <= 0 else (lower[:dot], lower[dot:])
        if ext in _SIDECAR_EXTENSIONS or stem in stems:
            return False
        stems.add(stem)
    return True


# The name of a (name, path) and the stem of a name's ``rpartition(".")``; its extension
# without the dot, and the sidecars' extensions so.
_NAME, _ENDING = operator.itemgetter(0), operator.itemgetter(2)
_SIDECAR_ENDINGS: Final = frozenset(e[1:] for e in _SIDECAR_EXTENSIONS)


def _version(path: str) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None  # gone between the listing and now: not a companion after all
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def _folder_companions(
    photos: Iterable[str],
    files: list[tuple[str, str]],
    image_extensions: frozenset[str],
    raw_extensions: frozenset[str],
) -> dict[str, tuple[Companion, ...]]:
    """Companions of each photo (by path) of one folder whose files are ``files``."""
    if _alone(files):
        return {photo: () for photo in photos}
    entries = [_entry(name, path) for name, path in files]
    by_name = {e.name.lower(): e for e in entries}
    by_stem: dict[str, list[_Entry]] = defaultdict(list)
    for e in entries:
        by_stem[e.stem].append(e)
    exts = {e.ext for e in entries}
    # Takeout names are many to try: only where the folder holds JSON at all. And where no
    # sidecar of any kind is, only a photo sharing its stem with another file can have any.
    takeout = ".json" in exts
    sidecars = takeout or ".xmp" in exts or ".aae" in exts
    owners_of: dict[str, list[str]] = defaultdict(list)  # companion path -> photo paths
    found: dict[str, list[tuple[_Entry, str]]] = {}

    def candidates(name: str) -> list[tuple[_Entry, str]]:
        me = _entry(name, "")
        lstem, lext = me.stem, me.ext
        out: list[tuple[_Entry, str]] = []
        for e in by_stem.get(lstem, ()):
            if e.name == name:
                continue
            oext = e.ext
            if oext in VIDEO_EXTENSIONS and lext not in VIDEO_EXTENSIONS:
                out.append((e, LIVE_VIDEO))
            elif oext == ".aae":
                out.append((e, AAE))
            elif oext == ".xmp":
                out.append((e, XMP))
            elif (
                oext in image_extensions
                and (kind := _partner_kind(lext, oext, raw_extensions)) is not None
            ):
                out.append((e, kind))
        ios = _IOS_NAME.match(lstem)
        if ios is not None:  # iOS 16+ keeps the original's adjustments as IMG_O0001.AAE
            o = by_name.get(f"{ios['prefix']}o{ios['digits']}.aae")
            if o is not None:
                out.append((o, AAE))
        full_xmp = by_name.get(f"{name.lower()}.xmp")
        if full_xmp is not None:
            out.append((full_xmp, XMP))
        for title in _takeout_titles(name) if takeout else ():
            j = by_name.get(title)
            if j is not None:
                out.append((j, TAKEOUT_JSON))
                break
        # The Live video's own Takeout JSON goes with it.
        for e, kind in list(out) if takeout else ():
            if kind == LIVE_VIDEO:
                for title in _takeout_titles(e.name):
                    j = by_name.get(title)
                    if j is not None:
                        out.append((j, TAKEOUT_JSON))
                        break
        return list({e.path: (e, kind) for e, kind in out}.values())

    # Every image file of the folder owns its companions, scanned or not (an excluded
    # IMG_0001.DNG still keeps IMG_0001.xmp in place when IMG_0001.JPG is trashed).
    for e in entries:
        if e.ext not in image_extensions:
            continue
        if not sidecars and len(by_stem[e.stem]) == 1:
            found[e.path] = []
            continue
        found[e.path] = cands = candidates(e.name)
        for c, _kind in cands:
            owners_of[c.path].append(e.path)
    versions: dict[str, tuple[int, int] | None] = {}
    result: dict[str, tuple[Companion, ...]] = {}
    for photo in photos:
        known = found.get(photo)
        if known is None:  # a photo named with an unusual extension on the command line
            known = candidates(os.path.basename(photo))
            for c, _kind in known:
                owners_of[c.path].append(photo)
        comps = []
        for c, kind in sorted(known, key=lambda ck: (_ORDER.index(ck[1]), ck[0].name)):
            if c.path not in versions:
                versions[c.path] = _version(c.path)
            if (v := versions[c.path]) is not None:
                comps.append(Companion(c.path, kind, *v, tuple(sorted(owners_of[c.path]))))
        result[photo] = tuple(comps)
    return result


def find_companions(
    photos: Iterable[str],
    image_extensions: frozenset[str] | None = None,
    listed: Mapping[str, list[tuple[str, str]]] | None = None,
) -> dict[str, tuple[Companion, ...]]:
    """Companions of every photo in ``photos`` (absolute paths), listing each folder once.

    Photos without companions map to an empty tuple. Never raises for an unreadable folder.
    ``listed``: the regular files (name, path) of folders the caller listed already (the
    walk: core.files.Listing.files); the others are listed here.
    """
    # Imported here: reports and cleanup use this module without loading Pillow.
    from dedupe_gui.core.files import IMAGE_EXTENSIONS
    from dedupe_gui.core.raw_kinds import RAW_EXTENSIONS

    if image_extensions is None:
        image_extensions = IMAGE_EXTENSIONS
    by_folder: dict[str, list[str]] = defaultdict(list)
    sep = os.sep
    for p in photos:
        # os.path.dirname, without its call for the plain case (a name after a folder that
        # does not end in a separator); 100,000 calls were a third of this function.
        i = p.rfind(sep)
        plain = i > 0 and p[i - 1] != sep and not os.altsep
        by_folder[p[:i] if plain else os.path.dirname(p)].append(p)
    out: dict[str, tuple[Companion, ...]] = {}
    for folder, members in by_folder.items():
        files = listed.get(folder) if listed is not None else None
        if files is None:
            files = _list_folder(folder)
        out.update(_folder_companions(members, files, image_extensions, RAW_EXTENSIONS))
    return out


def shot_partners(companions: Mapping[str, tuple[Companion, ...]]) -> set[frozenset[str]]:
    """Pairs of scanned photos that are one shot (a RAW and the camera's JPEG beside it)."""
    pairs: set[frozenset[str]] = set()
    for photo, comps in companions.items():
        for c in comps:
            if c.kind in (RAW_PARTNER, JPEG_PARTNER) and c.path in companions:
                pairs.add(frozenset((photo, c.path)))
    return pairs


def companion_name(photo_dest: str, photo: str, companion: str) -> str:
    """The name a companion takes beside its photo moved to ``photo_dest``.

    ``IMG_0001.HEIC`` moved as ``IMG_0001 (1).HEIC`` takes ``IMG_0001.MOV`` along as
    ``IMG_0001 (1).MOV``, so the two still pair up; names that do not start with the
    photo's stem (a cut Takeout name) keep their own name.
    """
    old_stem = os.path.splitext(os.path.basename(photo))[0]
    new_stem = os.path.splitext(os.path.basename(photo_dest))[0]
    name = os.path.basename(companion)
    if old_stem != new_stem and name.lower().startswith(old_stem.lower()):
        return new_stem + name[len(old_stem) :]
    return name


def attach(
    records: Iterable[ImageRecord], listed: Mapping[str, list[tuple[str, str]]] | None = None
) -> list[ImageRecord]:
    """The records with their companions filled in (one listing per folder; ``listed`` as
    ``find_companions`` takes it)."""
    items = list(records)
    found = find_companions([r.path for r in items], None, listed)
    return [replace(r, companions=c) if (c := found.get(r.path)) else r for r in items]


def going_with(plan: Iterable[tuple[Sequence[GroupMember], Collection[str]]]) -> list[Companion]:
    """The companions a cleanup of ``plan`` ((members of a group, paths removed from it), ...)
    would take along, by the cleanup's own rule: once every photo a companion belongs to
    leaves, unless it is a group member itself. For telling the user before they confirm."""
    items = [(list(members), set(removed)) for members, removed in plan]
    decided = {m.path for members, _ in items for m in members}
    leaving = {p for _, removed in items for p in removed}
    going: dict[str, Companion] = {}
    changed = True
    while changed:  # a RAW twin that goes is itself an owner of a shared sidecar
        changed = False
        for members, removed in items:
            for m in members:
                if m.path not in removed:
                    continue
                for c in m.companions:
                    owners = c.owners or (m.path,)
                    if c.path in decided or c.path in going:
                        continue
                    if all(o in leaving for o in owners):
                        going[c.path] = c
                        leaving.add(c.path)
                        changed = True
    return list(going.values())


def describe_going(companions: Sequence[Companion]) -> str:
    """ "With them go 2 files that belong to them (a Live video, AAE edits): 2.1 MB.", or ""."""
    if not companions:
        return ""
    from dedupe_gui.core.units import human_bytes

    kinds = ", ".join(dict.fromkeys(LABELS.get(c.kind, c.kind) for c in companions))
    n = len(companions)
    files = "1 file that belongs" if n == 1 else f"{n:,} files that belong"
    size = human_bytes(sum(c.size for c in companions))
    return f"With them go {files} to them ({kinds}): {size}."
