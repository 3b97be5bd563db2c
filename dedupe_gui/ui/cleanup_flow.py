"""The cleanup as the user goes through it: plan, confirm, run (cancellable), report.

The plan and its rules are the session's (review.session); this adapter asks the questions
(cleanup_prompts), runs the core's ``apply_removals`` on a background worker, feeds each
file's outcome to the session as it arrives, and says what happened. Where a drive has no
trash, nothing is deleted until the user has answered two questions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from dedupe_gui.core.actions import (
    CleanupOptions,
    CleanupStopped,
    Outcome,
    Status,
    apply_removals,
)
from dedupe_gui.core.links import LinkOptions, link_copies
from dedupe_gui.core.models import Group
from dedupe_gui.core.restore import RestoreOutcome, RestoreStatus, restore_files
from dedupe_gui.core.units import human_bytes
from dedupe_gui.review import CleanupPlan, CleanupSummary, GroupScope, ReviewGroup, ReviewSession
from dedupe_gui.ui import cleanup_prompts as prompts
from dedupe_gui.ui.background import Batches, TaskContext, TaskHandle, Worker
from dedupe_gui.ui.restore_dialog import LinkOutcomesDialog, RestoreOutcomesDialog
from dedupe_gui.ui.services import WindowServices
from dedupe_gui.ui.status_line import cleanup_message
from dedupe_gui.ui.wording import plural

StatusFunction = Callable[[str, int], None]  # message, milliseconds on show
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Stopped:
    reason: str


class CleanupFlow(QObject):
    changed = Signal(object)  # ReviewGroup: one of its files has an outcome
    restored = Signal(object)  # list[RestoreOutcome]: the last cleanup was undone
    linked = Signal(object)  # list[Outcome]: exact copies were replaced by hard links
    finished = Signal(object)  # CleanupSummary, after the session took it
    failed = Signal(str)
    running_changed = Signal()  # a cleanup started or ended: what is available changes

    def __init__(
        self,
        session: ReviewSession,
        services: WindowServices,
        window: QWidget,
        status: StatusFunction,
        show_outcomes: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self._session = session
        self._services = services
        self._window = window
        self._status = status
        self._show_outcomes = show_outcomes
        self._worker = Worker("cleanup", self)
        self._task: TaskHandle[list[Outcome]] | TaskHandle[list[RestoreOutcome]] | None = None
        self.closing = False  # the window closes once the cleanup has stopped
        self._stopped_by = ""  # why the core stopped the cleanup early, if it did

    @property
    def running(self) -> bool:
        return self._task is not None

    def trash_group(self, group: ReviewGroup | None) -> None:
        session = self._session
        if group is None or session.cleaning or session.scanning:
            return
        plan = session.plan_cleanup(GroupScope.GROUP, group)
        if plan.empty:
            self._status("Nothing is marked in this group.", 5000)
        elif prompts.confirm_group(self._services.ask, self._window, group):
            self.run(plan)

    def clean_up_all(self) -> None:
        session = self._session
        if session.cleaning or session.scanning:
            return
        everything = session.plan_cleanup(GroupScope.ALL)
        if everything.empty:
            self._status("Nothing is marked for the trash.", 5000)
            return
        reviewed = session.plan_cleanup(GroupScope.REVIEWED)
        plan = prompts.choose_cleanup(self._services.choose, self._window, reviewed, everything)
        if plan is not None:
            self.run(plan)

    def run(self, plan: CleanupPlan) -> None:
        session = self._session
        cleanup = session.begin_cleanup(plan)
        if cleanup is None:
            return
        options = CleanupOptions(
            journal=self._services.journal_path,
            allow_permanent_delete=plan.permanent,
            scope=session.cleanup_scope,
        )
        trash, total = self._services.trash, plan.files
        verb = "Deleting" if plan.permanent else "Moving to the trash"
        self._status(f"{verb}: 0 of {total:,} files…", 0)
        seen = 0

        def work(ctx: TaskContext) -> list[Outcome]:
            # The removals, and what is left once they are done, are worked out here: each
            # walks every group or record of the plan.
            batches: Batches[Outcome] = Batches(ctx.progress)
            try:
                outcomes = apply_removals(
                    cleanup.removals(), options, trash, batches.add, lambda: ctx.stopped
                )
            except CleanupStopped as exc:  # the journal failed: keep what was done, say why
                batches.flush()
                ctx.progress(_Stopped(str(exc)))
                outcomes = exc.outcomes
            batches.flush()
            cleanup.settle(outcomes)
            return outcomes

        def progressed(batch: list[Outcome] | _Stopped) -> None:
            nonlocal seen
            if isinstance(batch, _Stopped):
                self._stopped_by = batch.reason
                return
            seen += len(batch)
            groups = {id(g): g for o in batch if (g := session.apply_outcome(o)) is not None}
            for group in groups.values():
                self.changed.emit(group)
            if self._task is not None and not self._task.stopping:
                self._status(f"{verb}: {seen:,} of {total:,} files…", 0)

        self._task = self._worker.start(
            work, lambda o: self._done(plan, o), self._failed, progressed
        )
        self.running_changed.emit()

    def cancel(self) -> None:
        """Stop after the group being handled now; what was done stays done."""
        if self._task is not None and not self._task.stopping:
            self._task.stop()
            self._status("Stopping the cleanup after the current group…", 0)

    def _done(self, plan: CleanupPlan, outcomes: list[Outcome]) -> None:
        cancelled = self._task is not None and self._task.stopping
        self._task = None
        summary = self._session.finish_cleanup(outcomes, cancelled)
        message = cleanup_message(summary)
        log.info("cleanup: %s", message)
        self._status(message, 30000)
        stopped_by, self._stopped_by = self._stopped_by, ""
        if stopped_by:
            self._status(f"Cleanup stopped: {stopped_by}", 30000)
            self.failed.emit(stopped_by)
        self.finished.emit(summary)
        self.running_changed.emit()
        if self.closing:
            return
        if summary.no_trash and not summary.permanent:
            self._offer_permanent_delete(summary)
        elif summary.failed or plan.groups > 1:
            # In a callback of its own: taking the outcomes in (the groups off the list, the
            # totals, the records left) is the largest callback a cleanup leaves the GUI
            # thread, and grows with the groups; the dialog added a fifth to it
            # (bench.cleanup_callbacks, docs/BENCHMARKS.md).
            QTimer.singleShot(0, self, self._show_outcomes)

    def _failed(self, message: str) -> None:
        self._task = None
        self._session.abort_cleanup()
        self._status(f"Cleanup stopped: {message}", 20000)
        self.failed.emit(message)
        self.running_changed.emit()

    def _offer_permanent_delete(self, summary: CleanupSummary) -> None:
        if prompts.confirm_permanent_delete(self._services.ask, self._window, summary.no_trash):
            plan = self._session.plan_permanent_delete(summary)
            if not plan.empty:
                self.run(plan)
                return
        self._show_outcomes()

    @property
    def can_undo(self) -> bool:
        s = self._session
        journal = self._services.journal_path
        return journal is not None and not (s.cleaning or s.scanning) and s.can_restore

    def undo_cleanup(self) -> None:
        """Put the last cleanup's files back (core.restore), never over a file."""
        journal, session = self._services.journal_path, self._session
        if journal is None or not self.can_undo:
            return
        paths = session.restorable()
        session.begin_restore()
        self._status("Putting the files of the last cleanup back…", 0)

        def work(_ctx: TaskContext) -> list[RestoreOutcome]:
            return restore_files(journal, paths)

        def done(outcomes: list[RestoreOutcome]) -> None:
            self._task = None
            session.finish_restore()
            back = sum(1 for o in outcomes if o.status is RestoreStatus.RESTORED)
            msg = f"Put back {plural(back, 'file')}; scan again to see them in their groups."
            self._status(msg, 30000)
            self.running_changed.emit()
            if back < len(outcomes):
                RestoreOutcomesDialog(outcomes, self._window).open()
            self.restored.emit(outcomes)

        def failed(message: str) -> None:
            self._task = None
            session.abort_cleanup()
            self._status(f"Undo stopped: {message}", 20000)
            self.failed.emit(message)
            self.running_changed.emit()

        self._task = self._worker.start(work, done, failed)
        self.running_changed.emit()

    def _exact_groups(self) -> list[Group]:
        """The groups on show with an exact copy of their keeper, as linking takes them
        (review.ReviewGroup.link_group: the file the user keeps leads)."""
        return [lg for g in self._session.groups if (lg := g.link_group()) is not None]

    def link_exact_copies(self) -> None:
        """Replace exact copies by hard links to their keepers (core.links), off the GUI
        thread; the session is held like during a cleanup, and a rescan follows."""
        session = self._session
        groups = self._exact_groups()
        if session.cleaning or session.scanning or not groups:
            return
        copies = sum(1 for g in groups for m in g.members[1:] if m.identical)
        if not self._services.ask(
            self._window,
            "Replace Exact Copies with Hard Links",
            f"Replace {copies:,} exact cop{'y' if copies == 1 else 'ies'} with hard links to "
            "the copies kept?",
            "Every path keeps working and shows the same picture; the space of the copies is "
            "freed. Each copy is compared byte for byte first; copies on another drive than "
            "their keeper, in reference folders or of another user are left alone.",
            "Replace with Links",
        ):
            return
        session.cleaning = True
        self._status("Replacing exact copies with hard links…", 0)
        journal = self._services.journal_path
        scope = session.cleanup_scope

        stopped_by = ""

        def work(_ctx: TaskContext) -> list[Outcome]:
            nonlocal stopped_by
            try:
                return link_copies(groups, LinkOptions(journal, scope=scope))
            except CleanupStopped as exc:  # the journal failed: say what was done, and why
                stopped_by = str(exc)
                return exc.outcomes

        def done(outcomes: list[Outcome]) -> None:
            self._task = None
            session.cleaning = False
            linked = [o for o in outcomes if o.status is Status.LINKED]
            freed = human_bytes(sum(o.bytes for o in linked))
            n = len(linked)
            self._status(
                f"{n:,} cop{'y' if n == 1 else 'ies'} now hard links; {freed} freed.", 30000
            )
            if stopped_by:
                self._status(f"Linking stopped: {stopped_by}", 30000)
                self.failed.emit(stopped_by)
            self.running_changed.emit()
            if outcomes and len(linked) < len(outcomes):
                LinkOutcomesDialog(outcomes, self._window).open()
            self.linked.emit(outcomes)

        def failed(message: str) -> None:
            self._task = None
            session.cleaning = False
            self._status(f"Linking stopped: {message}", 20000)
            self.failed.emit(message)
            self.running_changed.emit()

        self._task = self._worker.start(work, done, failed)
        self.running_changed.emit()

    def shutdown(self, msecs: int) -> bool:
        """Stop after the current group and wait at most ``msecs``; True when it ended."""
        self.closing = True
        if self._task is not None:
            self._task.stop()
        return self._worker.wait(msecs)
