"""The walk: which files count, each physical file once, every unreadable thing reported."""

from __future__ import annotations

import os
from pathlib import Path

from dedupe_gui.core.files import FoundFile, WalkOptions, walk
from dedupe_gui.core.models import FileError
from tests.imaging import photo, save


def run(paths: list[Path], **options: object) -> tuple[list[FoundFile], list[FileError]]:
    found: list[FoundFile] = []
    errors: list[FileError] = []
    for item in walk([str(p) for p in paths], WalkOptions(**options)):  # type: ignore[arg-type]
        (errors if isinstance(item, FileError) else found).append(item)  # type: ignore[arg-type]
    return found, errors


def names(found: list[FoundFile]) -> list[str]:
    return [os.path.basename(f.path) for f in found]


def test_only_image_extensions_in_sorted_order(tmp_path: Path) -> None:
    save(photo(1), tmp_path / "b.JPG")
    save(photo(2), tmp_path / "a.png")
    save(photo(3), tmp_path / "sub" / "c.webp")
    (tmp_path / "notes.txt").write_text("x")
    found, errors = run([tmp_path])
    assert names(found) == ["a.png", "b.JPG", "c.webp"]
    assert errors == []


def test_excludes_hidden_and_thumbnail_folders(tmp_path: Path) -> None:
    save(photo(1), tmp_path / "keep.jpg")
    save(photo(1), tmp_path / ".hidden" / "x.jpg")
    save(photo(1), tmp_path / "@eaDir" / "x.jpg")
    save(photo(1), tmp_path / "exports" / "web" / "x.jpg")
    save(photo(1), tmp_path / "raw_skip.jpg")
    found, _ = run([tmp_path], excludes=("exports", "raw_*"))
    assert names(found) == ["keep.jpg"]
    found, _ = run([tmp_path], include_hidden=True)
    assert sorted(names(found)) == ["keep.jpg", "raw_skip.jpg", "x.jpg", "x.jpg"]


def test_symlink_loop_and_hard_links_are_seen_once(tmp_path: Path) -> None:
    a = save(photo(1), tmp_path / "lib" / "a.jpg")
    os.link(a, tmp_path / "lib" / "a-hardlink.jpg")
    os.symlink(tmp_path / "lib", tmp_path / "lib" / "loop")
    os.symlink(a, tmp_path / "lib" / "z-link.jpg")
    found, errors = run([tmp_path / "lib"])
    assert len(found) == 1
    # Links are not followed by default: each is reported once, with its target.
    assert sorted((os.path.basename(e.path), e.error.split(" (")[0]) for e in errors) == [
        ("loop", f"skipped: symbolic link to {tmp_path / 'lib'}"),
        ("z-link.jpg", f"skipped: symbolic link to {a}"),
    ]


def test_broken_symlink_and_empty_file_are_reported(tmp_path: Path) -> None:
    save(photo(1), tmp_path / "ok.jpg")
    os.symlink(tmp_path / "gone.jpg", tmp_path / "broken.jpg")
    (tmp_path / "empty.png").write_bytes(b"")
    found, errors = run([tmp_path])
    assert names(found) == ["ok.jpg"]
    reasons = {os.path.basename(e.path): e.error for e in errors}
    assert reasons == {"broken.jpg": "broken symbolic link", "empty.png": "empty file (0 bytes)"}


def test_self_referencing_link_is_reported(tmp_path: Path) -> None:
    os.symlink(tmp_path / "me.jpg", tmp_path / "me.jpg")
    found, errors = run([tmp_path])
    assert found == []
    assert [e.error for e in errors] == ["symbolic link loop"]


def test_missing_root_is_an_error_and_the_rest_goes_on(tmp_path: Path) -> None:
    save(photo(1), tmp_path / "ok.jpg")
    found, errors = run([tmp_path / "nope", tmp_path])
    assert names(found) == ["ok.jpg"]
    assert errors[0].error == "no such file or folder"


def test_min_size_and_references(tmp_path: Path) -> None:
    save(photo(1), tmp_path / "ref" / "a.png")
    save(photo(2), tmp_path / "lib" / "b.png")
    (tmp_path / "lib" / "tiny.png").write_bytes(b"\x89PNG" + b"0" * 10)
    found, _ = run([tmp_path], references=(str(tmp_path / "ref"),), min_size=100)
    assert {names([f])[0]: f.reference for f in found} == {"a.png": True, "b.png": False}


def test_a_file_named_directly_is_scanned_whatever_its_extension(tmp_path: Path) -> None:
    path = save(photo(1), tmp_path / "picture.data", format="PNG")
    found, errors = run([path])
    assert names(found) == ["picture.data"] and errors == []


def test_non_utf8_names_are_kept(tmp_path: Path) -> None:
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.jpg"
    photo(1).save(os.fsdecode(raw), "JPEG")
    found, errors = run([tmp_path])
    assert errors == []
    assert os.fsencode(found[0].path) == raw


def test_exclusion_matches_like_fnmatchcase() -> None:
    """The walk's one-expression matcher says what fnmatchcase says for every pattern."""
    import fnmatch

    from dedupe_gui.core.files import _exclusion

    patterns = ("exports", "raw_*", "*/cache/*", "[ab]?.JPG", "*.tmp")
    entries = [
        ("exports", "/p/exports"),
        ("Exports", "/p/Exports"),
        ("raw_1.jpg", "/p/raw_1.jpg"),
        ("x.jpg", "/p/cache/x.jpg"),
        ("a1.JPG", "/p/a1.JPG"),
        ("a1.jpg", "/p/a1.jpg"),
        ("c.tmp", "/p/c.tmp"),
        ("c.tmp.jpg", "/p/c.tmp.jpg"),
        ("line\nbreak", "/p/line\nbreak"),
    ]

    def matches(patterns: tuple[str, ...], name: str, full: str) -> bool:
        # As the walk asks: the plain names and paths in a set, the others through one call.
        plain, wild = _exclusion(patterns)
        return name in plain or full in plain or (wild is not None and wild(name, full))

    for some in (patterns, (*patterns[:1], "/p/c.tmp")):  # the second: plain patterns only
        for name, full in entries:
            expected = any(
                fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(full, p) for p in some
            )
            assert matches(some, name, full) == expected, name
    assert _exclusion(("exports",))[1] is None
    assert not matches((), "anything", "/anything")
