"""Companion files: found by folder and name, kept with a kept photo, removed with a removed one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dedupe_gui.core.actions import CleanupOptions, Removal, Scope, Status, apply_removals
from dedupe_gui.core.companions import (
    AAE,
    JPEG_PARTNER,
    LIVE_VIDEO,
    RAW_PARTNER,
    TAKEOUT_JSON,
    XMP,
    companion_name,
    describe,
    describe_going,
    find_companions,
    going_with,
)
from dedupe_gui.core.grouping import SimilarityIndex, group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.models import Companion, Group, GroupMember
from dedupe_gui.core.report import Report, from_json, to_csv, to_json
from dedupe_gui.core.scan import ScanOptions, run_scan
from tests.core.test_formats import jpeg_bytes, tiff_raw
from tests.imaging import photo, save


def touch(folder: Path, *names: str, size: int = 10) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x" * size)


def kinds(folder: Path, photo_name: str) -> dict[str, str]:
    """{companion file name: kind} of one photo in ``folder``."""
    path = str(folder / photo_name)
    found = find_companions([path])[path]
    return {os.path.basename(c.path): c.kind for c in found}


# -- finding ----------------------------------------------------------------------------------


def test_live_photo_video_of_either_container_and_case(tmp_path: Path) -> None:
    touch(tmp_path, "IMG_0001.HEIC", "IMG_0001.MOV", "img_0002.jpg", "IMG_0002.mp4", "IMG_3.MOV")
    assert kinds(tmp_path, "IMG_0001.HEIC") == {"IMG_0001.MOV": LIVE_VIDEO}
    assert kinds(tmp_path, "img_0002.jpg") == {"IMG_0002.mp4": LIVE_VIDEO}


def test_ios_edit_sidecars(tmp_path: Path) -> None:
    touch(tmp_path, "IMG_0005.HEIC", "IMG_0005.AAE", "IMG_O0005.AAE", "IMG_0006.HEIC")
    assert kinds(tmp_path, "IMG_0005.HEIC") == {"IMG_0005.AAE": AAE, "IMG_O0005.AAE": AAE}
    assert kinds(tmp_path, "IMG_0006.HEIC") == {}


def test_xmp_by_stem_and_by_full_name(tmp_path: Path) -> None:
    touch(tmp_path, "a.jpg", "a.xmp", "b.JPG", "b.JPG.XMP", "c.jpg", "cc.xmp")
    assert kinds(tmp_path, "a.jpg") == {"a.xmp": XMP}
    assert kinds(tmp_path, "b.JPG") == {"b.JPG.XMP": XMP}
    assert kinds(tmp_path, "c.jpg") == {}


@pytest.mark.parametrize(
    ("photo_name", "json_name"),
    [
        ("IMG_0001.JPG", "IMG_0001.JPG.json"),
        ("IMG_0001.JPG", "IMG_0001.json"),
        ("IMG_0001.JPG", "IMG_0001.JPG.supplemental-metadata.json"),
        ("IMG_0001(1).JPG", "IMG_0001.JPG(1).json"),
        ("IMG_0001-edited.JPG", "IMG_0001.JPG.json"),
        ("IMG_0001-bearbeitet.jpg", "IMG_0001.jpg.json"),
        # 46 characters before ".json": the name is cut, extension and all.
        (
            "Screenshot_20200101-123456_Messenger_Conversation.png",
            "Screenshot_20200101-123456_Messenger_Conversat.json",
        ),
        # The supplement is cut by the same limit.
        (
            "PXL_20230518_123456789.MP.jpg",
            "PXL_20230518_123456789.MP.jpg.supplemental-met.json",
        ),
    ],
)
def test_takeout_json_names(tmp_path: Path, photo_name: str, json_name: str) -> None:
    assert len(json_name) <= 51
    touch(tmp_path, photo_name, json_name)
    assert kinds(tmp_path, photo_name) == {json_name: TAKEOUT_JSON}


def test_takeout_json_of_another_copy_is_not_taken(tmp_path: Path) -> None:
    touch(tmp_path, "IMG_0001.JPG", "IMG_0001(1).JPG", "IMG_0001.JPG(1).json")
    assert kinds(tmp_path, "IMG_0001.JPG") == {}
    assert kinds(tmp_path, "IMG_0001(1).JPG") == {"IMG_0001.JPG(1).json": TAKEOUT_JSON}


def test_raw_and_camera_jpeg_are_partners(tmp_path: Path) -> None:
    touch(tmp_path, "DSC_0001.NEF", "DSC_0001.JPG", "DSC_0002.NEF", "DSC_0003.png")
    assert kinds(tmp_path, "DSC_0001.JPG") == {"DSC_0001.NEF": RAW_PARTNER}
    assert kinds(tmp_path, "DSC_0001.NEF") == {"DSC_0001.JPG": JPEG_PARTNER}
    assert kinds(tmp_path, "DSC_0002.NEF") == {}


def test_a_shared_sidecar_names_every_owner(tmp_path: Path) -> None:
    touch(tmp_path, "DSC_0001.NEF", "DSC_0001.JPG", "DSC_0001.xmp")
    jpg = str(tmp_path / "DSC_0001.JPG")
    (xmp,) = [c for c in find_companions([jpg])[jpg] if c.kind == XMP]
    assert set(xmp.owners) == {jpg, str(tmp_path / "DSC_0001.NEF")}


def test_an_unreadable_folder_gives_no_companions(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone" / "a.jpg")
    assert find_companions([missing]) == {missing: ()}


def test_description_and_moved_names() -> None:
    live = Companion("/p/IMG_1.MOV", LIVE_VIDEO, 2_100_000, 1)
    xmp = Companion("/p/IMG_1.xmp", XMP, 10, 1)
    assert describe([live, xmp]) == "+ Live video 2.1 MB, + XMP"
    assert companion_name("/d/IMG_1 (1).HEIC", "/p/IMG_1.HEIC", live.path) == "IMG_1 (1).MOV"
    assert companion_name("/d/IMG_1.HEIC", "/p/IMG_1.HEIC", "/p/IMG_1.HEIC.json") == (
        "IMG_1.HEIC.json"
    )


# -- one unit in the scan, the keeper rule and cleanup ----------------------------------------


def library(tmp_path: Path) -> tuple[Path, Path]:
    """The same photo in two folders; ``a`` also has its Live video, edits and Takeout JSON."""
    a, b = tmp_path / "a", tmp_path / "b"
    img = photo(7, (320, 240))
    save(img, a / "IMG_0001.JPG")
    save(img, b / "IMG_0001.JPG")
    (a / "IMG_0001.MOV").write_bytes(b"live video" * 100)
    (a / "IMG_0001.AAE").write_bytes(b"<plist/>")
    (a / "IMG_0001.JPG.json").write_bytes(b"{}")
    return a, b


def scoped(root: Path, journal: str | None, **options: Any) -> CleanupOptions:
    """Cleanup options that may act anywhere under the test's folder."""
    return CleanupOptions(journal, scope=Scope((str(root),)), **options)


def scan_group(*roots: Path) -> Group:
    result = run_scan(ScanOptions(tuple(str(r) for r in roots)))
    (group,) = group_records(result.records, GroupingOptions(4))
    return group


def test_the_copy_with_its_live_video_is_the_keeper(tmp_path: Path) -> None:
    a, b = library(tmp_path)
    (a / "IMG_0001.JPG.json").unlink()
    os.utime(b / "IMG_0001.JPG", ns=(10**18, 10**18))  # without its video, b would win as older
    os.utime(a / "IMG_0001.JPG", ns=(2 * 10**18, 2 * 10**18))
    group = scan_group(b, a)
    assert group.suggested_keeper.path == str(a / "IMG_0001.JPG")
    assert {c.kind for c in group.suggested_keeper.companions} == {LIVE_VIDEO, AAE}
    assert group.members[1].companions == ()


def test_kept_photo_keeps_its_companions(tmp_path: Path, trash_home: Path) -> None:
    a, b = library(tmp_path)
    group = scan_group(a, b)
    journal = tmp_path / "journal.jsonl"
    outcomes = apply_removals([Removal.marked(group)], scoped(tmp_path, str(journal)))
    assert [(o.path, o.status) for o in outcomes] == [(str(b / "IMG_0001.JPG"), Status.TRASHED)]
    assert sorted(p.name for p in a.iterdir()) == [
        "IMG_0001.AAE",
        "IMG_0001.JPG",
        "IMG_0001.JPG.json",
        "IMG_0001.MOV",
    ]


def test_removed_photo_takes_its_companions_each_journalled(
    tmp_path: Path, trash_home: Path
) -> None:
    a, b = library(tmp_path)
    group = scan_group(a, b)
    journal = tmp_path / "journal.jsonl"
    # The user chose to keep the other copy: the Live video and sidecars go with theirs.
    outcomes = apply_removals(
        [Removal(group, frozenset({str(a / "IMG_0001.JPG")}))], scoped(tmp_path, str(journal))
    )
    assert {os.path.basename(o.path): o.status for o in outcomes} == {
        "IMG_0001.JPG": Status.TRASHED,
        "IMG_0001.MOV": Status.TRASHED,
        "IMG_0001.AAE": Status.TRASHED,
        "IMG_0001.JPG.json": Status.TRASHED,
    }
    companions = [o for o in outcomes if o.companion_of]
    assert {o.companion_of for o in companions} == {str(a / "IMG_0001.JPG")}
    assert list(a.iterdir()) == []
    trashed = {p.name for p in (trash_home / ".local/share/Trash/files").iterdir()}
    assert trashed == {"IMG_0001.JPG", "IMG_0001.MOV", "IMG_0001.AAE", "IMG_0001.JPG.json"}
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["phase"] for line in lines] == ["intent", "outcome"] * 4  # write-ahead
    assert {line["companion_of"] for line in lines if "companion_of" in line} == {
        str(a / "IMG_0001.JPG")
    }


def test_moved_companions_keep_pairing_with_the_moved_photo(
    tmp_path: Path, trash_home: Path
) -> None:
    a, b = library(tmp_path)
    dest = tmp_path / "dest"
    save(photo(99), dest / "IMG_0001.JPG")  # the destination already has that name
    group = scan_group(a, b)
    apply_removals(
        [Removal(group, frozenset({str(a / "IMG_0001.JPG")}))],
        scoped(tmp_path, None, move_to=str(dest)),
    )
    assert sorted(p.name for p in dest.iterdir()) == [
        "IMG_0001 (1).AAE",
        "IMG_0001 (1).JPG",
        "IMG_0001 (1).JPG.json",
        "IMG_0001 (1).MOV",
        "IMG_0001.JPG",
    ]


def test_a_changed_companion_stays_and_says_why(tmp_path: Path, trash_home: Path) -> None:
    a, b = library(tmp_path)
    group = scan_group(a, b)
    (a / "IMG_0001.MOV").write_bytes(b"re-exported")
    outcomes = apply_removals(
        [Removal(group, frozenset({str(a / "IMG_0001.JPG")}))], scoped(tmp_path, None)
    )
    mov = next(o for o in outcomes if o.path.endswith(".MOV"))
    assert mov.status is Status.SKIPPED and "changed since the scan" in mov.reason
    assert (a / "IMG_0001.MOV").exists()


def test_dry_run_names_the_companions_and_touches_nothing(tmp_path: Path, trash_home: Path) -> None:
    a, b = library(tmp_path)
    group = scan_group(a, b)
    outcomes = apply_removals(
        [Removal(group, frozenset({str(a / "IMG_0001.JPG")}))], scoped(tmp_path, None, dry_run=True)
    )
    assert [o.status for o in outcomes] == [Status.WOULD_TRASH] * 4
    assert len(list(a.iterdir())) == 4


def raw_shot(folder: Path, stem: str, seed: int) -> None:
    """A RAW file and the camera's JPEG of the same picture, as a camera writes them."""
    img = photo(seed, (320, 240))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.NEF").write_bytes(tiff_raw(jpeg_bytes(img)))
    save(img, folder / f"{stem}.JPG")


def test_raw_and_its_jpeg_are_not_offered_as_duplicates(tmp_path: Path) -> None:
    raw_shot(tmp_path / "card", "DSC_0001", 3)
    result = run_scan(ScanOptions((str(tmp_path / "card"),)))
    index = SimilarityIndex(result.records)
    assert index.groups(GroupingOptions(4)) == []
    (group,) = index.groups(GroupingOptions(4, shot_partners=True))
    assert {os.path.basename(m.path) for m in group.members} == {"DSC_0001.NEF", "DSC_0001.JPG"}


def raw_library(tmp_path: Path) -> tuple[Path, list[Group]]:
    """A card with a RAW+JPEG shot and its XMP, and a backup copy of the JPEG."""
    card, backup = tmp_path / "card", tmp_path / "backup"
    raw_shot(card, "DSC_0001", 3)
    (card / "DSC_0001.xmp").write_text("<x/>")
    save(photo(3, (320, 240)), backup / "DSC_0001.JPG")
    result = run_scan(ScanOptions((str(card), str(backup))))
    return card, SimilarityIndex(result.records).groups(GroupingOptions(4))


def test_the_jpeg_with_its_raw_is_kept_over_a_copy_alone(tmp_path: Path) -> None:
    card, groups = raw_library(tmp_path)
    (group,) = groups  # the RAW is never put under its own JPEG
    assert group.suggested_keeper.path == str(card / "DSC_0001.JPG")
    assert {c.kind for c in group.suggested_keeper.companions} == {RAW_PARTNER, XMP}
    assert group.members[1].path == str(tmp_path / "backup" / "DSC_0001.JPG")


def test_raw_travels_with_its_jpeg_and_a_shared_xmp_follows_both(
    tmp_path: Path, trash_home: Path
) -> None:
    card, (group,) = raw_library(tmp_path)
    # The user keeps the backup copy: the card's RAW goes with its JPEG, and the XMP, whose
    # owners (the JPEG and the RAW) have then both gone, follows them.
    outcomes = apply_removals(
        [Removal(group, frozenset({group.suggested_keeper.path}))], scoped(tmp_path, None)
    )
    assert {os.path.basename(o.path): o.status for o in outcomes} == {
        "DSC_0001.JPG": Status.TRASHED,
        "DSC_0001.NEF": Status.TRASHED,
        "DSC_0001.xmp": Status.TRASHED,
    }
    assert list(card.iterdir()) == []


def test_a_raw_kept_in_its_own_group_stays_and_so_does_their_xmp(
    tmp_path: Path, trash_home: Path
) -> None:
    card, (group,) = raw_library(tmp_path)
    nef = next(
        c for c in group.suggested_keeper.companions if c.kind == RAW_PARTNER
    )  # the RAW, as a scanned photo of another group where it is the keeper
    result = run_scan(ScanOptions((str(card),)))
    nef_record = next(r for r in result.records if r.path == nef.path)
    other = next(r for r in result.records if r.path != nef.path)
    raw_group = Group((GroupMember(nef_record, 0, keep=True), GroupMember(other, 0)))
    outcomes = apply_removals(
        [Removal(group, frozenset({group.suggested_keeper.path})), Removal(raw_group, frozenset())],
        scoped(tmp_path, None),
    )
    assert [os.path.basename(o.path) for o in outcomes] == ["DSC_0001.JPG"]
    assert sorted(p.name for p in card.iterdir()) == ["DSC_0001.NEF", "DSC_0001.xmp"]


def test_a_sidecar_of_a_photo_that_stays_stays(tmp_path: Path, trash_home: Path) -> None:
    folder = tmp_path / "lib"
    img = photo(5, (320, 240))
    save(img, folder / "IMG_0001.JPG")
    save(img.resize((160, 120)), folder / "IMG_0001.png")  # a smaller copy, same stem
    (folder / "IMG_0001.xmp").write_text("<x/>")
    group = scan_group(folder)
    assert group.suggested_keeper.path.endswith(".JPG")
    outcomes = apply_removals([Removal.marked(group)], scoped(tmp_path, None))
    assert [os.path.basename(o.path) for o in outcomes] == ["IMG_0001.png"]
    assert (folder / "IMG_0001.xmp").exists()


def test_reports_carry_companions(tmp_path: Path) -> None:
    a, b = library(tmp_path)
    group = scan_group(a, b)
    result = run_scan(ScanOptions((str(a), str(b))))
    report = Report(4, result.paths, (group,), (), result.stats)
    loaded = from_json(to_json(report))
    assert loaded.groups[0].suggested_keeper.companions == group.suggested_keeper.companions
    doc = json.loads(to_json(report))
    kinds_in_json = {c["kind"] for c in doc["groups"][0]["files"][0]["companions"]}
    assert kinds_in_json == {LIVE_VIDEO, AAE, TAKEOUT_JSON}
    assert "+ Live video" in to_csv(report)


def test_scan_text_names_the_companions(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dedupe_gui.cli import main

    a, b = library(tmp_path)
    assert main(["scan", str(a), str(b), "--no-cache", "-q"]) == 0
    out = capsys.readouterr().out
    assert "+ Live video 1.0 kB, + AAE edits, + Takeout JSON" in out


def test_the_companions_a_plan_takes_along_are_named_before(tmp_path: Path) -> None:
    a, b = library(tmp_path)
    group = scan_group(a, b)
    keeper, other = group.members
    assert going_with([(group.members, {other.path})]) == []  # the copy has none
    going = going_with([(group.members, {keeper.path})])
    assert {c.kind for c in going} == {LIVE_VIDEO, AAE, TAKEOUT_JSON}
    text = describe_going(going)
    assert text.startswith("With them go 3 files that belong to them (Live video, AAE edits")
    assert describe_going([]) == ""


@pytest.mark.parametrize(
    ("names", "some"),
    [
        (("a.jpg", "b.JPG", "c.png", "notes.txt"), False),  # photos alone: the quick reading
        (("a.jpg", "b.jpg", "B.MOV"), True),  # a Live video shares a stem
        (("a.jpg", "b.jpg", "b.jpg.xmp"), True),  # a sidecar by full name
        (("IMG_0001.JPG", "IMG_O0001.AAE"), True),  # iOS adjustments of the original
        (("a.jpg", "a.jpg.json", "b.jpg"), True),  # Takeout
        (("a.jpg", "a.nef", "b.jpg"), True),  # a RAW twin
        ((".hidden.jpg", ".hidden", "x"), False),  # names without a stem or an extension
    ],
)
def test_folders_read_quickly_give_the_companions_of_the_full_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...], some: bool
) -> None:
    import dedupe_gui.core.companions as companions_module

    touch(tmp_path, *names)
    photos = [str(tmp_path / n) for n in names if n.lower().endswith((".jpg", ".png", ".nef"))]
    quick = find_companions(photos)
    assert set(quick) == set(photos) and any(quick.values()) == some
    monkeypatch.setattr(companions_module, "_alone", lambda _files: False)
    assert quick == find_companions(photos)


@pytest.mark.parametrize(
    "names",
    [
        ("a.jpg", "b.JPG", "c.png"),
        ("a.jpg", "A.MOV"),  # one stem, whatever the case
        ("a.jpg", "b.xmp"),  # a sidecar
        ("a.jpg", "b.JSON"),
        ("IMG", "IMG.jpg"),  # a name without an extension, its stem another's
        ("IMG", "x.jpg"),
        (".xmp", "a.jpg"),  # a name that is all extension
        ("a.", "a.jpg"),  # a name ending in its dot
        ("a..jpg", "a.jpg"),
        ("a.b.jpg", "a.b.png"),
    ],
)
def test_a_folder_is_told_alone_as_it_is_name_by_name(names: tuple[str, ...]) -> None:
    from dedupe_gui.core.companions import _alone

    stems: list[str] = []
    sidecar = False
    for name in names:
        lower = name.lower()
        dot = lower.rfind(".")
        stems.append(lower if dot <= 0 else lower[:dot])
        sidecar = sidecar or (dot > 0 and lower[dot:] in (".aae", ".xmp", ".json"))
    alone = not sidecar and len(set(stems)) == len(stems)
    assert _alone([(n, f"/f/{n}") for n in names]) is alone
