"""The ``dedupe-gui`` command: the window by default, ``scan`` / ``index`` / ``search`` headless.

Everything here is argument handling and printing; the work is done by ``dedupe_gui.core``,
the same functions the window calls. Qt is imported only when the window is opened.

The options of every command are in cli_args, what they print for people in cli_text, how
a command runs its scan (a worker thread, Ctrl-C, the progress bar) in cli_running, and the
maintenance commands in cli_maintenance.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any, NoReturn

from dedupe_gui import __version__, cli_maintenance
from dedupe_gui.cli_args import SUBCOMMANDS, build_parser
from dedupe_gui.cli_running import read_back_or_scan, run_in_worker, scan_options
from dedupe_gui.core.heap import many_objects
from dedupe_gui.core.places import default_cache_path, default_journal_path
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.workers import one_thread_per_matrix_product
from dedupe_gui.logs import setup_logging, verbosity_of

if TYPE_CHECKING:
    from dedupe_gui.core.actions import Outcome, Scope
    from dedupe_gui.core.cache import FingerprintStore
    from dedupe_gui.core.grouping_options import GroupingOptions
    from dedupe_gui.core.models import Group, ScanResult

# What a scan needs after its files are decoded: the grouping (numpy and the pair checks) and
# the report. The scan loads them on the side while the first files decode (core.scan),
# instead of before the first decode: the cache (SQLite), the cleanup and the other commands'
# modules are imported by the commands that use them, and a scan without a cache never loads
# SQLite.
_GROUPING_MODULES = (
    "dedupe_gui.core.grouping",
    "dedupe_gui.core.report",
    "dedupe_gui.core.identity",
)


def _after_scan(args: argparse.Namespace) -> tuple[str, ...]:
    """The modules ``scan`` needs after its decodes with these options: the grouping's and
    the report's, the printing for text, the re-check digests for a cleanup or a JSON report
    (core.revalidate; the cleanup itself only with ``--apply``)."""
    text = ("dedupe_gui.cli_text",) if args.format == "text" or args.apply else ()
    checks = ("dedupe_gui.core.revalidate",) if args.format == "json" or args.apply else ()
    return _GROUPING_MODULES + text + checks


log = logging.getLogger(__name__)


class _Exit(Exception):
    """A clean stop with a message for stderr and an exit status."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


# -- progress -------------------------------------------------------------------------------


# -- scan -----------------------------------------------------------------------------------


def _warn(message: str) -> None:
    from dedupe_gui.core.names import printable

    print(f"warning: {printable(message)}", file=sys.stderr)


def _open_store(path: str | None) -> FingerprintStore:
    from dedupe_gui.core.cache import FingerprintStore

    return FingerprintStore(path, warn=_warn)


def _check_cleanup_args(args: argparse.Namespace) -> None:
    if args.apply == "move" and not args.move_to:
        raise _Exit("--apply move needs --move-to DIR")
    if (args.dry_run or args.delete_if_no_trash) and not args.apply:
        raise _Exit("--dry-run and --delete-if-no-trash only make sense with --apply")


def _clean_up(groups: Sequence[Group], scope: Scope, args: argparse.Namespace, out: IO[str]) -> int:
    """The cleanup shared by ``scan --apply`` and ``apply``: outcomes printed as they come."""
    from dedupe_gui.cli_text import print_outcome, print_summary, summary_text
    from dedupe_gui.core.actions import CleanupOptions, CleanupStopped, Removal, apply_removals

    try:
        outcomes = apply_removals(
            (Removal.marked(g) for g in groups),
            CleanupOptions(
                journal=args.journal or default_journal_path(),
                dry_run=args.dry_run,
                move_to=args.move_to if args.apply == "move" else None,
                allow_permanent_delete=args.delete_if_no_trash,
                scope=scope,
            ),
            on_outcome=lambda o: print_outcome(o, out),
        )
    except CleanupStopped as exc:
        # The error is the news: one line, and what was done before it (a blocked cleanup
        # that did nothing is not "nothing to do").
        done = f"; done before it stopped: {summary_text(exc.outcomes)}" if exc.outcomes else ""
        raise _Exit(f"{exc}{done}") from exc
    print_summary(outcomes, out)
    return cleanup_status(outcomes)


def cleanup_status(outcomes: Sequence[Outcome]) -> int:
    """The exit status of a cleanup, as ``restore`` has it: 0 when every file was handled as
    asked (or would be, in a dry run), 1 when any was skipped (changed since the scan, its
    keeper gone, ...) or failed; the others were still handled. A cleanup that found nothing
    to do did all it was asked."""
    return 0 if all(o.status.ok for o in outcomes) else 1


def cmd_scan(args: argparse.Namespace) -> int:
    _check_cleanup_args(args)
    for ref in args.reference:
        if not os.path.isdir(ref):
            raise _Exit(f"--reference {ref}: not a folder")
    paths = list(args.paths) + [r for r in args.reference if r not in args.paths]

    def grouping_options() -> GroupingOptions:
        # Its module (and the keeper rules') loads with the grouping, beside the first
        # decodes (core.scan): nothing before them needs it.
        from dedupe_gui.core.grouping_options import GroupingOptions

        return GroupingOptions(
            args.threshold,
            tuple(args.keeper_rules),
            args.verify,
            args.rotations,
            shot_partners=args.raw_with_jpeg,
        )

    # What the scan decodes, kept for the grouping's second looks (core.scan_pictures).
    pictures = ScanPictures()

    def group(result: ScanResult, store: FingerprintStore | None) -> list[Group]:
        try:
            if store is None:
                from dedupe_gui.core.grouping import SimilarityIndex

                index = SimilarityIndex(result.records, pictures=pictures, one_grouping=True)
                return index.groups(grouping_options())
            from dedupe_gui.core.kept_groupings import group_kept

            # Thumbnail checks of unchanged pairs are kept in the cache, like fingerprints, and
            # so is the whole grouping of an unchanged library.
            return group_kept(result.records, grouping_options(), store, pictures)
        finally:
            pictures.clear()

    def quick(groups: list[Group], store: FingerprintStore | None) -> list[Group]:
        if not (args.apply or args.format == "json"):
            return groups
        from dedupe_gui.core import identity
        from dedupe_gui.core.revalidate import with_quick_digests

        # What the copies kept look like, so a cleanup (now or from the saved report) can
        # tell a kept file replaced behind our back: read now, or kept from an earlier scan
        # while the file's change time has not moved (core.identity.quick_digest).
        return with_quick_digests(groups, functools.partial(identity.quick_digest, store))

    if args.no_cache:
        options = scan_options(
            paths, args, None, args.reference, preload=_after_scan(args), pictures=pictures
        )
        result = run_in_worker(options, args, None)
        groups = quick(group(result, None), None)
    else:
        from dedupe_gui.core.rescan import ReadBack

        with _open_store(args.cache or default_cache_path()) as store:
            # An unchanged library whose grouping the cache kept is read back without an
            # object per file (core.rescan); anything else is scanned and grouped in full.
            options = scan_options(
                paths, args, store, args.reference, preload=_after_scan(args), pictures=pictures
            )
            done = read_back_or_scan(options, grouping_options(), args, store)
            if isinstance(done, ReadBack):
                result, groups = done.result, quick(done.groups, store)
            else:
                result = done
                groups = quick(group(result, store), store)
    from dedupe_gui.core.report import Report, json_parts, to_csv, to_json

    report = Report(
        args.threshold,
        result.paths,
        tuple(groups),
        result.errors,
        result.stats,
        result.roots,
        result.references,
    )
    out = sys.stdout
    # JSON and CSV stay machine-readable on stdout; with them, cleanup outcomes go to stderr.
    if args.format == "json":
        with many_objects():
            if out.isatty():
                out.write(to_json(report) + "\n")
            else:
                # A group at a time: the report of a large library is never held whole. A
                # part that cannot be made leaves what went out incomplete: say so, and stop
                # before any cleanup.
                try:
                    out.writelines(json_parts(report))
                except OSError:
                    raise
                except Exception as exc:
                    raise _Exit(
                        f"the JSON report could not be made whole ({exc}); "
                        "what was written before this is incomplete",
                        1,
                    ) from exc
                out.write("\n")
    elif args.format == "csv":
        out.write(to_csv(report))
    else:
        from dedupe_gui.cli_text import print_groups

        print_groups(out, groups, result, "move" if args.apply == "move" else "trash")
    # A PATH that is not there is an error of that argument (exit 2, as grep does), reported
    # with the other unreadable files; the rest of the scan still counts.
    missing = 2 if any(not os.path.lexists(p) for p in args.paths) else 0
    if not args.apply:
        return missing
    if result.cancelled:
        raise _Exit("the scan was cancelled: nothing was cleaned up")
    # A closed output (| head) must not let the cleanup run unseen: it stops here.
    out.flush()
    from dedupe_gui.core.actions import Scope

    if args.apply == "link":
        from dedupe_gui.cli_text import print_outcome, print_summary, summary_text
        from dedupe_gui.core.actions import CleanupStopped
        from dedupe_gui.core.links import LinkOptions, link_copies

        stream = sys.stdout if args.format == "text" else sys.stderr
        try:
            outcomes = link_copies(
                groups,
                LinkOptions(args.journal or default_journal_path(), args.dry_run, Scope.of(result)),
                on_outcome=lambda o: print_outcome(o, stream),
            )
        except CleanupStopped as exc:
            so_far = exc.outcomes
            raise _Exit(
                f"{exc}; done before it stopped: {summary_text(so_far)}" if so_far else str(exc)
            ) from exc
        print_summary(outcomes, stream)
        near = sum(not m.identical for g in groups for m in g.members[1:])
        if near:
            # The listing above marks them "trash" as a cleanup would; linking leaves them be.
            stream.write(
                f"{near} near-{'copy' if near == 1 else 'copies'} left in place: only "
                "byte-identical copies become links.\n"
            )
        return max(missing, cleanup_status(outcomes))
    status = _clean_up(groups, Scope.of(result), args, out if args.format == "text" else sys.stderr)
    return max(missing, status)


def cmd_apply(args: argparse.Namespace) -> int:
    _check_cleanup_args(args)
    from dedupe_gui.core.actions import Scope
    from dedupe_gui.core.report import ReportError, load

    try:
        report = load(args.report)
    except OSError as exc:
        raise _Exit(f"cannot read {args.report}: {exc.strerror or exc}") from exc
    except (ReportError, ValueError, KeyError, TypeError) as exc:
        raise _Exit(f"{args.report}: {exc}") from exc
    roots = report.roots or tuple(report.paths)
    if not roots:
        raise _Exit(f"{args.report} names no scanned folders; nothing can be applied")
    return _clean_up(report.groups, Scope(roots, report.references), args, sys.stdout)


# -- index / search -------------------------------------------------------------------------


def cmd_index(args: argparse.Namespace) -> int:
    from dedupe_gui.cli_text import print_errors
    from dedupe_gui.core.cache import FingerprintStore, StoreError

    try:
        with FingerprintStore(args.db, warn=_warn, required=True) as store:
            # A fingerprint database holds photos alone: no companions to look for.
            result = run_in_worker(
                scan_options(args.paths, args, store, companions=False), args, store
            )
            store.flush()
            if not store.saved:
                raise _Exit(f"the fingerprints could not be saved to {args.db}")
            total = len(store)
    except StoreError as exc:
        raise _Exit(f"{exc}; nothing was indexed") from exc
    print_errors(sys.stderr, result.errors)
    st = result.stats
    print(
        f"{st.images} images indexed ({st.hashed} files read now, "
        f"{st.from_cache} unchanged), {len(result.errors)} unreadable; "
        f"the database holds {total} fingerprints."
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from dedupe_gui.core.cache import FingerprintStore, StoreError
    from dedupe_gui.core.hashes import hash_to_hex
    from dedupe_gui.core.names import printable

    errors: list[str] = []
    try:
        # Read-only: a search never changes the database, whatever it finds in it.
        with FingerprintStore(args.db, warn=_warn, read_only=True) as store:
            entries = store.records()
    except StoreError as exc:
        raise _Exit(str(exc)) from exc
    if not entries:
        raise _Exit(f"{args.db} holds no fingerprints (is it a database made by 'index'?)")
    result = run_in_worker(scan_options(args.queries, args, None, companions=False), args, None)
    from dedupe_gui.core.lookup import find_matches

    errors.extend(f"{printable(e.path)}: {e.error}" for e in result.errors)
    queries = list(result.records)
    if not queries and not errors:
        raise _Exit(f"no images to check in {', '.join(map(printable, args.queries))}")
    matches = find_matches(
        [fp for _, fp in entries],
        [r.fingerprint for r in queries],
        args.threshold,
        verify=args.verify,
    )
    doc: list[dict[str, Any]] = []
    for q, found in zip(queries, matches, strict=True):
        doc.append(
            {
                "query": q.path,
                "hash": hash_to_hex(q.fingerprint.hash),
                "matches": [
                    {
                        "path": entries[m.entry][0].path,
                        "distance": m.distance,
                        "width": entries[m.entry][1].width,
                        "height": entries[m.entry][1].height,
                        "hash": hash_to_hex(entries[m.entry][1].hash),
                    }
                    for m in found
                ],
            }
        )
    if args.format == "json":
        import json

        print(
            json.dumps(
                {
                    "version": 1,
                    "threshold": args.threshold,
                    "results": doc,
                    "errors": [{"path": e.path, "error": e.error} for e in result.errors],
                },
                indent=2,
                ensure_ascii=True,
            )
        )
    else:
        for item in doc:
            if not item["matches"]:
                print(f"{printable(item['query'])}: no match")
                continue
            print(f"{printable(item['query'])}: {len(item['matches'])} match(es)")
            for m in item["matches"]:
                print(f"  d={m['distance']:<2} {m['width']}x{m['height']}  {printable(m['path'])}")
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        return 2
    return 0 if any(item["matches"] for item in doc) else 1


# -- entry point ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    # Before anything imports numpy (the scan imports it on the side, the window later).
    one_thread_per_matrix_product()
    verbosity, args_list = verbosity_of(list(sys.argv[1:] if argv is None else argv))
    setup_logging(verbosity)
    parser = build_parser()
    if _opens_window(args_list):
        return _open_window(args_list, verbosity)
    args = parser.parse_args(args_list)
    handlers = {
        "scan": cmd_scan,
        "apply": cmd_apply,
        "index": cmd_index,
        "search": cmd_search,
        **cli_maintenance.HANDLERS,
    }
    log.info("dedupe-gui %s %s", __version__, " ".join(args_list))
    try:
        return handlers[args.command](args)
    except _Exit as exc:
        print(f"dedupe-gui: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("dedupe-gui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into head or similar: whatever was still to come (a cleanup
        # included) did not happen, and the status says so, like a program killed by SIGPIPE.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        with contextlib.suppress(OSError, ValueError):
            print("dedupe-gui: output closed (broken pipe); stopped", file=sys.stderr)
        return 141


def _opens_window(args: Sequence[str]) -> bool:
    """Whether these arguments (``-v`` taken out) open the window rather than a command."""
    return not args or (args[0] not in SUBCOMMANDS and args[0] not in ("-h", "--help", "--version"))


def run() -> NoReturn:
    """The ``dedupe-gui`` command and ``python -m dedupe_gui``: ``main``, then, after a
    headless command, the process ends without tearing the interpreter down.

    Tearing down frees every module and object one by one (numpy, the pair checks, every
    record of the library): 40-50 ms of CPU after a scan of 150 photos, more after a large
    library, all of it after the output is written. What an ordinary exit does that counts
    is done first: the exit handlers run (logging closes its files) and stdout and stderr
    are flushed. While a thread that is not a daemon still runs, or after the window, the
    process exits as usual (the thread is waited for, Qt's objects are destroyed in order).
    """
    opens_window = _opens_window(verbosity_of(sys.argv[1:])[1])
    status = main()
    main_thread = threading.main_thread()
    if opens_window or any(
        t is not main_thread and not t.daemon and t.is_alive() for t in threading.enumerate()
    ):
        raise SystemExit(status)
    # CPython's own exit runs these the same way; there is no public call for it.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except BrokenPipeError:
            status = max(status, 141)  # as main() has it for output closed on the way
        except (OSError, ValueError) as exc:  # a full disk under a redirected report
            status = max(status, 1)
            with contextlib.suppress(OSError):
                os.write(2, f"dedupe-gui: the output could not be written ({exc})\n".encode())
    os._exit(status)


def _open_window(args: list[str], verbosity: int = 0) -> int:
    paths = [a for a in args if not a.startswith("-")]
    missing = [p for p in paths if not os.path.exists(p)]
    for p in missing:
        print(f"dedupe-gui: {p}: no such file or folder", file=sys.stderr)
    try:
        from dedupe_gui.ui.app import run_app
    except ImportError as exc:
        print(
            f"dedupe-gui: the window cannot start ({exc}); the headless commands work:",
            file=sys.stderr,
        )
        build_parser().print_help(sys.stderr)
        return 2
    status: int = run_app([p for p in paths if p not in missing], args, verbosity)
    return status
