"""Run a module as a whole process and record what it cost: wall time, bytes read, peak memory.

    python -m bench.measured OUT.json -m MODULE [ARGS ...]

The module runs as ``python -m MODULE ARGS`` would (``runpy``); at exit this writes to
OUT.json its CPU seconds, its ``/proc/self/io`` counters (``rchar``: bytes read through
system calls, page cache included; ``read_bytes``: bytes fetched from storage) and its peak
RSS. The wrapper
itself imports only what the interpreter has already loaded, so it adds no start-up worth
measuring. Benchmarks run every contender through it to put bytes and memory next to time.
"""

from __future__ import annotations

import atexit
import json
import resource
import runpy
import sys


def io_counters() -> dict[str, int]:
    """This process's I/O counters (empty where ``/proc`` has none)."""
    try:
        with open("/proc/self/io") as f:
            return {k: int(v) for k, v in (line.split(":") for line in f if ":" in line)}
    except OSError:
        return {}


def peak_rss_kb() -> int:
    """The high-water mark of this process's resident memory, in KB.

    ``/proc/self/status`` VmHWM, because ``ru_maxrss`` survives ``exec`` on Linux: a child
    started from a large parent would report the parent's peak.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_mb() -> tuple[float, float]:
    """This process's resident memory now and at its high-water mark (VmRSS, VmHWM), in MB;
    zeros where ``/proc`` has none. Benchmarks that follow memory phase by phase read it in
    process, between the phases."""
    now = peak = 0.0
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    now = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return now, peak


def _write(out: str) -> None:
    io = io_counters()
    peak_kb = peak_rss_kb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(out, "w") as f:
        json.dump(
            {
                "rchar": io.get("rchar"),
                "read_bytes": io.get("read_bytes"),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                # On a shared machine CPU time moves less with the load than wall time does.
                "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            },
            f,
        )


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "-m":
        raise SystemExit(__doc__)
    out, module = sys.argv[1], sys.argv[3]
    sys.argv = [module, *sys.argv[4:]]
    atexit.register(_write, out)
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
