"""CPU and wall seconds of sending 500 small files to the trash through ``system_trash``.

    python -m bench.trash_cost LABEL

Each run makes its own HOME (and trash) in a temporary folder, on the same drive as the
files; the modules are imported before the clock starts. To compare two checkouts, run it
alternately with ``PYTHONPATH`` at each.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def main(label: str, count: int = 500) -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        (home / ".local" / "share").mkdir(parents=True)
        os.environ.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"))
        from send2trash import plat_other

        data = os.fsencode(home / ".local" / "share")
        plat_other.XDG_DATA_HOME = data
        plat_other.HOMETRASH_B = os.path.join(data, b"Trash")
        plat_other.HOMETRASH = os.fsdecode(plat_other.HOMETRASH_B)
        import dedupe_gui.core.restore  # noqa: F401 (imported once a cleanup, not timed here)
        from dedupe_gui.core.actions import system_trash

        lib = Path(folder) / "a" / "b" / "c" / "lib"
        lib.mkdir(parents=True)
        paths = []
        for i in range(count):
            made = lib / f"IMG_{i:04d}.jpg"
            made.write_bytes(b"x" * 1000)
            paths.append(str(made))
        cpu, wall = time.process_time(), time.perf_counter()
        for p in paths:
            system_trash(p)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{label}: {cpu:.3f} CPU s, {wall:.3f} s wall for {count} files")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "trash")
