"""Two screenshots in one chrome: the photos inside them must agree.

A phone screenshot of a photo is mostly chrome: a status bar, a title, the viewer's buttons,
and a photo that may cover a tenth of the screen or less. Two screenshots of different
photos taken in one app share all of the chrome, so their fine thumbnails (core.verify)
agree on most of their textured tiles and the photo's few tiles do not outweigh them. What
makes them different pictures is exactly the part that is not chrome. So when both pictures
of a pair hold a photo inside chrome (``core.frame_readings.photo_box`` on the fine thumbnails) at
the same place, the two photos are compared on their own; a pair whose photos do not
correlate is two pictures, whatever the chrome says.

docs/ACCURACY.md has the measurements behind the numbers.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

from dedupe_gui.core.frame_readings import photo_box

U8 = npt.NDArray[np.uint8]
B = npt.NDArray[np.bool_]

# The two photos sit at the same place in one chrome when no edge of their boxes is further
# apart than this share of the picture (a re-encoded or resized screenshot: under 0.02).
_SAME_PLACE: Final = 0.03
# Side of the grid the two photos are compared on, and the correlation under which they are
# different photos. Measured on the fine thumbnails of edit seeds 1-2 and the first corpus:
# photos of two different screenshots in one chrome -0.10-0.59, copies whose photo boxes
# sit at one place 0.92 and more.
_GRID: Final = 16
_DIFFERENT: Final = 0.75
# Grey levels (standard deviation) under which a photo is flat: its correlation is noise.
_MIN_SPREAD: Final = 1.0


def photos_differ(fine_a: U8, fine_b: U8) -> B:
    """For each pair of 128x128 fine thumbnails: whether both hold a photo inside chrome, at
    the same place, and the two photos are different pictures."""
    out = np.zeros(fine_a.shape[0], dtype=bool)
    for k in range(fine_a.shape[0]):
        box_a = photo_box(fine_a[k].astype(np.int16))
        box_b = photo_box(fine_b[k].astype(np.int16))
        if box_a is None or box_b is None:
            continue
        if max(abs(p - q) for p, q in zip(box_a, box_b, strict=True)) > _SAME_PLACE:
            continue
        pa, pb = _inside(fine_a[k], box_a), _inside(fine_b[k], box_b)
        # A flat photo (a blank one, say) cannot be told from another here: left to the check.
        if min(pa.std(), pb.std()) < _MIN_SPREAD:
            continue
        pa -= pa.mean()
        pb -= pb.mean()
        correlation = float((pa * pb).sum()) / float(np.linalg.norm(pa) * np.linalg.norm(pb))
        out[k] = correlation < _DIFFERENT
    return out


def _inside(fine: U8, box: tuple[float, float, float, float]) -> npt.NDArray[np.float64]:
    """The part of ``fine`` inside ``box`` (shares of the picture) on a ``_GRID`` grid."""
    side = fine.shape[0]
    left, top, right, bottom = (round(v * side) for v in box)
    part = Image.fromarray(fine).crop((left, top, right, bottom))
    small = part.resize((_GRID, _GRID), Image.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.float64)
