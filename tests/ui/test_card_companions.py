"""A card names what goes with its file: the Live video with its size, the sidecars."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from dedupe_gui.core.models import Companion, FileKey, Fingerprint, GroupMember, ImageRecord
from dedupe_gui.ui.file_card import FileCard


def test_the_card_lists_the_companions(qtbot: QtBot) -> None:
    companions = (
        Companion("/p/IMG_0001.MOV", "live", 2_100_000, 0),
        Companion("/p/IMG_0001.xmp", "xmp", 900, 0),
    )
    record = ImageRecord(
        FileKey("/p/IMG_0001.HEIC", 1_500_000, 0),
        Fingerprint(0, 4032, 3024, "HEIF"),
        companions=companions,
    )
    card = FileCard(GroupMember(record, 0, keep=True))
    qtbot.addWidget(card)
    assert "+ Live video 2.1 MB, + XMP" in card.facts.text()
    assert "Goes with it: /p/IMG_0001.MOV" in card.facts.toolTip()
    plain = FileCard(GroupMember(ImageRecord(record.key, record.fingerprint), 0))
    qtbot.addWidget(plain)
    assert "+ " not in plain.facts.text()


def test_the_compare_view_lists_the_companions(qtbot: QtBot) -> None:
    from dedupe_gui.ui.compare_dialog import SidePanel

    live = Companion("/p/IMG_0001.MOV", "live", 2_100_000, 0)
    record = ImageRecord(
        FileKey("/p/IMG_0001.HEIC", 1, 0), Fingerprint(0, 40, 30, "HEIF"), companions=(live,)
    )
    panel = SidePanel()
    qtbot.addWidget(panel)
    panel.show_member(GroupMember(record, 0, keep=True), "keep")
    assert panel.companions.toolTip() == "/p/IMG_0001.MOV"
    assert panel.companions.isVisibleTo(panel)
    panel.show_member(GroupMember(ImageRecord(record.key, record.fingerprint), 0), "")
    assert not panel.companions.isVisibleTo(panel)
