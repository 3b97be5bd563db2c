"""Paths shortened from the group's shared folder: what tells two copies apart stays."""

from __future__ import annotations

from dedupe_gui.review.paths import common_folder, home_relative, shorten


def test_the_distinguishing_folder_comes_first() -> None:
    paths = [
        "/home/ann/Pictures/drive1/DCIM/101CANON/IMG_0001.JPG",
        "/home/ann/Pictures/drive2/DCIM/101CANON/IMG_0001.JPG",
    ]
    short = shorten(paths, home="/home/ann")
    assert short.common == "~/Pictures"
    assert short.folders == ("…/Pictures/drive1/DCIM/101CANON", "…/Pictures/drive2/DCIM/101CANON")
    assert short.names == ("IMG_0001.JPG", "IMG_0001.JPG")


def test_common_folder_goes_by_whole_names_not_letters() -> None:
    assert common_folder(["/a/photos/x.jpg", "/a/photos2/x.jpg"]) == "/a"
    assert common_folder(["/a/b/x.jpg", "/a/b/c/y.jpg"]) == "/a/b"
    assert common_folder(["/x.jpg", "/y/z.jpg"]) == "/"
    assert common_folder([]) == ""


def test_one_folder_and_nested_folders_keep_an_anchor() -> None:
    same = shorten(["/p/trip/a.jpg", "/p/trip/b.jpg"])
    assert same.folders == ("…/trip", "…/trip")
    nested = shorten(["/p/trip/a.jpg", "/p/trip/edits/a.jpg"])
    assert nested.folders == ("…/trip", "…/trip/edits")


def test_paths_sharing_only_the_root_keep_their_folders() -> None:
    short = shorten(["/mnt/usb/a.jpg", "/home/ann/a.jpg"], home="/home/ann")
    assert short.common == "/"
    assert short.folders == ("/mnt/usb", "~")


def test_relative_and_windows_paths() -> None:
    assert shorten(["a.jpg", "b.jpg"]).folders == ("", "")
    win = shorten([r"C:\Users\ann\Pics\a.jpg", r"D:\Backup\a.jpg"], sep="\\")
    assert win.folders == (r"C:\Users\ann\Pics", r"D:\Backup")
    win2 = shorten([r"C:\Users\ann\Pics\1\a.jpg", r"C:\Users\ann\Pics\2\a.jpg"], sep="\\")
    assert win2.common == r"C:\Users\ann\Pics"
    assert win2.folders == ("…\\Pics\\1", "…\\Pics\\2")


def test_home_relative_needs_a_whole_folder_name() -> None:
    assert home_relative("/home/ann/x", "/home/ann") == "~/x"
    assert home_relative("/home/anna/x", "/home/ann") == "/home/anna/x"
    assert home_relative("/home/ann", "/home/ann/") == "~"
    assert home_relative("/home/ann/x", "") == "/home/ann/x"
