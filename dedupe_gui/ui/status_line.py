"""What the window says about the state of things, as plain text from plain facts.

The status bar after a scan or a cleanup, the summary above the group list, the title, and
the page shown when there are no groups. Pure functions: the window calls them and puts the
text where it belongs, and tests read them without a window.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from dedupe_gui.core.models import ScanResult
from dedupe_gui.core.threshold import PRESETS
from dedupe_gui.core.units import human_bytes, human_duration
from dedupe_gui.review import CleanupSummary, ReviewSession
from dedupe_gui.review.folders import describe_unreadable, unreadable_roots
from dedupe_gui.ui.wording import plural


def scan_message(result: ScanResult) -> str:
    st = result.stats
    if result.cancelled:
        return (
            f"Scan cancelled: showing {plural(st.images, 'photo')} fingerprinted before "
            f"the stop (of {st.files:,} found)."
        )
    return (
        f"Scanned {plural(st.images, 'photo')} in {human_duration(st.seconds)}"
        f" ({st.from_cache:,} unchanged since the last scan)."
    )


def cleanup_message(summary: CleanupSummary) -> str:
    verb = "Deleted" if summary.permanent else "Moved to the trash"
    msg = f"{verb}: {plural(summary.succeeded, 'file')}, "
    msg += f"{human_bytes(summary.freed_bytes)} freed."
    if summary.cancelled:
        msg += " Stopped before the end: the files not reached are still marked."
    if summary.failed:
        msg += f" {plural(len(summary.failed), 'file')} not removed (see the cards for why)."
    return msg


def summary_text(session: ReviewSession) -> tuple[str, str]:
    """The line above the group list and its tooltip."""
    if not session.has_results:
        return "", ""
    groups = len(session.groups)
    files, size, _ = session.marked_totals()
    reviewed = session.reviewed_groups
    partial = "  ·  partial results" if session.partial else ""
    # Two lines: the figures that matter most, then the review's progress in normal weight.
    return (
        f"{plural(groups, 'group')}  ·  {human_bytes(size)} to free<br>"
        f'<span style="font-weight:normal">{reviewed:,} of {groups:,} looked at (✓)'
        f"{partial}</span>",
        f"{plural(files, 'file')} marked for the trash in {plural(groups, 'group')}; "
        f"{reviewed:,} of the groups looked at (✓ in the list)"
        + ("; partial results of a cancelled scan" if session.partial else ""),
    )


def window_title(paths: Sequence[str]) -> str:
    """The scanned folders' names; Qt adds the application's name after them."""
    names = [os.path.basename(p.rstrip(os.sep)) or p for p in paths]
    title = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return title or "Dedupe GUI"


@dataclass(frozen=True, slots=True)
class EmptyPage:
    title: str
    body: str
    button: str = ""
    hint: str = ""
    secondary: str = ""
    warning: bool = False  # something went wrong (a folder not found), not "all is well"


def notice_text(session: ReviewSession) -> str:
    """What the user must know about the results on show: partial, or folders not read."""
    notes = []
    if session.partial and session.has_results:
        read = plural(len(session.records), "photo")
        notes.append(
            f"Partial results: the scan was cancelled after {read} of "
            f"{session.stats.files:,}. Copies among the photos not read are not shown."
        )
    missing = unreadable_roots(session.paths, session.errors)
    if missing and session.records:
        notes.append(describe_unreadable(missing, all_missing=False)[1])
    return "\n".join(notes)


def nothing_was_read(session: ReviewSession) -> bool:
    """Every chosen folder was missing or unreadable: there is nothing to compare."""
    return bool(unreadable_roots(session.paths, session.errors)) and not session.records


def empty_page(session: ReviewSession, recent: Sequence[str]) -> EmptyPage:
    """What to show where the groups would be, when there are none."""
    if session.scanning:
        return EmptyPage(
            "Looking for duplicates…",
            "Groups appear here when the scan is done. You can cancel at any time and "
            "keep what was found so far.",
        )
    if not session.has_results:
        last = recent[0] if recent else ""
        return EmptyPage(
            "Find duplicate photos",
            "Choose a folder of photos. Every near-duplicate (resized, recompressed, "
            "converted or lightly edited copies) is grouped with the best copy, and "
            "nothing is removed until you say so.",
            "Choose a Folder…",
            "or drop folders anywhere on this window",
            f"Scan {os.path.basename(last) or last} again" if last else "",
        )
    if nothing_was_read(session):
        missing = unreadable_roots(session.paths, session.errors)
        title, body = describe_unreadable(missing, all_missing=True)
        return EmptyPage(title, body, "Choose Another Folder…", "", "Scan Again", warning=True)
    if session.awaiting_groups and session.records:
        return EmptyPage(
            "Comparing photos…",
            f"{plural(len(session.records), 'photo')} read. The groups appear here as soon "
            "as they are compared.",
        )
    threshold = session.options.threshold
    which = "photos scanned before the stop" if session.partial else "photos"
    loose = threshold < PRESETS["loose"]
    body = (
        f"{plural(len(session.records), 'photo')} compared: none of the {which} has a copy to "
        f"clean up at the current similarity ({threshold} bits)."
    )
    if session.has_references:
        body += " Copies that all lie in reference folders are left alone."
    if loose:
        body += " A looser setting also finds heavier edits."
    return EmptyPage(
        "No duplicates found",
        body,
        "Choose Another Folder…",
        "",
        "Try a looser similarity" if loose else "",
    )
