"""Chosen folders the scan could not read are told apart from unreadable files inside them."""

from __future__ import annotations

from dedupe_gui.core.models import FileError
from dedupe_gui.review.folders import describe_unreadable, unreadable_label, unreadable_roots


def test_only_errors_about_the_chosen_folders_count() -> None:
    errors = [
        FileError("/media/usb/Photos", "no such file or folder"),
        FileError("/home/ann/Pictures/broken.jpg", "cannot decode"),
        FileError("/home/ann/Locked", "cannot read: Permission denied"),
    ]
    roots = ["/media/usb/Photos/", "/home/ann/Pictures", "/home/ann/Locked"]
    assert [e.path for e in unreadable_roots(roots, errors)] == [
        "/media/usb/Photos",
        "/home/ann/Locked",
    ]
    assert unreadable_roots(["/home/ann/Pictures"], errors) == []


def test_the_wording_says_what_was_not_compared() -> None:
    one = [FileError("/media/usb/Photos", "no such file or folder")]
    title, body = describe_unreadable(one, all_missing=True)
    assert title == "Folder not found"
    assert "/media/usb/Photos" in body and "Nothing was compared" in body
    title, body = describe_unreadable(one, all_missing=False)
    assert "other folders only" in body
    two = [*one, FileError("/x", "cannot read: Permission denied")]
    title, body = describe_unreadable(two, all_missing=False)
    assert title == "Some folders could not be read" and "/x: cannot read" in body


def test_the_problems_button_tells_a_missing_folder_from_unreadable_files() -> None:
    missing = FileError("/media/usb/Photos", "no such file or folder")
    broken = [FileError(f"/home/ann/Pictures/{n}.jpg", "cannot decode") for n in range(1200)]
    roots = ["/media/usb/Photos", "/home/ann/Pictures"]
    assert unreadable_label(roots, [missing]) == "1 folder not read"
    assert unreadable_label(roots, broken[:1]) == "1 unreadable file"
    assert (
        unreadable_label(roots, [missing, *broken]) == "1 folder not read · 1,200 unreadable files"
    )
    locked = FileError("/home/ann/Pictures", "cannot read: Permission denied")
    assert unreadable_label(roots, [missing, locked]) == "2 folders not read"
