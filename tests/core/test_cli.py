"""The command line: output formats, cleanup, index/search exit codes, argument errors."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from dedupe_gui.cli import main
from dedupe_gui.core.keeper import DEFAULT_RULES, RULES
from dedupe_gui.core.names import decode_path
from dedupe_gui.core.places import default_cache_path, default_journal_path
from dedupe_gui.core.report import from_json, load
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from tests.imaging import photo, save


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """Two photos, one with two smaller copies, plus a broken file."""
    lib = tmp_path / "lib"
    a = photo(31, (320, 240))
    save(a, lib / "a.png")
    save(a.resize((240, 180)), lib / "copies" / "a-small.jpg", quality=90)
    save(a.resize((160, 120)), lib / "copies" / "a-tiny.webp")
    save(photo(32, (320, 240)), lib / "b.png")
    (lib / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    return lib


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_scan_json_follows_the_schema(
    library: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["scan", str(library), "--format", "json", "--no-cache", "-q"], capsys)
    assert status == 0
    doc = json.loads(out)
    assert doc["version"] == 1 and doc["threshold"] == DEFAULT_THRESHOLD
    assert doc["paths"] == [str(library)]
    (group,) = doc["groups"]
    assert group["keeper"] == str(library / "a.png") and group["exact"] is False
    first = group["files"][0]
    assert set(first) >= {
        "path",
        "distance",
        "width",
        "height",
        "bytes",
        "format",
        "mtime",
        "hash",
        "keep",
    }
    assert [f["keep"] for f in group["files"]] == [True, False, False]
    assert (first["width"], first["height"], first["format"]) == (320, 240, "PNG")
    assert len(first["hash"]) == 16 and first["mtime"].endswith("+00:00")
    assert doc["errors"] == [
        {"path": str(library / "broken.jpg"), "error": doc["errors"][0]["error"]}
    ]
    assert doc["stats"]["files"] == 5 and doc["stats"]["images"] == 4
    assert len(from_json(out).groups) == 1  # loads back


def test_scan_text_and_csv(
    library: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["scan", str(library), "--no-cache"], capsys)
    assert status == 0
    assert "Group 1: 3 files" in out and "keep " in out and "trash" in out
    assert "broken.jpg" in out and "1 groups, 2 duplicates" in out
    status, out, _ = run(["scan", str(library), "--no-cache", "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["keep"] for r in rows] == ["True", "False", "False"]
    assert {r["group"] for r in rows} == {"1"}


def test_threshold_zero_finds_nothing_here(
    library: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["scan", str(library), "--no-cache", "-t", "exact", "--format", "json"], capsys)
    assert json.loads(out)["groups"] == []


def test_apply_trash_and_dry_run(
    library: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    journal = trash_home / "journal.jsonl"
    status, out, _ = run(
        [
            "scan",
            str(library),
            "--no-cache",
            "--apply",
            "trash",
            "--dry-run",
            "--journal",
            str(journal),
        ],
        capsys,
    )
    assert status == 0 and out.count("would trash:") == 2
    assert (library / "copies" / "a-tiny.webp").exists() and not journal.exists()
    status, out, _ = run(
        ["scan", str(library), "--no-cache", "--apply", "trash", "--journal", str(journal)],
        capsys,
    )
    assert status == 0 and out.count("trashed:") == 2
    assert sorted(p.name for p in library.rglob("*")) == ["a.png", "b.png", "broken.jpg", "copies"]
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [line["phase"] for line in lines] == ["intent", "outcome"] * 2


def test_apply_reports_failures_with_exit_status(
    library: Path,
    trash_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(path: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("dedupe_gui.core.actions.system_trash", refuse)
    monkeypatch.setattr("dedupe_gui.core.actions.apply_removals.__defaults__", (refuse, None, None))
    status, out, _ = run(
        [
            "scan",
            str(library),
            "--no-cache",
            "--apply",
            "trash",
            "--journal",
            str(trash_home / "j.jsonl"),
        ],
        capsys,
    )
    assert status == 1 and out.count("failed:") == 2
    assert (library / "copies" / "a-small.jpg").exists()


def test_reference_folder_is_preferred_and_protected(
    tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    img = photo(40, (320, 240))
    save(img.resize((160, 120)), tmp_path / "archive" / "small.png")
    save(img, tmp_path / "inbox" / "big.png")
    _, out, _ = run(
        [
            "scan",
            str(tmp_path / "inbox"),
            "--reference",
            str(tmp_path / "archive"),
            "--no-cache",
            "--format",
            "json",
        ],
        capsys,
    )
    (group,) = json.loads(out)["groups"]
    assert group["keeper"].endswith("archive/small.png")
    assert [f["keep"] for f in group["files"]] == [True, False]


def test_bad_arguments_exit_2(library: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(library), "-t", "70"])
    assert exc.value.code == 2
    assert "between 0 and 64" in capsys.readouterr().err
    status, _, err = run(["scan", str(library), "--apply", "move"], capsys)
    assert status == 2 and "--move-to" in err
    status, _, err = run(["scan", str(library), "--dry-run"], capsys)
    assert status == 2


def test_index_then_search_exit_codes(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "fp.sqlite3")
    status, out, _ = run(["index", str(library), "--db", db, "-q"], capsys)
    assert status == 0 and "4 images indexed (5 files read now" in out
    assert "1 unreadable" in out
    status, out, _ = run(["index", str(library), "--db", db, "-q"], capsys)
    assert "0 files read now, 5 unchanged" in out and "the database holds 4 fingerprints" in out

    query = save(photo(31, (320, 240)).resize((200, 150)), tmp_path / "q" / "upload.jpg")
    status, out, _ = run(["search", "--db", db, str(query)], capsys)
    assert status == 0
    assert "a.png" in out and "a-small.jpg" in out and "b.png" not in out

    stranger = save(photo(77, (320, 240)), tmp_path / "q2" / "new.png")
    status, out, _ = run(["search", "--db", db, str(stranger)], capsys)
    assert status == 1 and "no match" in out

    status, out, _ = run(["search", "--db", db, str(query), "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["results"][0]["matches"][0]["distance"] <= 8

    bad = tmp_path / "q3" / "bad.png"
    bad.parent.mkdir()
    bad.write_bytes(b"nope")
    status, _, err = run(["search", "--db", db, str(bad), str(query)], capsys)
    assert status == 2 and "bad.png" in err

    status, _, err = run(["search", "--db", str(tmp_path / "missing.db"), str(query)], capsys)
    assert status == 2 and "no such database" in err


def test_non_utf8_names_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw_dir = os.fsencode(str(tmp_path))
    img = photo(50)
    img.save(os.fsdecode(raw_dir + b"/caf\xe9.png"))
    img.save(os.fsdecode(raw_dir + b"/copy.png"))
    status, out, _ = run(["scan", str(tmp_path), "--no-cache", "--format", "json"], capsys)
    assert status == 0
    doc = json.loads(out)
    names = {decode_path(f).encode("utf-8", "surrogateescape") for f in doc["groups"][0]["files"]}
    assert raw_dir + b"/caf\xe9.png" in names
    _, out, _ = run(["scan", str(tmp_path), "--no-cache"], capsys)
    assert "caf\\xe9.png" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("dedupe-gui ")


def test_report_round_trip_keeps_file_identity(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(["scan", str(library), "--no-cache", "--format", "json"], capsys)
    saved = tmp_path / "r.json"
    saved.write_text(out)
    report = load(str(saved))
    member = report.groups[0].members[1]
    st = os.stat(member.path)
    assert (member.record.key.size, member.record.key.mtime_ns) == (st.st_size, st.st_mtime_ns)
    _, out, _ = run(["scan", str(library), "--no-cache", "--format", "csv"], capsys)
    saved_csv = tmp_path / "r.csv"
    saved_csv.write_text(out)
    assert [m.path for m in load(str(saved_csv)).groups[0].members] == [
        m.path for m in report.groups[0].members
    ]
    with Image.open(report.groups[0].suggested_keeper.path) as im:
        assert im.size == (320, 240)


def test_search_checks_thumbnails_unless_told_not_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two flat pictures share a hash (every bit is noise) but are not the same picture."""
    db = str(tmp_path / "fp.sqlite3")
    save(Image.new("RGB", (120, 90), (40, 40, 40)), tmp_path / "lib" / "dark.png")
    status, _, _ = run(["index", str(tmp_path / "lib"), "--db", db, "-q"], capsys)
    query = save(Image.new("RGB", (120, 90), (220, 220, 220)), tmp_path / "q" / "light.png")
    status, out, _ = run(["search", "--db", db, str(query)], capsys)
    assert status == 1 and "no match" in out
    status, out, _ = run(["search", "--db", db, str(query), "--no-verify"], capsys)
    assert status == 0 and "dark.png" in out


def test_loaded_reports_still_know_exact_copies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dedupe_gui.core.grouping import group_records
    from dedupe_gui.core.grouping_options import GroupingOptions

    img = photo(70, (200, 150))
    save(img, tmp_path / "lib" / "a.png")
    save(img, tmp_path / "lib" / "backup" / "a.png")  # byte-identical
    save(img.resize((150, 112)), tmp_path / "lib" / "small.png")
    for fmt in ("json", "csv"):
        _, out, _ = run(["scan", str(tmp_path / "lib"), "--no-cache", "--format", fmt], capsys)
        saved = tmp_path / f"r.{fmt}"
        saved.write_text(out)
        (group,) = load(str(saved)).groups
        assert [m.identical for m in group.members[1:]].count(True) == 1
        # Regrouping the loaded files (as the window does) keeps the mark.
        (again,) = group_records([m.record for m in group.members], GroupingOptions(12))
        assert [m.identical for m in again.members[1:]].count(True) == 1


def test_a_path_that_is_not_there_exits_2_and_the_rest_is_scanned(
    library: Path, tmp_path: Path, trash_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "no-such-folder"
    status, out, err = run(["scan", str(library), str(typo), "--no-cache", "-q"], capsys)
    assert status == 2
    assert "1 group" in out
    assert str(typo) in out + err
    status, _, _ = run(["scan", str(library), "--no-cache", "-q"], capsys)
    assert status == 0


def test_a_json_report_that_cannot_be_made_whole_says_so_and_cleans_nothing(
    library: Path,
    trash_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The report goes out a group at a time: a part that fails half-way leaves what was
    written incomplete, so the command says so, exits non-zero and removes nothing."""
    import dedupe_gui.core.report as report

    real = report.json_parts

    def breaks(rep: report.Report) -> Iterator[str]:
        parts = real(rep)
        yield next(parts)
        raise ValueError("a value the report cannot hold")

    monkeypatch.setattr(report, "json_parts", breaks)
    journal = trash_home / "journal.jsonl"
    argv = ["scan", str(library), "--no-cache", "--format", "json", "--apply", "trash"]
    status, out, err = run([*argv, "--journal", str(journal)], capsys)
    assert status == 1
    assert "could not be made whole (a value the report cannot hold)" in err
    assert "incomplete" in err and "Traceback" not in err
    assert out and not out.rstrip().endswith("}")
    assert (library / "copies" / "a-tiny.webp").exists() and not journal.exists()


@pytest.mark.parametrize(
    ("command", "option"), [("scan", "--cache"), ("scan", "--journal"), ("cache", "--cache")]
)
def test_the_help_names_the_default_cache_and_journal(
    command: str, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The options' help shows the default paths (filled in when shown, cli_help)."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = "".join(capsys.readouterr().out.split())  # argparse wraps long paths at hyphens
    where = default_cache_path() if option == "--cache" else default_journal_path()
    assert f"{option}FILE" in shown and f"(default{''.join(where.split())})" in shown
    assert "<the" not in shown


def test_the_scan_help_lists_the_keeper_rules_and_their_default_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The rules' words are filled in when the help is shown (cli_help), as they were given."""
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    shown = "".join(capsys.readouterr().out.split())  # argparse wraps (long words too)
    assert f"bestfirst;default{','.join(DEFAULT_RULES)};known:reference(" in shown
    assert all(f"{name}({''.join(label.split())}" in shown for name, (label, _) in RULES.items())
    assert "<the" not in shown


def test_a_scan_without_keeper_rules_groups_by_the_default_order(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The option's default leaves the order to the grouping's options: the same groups and
    keepers as the default order given by name."""
    argv = ["scan", str(library), "--no-cache", "-q", "--format", "json"]
    reports = []
    for extra in ([], ["--keeper-rules", ",".join(DEFAULT_RULES)]):
        status, out, _ = run([*argv, *extra], capsys)
        assert status == 0
        reports.append(json.loads(out)["groups"])
    assert reports[0] == reports[1] and reports[0]
    keepers = [[f["path"] for f in g["files"] if f["keep"]] for g in reports[0]]
    assert all(len(k) == 1 for k in keepers)
