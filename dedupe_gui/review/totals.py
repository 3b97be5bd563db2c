"""Running totals over the groups on show, kept up to date one group at a time.

The window shows, after every change, how many files are marked and how many bytes they
free, how many groups were looked at, and whether any group still holds an exact copy of its
keeper (for "Replace Exact Copies with Hard Links"). Summing those over every group after
each key press or each cleanup outcome cost the GUI thread 10-40 ms at 20,000 files, and five
times that at 100,000. So the session keeps the sums: each change takes a group's share out
before it changes and puts it back after (``Totals.remove`` / ``Totals.add``), which costs
the size of one group, whatever the size of the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dedupe_gui.review.group import ReviewGroup


@dataclass(slots=True)
class Totals:
    groups: int = 0  # groups on show
    marked_files: int = 0
    marked_bytes: int = 0
    marked_groups: int = 0  # groups with at least one file marked
    reviewed: int = 0  # groups the user has looked at
    reviewed_files: int = 0  # marked files in groups looked at
    reviewed_bytes: int = 0
    reviewed_marked_groups: int = 0
    exact: int = 0  # groups where an exact copy of the suggested keeper is still there

    @staticmethod
    def of(groups: Iterable[ReviewGroup]) -> Totals:
        totals = Totals()
        for g in groups:
            totals.add(g)
        return totals

    def add(self, g: ReviewGroup, sign: int = 1) -> None:
        """Count ``g`` in (``sign`` 1) or out (``sign`` -1) as it stands now."""
        files = len(g.marked)
        size = g.marked_bytes if files else 0
        marked = 1 if files else 0
        self.groups += sign
        self.marked_files += sign * files
        self.marked_bytes += sign * size
        self.marked_groups += sign * marked
        if g.reviewed:
            self.reviewed += sign
            self.reviewed_files += sign * files
            self.reviewed_bytes += sign * size
            self.reviewed_marked_groups += sign * marked
        if g.has_exact_copy:
            self.exact += sign

    def remove(self, g: ReviewGroup) -> None:
        self.add(g, -1)
