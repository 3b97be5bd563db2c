"""A candidate search kept by value and completed for the values that changed finds exactly
the pairs, in the same order, that the full search of the values as they now are finds; a
library with files added, removed, edited or renamed gets the groups a fresh grouping gives."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import ImageOps

import dedupe_gui.core.kept_searches as kept_module
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.candidates import file_id
from dedupe_gui.core.files import WalkOptions
from dedupe_gui.core.grouping import SimilarityIndex
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hamming import Pairs, cross_pairs, self_pairs
from dedupe_gui.core.kept_groupings import group_kept
from dedupe_gui.core.kept_searches import Searches, window_rule
from dedupe_gui.core.models import Group, ImageRecord
from dedupe_gui.core.scan import ScanOptions, run_scan
from dedupe_gui.core.window_index import FAR_LAYOUTS, LAYOUTS, window_pairs
from tests.imaging import photo, save

U64 = npt.NDArray[np.uint64]


class Memory:
    """A keeper of searches in a dictionary."""

    def __init__(self) -> None:
        self.kept: dict[str, bytes] = {}

    def kept_search(self, name: str) -> bytes | None:
        return self.kept.get(name)

    def keep_search(self, name: str, blob: bytes) -> None:
        self.kept[name] = blob


def clustered(rng: np.random.Generator, n: int, spread: int = 12) -> U64:
    """Distinct values in clusters of ten, each a few bits from its cluster's first."""
    base = rng.integers(0, 2**64, n // 10, dtype=np.uint64, endpoint=False)
    flips = rng.integers(0, 64, (base.size, 10, spread))
    keep = rng.random((base.size, 10, spread)) < 0.5
    masks = np.where(keep, np.uint64(1) << flips.astype(np.uint64), np.uint64(0))
    values: U64 = base[:, None] ^ np.bitwise_xor.reduce(masks, axis=2)
    out: U64 = np.unique(values.reshape(-1))
    return out


def near(rng: np.random.Generator, values: U64, bits: int) -> U64:
    """Each value with ``bits`` of its bits flipped (a window of another picture)."""
    out: U64 = values.copy()
    for i in range(out.size):
        for b in rng.choice(64, bits, replace=False).tolist():
            out[i] ^= np.uint64(1 << b)
    return out


def changed(rng: np.random.Generator, values: U64, gone: float, new: int) -> U64:
    """``values`` without a share ``gone`` of them, with ``new`` values near kept ones."""
    kept = values[rng.random(values.size) >= gone]
    added = near(rng, values[rng.integers(0, values.size, new)], 2)
    return np.unique(np.concatenate([kept, added]))


def same(p: Pairs, q: Pairs) -> bool:
    return (
        np.array_equal(p.a, q.a)
        and np.array_equal(p.b, q.b)
        and np.array_equal(p.distance, q.distance)
        and p.distance.dtype == q.distance.dtype
    )


@pytest.mark.parametrize("sizes", [(300, 500), (2500, 4000)])  # all against all; probed
def test_completed_searches_find_what_full_ones_find(sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(sizes[0])
    own = clustered(rng, sizes[0])
    windows = np.unique(np.concatenate([near(rng, own[:200], 6), clustered(rng, sizes[1])]))
    memory = Memory()
    first = Searches(memory)
    first.self_pairs("own", own, 10)
    first.cross_pairs("turned", own, windows, 10)
    first.window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1)
    first.window_pairs("near", own, windows, 10, LAYOUTS, None)
    assert set(first.done.values()) == {"full"}
    for _ in range(2):  # a change, then another on top of the completed search
        own = changed(rng, own, 0.01, 12)
        windows = changed(rng, windows, 0.01, 30)
        again = Searches(memory)
        found = [
            again.self_pairs("own", own, 10),
            again.cross_pairs("turned", own, windows, 10),
            again.window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1),
            again.window_pairs("near", own, windows, 10, LAYOUTS, None),
        ]
        assert set(again.done.values()) == {"completed"}
        fresh = [
            self_pairs(own, 10),
            cross_pairs(own, windows, 10),
            window_pairs(own, windows, 10, FAR_LAYOUTS, 1),
            window_pairs(own, windows, 10, LAYOUTS, None),
        ]
        assert all(len(f) > 20 for f in fresh)
        assert all(same(f, g) for f, g in zip(found, fresh, strict=True))


def test_window_searches_probe_less_than_all_pairs_within_their_radius() -> None:
    """The rule matters: a probed window search leaves out pairs an exact one finds, and
    the completion leaves out the same ones."""
    rng = np.random.default_rng(5)
    own = clustered(rng, 2500)
    windows = np.unique(np.concatenate([near(rng, own, 9), clustered(rng, 4000)]))
    assert window_rule(own.size, windows.size, 10, FAR_LAYOUTS) is not None
    memory = Memory()
    Searches(memory).window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1)
    own, windows = changed(rng, own, 0.01, 20), changed(rng, windows, 0.01, 40)
    again = Searches(memory)
    found = again.window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1)
    assert again.done == {"far": "completed"}
    assert same(found, window_pairs(own, windows, 10, FAR_LAYOUTS, 1))
    assert len(found) < len(cross_pairs(own, windows, 10))


def test_another_radius_rule_or_too_many_new_values_search_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(2)
    own = clustered(rng, 400)
    windows = clustered(rng, 600)
    memory = Memory()
    Searches(memory).self_pairs("own", own, 10)
    Searches(memory).window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1)
    other = Searches(memory)
    assert same(other.self_pairs("own", own, 9), self_pairs(own, 9))
    # Many more windows: probed by a plan, where the kept search compared all against all.
    more = np.unique(np.concatenate([windows, clustered(rng, 8000)]))
    assert window_rule(own.size, windows.size, 10, FAR_LAYOUTS) is None
    assert window_rule(own.size, more.size, 10, FAR_LAYOUTS) is not None
    assert same(
        other.window_pairs("far", own, more, 10, FAR_LAYOUTS, 1),
        window_pairs(own, more, 10, FAR_LAYOUTS, 1),
    )
    assert other.done == {"own": "full", "far": "full"}
    monkeypatch.setattr(kept_module, "_MOST_COMPARED", 100)
    own = changed(rng, own, 0.0, 5)
    last = Searches(memory)
    assert same(last.self_pairs("own", own, 10), self_pairs(own, 10))
    assert last.done == {"own": "full"}
    # A change larger than the library kept: comparing costs more than searching again.
    monkeypatch.undo()
    much = np.unique(np.concatenate([own, clustered(rng, 15000)]))
    assert (much.size - own.size) * much.size < kept_module._MOST_COMPARED
    after = Searches(memory)
    assert same(after.self_pairs("own", much, 10), self_pairs(much, 10))
    assert after.done == {"own": "full"}


def test_a_damaged_kept_search_is_made_again() -> None:
    rng = np.random.default_rng(3)
    own = clustered(rng, 500)
    memory = Memory()
    Searches(memory).self_pairs("own", own, 10)
    memory.kept["own:10"] = memory.kept["own:10"][:-3]
    again = Searches(memory)
    assert same(again.self_pairs("own", own, 10), self_pairs(own, 10))
    assert again.done == {"own": "full"}
    memory.kept["own:10"] = b"\xff\xff\xff\xffnot a search"
    assert same(Searches(memory).self_pairs("own", own, 10), self_pairs(own, 10))


OPTIONS = GroupingOptions(12, rotations=True)


def library(tmp_path: Path) -> Path:
    """Four photos, each with copies (recompressed, smaller, turned, trimmed, framed)."""
    lib = tmp_path / "lib"
    for seed in (1, 2, 3, 4):
        img = photo(seed, (240, 180))
        save(img, lib / f"p{seed}.jpg", quality=92)
        save(img, lib / "copies" / f"p{seed}-q60.jpg", quality=60)
        save(img.resize((160, 120)), lib / "small" / f"p{seed}.jpg", quality=85)
        save(img.rotate(90, expand=True), lib / "turned" / f"p{seed}.jpg", quality=90)
        save(img.crop((24, 0, 240, 180)), lib / "trimmed" / f"p{seed}.jpg", quality=90)
        framed = ImageOps.expand(img, border=20, fill=(255, 255, 255))
        save(framed, lib / "framed" / f"p{seed}.jpg", quality=90)
    return lib


def described(groups: list[Group]) -> list[list[tuple[object, ...]]]:
    """Each group's members as the report shows them."""
    return [
        [(m.path, m.distance, m.identical, m.keep, m.orientation, m.differences) for m in g.members]
        for g in groups
    ]


def scanned(lib: Path, store: FingerprintStore) -> list[ImageRecord]:
    options = ScanOptions((str(lib),), WalkOptions(), thumbs_in_store=True)
    return list(run_scan(options, store).records)


@pytest.mark.parametrize("change", ["added", "removed", "edited", "renamed"])
def test_a_changed_library_completes_its_searches_and_groups_as_a_fresh_grouping(
    tmp_path: Path, change: str
) -> None:
    lib = library(tmp_path)
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        before = group_kept(scanned(lib, store), OPTIONS, store)
    changed = {str(lib / p) for p in ("new/p5.jpg", "new/p5-q50.jpg", "new/p2-200.jpg")}
    changed |= {str(lib / "copies" / "p3-q60.jpg"), str(lib / "small" / "p4-renamed.jpg")}
    if change == "added":  # a new photo with a copy, and one more copy of p2
        save(photo(5, (240, 180)), lib / "new" / "p5.jpg", quality=90)
        save(photo(5, (240, 180)), lib / "new" / "p5-q50.jpg", quality=50)
        save(photo(2, (240, 180)).resize((200, 150)), lib / "new" / "p2-200.jpg", quality=80)
    elif change == "removed":
        (lib / "p1.jpg").unlink()
    elif change == "edited":  # another picture under a kept name
        save(photo(9, (240, 180)), lib / "copies" / "p3-q60.jpg", quality=60)
    else:
        os.rename(lib / "small" / "p4.jpg", lib / "small" / "p4-renamed.jpg")
    with FingerprintStore(db) as store:
        records = scanned(lib, store)
        searches = Searches(store)
        index = SimilarityIndex(
            records,
            None,
            store.thumbs,
            store.fines,
            searches=searches,
            known_boxes=store.picture_boxes(),
        )
        completed = index.groups(OPTIONS)
        kinds = {"plain", "turned", "far windows", "near windows", "centre"}
        assert searches.done == dict.fromkeys(kinds, "completed")
        # Only the files that changed had their picture boxes placed.
        placed = set(index.take_new_boxes())
        assert placed <= {file_id(r) for r in records if r.path in changed}
        assert bool(placed) == (change in ("added", "renamed"))  # an edited file groups alone
        assert completed == group_kept(records, OPTIONS, store)
    # A fresh grouping: no cache at all (its records differ from a cache's in what the
    # cache knew of them, such as a renamed file's identity, not in what groups them).
    with FingerprintStore(None) as fresh:
        records = scanned(lib, fresh)
        grouped = SimilarityIndex(records, None, fresh.thumbs, fresh.fines).groups(OPTIONS)
    assert described(completed) == described(grouped)
    assert described(completed) != described(before)
    assert len(completed) >= 4 and all(len(g.members) >= 2 for g in completed)
    assert any("border added" in m.differences for g in completed for m in g.members)


def test_searches_are_kept_only_in_a_store_that_writes(tmp_path: Path) -> None:
    """An older cache opened for reading only has no searches table: nothing is kept or
    found, without a warning; a store of another algorithm forgets its searches."""
    db = str(tmp_path / "c.sqlite3")
    with FingerprintStore(db) as store:
        store.keep_search("own:10", b"kept")
        assert store.kept_search("own:10") == b"kept"
    with sqlite3.connect(db) as raw:
        raw.execute("DROP TABLE searches")
    raw.close()
    warnings: list[str] = []
    with FingerprintStore(db, warnings.append, read_only=True) as store:
        assert store.kept_search("own:10") is None
        store.keep_search("own:10", b"kept")
        assert store.kept_search("own:10") is None
    assert warnings == []
    with FingerprintStore(db) as store:  # opened for writing: the table is made
        store.keep_search("own:10", b"kept")
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE meta SET value = '1' WHERE key = 'algorithm'")
    raw.close()
    with FingerprintStore(db) as store:
        assert store.kept_search("own:10") is None


def test_a_search_that_met_no_new_value_is_not_written_again() -> None:
    rng = np.random.default_rng(4)
    own = clustered(rng, 3000)
    memory = Memory()
    Searches(memory).self_pairs("own", own, 10)
    kept = memory.kept["own:10"]
    fewer = own[rng.random(own.size) >= 0.05]
    again = Searches(memory)
    assert same(again.self_pairs("own", fewer, 10), self_pairs(fewer, 10))
    assert again.done == {"own": "completed"} and memory.kept["own:10"] is kept
    more = changed(rng, fewer, 0.0, 3)
    assert same(Searches(memory).self_pairs("own", more, 10), self_pairs(more, 10))
    assert memory.kept["own:10"] != kept


def test_an_unchanged_search_is_read_back_as_kept_without_moving_its_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The values searched before, all of them there again: the pairs as kept, with no
    array of old-to-new positions made for the values (an unchanged library's window
    search made some 60 MB of them); pairs kept out of order still come back in order."""
    rng = np.random.default_rng(8)
    own = clustered(rng, 2500)
    windows = np.unique(np.concatenate([near(rng, own[:200], 6), clustered(rng, 4000)]))
    memory = Memory()
    first = Searches(memory)
    first.self_pairs("own", own, 10)
    first.window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1)
    moved = kept_module._moved

    def never(old: U64, new: U64) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        raise AssertionError("values moved")

    monkeypatch.setattr(kept_module, "_moved", never)
    again = Searches(memory)
    found = (
        again.self_pairs("own", own, 10),
        again.window_pairs("far", own, windows, 10, FAR_LAYOUTS, 1),
    )
    assert again.done == {"own": "completed", "far": "completed"}
    fresh = self_pairs(own, 10), window_pairs(own, windows, 10, FAR_LAYOUTS, 1)
    assert all(len(f) > 20 for f in fresh)
    assert all(same(f, g) for f, g in zip(found, fresh, strict=True))
    # Kept in another order (an earlier layout's, say): put in order the long way.
    monkeypatch.setattr(kept_module, "_moved", moved)
    flipped = Pairs(fresh[0].a[::-1], fresh[0].b[::-1], fresh[0].distance[::-1])
    memory.kept["own:10"] = kept_module._pack(10, None, own, None, flipped)
    assert same(Searches(memory).self_pairs("own", own, 10), fresh[0])
