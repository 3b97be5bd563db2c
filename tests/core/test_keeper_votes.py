"""The keeper rule "clean" beside an edit over the whole picture: a copy of the keeper's very
canvas that the group's other copies look more like is the one they were made from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from dedupe_gui.core.keeper import DEFAULT_RULES
from dedupe_gui.core.keeper_votes import made_from, votes
from tests.core.test_keeper_standing import _camera_exif, _one_group
from tests.imaging import save, textured


def _toned(img: Image.Image, gamma: float = 0.75) -> Image.Image:
    """``img`` through a tone curve, as a filter app does: a copy of the same canvas."""
    pixels = np.asarray(img, dtype=np.float32) / 255
    return Image.fromarray(np.clip(255 * pixels**gamma, 0, 255).astype(np.uint8))


def test_the_original_is_kept_over_its_filtered_copy_saved_as_the_larger_file(
    tmp_path: Path,
) -> None:
    img = textured(41)
    original = save(img, tmp_path / "a.jpg", quality=85)
    # The original's pixels, and the larger file: kept but for the vote.
    toned = save(_toned(img), tmp_path / "b.jpg", quality=95)
    assert toned.stat().st_size > original.stat().st_size
    shared = save(img.resize((200, 150), Image.Resampling.LANCZOS), tmp_path / "c.jpg")
    group = _one_group([original, toned, shared])
    assert group.suggested_keeper.path == str(original)
    said = {m.path: m.differences for m in group.members}
    assert said[str(toned)] == ("re-encoded",)  # the words alone cannot tell
    rules = tuple(r for r in DEFAULT_RULES if r != "clean")
    assert _one_group([original, toned, shared], rules=rules).suggested_keeper.path == str(toned)
    # A pair has no third copy to say which of the two came first: the larger file stays.
    assert _one_group([original, toned]).suggested_keeper.path == str(toned)


def test_the_camera_original_is_kept_though_its_copies_were_made_from_its_edit(
    tmp_path: Path,
) -> None:
    """The camera's own file (EXIF camera and capture date) stays the keeper beside an
    edit of it without that EXIF, however many copies were shared from the edit."""
    img = textured(43)
    camera = save(img, tmp_path / "a.jpg", quality=95, exif=_camera_exif())
    edit = _toned(img)
    edited = save(edit, tmp_path / "b.jpg", quality=80)
    shares = [
        save(edit.resize((200, 150), Image.Resampling.LANCZOS), tmp_path / f"c{n}.jpg")
        for n in range(2)
    ]
    assert _one_group([camera, edited, *shares]).suggested_keeper.path == str(camera)
    plain = save(img, tmp_path / "d.jpg", quality=95)
    assert _one_group([plain, edited, *shares]).suggested_keeper.path == str(edited)


def _picture(seed: int) -> np.ndarray[tuple[int, int], np.dtype[np.uint8]]:
    return np.random.default_rng(seed).integers(40, 200, (32, 32)).astype(np.uint8)


def test_a_copy_votes_for_the_copy_it_is_clearly_nearer_to() -> None:
    original = _picture(1)
    edited = original.copy()
    edited[:, :16] += 30  # an edit over the left half
    stickered = original.copy()
    stickered[20:28, 20:28] = 255  # an edit elsewhere, from the original
    assert votes(edited, original, stickered[None]) == (0, 1)
    assert made_from(edited, original, stickered[None])
    assert not made_from(original, edited, stickered[None])


def test_a_copy_edited_where_the_keeper_was_says_nothing() -> None:
    """Two edits over one place (a dark caption bar where a vignette darkened the corners)
    leave the third copy about as near to either: no vote."""
    original = _picture(2)
    darker = original.copy()
    darker[24:] -= 30
    half = original.copy()
    half[24:] -= 15  # as near to either
    assert votes(darker, original, half[None]) == (0, 0)
    assert not made_from(darker, original, half[None])
    lighter = original.copy()
    lighter[24:] -= 10  # nearer to the original, by less than half their distance
    assert votes(darker, original, lighter[None]) == (0, 0)
    assert votes(darker, original, np.stack([lighter, original])) == (0, 1)
    # Nor does a copy as near to both within a grey level.
    near = original.copy()
    near[0, :8] += 1
    assert votes(original, near, original[None]) == (0, 0)
