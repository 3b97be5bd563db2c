"""Plain data shared by the core, the command line and the window.

Everything here is immutable and free of Qt so that results can cross threads and be
serialised without surprises.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

# What the walk and a running scan say before any picture is decoded (core.found), here too:
# every other module imports them from here.
from dedupe_gui.core.found import Failure as Failure
from dedupe_gui.core.found import FileError as FileError
from dedupe_gui.core.found import FileKey as FileKey
from dedupe_gui.core.found import Phase as Phase
from dedupe_gui.core.found import Progress as Progress


class Hashes(Sequence[int]):
    """64-bit hashes held as 8 big-endian bytes each, read as ints.

    A fingerprint carries seven turned hashes and up to eleven window hashes; as a tuple of
    ints they took about 900 bytes a file (an int object each), most of what a 100,000-file
    library's records held. Packed they take 8 bytes a hash, and the cache's blobs, laid
    out the same way, become one without unpacking. Equal to a tuple of the same ints.
    """

    __slots__ = ("packed",)

    def __init__(self, values: Iterable[int] = ()) -> None:
        items = tuple(values)
        self.packed = struct.pack(f">{len(items)}Q", *items)

    @classmethod
    def of(cls, values: Iterable[int]) -> Hashes:
        """``values`` as Hashes (itself when it already is)."""
        return values if type(values) is Hashes else cls(values)

    @classmethod
    def from_packed(cls, packed: bytes) -> Hashes:
        """Hashes laid out as ``packed`` (8 big-endian bytes each), taken as they are."""
        if len(packed) % 8:
            raise ValueError("packed hashes take 8 bytes each")
        out = cls.__new__(cls)
        # A warm rescan makes two of these a file: bytes (what SQLite returns) are not copied.
        out.packed = packed if type(packed) is bytes else bytes(packed)
        return out

    def __len__(self) -> int:
        return len(self.packed) // 8

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[int, ...]: ...
    def __getitem__(self, index: int | slice) -> int | tuple[int, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("hash index out of range")
        value: int = int.from_bytes(self.packed[8 * index : 8 * index + 8], "big")
        return value

    def __iter__(self) -> Iterator[int]:
        return iter(struct.unpack(f">{len(self)}Q", self.packed))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Hashes):
            return self.packed == other.packed
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Hashes({tuple(self)!r})"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What decoding one image yields. ``hash`` is the 64-bit dHash as a plain int."""

    hash: int
    width: int
    height: int
    format: str
    taken: str | None = None  # EXIF DateTimeOriginal as ISO 8601, when the camera wrote one
    camera: str | None = None  # "Make Model", when present
    exif_orientation: int = 1  # EXIF orientation tag that was applied (1 = none)
    # 32x32 greyscale of the displayed image, row by row: the second look at candidate pairs
    # (core.verify). Empty for fingerprints from before it existed: judged on the hash alone.
    thumb: bytes = field(default=b"", repr=False)
    # dHashes of the image mirrored and turned, orientations 1-7 of core.orientations
    # (any sequence of ints is taken, and held as Hashes).
    turned: Sequence[int] = field(default=(), repr=False)
    # Pictures made of flat areas and edges (slides, documents, screenshots, graphics): a
    # 128x128 greyscale of the displayed image, zlib-compressed, for the detail check of
    # core.verify. Empty for photos (they compress poorly, and 32x32 tells them apart).
    fine: bytes = field(default=b"", repr=False)
    # True when the picture has no colour (a greyscale file, or colour channels that agree):
    # the keeper rule never prefers it to a colour copy. None: not known (older fingerprints).
    grey: bool | None = None
    # A fine thumbnail is stored for this picture even where ``fine`` was not loaded (a cache
    # read without thumbnails fetches it when a pair needs it).
    detailed: bool = False
    # dHashes of parts of the displayed picture (trimmed edges, the centred square, the
    # picture inside a border): how trimmed and framed copies are found (core.windows).
    windows: Sequence[int] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        # Packed: a library's records hold these for every file (see Hashes); the cache
        # gives them packed already.
        if type(self.turned) is not Hashes:
            object.__setattr__(self, "turned", Hashes(self.turned))
        if type(self.windows) is not Hashes:
            object.__setattr__(self, "windows", Hashes(self.windows))

    @property
    def flat_and_edged(self) -> bool:
        """A picture of flat areas and edges (a slide, a screen, an object on a backdrop):
        one rule for the checks that treat such pictures apart."""
        return bool(self.fine) or self.detailed


Entry = Fingerprint | Failure  # what fingerprinting one file yields


@dataclass(frozen=True, slots=True)
class Companion:
    """A file that belongs to a photo and travels with it (core.companions).

    ``kind`` is one of core.companions' kinds ("live", "aae", "xmp", "json", "raw", "jpeg");
    ``owners`` are all photos of the folder it belongs to: it leaves only when they all do.
    """

    path: str
    kind: str
    size: int
    mtime_ns: int
    owners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImageRecord:
    """One image file as the scan saw it: where it is, which version, and its fingerprint."""

    key: FileKey
    fingerprint: Fingerprint
    reference: bool = False
    digest: str | None = None  # content digest, computed only where a byte-identical copy may exist
    companions: tuple[Companion, ...] = ()  # Live video, sidecars, RAW/JPEG twin
    # Head-and-tail digest (core.digests), taken for grouped files before a cleanup or a
    # report: lets the copy kept be re-checked cheaply at the moment of acting.
    quick: str | None = None
    # st_ctime_ns when the scan found the file (0: unknown). No program can set it, and any
    # change of content moves it, so an equal value lets a cleanup skip reading the file.
    change_ns: int = 0

    @property
    def path(self) -> str:
        return self.key.path

    @property
    def pixels(self) -> int:
        return self.fingerprint.width * self.fingerprint.height


@dataclass(frozen=True, slots=True)
class ScanStats:
    files: int = 0  # candidate image files found by the walk
    images: int = 0  # files that yielded a fingerprint
    hashed: int = 0  # fingerprints computed in this run
    from_cache: int = 0  # fingerprints taken from the cache
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan produced. ``cancelled`` scans hold the part done before the stop."""

    paths: tuple[str, ...]
    records: tuple[ImageRecord, ...]
    errors: tuple[FileError, ...]
    stats: ScanStats
    cancelled: bool = False
    warnings: tuple[str, ...] = ()
    # Where a cleanup of these results may act (core.actions.Scope): the real paths of the
    # scanned folders (followed link targets included) and of the reference folders.
    roots: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupMember:
    record: ImageRecord
    distance: int  # Hamming distance to the group's keeper
    identical: bool = False  # byte-for-byte the same content as the keeper
    keep: bool = False  # preselected to stay (the keeper, and every reference file)
    orientation: str = ""  # how it looks next to the keeper: "" (same way up), "mirrored", ...
    # How it differs from the keeper where the check can tell ("trimmed 8 % left", "border
    # added", "overlay at the bottom", "greyscale", ...; core.differences). Empty for keepers.
    differences: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.record.path

    @property
    def companions(self) -> tuple[Companion, ...]:
        """Files that go with this one when it is removed and stay when it is kept."""
        return self.record.companions


@dataclass(frozen=True, slots=True)
class Group:
    """A suggested keeper and the files within the threshold of it, keeper first.

    ``suggested_keeper`` is the file the keeper rules chose, and the one every distance was
    measured against; which file the user finally keeps is the review's business.
    """

    members: tuple[GroupMember, ...]

    @property
    def suggested_keeper(self) -> GroupMember:
        return self.members[0]

    @property
    def exact(self) -> bool:
        """Every file is a byte-identical copy of the suggested keeper."""
        return all(m.identical for m in self.members[1:])

    @property
    def reclaimable_bytes(self) -> int:
        return sum(m.record.key.size for m in self.members if not m.keep)


@dataclass(frozen=True, slots=True)
class GroupingSummary:
    groups: int
    duplicates: int
    reclaimable_bytes: int


def summarise(groups: Sequence[Group]) -> GroupingSummary:
    """How many groups, files offered for removal and bytes they free (here, apart from the
    grouping and numpy: a rescan that reads its groups back from the cache prints this)."""
    return GroupingSummary(
        len(groups),
        sum(sum(1 for m in g.members if not m.keep) for g in groups),
        sum(g.reclaimable_bytes for g in groups),
    )
