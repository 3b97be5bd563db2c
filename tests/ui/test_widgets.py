"""Card details: long names shortened with the full path at hand, placeholders, no veil."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from dedupe_gui.core.models import FileKey, Fingerprint, GroupMember, ImageRecord
from dedupe_gui.ui.file_card import FileCard

LONG = (
    "/home/alex/Pictures/Photo Library Backups/2019 Summer Holiday in the Scottish Highlands"
    "/Camera Uploads/IMG_20190712_184533_HDR_Glencoe_view_from_the_Three_Sisters_car_park.jpg"
)


def test_long_names_elide_with_the_full_path_in_the_tooltip(qtbot: QtBot) -> None:
    record = ImageRecord(FileKey(LONG, 2_400_000, 0), Fingerprint(0, 4000, 3000, "JPEG"))
    card = FileCard(GroupMember(record, 0, keep=True))
    qtbot.addWidget(card)
    card.show()
    qtbot.waitExposed(card)
    for label in (card.name, card.folder):
        shown = label.text()
        assert "…" in shown
        assert label.toolTip() == LONG
        assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert card.name.text().startswith("IMG_2019") and card.name.text().endswith("park.jpg")
    # The folder keeps its start (where copies part ways once the panel has cut the shared
    # part off) and loses its end.
    assert card.folder.text().startswith("/home/alex/Pictures/Photo")
    assert "4000 × 3000" in card.facts.text() and "2.4 MB" in card.facts.text()


def test_the_placeholder_has_the_pictures_aspect_ratio(qtbot: QtBot) -> None:
    record = ImageRecord(FileKey("/p/tall.jpg", 1, 0), Fingerprint(0, 3000, 4000, "JPEG"))
    card = FileCard(GroupMember(record, 0, keep=True))
    qtbot.addWidget(card)
    rect = card.thumb.picture_rect()
    assert abs(rect.width() / rect.height() - 0.75) < 0.01
    assert not card.thumb.has_image()
