"""Frozen dataclasses made by core.fast_new are the objects their __init__ makes."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, dataclass, fields
from typing import Any

import pytest

from dedupe_gui.core.fast_new import positional
from dedupe_gui.core.models import FileKey, Fingerprint, GroupMember, Hashes, ImageRecord

KEY = FileKey("/lib/a.jpg", 10, 20)
FINGERPRINT_VALUES: tuple[Any, ...] = (5, 4, 3, "JPEG", "2024-01-02", "Cam", 6, b"t")
FINGERPRINT_VALUES += (Hashes((1, 2)), b"f", True, True, Hashes((3,)))
FINGERPRINT = Fingerprint(*FINGERPRINT_VALUES)
RECORD = ImageRecord(KEY, FINGERPRINT, True, "d", (), "q", 7)


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (FileKey, ("/lib/a.jpg", 10, 20)),
        (Fingerprint, FINGERPRINT_VALUES),
        (ImageRecord, (KEY, FINGERPRINT, True, "d", (), "q", 7)),
        (GroupMember, (RECORD, 3, False, True, "mirrored", ("greyscale",))),
    ],
)
def test_the_same_object_as_its_init_makes(cls: type[Any], values: tuple[Any, ...]) -> None:
    made = positional(cls)(*values)
    usual = cls(*values)
    assert type(made) is cls
    assert made == usual and hash(made) == hash(usual) and repr(made) == repr(usual)
    assert pickle.loads(pickle.dumps(made)) == usual
    with pytest.raises(FrozenInstanceError):
        made.__setattr__(fields(cls)[0].name, 1)


def test_every_field_must_be_given() -> None:
    with pytest.raises(TypeError):
        positional(FileKey)("/lib/a.jpg", 10)


@dataclass(frozen=True)
class _NoSlots:
    a: int


@dataclass(slots=True)
class _NotFrozen:
    a: int


@pytest.mark.parametrize("cls", [_NoSlots, _NotFrozen, int])
def test_only_frozen_dataclasses_with_slots(cls: type[Any]) -> None:
    with pytest.raises(TypeError):
        positional(cls)
