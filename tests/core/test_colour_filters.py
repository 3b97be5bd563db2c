"""A copy through a colour filter whose grey levels no smooth gain explains is still a copy:
the local-edit look reads one file's grey levels as a mix of the other's colours
(core.local_edits); a frame lit differently in part is not such a mix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from dedupe_gui.core.fingerprint import detail_colour, detail_grey, fingerprint_file
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.local_edits import local_edit_residuals
from dedupe_gui.core.models import FileKey, ImageRecord
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, residuals
from tests.imaging import save, textured

SIZE = (640, 480)
U8 = np.ndarray[tuple[int, ...], np.dtype[np.uint8]]


def _desaturated(img: Image.Image, saturation: float) -> Image.Image:
    """Colours pulled towards their channels' mean, as a saturation slider does: the grey
    level of a green goes down, that of a blue goes up."""
    a = np.asarray(img, dtype=np.float32)
    mean = a.mean(axis=2, keepdims=True)
    return Image.fromarray(np.clip(mean + (a - mean) * saturation, 0, 255).astype(np.uint8))


def _toned(img: Image.Image, gamma: float) -> Image.Image:
    """``img`` through a tone curve (each channel to the power ``gamma``), as a fade or a
    film look bends the tones after it mixed the colours."""
    a = np.asarray(img, dtype=np.float32) / 255
    return Image.fromarray(np.clip(255 * a**gamma, 0, 255).astype(np.uint8))


def _sepia(img: Image.Image) -> Image.Image:
    """``img`` through the usual sepia matrix, clipped: the light colours hit white in red."""
    matrix = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    a = np.asarray(img, dtype=np.float32) @ matrix.T.astype(np.float32)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def _relit(img: Image.Image) -> Image.Image:
    """The left half's shadows lifted and the right half's deepened: a frame processed
    differently in part, which no mix of one picture's colours gives."""
    a = np.asarray(img, dtype=np.float32) / 255
    gamma = np.where(np.linspace(0, 1, SIZE[0])[None, :, None] < 0.5, 0.5, 1.4)
    return Image.fromarray(np.clip(255 * a**gamma, 0, 255).astype(np.uint8))


def _files(tmp_path: Path, original: Image.Image, edited: Image.Image) -> list[str]:
    return [
        str(save(original, tmp_path / "a.jpg", quality=90)),
        str(save(edited, tmp_path / "b.jpg", quality=90)),
    ]


def _looks(paths: list[str], in_colour: bool) -> float:
    grey = np.stack([detail_grey(p) for p in paths])
    colours: tuple[U8, U8] | None = None
    if in_colour:
        colours = (detail_colour(paths[0])[None], detail_colour(paths[1])[None])
    return float(local_edit_residuals(grey[:1], grey[1:], np.zeros(1, dtype=bool), colours)[0])


def test_a_desaturated_copy_is_grouped(tmp_path: Path) -> None:
    paths = _files(tmp_path, textured(5, SIZE), _desaturated(textured(5, SIZE), 0.4))
    records = [
        ImageRecord(FileKey(p, Path(p).stat().st_size, 0), fingerprint_file(p)) for p in paths
    ]
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in records])
    # Neither the 32x32 check nor the grey levels of the second look explain the filter ...
    assert residuals(thumbs[:1], thumbs[1:])[0] > DEFAULT_MAX_RESIDUAL
    assert _looks(paths, in_colour=False) > DEFAULT_MAX_RESIDUAL
    # ... the other file's colours do.
    assert _looks(paths, in_colour=True) <= DEFAULT_MAX_RESIDUAL
    groups = group_records(records, GroupingOptions(DEFAULT_THRESHOLD))
    assert [len(g.members) for g in groups] == [2]


def test_a_copy_more_saturated_is_one_mix_of_the_colours_too(tmp_path: Path) -> None:
    paths = _files(tmp_path, textured(2, SIZE), _desaturated(textured(2, SIZE), 1.8))
    assert _looks(paths, in_colour=False) > DEFAULT_MAX_RESIDUAL
    assert _looks(paths, in_colour=True) <= DEFAULT_MAX_RESIDUAL


def test_a_copy_through_a_mix_and_a_tone_curve_is_grouped(tmp_path: Path) -> None:
    """Desaturated then lightened, or sepia then darkened: no straight mix of the other
    file's channels gives these grey levels, the mix through one tone curve does."""
    for seed, copy in (
        (1, _toned(_desaturated(textured(1, SIZE), 0.5), 0.6)),
        (2, _toned(_desaturated(textured(2, SIZE), 0.5), 0.6)),
        (1, _toned(_sepia(textured(1, SIZE)), 1.6)),
        (2, _toned(_sepia(textured(2, SIZE)), 0.6)),
    ):
        paths = _files(tmp_path, textured(seed, SIZE), copy)
        assert _looks(paths, in_colour=False) > DEFAULT_MAX_RESIDUAL
        assert _looks(paths, in_colour=True) <= DEFAULT_MAX_RESIDUAL


def test_a_frame_lit_differently_in_part_is_no_mix_of_colours(tmp_path: Path) -> None:
    for seed in (1, 3):
        paths = _files(tmp_path, textured(seed, SIZE), _relit(textured(seed, SIZE)))
        assert _looks(paths, in_colour=True) > 3 * DEFAULT_MAX_RESIDUAL


def test_a_grey_picture_has_three_equal_colour_planes(tmp_path: Path) -> None:
    grey = textured(4, SIZE).convert("L")
    planes = detail_colour(str(save(grey, tmp_path / "g.png")))
    assert planes.shape == (3, 128, 128)
    assert (planes == planes[:1]).all()
    # A pair of grey pictures gives the mix nothing to work with, and still gets a verdict.
    paths = _files(tmp_path, grey, grey)
    assert _looks(paths, in_colour=True) <= DEFAULT_MAX_RESIDUAL
