"""What an undone cleanup put back, and what it could not (with where those files are); what
replacing exact copies with hard links did."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from dedupe_gui.core.actions import Outcome, Status
from dedupe_gui.core.restore import RestoreOutcome, RestoreStatus
from dedupe_gui.ui.dialogs import OUTCOME_HEADERS, _PathTableDialog, outcome_row


class RestoreOutcomesDialog(_PathTableDialog):
    def __init__(self, outcomes: Sequence[RestoreOutcome], parent: QWidget | None = None) -> None:
        back = sum(1 for o in outcomes if o.status is RestoreStatus.RESTORED)
        left = len(outcomes) - back
        intro = (
            f"{back} of {len(outcomes)} files put back. {left} could not be: nothing was "
            "overwritten, and the reason says where each file is now."
        )
        super().__init__(
            "Undo cleanup",
            intro,
            OUTCOME_HEADERS,
            len(outcomes),
            lambda i: outcome_row(outcomes[i]),
            parent,
        )


class LinkOutcomesDialog(_PathTableDialog):
    def __init__(self, outcomes: Sequence[Outcome], parent: QWidget | None = None) -> None:
        linked = sum(1 for o in outcomes if o.status is Status.LINKED)
        intro = (
            f"{linked} of {len(outcomes)} exact copies are now hard links to the copy kept. "
            "The others were left as they were, for the reason given."
        )
        super().__init__(
            "Exact copies as links",
            intro,
            OUTCOME_HEADERS,
            len(outcomes),
            lambda i: outcome_row(outcomes[i]),
            parent,
        )
