"""The thumbnail check: copies pass, different pictures with close hashes do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from dedupe_gui.core.align import percentile
from dedupe_gui.core.cache import FingerprintStore
from dedupe_gui.core.fingerprint import fingerprint_file
from dedupe_gui.core.grouping import SimilarityIndex, group_records
from dedupe_gui.core.grouping_options import GroupingOptions
from dedupe_gui.core.hashes import THUMB_SIDE
from dedupe_gui.core.keeper import DEFAULT_RULES, NO_STANDING, keeper_key
from dedupe_gui.core.leftovers import peer_key
from dedupe_gui.core.models import FileKey, Fingerprint, ImageRecord
from dedupe_gui.core.prefilter import hopeless, signatures
from dedupe_gui.core.threshold import DEFAULT_THRESHOLD
from dedupe_gui.core.thumbnails import thumbnail, thumbs_to_array
from dedupe_gui.core.verify import DEFAULT_MAX_RESIDUAL, detail, residuals
from tests.imaging import photo, save


def _thumb(fp: Fingerprint) -> np.ndarray:
    return np.frombuffer(fp.thumb, dtype=np.uint8).reshape(1, THUMB_SIDE, THUMB_SIDE)


def _residual(a: Fingerprint, b: Fingerprint) -> float:
    return float(residuals(_thumb(a), _thumb(b))[0])


def _bits(a: Fingerprint, b: Fingerprint) -> int:
    return (a.hash ^ b.hash).bit_count()


def _records(*paths: Path) -> list[ImageRecord]:
    return [
        ImageRecord(
            FileKey(str(p), p.stat().st_size, p.stat().st_mtime_ns), fingerprint_file(str(p))
        )
        for p in paths
    ]


def test_resized_recompressed_and_cropped_copies_pass(tmp_path: Path) -> None:
    img = photo(7, (320, 240))
    original = save(img, tmp_path / "o.png")
    small = save(img.resize((200, 150), Image.Resampling.LANCZOS), tmp_path / "s.jpg", quality=70)
    w, h = img.size
    cropped = save(
        img.crop((int(w * 0.04), int(h * 0.02), w - int(w * 0.03), h - int(h * 0.05))),
        tmp_path / "c.jpg",
        quality=90,
    )
    recs = _records(original, small, cropped)
    for copy in recs[1:]:
        assert _residual(recs[0].fingerprint, copy.fingerprint) <= DEFAULT_MAX_RESIDUAL
    (group,) = group_records(recs, GroupingOptions(DEFAULT_THRESHOLD))
    assert group.suggested_keeper.path == str(original)
    assert len(group.members) == 3


def test_a_different_picture_with_a_close_hash_is_rejected(tmp_path: Path) -> None:
    """Like two frames of one scene: the hash is 3 bits away, the picture is not the same."""
    a = photo(4, (192, 144))
    b = Image.blend(a, photo(23, (192, 144)), 0.3)
    recs = _records(save(a, tmp_path / "a.png"), save(b, tmp_path / "b.png"))
    fa, fb = recs[0].fingerprint, recs[1].fingerprint
    assert _bits(fa, fb) <= 4
    assert _residual(fa, fb) > 2 * DEFAULT_MAX_RESIDUAL
    assert group_records(recs, GroupingOptions(DEFAULT_THRESHOLD)) == []
    assert len(group_records(recs, GroupingOptions(DEFAULT_THRESHOLD, verify=False))) == 1


def _grey_thumb(img: Image.Image) -> np.ndarray:
    return np.frombuffer(thumbnail(img.convert("L")), np.uint8).reshape(1, THUMB_SIDE, THUMB_SIDE)


@pytest.mark.parametrize("seed", [1, 4])
def test_a_bar_taken_off_as_a_border_is_the_one_edit_forgiven(seed: int) -> None:
    """A uniform bar across a picture's bottom reads as a border: the picture above it is
    compared with the other file whole. That reading forgives nothing more, or an unrelated
    photo passed through it (the rest aligned, stretched and its worst fifth forgiven); the
    other file showing just the picture above the bar still passes."""
    base = photo(seed, (192, 144))
    barred = base.copy()
    ImageDraw.Draw(barred).rectangle((0, 130, 192, 144), fill=(20, 20, 20))
    inside = base.crop((0, 0, 192, 130)).resize((192, 144), Image.Resampling.LANCZOS)
    patched = inside.copy()
    patched.paste(photo(seed + 100, (80, 60)), (112, 0))
    shapes = np.array([[192 / 144, 192 / 144]], np.float32)
    a = _grey_thumb(barred)
    assert residuals(a, _grey_thumb(inside), 0.0, None, None, shapes)[0] <= DEFAULT_MAX_RESIDUAL
    assert residuals(a, _grey_thumb(patched), 0.0, None, None, shapes)[0] > DEFAULT_MAX_RESIDUAL


def test_a_black_picture_is_compared_on_its_fine_thumbnail(tmp_path: Path) -> None:
    """A black picture's fine thumbnail is all zeros, and counts as one: taken for none, a
    black photo and a phone screenshot of a small photo on black (the 32x32 thumbnails
    nearly all black in both) were grouped."""
    screen = Image.new("RGB", (270, 585), (0, 0, 0))
    screen.paste(photo(7, (90, 52)), (90, 266))
    draw = ImageDraw.Draw(screen)
    for x in (226, 238, 250):
        draw.rectangle((x, 6, x + 7, 13), fill=(255, 255, 255))
    recs = _records(
        save(screen, tmp_path / "screen.png"),
        save(Image.new("RGB", (400, 300), (0, 0, 0)), tmp_path / "night.jpg"),
    )
    fa, fb = recs[0].fingerprint, recs[1].fingerprint
    assert fa.detailed and fb.detailed and _bits(fa, fb) <= DEFAULT_THRESHOLD
    assert group_records(recs, GroupingOptions(DEFAULT_THRESHOLD)) == []


def _flat(level: int, ramp: float) -> Image.Image:
    """A nearly uniform grey picture with a faint left-to-right ramp: its dHash is all ones."""
    x = np.linspace(-ramp / 2, ramp / 2, 192)
    return Image.fromarray(np.tile(level + x, (144, 1)).round().astype(np.uint8), "L")


@pytest.mark.parametrize(("other_level", "other_ramp"), [(150, 8.0), (128, 24.0)])
def test_flat_pictures_are_not_grouped_on_equal_hashes(
    tmp_path: Path, other_level: int, other_ramp: float
) -> None:
    """Equal hashes of flat pictures mean nothing: another grey level or another faint
    gradient is another picture, even though normalising the contrast would make them equal."""
    recs = _records(
        save(_flat(128, 8.0), tmp_path / "a.png"),
        save(_flat(other_level, other_ramp), tmp_path / "b.png"),
    )
    fa, fb = recs[0].fingerprint, recs[1].fingerprint
    assert _bits(fa, fb) == 0
    assert detail(_thumb(fa))[0] < 1.0
    assert _residual(fa, fb) > DEFAULT_MAX_RESIDUAL
    assert group_records(recs, GroupingOptions(DEFAULT_THRESHOLD)) == []


@pytest.mark.parametrize("q", [0, 1, 50, 74, 75, 76, 99, 100])
def test_the_percentile_of_flat_pairs_is_numpys_to_the_bit(q: int) -> None:
    rng = np.random.default_rng(q)
    for shape in [(3, 32, 32), (4, 16, 16), (2, 7, 3), (3, 1, 1)]:
        values = (rng.random(shape) * 40).astype(np.float32)
        ties = np.round(values / 8).astype(np.float32)
        ties[0, 0, 0] = np.nan
        for v in (values, ties):
            want = np.percentile(v, q, axis=(1, 2))
            got = percentile(v, q)
            assert got.dtype == want.dtype == np.float32
            assert got.tobytes() == want.tobytes()


def test_the_same_flat_picture_recompressed_is_still_grouped(tmp_path: Path) -> None:
    flat = _flat(128, 8.0)
    recs = _records(save(flat, tmp_path / "a.png"), save(flat, tmp_path / "b.jpg", quality=90))
    assert _residual(recs[0].fingerprint, recs[1].fingerprint) <= DEFAULT_MAX_RESIDUAL
    assert len(group_records(recs, GroupingOptions(DEFAULT_THRESHOLD))) == 1


def test_records_without_thumbnails_are_judged_on_the_hash(tmp_path: Path) -> None:
    """Fingerprints from before thumbnails existed (a loaded report) still group."""
    recs = [
        ImageRecord(FileKey(f"/{i}.jpg", 1000 - i, 1), Fingerprint(0xF0F0 ^ i, 100, 100, "JPEG"))
        for i in range(2)
    ]
    assert len(group_records(recs, GroupingOptions(2))) == 1


def test_thumbnails_and_turned_hashes_survive_the_cache(tmp_path: Path) -> None:
    fp = fingerprint_file(str(save(photo(3), tmp_path / "p.png")))
    assert len(fp.thumb) == THUMB_SIDE * THUMB_SIDE and len(fp.turned) == 7
    key = FileKey("/p.png", 1, 2)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        store.put(key, fp)
    with FingerprintStore(str(tmp_path / "c.sqlite3")) as store:
        assert store.get(key) == fp
        assert [f for _, f in store.records()] == [fp]


def test_residuals_are_cached_across_thresholds(tmp_path: Path) -> None:
    img = photo(9, (160, 120))
    recs = _records(
        save(img, tmp_path / "a.png"),
        save(img.resize((120, 90), Image.Resampling.LANCZOS), tmp_path / "b.jpg", quality=80),
    )
    index = SimilarityIndex(recs)
    computed: list[int] = []
    compute = index._checker._residuals

    def counting(a: np.ndarray, b: np.ndarray, turn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        computed.append(int(a.size))
        return compute(a, b, turn)

    index._checker._residuals = counting  # type: ignore[method-assign]
    first = index.groups(GroupingOptions(DEFAULT_THRESHOLD))
    assert computed == [1] and len(first) == 1
    assert index.groups(GroupingOptions(DEFAULT_THRESHOLD - 4)) == first
    assert index.groups(GroupingOptions(DEFAULT_THRESHOLD)) == first
    assert computed == [1]  # nothing verified twice


# -- the star invariant with verification ------------------------------------------------

_BASES = [
    np.frombuffer(thumbnail(photo(seed, (64, 48)).convert("L")), np.uint8).reshape(32, 32)
    for seed in range(3)
]


@st.composite
def thumbed(draw: st.DrawFn) -> list[ImageRecord]:
    """Records whose hashes cluster (as in test_grouping) and whose thumbnails are one of a
    few pictures with a little noise: close hashes often come with a different picture."""
    centres = draw(st.lists(st.integers(0, (1 << 64) - 1), min_size=1, max_size=3))
    out = []
    for i in range(draw(st.integers(1, 16))):
        h = centres[draw(st.integers(0, len(centres) - 1))]
        for bit in draw(st.lists(st.integers(0, 63), max_size=6)):
            h ^= 1 << bit
        base = _BASES[draw(st.integers(0, len(_BASES) - 1))].astype(np.int16)
        noise = np.random.default_rng(draw(st.integers(0, 1000))).integers(-2, 3, base.shape)
        thumb = np.clip(base + noise, 0, 255).astype(np.uint8).tobytes()
        out.append(
            ImageRecord(
                FileKey(f"/p/{i:03d}.jpg", draw(st.integers(1, 5)) * 1000, 1),
                Fingerprint(h, draw(st.integers(1, 4)) * 100, 100, "JPEG", thumb=thumb),
                draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return out


@settings(max_examples=40, deadline=None)
@given(thumbed(), st.integers(0, 10))
def test_star_invariants_hold_under_verification(recs: list[ImageRecord], threshold: int) -> None:
    groups = group_records(recs, GroupingOptions(threshold))
    thumbs, _ = thumbs_to_array([r.fingerprint.thumb for r in recs])
    where = {r.path: i for i, r in enumerate(recs)}
    key = keeper_key(DEFAULT_RULES)
    peer = peer_key(DEFAULT_RULES, NO_STANDING)
    assert peer is not None
    seen: set[str] = set()
    for g in groups:
        k = where[g.suggested_keeper.path]
        for m in g.members:
            assert m.path not in seen
            seen.add(m.path)
            if m is g.suggested_keeper:
                continue
            i = where[m.path]
            d = (recs[i].fingerprint.hash ^ recs[k].fingerprint.hash).bit_count()
            assert d == m.distance <= threshold  # within T of the keeper itself
            assert residuals(thumbs[[k]], thumbs[[i]])[0] <= DEFAULT_MAX_RESIDUAL  # and verified
            # The keeper ranks first, unless the group was centred again on a peer to take
            # in a file left out (core.leftovers): then a member may rank before it only by
            # the tie-breaks after the pixels (the larger file, the path).
            assert key(recs[k]) <= key(recs[i]) or peer(recs[k]) == peer(recs[i])
            assert m.orientation == ""
    reversed_groups = group_records(list(reversed(recs)), GroupingOptions(threshold))
    assert [[m.path for m in g.members] for g in reversed_groups] == [
        [m.path for m in g.members] for g in groups
    ]


def test_unrelated_pictures_are_ruled_out_cheaply_but_flat_ones_never() -> None:
    a = np.stack([_BASES[0], _BASES[0], np.full((32, 32), 128, np.uint8)])
    b = np.stack([_BASES[0], np.ascontiguousarray(_BASES[0][::-1, ::-1]), _BASES[1]])
    flat = detail(a) < 1.5
    out = hopeless(signatures(a), signatures(b), flat | (detail(b) < 1.5))
    assert out.tolist() == [False, True, False]


def test_stopping_early_never_changes_a_verdict(tmp_path: Path) -> None:
    """With ``good_enough`` the check may stop at the first alignment that passes; every
    pair must still land on the same side of the limit as with the exact residual."""
    base = photo(13, (200, 150))
    w, h = base.size
    variants = [
        base,
        base.crop((8, 6, w - 8, h - 6)).resize((w, h)),
        base.crop((0, 0, w - 14, h - 10)),
        base.resize((120, 90)),
        photo(14, (200, 150)),
        base.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    ]
    paths = [save(v, tmp_path / f"{i}.png") for i, v in enumerate(variants)]
    thumbs = np.concatenate([_thumb(fingerprint_file(str(p))) for p in paths])
    i, j = np.triu_indices(len(paths), 1)
    exact = residuals(thumbs[i], thumbs[j])
    for limit in (0.05, DEFAULT_MAX_RESIDUAL, 0.3):
        early = residuals(thumbs[i], thumbs[j], good_enough=limit)
        assert np.array_equal(early <= limit, exact <= limit)
        assert np.all(early >= exact - 1e-6)  # an upper bound, never below the exact value
    assert (exact <= DEFAULT_MAX_RESIDUAL).sum() >= 3  # the copies really are close


def test_a_group_centred_on_a_peer_takes_in_a_copy_beyond_the_first_keeper() -> None:
    """Sixteen copies of one picture: /p/000 ranks first by its path but is 4 bits from
    /p/015 at T=3. The group is centred on a peer (same pixels, same size) that reaches
    both, so nothing is left out and every member stays within T of its keeper; which peer
    follows the ranking, not the order of the listing."""
    noise = np.random.default_rng(0).integers(-2, 3, _BASES[0].shape)
    thumb = np.clip(_BASES[0].astype(np.int16) + noise, 0, 255).astype(np.uint8).tobytes()
    hashes = [24] + [0] * 14 + [5]
    recs = [
        ImageRecord(
            FileKey(f"/p/{i:03d}.jpg", 1000, 1),
            Fingerprint(h, 100, 100, "JPEG", thumb=thumb),
            False,
        )
        for i, h in enumerate(hashes)
    ]
    (group,) = group_records(recs, GroupingOptions(3))
    assert len(group.members) == 16
    keeper = group.suggested_keeper.record.fingerprint.hash
    assert keeper == 0
    # The peer is the best ranked one (/p/001 by its path), whatever order the files come in.
    assert group.suggested_keeper.path == "/p/001.jpg"
    (again,) = group_records(list(reversed(recs)), GroupingOptions(3))
    assert [m.path for m in again.members] == [m.path for m in group.members]
    assert all(
        (m.record.fingerprint.hash ^ keeper).bit_count() == m.distance <= 3 for m in group.members
    )
