"""Second looks decoded side by side (core.window_looks.looks_of, core.redecoded's fill)
give what one decode after another gives, and keep to their bounds."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import ImageOps

from dedupe_gui.core import redecoded
from dedupe_gui.core.fingerprint import detail_grey
from dedupe_gui.core.scan_pictures import ScanPictures
from dedupe_gui.core.window_looks import (
    Glance,
    Look,
    details_of,
    fine_of,
    glance_of,
    looks_of,
    owner_glances,
    owner_looks,
)
from dedupe_gui.core.windows import CENTRE_SLOT
from tests.imaging import photo

U8 = npt.NDArray[np.uint8]


def _files(tmp_path: Path, count: int) -> list[str]:
    """Photos of different shapes, some framed (their windows include the inside of the
    frame, cut from the decode), one of them not a picture at all."""
    paths = []
    for k in range(count):
        img = photo(k, (320 + 40 * k, 240 + 16 * (k % 3)))
        if k % 2:
            img = ImageOps.expand(img, border=24, fill=(250, 250, 250))
        path = tmp_path / f"p{k}.jpg"
        img.save(path, quality=90)
        paths.append(str(path))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    return [*paths, str(broken)]


def _same(a: Look | None, b: Glance | None) -> bool:
    """Whether ``b`` is what is kept of look ``a``, its fine thumbnail made."""
    if a is None or b is None:
        return a is None and b is None
    return (
        np.array_equal(a.thumb, b.thumb)
        and a.detail is not None
        and b.fine is not None
        and np.array_equal(fine_of(a.detail), b.fine)
        and a.box == b.box
        and a.aspect == b.aspect
    )


def test_looks_side_by_side_are_the_looks_one_by_one(tmp_path: Path) -> None:
    paths = _files(tmp_path, 6)
    asked = [(p, [0, 3, CENTRE_SLOT + 1, 25, 40]) for p in paths]
    alone = [owner_looks(p, slots) for p, slots in asked]
    threads: set[str] = set()
    real = owner_glances

    def watching(
        path: str, slots: list[int], fine: bool, pictures: ScanPictures | None
    ) -> list[Glance | None]:
        threads.add(threading.current_thread().name)
        return real(path, slots, fine, pictures)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("dedupe_gui.core.window_looks.owner_glances", watching)
        together = looks_of([(p, slots, True) for p, slots in asked], workers=3)
    assert len(threads) > 1  # the files were decoded on more than one thread
    assert [len(x) for x in together] == [len(slots) for _, slots in asked]
    for one, other in zip(alone, together, strict=True):
        assert all(_same(a, b) for a, b in zip(one, other, strict=True))
    # Without the fine thumbnail asked for, none is made; the detail pictures decoded again
    # are the looks' own.
    plain = looks_of([(p, slots, False) for p, slots in asked], workers=3)
    assert all(g is None or g.fine is None for glances in plain for g in glances)
    details = details_of(asked, workers=3)
    for one, again in zip(alone, details, strict=True):
        for look, detail in zip(one, again, strict=True):
            assert (look is None and detail is None) or (
                look is not None
                and look.detail is not None
                and detail is not None
                and np.array_equal(look.detail, detail)
            )
    # A plain photo is looked at through its edges; a framed one only through what is
    # inside its frame (windows after the plain ones); the file that is no picture, not.
    for k, looks in enumerate(alone[:-1]):
        if k % 2:
            assert looks[:2] == [None, None] and looks[2] is not None
        else:
            assert all(look is not None for look in looks[:3])
    assert alone[-1] == [None] * 5


def test_filled_pictures_are_the_decodes_and_keep_to_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _files(tmp_path, 5)
    decoded: list[str] = []

    def counting(path: str) -> U8:
        decoded.append(path)
        return detail_grey(path)

    kept = redecoded._Kept(counting, bound=4)
    kept.fill([(k, p) for k, p in enumerate(paths)] + [(0, paths[0])], workers=2)
    assert sorted(decoded) == sorted(paths[:4])  # as many as the bound keeps, each once
    assert list(kept.pictures) == [0, 1, 2, 3]
    for k in range(3):
        picture = kept.of(k, paths[k])
        assert picture is not None and np.array_equal(picture, detail_grey(paths[k]))
    assert len(decoded) == 4  # found, not decoded again
    assert kept.of(5, paths[5]) is None  # the file that is no picture
    assert kept.of(4, paths[4]) is not None
    assert len(kept.pictures) == 4 and 0 not in kept.pictures  # the oldest went


def test_a_batch_keeps_the_pictures_it_already_had_while_it_fills() -> None:
    decoded: list[str] = []

    def decode(path: str) -> npt.NDArray[np.uint8]:
        decoded.append(path)
        return np.zeros((2, 2), np.uint8)

    kept = redecoded._Kept(decode, 3)
    for record in range(3):  # full: 0 is the oldest
        kept.of(record, f"f{record}")
    kept.fill([(0, "f0"), (7, "f7"), (8, "f8")], workers=2)
    decoded.clear()
    for record, path in [(0, "f0"), (7, "f7"), (8, "f8")]:
        kept.of(record, path)
    assert decoded == []  # the batch's own picture 0 was not dropped to make room


def test_glances_without_fine_thumbnails_make_no_detail_pictures(tmp_path: Path) -> None:
    """A look kept without its fine thumbnail never needs its 256x256 detail picture: none
    is made, and the thumbnail, box and shape are the full look's."""
    paths = _files(tmp_path, 2)
    slots = [0, 3, CENTRE_SLOT + 1, 25, 40]
    light_looks: list[Look] = []
    for path in paths:
        full = owner_looks(path, slots)
        bare = owner_looks(path, slots, detail=False)
        glances = owner_glances(path, slots, False)
        for look, light, glance in zip(full, bare, glances, strict=True):
            assert (look is None) == (light is None) == (glance is None)
            if look is None or light is None or glance is None:
                continue
            assert look.detail is not None and light.detail is None
            light_looks.append(light)
            assert np.array_equal(look.thumb, light.thumb) and look.box == light.box
            assert np.array_equal(glance.thumb, look.thumb) and glance.fine is None
            assert (glance.box, glance.aspect) == (look.box, look.aspect)
    assert light_looks
    with pytest.raises(ValueError):
        glance_of(light_looks[0], True)
