"""The review of one set of results, without Qt: what the user decided, and what cleanup does.

``ReviewSession`` owns the records of a scan (or a loaded report), the grouping options, the
groups on show, the user's per-file decisions and their undo history, which files the user
has looked at, and the cleanup plans and outcomes. The window only shows it and forwards the
user's gestures; every rule the review follows lives here and is tested without a display.

Grouping itself is slow and runs on a worker thread: the session hands out a
``GroupingRequest`` and takes the groups back, dropping any that a newer request superseded.
"""

from dedupe_gui.review.cleanup import CleanupPlan, CleanupSummary, GroupScope
from dedupe_gui.review.decisions import Decision, FileIdentity, identity_of
from dedupe_gui.review.group import ReviewGroup
from dedupe_gui.review.regrouping import GroupingRequest, IndexHolder
from dedupe_gui.review.session import KeepResult, MarkResult, ReviewSession

__all__ = [
    "CleanupPlan",
    "CleanupSummary",
    "Decision",
    "FileIdentity",
    "GroupScope",
    "GroupingRequest",
    "IndexHolder",
    "KeepResult",
    "MarkResult",
    "ReviewGroup",
    "ReviewSession",
    "identity_of",
]
