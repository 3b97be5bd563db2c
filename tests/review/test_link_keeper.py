"""Linking exact copies from the review: the file the user keeps stays the very file it is."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from dedupe_gui.core.actions import Scope, Status
from dedupe_gui.core.grouping import group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.links import LinkOptions, link_copies
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.review import Decision, FileIdentity, ReviewGroup
from tests.imaging import photo, save


def test_exact_copies_become_links_to_the_file_the_user_keeps(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    save(photo(71, (320, 240)), lib / "a" / "p.png")
    (lib / "sorted").mkdir()
    shutil.copy2(lib / "a" / "p.png", lib / "sorted" / "p.png")
    result = run_scan(ScanOptions((str(lib),)))
    (group,) = group_records(result.records, GroupingOptions(8))
    suggested, other = (Path(m.path) for m in group.members)
    assert suggested == lib / "a" / "p.png" and group.members[1].identical
    other.chmod(0o600)  # the copy the user keeps has permissions of its own
    kept_inode = other.stat().st_ino

    def decision_of(identity: FileIdentity) -> Decision | None:
        return {str(other): Decision.KEEPER, str(suggested): Decision.TRASH}.get(identity.path)

    review = ReviewGroup(group, decision_of)
    assert review.keeper.path == str(other)
    linked = review.link_group()
    assert linked is not None
    (out,) = link_copies([linked], LinkOptions(None, scope=Scope.of(result)))
    assert (out.path, out.status, out.keeper) == (str(suggested), Status.LINKED, str(other))
    assert other.stat().st_ino == kept_inode and os.path.samefile(suggested, other)
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
