"""What a scan loads at start-up: every module is paid for by every command, cold or warm."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.imaging import photo, save

# Never needed by a scan, and slow to import (numpy.ma alone is 30-60 ms of a start-up).
_NOT_FOR_A_SCAN = ("numpy.ma",)


def test_a_scan_with_a_group_loads_no_unused_heavy_module(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    img = photo(3, (240, 180))
    save(img, lib / "a.png")
    save(img.resize((180, 135), Image.Resampling.LANCZOS), lib / "b.jpg", quality=90)
    save(img.transpose(Image.Transpose.ROTATE_90), lib / "c.png")
    save(photo(4, (240, 180)), lib / "d.png")
    code = (
        "import json, sys\n"
        "from dedupe_gui.cli import main\n"
        "status = main(sys.argv[1:])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('numpy.ma'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", str(lib), "--rotations", "--no-cache", "-q"],
        check=True,
        capture_output=True,
        text=True,
    )
    *listing, loaded = done.stdout.strip().splitlines()
    assert "b.jpg" in "\n".join(listing) and "c.png" in "\n".join(listing)  # one group of 3
    assert not [m for m in json.loads(loaded) if m in _NOT_FOR_A_SCAN]
