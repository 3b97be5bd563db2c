"""CPU seconds of writing the JSON report of 33,000 grouped files (11,000 groups of three).

    python -m bench.report_json LABEL

Synthetic records, no disk: the report's own cost, the least of seven runs. To compare two
checkouts, run it alternately with ``PYTHONPATH`` at each.
"""

from __future__ import annotations

import sys
import time

from dedupe_gui.core.models import (
    FileKey,
    Fingerprint,
    Group,
    GroupMember,
    ImageRecord,
    ScanStats,
)
from dedupe_gui.core.report import Report, json_parts


def synthetic_report(groups: int = 11_000) -> Report:
    made = []
    for g in range(groups):
        members = []
        for i in range(3):
            record = ImageRecord(
                FileKey(f"/lib/f{g % 300}/IMG_{g:05d}_{i}.jpg", 100_000 + g, 17 * 10**17 + g),
                Fingerprint(g * 7919 + i, 640, 480, "JPEG"),
                False,
                None,
                (),
                f"ht:{g:032x}",
                179 * 10**16 + g,
            )
            members.append(GroupMember(record, i, False, i == 0))
        made.append(Group(tuple(members)))
    return Report(12, ("/lib",), tuple(made), (), ScanStats(), ("/lib",), ())


def main(label: str) -> None:
    report = synthetic_report()
    best, chars = float("inf"), 0
    for _ in range(7):
        start = time.process_time()
        chars = len("".join(json_parts(report)))
        best = min(best, time.process_time() - start)
    print(f"{label}: {best:.4f} CPU s, {chars:,} characters")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "report")
