"""What an undone cleanup put back, and what it could not (with where those files are)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from dedupe_gui.core.restore import RestoreOutcome, RestoreStatus
from dedupe_gui.ui.dialogs import _PathTableDialog


class RestoreOutcomesDialog(_PathTableDialog):
    def __init__(self, outcomes: Sequence[RestoreOutcome], parent: QWidget | None = None) -> None:
        back = sum(1 for o in outcomes if o.status is RestoreStatus.RESTORED)
        left = len(outcomes) - back
        intro = (
            f"{back} of {len(outcomes)} files put back. {left} could not be: nothing was "
            "overwritten, and the reason says where each file is now."
        )
        rows = [(o.status.value, o.path, o.reason) for o in outcomes]
        super().__init__("Undo cleanup", intro, ("Result", "File", "Reason"), rows, parent)
