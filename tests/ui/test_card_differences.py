"""The cards say what the check saw differ from the keeper, highlighted beside the facts."""

from __future__ import annotations

from pathlib import Path

from PIL import ImageOps
from pytestqt.qtbot import QtBot

from dedupe_gui.ui.compare_dialog import CompareDialog
from dedupe_gui.ui.file_card import FileCard, cue_colour
from dedupe_gui.ui.main_window import MainWindow
from tests.imaging import captioned, save, textured
from tests.ui.conftest import scan


def _card(window: MainWindow, name: str) -> FileCard:
    return next(c for c in window.panel.cards if c.path.endswith(name))


def test_cards_highlight_what_differs_from_the_keeper_and_follow_the_keeper(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    folder = tmp_path / "lib"
    img = textured(9)
    save(img, folder / "a.jpg", quality=92)
    save(ImageOps.expand(img, 30, fill=(255, 255, 255)), folder / "a_framed.jpg", quality=92)
    save(captioned(img), folder / "a_caption.jpg", quality=90)
    scan(qtbot, window, folder)
    assert window.panel.cards[0].path.endswith("/a.jpg")  # the clean photo is kept

    amber = cue_colour(window.panel.palette()).name()
    framed, caption, keeper = (
        _card(window, "a_framed.jpg"),
        _card(window, "a_caption.jpg"),
        _card(window, "/a.jpg"),
    )
    assert f'<b style="color:{amber}">border added' in framed.facts.text()
    assert f'<b style="color:{amber}">overlay at the bottom' in caption.facts.text()
    assert "border added" in framed.facts.toolTip()
    # Said once, highlighted with the facts; the bit count stays a bit count.
    assert "border" not in framed.distance.toolTip() + framed.distance.text()
    assert "border" not in keeper.facts.text() and "overlay" not in keeper.facts.text()

    # The compare view says it too, beside the copy's facts.
    window.review.compare_with_keeper(framed.path)
    dialog = window.compare_dialog
    assert isinstance(dialog, CompareDialog)
    assert [m.path for m in dialog.members] == [keeper.path, framed.path]
    assert dialog.sides[1].differs.isVisibleTo(dialog)
    assert "border added" in dialog.sides[1].differs.toolTip() + dialog.sides[1].differs.text()
    assert not dialog.sides[0].differs.isVisibleTo(dialog)
    dialog.close()
    qtbot.waitUntil(lambda: window.compare_dialog is None, timeout=3000)

    # Keeping the framed copy instead: the former keeper is said the other way round, and
    # the captioned copy, never compared with the framed one, says nothing rather than guess.
    framed.keep_button.click()
    qtbot.waitUntil(lambda: window.panel.cards[0].path.endswith("a_framed.jpg"), timeout=5000)
    keeper, caption = _card(window, "/a.jpg"), _card(window, "a_caption.jpg")
    assert f'<b style="color:{amber}">border removed' in keeper.facts.text()
    assert "overlay" not in caption.facts.text()
