"""What ``dedupe-gui`` prints for people: groups, unreadable files, cleanup outcomes.

Every name goes through ``core.names.printable`` (raw bytes, control and bidi characters
escaped), so a hostile file name can neither crash the output nor rewrite the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from dedupe_gui.core.companions import describe as describe_companions
from dedupe_gui.core.models import FileError, Group, ScanResult, summarise
from dedupe_gui.core.names import printable
from dedupe_gui.core.units import human_bytes, human_duration

if TYPE_CHECKING:  # the cleanup: loaded by the commands that clean up, not by every scan
    from dedupe_gui.core.actions import Outcome


def print_groups(
    out: IO[str], groups: Sequence[Group], result: ScanResult, going: str = "trash"
) -> None:
    """The groups as a listing; ``going``: the word for the files not kept, as the cleanup
    that follows will treat them ("trash", or "move" before ``--apply move``)."""
    for n, g in enumerate(groups, 1):
        kind = "exact copies" if g.exact else f"{len(g.members)} files"
        print(f"Group {n}: {kind}, {human_bytes(g.reclaimable_bytes)} to free", file=out)
        for m in g.members:
            r = m.record
            fp = r.fingerprint
            mark = "keep " if m.keep else f"{going:<5}"
            notes = []
            if m is g.suggested_keeper:
                notes.append("keeper")
            elif m.identical:
                notes.append("identical")
            if r.reference:
                notes.append("reference")
            notes.extend(m.differences or ((m.orientation,) if m.orientation else ()))
            dist = "" if m is g.suggested_keeper else f"d={m.distance}"
            res = f"{fp.width}x{fp.height}"
            print(
                f"  {mark} {res:>11} {human_bytes(r.key.size):>9} {fp.format:<5} {dist:<5} "
                f"{printable(r.path)}" + (f"  ({', '.join(notes)})" if notes else ""),
                file=out,
            )
            if m.companions:
                print(f"{'':>42}{printable(describe_companions(m.companions))}", file=out)
        print(file=out)
    print_errors(out, result.errors)
    s = summarise(groups)
    st = result.stats
    skipped = sum(e.error.startswith("skipped:") for e in result.errors)
    links = f"{skipped} links skipped, " if skipped else ""
    print(
        f"{s.groups} groups, {s.duplicates} duplicates, {human_bytes(s.reclaimable_bytes)} "
        f"can be freed. {st.images} images ({st.from_cache} from cache), "
        f"{len(result.errors) - skipped} errors, {links}{human_duration(st.seconds)}.",
        file=out,
    )


def print_errors(out: IO[str], errors: Sequence[FileError]) -> None:
    links = [e for e in errors if e.error.startswith("skipped:")]
    unread = [e for e in errors if not e.error.startswith("skipped:")]
    if links:
        print(
            f"Skipped {len(links)} symbolic links (--follow-links follows links to folders):",
            file=out,
        )
        for e in links:
            print(f"  {printable(e.path)}: {printable(e.error)}", file=out)
        print(file=out)
    if unread:
        print(f"Could not read {len(unread)} files:", file=out)
        for e in unread:
            print(f"  {printable(e.path)}: {printable(e.error)}", file=out)
        print(file=out)


def print_outcome(o: Outcome, out: IO[str]) -> None:
    reason = f": {printable(o.reason)}" if o.reason else ""
    print(f"{o.status.value}: {printable(o.path)}{reason}", file=out)
    out.flush()  # a closed pipe shows here, and stops the cleanup before the next file


def summary_text(outcomes: Sequence[Outcome]) -> str:
    """Counts by outcome and the bytes freed: "2 trashed, 1 skipped; 1.2 MB"."""
    from dedupe_gui.core.actions import freed_bytes, summarise_outcomes

    counts = summarise_outcomes(outcomes)
    summary = ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing to do"
    return f"{summary}; {human_bytes(freed_bytes(outcomes))}"


def print_summary(outcomes: Sequence[Outcome], out: IO[str]) -> None:
    print(f"{summary_text(outcomes)}.", file=out)


def print_outcomes(outcomes: Sequence[Outcome], out: IO[str]) -> None:
    for o in outcomes:
        print_outcome(o, out)
    print_summary(outcomes, out)
