"""``dedupe-gui restore`` and ``dedupe-gui cache``: undoing a cleanup and managing the cache.

Kept apart from ``cli`` so the scanning commands and these grow without stepping on each
other; the work is done by ``core.restore`` and ``core.cache``, the functions the window calls.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from dedupe_gui.cli_help import CACHE_DEFAULT, JOURNAL_DEFAULT, Parser
from dedupe_gui.core.places import default_cache_path, default_journal_path

COMMANDS = ("restore", "cache")


def add_parsers(sub: argparse._SubParsersAction[Parser]) -> None:
    restore = sub.add_parser(
        "restore",
        help="put files of a cleanup back from the trash",
        description="Put trashed (or moved) files back at their original paths, as the "
        "journal recorded them. A file that now exists at an original path is never "
        "overwritten. Exit status: 0 when everything chosen was put back, 1 when some file "
        "was not, 2 on error.",
    )
    which = restore.add_mutually_exclusive_group()
    which.add_argument("--last", action="store_true", help="the files of the last cleanup")
    which.add_argument(
        "--since",
        metavar="TIME",
        help="every file removed since TIME: 2h, 3d, 2026-12-01 or 2026-12-01T18:30 (local)",
    )
    which.add_argument("--run", action="append", metavar="ID", help="the cleanup with this id")
    which.add_argument(
        "--list", action="store_true", help="list the cleanups in the journal and stop"
    )
    restore.add_argument(
        "paths", nargs="*", default=[], metavar="PATH", help="original paths of removed files"
    )
    restore.add_argument(
        "--journal", metavar="FILE", help=f"journal of actions (default {JOURNAL_DEFAULT})"
    )
    restore.add_argument("--dry-run", action="store_true", help="say what would happen only")

    cache = sub.add_parser(
        "cache",
        help="show, prune or clear the fingerprint cache",
        description="The fingerprint cache remembers every image's fingerprint by path and by "
        "content, so a rescan, a renamed folder or a copy is not hashed again. Entries of "
        "files that are not there now (an unplugged drive) are kept.",
    )
    cache.add_argument("action", choices=("info", "prune", "clear"))
    cache.add_argument("--cache", metavar="FILE", help=f"cache file (default {CACHE_DEFAULT})")
    cache.add_argument(
        "--older-than",
        type=float,
        metavar="DAYS",
        help="with prune: also remove entries no scan has found for DAYS days, drives "
        "that are away included",
    )
    cache.add_argument(
        "--check-files",
        action="store_true",
        help="with info: also count entries whose file is away",
    )


def cmd_restore(args: argparse.Namespace) -> int:
    from dedupe_gui.core import cleanup_history as h
    from dedupe_gui.core import restore as r

    journal = args.journal or default_journal_path()
    removed, restored = h.read_journal(journal)
    if args.list:
        if not removed:
            print(f"the journal {journal} records no removed files")
        for run, first, n in h.iter_runs(removed):
            back = sum(1 for e in removed if e.run == run and (e.run, e.path) in restored)
            note = f", {back} restored" if back else ""
            print(f"{run}  {first.astimezone():%Y-%m-%d %H:%M}  {n} files{note}")
        return 0
    if not (args.last or args.since or args.run or args.paths):
        print("dedupe-gui: restore needs --last, --since, --run or PATHs", file=sys.stderr)
        return 2
    try:
        since = h.parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(f"dedupe-gui: --since: {exc}", file=sys.stderr)
        return 2
    chosen = h.select(
        removed, restored, last=args.last, since=since, runs=args.run or (), paths=args.paths
    )
    if not chosen:
        print(f"nothing to restore (journal {journal})")
        return 0
    outcomes = r.restore(chosen, journal, dry_run=args.dry_run, on_outcome=_print_outcome)
    counts = r.summarise(outcomes)
    print(", ".join(f"{v} {k}" for k, v in counts.items()) + ".")
    ok = (r.RestoreStatus.RESTORED, r.RestoreStatus.WOULD_RESTORE)
    return 0 if all(o.status in ok for o in outcomes) else 1


def _print_outcome(o: object) -> None:
    from dedupe_gui.core.names import printable
    from dedupe_gui.core.restore import RestoreOutcome

    assert isinstance(o, RestoreOutcome)
    reason = f": {o.reason}" if o.reason else ""
    print(f"{o.status.value}: {printable(o.path)}{printable(reason)}", flush=True)


def cmd_cache(args: argparse.Namespace) -> int:
    from dedupe_gui.core import cache_admin
    from dedupe_gui.core.names import printable
    from dedupe_gui.core.units import human_bytes

    path = args.cache or default_cache_path()
    if args.older_than is not None and args.action != "prune":
        print("dedupe-gui: --older-than goes with prune", file=sys.stderr)
        return 2
    try:
        if args.action == "info":
            info = cache_admin.cache_info(path, check_files=args.check_files)
            print(f"location: {printable(path)}")
            if not info.exists:
                print("empty: no scan has written it yet")
                return 0
            print(f"size: {human_bytes(info.bytes)}")
            print(f"entries: {info.entries} fingerprints, {info.failures} unreadable files")
            print(f"kept thumbnail checks: {info.pair_checks}")
            if info.unseen_days is not None:
                print(f"least recently found entry: {info.unseen_days} days ago")
            if info.missing is not None:
                print(
                    f"not there now: {info.missing} entries, {info.unreachable} of them in "
                    "folders that are not there (kept: a drive may be away)"
                )
        elif args.action == "prune":
            result = cache_admin.prune(path, args.older_than)
            print(
                f"removed {result.removed_gone} entries of deleted files and "
                f"{result.removed_old} not found for longer than asked; kept "
                f"{result.kept_away} in folders that are not there now; "
                f"{human_bytes(result.bytes_before)} -> {human_bytes(result.bytes_after)}"
            )
        else:
            n = cache_admin.clear(path)
            print(f"cleared {n} entries from {printable(path)}")
    except cache_admin.CacheAdminError as exc:
        print(f"dedupe-gui: {exc}", file=sys.stderr)
        return 2
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "restore": cmd_restore,
    "cache": cmd_cache,
}
