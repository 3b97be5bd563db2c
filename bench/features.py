"""What the fingerprint spends beyond the decode, step by step, in this checkout and another.

    python -m bench.features FOLDER [--other CHECKOUT] [--repeat N] [--limit N]

Decodes every file once as the scan does (``core.decoded.Decoded``), then, on one thread,
times each step of the fingerprint over the decoded pictures (``time.thread_time``, so other
processes on the machine count less): the whole ``fingerprint_decoded``, and apart, from
the picture in grey levels as the fingerprint takes it, the 9x8 pair (from a box-reduced
copy for a drafted JPEG, from the whole picture otherwise), the 32x32 and 128x128
thumbnails and the window hashes (the 72-px picture, the boxes inside a border or chrome,
the windows resized from the small picture and those cut from the decode; ``w.plan``: the
stacked weights of a picture's windows made afresh, which a scan pays for each picture whose
size and windows are not among the last few kept, core.resample). Prints milliseconds per
file, the median of ``--repeat`` passes.

With ``--other``, each pass runs in a fresh interpreter per checkout, alternating which goes
first, and the two are printed side by side with their ratio: a change to a step is
measured against the code before it under the same load.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def passes(paths: Sequence[str], repeat: int) -> dict[str, list[float]]:
    """Seconds per file of each step, one value per pass (the checkout on the path)."""
    from dedupe_gui.core.decoded import Decoded

    decoded = [Decoded(p) for p in paths]
    out: dict[str, list[float]] = {}
    for _ in range(repeat):
        spent: dict[str, float] = {}
        for d in decoded:
            _steps(d, spent)
        for name, seconds in spent.items():
            out.setdefault(name, []).append(seconds / max(1, len(decoded)))
    for d in decoded:
        d.close()
    return out


def _timed(spent: dict[str, float], name: str, step: Callable[..., Any], *args: Any) -> Any:
    """``step(*args)``, its thread's CPU seconds added to ``spent[name]``."""
    start = time.thread_time()
    made = step(*args)
    spent[name] = spent.get(name, 0.0) + time.thread_time() - start
    return made


def _steps(d: Any, spent: dict[str, float]) -> None:
    """Each timed step of one decoded file's fingerprint (``d``: a ``Decoded``)."""
    import numpy as np

    from dedupe_gui.core import resample, windows
    from dedupe_gui.core.decode import EXIF_TRANSPOSE
    from dedupe_gui.core.fingerprint import HASH_REDUCING_GAP, _to_grey, fingerprint_decoded
    from dedupe_gui.core.orientations import TRANSPOSES, reduced_pair, small_pair
    from dedupe_gui.core.resample import region_dhashes
    from dedupe_gui.core.thumbnails import fine_thumbnail, thumbnail

    grey, turn = _to_grey(d.image), EXIF_TRANSPOSE.get(d.orientation)
    _timed(spent, "fingerprint", fingerprint_decoded, d)
    shown = TRANSPOSES.index(turn)
    if d.drafted:
        _timed(spent, "pair", reduced_pair, grey, shown, HASH_REDUCING_GAP)
    else:
        _timed(spent, "pair", small_pair, grey, shown)
    thumb = _timed(spent, "thumbnail", thumbnail, grey, turn)
    _timed(spent, "fine", fine_thumbnail, grey, thumb, turn)
    _timed(spent, "windows", windows.window_hashes, grey, turn)
    small = _timed(spent, "w.small", windows.shown_small, grey, turn)
    finer = functools.partial(windows.shown_small, grey, turn, windows.FINE_SIDE)
    boxes = _timed(spent, "w.boxes", windows.window_boxes, small, finer)
    regions = [windows.pixel_region(b, small.size) for b, precise in boxes if not precise]
    _timed(spent, "w.regions", region_dhashes, np.asarray(small, np.uint8), regions)
    fresh = resample._plan.__wrapped__  # the plan as a scan makes it on a miss
    _timed(spent, "w.plan", fresh, small.height, small.width, tuple(regions))


def _files(folder: str, limit: int | None) -> list[str]:
    from dedupe_gui.core.files import WalkOptions, walk
    from dedupe_gui.core.models import FileError

    found = walk([os.path.abspath(folder)], WalkOptions())
    return sorted(f.path for f in found if not isinstance(f, FileError))[:limit]


# Runs one checkout's passes in a fresh interpreter: this file loaded by path, the
# checkout's package first on the path.
_CHILD = """
import importlib.util, json, sys
here, repeat, *paths = sys.argv[1:]
spec = importlib.util.spec_from_file_location("features", here + "/bench/features.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(module.passes(paths, int(repeat))))
"""


def _child(checkout: str, paths: Sequence[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, HERE, "1", *paths],
        check=True,
        capture_output=True,
        text=True,
        cwd=checkout,
        env=dict(os.environ, PYTHONPATH=checkout),
    )
    runs: dict[str, list[float]] = json.loads(done.stdout.strip().splitlines()[-1])
    return {name: values[0] for name, values in runs.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.features", description=__doc__)
    parser.add_argument("folder")
    parser.add_argument("--other", help="another checkout to time side by side")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=int, help="only the first N files")
    args = parser.parse_args(argv)
    paths = _files(args.folder, args.limit)
    loads = [os.getloadavg()[0]]
    if not args.other:
        mine = passes(paths, max(1, args.repeat))
        for name, values in mine.items():
            print(f"{name:12s} {1000 * statistics.median(values):7.3f} ms a file")
        print(json.dumps({"files": len(paths), "ms": mine, "load": [*loads, os.getloadavg()[0]]}))
        return 0
    sides = {"this": HERE, "other": os.path.abspath(args.other)}
    runs: dict[str, dict[str, list[float]]] = {name: {} for name in sides}
    for k in range(max(1, args.repeat)):
        for name in list(sides) if k % 2 == 0 else list(reversed(sides)):
            for step, value in _child(sides[name], paths).items():
                runs[name].setdefault(step, []).append(value)
    loads.append(os.getloadavg()[0])
    print(f"{len(paths)} files, ms a file (median of {args.repeat}), this / other")
    for step in runs["other"]:
        a = statistics.median(runs["this"].get(step, [0.0]))
        b = statistics.median(runs["other"][step])
        print(f"{step:12s} {1000 * a:7.3f} {1000 * b:7.3f}  {a / b:5.2f}x")
    print(f"load {loads[0]:.1f} -> {loads[1]:.1f}")
    print(json.dumps({"files": len(paths), "runs": runs, "load": loads}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
