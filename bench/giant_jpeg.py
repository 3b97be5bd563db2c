"""Peak memory of fingerprinting giant pictures: a drafted 192 MP JPEG, and big PNGs under the
decoding memory budget.

    .venv/bin/python -m bench.giant_jpeg /tmp/safety-giant

Writes the pictures into the folder given (once; run it a second time to measure, as the
peak resident memory of a child counts what its parent held when it was started), then
fingerprints each in a fresh process and prints its peak resident memory (ru_maxrss). The
PNG run scans four big PNGs with four workers twice: with the default budget and with the
budget of one picture, and prints the peak resident memory of each scan.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from PIL import Image

from dedupe_gui.core.budget import decode_cost

_CHILD = """
import resource, sys, time
from dedupe_gui.core.fingerprint import fingerprint_file
t = time.perf_counter()
fp = fingerprint_file(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"{fp.width}x{fp.height} {fp.format} {time.perf_counter() - t:.2f}s peak {peak} MiB")
"""

_SCAN = """
import resource, sys, time
from dedupe_gui.core.scan import ScanOptions, run_scan
budget = int(sys.argv[2])
t = time.perf_counter()
options = ScanOptions((sys.argv[1],), workers=4, **({"memory_budget": budget} if budget else {}))
result = run_scan(options)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"{len(result.records)} images, {len(result.errors)} errors, "
      f"{time.perf_counter() - t:.2f}s, peak {peak} MiB")
"""


def _make(folder: str) -> tuple[str, str]:
    os.makedirs(os.path.join(folder, "png"), exist_ok=True)
    jpeg = os.path.join(folder, "pano-192mp.jpg")
    if not os.path.exists(jpeg):
        img = Image.linear_gradient("L").resize((16000, 12000))
        img.save(jpeg, quality=80)
        del img
    for i in range(4):
        png = os.path.join(folder, "png", f"big-{i}.png")
        if not os.path.exists(png):
            # 7000 x 7000 RGB (49 MP): about 150 MB decoded, a small file on disk.
            Image.linear_gradient("L").resize((7000, 7000)).rotate(i * 90).convert("RGB").save(png)
    return jpeg, os.path.join(folder, "png")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    args = parser.parse_args()
    jpeg, pngs = _make(args.folder)
    print(f"192 MP JPEG ({os.path.getsize(jpeg) // 1024} KiB):", end=" ", flush=True)
    subprocess.run([sys.executable, "-c", _CHILD, jpeg], check=True)
    one = decode_cost(7000, 7000, 3) + 1
    for label, budget in (("default budget", 0), ("budget of one picture", one)):
        print(f"4 PNGs of 49 MP, 4 workers, {label}:", end=" ", flush=True)
        subprocess.run([sys.executable, "-c", _SCAN, pngs, str(budget)], check=True)


if __name__ == "__main__":
    main()
