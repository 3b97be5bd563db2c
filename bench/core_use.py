"""How many cores a whole process keeps busy, moment by moment, read from outside it.

    python -m bench.core_use [--bin SECONDS] -- COMMAND ...

Starts COMMAND and reads every thread's run time (``/proc/PID/task/TID/schedstat``) about
every 2 ms until it exits, then prints, per bin (50 ms by default), the cores its threads
kept busy on average. A process whose threads wait for the GIL shows it as cores left idle
while it has work: the decode floor (``bench.decode_floor``) keeps two cores busy from its
first decode to its last, which the scan is held against. Read from outside, so the probe
takes no GIL of the process it watches.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections import defaultdict


def _run_times(pid: int) -> dict[str, int]:
    """Nanoseconds each live thread of ``pid`` has run, by thread id."""
    out: dict[str, int] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[tid] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended between the listing and the read
    return out


def busy_cores(command: list[str], bin_seconds: float) -> tuple[float, dict[int, float]]:
    """Wall seconds of ``command`` and the cores its threads kept busy in each bin."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    seen: dict[str, int] = {}
    used: dict[int, float] = defaultdict(float)
    while process.poll() is None:
        at = int((time.perf_counter() - start) / bin_seconds)
        for tid, ran in _run_times(process.pid).items():
            used[at] += (ran - seen.get(tid, 0)) / 1e9  # a new thread: all it ran
            seen[tid] = ran
        time.sleep(0.002)
    wall = time.perf_counter() - start
    return wall, {b: seconds / bin_seconds for b, seconds in sorted(used.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.core_use", description=__doc__)
    parser.add_argument("--bin", type=float, default=0.05, help="bin length in seconds")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    wall, cores = busy_cores(command, args.bin)
    print(f"wall {wall:.3f} s; cores busy per {args.bin * 1000:.0f} ms from the start:")
    for at, busy in cores.items():
        print(f"{at * args.bin:6.2f}  {busy:4.2f}  {'#' * round(busy * 20)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
