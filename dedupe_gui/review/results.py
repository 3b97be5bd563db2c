"""Results as the user sees them, for export: their marks and their choice of keeper.

The saved file says what the user decided, not only what the scan suggested: ``keep`` follows
the marks, the file the user keeps comes first, and distances and exact-copy flags are
measured from it, so a file loaded back later shows the same groups and marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dedupe_gui.core.models import FileError, Group, GroupMember, ScanStats
from dedupe_gui.core.report import Report, to_csv, to_json
from dedupe_gui.core.revalidate import Scope
from dedupe_gui.review.group import ReviewGroup, member_distance


def report_of(
    groups: Sequence[ReviewGroup],
    threshold: int,
    paths: Sequence[str],
    errors: Sequence[FileError],
    stats: ScanStats,
    scope: Scope | None = None,
) -> Report:
    saved = []
    for state in groups:
        keeper = state.keeper
        members = [keeper, *(m for m in state.members if m is not keeper)]
        same_keeper = keeper is state.group.suggested_keeper
        saved.append(
            Group(
                tuple(
                    replace(
                        m,
                        keep=m.path not in state.marked,
                        distance=_distance(state, m),
                        orientation=m.orientation if same_keeper else "",
                        differences=m.differences if same_keeper else (),
                        identical=m is not keeper
                        and m.record.digest is not None
                        and m.record.digest == keeper.record.digest
                        and m.record.key.size == keeper.record.key.size,
                    )
                    for m in members
                )
            )
        )
    roots, references = (scope.roots, scope.references) if scope is not None else ((), ())
    return Report(threshold, tuple(paths), tuple(saved), tuple(errors), stats, roots, references)


def _distance(state: ReviewGroup, member: GroupMember) -> int:
    d = state.distance_to_keeper(member)
    return member_distance(member, state.keeper) if d is None else d


def write_report(report: Report, path: str) -> None:
    """JSON or CSV by the file's extension. Disk access: call it off the GUI thread."""
    text = to_csv(report) if path.lower().endswith(".csv") else to_json(report) + "\n"
    with open(path, "w", encoding="utf-8", newline="", errors="surrogateescape") as f:
        f.write(text)
