"""The ``dedupe-gui`` command line's arguments: every subcommand's options in one parser.

Kept together, apart from what the commands do, so that the options shared by scan, apply,
index and search (threshold, exclusions, sizes, links, cleanup) stay spelled and explained
alike; the maintenance commands add their own parsers (cli_maintenance.add_parsers).
"""

from __future__ import annotations

import argparse

from dedupe_gui import __version__, cli_maintenance
from dedupe_gui.cli_help import CACHE_DEFAULT, JOURNAL_DEFAULT, KEEPER_RULES, Parser
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD, PRESETS, parse_threshold

SUBCOMMANDS = ("scan", "apply", "index", "search", *cli_maintenance.COMMANDS)


def _threshold(text: str) -> int:
    try:
        return parse_threshold(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _size(text: str) -> int:
    units = {"k": 10**3, "m": 10**6, "g": 10**9}
    t = text.strip().lower().removesuffix("b")
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200k or 2M)") from None


def _rules(text: str) -> tuple[str, ...]:
    from dedupe_gui.core.keeper import validate_rules

    try:
        return validate_rules([r.strip() for r in text.split(",") if r.strip()])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    presets = ", ".join(f"{k}={v}" for k, v in PRESETS.items())
    parser = Parser(
        prog="dedupe-gui",
        description="Find near-duplicate photos, keep the best copy, send the rest to the trash. "
        "Without a command, opens the window (and scans the PATHs given).",
        epilog="Run 'dedupe-gui COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"dedupe-gui {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="say more on stderr (-vv: debugging detail); everything is also logged to "
        "dedupe-gui.log in the user state folder (~/.local/state/dedupe-gui on Linux)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-t",
            "--threshold",
            type=_threshold,
            default=DEFAULT_THRESHOLD,
            metavar="N",
            help=f"largest distance in bits (0-64) to the group's keeper, or a preset "
            f"({presets}); default {DEFAULT_THRESHOLD}",
        )
        p.add_argument(
            "--exclude",
            action="append",
            default=[],
            metavar="GLOB",
            help="skip files and folders whose name or path matches (repeatable)",
        )
        p.add_argument(
            "--min-size",
            type=_size,
            default=1,
            metavar="BYTES",
            help="skip files smaller than this (e.g. 50k)",
        )
        p.add_argument("--hidden", action="store_true", help="include hidden files and folders")
        p.add_argument(
            "--follow-links",
            action="store_true",
            help="follow symbolic links to folders (their targets then count as chosen "
            "folders); links to files are never followed",
        )
        p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    scan = sub.add_parser(
        "scan",
        help="find groups of near-duplicate images",
        description="Find groups of near-duplicate images without a window. Exit status: 0 "
        "done (with --apply: every marked file handled, or would be with --dry-run), 1 with "
        "--apply when some file was skipped (changed since the scan, ...) or failed while the "
        "others were handled, 2 error or a PATH that is not there.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH")
    common(scan)
    scan.add_argument("--format", choices=("text", "json", "csv"), default="text")
    cache = scan.add_mutually_exclusive_group()
    cache.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    cache.add_argument("--cache", metavar="FILE", help=f"cache file (default {CACHE_DEFAULT})")
    scan.add_argument(
        "--reference",
        action="append",
        default=[],
        metavar="DIR",
        help="folder whose files are never removed and preferred as keeper (repeatable)",
    )
    scan.add_argument(
        "--keeper-rules",
        type=_rules,
        default=(),  # the default order (core.grouping_options)
        metavar="R1,R2,...",
        help=f"order of keeper rules, best first; {KEEPER_RULES}",
    )
    scan.add_argument(
        "--rotations",
        action="store_true",
        help="also group copies rotated by 90/180/270 degrees or mirrored",
    )
    scan.add_argument(
        "--raw-with-jpeg",
        action="store_true",
        help="also offer a RAW file and the JPEG the camera wrote beside it (same folder and "
        "name) as duplicates of each other; by default they are one shot and stay together",
    )
    scan.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="group on the 64-bit hash alone, without the thumbnail check (faster, "
        "but different shots of one scene may be grouped)",
    )
    scan.add_argument(
        "--apply",
        choices=("trash", "move", "link"),
        help="keep each group's keeper, trash (or move) the others; link: replace exact "
        "copies on the keeper's file system by hard links to it (every path keeps working; "
        "near-copies are left alone)",
    )
    _cleanup_arguments(scan)

    apply = sub.add_parser(
        "apply",
        help="apply a saved report",
        description="Trash (or move) the files a saved 'scan --format json' report marks "
        '"keep": false, after re-checking every file as it is now (still a regular file, '
        "unchanged, inside the scanned folders, outside the reference folders, and not the "
        "last copy). Exit status: 0 every marked file was handled (or would be, with "
        "--dry-run), 1 some file was skipped (changed since the scan, its copy to keep gone, "
        "...) or failed while the others were handled, 2 error (nothing was done).",
    )
    apply.add_argument("report", metavar="REPORT.json")
    apply.add_argument(
        "--apply",
        choices=("trash", "move"),
        default="trash",
        help="what to do with the files not kept (default trash)",
    )
    _cleanup_arguments(apply)

    index = sub.add_parser(
        "index",
        help="add images to a fingerprint database",
        description="Add the images' fingerprints to a database; unchanged "
        "files already in it are skipped.",
    )
    index.add_argument("paths", nargs="+", metavar="PATH")
    index.add_argument("--db", required=True, metavar="FILE")
    common(index)

    search = sub.add_parser(
        "search",
        help="check images against a fingerprint database",
        description="List database entries within the threshold of each query image. Exit "
        "status: 0 when some query matched, 1 when none did, 2 on error.",
    )
    search.add_argument("queries", nargs="+", metavar="QUERY", help="image files or folders")
    search.add_argument("--db", required=True, metavar="FILE")
    common(search)
    search.add_argument("--format", choices=("text", "json"), default="text")
    search.add_argument(
        "--no-verify",
        dest="verify",
        action="store_false",
        help="match on the 64-bit hash alone, without the thumbnail check",
    )
    cli_maintenance.add_parsers(sub)
    return parser


def _cleanup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--move-to", metavar="DIR", help="with --apply move: destination folder")
    p.add_argument(
        "--dry-run", action="store_true", help="with --apply: say what would happen, touch nothing"
    )
    p.add_argument(
        "--delete-if-no-trash",
        action="store_true",
        help="with --apply trash: PERMANENTLY delete files on drives that have no "
        "trash (otherwise they are left alone and reported)",
    )
    p.add_argument(
        "--journal", metavar="FILE", help=f"journal of actions (default {JOURNAL_DEFAULT})"
    )
