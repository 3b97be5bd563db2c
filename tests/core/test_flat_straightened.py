"""Straightened copies of pictures made of flat areas and edges (a landscape of flat colours,
an object on a seamless backdrop): turned on their fine thumbnails too and grouped; an object
of another colour on the same backdrop, turned as much, stays apart by its colour."""

from __future__ import annotations

from pathlib import Path

import pytest

import dedupe_gui.core.straighten as straighten_module
from tests.core.test_flat_windows import _ORANGE, _PURPLE, _flat, _landscape, _on_backdrop
from tests.core.test_geometry import _grouped, _straightened
from tests.imaging import save


def test_a_straightened_copy_of_a_picture_of_flat_areas_is_grouped_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    img = _landscape(2)
    a = save(img, tmp_path / "a.jpg", quality=92)
    b = save(_straightened(img, 3.0), tmp_path / "b.jpg", quality=92)
    assert _flat(a) and _flat(b)
    assert _grouped(a, b) == [{str(a), str(b)}]
    monkeypatch.setattr(straighten_module, "ANGLES", ())
    assert _grouped(a, b) == []


def test_an_object_straightened_on_its_backdrop_is_grouped_and_another_colour_is_not(
    tmp_path: Path,
) -> None:
    a = save(_on_backdrop(_PURPLE), tmp_path / "a.jpg", quality=92)
    copy = save(_straightened(_on_backdrop(_PURPLE), 3.5), tmp_path / "b.jpg", quality=92)
    other = save(_straightened(_on_backdrop(_ORANGE), 3.5), tmp_path / "c.jpg", quality=92)
    assert _flat(a) and _flat(copy) and _flat(other)
    assert _grouped(a, copy) == [{str(a), str(copy)}]
    assert _grouped(a, other) == []


def test_without_its_colour_the_other_object_straightened_would_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pair above is told apart by colour alone: turned, in grey levels, it passes."""
    a = save(_on_backdrop(_PURPLE), tmp_path / "a.jpg", quality=92)
    other = save(_straightened(_on_backdrop(_ORANGE), 3.5), tmp_path / "c.jpg", quality=92)
    monkeypatch.setattr(straighten_module, "colours_apart", lambda *_: False)
    assert _grouped(a, other) == [{str(a), str(other)}]
